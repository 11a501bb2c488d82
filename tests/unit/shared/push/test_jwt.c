/* shared/push/jwt.c: JWS framing, ECDSA r||s conversion, and real ES256 / RS256 signatures over
 * keys generated for the run (verified back with GnuTLS). */
#include <string.h>

#include <CUnit/CUnit.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/arena.h"
#include "core/b64.h"
#include "push/jwt.h"
#include "suites.h"

static void
test_ecdsa_concat(void)
{
    uint8_t r[33], s[31], out[64];

    memset(r, 0xaa, sizeof(r));
    r[0] = 0x00;                        /* DER sign byte */
    memset(s, 0x55, sizeof(s));         /* short value: left-padded */
    CU_ASSERT_EQUAL(jwt_ecdsa_concat(r, sizeof(r), s, sizeof(s), 32, out), 0);
    CU_ASSERT_EQUAL(out[0], 0xaa);
    CU_ASSERT_EQUAL(out[31], 0xaa);
    CU_ASSERT_EQUAL(out[32], 0x00);
    CU_ASSERT_EQUAL(out[33], 0x55);
    CU_ASSERT_EQUAL(out[63], 0x55);
    r[0] = 0x01;                        /* 33 significant bytes do not fit */
    CU_ASSERT_EQUAL(jwt_ecdsa_concat(r, sizeof(r), s, sizeof(s), 32, out), -1);
}

static void
test_json_quote(void)
{
    struct arena *a = arena_new(512);

    CU_ASSERT_STRING_EQUAL(jwt_json_quote(a, "abc"), "\"abc\"");
    CU_ASSERT_STRING_EQUAL(jwt_json_quote(a, "a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\u000a\\u0001\"");
    CU_ASSERT_STRING_EQUAL(jwt_json_quote(a, ""), "\"\"");
    arena_free(a);
}

/* A fresh PKCS#8 PEM private key of the given kind (caller frees with gnutls_free). */
static int
make_key(gnutls_pk_algorithm_t pk, unsigned bits, gnutls_datum_t *pem)
{
    gnutls_x509_privkey_t k;
    int rc;

    if (gnutls_x509_privkey_init(&k) < 0)
        return -1;
    rc = gnutls_x509_privkey_generate(k, pk, bits, 0);
    if (rc == 0)
        rc = gnutls_x509_privkey_export2_pkcs8(k, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               pem);
    gnutls_x509_privkey_deinit(k);
    return rc;
}

/* Verify a compact JWS with the public half of pem; ES256 signatures are converted to DER. */
static int
verify(const gnutls_datum_t *pem, const char *jws, int es256)
{
    struct arena *a = arena_new(4096);
    gnutls_privkey_t priv;
    gnutls_pubkey_t pub;
    const char *dot2 = strrchr(jws, '.');
    uint8_t *sig;
    size_t siglen;
    gnutls_datum_t data, sd, der = { NULL, 0 };
    int rc = -1;

    gnutls_privkey_init(&priv);
    gnutls_pubkey_init(&pub);
    if (dot2 == NULL ||
        b64_decode(a, dot2 + 1, strlen(dot2 + 1), 1, &sig, &siglen) != 0 ||
        gnutls_privkey_import_x509_raw(priv, pem, GNUTLS_X509_FMT_PEM, NULL, 0) < 0 ||
        gnutls_pubkey_import_privkey(pub, priv, 0, 0) < 0)
        goto out;
    data.data = (unsigned char *)(uintptr_t)jws;
    data.size = (unsigned)(dot2 - jws);
    if (es256) {
        gnutls_datum_t r = { sig, 32 }, s = { sig + 32, 32 };
        if (siglen != 64 || gnutls_encode_rs_value(&der, &r, &s) < 0)
            goto out;
        sd = der;
    } else {
        sd.data = sig;
        sd.size = (unsigned)siglen;
    }
    rc = gnutls_pubkey_verify_data2(pub, es256 ? GNUTLS_SIGN_ECDSA_SHA256 : GNUTLS_SIGN_RSA_SHA256,
                                    0, &data, &sd) >= 0 ? 0 : -1;
out:
    gnutls_free(der.data);
    gnutls_pubkey_deinit(pub);
    gnutls_privkey_deinit(priv);
    arena_free(a);
    return rc;
}

static void
sign_and_verify(gnutls_pk_algorithm_t pk, unsigned bits, enum jwt_alg alg, const char *header)
{
    struct arena *a = arena_new(4096);
    gnutls_datum_t pem = { NULL, 0 };
    struct jwt_key *k = NULL;
    char *jws = NULL, *expect;

    CU_ASSERT_EQUAL_FATAL(make_key(pk, bits, &pem), 0);
    CU_ASSERT_EQUAL_FATAL(jwt_key_load((const char *)pem.data, pem.size, alg, &k), E_OK);
    CU_ASSERT_EQUAL(jwt_sign(a, k, header, "{\"iss\":\"T\"}", &jws), E_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
    expect = arena_printf(a, "%s.%s.",
                          b64_encode(a, (const uint8_t *)header, strlen(header), B64_URL_NOPAD),
                          "eyJpc3MiOiJUIn0");
    CU_ASSERT_EQUAL(strncmp(jws, expect, strlen(expect)), 0);
    CU_ASSERT_PTR_NULL(strchr(jws, '='));
    CU_ASSERT_EQUAL(verify(&pem, jws, alg == JWT_ES256), 0);
    /* a flipped payload byte must not verify */
    jws[strlen(expect) - 3] ^= 1;
    CU_ASSERT_NOT_EQUAL(verify(&pem, jws, alg == JWT_ES256), 0);
    jwt_key_free(k);
    gnutls_free(pem.data);
    arena_free(a);
}

static void
test_es256(void)
{
    sign_and_verify(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), JWT_ES256,
                    "{\"alg\":\"ES256\",\"kid\":\"K\"}");
}

static void
test_rs256(void)
{
    sign_and_verify(GNUTLS_PK_RSA, 2048, JWT_RS256, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
}

static void
test_wrong_key_kind(void)
{
    gnutls_datum_t pem = { NULL, 0 };
    struct jwt_key *k = NULL;

    CU_ASSERT_EQUAL_FATAL(make_key(GNUTLS_PK_ECDSA,
                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), &pem), 0);
    CU_ASSERT_EQUAL(jwt_key_load((const char *)pem.data, pem.size, JWT_ES256, &k),
                    E_UNPROCESSABLE);   /* P-384 is not ES256 */
    CU_ASSERT_EQUAL(jwt_key_load((const char *)pem.data, pem.size, JWT_RS256, &k),
                    E_UNPROCESSABLE);
    CU_ASSERT_PTR_NULL(k);
    CU_ASSERT_EQUAL(jwt_key_load("not a key", 9, JWT_ES256, &k), E_UNPROCESSABLE);
    gnutls_free(pem.data);
}

void
suite_push_jwt(void)
{
    CU_pSuite s = CU_add_suite("push/jwt", NULL, NULL);

    CU_add_test(s, "ecdsa r||s", test_ecdsa_concat);
    CU_add_test(s, "json quote", test_json_quote);
    CU_add_test(s, "ES256 sign+verify", test_es256);
    CU_add_test(s, "RS256 sign+verify", test_rs256);
    CU_add_test(s, "wrong key kind", test_wrong_key_kind);
}
