/* Tests for receipt credential issuance and presentation verification (zkgroup-receipt.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkgroup.h"
#include "test_zk_util.h"

static void
test_receipt_issuance(void)
{
    struct json_object *v = tzk_load("zkgroup-receipt.json");
    struct zk_server_secret *sp = tzk_server_params(0);
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    for (int i = 0; i < 3; i++) {
        char path[96];
        uint8_t rnd[32], *req, *out = NULL;
        size_t req_len, out_len = 0;
        uint64_t exp, level;

        snprintf(path, sizeof path, "flows.%d.issue_randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, rnd, 32));
        snprintf(path, sizeof path, "flows.%d.receipt_expiration_time", i);
        exp = (uint64_t)tzk_int(v, path);
        snprintf(path, sizeof path, "flows.%d.receipt_level", i);
        level = tzk_u64(v, path);
        snprintf(path, sizeof path, "flows.%d.receipt_credential_request", i);
        req = tzk_hex(v, path, &req_len);
        CU_ASSERT_EQUAL(req_len, ZK_RECEIPT_CREDENTIAL_REQUEST_LEN);
        CU_ASSERT_EQUAL(zk_issue_receipt_credential(sp, req, req_len, exp, level, rnd, &out,
                                                    &out_len), E_OK);
        CU_ASSERT_EQUAL(out_len, ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN);
        snprintf(path, sizeof path, "flows.%d.expected_response", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, out, out_len));
        free(out);
        CU_ASSERT_EQUAL(zk_issue_receipt_credential(sp, req, req_len - 1, exp, level, rnd,
                                                    &out, &out_len), E_BAD_REQUEST);
        req[0] = 1;
        CU_ASSERT_EQUAL(zk_issue_receipt_credential(sp, req, req_len, exp, level, rnd, &out,
                                                    &out_len), E_BAD_REQUEST);
        CU_ASSERT_PTR_NULL(out);
        free(req);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 3);
    zk_server_secret_free(sp);
    json_object_put(v);
}

static void
test_receipt_presentation_verdicts(void)
{
    struct json_object *v = tzk_load("zkgroup-receipt.json");
    struct zk_server_secret *sp = tzk_server_params(0), *other = tzk_server_params(1);
    struct json_object *cases = tzk_get(v, "presentation_verification_cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 30);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        size_t len;
        uint8_t *p = tzk_hex(c, "presentation", &len), serial[16];
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        uint64_t exp = 0, level = 0;
        enum err e = zk_verify_receipt_presentation(sp, p, len, &exp, &level, serial);

        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\nreceipt case failed: %s %s\n", tzk_str(c, "flow"),
                    tzk_str(c, "name"));
        if (want && e == E_OK) {
            /* fields of the matching flow */
            int flow = tzk_str(c, "flow")[8] - '0';
            char path[96];

            snprintf(path, sizeof path, "flows.%d.receipt_expiration_time", flow);
            CU_ASSERT_EQUAL(exp, (uint64_t)tzk_int(v, path));
            snprintf(path, sizeof path, "flows.%d.receipt_level", flow);
            CU_ASSERT_EQUAL(level, tzk_u64(v, path));
            snprintf(path, sizeof path, "flows.%d.receipt_serial", flow);
            CU_ASSERT_TRUE(tzk_eq_hex(v, path, serial, 16));
            /* the same presentation under other server params */
            CU_ASSERT_EQUAL(zk_verify_receipt_presentation(other, p, len, &exp, &level, serial),
                            E_UNAUTHORIZED);
        }
        free(p);
    }
    CU_ASSERT_EQUAL(passed, n);
    zk_server_secret_free(sp);
    zk_server_secret_free(other);
    json_object_put(v);
}

void
tzk_register_receipt(void)
{
    CU_pSuite s = CU_add_suite("zk_receipt", NULL, NULL);

    CU_add_test(s, "receipt_issuance", test_receipt_issuance);
    CU_add_test(s, "receipt_presentation_verdicts", test_receipt_presentation_verdicts);
}
