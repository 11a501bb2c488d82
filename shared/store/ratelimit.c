/* Memcached token buckets (see ratelimit.h). */
#include "ratelimit.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>

#include "core/log.h"
#include "core/str.h"
#include "store_int.h"

struct limiter {
    const char *name;
    double size;          /* bucket capacity */
    double permit_ms;     /* one permit regenerates every permit_ms */
    bool fail_open;
};

static const struct limiter limiters[RL_COUNT] = {
    [RL_MESSAGES] = { "messages", 60, 1000, true },
    [RL_STORIES] = { "stories", 5000, 8000, true },
    [RL_INBOUND_MESSAGE_BYTES] = { "inboundMessageBytes", 134217728, 0.5, true },
    [RL_PREKEYS] = { "prekeys", 6, 600000, false },
    [RL_REGISTRATION] = { "registration", 6, 30000, false },
    [RL_VERIFICATION_CAPTCHA] = { "verificationCaptcha", 10, 30000, false },
    [RL_VERIFICATION_PUSH] = { "verificationPushChallenge", 5, 30000, false },
    [RL_CHECK_ACCOUNT_EXISTENCE] = { "checkAccountExistence", 1000, 4000, true },
    [RL_CREATE_CALL_LINK] = { "createCallLink", 100, 900000, false },
    [RL_PIN] = { "pin", 10, 86400000, false },
    [RL_ALLOCATE_DEVICE] = { "allocateDevice", 6, 120000, false },
    [RL_VERIFY_DEVICE] = { "verifyDevice", 6, 120000, false },
    [RL_WAIT_FOR_LINKED_DEVICE] = { "waitForLinkedDevice", 10, 30000, false },
};

int
ratelimit_bucket(double size, double permit_ms, double *tokens, int64_t last_ms, int64_t now,
                 uint64_t amount, int64_t *wait_ms)
{
    double t = *tokens;

    if (now > last_ms)
        t += (double)(now - last_ms) / permit_ms;
    if (t > size)
        t = size;
    if (t >= (double)amount) {
        *tokens = t - (double)amount;
        return 0;
    }
    *wait_ms = (int64_t)ceil(((double)amount - t) * permit_ms);
    return -1;
}

static enum err
trouble(const struct limiter *l)
{
    return l->fail_open ? E_OK : E_UNAVAILABLE;
}

enum err
ratelimit_take(struct store *s, enum rl_name name, const char *key, uint64_t amount,
               int64_t *retry_after_s)
{
    const struct limiter *l = &limiters[name];
    char k[250], v[64];
    int64_t now = now_ms();

    *retry_after_s = 0;
    if (s->mc == NULL)
        return trouble(l);
    snprintf(k, sizeof(k), "rl:%s:%s", l->name, key);
    for (size_t i = 0; i < strlen(k); i++)      /* memcached keys: no spaces or controls */
        if ((unsigned char)k[i] <= ' ')
            k[i] = '_';
    for (int attempt = 0; attempt < 8; attempt++) {
        const char *keys[1] = { k };
        size_t klen[1] = { strlen(k) };
        memcached_result_st *res;
        memcached_return_t rc;
        double tokens = l->size;
        int64_t last = now, wait = 0;
        uint64_t cas = 0;
        bool found = false;

        if (memcached_mget(s->mc, keys, klen, 1) != MEMCACHED_SUCCESS)
            return trouble(l);
        while ((res = memcached_fetch_result(s->mc, NULL, &rc)) != NULL) {
            size_t n = memcached_result_length(res);
            char buf[64];
            long long tl;

            if (n < sizeof(buf)) {
                memcpy(buf, memcached_result_value(res), n);
                buf[n] = '\0';
                if (sscanf(buf, "%lf %lld", &tokens, &tl) == 2 && tokens >= 0 &&
                    tokens <= l->size) {
                    last = tl;
                    found = true;
                    cas = memcached_result_cas(res);
                } else {
                    tokens = l->size;
                }
            }
            memcached_result_free(res);
        }
        if (ratelimit_bucket(l->size, l->permit_ms, &tokens, last, now, amount, &wait) != 0) {
            *retry_after_s = wait / 1000;
            return E_RATE_LIMITED;
        }
        /* the item lives until the bucket would be full again */
        time_t ttl = (time_t)ceil((l->size - tokens) * l->permit_ms / 1000.0) + 1;
        int n = snprintf(v, sizeof(v), "%.6f %lld", tokens, (long long)now);

        rc = found ? memcached_cas(s->mc, k, strlen(k), v, (size_t)n, ttl, 0, cas)
                   : memcached_add(s->mc, k, strlen(k), v, (size_t)n, ttl, 0);
        if (rc == MEMCACHED_SUCCESS)
            return E_OK;
        if (rc != MEMCACHED_DATA_EXISTS && rc != MEMCACHED_NOTSTORED)
            return trouble(l);
        /* lost a race with another process: read again */
    }
    return trouble(l);
}
