/* Token buckets: the pure arithmetic, and the memcached limiter shared by processes (when
 * HG_TEST_CONF names a running stack). */
#include <stdio.h>

#include <CUnit/CUnit.h>
#include <sodium.h>

#include "http/ctx.h"
#include "store/ratelimit.h"
#include "suites.h"
#include "../api/tcall.h"

static void
test_bucket_math(void)
{
    double t = 2;
    int64_t wait = -1;

    /* spend what is there */
    CU_ASSERT_EQUAL(ratelimit_bucket(6, 30000, &t, 0, 0, 2, &wait), 0);
    CU_ASSERT_DOUBLE_EQUAL(t, 0, 1e-9);
    /* empty: the deficit of one permit is one period */
    CU_ASSERT_EQUAL(ratelimit_bucket(6, 30000, &t, 0, 0, 1, &wait), -1);
    CU_ASSERT_EQUAL(wait, 30000);
    /* refill by elapsed time, capped at the bucket size */
    t = 0;
    CU_ASSERT_EQUAL(ratelimit_bucket(6, 30000, &t, 0, 45000, 1, &wait), 0);
    CU_ASSERT_DOUBLE_EQUAL(t, 0.5, 1e-9);
    t = 0;
    CU_ASSERT_EQUAL(ratelimit_bucket(6, 30000, &t, 0, 10 * 3600 * 1000LL, 6, &wait), 0);
    CU_ASSERT_DOUBLE_EQUAL(t, 0, 1e-9);
    /* a partial deficit: 0.5 permit short at 1 s per permit = 500 ms */
    t = 0.5;
    CU_ASSERT_EQUAL(ratelimit_bucket(60, 1000, &t, 0, 0, 1, &wait), -1);
    CU_ASSERT_EQUAL(wait, 500);
}

static void
test_memcached_bucket(void)
{
    struct ctx *ctx = tcall_ctx();
    char key[40];
    int64_t retry = -1;
    int ok = 0;

    if (ctx == NULL)
        return;
    snprintf(key, sizeof(key), "+1415%07u", randombytes_uniform(10000000));
    /* registration: 6 permits, then 429 with about 30 s to wait */
    for (int i = 0; i < 6; i++)
        ok += ratelimit_take(ctx->store, RL_REGISTRATION, key, 1, &retry) == E_OK;
    CU_ASSERT_EQUAL(ok, 6);
    CU_ASSERT_EQUAL(ratelimit_take(ctx->store, RL_REGISTRATION, key, 1, &retry), E_RATE_LIMITED);
    CU_ASSERT(retry >= 29 && retry <= 30);
    /* other keys are independent */
    CU_ASSERT_EQUAL(ratelimit_take(ctx->store, RL_REGISTRATION, "other-key", 0, &retry), E_OK);
}

void
suite_ratelimit(void)
{
    CU_pSuite s = CU_add_suite("store/ratelimit", NULL, NULL);

    CU_add_test(s, "bucket arithmetic", test_bucket_math);
    CU_add_test(s, "memcached buckets", test_memcached_bucket);
}
