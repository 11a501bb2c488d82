/* Tests for zk_issue_expiring_profile_key_credential against zkgroup-profile.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkgroup.h"
#include "test_zk_util.h"

static void
test_profile_issuance(void)
{
    struct json_object *v = tzk_load("zkgroup-profile.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    uint8_t aci[16], other[16], rnd[32], *req, *com, *out = NULL;
    size_t req_len, com_len, out_len = 0;
    uint64_t exp;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_TRUE_FATAL(tzk_uuid(v, "aci", aci));
    CU_ASSERT_TRUE_FATAL(tzk_uuid(v, "issuance_for_other_aci.aci", other));
    CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, "issuance.randomness", rnd, 32));
    exp = (uint64_t)tzk_int(v, "issuance.credential_expiration_time");
    req = tzk_hex(v, "credential_request", &req_len);
    com = tzk_hex(v, "profile_key_commitment", &com_len);
    CU_ASSERT_EQUAL(req_len, ZK_PROFILE_KEY_CREDENTIAL_REQUEST_LEN);
    CU_ASSERT_EQUAL(zk_check_profile_key_commitment(com, com_len), E_OK);
    CU_ASSERT_EQUAL(zk_issue_expiring_profile_key_credential(sp, req, req_len, com, com_len, aci,
                                                             exp, rnd, &out, &out_len), E_OK);
    CU_ASSERT_EQUAL(out_len, ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN);
    CU_ASSERT_TRUE(tzk_eq_hex(v, "issuance.expected_response", out, out_len));
    free(out);
    CU_ASSERT_EQUAL(zk_issue_expiring_profile_key_credential(sp, req, req_len, com, com_len,
                                                             other, exp, rnd, &out, &out_len),
                    E_OK);
    CU_ASSERT_TRUE(tzk_eq_hex(v, "issuance_for_other_aci.expected_response", out, out_len));
    free(out);

    /* unparseable inputs */
    CU_ASSERT_EQUAL(zk_check_profile_key_commitment(com, com_len - 1), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(zk_issue_expiring_profile_key_credential(sp, req, req_len - 1, com, com_len,
                                                             aci, exp, rnd, &out, &out_len),
                    E_BAD_REQUEST);
    CU_ASSERT_PTR_NULL(out);
    req[0] = 1;
    CU_ASSERT_EQUAL(zk_issue_expiring_profile_key_credential(sp, req, req_len, com, com_len, aci,
                                                             exp, rnd, &out, &out_len),
                    E_BAD_REQUEST);
    req[0] = 0;
    req[168] ^= 0x01;   /* proof Vec length 160 -> 161 */
    CU_ASSERT_EQUAL(zk_issue_expiring_profile_key_credential(sp, req, req_len, com, com_len, aci,
                                                             exp, rnd, &out, &out_len),
                    E_BAD_REQUEST);
    req[168] ^= 0x01;
    com[0] = 1;
    CU_ASSERT_EQUAL(zk_check_profile_key_commitment(com, com_len), E_BAD_REQUEST);
    free(req);
    free(com);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_profile_request_verdicts(void)
{
    struct json_object *v = tzk_load("zkgroup-profile.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    struct json_object *cases = tzk_get(v, "request_verification_cases");
    uint8_t aci[16], rnd[32] = {7};
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    CU_ASSERT_TRUE_FATAL(tzk_uuid(v, "aci", aci));
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 6);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        size_t req_len, com_len, out_len;
        uint8_t *req = tzk_hex(c, "request", &req_len), *com = tzk_hex(c, "commitment", &com_len);
        uint8_t *out = NULL;
        bool want = strcmp(tzk_str(c, "expected"), "issued") == 0;
        enum err e = zk_issue_expiring_profile_key_credential(sp, req, req_len, com, com_len, aci,
                                                              1771286400, rnd, &out, &out_len);

        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\nprofile case failed: %s\n", tzk_str(c, "name"));
        free(out);
        free(req);
        free(com);
    }
    CU_ASSERT_EQUAL(passed, n);
    zk_server_secret_free(sp);
    json_object_put(v);
}

void
tzk_register_profile(void)
{
    CU_pSuite s = CU_add_suite("zk_profile", NULL, NULL);

    CU_add_test(s, "profile_issuance", test_profile_issuance);
    CU_add_test(s, "profile_request_verdicts", test_profile_request_verdicts);
}
