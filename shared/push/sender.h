/* The push sender loop's tunables and its pure retry policy (push_sender_run is in push.h). */
#ifndef HG_PUSH_SENDER_H
#define HG_PUSH_SENDER_H

#include <stdint.h>

#define PUSH_CLAIM_BATCH 16                     /* rows claimed per transaction */
#define PUSH_LEASE_MS (10LL * 60 * 1000)        /* a crashed sender's rows come back after this */
#define PUSH_IDLE_POLL_MS 500                   /* queue poll interval when nothing is due */
#define PUSH_MAX_ATTEMPTS 8                     /* failed sends before a row is dropped */
#define PUSH_RETRY_BASE_MS 1000LL
#define PUSH_RETRY_CAP_MS (5LL * 60 * 1000)
#define PUSH_RETRY_AFTER_CAP_S 3600
#define PUSH_BACKGROUND_PERIOD_MS (20LL * 60 * 1000)   /* Signal's BACKGROUND_NOTIFICATION_PERIOD */

/**
 * Delay before the next try after the failures-th failed send (1-based): 1 s doubling per
 * failure, capped at 5 minutes; a provider's Retry-After (capped at an hour) wins when longer.
 */
int64_t push_backoff_ms(int failures, int64_t retry_after_s);

#endif
