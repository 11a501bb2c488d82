/* Tests for shared/crypto/kem.c against kem.json: KEM key deserialization verdicts and the
 * signed-prekey signature rule (type byte included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/ec.h"
#include "crypto/kem.h"
#include "test_cx_util.h"

static struct json_object *vec;

static int
suite_init(void)
{
    vec = tcx_load("kem.json");
    return vec == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    json_object_put(vec);
    return 0;
}

static void
test_kyber_keys(void)
{
    size_t n = tcx_len(vec, "kyber_public_keys");
    char p[96];

    CU_ASSERT_EQUAL(n, 2);
    for (size_t i = 0; i < n; i++) {
        uint8_t *k;
        size_t len;

        snprintf(p, sizeof(p), "kyber_public_keys.%zu.hex", i);
        k = tcx_hex(vec, p, &len);
        snprintf(p, sizeof(p), "kyber_public_keys.%zu.length", i);
        CU_ASSERT_EQUAL(len, (size_t)tcx_int(vec, p));
        CU_ASSERT_EQUAL(cx_kem_pubkey_parse(k, len), 0);
        free(k);
    }
}

/*
 * The vector gives each input by length and prefix only; rebuild it from Kyber key #0: either
 * the key without its type byte (prefix = key[1..5)), or the key with the first byte replaced by
 * the prefix's, truncated or extended with a zero byte to the stated length.
 */
static void
test_deserialization_cases(void)
{
    size_t n = tcx_len(vec, "deserialization_cases"), key_len;
    uint8_t *key = tcx_hex(vec, "kyber_public_keys.0.hex", &key_len);
    int checked = 0;
    char p[96];

    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_EQUAL_FATAL(key_len, CX_KEM_PUBLIC_LEN);
    for (size_t i = 0; i < n; i++) {
        size_t len, pre_len;
        uint8_t *pre, *in;
        bool want;

        snprintf(p, sizeof(p), "deserialization_cases.%zu.input_length", i);
        len = (size_t)tcx_int(vec, p);
        snprintf(p, sizeof(p), "deserialization_cases.%zu.input_prefix", i);
        pre = tcx_hex(vec, p, &pre_len);
        snprintf(p, sizeof(p), "deserialization_cases.%zu.accepted", i);
        want = tcx_bool(vec, p);
        in = calloc(1, len + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        if (pre_len == 4 && len == key_len - 1 && memcmp(pre, key + 1, 4) == 0) {
            memcpy(in, key + 1, len);
        } else {
            memcpy(in, key, len < key_len ? len : key_len);
            if (len > 0)
                in[0] = pre[0];
        }
        CU_ASSERT_EQUAL(memcmp(in, pre, pre_len), 0);
        CU_ASSERT_EQUAL(cx_kem_pubkey_parse(len == 0 ? NULL : in, len) == 0, want);
        CU_ASSERT_EQUAL(cx_kem_pubkey_parse(in, len) == 0, want);
        free(pre);
        free(in);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 9);
    free(key);
}

static void
test_signature_cases(void)
{
    size_t n = tcx_len(vec, "signature_cases");
    int checked = 0;
    char p[96];

    CU_ASSERT_EQUAL(n, 8);
    for (size_t i = 0; i < n; i++) {
        uint8_t id[33], *raw, *msg, *sig;
        size_t raw_len, msg_len, sig_len;
        bool want;

        snprintf(p, sizeof(p), "signature_cases.%zu.identity_key", i);
        raw = tcx_hex(vec, p, &raw_len);
        CU_ASSERT_EQUAL_FATAL(cx_ec_pubkey_parse(raw, raw_len, id), 0);
        snprintf(p, sizeof(p), "signature_cases.%zu.message", i);
        msg = tcx_hex(vec, p, &msg_len);
        snprintf(p, sizeof(p), "signature_cases.%zu.message_length", i);
        CU_ASSERT_EQUAL(msg_len, (size_t)tcx_int(vec, p));
        snprintf(p, sizeof(p), "signature_cases.%zu.signature", i);
        sig = tcx_hex(vec, p, &sig_len);
        snprintf(p, sizeof(p), "signature_cases.%zu.expected", i);
        want = strcmp(tcx_str(vec, p), "valid") == 0;
        CU_ASSERT_EQUAL(cx_prekey_signature_ok(id, msg, msg_len, sig, sig_len), want);
        free(raw);
        free(msg);
        free(sig);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 8);
}

void
tcx_register_kem(void)
{
    CU_pSuite s = CU_add_suite("kem", suite_init, suite_clean);

    CU_add_test(s, "kyber_keys", test_kyber_keys);
    CU_add_test(s, "deserialization_cases", test_deserialization_cases);
    CU_add_test(s, "signature_cases", test_signature_cases);
}
