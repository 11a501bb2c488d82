/* Tests for backup auth credentials, presentations and signatures (zkgroup-backup.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkgroup.h"
#include "test_zk_util.h"

static struct zk_generic_secret *
tzk_backup_params(int which)
{
    struct json_object *v = tzk_load("zkgroup-params.json");
    char path[96];
    struct zk_generic_secret *gp;

    snprintf(path, sizeof path, "generic_server_params.%d.generic_server_secret_params", which);
    gp = tzk_generic_params(v, path);
    json_object_put(v);
    return gp;
}

static void
test_backup_issuance(void)
{
    struct json_object *v = tzk_load("zkgroup-backup.json");
    struct zk_generic_secret *gp = tzk_backup_params(1);
    uint8_t *req;
    size_t req_len;
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
    req = tzk_hex(v, "backup_auth_credential_request", &req_len);
    CU_ASSERT_EQUAL(zk_check_backup_auth_request(req, req_len), E_OK);
    CU_ASSERT_EQUAL(zk_check_backup_auth_request(req, req_len - 1), E_BAD_REQUEST);
    for (int i = 0; i < 2; i++) {
        char path[96];
        uint8_t rnd[32], *out = NULL;
        size_t out_len = 0;
        uint64_t t, level, type;

        snprintf(path, sizeof path, "issuance.%d.randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, rnd, 32));
        snprintf(path, sizeof path, "issuance.%d.redemption_time", i);
        t = tzk_u64(v, path);
        snprintf(path, sizeof path, "issuance.%d.backup_level", i);
        level = tzk_u64(v, path);
        snprintf(path, sizeof path, "issuance.%d.credential_type", i);
        type = tzk_u64(v, path);
        CU_ASSERT_EQUAL(zk_issue_backup_auth_credential(gp, req, req_len, t, level, type, rnd,
                                                        &out, &out_len), E_OK);
        CU_ASSERT_EQUAL(out_len, ZK_BACKUP_AUTH_RESPONSE_LEN);
        snprintf(path, sizeof path, "issuance.%d.expected_response", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, out, out_len));
        free(out);
        CU_ASSERT_EQUAL(zk_issue_backup_auth_credential(gp, req, req_len, t, 199, type, rnd,
                                                        &out, &out_len), E_BAD_REQUEST);
        CU_ASSERT_EQUAL(zk_issue_backup_auth_credential(gp, req, req_len, t, level, 3, rnd,
                                                        &out, &out_len), E_BAD_REQUEST);
        CU_ASSERT_PTR_NULL(out);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    free(req);
    zk_generic_secret_free(gp);
    json_object_put(v);
}

static void
test_backup_presentation_verdicts(void)
{
    struct json_object *v = tzk_load("zkgroup-backup.json");
    struct zk_generic_secret *gp = tzk_backup_params(1), *other = tzk_backup_params(0);
    struct json_object *cases = tzk_get(v, "presentation.verification_cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 12);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        struct zk_backup_auth auth;
        size_t len;
        uint8_t *p = tzk_hex(c, "presentation", &len);
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        const struct zk_generic_secret *key = tzk_get(c, "params") != NULL ? other : gp;
        enum err e = zk_verify_backup_presentation(key, p, len, tzk_u64(c, "now"), &auth);

        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\nbackup case failed: %s\n", tzk_str(c, "name"));
        if (e == E_OK) {
            CU_ASSERT_TRUE(tzk_eq_hex(v, "presentation.fields.backup_id", auth.backup_id, 16));
            CU_ASSERT_EQUAL(auth.level, tzk_u64(v, "presentation.fields.backup_level"));
            CU_ASSERT_EQUAL(auth.credential_type, tzk_u64(v, "presentation.fields.credential_type"));
        }
        free(p);
    }
    CU_ASSERT_EQUAL(passed, n);
    zk_generic_secret_free(gp);
    zk_generic_secret_free(other);
    json_object_put(v);
}

static void
test_backup_signature_verdicts(void)
{
    struct json_object *v = tzk_load("zkgroup-backup.json");
    struct json_object *cases = tzk_get(v, "signature_check.cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 5);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        uint8_t pub[33];
        size_t mlen, slen;
        uint8_t *msg = tzk_hex(c, "message", &mlen), *sig = tzk_hex(c, "signature", &slen);
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        enum err e;

        CU_ASSERT_TRUE(tzk_hex_fixed(c, "public_key", pub, 33));
        e = zk_verify_backup_signature(pub, msg, mlen, sig, slen);
        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\nbackup signature case failed: %s\n", tzk_str(c, "name"));
        if (want)
            CU_ASSERT_EQUAL(zk_verify_backup_signature(pub, msg, mlen, sig, slen - 1),
                            E_UNAUTHORIZED);
        free(msg);
        free(sig);
    }
    CU_ASSERT_EQUAL(passed, n);
    json_object_put(v);
}

void
tzk_register_backup(void)
{
    CU_pSuite s = CU_add_suite("zk_backup", NULL, NULL);

    CU_add_test(s, "backup_issuance", test_backup_issuance);
    CU_add_test(s, "backup_presentation_verdicts", test_backup_presentation_verdicts);
    CU_add_test(s, "backup_signature_verdicts", test_backup_signature_verdicts);
}
