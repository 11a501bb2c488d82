/* Tests for shared/crypto/cert.c against sender-certificate.json: byte-exact ServerCertificate
 * and SenderCertificate in Signal-Server's layout, the 12 validation verdicts, and libsignal's
 * own constructions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/cert.h"
#include "crypto/ec.h"
#include "test_cx_util.h"

#define SS "signal_server_format."

static struct json_object *vec;
static const uint64_t reference_now_ms = 1770724800000ull;

static int
suite_init(void)
{
    vec = tcx_load("sender-certificate.json");
    return vec == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    json_object_put(vec);
    return 0;
}

struct fixture {
    uint8_t root_priv[32], root_pub[33], server_priv[32], server_pub[33];
    uint8_t *server_cert;
    size_t server_cert_len;
    struct cx_sender_cert_req req;
    uint8_t z[64];
};

/* Request matching signal_server_format.sender_certificate, signed with its nonce. */
static void
fixture_load(struct arena *a, struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "trust_root_private_key", f->root_priv, 32));
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "trust_root_public_key", f->root_pub, 33));
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "server_private_key", f->server_priv, 32));
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "server_public_key", f->server_pub, 33));
    f->server_cert = tcx_hex(vec, SS "server_certificate.serialized", &f->server_cert_len);
    arena_defer(a, free, f->server_cert);
    f->req.server_cert = f->server_cert;
    f->req.server_cert_len = f->server_cert_len;
    f->req.server_private = f->server_priv;
    CU_ASSERT_EQUAL(uuid_parse(tcx_str(vec, SS "sender_certificate.sender_aci"), f->req.aci), 0);
    f->req.e164 = tcx_str(vec, SS "sender_certificate.sender_e164");
    f->req.device_id = (uint32_t)tcx_int(vec, SS "sender_certificate.sender_device_id");
    f->req.expires_ms = (uint64_t)tcx_int(vec, SS "sender_certificate.expires_ms");
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "sender_certificate.identity_key", f->req.identity_key,
                                 33));
    CU_ASSERT_TRUE(tcx_hex_fixed(vec, SS "sender_certificate.signature_nonce_Z", f->z, 64));
    f->req.nonce = f->z;
}

static void
test_key_pairs(void)
{
    uint8_t k[32], pub[33];

    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, SS "trust_root_private_key", k, 32));
    cx_ec_pubkey_derive(k, pub);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "trust_root_public_key", pub, 33));
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, SS "server_private_key", k, 32));
    cx_ec_pubkey_derive(k, pub);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "server_public_key", pub, 33));
}

static void
test_server_certificate_bytes(void)
{
    struct arena *a = arena_new(4096);
    struct fixture f;
    uint8_t z[64], key[33], *out = NULL;
    size_t len = 0;
    uint32_t id = 0;

    fixture_load(a, &f);
    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, SS "server_certificate.signature_nonce_Z", z, 64));
    CU_ASSERT_EQUAL_FATAL(cx_cert_server_new(a, (uint32_t)tcx_int(vec, SS "server_certificate.key_id"),
                                             f.server_pub, f.root_priv, z, &out, &len), E_OK);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "server_certificate.serialized", out, len));
    /* 0x0a len certificate_data 0x12 0x40 signature */
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "server_certificate.certificate_data", out + 2, out[1]));
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "server_certificate.signature", out + len - 64, 64));

    CU_ASSERT_EQUAL(cx_cert_server_check(out, len, f.root_pub, &id, key), CX_CERT_VALID);
    CU_ASSERT_EQUAL(id, 4660);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "server_certificate.libsignal_parse.key", key, 33));
    CU_ASSERT_EQUAL(cx_cert_server_check(out, len, f.server_pub, NULL, NULL), CX_CERT_INVALID);
    CU_ASSERT_EQUAL(cx_cert_server_check(out, len, NULL, NULL, NULL), CX_CERT_VALID);
    CU_ASSERT_EQUAL(cx_cert_server_check(out, len - 1, f.root_pub, NULL, NULL), CX_CERT_MALFORMED);
    CU_ASSERT_TRUE(tcx_bool(vec, SS "server_certificate.trust_root_verifies_signature"));

    /* reserved ids and non-0x05 keys are refused; random nonce still verifies */
    CU_ASSERT_EQUAL(cx_cert_server_new(a, CX_CERT_REVOKED_ID, f.server_pub, f.root_priv, NULL,
                                       &out, &len), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(cx_cert_server_new(a, CX_CERT_TEST_ID, f.server_pub, f.root_priv, NULL,
                                       &out, &len), E_BAD_REQUEST);
    key[0] = 0x06;
    memcpy(key + 1, f.server_pub + 1, 32);
    CU_ASSERT_EQUAL(cx_cert_server_new(a, 1, key, f.root_priv, NULL, &out, &len), E_BAD_REQUEST);
    CU_ASSERT_EQUAL_FATAL(cx_cert_server_new(a, 1, f.server_pub, f.root_priv, NULL, &out, &len),
                          E_OK);
    CU_ASSERT_EQUAL(cx_cert_server_check(out, len, f.root_pub, &id, NULL), CX_CERT_VALID);
    CU_ASSERT_EQUAL(id, 1);
    arena_free(a);
}

static void
test_sender_certificate_bytes(void)
{
    struct arena *a = arena_new(4096);
    struct fixture f;
    struct cx_sender_cert_info info;
    uint8_t *out = NULL;
    size_t len = 0;
    char *b64;

    fixture_load(a, &f);
    CU_ASSERT_EQUAL_FATAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "sender_certificate.serialized", out, len));
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "sender_certificate.signature", out + len - 64, 64));
    b64 = b64_encode(a, out, len, B64_STD_PAD);
    CU_ASSERT_STRING_EQUAL(b64, tcx_str(vec, SS "sender_certificate.delivery_certificate_json_b64"));

    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, out, len, f.root_pub, reference_now_ms, &info),
                    CX_CERT_VALID);
    CU_ASSERT_STRING_EQUAL(info.sender_uuid, tcx_str(vec, SS "sender_certificate.libsignal_fields.sender_uuid"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(info.sender_e164);
    CU_ASSERT_STRING_EQUAL(info.sender_e164, tcx_str(vec, SS "sender_certificate.libsignal_fields.sender_e164"));
    CU_ASSERT_EQUAL(info.device_id, tcx_int(vec, SS "sender_certificate.libsignal_fields.sender_device_id"));
    CU_ASSERT_EQUAL(info.expires_ms, (uint64_t)tcx_int(vec, SS "sender_certificate.libsignal_fields.expiration_ms"));
    CU_ASSERT_TRUE(tcx_eq_hex(vec, SS "sender_certificate.libsignal_fields.identity_key", info.identity_key, 33));
    CU_ASSERT_EQUAL(info.server_key_id, tcx_int(vec, SS "sender_certificate.libsignal_fields.server_certificate_key_id"));
    CU_ASSERT_TRUE(info.signer_embedded);
    CU_ASSERT_EQUAL(memcmp(info.server_key, f.server_pub, 33), 0);
    arena_free(a);
}

static void
test_sender_certificate_variants(void)
{
    struct arena *a = arena_new(4096);
    struct fixture f;
    struct cx_sender_cert_info info;
    uint8_t *out = NULL, *ref, bad_priv[32];
    size_t len = 0, ref_len;

    fixture_load(a, &f);
    /* includeE164=false: field 1 absent, identical otherwise; the vector's is 14 bytes shorter
     * in the inner message (0x0a 0x0c "+14155550123") */
    f.req.e164 = NULL;
    CU_ASSERT_EQUAL_FATAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    ref = tcx_hex(vec, SS "validation_cases.4.serialized", &ref_len);
    CU_ASSERT_EQUAL(len, ref_len);
    CU_ASSERT_EQUAL(memcmp(out, ref, len - 64), 0);     /* all but the signature */
    free(ref);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, out, len, f.root_pub, reference_now_ms, &info),
                    CX_CERT_VALID);
    CU_ASSERT_PTR_NULL(info.sender_e164);

    /* the older string form of the UUID (field 6), as libsignal's constructor writes it */
    f.req.e164 = "+14155550123";
    f.req.uuid_as_string = true;
    f.req.nonce = NULL;
    CU_ASSERT_EQUAL_FATAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, out, len, f.root_pub, reference_now_ms, &info),
                    CX_CERT_VALID);
    CU_ASSERT_STRING_EQUAL(info.sender_uuid, "9d0652a3-dcc3-4d11-975f-74d61598733f");
    {
        /* the inner message must end with 0x32 0x24 "<36-char uuid>" */
        static const char tail[] = "\x32\x24" "9d0652a3-dcc3-4d11-975f-74d61598733f";
        size_t inner_len = (out[1] & 0x7fu) | (size_t)out[2] << 7;   /* 2-byte varint */

        CU_ASSERT_TRUE_FATAL(out[1] & 0x80);
        CU_ASSERT_EQUAL(memcmp(out + 3 + inner_len - 38, tail, 38), 0);
    }

    /* a string field that is not UTF-8 makes libsignal's (prost) decoder fail */
    f.req.e164 = "+1415\xc3\x28";
    CU_ASSERT_EQUAL_FATAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, out, len, f.root_pub, reference_now_ms, NULL),
                    CX_CERT_MALFORMED);
    f.req.e164 = "+1415\xe2\x82\xac";    /* U+20AC is fine */
    CU_ASSERT_EQUAL_FATAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, out, len, f.root_pub, reference_now_ms, NULL),
                    CX_CERT_VALID);
    f.req.e164 = "+14155550123";

    /* input checks */
    f.req.uuid_as_string = false;
    f.req.device_id = 0;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_BAD_REQUEST);
    f.req.device_id = 128;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_BAD_REQUEST);
    f.req.device_id = 127;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_OK);
    f.req.identity_key[0] = 0x08;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_BAD_REQUEST);
    f.req.identity_key[0] = 0x05;
    f.req.server_cert_len--;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_BAD_REQUEST);
    f.req.server_cert_len++;
    memcpy(bad_priv, f.root_priv, 32);
    f.req.server_private = bad_priv;
    CU_ASSERT_EQUAL(cx_cert_sender_new(a, &f.req, &out, &len), E_INTERNAL);
    arena_free(a);
}

static enum cx_cert_verdict
verdict_of(const char *s)
{
    if (strcmp(s, "valid") == 0)
        return CX_CERT_VALID;
    if (strcmp(s, "invalid") == 0)
        return CX_CERT_INVALID;
    CU_ASSERT_EQUAL(strncmp(s, "error", 5), 0);
    return CX_CERT_MALFORMED;
}

static void
test_validation_cases(void)
{
    size_t n = tcx_len(vec, SS "validation_cases");
    int checked = 0;
    char p[128];

    CU_ASSERT_EQUAL(n, 12);
    for (size_t i = 0; i < n; i++) {
        struct arena *a = arena_new(1024);
        uint8_t root[33], *cert;
        size_t len;
        enum cx_cert_verdict want, got;
        uint64_t t;

        snprintf(p, sizeof(p), SS "validation_cases.%zu.serialized", i);
        cert = tcx_hex(vec, p, &len);
        snprintf(p, sizeof(p), SS "validation_cases.%zu.trust_root", i);
        CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, p, root, 33));
        snprintf(p, sizeof(p), SS "validation_cases.%zu.validation_time_ms", i);
        t = (uint64_t)tcx_int(vec, p);
        snprintf(p, sizeof(p), SS "validation_cases.%zu.expected", i);
        want = verdict_of(tcx_str(vec, p));
        got = cx_cert_sender_validate(a, cert, len, root, t, NULL);
        if (got != want) {
            snprintf(p, sizeof(p), SS "validation_cases.%zu.name", i);
            fprintf(stderr, "\nverdict mismatch (%d, want %d): %s\n", got, want, tcx_str(vec, p));
        }
        CU_ASSERT_EQUAL(got, want);
        free(cert);
        arena_free(a);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 12);
}

static void
test_libsignal_constructed(void)
{
    struct arena *a = arena_new(4096);
    struct cx_sender_cert_info info;
    uint8_t root[33], *cert, *sc;
    size_t len, sc_len;
    uint32_t id = 0;

    CU_ASSERT_TRUE_FATAL(tcx_hex_fixed(vec, SS "trust_root_public_key", root, 33));
    sc = tcx_hex(vec, "libsignal_constructed.server_certificate", &sc_len);
    CU_ASSERT_EQUAL(cx_cert_server_check(sc, sc_len, root, &id, NULL), CX_CERT_VALID);
    CU_ASSERT_EQUAL(id, 4660);
    cert = tcx_hex(vec, "libsignal_constructed.sender_certificate", &len);
    CU_ASSERT_EQUAL(verdict_of(tcx_str(vec, "libsignal_constructed.validate_now")), CX_CERT_VALID);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, root, reference_now_ms, &info),
                    CX_CERT_VALID);
    CU_ASSERT_STRING_EQUAL(info.sender_uuid, "9d0652a3-dcc3-4d11-975f-74d61598733f");
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, root, info.expires_ms + 1, NULL),
                    CX_CERT_INVALID);
    /* every strict prefix is rejected, and never crashes */
    for (size_t k = 0; k < len; k++)
        CU_ASSERT_NOT_EQUAL(cx_cert_sender_validate(a, cert, k, root, reference_now_ms, NULL),
                            CX_CERT_VALID);
    free(cert);
    free(sc);
    arena_free(a);
}

void
tcx_register_cert(void)
{
    CU_pSuite s = CU_add_suite("cert", suite_init, suite_clean);

    CU_add_test(s, "key_pairs", test_key_pairs);
    CU_add_test(s, "server_certificate_bytes", test_server_certificate_bytes);
    CU_add_test(s, "sender_certificate_bytes", test_sender_certificate_bytes);
    CU_add_test(s, "sender_certificate_variants", test_sender_certificate_variants);
    CU_add_test(s, "validation_cases", test_validation_cases);
    CU_add_test(s, "libsignal_constructed", test_libsignal_constructed);
}
