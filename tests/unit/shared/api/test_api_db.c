/* Handler tests against the real router and a private MariaDB + memcached (HG_TEST_CONF):
 * verification sessions, registration, accounts, keys, bad input. Keys are made here with
 * libsodium and signed with the server's own XEdDSA signer (its correctness is proven against
 * libsignal's vectors in the crypto tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <sodium.h>

#include "core/b64.h"
#include "crypto/cx.h"
#include "suites.h"
#include "tcall.h"

struct keypair {
    uint8_t priv[32], pub[33];
};

static void
keypair_new(struct keypair *k)
{
    randombytes_buf(k->priv, 32);
    k->priv[0] &= 248;
    k->priv[31] &= 127;
    k->priv[31] |= 64;
    k->pub[0] = 0x05;
    crypto_scalarmult_curve25519_base(k->pub + 1, k->priv);
}

static char *
b64(const uint8_t *p, size_t n, enum b64_flavour f)
{
    char *s = malloc(b64_encoded_len(n, f) + 1);

    b64_encode_to(s, p, n, f);
    return s;
}

static void
add_b64(struct json_object *o, const char *k, const uint8_t *p, size_t n)
{
    char *s = b64(p, n, B64_STD_PAD);

    json_object_object_add(o, k, json_object_new_string(s));
    free(s);
}

/* {keyId, publicKey, signature} for an EC (kem = 0) or KEM key signed by identity. */
static struct json_object *
signed_key(const struct keypair *identity, int kem, int id, int corrupt)
{
    struct json_object *o = json_object_new_object();
    uint8_t pub[1569], sig[64];
    size_t n;

    if (kem) {
        pub[0] = 0x08;
        randombytes_buf(pub + 1, 1568);
        n = 1569;
    } else {
        struct keypair k;
        keypair_new(&k);
        memcpy(pub, k.pub, 33);
        n = 33;
    }
    cx_xeddsa_sign(identity->priv, pub, n, sig);
    if (corrupt)
        sig[5] ^= 1;
    json_object_object_add(o, "keyId", json_object_new_int(id));
    add_b64(o, "publicKey", pub, n);
    add_b64(o, "signature", sig, 64);
    return o;
}

struct account {
    char e164[20], password[40], user[96], aci[37], pni[41];
    struct keypair aci_ik, pni_ik;
    uint8_t uak[16];
};

static char *
registration_body(struct account *acct, const char *session_id, int corrupt)
{
    struct json_object *o = json_object_new_object(), *attrs = json_object_new_object();
    struct json_object *caps = json_object_new_object();
    char *s;

    json_object_object_add(o, "sessionId", json_object_new_string(session_id));
    json_object_object_add(attrs, "fetchesMessages", json_object_new_boolean(1));
    json_object_object_add(attrs, "registrationId", json_object_new_int(1234));
    json_object_object_add(attrs, "pniRegistrationId", json_object_new_int(4321));
    json_object_object_add(caps, "storage", json_object_new_boolean(1));
    json_object_object_add(attrs, "capabilities", caps);
    add_b64(attrs, "unidentifiedAccessKey", acct->uak, 16);
    json_object_object_add(o, "accountAttributes", attrs);
    json_object_object_add(o, "skipDeviceTransfer", json_object_new_boolean(1));
    add_b64(o, "aciIdentityKey", acct->aci_ik.pub, 33);
    add_b64(o, "pniIdentityKey", acct->pni_ik.pub, 33);
    json_object_object_add(o, "aciSignedPreKey", signed_key(&acct->aci_ik, 0, 1, corrupt));
    json_object_object_add(o, "pniSignedPreKey", signed_key(&acct->pni_ik, 0, 2, 0));
    json_object_object_add(o, "aciPqLastResortPreKey", signed_key(&acct->aci_ik, 1, 3, 0));
    json_object_object_add(o, "pniPqLastResortPreKey", signed_key(&acct->pni_ik, 1, 4, 0));
    s = strdup(json_object_to_json_string(o));
    json_object_put(o);
    return s;
}

/* Run the whole verification flow for a number; returns the verified session id (malloc'd). */
static char *
verify_number(const char *e164)
{
    char body[128];
    struct tresult r;
    char *id, path[160];

    snprintf(body, sizeof(body), "{\"number\":\"%s\"}", e164);
    r = tcall("POST", "/v1/verification/session", NULL, NULL, body);
    CU_ASSERT_EQUAL_FATAL(r.status, 200);
    id = strdup(tjson_str(&r, "id"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"requestedInformation\":[\"captcha\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"allowedToRequestCode\":false"));
    tresult_free(&r);

    snprintf(path, sizeof(path), "/v1/verification/session/%s/code", id);
    r = tcall("POST", path, NULL, NULL, "{\"transport\":\"sms\",\"client\":\"android\"}");
    CU_ASSERT_EQUAL(r.status, 409); /* captcha still requested */
    tresult_free(&r);

    snprintf(path, sizeof(path), "/v1/verification/session/%s", id);
    CU_ASSERT_EQUAL(tcall_status("PATCH", path, NULL, NULL, "{\"captcha\":\"wrong\"}"), 403);
    r = tcall("PATCH", path, NULL, NULL, "{\"captcha\":\"noop.noop.registration.noop\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"allowedToRequestCode\":true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"nextSms\":0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"nextCall\":null"));
    tresult_free(&r);

    snprintf(path, sizeof(path), "/v1/verification/session/%s/code", id);
    r = tcall("POST", path, NULL, NULL, "{\"transport\":\"voice\",\"client\":\"android\"}");
    CU_ASSERT_EQUAL(r.status, 418); /* voice only after a first SMS */
    tresult_free(&r);
    r = tcall("POST", path, NULL, NULL, "{\"transport\":\"sms\",\"client\":\"android\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"nextVerificationAttempt\":0"));
    tresult_free(&r);
    r = tcall("POST", path, NULL, NULL, "{\"transport\":\"sms\",\"client\":\"android\"}");
    CU_ASSERT_EQUAL(r.status, 429); /* too soon */
    tresult_free(&r);

    r = tcall("PUT", path, NULL, NULL, "{\"code\":\"000000\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"verified\":false"));
    tresult_free(&r);
    sleep(1); /* attempts are paced one per second */
    r = tcall("PUT", path, NULL, NULL, "{\"code\":\"123456\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"verified\":true"));
    tresult_free(&r);
    return id;
}

static void
account_new(struct account *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->e164, sizeof(a->e164), "+1415%07u", randombytes_uniform(10000000));
    snprintf(a->password, sizeof(a->password), "pw%08x%08x", randombytes_random(),
             randombytes_random());
    keypair_new(&a->aci_ik);
    keypair_new(&a->pni_ik);
    randombytes_buf(a->uak, 16);
}

static int
register_account(struct account *a)
{
    char *sid = verify_number(a->e164), *body, auth[128];
    struct tresult r;
    int status;

    snprintf(auth, sizeof(auth), "%s:%s", a->e164, a->password);
    body = registration_body(a, sid, 1);
    r = tcall("POST", "/v1/registration", auth, NULL, body);
    CU_ASSERT_EQUAL(r.status, 422); /* corrupted aciSignedPreKey signature */
    tresult_free(&r);
    free(body);
    body = registration_body(a, sid, 0);
    r = tcall("POST", "/v1/registration", auth, NULL, body);
    status = r.status;
    CU_ASSERT_EQUAL(r.status, 200);
    if (r.status == 200) {
        snprintf(a->aci, sizeof(a->aci), "%s", tjson_str(&r, "uuid"));
        snprintf(a->pni, sizeof(a->pni), "%s", tjson_str(&r, "pni"));
        CU_ASSERT_STRING_EQUAL(tjson_str(&r, "number"), a->e164);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"reregistration\":false"));
        snprintf(a->user, sizeof(a->user), "%s:%s", a->aci, a->password);
    }
    tresult_free(&r);
    free(body);
    free(sid);
    return status;
}

static struct account alice, bob;

static void
test_register_and_whoami(void)
{
    struct tresult r;
    char wrong[160];

    account_new(&alice);
    account_new(&bob);
    CU_ASSERT_EQUAL_FATAL(register_account(&alice), 200);
    CU_ASSERT_EQUAL_FATAL(register_account(&bob), 200);
    r = tcall("GET", "/v1/accounts/whoami", alice.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(tjson_str(&r, "uuid"), alice.aci);
    CU_ASSERT_STRING_EQUAL(tjson_str(&r, "number"), alice.e164);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"storageCapable\":true"));
    tresult_free(&r);
    snprintf(wrong, sizeof(wrong), "%s.1:nope", alice.aci);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/accounts/whoami", wrong, NULL, NULL), 401);
    snprintf(wrong, sizeof(wrong), "%s.2:%s", alice.aci, alice.password);
    r = tcall("GET", "/v1/accounts/whoami", wrong, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 401); /* no device 2 */
    tresult_free(&r);
}

static void
test_account_routes(void)
{
    char path[96];

    snprintf(path, sizeof(path), "/v1/accounts/account/%s", bob.aci);
    CU_ASSERT_EQUAL(tcall_status("HEAD", path, NULL, NULL, NULL), 200);
    snprintf(path, sizeof(path), "/v1/accounts/account/PNI:%s", bob.pni);
    CU_ASSERT_EQUAL(tcall_status("HEAD", path, NULL, NULL, NULL), 200);
    CU_ASSERT_EQUAL(tcall_status("HEAD",
                                 "/v1/accounts/account/00000000-0000-4000-8000-000000000000",
                                 NULL, NULL, NULL), 404);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/gcm/",
                                 alice.user, NULL, "{\"gcmRegistrationId\":\"tok\"}"),
                    204);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/gcm/",
                                 alice.user, NULL, "{\"gcmRegistrationId\":\"\"}"),
                    422);
    CU_ASSERT_EQUAL(tcall_status("DELETE", "/v1/accounts/gcm/", alice.user, NULL, NULL), 204);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/attributes/",
                                 alice.user, NULL,
                                 "{\"fetchesMessages\":true,\"registrationId\":77,"
                                 "\"unidentifiedAccessKey\":\"bad!\"}"),
                    422);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/attributes/",
                                 alice.user, NULL, "{\"registrationId\":\"x\"}"),
                    422);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/attributes/",
                                 alice.user, NULL, "{\"registrationId\":"),
                    400);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/name?deviceId=1",
                                 alice.user, NULL, "{\"deviceName\":\"AAECAw==\"}"),
                    204);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v1/accounts/name?deviceId=3",
                                 alice.user, NULL, "{\"deviceName\":\"AAECAw==\"}"),
                    404);
}

static char *
upload_body(const struct keypair *ik, int nec, int nkem, int corrupt_kem)
{
    struct json_object *o = json_object_new_object(), *ec = json_object_new_array(),
                       *kem = json_object_new_array();
    char *s;

    for (int i = 0; i < nec; i++) {
        struct json_object *k = json_object_new_object();
        struct keypair kp;
        keypair_new(&kp);
        json_object_object_add(k, "keyId", json_object_new_int(100 + i));
        add_b64(k, "publicKey", kp.pub, 33);
        json_object_array_add(ec, k);
    }
    for (int i = 0; i < nkem; i++)
        json_object_array_add(kem, signed_key(ik, 1, 200 + i, corrupt_kem && i == nkem - 1));
    json_object_object_add(o, "preKeys", ec);
    json_object_object_add(o, "pqPreKeys", kem);
    json_object_object_add(o, "signedPreKey", signed_key(ik, 0, 7, 0));
    s = strdup(json_object_to_json_string(o));
    json_object_put(o);
    return s;
}

static int
count_is(const char *user, const char *identity, int ec, int kem)
{
    char path[64], want[64];
    struct tresult r;
    int ok;

    snprintf(path, sizeof(path), "/v2/keys?identity=%s", identity);
    snprintf(want, sizeof(want), "{\"count\":%d,\"pqCount\":%d}", ec, kem);
    r = tcall("GET", path, user, NULL, NULL);
    ok = r.status == 200 && strcmp(r.body, want) == 0;
    if (!ok)
        fprintf(stderr, "count: got %d %s, want %s\n", r.status, r.body, want);
    tresult_free(&r);
    return ok;
}

static void
test_keys(void)
{
    struct tresult r;
    char *body, path[128], uak_hdr[64];
    char *key1 = NULL;

    body = upload_body(&alice.aci_ik, 2, 2, 1);
    r = tcall("PUT", "/v2/keys?identity=aci", alice.user, NULL, body);
    CU_ASSERT_EQUAL(r.status, 422); /* one bad KEM signature rejects the whole upload */
    tresult_free(&r);
    free(body);
    CU_ASSERT_TRUE(count_is(alice.user, "aci", 0, 0));

    body = upload_body(&alice.aci_ik, 2, 1, 0);
    CU_ASSERT_EQUAL(tcall_status("PUT", "/v2/keys?identity=aci", alice.user, NULL, body), 204);
    free(body);
    CU_ASSERT_TRUE(count_is(alice.user, "aci", 2, 1));
    CU_ASSERT_TRUE(count_is(alice.user, "pni", 0, 0));

    /* Bob fetches twice: each one-time key once, then the KEM last-resort key. */
    snprintf(path, sizeof(path), "/v2/keys/%s/1", alice.aci);
    r = tcall("GET", path, bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"keyId\":100"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"keyId\":200"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"registrationId\":1234"));
    key1 = strdup(r.body);
    tresult_free(&r);
    CU_ASSERT_TRUE(count_is(alice.user, "aci", 1, 0));
    snprintf(path, sizeof(path), "/v2/keys/%s/*", alice.aci);
    r = tcall("GET", path, bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"keyId\":101"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"keyId\":3")); /* last resort from registration */
    tresult_free(&r);
    r = tcall("GET", path, bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"preKey\":null"));
    tresult_free(&r);
    free(key1);

    /* PNI bundle carries the PNI identity key and registration id. */
    snprintf(path, sizeof(path), "/v2/keys/PNI:%s/1", alice.pni);
    r = tcall("GET", path, bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"registrationId\":4321"));
    tresult_free(&r);

    /* Access rules. */
    snprintf(path, sizeof(path), "/v2/keys/%s/1", alice.aci);
    CU_ASSERT_EQUAL(tcall_status("GET", path, NULL, NULL, NULL), 401);
    char *k = b64(alice.uak, 16, B64_STD_PAD);
    snprintf(uak_hdr, sizeof(uak_hdr), "unidentified-access-key: %s", k);
    free(k);
    CU_ASSERT_EQUAL(tcall_status("GET", path, NULL, uak_hdr, NULL), 200);
    CU_ASSERT_EQUAL(tcall_status("GET", path,
                                 NULL, "unidentified-access-key: AAAAAAAAAAAAAAAAAAAAAA==", NULL),
                    401);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v2/keys/00000000-0000-4000-8000-000000000000/1",
                                 bob.user, NULL, NULL),
                    404);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v2/keys/00000000-0000-4000-8000-000000000000/1",
                                 NULL, uak_hdr, NULL),
                    401);
    snprintf(path, sizeof(path), "/v2/keys/%s/x", alice.aci);
    CU_ASSERT_EQUAL(tcall_status("GET", path, bob.user, NULL, NULL), 422);
    snprintf(path, sizeof(path), "/v2/keys/%s/5", alice.aci);
    CU_ASSERT_EQUAL(tcall_status("GET", path, bob.user, NULL, NULL), 404);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v2/keys/not-a-uuid/1", bob.user, NULL, NULL), 400);
}

static void
test_keys_check(void)
{
    CU_ASSERT_EQUAL(tcall_status("POST", "/v2/keys/check",
                                 alice.user, NULL,
                                 "{\"identityType\":\"ACI\",\"digest\":"
                                 "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}"),
                    409);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v2/keys/check",
                                 alice.user, NULL,
                                 "{\"identityType\":\"ACI\",\"digest\":\"AA==\"}"),
                    422);
}

static void
test_reregistration_keeps_aci(void)
{
    char *sid = verify_number(alice.e164), *body, auth[128], old[37];
    struct tresult r;

    snprintf(old, sizeof(old), "%s", alice.aci);
    snprintf(alice.password, sizeof(alice.password), "newpassword123");
    snprintf(auth, sizeof(auth), "%s:%s", alice.e164, alice.password);
    body = registration_body(&alice, sid, 0);
    r = tcall("POST", "/v1/registration", auth, NULL, body);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(tjson_str(&r, "uuid"), old);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"reregistration\":true"));
    tresult_free(&r);
    /* old credentials stop working */
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/accounts/whoami", alice.user, NULL, NULL), 401);
    snprintf(alice.user, sizeof(alice.user), "%s:%s", alice.aci, alice.password);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/accounts/whoami", alice.user, NULL, NULL), 200);
    /* a session id for another number is refused */
    free(body);
    body = registration_body(&bob, sid, 0);
    snprintf(auth, sizeof(auth), "%s:x", bob.e164);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/registration", auth, NULL, body), 400);
    free(body);
    free(sid);
}

static void
test_bad_verification_input(void)
{
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/verification/session",

                                 NULL, NULL, "{\"number\":\"12345\"}"),

                    400);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/verification/session", NULL, NULL, "{}"), 422);
    CU_ASSERT_EQUAL(tcall_status("POST", "/v1/verification/session",
                                 NULL, NULL, "{\"number\":\"+14155550100\",\"pushToken\":\"x\"}"),
                    422);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/verification/session/AAAAAAAAAAAAAAAAAAAAAA==",
                                 NULL, NULL, NULL),
                    404);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/verification/session/!!", NULL, NULL, NULL), 422);
}

static void
test_delete_account(void)
{
    struct tresult r = tcall("DELETE", "/v1/accounts/me", bob.user, NULL, NULL);
    char path[96];

    CU_ASSERT_EQUAL(r.status, 204);
    tresult_free(&r);
    CU_ASSERT_EQUAL(tcall_status("GET", "/v1/accounts/whoami", bob.user, NULL, NULL), 401);
    snprintf(path, sizeof(path), "/v1/accounts/account/%s", bob.aci);
    CU_ASSERT_EQUAL(tcall_status("HEAD", path, NULL, NULL, NULL), 404);
}

void
suite_api_db(void)
{
    CU_pSuite s;

    if (tcall_ctx() == NULL) {
        printf("api (database): skipped, HG_TEST_CONF not set or store unreachable\n");
        return;
    }
    s = CU_add_suite("api (database)", NULL, NULL);
    CU_add_test(s, "verification input errors", test_bad_verification_input);
    CU_add_test(s, "register and whoami", test_register_and_whoami);
    CU_add_test(s, "account routes", test_account_routes);
    CU_add_test(s, "keys", test_keys);
    CU_add_test(s, "keys check", test_keys_check);
    CU_add_test(s, "re-registration keeps the ACI", test_reregistration_keeps_aci);
    CU_add_test(s, "delete account", test_delete_account);
}
