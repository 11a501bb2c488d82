/* Presence and doorbells in memcached: which relay holds a device's socket, and how a sender
 * tells that relay "look at this device's queue" without a connection to it.
 *
 *   pr:<aci-hex>.<dev>   -> "<relay_id> <conn_id>"   set by the relay on connect, TTL refreshed
 *   bell:<relay_id>      -> lines appended by anyone, drained (get + CAS-swap to "") by the relay
 *
 * A doorbell line is "<kind> <aci-hex>.<dev> <conn_id> [<base64 payload>]\n". The relay's cost
 * per poll is one gets + one cas, independent of how many sockets it holds. A lost ring (memcached
 * restart, eviction) is covered by the relay's slow periodic queue check. */
#ifndef HG_PRESENCE_H
#define HG_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct store;

#define PRESENCE_TTL_S 90        /* relay refreshes well within this */
#define RELAY_ID_MAX 64

enum bell_kind {
    BELL_NEW = 'N',              /* new durable envelopes queued for the device */
    BELL_EPHEMERAL = 'E',        /* payload = serialized Envelope, deliver only if connected */
    BELL_KICK = 'K',             /* a newer socket for the device elsewhere: close conn 4409 */
    BELL_CLOSE = 'X',            /* device removed / password changed: close 4401 */
    BELL_PROVISION = 'P',        /* to provisioning socket (aci = address bytes, device 0, key prov:<address>); payload = ProvisionEnvelope */
};

struct bell {
    char kind;
    uint8_t aci[16];
    uint8_t device_id;
    uint64_t conn_id;            /* 0 = any connection of the device */
    const uint8_t *payload;      /* decoded, in the arena; NULL when none */
    size_t payload_len;
};

/** Record that relay_id holds the device's socket conn_id (also used to refresh). */
enum err presence_set(struct store *s, const uint8_t aci[16], uint8_t device_id,
                      const char *relay_id, uint64_t conn_id) HG_MUST_CHECK;
/** Remove the record, but only when it still names (relay_id, conn_id). */
enum err presence_clear(struct store *s, const uint8_t aci[16], uint8_t device_id,
                        const char *relay_id, uint64_t conn_id) HG_MUST_CHECK;
/** Who holds the device: E_NOT_FOUND when nobody. relay_id has RELAY_ID_MAX bytes. */
enum err presence_get(struct store *s, const uint8_t aci[16], uint8_t device_id,
                      char *relay_id, uint64_t *conn_id) HG_MUST_CHECK;

/** Append one line to relay_id's doorbell. */
enum err doorbell_ring(struct store *s, const char *relay_id, const struct bell *b) HG_MUST_CHECK;
/** Take every pending line of relay_id's doorbell (atomic swap). */
enum err doorbell_drain(struct store *s, struct arena *a, const char *relay_id,
                        struct bell **out, size_t *n) HG_MUST_CHECK;

/**
 * Add key (value "1", TTL ttl_s, 0 = none) unless it exists; *created tells which. The relay
 * uses it as a marker that vanishes when memcached loses its data (restart, eviction), and as a
 * lock with a TTL for chores that one relay of several should do.
 */
enum err presence_mark(struct store *s, const char *key, unsigned ttl_s, bool *created)
    HG_MUST_CHECK;

/**
 * Sender side: if the device is connected somewhere, ring that relay (BELL_NEW, or
 * BELL_EPHEMERAL with env as payload). *online tells whether it was. Memcached trouble is
 * reported as online=false and E_OK for BELL_NEW (the periodic check covers it).
 */
enum err presence_notify(struct store *s, const uint8_t aci[16], uint8_t device_id,
                         char kind, const uint8_t *env, size_t env_len, bool *online) HG_MUST_CHECK;

/**
 * presence_notify(BELL_NEW) for n devices at once: one memcached mget for every presence
 * record, then one doorbell append per relay holding any of them (a device named twice is
 * rung once). online[i] tells whether devices aci[i]/device_id[i] held a socket and its relay
 * was rung. Memcached trouble leaves online[i] false (the caller queues a push; the relay's
 * periodic check finds the rows).
 */
enum err presence_notify_new_many(struct store *s, struct arena *a, const uint8_t *const *aci,
                                  const uint8_t *device_id, size_t n, bool *online) HG_MUST_CHECK;

#endif
