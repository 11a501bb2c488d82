/* Tests for shared/crypto/hpke.c against hpke.json: byte-exact createdAtCiphertext for fixed
 * ephemeral keys, and opening libsignal's own sealed value (plus its failure cases). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/ec.h"
#include "crypto/hpke.h"
#include "test_cx_util.h"

static struct json_object *vec;
static const char info[] = "deviceCreatedAt";

static int
suite_init(void)
{
    vec = tcx_load("hpke.json");
    return vec == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    json_object_put(vec);
    return 0;
}

static void
test_keys_and_info(void)
{
    uint8_t priv[32], pub[33];

    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, "aci_identity_private_key", priv, 32));
    cx_ec_pubkey_derive(priv, pub);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, "aci_identity_public_key", pub, 33));
    CU_ASSERT_TRUE(tcx_eq_hex(vec, "info", (const uint8_t *)info, sizeof(info) - 1));
}

static void
test_explicit_ephemeral(void)
{
    size_t n = tcx_len(vec, "explicit_ephemeral_cases.cases");
    uint8_t priv[32], pub[33];
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, "aci_identity_private_key", priv, 32));
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, "aci_identity_public_key", pub, 33));
    for (size_t i = 0; i < n; i++) {
        uint8_t eph[32], out[CX_HPKE_DEVICE_CREATED_LEN], pt[8], aad[5], epk[33];
        int64_t created;
        uint32_t reg;
        uint8_t dev;

        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.ephemeral_private_key", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, eph, 32));
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.created_at_ms", i);
        created = tcx_int(vec, p);
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.device_id", i);
        dev = (uint8_t)tcx_int(vec, p);
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.registration_id", i);
        reg = (uint32_t)tcx_int(vec, p);
        CU_ASSERT_EQUAL_FATAL(cx_hpke_seal_device_created(pub, dev, reg, created, eph, out), 0);
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.expected_ciphertext", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, out, sizeof(out)));
        cx_ec_pubkey_derive(eph, epk);
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.intermediates.pkE", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, epk + 1, 32));

        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.aad", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, aad, 5));
        CU_ASSERT_EQUAL_FATAL(cx_hpke_open(priv, out, sizeof(out), (const uint8_t *)info,
                                           sizeof(info) - 1, aad, 5, pt), 8);
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.plaintext", i);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, pt, 8));
        snprintf(p, sizeof(p), "explicit_ephemeral_cases.cases.%zu.libsignal_open", i);
        CU_ASSERT_STRING_EQUAL(tcx_str(vec, p), "ok");
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
}

static void
test_libsignal_open_cases(void)
{
    size_t n = tcx_len(vec, "libsignal_sealed.open_cases");
    uint8_t priv[32], aad[5];
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, "aci_identity_private_key", priv, 32));
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, "libsignal_sealed.aad", aad, 5));
    for (size_t i = 0; i < n; i++) {
        uint8_t *ct, pt[64], a[5];
        const char *name, *result, *inf = info;
        size_t ct_len;
        long got;

        memcpy(a, aad, 5);
        snprintf(p, sizeof(p), "libsignal_sealed.open_cases.%zu.name", i);
        name = tcx_str(vec, p);
        snprintf(p, sizeof(p), "libsignal_sealed.open_cases.%zu.ciphertext", i);
        ct = tcx_hex(vec, p, &ct_len);
        snprintf(p, sizeof(p), "libsignal_sealed.open_cases.%zu.result", i);
        result = tcx_str(vec, p);
        /* the file names the altered input; the ciphertext is unchanged for these two */
        if (strstr(name, "wrong aad") != NULL)
            a[0] ^= 0x07;
        if (strstr(name, "wrong info") != NULL)
            inf = "deviceCreatedAt2";
        got = cx_hpke_open(priv, ct, ct_len, (const uint8_t *)inf, strlen(inf), a, 5, pt);
        if (strncmp(result, "ok:", 3) == 0) {
            CU_ASSERT_EQUAL_FATAL(got, 8);
            CU_ASSERT_STRING_EQUAL(tcx_tohex(pt, 8), result + 3);
            CU_ASSERT_TRUE(tcx_eq_hex(vec, "libsignal_sealed.plaintext", pt, 8));
        } else {
            CU_ASSERT_STRING_EQUAL(result, "error");
            CU_ASSERT_EQUAL(got, -1);
        }
        free(ct);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 5);
}

static void
test_random_roundtrip(void)
{
    uint8_t priv[32], pub[33], a[CX_HPKE_DEVICE_CREATED_LEN], b[CX_HPKE_DEVICE_CREATED_LEN];
    uint8_t aad[5] = { 3, 0, 0, 0x30, 0x39 }, pt[8], bad[33];

    cx_ec_keypair_new(priv, pub);
    CU_ASSERT_EQUAL_FATAL(cx_hpke_seal_device_created(pub, 3, 12345, 1770724800000, NULL, a), 0);
    CU_ASSERT_EQUAL_FATAL(cx_hpke_seal_device_created(pub, 3, 12345, 1770724800000, NULL, b), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);   /* fresh ephemeral keys */
    CU_ASSERT_EQUAL(cx_hpke_open(priv, a, sizeof(a), (const uint8_t *)info, sizeof(info) - 1, aad,
                                 5, pt), 8);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(pt, 8), "0000019c476c3600");
    CU_ASSERT_EQUAL(cx_hpke_open(priv, a, sizeof(a) - 1, (const uint8_t *)info, sizeof(info) - 1,
                                 aad, 5, pt), -1);
    CU_ASSERT_EQUAL(cx_hpke_open(priv, a, 48, (const uint8_t *)info, sizeof(info) - 1, aad, 5,
                                 pt), -1);
    memcpy(bad, pub, 33);
    bad[0] = 0x06;
    CU_ASSERT_EQUAL(cx_hpke_seal_device_created(bad, 3, 12345, 0, NULL, a), -1);
    memset(bad + 1, 0, 32);             /* u = 0: all-zero shared secret */
    bad[0] = 0x05;
    CU_ASSERT_EQUAL(cx_hpke_seal_device_created(bad, 3, 12345, 0, NULL, a), -1);
}

void
tcx_register_hpke(void)
{
    CU_pSuite s = CU_add_suite("hpke", suite_init, suite_clean);

    CU_add_test(s, "keys_and_info", test_keys_and_info);
    CU_add_test(s, "explicit_ephemeral", test_explicit_ephemeral);
    CU_add_test(s, "libsignal_open_cases", test_libsignal_open_cases);
    CU_add_test(s, "random_roundtrip", test_random_roundtrip);
}
