/* Token-bucket rate limiters shared by every process through memcached, with the official
 * server's default buckets (server-reference.md §2.23). A bucket is one memcached item
 * "rl:<name>:<key>" holding "<tokens> <last_ms>", updated with gets + cas. */
#ifndef HG_RATELIMIT_H
#define HG_RATELIMIT_H

#include <stdint.h>

#include "core/err.h"

struct store;

enum rl_name {
    RL_MESSAGES,               /* 60, 1 per second, key "<src>__<dst>" */
    RL_STORIES,                /* 5000, 1 per 8 s, key destination ACI */
    RL_INBOUND_MESSAGE_BYTES,  /* 128 MiB, 1 per 500 us, key destination ACI */
    RL_PREKEYS,                /* 6, 1 per 10 min, key "<src>.<dev>__<target>.<dev>" */
    RL_REGISTRATION,           /* 6, 1 per 30 s, key E164 */
    RL_VERIFICATION_CAPTCHA,   /* 10, 1 per 30 s, key session id */
    RL_VERIFICATION_PUSH,      /* 5, 1 per 30 s, key session id */
    RL_CHECK_ACCOUNT_EXISTENCE,/* 1000, 1 per 4 s, key IP */
    RL_CREATE_CALL_LINK,       /* 100, 1 per 15 min, key ACI */
    RL_PIN,                    /* 10, 1 per day, key E164 */
    RL_ALLOCATE_DEVICE,        /* 6, 1 per 2 min, key ACI (provisioning code) */
    RL_VERIFY_DEVICE,          /* 6, 1 per 2 min, key ACI (device link) */
    RL_WAIT_FOR_LINKED_DEVICE, /* 10, 1 per 30 s, key ACI */
    RL_COUNT
};

/**
 * Spend amount permits from bucket (name, key). E_OK, or E_RATE_LIMITED with *retry_after_s
 * set (whole seconds, truncated, as the reference). Memcached trouble: fail-open limiters allow,
 * the others answer E_UNAVAILABLE.
 */
enum err ratelimit_take(struct store *s, enum rl_name name, const char *key, uint64_t amount,
                        int64_t *retry_after_s) HG_MUST_CHECK;

/* Pure bucket arithmetic (exposed for tests): refill then spend. Returns 0 and updates *tokens,
 * or -1 and the deficit wait in ms. */
int ratelimit_bucket(double size, double permit_ms, double *tokens, int64_t last_ms,
                     int64_t now_ms, uint64_t amount, int64_t *wait_ms);

#endif
