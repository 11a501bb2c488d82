/* Tests for donation permits (zkgroup-donation.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/endorse.h"
#include "crypto/zkgroup.h"
#include "crypto/zkgroup_bin.h"
#include "test_zk_util.h"

static void
test_donation_issuance(void)
{
    struct json_object *v = tzk_load("zkgroup-donation.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    uint8_t seed[32], ser[73], sk[32], pk[32], *req, *out = NULL;
    size_t req_len, out_len = 0;
    uint64_t exp;
    struct zkgroup_binw w;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    exp = zk_donation_default_expiration(tzk_u64(v, "now"));
    CU_ASSERT_EQUAL(exp, tzk_u64(v, "default_expiration"));
    endorse_derive(sp->endorse_sk, sp->endorse_pk, ENDORSE_DONATION_LABEL, exp, sk, pk);
    zkgroup_binw_init(&w, ser, sizeof ser);
    zkgroup_binw_u8(&w, 0);
    zkgroup_binw_bytes(&w, sk, 32);
    zkgroup_binw_bytes(&w, pk, 32);
    zkgroup_binw_u64(&w, exp);
    zkgroup_binw_finish(&w);
    CU_ASSERT_TRUE(tzk_eq_hex(v, "derived_key_pair", ser, sizeof ser));

    CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, "issue_seed", seed, 32));
    req = tzk_hex(v, "request", &req_len);
    CU_ASSERT_EQUAL(zk_issue_donation_permits(sp, req, req_len, exp, seed, &out, &out_len), E_OK);
    CU_ASSERT_TRUE(tzk_eq_hex(v, "expected_response", out, out_len));
    free(out);
    CU_ASSERT_EQUAL(zk_issue_donation_permits(sp, req, req_len - 1, exp, seed, &out, &out_len),
                    E_BAD_REQUEST);
    /* empty request: rejected instead of libsignal's panic */
    memset(req + 1, 0, 8);
    CU_ASSERT_EQUAL(zk_issue_donation_permits(sp, req, 9, exp, seed, &out, &out_len),
                    E_BAD_REQUEST);
    CU_ASSERT_PTR_NULL(out);
    /* huge count with few bytes */
    memset(req + 1, 0xff, 8);
    CU_ASSERT_EQUAL(zk_issue_donation_permits(sp, req, req_len, exp, seed, &out, &out_len),
                    E_BAD_REQUEST);
    free(req);
    /* default expiration edges: at 23:00 UTC the 2-day expiry is exactly 25 h away (kept);
     * later in the day it would be under 25 h, so one more day is added */
    CU_ASSERT_EQUAL(zk_donation_default_expiration(1770681600 + 23 * 3600), 1770681600 + 2 * 86400);
    CU_ASSERT_EQUAL(zk_donation_default_expiration(1770681600 + 23 * 3600 + 1),
                    1770681600 + 3 * 86400);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_donation_permit_verdicts(void)
{
    struct json_object *v = tzk_load("zkgroup-donation.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    struct json_object *cases = tzk_get(v, "verification_cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 7);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        size_t len;
        uint8_t *p = tzk_hex(c, "permit", &len), spend[32];
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        enum err e = zk_verify_donation_permit(sp, p, len, tzk_u64(c, "now"), spend);

        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\ndonation case failed: %s\n", tzk_str(c, "name"));
        if (e == E_OK)
            CU_ASSERT_EQUAL(memcmp(spend, p + 9, 32), 0);
        if (want)
            CU_ASSERT_EQUAL(zk_verify_donation_permit(sp, p, len - 1, tzk_u64(c, "now"), spend),
                            E_BAD_REQUEST);
        free(p);
    }
    CU_ASSERT_EQUAL(passed, n);
    /* permits list: spend ids */
    for (int i = 0; i < 3; i++) {
        char path[64];
        size_t len;
        uint8_t *p, spend[32];

        snprintf(path, sizeof path, "permits.%d.permit", i);
        p = tzk_hex(v, path, &len);
        CU_ASSERT_EQUAL(zk_verify_donation_permit(sp, p, len, tzk_u64(v, "now"), spend), E_OK);
        snprintf(path, sizeof path, "permits.%d.spend_id", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, spend, 32));
        free(p);
    }
    zk_server_secret_free(sp);
    json_object_put(v);
}

void
tzk_register_donation(void)
{
    CU_pSuite s = CU_add_suite("zk_donation", NULL, NULL);

    CU_add_test(s, "donation_issuance", test_donation_issuance);
    CU_add_test(s, "donation_permit_verdicts", test_donation_permit_verdicts);
}
