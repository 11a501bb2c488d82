/* Tests for shared/crypto/digest.c.  Expected values were computed independently with Python's
 * hashlib/hmac from kem.json's identity key, EC signed prekey and Kyber key #0. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/digest.h"
#include "test_cx_util.h"

static void
test_known_values(void)
{
    struct json_object *v = tcx_load("kem.json");
    uint8_t id[33], spk[33], out[32], fp[4], uak[16];
    uint8_t *kyber;
    size_t kyber_len;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    cx_sha256("abc", 3, out);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(out, 32),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cx_hmac_sha256(NULL, 0, NULL, 0, out);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(out, 32),
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");

    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(v, "identity_public_key", id, 33));
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(v, "signature_cases.6.message", spk, 33));
    kyber = tcx_hex(v, "kyber_public_keys.0.hex", &kyber_len);
    cx_keys_check_digest(id, 42, spk, 0x7fffffff, kyber, kyber_len, out);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(out, 32),
        "309f24e5dea43fdc2a67dc41aac28d785b19f5c2ed649501cb64dbfa766813c2");
    {
        uint8_t other[32];

        cx_keys_check_digest(id, 43, spk, 0x7fffffff, kyber, kyber_len, other);
        CU_ASSERT_FALSE(cx_digest_equal(out, 32, other, 32));
        CU_ASSERT_TRUE(cx_digest_equal(out, 32, out, 32));
        CU_ASSERT_FALSE(cx_digest_equal(out, 32, out, 31));
    }
    cx_identity_fingerprint(id, fp);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(fp, 4), "0071abee");
    for (int i = 0; i < 16; i++)
        uak[i] = (uint8_t)i;
    cx_uak_verifier(uak, out);
    CU_ASSERT_STRING_EQUAL(tcx_tohex(out, 32),
        "75408449540af98099eb936bf6d3ff410547cc82627632f343747054e23bc090");
    free(kyber);
    json_object_put(v);
}

void
tcx_register_digest(void)
{
    CU_pSuite s = CU_add_suite("digest", NULL, NULL);

    CU_add_test(s, "known_values", test_known_values);
}
