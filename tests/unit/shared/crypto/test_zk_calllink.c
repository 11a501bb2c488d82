/* Tests for the call-link credentials in shared/crypto/zkgroup.c against zkgroup-calllink.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkgroup.h"
#include "test_zk_util.h"

static void
test_call_link_auth(void)
{
    struct json_object *v = tzk_load("zkgroup-calllink.json");
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 2; i++) {
        char path[128];
        struct zk_generic_secret *gp;
        uint8_t aci[16], rnd[32], *out = NULL;
        size_t out_len = 0;

        snprintf(path, sizeof path, "modes.%d.generic_server_secret_params", i);
        gp = tzk_generic_params(v, path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
        CU_ASSERT_EQUAL(gp->key.mode, (enum zk_generic_mode)i);
        snprintf(path, sizeof path, "modes.%d.call_link_auth_credential.aci", i);
        CU_ASSERT_TRUE_FATAL(tzk_uuid(v, path, aci));
        snprintf(path, sizeof path, "modes.%d.call_link_auth_credential.randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, rnd, 32));
        snprintf(path, sizeof path, "modes.%d.call_link_auth_credential.redemption_time", i);
        CU_ASSERT_EQUAL(zk_issue_call_link_auth_credential(gp, aci, (uint64_t)tzk_int(v, path),
                                                           rnd, &out, &out_len), E_OK);
        CU_ASSERT_EQUAL(out_len, ZK_CALL_LINK_AUTH_RESPONSE_LEN);
        snprintf(path, sizeof path, "modes.%d.call_link_auth_credential.expected_response", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, out, out_len));
        free(out);
        zk_generic_secret_free(gp);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    json_object_put(v);
}

static void
test_create_call_link(void)
{
    struct json_object *v = tzk_load("zkgroup-calllink.json");
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 2; i++) {
        char path[128];
        struct zk_generic_secret *gp;
        uint8_t aci[16], rnd[32], *req, *out = NULL;
        size_t req_len, out_len = 0;
        uint64_t ts;

        snprintf(path, sizeof path, "modes.%d.generic_server_secret_params", i);
        gp = tzk_generic_params(v, path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
        snprintf(path, sizeof path, "modes.%d.create_call_link_credential.aci", i);
        CU_ASSERT_TRUE_FATAL(tzk_uuid(v, path, aci));
        snprintf(path, sizeof path, "modes.%d.create_call_link_credential.randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, rnd, 32));
        snprintf(path, sizeof path, "modes.%d.create_call_link_credential.timestamp", i);
        ts = (uint64_t)tzk_int(v, path);
        snprintf(path, sizeof path, "modes.%d.create_call_link_credential.request", i);
        req = tzk_hex(v, path, &req_len);
        CU_ASSERT_EQUAL_FATAL(req_len, ZK_CREATE_CALL_LINK_REQUEST_LEN);
        CU_ASSERT_EQUAL(zk_issue_create_call_link_credential(gp, req, req_len, aci, ts, rnd,
                                                             &out, &out_len), E_OK);
        CU_ASSERT_EQUAL(out_len, ZK_CREATE_CALL_LINK_RESPONSE_LEN);
        snprintf(path, sizeof path, "modes.%d.create_call_link_credential.expected_response", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, out, out_len));
        free(out);

        /* unparseable requests */
        CU_ASSERT_EQUAL(zk_issue_create_call_link_credential(gp, req, req_len - 1, aci, ts, rnd,
                                                             &out, &out_len), E_BAD_REQUEST);
        CU_ASSERT_PTR_NULL(out);
        req[0] = 1;
        CU_ASSERT_EQUAL(zk_issue_create_call_link_credential(gp, req, req_len, aci, ts, rnd,
                                                             &out, &out_len), E_BAD_REQUEST);
        req[0] = 0;
        memset(req + 1, 0xff, 32);
        CU_ASSERT_EQUAL(zk_issue_create_call_link_credential(gp, req, req_len, aci, ts, rnd,
                                                             &out, &out_len), E_BAD_REQUEST);
        /* identity blinded point: unusual but decodes, so libsignal would issue */
        memset(req + 1, 0, 32);
        CU_ASSERT_EQUAL(zk_issue_create_call_link_credential(gp, req, req_len, aci, ts, rnd,
                                                             &out, &out_len), E_OK);
        free(out);
        free(req);
        zk_generic_secret_free(gp);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    json_object_put(v);
}

void
tzk_register_calllink(void)
{
    CU_pSuite s = CU_add_suite("zk_calllink", NULL, NULL);

    CU_add_test(s, "call_link_auth", test_call_link_auth);
    CU_add_test(s, "create_call_link", test_create_call_link);
}
