/* Wake-up pushes for offline devices (server-reference.md §1.5). Senders only enqueue; the
 * relay's push thread (push_sender.c) claims due rows and talks to APNs / FCM. */
#ifndef HG_PUSH_H
#define HG_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct conf;
struct store;

/**
 * Queue a push for the device (coalesced: one pending row per device; urgent wins). Runs inside
 * the caller's transaction when there is one. A device without APNs/FCM token is a no-op.
 */
enum err push_enqueue(struct store *s, const uint8_t aci[16], uint8_t device_id,
                      bool urgent) HG_MUST_CHECK;

/** The push sender loop: runs until *stop becomes nonzero. Own store connection. */
void push_sender_run(const struct conf *conf, volatile int *stop);

#endif
