/*
 * Tests for shared/crypto/{sho,ristretto,zkgroup_bin,poksho,zkgroup_gens}.c: SHO KATs, generator
 * tables, canonical parsing, identity handling and the poksho NotarySignature vectors.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sodium.h>

#include "crypto/poksho.h"
#include "crypto/ristretto.h"
#include "crypto/sho.h"
#include "crypto/zkgroup_bin.h"
#include "crypto/zkgroup_gens.h"
#include "test_zk_util.h"

static void
test_sho_hmac_kat(void)
{
    static const char want[] =
        "392cb9449373037fa0c11aebed69cca3b7d3bc9790878f341729c65d5506442f"
        "04986cb5c9098f277c3ea640a4dc6e90372b433a90af9aea7072eaba3398c4fe";
    struct sho s;
    uint8_t out[65];

    sho_init(&s, "asd", 3);
    sho_absorb_and_ratchet(&s, "asdasd", 6);
    sho_squeeze(&s, out, 64);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(out, 64), want);

    sho_init(&s, "asd", 3);
    sho_absorb_and_ratchet(&s, "asdasd", 6);
    sho_squeeze(&s, out, 65);
    CU_ASSERT_NSTRING_EQUAL(tzk_tohex(out, 65), want, 128);
    CU_ASSERT_EQUAL(out[64], 0x7a);
}

static void
test_sho_split_absorb(void)
{
    /* absorb("asd") + absorb("asd") is one HMAC input, same as absorb("asdasd") */
    struct sho a, b;
    uint8_t x[32], y[32];

    sho_init(&a, "asd", 3);
    sho_absorb(&a, "asd", 3);
    sho_absorb(&a, "asd", 3);
    sho_ratchet(&a);
    sho_squeeze(&a, x, 32);
    sho_init(&b, "asd", 3);
    sho_absorb_and_ratchet(&b, "asdasd", 6);
    sho_squeeze(&b, y, 32);
    CU_ASSERT_EQUAL(memcmp(x, y, 32), 0);
}

static void
test_sho_empty_ratchet_rekeys(void)
{
    struct sho a, b;
    uint8_t x[32], y[32];

    sho_init(&a, "label", 5);
    b = a;
    sho_absorb_and_ratchet(&b, "", 0);
    CU_ASSERT_NOT_EQUAL(memcmp(a.cv, b.cv, 32), 0);
    sho_ratchet(&b);    /* ratchet while ratcheted is a no-op */
    sho_squeeze(&a, x, 32);
    sho_squeeze(&b, y, 32);
    CU_ASSERT_NOT_EQUAL(memcmp(x, y, 32), 0);
}

static void
test_sho_sha256_kat(void)
{
    struct sho_sha256 s;
    uint8_t out[64];

    sho_sha256_init(&s, "asd", 3);
    sho_sha256_absorb(&s, "asdasd", 6);
    sho_sha256_ratchet(&s);
    sho_sha256_squeeze(&s, out, 64);
    CU_ASSERT_NSTRING_EQUAL(tzk_tohex(out, 16), "ebe4ef29e18aa54137edd89c23f8bfea", 32);
}

static void
test_gens_tables(void)
{
    struct zkgroup_gens_legacy l;
    struct zkgroup_gens_zkc z;

    zkgroup_gens_derive_legacy(&l);
    CU_ASSERT_EQUAL(memcmp(&l, &zkgroup_gens_legacy, sizeof l), 0);
    zkgroup_gens_derive_zkc(&z);
    CU_ASSERT_EQUAL(memcmp(&z, &zkgroup_gens_zkc, sizeof z), 0);
    /* spot-check against crypto-spec.md §7 (independent of the generated table) */
    CU_ASSERT_STRING_EQUAL(tzk_tohex(l.G_m[5], 32),
        "dc0bd02a7f277add240f639ac16801e81574afb4683edff63b9a01e93dbd867a");
    CU_ASSERT_STRING_EQUAL(tzk_tohex(l.G_j[3], 32),
        "b0c0f7b91f6ef9c7556093d8930a86bd36188cec740554657d92dcd86aad251c");
    CU_ASSERT_STRING_EQUAL(tzk_tohex(z.G_y[6], 32),
        "b2d9d5c243a4cf8f3be21a84f153f44e2733a105cf780a20f03d84fe1ebbeb0e");
}

static void
test_rist_scalar_canonical(void)
{
    uint8_t s[32] = {0};
    uint8_t l[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    };

    CU_ASSERT_TRUE(rist_scalar_is_canonical(s));
    CU_ASSERT_FALSE(rist_scalar_is_canonical(l));   /* L itself */
    l[0]--;
    CU_ASSERT_TRUE(rist_scalar_is_canonical(l));    /* L - 1 */
    l[0] += 2;
    CU_ASSERT_FALSE(rist_scalar_is_canonical(l));   /* L + 1 */
    memset(s, 0xff, 32);
    CU_ASSERT_FALSE(rist_scalar_is_canonical(s));
    s[31] = 0x0f;
    CU_ASSERT_TRUE(rist_scalar_is_canonical(s));    /* < 2^252 */
}

static void
test_rist_identity(void)
{
    uint8_t zero[32] = {0}, one[32] = {1}, out[32];

    CU_ASSERT_TRUE(rist_point_is_valid(rist_identity));
    memset(out, 0xaa, 32);
    rist_mul(out, zero, rist_base_point);
    CU_ASSERT_EQUAL(memcmp(out, rist_identity, 32), 0);
    memset(out, 0xaa, 32);
    rist_mul(out, one, rist_identity);
    CU_ASSERT_EQUAL(memcmp(out, rist_identity, 32), 0);
    memset(out, 0xaa, 32);
    rist_mul_base(out, zero);
    CU_ASSERT_EQUAL(memcmp(out, rist_identity, 32), 0);
    rist_mul_base(out, one);
    CU_ASSERT_EQUAL(memcmp(out, rist_base_point, 32), 0);
    rist_neg(out, rist_base_point);
    rist_add(out, out, rist_base_point);
    CU_ASSERT_EQUAL(memcmp(out, rist_identity, 32), 0);
    /* map_to_curve(0) is the identity; from_uniform(0^64) as well */
    rist_map_to_curve(out, zero);
    CU_ASSERT_EQUAL(memcmp(out, rist_identity, 32), 0);
}

static void
test_bin_reader(void)
{
    uint8_t buf[1 + 32 + 32 + 8 + 2 + 1];
    uint8_t p[32], s[32];
    struct zkgroup_bin r;
    const uint8_t *v;
    size_t vn;

    memset(buf, 0, sizeof buf);
    memcpy(buf + 1, rist_base_point, 32);
    buf[33] = 7;                    /* scalar 7 */
    buf[65] = 2;                    /* le64(2) */
    buf[73] = 0xab;
    buf[74] = 0xcd;
    zkgroup_bin_init(&r, buf, sizeof buf - 1);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, p);
    zkgroup_bin_scalar(&r, s);
    v = zkgroup_bin_vec(&r, 16, &vn);
    CU_ASSERT_TRUE(zkgroup_bin_done(&r));
    CU_ASSERT_EQUAL(vn, 2);
    CU_ASSERT_PTR_EQUAL(v, buf + 73);
    CU_ASSERT_EQUAL(s[0], 7);

    /* trailing byte */
    zkgroup_bin_init(&r, buf, sizeof buf);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, p);
    zkgroup_bin_scalar(&r, s);
    (void)zkgroup_bin_vec(&r, 16, &vn);
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));

    /* wrong version byte */
    buf[0] = 1;
    zkgroup_bin_init(&r, buf, 1);
    zkgroup_bin_expect_u8(&r, 0);
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));
    buf[0] = 0;

    /* invalid point (flip a bit of G's encoding: non-canonical / not on curve) */
    buf[1] ^= 0x01;
    zkgroup_bin_init(&r, buf + 1, 32);
    zkgroup_bin_point(&r, p);
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));
    buf[1] ^= 0x01;

    /* non-canonical scalar */
    memset(buf + 33, 0xff, 32);
    zkgroup_bin_init(&r, buf + 33, 32);
    zkgroup_bin_scalar(&r, s);
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));

    /* vec longer than the input, and longer than the cap */
    buf[65] = 9;
    zkgroup_bin_init(&r, buf + 65, 10);
    CU_ASSERT_PTR_NULL(zkgroup_bin_vec(&r, 16, &vn));
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));
    buf[65] = 2;
    zkgroup_bin_init(&r, buf + 65, 10);
    CU_ASSERT_PTR_NULL(zkgroup_bin_vec(&r, 1, &vn));
    CU_ASSERT_FALSE(zkgroup_bin_done(&r));
}

static void
test_poksho_descriptions(void)
{
    struct poksho_stmt st;
    uint8_t d[128];
    size_t n;

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "username_hash",
                    "username_sha_scalar*G1 + nickname_scalar*G2 + discriminator_scalar*G3");
    n = poksho_stmt_describe(&st, d, sizeof d);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(d, n), "010103000201030204");
    CU_ASSERT_EQUAL(poksho_proof_len(&st), 128);

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "Z", "z*I");
    poksho_stmt_add(&st, "C_x1", "t*C_x0 + z0*G_x0 + z*G_x1");
    poksho_stmt_add(&st, "C_y1", "z*G_y1");
    poksho_stmt_add(&st, "C_y0", "z*G_y0");
    n = poksho_stmt_describe(&st, d, sizeof d);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(d, n), "04010100020303010402050006070100080901000a");
}

/* NotarySignature: ServerSecretParams.sign(randomness, message), poksho::sign end to end. */
static void
test_poksho_notary_signature(void)
{
    struct json_object *v = tzk_load("zkgroup-params.json");
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 2; i++) {
        char path[128];
        uint8_t *ssp, *msg, sig[64], rnd[32], z[32];
        size_t ssp_len, msg_len;
        struct sho s;

        snprintf(path, sizeof path, "server_params.%d.server_secret_params", i);
        ssp = tzk_hex(v, path, &ssp_len);
        CU_ASSERT_EQUAL_FATAL(ssp_len, 2721);
        snprintf(path, sizeof path, "server_params.%d.notary_signature.message", i);
        msg = tzk_hex(v, path, &msg_len);
        snprintf(path, sizeof path, "server_params.%d.notary_signature.randomness", i);
        CU_ASSERT_TRUE(tzk_hex_fixed(v, path, rnd, 32));

        sho_new(&s, "Signal_ZKGroup_20200424_Random_ServerSecretParams_Sign", rnd, 32);
        sho_squeeze(&s, z, 32);
        poksho_sign(ssp + 705, ssp + 737, msg, msg_len, z, sig);
        snprintf(path, sizeof path, "server_params.%d.notary_signature.signature", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, sig, 64));
        CU_ASSERT_TRUE(poksho_sign_verify(ssp + 737, msg, msg_len, sig, 64));
        CU_ASSERT_FALSE(poksho_sign_verify(ssp + 737, msg, msg_len - 1, sig, 64));
        CU_ASSERT_FALSE(poksho_sign_verify(ssp + 737, msg, msg_len, sig, 63));
        sig[40] ^= 1;
        CU_ASSERT_FALSE(poksho_sign_verify(ssp + 737, msg, msg_len, sig, 64));
        free(ssp);
        free(msg);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    json_object_put(v);
}

void
tzk_register_sho(void)
{
    CU_pSuite s = CU_add_suite("zk_sho", NULL, NULL);

    CU_add_test(s, "sho_hmac_kat", test_sho_hmac_kat);
    CU_add_test(s, "sho_split_absorb", test_sho_split_absorb);
    CU_add_test(s, "sho_empty_ratchet_rekeys", test_sho_empty_ratchet_rekeys);
    CU_add_test(s, "sho_sha256_kat", test_sho_sha256_kat);
    CU_add_test(s, "gens_tables", test_gens_tables);
    CU_add_test(s, "rist_scalar_canonical", test_rist_scalar_canonical);
    CU_add_test(s, "rist_identity", test_rist_identity);
    CU_add_test(s, "bin_reader", test_bin_reader);
    CU_add_test(s, "poksho_descriptions", test_poksho_descriptions);
    CU_add_test(s, "poksho_notary_signature", test_poksho_notary_signature);
}
