/* Tests for shared/crypto/{ec,xeddsa}.c against xeddsa.json: key encodings, clamping, libsignal
 * signatures, explicit-nonce signatures (byte-exact) and the edge-case verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/ec.h"
#include "crypto/xeddsa.h"
#include "test_cx_util.h"

static struct json_object *vec;

static int
suite_init(void)
{
    vec = tcx_load("xeddsa.json");
    return vec == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    json_object_put(vec);
    return 0;
}

static void
test_keys(void)
{
    size_t n = tcx_len(vec, "keys");
    char p[128];

    CU_ASSERT_EQUAL(n, 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t k[32], pub[33];

        snprintf(p, sizeof(p), "keys.%zu.private_key_input", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, k, 32));
        cx_ec_privkey_clamp(k);
        snprintf(p, sizeof(p), "keys.%zu.private_key_serialized_clamped", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, k, 32));
        cx_ec_pubkey_derive(k, pub);
        snprintf(p, sizeof(p), "keys.%zu.public_key", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, pub, 33));
    }
}

static void
test_clamping(void)
{
    size_t n = tcx_len(vec, "private_key_clamping.cases");
    char p[128];

    CU_ASSERT_EQUAL(n, 2);
    for (size_t i = 0; i < n; i++) {
        uint8_t k[32], pub[33];

        snprintf(p, sizeof(p), "private_key_clamping.cases.%zu.input", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, k, 32));
        /* derivation clamps by itself, before and after explicit clamping alike */
        cx_ec_pubkey_derive(k, pub);
        snprintf(p, sizeof(p), "private_key_clamping.cases.%zu.public_key", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, pub, 33));
        cx_ec_privkey_clamp(k);
        snprintf(p, sizeof(p), "private_key_clamping.cases.%zu.serialized", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, k, 32));
    }
}

static void
test_libsignal_signatures(void)
{
    size_t n = tcx_len(vec, "libsignal_signatures");
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 16);
    for (size_t i = 0; i < n; i++) {
        uint8_t pub[33], sig[64], *raw, *msg;
        size_t raw_len, msg_len;
        bool want;

        snprintf(p, sizeof(p), "libsignal_signatures.%zu.public_key", i);
        raw = tcx_hex(vec, p, &raw_len);
        CU_ASSERT_EQUAL_FATAL(cx_ec_pubkey_parse(raw, raw_len, pub), 0);
        snprintf(p, sizeof(p), "libsignal_signatures.%zu.message", i);
        msg = tcx_hex(vec, p, &msg_len);
        snprintf(p, sizeof(p), "libsignal_signatures.%zu.signature", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, sig, 64));
        snprintf(p, sizeof(p), "libsignal_signatures.%zu.expected", i);
        want = strcmp(tcx_str(vec, p), "valid") == 0;
        snprintf(p, sizeof(p), "libsignal_signatures.%zu.signature_sign_bit", i);
        CU_ASSERT_EQUAL(sig[63] >> 7, tcx_int(vec, p));
        CU_ASSERT_EQUAL(cx_xeddsa_verify(pub, msg, msg_len, sig), want);
        /* the same signature must fail for a one-byte-longer message */
        msg = realloc(msg, msg_len + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        msg[msg_len] = 0;
        CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, msg_len + 1, sig));
        free(raw);
        free(msg);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 16);
}

static void
test_explicit_nonce_signatures(void)
{
    size_t n = tcx_len(vec, "explicit_nonce_signatures.cases");
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 12);
    for (size_t i = 0; i < n; i++) {
        uint8_t priv[32], pub[33], z[64], sig[64], *msg;
        size_t msg_len;

        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.private_key", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, priv, 32));
        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.public_key", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, pub, 33));
        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.Z", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, z, 64));
        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.message", i);
        msg = tcx_hex(vec, p, &msg_len);
        cx_xeddsa_sign_with_nonce(priv, msg, msg_len, z, sig);
        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.expected_signature", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, sig, 64));
        snprintf(p, sizeof(p), "explicit_nonce_signatures.cases.%zu.libsignal_verify", i);
        CU_ASSERT_STRING_EQUAL(tcx_str(vec, p), "valid");
        CU_ASSERT_TRUE(cx_xeddsa_verify(pub, msg, msg_len, sig));
        free(msg);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 12);
}

static void
test_verification_cases(void)
{
    size_t n = tcx_len(vec, "verification_cases");
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 12);
    for (size_t i = 0; i < n; i++) {
        uint8_t pub[33], *raw, *msg, *sig;
        size_t raw_len, msg_len, sig_len;
        bool want, got;

        snprintf(p, sizeof(p), "verification_cases.%zu.public_key", i);
        raw = tcx_hex(vec, p, &raw_len);
        CU_ASSERT_EQUAL_FATAL(cx_ec_pubkey_parse(raw, raw_len, pub), 0);
        snprintf(p, sizeof(p), "verification_cases.%zu.message", i);
        msg = tcx_hex(vec, p, &msg_len);
        snprintf(p, sizeof(p), "verification_cases.%zu.signature", i);
        sig = tcx_hex(vec, p, &sig_len);
        snprintf(p, sizeof(p), "verification_cases.%zu.expected", i);
        want = strcmp(tcx_str(vec, p), "valid") == 0;
        got = cx_xeddsa_verify_len(pub, msg, msg_len, sig, sig_len);
        if (got != want) {
            snprintf(p, sizeof(p), "verification_cases.%zu.name", i);
            fprintf(stderr, "\nverdict mismatch: %s\n", tcx_str(vec, p));
        }
        CU_ASSERT_EQUAL(got, want);
        free(raw);
        free(msg);
        free(sig);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 12);
}

static void
test_public_key_encodings(void)
{
    size_t n = tcx_len(vec, "public_key_encoding_cases");
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 6);
    for (size_t i = 0; i < n; i++) {
        uint8_t out[33], *raw;
        size_t raw_len;
        bool want;
        int rc;

        snprintf(p, sizeof(p), "public_key_encoding_cases.%zu.input", i);
        raw = tcx_hex(vec, p, &raw_len);
        snprintf(p, sizeof(p), "public_key_encoding_cases.%zu.accepted", i);
        want = tcx_bool(vec, p);
        memset(out, 0xee, sizeof(out));
        rc = cx_ec_pubkey_parse(raw_len == 0 ? NULL : raw, raw_len, out);
        CU_ASSERT_EQUAL(rc == 0, want);
        if (want) {
            snprintf(p, sizeof(p), "public_key_encoding_cases.%zu.reserialized", i);
            CU_ASSERT_TRUE(tcx_eq_hex(vec, p, out, 33));
        }
        /* the same bytes through a non-NULL pointer give the same verdict */
        CU_ASSERT_EQUAL(cx_ec_pubkey_parse(raw, raw_len, out) == 0, want);
        free(raw);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 6);
}

static void
test_sign_verify_roundtrip(void)
{
    uint8_t priv[32], pub[33], sig[64], other[33];
    static const uint8_t msg[] = "heliograph";
    int sign_bits = 0;

    for (int i = 0; i < 16; i++) {
        cx_ec_keypair_new(priv, pub);
        CU_ASSERT_EQUAL(priv[0] & 7, 0);
        CU_ASSERT_EQUAL(priv[31] & 0xc0, 0x40);
        cx_xeddsa_sign(priv, msg, sizeof(msg), sig);
        sign_bits |= 1 << (sig[63] >> 7);
        CU_ASSERT_TRUE(cx_xeddsa_verify(pub, msg, sizeof(msg), sig));
        CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, sizeof(msg) - 1, sig));
        sig[63] ^= 0x80;
        CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, sizeof(msg), sig));
        sig[63] ^= 0x80;
        memcpy(other, pub, 33);
        other[0] = 0x06;
        CU_ASSERT_FALSE(cx_xeddsa_verify(other, msg, sizeof(msg), sig));
        CU_ASSERT_FALSE(cx_xeddsa_verify_len(pub, msg, sizeof(msg), sig, 63));
    }
    /* 16 random keys with the same sign bit is a 2^-15 event: both branches were exercised */
    CU_ASSERT_EQUAL(sign_bits, 3);
}

static void
test_degenerate_keys(void)
{
    /* u = p - 1 (-1 mod p) has no Edwards image; u = 0 and u = 1 do not yield usable keys */
    uint8_t pub[33] = { 0x05 }, sig[64] = { 0 };
    static const uint8_t msg[1] = { 0 };

    memset(pub + 1, 0xff, 32);
    pub[1] = 0xec;
    pub[32] = 0x7f;
    CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, 1, sig));
    memset(pub + 1, 0, 32);
    CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, 1, sig));
    pub[1] = 1;
    CU_ASSERT_FALSE(cx_xeddsa_verify(pub, msg, 1, sig));
}

void
tcx_register_xeddsa(void)
{
    CU_pSuite s = CU_add_suite("xeddsa", suite_init, suite_clean);

    CU_add_test(s, "keys", test_keys);
    CU_add_test(s, "clamping", test_clamping);
    CU_add_test(s, "libsignal_signatures", test_libsignal_signatures);
    CU_add_test(s, "explicit_nonce_signatures", test_explicit_nonce_signatures);
    CU_add_test(s, "verification_cases", test_verification_cases);
    CU_add_test(s, "public_key_encodings", test_public_key_encodings);
    CU_add_test(s, "sign_verify_roundtrip", test_sign_verify_roundtrip);
    CU_add_test(s, "degenerate_keys", test_degenerate_keys);
}
