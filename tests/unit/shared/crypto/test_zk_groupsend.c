/* Tests for endorse.c and zk_verify_group_send_token against zkgroup-groupsend.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sodium.h>

#include "crypto/endorse.h"
#include "crypto/zkgroup.h"
#include "crypto/zkgroup_bin.h"
#include "test_zk_util.h"

static void
tzk_service_id(struct json_object *o, const char *path, struct zk_service_id *out)
{
    out->kind = strncmp(tzk_str(o, path), "PNI:", 4) == 0 ? 1 : 0;
    CU_ASSERT_TRUE(tzk_uuid(o, path, out->uuid));
}

static void
test_group_send_derived_keys(void)
{
    struct json_object *v = tzk_load("zkgroup-groupsend.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    struct json_object *list = tzk_get(v, "derived_key_pairs");
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    n = json_object_array_length(list);
    CU_ASSERT_EQUAL(n, 3);
    for (size_t i = 0; i <= n; i++) {
        char path[96];
        uint8_t ser[73], sk[32], pk[32];
        uint64_t exp;
        struct zkgroup_binw w;

        if (i < n) {
            snprintf(path, sizeof path, "derived_key_pairs.%zu.expiration", i);
            exp = (uint64_t)tzk_int(v, path);
            snprintf(path, sizeof path, "derived_key_pairs.%zu.group_send_derived_key_pair", i);
        } else {
            exp = (uint64_t)tzk_int(v, "expiration");
            snprintf(path, sizeof path, "group_send_derived_key_pair_for_expiration");
        }
        endorse_derive(sp->endorse_sk, sp->endorse_pk, ENDORSE_GROUP_SEND_LABEL, exp, sk, pk);
        zkgroup_binw_init(&w, ser, sizeof ser);
        zkgroup_binw_u8(&w, 0);
        zkgroup_binw_bytes(&w, sk, 32);
        zkgroup_binw_bytes(&w, pk, 32);
        zkgroup_binw_u64(&w, exp);
        zkgroup_binw_finish(&w);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, ser, sizeof ser));
    }
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_group_send_verification_cases(void)
{
    struct json_object *v = tzk_load("zkgroup-groupsend.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    struct json_object *cases = tzk_get(v, "verification_cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 11);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        struct json_object *ids = tzk_get(c, "service_ids");
        struct zk_service_id rcpt[8];
        size_t nr = json_object_array_length(ids), tlen;
        uint8_t *tok = tzk_hex(c, "token", &tlen);
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        enum err e;

        CU_ASSERT_FATAL(nr <= 8);
        for (size_t k = 0; k < nr; k++) {
            char path[48];

            snprintf(path, sizeof path, "service_ids.%zu", k);
            tzk_service_id(c, path, &rcpt[k]);
        }
        e = zk_verify_group_send_token(sp, tok, tlen, rcpt, nr, (uint64_t)tzk_int(c, "now"));
        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\ngroup send case failed: %s\n", tzk_str(c, "name"));
        if (!want)
            CU_ASSERT_TRUE(e == E_UNAUTHORIZED || e == E_BAD_REQUEST);
        free(tok);
    }
    CU_ASSERT_EQUAL(passed, n);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_group_send_malformed(void)
{
    struct json_object *v = tzk_load("zkgroup-groupsend.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    struct zk_service_id r;
    uint8_t *tok;
    size_t tlen;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    tok = tzk_hex(v, "full_token_single_member", &tlen);
    CU_ASSERT_EQUAL_FATAL(tlen, ZK_GROUP_SEND_TOKEN_LEN);
    tzk_service_id(v, "verification_cases.9.service_ids.0", &r);
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen, &r, 1, 1770724800), E_OK);
    /* empty recipient list (identity sum) */
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen, &r, 0, 1770724800), E_UNAUTHORIZED);
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen - 1, &r, 1, 1770724800),
                    E_BAD_REQUEST);
    tok[0] = 1;
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen, &r, 1, 1770724800), E_BAD_REQUEST);
    tok[0] = 0;
    tok[1] = 15;    /* Vec length 15: the layout no longer adds up */
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen, &r, 1, 1770724800), E_BAD_REQUEST);
    tok[1] = 16;
    r.kind = 2;
    CU_ASSERT_EQUAL(zk_verify_group_send_token(sp, tok, tlen, &r, 1, 1770724800), E_BAD_REQUEST);
    free(tok);
    zk_server_secret_free(sp);
    json_object_put(v);
}

void
tzk_register_groupsend(void)
{
    CU_pSuite s = CU_add_suite("zk_groupsend", NULL, NULL);

    CU_add_test(s, "group_send_derived_keys", test_group_send_derived_keys);
    CU_add_test(s, "group_send_verification_cases", test_group_send_verification_cases);
    CU_add_test(s, "group_send_malformed", test_group_send_malformed);
}
