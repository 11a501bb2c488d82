/* Tests for zk_issue_auth_credential_* (shared/crypto/zkgroup.c) against zkgroup-auth.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkgroup.h"
#include "crypto/zkgroup_attr.h"
#include "test_zk_util.h"

static void
test_auth_issuance_with_pni(void)
{
    struct json_object *v = tzk_load("zkgroup-auth.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    for (int i = 0; i < 2; i++) {
        char path[96];
        uint8_t aci[16], pni_sid[17], rnd[32];
        uint8_t *out = NULL;
        size_t out_len = 0;
        uint64_t t;

        snprintf(path, sizeof path, "issuance.%d.aci_service_id_binary", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, aci, 16));
        snprintf(path, sizeof path, "issuance.%d.pni_service_id_binary", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, pni_sid, 17));
        CU_ASSERT_EQUAL(pni_sid[0], 0x01);
        snprintf(path, sizeof path, "issuance.%d.randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, rnd, 32));
        snprintf(path, sizeof path, "issuance.%d.redemption_time", i);
        t = (uint64_t)tzk_int(v, path);
        CU_ASSERT_EQUAL(zk_issue_auth_credential_with_pni(sp, aci, pni_sid + 1, t, rnd, &out,
                                                          &out_len), E_OK);
        CU_ASSERT_EQUAL(out_len, ZK_AUTH_CREDENTIAL_RESPONSE_LEN);
        snprintf(path, sizeof path, "issuance.%d.expected_response", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, out, out_len));
        free(out);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_auth_issuance_without_pni(void)
{
    struct json_object *v = tzk_load("zkgroup-auth.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    uint8_t aci[16], rnd[32];
    uint8_t *salt, *out = NULL;
    size_t salt_len, out_len = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, "issuance.0.aci_service_id_binary", aci, 16));
    CU_ASSERT_STRING_EQUAL(tzk_str(v, "issuance_without_pni.aci"), tzk_str(v, "issuance.0.aci"));
    CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, "issuance_without_pni.randomness", rnd, 32));
    salt = tzk_hex(v, "issuance_without_pni.auth_credential_salt", &salt_len);
    CU_ASSERT_EQUAL(zk_issue_auth_credential_without_pni(
                        sp, aci, salt, salt_len,
                        (uint64_t)tzk_int(v, "issuance_without_pni.redemption_time"), rnd, &out,
                        &out_len), E_OK);
    CU_ASSERT_TRUE(tzk_eq_hex(v, "issuance_without_pni.expected_response", out, out_len));
    free(out);
    /* a different salt gives a different credential (the client would reject it) */
    salt[0] ^= 1;
    CU_ASSERT_EQUAL(zk_issue_auth_credential_without_pni(
                        sp, aci, salt, salt_len,
                        (uint64_t)tzk_int(v, "issuance_without_pni.redemption_time"), rnd, &out,
                        &out_len), E_OK);
    CU_ASSERT_TRUE(tzk_ne_hex(v, "issuance_without_pni.expected_response", out, out_len));
    free(out);
    free(salt);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_lizard_kat(void)
{
    uint8_t zero[16] = {0}, p[32];

    zkgroup_attr_lizard(zero, p);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(p, 32),
        "f0b7e34484f74cf00f15024b738539738646bbbe1e9bc7509a676815227e774f");
}

void
tzk_register_auth(void)
{
    CU_pSuite s = CU_add_suite("zk_auth", NULL, NULL);

    CU_add_test(s, "lizard_kat", test_lizard_kat);
    CU_add_test(s, "auth_issuance_with_pni", test_auth_issuance_with_pni);
    CU_add_test(s, "auth_issuance_without_pni", test_auth_issuance_without_pni);
}
