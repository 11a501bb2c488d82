/* The push sender's side of the push_queue table (sql/0005_push.sql, sql/0006_push_background.sql):
 * claim due rows, finish them, reschedule them, clear dead device tokens. push_enqueue
 * (push/push.h, push_db.c) is the writer's side.
 *
 * Claiming is a lease: a claimed row's not_before_ms is moved to the lease's end, so another
 * sender (or this one after a crash) takes it again only when the lease runs out. Finishing or
 * rescheduling a row names the lease it holds (id + lease value); when the row no longer carries
 * it — push_enqueue re-armed it for a newer message while the push was in flight, which sets
 * not_before_ms back to now — the call changes nothing and the row is sent again. */
#ifndef HG_PUSH_STORE_H
#define HG_PUSH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct store;

enum push_kind { PUSH_NONE = 0, PUSH_FCM, PUSH_APN };

/** One claimed push_queue row with the device's current push token. */
struct push_job {
    int64_t id;
    int64_t lease;              /* not_before_ms written by the claim: our hold on the row */
    uint8_t aci[16];
    uint8_t device_id;
    bool urgent;
    int attempts;               /* failed sends so far */
    enum push_kind kind;        /* FCM preferred when both are set (Signal's getToken) */
    const char *token;          /* arena; NULL when the device is gone or has no token */
    int64_t last_background_ms; /* last background push to this device, 0 if none */
};

/**
 * Claim up to max rows due at now_ms (SELECT ... FOR UPDATE SKIP LOCKED, so concurrent senders
 * take disjoint rows) and lease them until now_ms + lease_ms, in one short transaction; then
 * read each device's tokens. Jobs and tokens live in arena a.
 */
enum err store_push_claim(struct store *s, struct arena *a, int64_t now_ms, int64_t lease_ms,
                          size_t max, struct push_job **out, size_t *n) HG_MUST_CHECK;

/** Delete the row (sent, dropped or nothing to send) if it still carries our lease. */
enum err store_push_done(struct store *s, const struct push_job *j) HG_MUST_CHECK;

/** Reschedule at not_before_ms, counting a failed attempt when failed; only under our lease. */
enum err store_push_retry(struct store *s, const struct push_job *j, int64_t not_before_ms,
                          bool failed) HG_MUST_CHECK;

/**
 * Clear the device's token of kind j->kind, but only if it still equals j->token (a token the
 * client replaced meanwhile stays: Signal's clearPushToken rule).
 */
enum err store_push_token_clear(struct store *s, const struct push_job *j) HG_MUST_CHECK;

/** Record that a background (non-urgent) push went to the device at when_ms. */
enum err store_push_background_mark(struct store *s, const struct push_job *j,
                                    int64_t when_ms) HG_MUST_CHECK;

#endif
