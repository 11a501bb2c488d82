/* Rate limiting for handlers: spend permits, and on refusal answer 429 with Retry-After. */
#include <stdio.h>

#include "api.h"
#include "http/ctx.h"
#include "http/resp.h"

enum err
api_rate_limit(struct call *c, enum rl_name name, const char *key, uint64_t amount)
{
    int64_t retry;
    enum err e = ratelimit_take(c->ctx->store, name, key, amount, &retry);

    if (e == E_RATE_LIMITED) {
        char v[24];

        snprintf(v, sizeof(v), "%lld", (long long)retry);
        resp_header(c->resp, "Retry-After", v);
    }
    return e;
}
