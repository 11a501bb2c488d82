/* Handler tests for shared/api/certificates.c and shared/api/calllinks.c against the real router,
 * a private MariaDB + memcached and the secrets of HG_TEST_CONF: the delivery certificate is
 * validated the way libsignal does (trust root, signatures, expiry); every zk credential's MAC
 * is recomputed with the server's own key over the attributes it must bind (ACI, PNI, day, the
 * blinded room id); the redemption-window rules answer 400 exactly where Signal-Server does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/cert.h"
#include "crypto/ec.h"
#include "crypto/ristretto.h"
#include "crypto/server_keys.h"
#include "crypto/token.h"
#include "crypto/zkcred.h"
#include "crypto/zkgroup.h"
#include "crypto/zkgroup_attr.h"
#include "crypto/zkparams.h"
#include "http/ctx.h"
#include "store/store.h"
#include "suites.h"
#include "tcall.h"

#define DAY 86400

static struct {
    char e164[20], password[40], user[96], aci_s[37];
    uint8_t aci[16], pni[16], identity[33];
} me;

static const struct server_keys *
keys(void)
{
    return tcall_ctx()->keys;
}

static int64_t
today(void)
{
    int64_t now = now_ms() / 1000;

    return now - now % DAY;
}

/* An account made directly in the store (registration itself is test_api_db.c's subject). */
static int
suite_setup(void)
{
    struct arena *a = arena_new(4096);
    struct registration r = { 0 };
    struct account_rec acct;
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    uint8_t priv[32], pni_ik[33], spk[33], sig[64], kem[1569];
    bool rereg;
    int rc = -1;

    snprintf(me.e164, sizeof(me.e164), "+1415%07u", randombytes_uniform(10000000));
    snprintf(me.password, sizeof(me.password), "pw%08x%08x", randombytes_random(),
             randombytes_random());
    randombytes_buf(priv, 32);
    cx_ec_pubkey_derive(priv, me.identity);
    randombytes_buf(priv, 32);
    cx_ec_pubkey_derive(priv, pni_ik);
    randombytes_buf(priv, 32);
    cx_ec_pubkey_derive(priv, spk);
    randombytes_buf(sig, sizeof(sig));
    kem[0] = 0x08;
    randombytes_buf(kem + 1, sizeof(kem) - 1);
    token_hash_new(me.password, strlen(me.password), salt, hash);
    r.e164 = me.e164;
    r.device.id = 1;
    r.device.auth_hash = hash;
    r.device.auth_salt = salt;
    r.device.registration_id = 77;
    r.device.pni_registration_id = 78;
    r.device.fetches_messages = true;
    r.device.capabilities = "{}";
    r.aci_identity_key = me.identity;
    r.pni_identity_key = pni_ik;
    r.aci_signed = (struct signed_key){ 1, spk, 33, sig, 64 };
    r.aci_last_resort = (struct signed_key){ 2, kem, sizeof(kem), sig, 64 };
    r.pni_signed = (struct signed_key){ 3, spk, 33, sig, 64 };
    r.pni_last_resort = (struct signed_key){ 4, kem, sizeof(kem), sig, 64 };
    r.has_pni_keys = true;
    if (store_account_register(tcall_ctx()->store, &r, me.aci, me.pni, &rereg) == E_OK &&
        store_account_get(tcall_ctx()->store, a, me.aci, &acct) == E_OK) {
        uuid_format(me.aci, me.aci_s);
        snprintf(me.user, sizeof(me.user), "%s.1:%s", me.aci_s, me.password);
        rc = 0;
    }
    arena_free(a);
    return rc;
}

/* Decode the base64 string member key of o (malloc'd). */
static uint8_t *
b64_member(struct json_object *o, const char *key, size_t *len)
{
    struct json_object *v;
    struct arena *a = arena_new(4096);
    uint8_t *p = NULL, *out = NULL;
    const char *s;

    *len = 0;
    if (o != NULL && json_object_object_get_ex(o, key, &v) &&
        json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        if (b64_decode(a, s, strlen(s), 0, &p, len) == 0) {
            out = malloc(*len + 1);
            memcpy(out, p, *len);
        }
    }
    arena_free(a);
    return out;
}

static void
test_delivery(void)
{
    struct arena *a = arena_new(4096);
    struct cx_sender_cert_info info;
    struct tresult r;
    uint8_t *cert;
    size_t len;
    int64_t t0 = now_ms();

    r = tcall("GET", "/v1/certificate/delivery", me.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    cert = b64_member(r.json, "certificate", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
    /* what libsignal's SenderCertificate.validate(trustRoot, now) decides */
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, keys()->trust_root, (uint64_t)t0, &info),
                    CX_CERT_VALID);
    CU_ASSERT_STRING_EQUAL(info.sender_uuid, me.aci_s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info.sender_e164);
    CU_ASSERT_STRING_EQUAL(info.sender_e164, me.e164);
    CU_ASSERT_EQUAL(info.device_id, 1);
    CU_ASSERT_EQUAL(memcmp(info.identity_key, me.identity, 33), 0);
    CU_ASSERT_TRUE(info.signer_embedded);
    CU_ASSERT_EQUAL(info.server_key_id, keys()->server_key_id);
    /* expires = now + cert_expires_days */
    CU_ASSERT_TRUE(info.expires_ms >= (uint64_t)t0 + keys()->cert_expires_ms);
    CU_ASSERT_TRUE(info.expires_ms <= (uint64_t)now_ms() + keys()->cert_expires_ms);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, keys()->trust_root, info.expires_ms,
                                            NULL), CX_CERT_VALID);
    CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, keys()->trust_root,
                                            info.expires_ms + 1, NULL), CX_CERT_INVALID);
    /* a different trust root rejects it */
    {
        uint8_t other[33], priv[32];

        randombytes_buf(priv, 32);
        cx_ec_pubkey_derive(priv, other);
        CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, other, (uint64_t)t0, NULL),
                        CX_CERT_INVALID);
    }
    free(cert);
    tresult_free(&r);
    arena_free(a);
}

static void
test_delivery_include_e164(void)
{
    static const struct {
        const char *query;
        bool e164;
    } cases[] = {
        { "?includeE164=false", false }, { "?includeE164=true", true },
        { "?includeE164=TRUE", true },   { "?includeE164=1", false },  /* Boolean.valueOf */
        { "?includeE164=", false },      { "", true },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena *a = arena_new(4096);
        struct cx_sender_cert_info info;
        char path[96];
        struct tresult r;
        uint8_t *cert;
        size_t len;

        snprintf(path, sizeof(path), "/v1/certificate/delivery%s", cases[i].query);
        r = tcall("GET", path, me.user, NULL, NULL);
        CU_ASSERT_EQUAL(r.status, 200);
        cert = b64_member(r.json, "certificate", &len);
        CU_ASSERT_PTR_NOT_NULL(cert);
        if (cert != NULL) {
            CU_ASSERT_EQUAL(cx_cert_sender_validate(a, cert, len, keys()->trust_root,
                                                    (uint64_t)now_ms(), &info), CX_CERT_VALID);
            CU_ASSERT_EQUAL(info.sender_e164 != NULL, cases[i].e164);
        }
        free(cert);
        tresult_free(&r);
        arena_free(a);
    }
    {
        struct tresult r = tcall("GET", "/v1/certificate/delivery", NULL, NULL, NULL);

        CU_ASSERT_EQUAL(r.status, 401);
        tresult_free(&r);
    }
}

/* V == W + (x0 + x1·t)·U + y0(mode, n)·M0 + Σ y_i·M_i under the server's key (§11.1). */
static bool
mac_ok(const struct zk_generic_key *k, const uint8_t *tuv, const uint8_t (*m)[32], size_t n,
       const uint8_t *v)
{
    uint8_t coef[32], acc[32];

    crypto_core_ristretto255_scalar_mul(coef, k->x1, tuv);
    crypto_core_ristretto255_scalar_add(coef, coef, k->x0);
    memcpy(acc, k->W, 32);
    rist_muladd(acc, coef, tuv + 32);
    rist_muladd(acc, k->y0_for[n], m[0]);
    for (size_t i = 1; i < n; i++)
        rist_muladd(acc, k->y[i], m[i]);
    return rist_eq(acc, v);
}

static bool
auth_credential_ok(const uint8_t *p, size_t n, uint64_t t)
{
    uint8_t m[5][32];
    struct sho s;

    if (n != ZK_AUTH_CREDENTIAL_RESPONSE_LEN || p[0] != 0x03)
        return false;
    zkcred_attrs_init(&s, "20240222_Signal_AuthCredentialZkc");
    zkcred_attrs_u64(&s, t);
    zkcred_attrs_point(&s, m[0]);
    zkgroup_attr_uid_aci(me.aci, m[1], m[2]);
    zkgroup_attr_uid_pni(me.pni, m[3], m[4]);
    return mac_ok(&keys()->zk->generic, p + 1, (const uint8_t (*)[32])m, 5, p + 65);
}

static bool
call_link_auth_ok(const uint8_t *p, size_t n, uint64_t t)
{
    const struct zk_generic_key *k = &keys()->calling->key;
    uint8_t m[3][32];
    struct sho s;

    if (n != ZK_CALL_LINK_AUTH_RESPONSE_LEN || p[0] != (uint8_t)k->mode)
        return false;
    zkcred_attrs_init(&s, "20230421_Signal_CallLinkAuthCredential");
    zkcred_attrs_u64(&s, t);
    zkcred_attrs_point(&s, m[0]);
    zkgroup_attr_uid_aci(me.aci, m[1], m[2]);
    return mac_ok(k, p + 1, (const uint8_t (*)[32])m, 3, p + 65);
}

/* Check one list of {credential, redemptionTime}: n entries for start, start + 1 day, ... */
static void
check_list(struct json_object *o, const char *key, int64_t start, size_t n,
           bool (*ok)(const uint8_t *, size_t, uint64_t))
{
    struct json_object *list, *e, *t;

    CU_ASSERT_FATAL(o != NULL && json_object_object_get_ex(o, key, &list));
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(list), n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p;
        size_t len;

        e = json_object_array_get_idx(list, i);
        CU_ASSERT_FATAL(json_object_object_get_ex(e, "redemptionTime", &t));
        CU_ASSERT_EQUAL(json_object_get_int64(t), start + (int64_t)i * DAY);
        p = b64_member(e, "credential", &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_TRUE(ok(p, len, (uint64_t)(start + (int64_t)i * DAY)));
        /* and not for another day */
        CU_ASSERT_FALSE(ok(p, len, (uint64_t)(start + (int64_t)(i + 1) * DAY)));
        free(p);
    }
}

static struct tresult
auth_group(int64_t start, int64_t end)
{
    char path[160];

    snprintf(path, sizeof(path),
             "/v1/certificate/auth/group?redemptionStartSeconds=%lld&redemptionEndSeconds=%lld",
             (long long)start, (long long)end);
    return tcall("GET", path, me.user, NULL, NULL);
}

static void
test_auth_group(void)
{
    int64_t d = today();
    struct tresult r = auth_group(d, d + 7 * DAY);
    char pni[37];

    CU_ASSERT_EQUAL_FATAL(r.status, 200);
    uuid_format(me.pni, pni);
    CU_ASSERT_STRING_EQUAL(tjson_str(&r, "pni"), pni);
    check_list(r.json, "credentials", d, 8, auth_credential_ok);
    check_list(r.json, "callLinkAuthCredentials", d, 8, call_link_auth_ok);
    tresult_free(&r);

    r = auth_group(d - DAY, d - DAY);     /* yesterday alone */
    CU_ASSERT_EQUAL(r.status, 200);
    check_list(r.json, "credentials", d - DAY, 1, auth_credential_ok);
    tresult_free(&r);
    r = auth_group(d + DAY, d + 8 * DAY); /* the latest allowed end */
    CU_ASSERT_EQUAL(r.status, 200);
    check_list(r.json, "callLinkAuthCredentials", d + DAY, 8, call_link_auth_ok);
    tresult_free(&r);
}

/* RedemptionRange.inclusive: every rule answers 400. */
static void
test_auth_group_bad_windows(void)
{
    int64_t d = today();
    const struct {
        int64_t start, end;
        int status;
    } cases[] = {
        { d + DAY, d, 400 },                     /* start after end */
        { d + 1, d + DAY, 400 },                 /* start not day-aligned */
        { d, d + DAY + 3600, 400 },              /* end not day-aligned */
        { d - 2 * DAY, d, 400 },                 /* before yesterday */
        { d + 2 * DAY, d + 9 * DAY, 400 },       /* end after today + 8 days */
        { d - DAY, d + 7 * DAY, 400 },           /* 8 days: window too large */
        { 0, 0, 400 },                           /* epoch */
        { d - DAY, d + 6 * DAY, 200 },           /* 7 days from yesterday */
    };
    struct tresult r;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = auth_group(cases[i].start, cases[i].end);
        CU_ASSERT_EQUAL(r.status, cases[i].status);
        if (r.status != cases[i].status)
            printf("\n  case %zu: %lld..%lld -> %d\n", i, (long long)cases[i].start,
                   (long long)cases[i].end, r.status);
        tresult_free(&r);
    }
    /* absent parameters bind as 0 (@QueryParam long): out of range */
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/certificate/auth/group", me.user, NULL, NULL), 400);
    /* a value that is not a long fails JAX-RS parameter conversion: 404 */
    CU_ASSERT_EQUAL(tcall_status("GET",
                                 "/v1/certificate/auth/group?redemptionStartSeconds=x"
                                 "&redemptionEndSeconds=1",
                                 me.user, NULL, NULL), 404);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/certificate/auth/group?redemptionStartSeconds=0",
                                 NULL, NULL, NULL),
                    401);
}

static void
test_create_call_link(void)
{
    const struct zk_generic_key *k = &keys()->calling->key;
    uint8_t req[ZK_CREATE_CALL_LINK_REQUEST_LEN], y[32], rr[32], room[32], m[4][32];
    uint8_t *cred, lhs[32], tmp[32];
    char body[256], *b64s;
    struct arena *a = arena_new(4096);
    struct json_object *t;
    struct tresult r;
    struct sho s;
    size_t len;

    /* the client's side: key y, Y = y·G; room-id point P blinded as (r·G, r·Y + P) */
    crypto_core_ristretto255_scalar_random(y);
    crypto_core_ristretto255_scalar_random(rr);
    crypto_core_ristretto255_random(room);
    req[0] = 0x00;
    rist_mul_base(req + 65, y);
    rist_mul_base(req + 1, rr);
    rist_mul(tmp, rr, req + 65);
    rist_add(req + 33, tmp, room);
    b64s = b64_encode(a, req, sizeof(req), B64_STD_PAD);
    snprintf(body, sizeof(body), "{\"createCallLinkCredentialRequest\":\"%s\"}", b64s);
    r = tcall("POST", "/v1/call-link/create-auth", me.user, "content-type: application/json",
              body);
    CU_ASSERT_EQUAL_FATAL(r.status, 200);
    CU_ASSERT_FATAL(json_object_object_get_ex(r.json, "redemptionTime", &t));
    CU_ASSERT_EQUAL(json_object_get_int64(t), today());
    cred = b64_member(r.json, "credential", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cred);
    CU_ASSERT_EQUAL_FATAL(len, ZK_CREATE_CALL_LINK_RESPONSE_LEN);
    CU_ASSERT_EQUAL(cred[0], (uint8_t)k->mode);
    /* le64(timestamp) at 1..8, then t || U || S1 || S2 */
    {
        uint64_t ts = 0;

        for (int i = 7; i >= 0; i--)
            ts = ts << 8 | cred[1 + i];
        CU_ASSERT_EQUAL(ts, (uint64_t)today());
    }
    /* unblind: S2 − y·S1 = V + y_3·P; so V' = that − y_3·P must be the MAC over (day, ACI) */
    rist_mul(tmp, y, cred + 9 + 64);
    rist_sub(lhs, cred + 9 + 96, tmp);
    zkcred_attrs_init(&s, "20230413_Signal_CreateCallLinkCredential");
    zkcred_attrs_u64(&s, (uint64_t)today());
    zkcred_attrs_point(&s, m[0]);
    zkgroup_attr_uid_aci(me.aci, m[1], m[2]);
    memcpy(m[3], room, 32);
    CU_ASSERT_TRUE(mac_ok(k, cred + 9, (const uint8_t (*)[32])m, 4, lhs));
    crypto_core_ristretto255_random(m[3]);  /* another room id does not match */
    CU_ASSERT_FALSE(mac_ok(k, cred + 9, (const uint8_t (*)[32])m, 4, lhs));
    free(cred);
    tresult_free(&r);

    /* bad input: wrong length 400, bad base64 400, missing/empty 422, not JSON 400 */
    b64s = b64_encode(a, req, sizeof(req) - 1, B64_STD_PAD);
    snprintf(body, sizeof(body), "{\"createCallLinkCredentialRequest\":\"%s\"}", b64s);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth", me.user, NULL, body), 400);
    req[0] = 0x01;
    b64s = b64_encode(a, req, sizeof(req), B64_STD_PAD);
    snprintf(body, sizeof(body), "{\"createCallLinkCredentialRequest\":\"%s\"}", b64s);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth", me.user, NULL, body), 400);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth",
                                 me.user, NULL, "{\"createCallLinkCredentialRequest\":\"%%%\"}"),
                    400);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth", me.user, NULL, "{}"), 422);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth",
                                 me.user, NULL, "{\"createCallLinkCredentialRequest\":\"\"}"),
                    422);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth", me.user, NULL, "nope"), 400);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/call-link/create-auth", NULL, NULL, "{}"), 401);
    arena_free(a);
}

void
suite_certs_db(void)
{
    CU_pSuite s;

    if (tcall_ctx() == NULL || keys() == NULL || !keys()->has_cert || !keys()->has_trust_root ||
        keys()->zk == NULL || keys()->calling == NULL) {
        printf("certificates (database): skipped, HG_TEST_CONF not set, store unreachable or "
               "secrets (heliograph-admin keygen) not included\n");
        return;
    }
    s = CU_add_suite("certificates (database)", suite_setup, NULL);
    CU_add_test(s, "delivery certificate validates under the trust root", test_delivery);
    CU_add_test(s, "delivery includeE164", test_delivery_include_e164);
    CU_add_test(s, "group auth credentials", test_auth_group);
    CU_add_test(s, "group auth redemption windows", test_auth_group_bad_windows);
    CU_add_test(s, "create call link credential", test_create_call_link);
}
