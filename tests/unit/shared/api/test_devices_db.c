/* Device linking against the real router and a private MariaDB + memcached (HG_TEST_CONF):
 * provisioning codes, PUT /v1/devices/link (ids, signatures, capabilities, single-use tokens,
 * the device limit), the new device's credentials, listing with createdAtCiphertext, the
 * wait_for_linked_device long poll, removal, capabilities, provisioning messages. Accounts are
 * created through the store with real identity key pairs, so the link requests can be signed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/digest.h"
#include "crypto/hpke.h"
#include "crypto/server_keys.h"
#include "crypto/token.h"
#include "crypto/xeddsa.h"
#include "http/ctx.h"
#include "store/store.h"
#include "suites.h"
#include "tcall.h"

struct keypair {
    uint8_t priv[32], pub[33];
};

struct lacct {
    char e164[20], password[40], aci_s[37], pni_s[37], user[96];
    uint8_t aci[16], pni[16];
    struct keypair aci_ik, pni_ik;
};

static struct lacct alice, bob;

static struct store *
st(void)
{
    return tcall_ctx()->store;
}

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

static void
add_b64(struct json_object *o, const char *k, const uint8_t *p, size_t n)
{
    char *s = malloc(b64_encoded_len(n, B64_STD_PAD) + 1);

    b64_encode_to(s, p, n, B64_STD_PAD);
    json_object_object_add(o, k, json_object_new_string(s));
    free(s);
}

/* {keyId, publicKey, signature} for an EC (kem = 0) or KEM key signed by identity. */
static struct json_object *
signed_key(const struct keypair *identity, int kem, int id, int corrupt)
{
    struct json_object *o = json_object_new_object();
    uint8_t pub[1569], sig[64];
    size_t n = kem ? 1569 : 33;

    if (kem) {
        pub[0] = 0x08;
        randombytes_buf(pub + 1, 1568);
    } else {
        struct keypair k;
        keypair_new(&k);
        memcpy(pub, k.pub, 33);
    }
    cx_xeddsa_sign(identity->priv, pub, n, sig);
    if (corrupt)
        sig[5] ^= 1;
    json_object_object_add(o, "keyId", json_object_new_int(id));
    add_b64(o, "publicKey", pub, n);
    add_b64(o, "signature", sig, 64);
    return o;
}

/* An account with one primary device, made through the store with real identity keys. */
static void
lacct_new(struct lacct *t)
{
    struct registration r = { 0 };
    struct keypair spk;
    uint8_t sig[4][64], kem[2][1569];
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    bool rereg;

    memset(t, 0, sizeof(*t));
    snprintf(t->e164, sizeof(t->e164), "+1415%07u", randombytes_uniform(10000000));
    snprintf(t->password, sizeof(t->password), "pw%08x%08x", randombytes_random(),
             randombytes_random());
    keypair_new(&t->aci_ik);
    keypair_new(&t->pni_ik);
    keypair_new(&spk);
    for (int i = 0; i < 2; i++) {
        kem[i][0] = 0x08;
        randombytes_buf(kem[i] + 1, 1568);
    }
    cx_xeddsa_sign(t->aci_ik.priv, spk.pub, 33, sig[0]);
    cx_xeddsa_sign(t->pni_ik.priv, spk.pub, 33, sig[1]);
    cx_xeddsa_sign(t->aci_ik.priv, kem[0], 1569, sig[2]);
    cx_xeddsa_sign(t->pni_ik.priv, kem[1], 1569, sig[3]);
    token_hash_new(t->password, strlen(t->password), salt, hash);
    r.e164 = t->e164;
    r.device.auth_hash = hash;
    r.device.auth_salt = salt;
    r.device.registration_id = 1111;
    r.device.pni_registration_id = 2222;
    r.device.fetches_messages = true;
    r.device.capabilities = "{\"spqr\":true,\"usernameChangeSyncMessage\":true}";
    r.aci_identity_key = t->aci_ik.pub;
    r.pni_identity_key = t->pni_ik.pub;
    r.has_pni_keys = true;
    r.aci_signed = (struct signed_key){ 1, spk.pub, 33, sig[0], 64 };
    r.pni_signed = (struct signed_key){ 2, spk.pub, 33, sig[1], 64 };
    r.aci_last_resort = (struct signed_key){ 3, kem[0], 1569, sig[2], 64 };
    r.pni_last_resort = (struct signed_key){ 4, kem[1], 1569, sig[3], 64 };
    CU_ASSERT_EQUAL_FATAL(store_account_register(st(), &r, t->aci, t->pni, &rereg), E_OK);
    uuid_format(t->aci, t->aci_s);
    uuid_format(t->pni, t->pni_s);
    snprintf(t->user, sizeof(t->user), "%s:%s", t->aci_s, t->password);
}

enum { LINK_OK = 0, LINK_BAD_SIG, LINK_NO_SPQR, LINK_NO_CAPS };

static char *
link_body(const struct lacct *t, const char *code, int variant, int regid)
{
    struct json_object *o = json_object_new_object(), *attrs = json_object_new_object();
    struct json_object *caps = json_object_new_object();
    char *s;

    json_object_object_add(o, "verificationCode", json_object_new_string(code));
    json_object_object_add(attrs, "fetchesMessages", json_object_new_boolean(1));
    json_object_object_add(attrs, "registrationId", json_object_new_int(regid));
    json_object_object_add(attrs, "pniRegistrationId", json_object_new_int(regid + 1));
    add_b64(attrs, "name", (const uint8_t *)"encrypted-name", 14);
    json_object_object_add(caps, "storage", json_object_new_boolean(1));
    json_object_object_add(caps, "usernameChangeSyncMessage", json_object_new_boolean(1));
    json_object_object_add(caps, "spqr", json_object_new_boolean(variant != LINK_NO_SPQR));
    if (variant != LINK_NO_CAPS)
        json_object_object_add(attrs, "capabilities", caps);
    else
        json_object_put(caps);
    json_object_object_add(o, "accountAttributes", attrs);
    json_object_object_add(o, "aciSignedPreKey",
                           signed_key(&t->aci_ik, 0, 11, variant == LINK_BAD_SIG));
    json_object_object_add(o, "aciPqLastResortPreKey", signed_key(&t->aci_ik, 1, 12, 0));
    json_object_object_add(o, "pniSignedPreKey", signed_key(&t->pni_ik, 0, 13, 0));
    json_object_object_add(o, "pniPqLastResortPreKey", signed_key(&t->pni_ik, 1, 14, 0));
    s = strdup(json_object_to_json_string(o));
    json_object_put(o);
    return s;
}

/* GET /v1/devices/provisioning/code as user: status, and the token and its id when 200. */
static int
provisioning_code(const char *user, char *code, size_t codelen, char *id, size_t idlen)
{
    struct tresult r = tcall("GET", "/v1/devices/provisioning/code", user, NULL, NULL);
    int status = r.status;

    if (status == 200) {
        snprintf(code, codelen, "%s", tjson_str(&r, "verificationCode"));
        if (id != NULL)
            snprintf(id, idlen, "%s", tjson_str(&r, "tokenIdentifier"));
    }
    tresult_free(&r);
    return status;
}

/* PUT /v1/devices/link: status; *device_id from a 200. */
static int
link(const struct lacct *t, const char *code, int variant, const char *password, int regid,
     int *device_id)
{
    char auth[128], *body = link_body(t, code, variant, regid);
    struct tresult r;
    int status;

    snprintf(auth, sizeof(auth), "%s:%s", t->e164, password);
    r = tcall("PUT", "/v1/devices/link", auth, NULL, body);
    status = r.status;
    if (status == 200) {
        struct json_object *v;
        CU_ASSERT_STRING_EQUAL(tjson_str(&r, "uuid"), t->aci_s);
        CU_ASSERT_STRING_EQUAL(tjson_str(&r, "pni"), t->pni_s);
        if (device_id != NULL && json_object_object_get_ex(r.json, "deviceId", &v))
            *device_id = json_object_get_int(v);
    } else if (status != 403 && status != 422 && status != 409 && status != 411) {
        fprintf(stderr, "link: %d %s\n", r.status, r.body);
    }
    tresult_free(&r);
    free(body);
    return status;
}

static char code_a[256], id_a[80];

static void
test_link(void)
{
    char user2[128], code[256];
    int dev = 0;

    lacct_new(&alice);
    lacct_new(&bob);
    CU_ASSERT_EQUAL_FATAL(provisioning_code(alice.user, code_a, sizeof(code_a), id_a,
                                            sizeof(id_a)), 200);
    CU_ASSERT_EQUAL(strlen(id_a), 43);
    CU_ASSERT_EQUAL(strncmp(code_a, alice.aci_s, 36), 0);
    CU_ASSERT_EQUAL(code_a[36], '.');

    /* Refusals leave the token unspent. (Each attempt with a valid token spends a permit of
     * verifyDevice, 6 per 2 minutes: this suite uses exactly 6 for alice.) */
    CU_ASSERT_EQUAL(link(&alice, code_a, LINK_BAD_SIG, "pw-two", 501, NULL), 422);
    CU_ASSERT_EQUAL(link(&alice, code_a, LINK_NO_SPQR, "pw-two", 501, NULL), 409);
    CU_ASSERT_EQUAL(link(&alice, code_a, LINK_NO_CAPS, "pw-two", 501, NULL), 422);
    snprintf(code, sizeof(code), "%s", code_a);
    code[strlen(code) - 3] ^= 1;                                            /* forged MAC */
    CU_ASSERT_EQUAL(link(&alice, code, LINK_OK, "pw-two", 501, NULL), 403);
    /* a correctly signed token older than 10 minutes */
    {
        const struct server_keys *k = tcall_ctx()->keys;
        char claims[80], *m;
        uint8_t mac[32];

        snprintf(claims, sizeof(claims), "%s.%lld", alice.aci_s,
                 (long long)(now_ms() - LINK_TOKEN_TTL_MS - 1000));
        cx_hmac_sha256(k->link_secret, k->link_secret_len, claims, strlen(claims), mac);
        m = malloc(b64_encoded_len(32, B64_URL_PAD) + 1);
        b64_encode_to(m, mac, 32, B64_URL_PAD);
        snprintf(code, sizeof(code), "%s:%s", claims, m);
        free(m);
        CU_ASSERT_EQUAL(link(&alice, code, LINK_OK, "pw-two", 501, NULL), 403);
        snprintf(code, sizeof(code), "%s.%lld", alice.aci_s, (long long)now_ms());
        CU_ASSERT_EQUAL(link(&alice, code, LINK_OK, "pw-two", 501, NULL), 403); /* no MAC */
    }
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/link", NULL, "{}"), 401);

    CU_ASSERT_EQUAL(link(&alice, code_a, LINK_OK, "pw-two", 501, &dev), 200);
    CU_ASSERT_EQUAL(dev, 2);
    /* single use */
    CU_ASSERT_EQUAL(link(&alice, code_a, LINK_OK, "pw-three", 502, NULL), 403);

    snprintf(user2, sizeof(user2), "%s.2:pw-two", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/accounts/whoami", user2, NULL), 200);
    snprintf(user2, sizeof(user2), "%s.2:wrong", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/accounts/whoami", user2, NULL), 401);
    /* only the primary hands out link tokens */
    snprintf(user2, sizeof(user2), "%s.2:pw-two", alice.aci_s);
    CU_ASSERT_EQUAL(provisioning_code(user2, code, sizeof(code), NULL, 0), 401);
    /* a linked device updates its own attributes */
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/accounts/attributes", user2,
                              "{\"fetchesMessages\":true,\"registrationId\":777,"
                              "\"capabilities\":{\"spqr\":true}}"), 204);
    /* the seed-era unauthenticated_delivery route: 204 for a device, 401 without credentials */
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/unauthenticated_delivery", user2, NULL), 204);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/unauthenticated_delivery", NULL, NULL), 401);
}

static void
test_list_and_created_at(void)
{
    struct tresult r = tcall("GET", "/v1/devices", alice.user, NULL, NULL);
    struct json_object *list, *d, *v;
    int seen = 0;

    CU_ASSERT_EQUAL_FATAL(r.status, 200);
    CU_ASSERT_FATAL(json_object_object_get_ex(r.json, "devices", &list));
    CU_ASSERT_EQUAL(json_object_array_length(list), 2);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        struct arena *a = arena_new(1024);
        uint8_t *ct, aad[5], pt[16];
        size_t ct_len;
        int id, regid;
        int64_t created = 0;
        long n;

        d = json_object_array_get_idx(list, i);
        CU_ASSERT_FATAL(json_object_object_get_ex(d, "id", &v));
        id = json_object_get_int(v);
        CU_ASSERT_FATAL(json_object_object_get_ex(d, "registrationId", &v));
        regid = json_object_get_int(v);
        CU_ASSERT_EQUAL(regid, id == 1 ? 1111 : 777);
        CU_ASSERT_FATAL(json_object_object_get_ex(d, "createdAtCiphertext", &v));
        const char *s = json_object_get_string(v);
        CU_ASSERT_EQUAL_FATAL(b64_decode(a, s, strlen(s), 0, &ct, &ct_len), 0);
        CU_ASSERT_EQUAL(ct_len, CX_HPKE_DEVICE_CREATED_LEN);
        aad[0] = (uint8_t)id;
        aad[1] = (uint8_t)(regid >> 24);
        aad[2] = (uint8_t)(regid >> 16);
        aad[3] = (uint8_t)(regid >> 8);
        aad[4] = (uint8_t)regid;
        n = cx_hpke_open(alice.aci_ik.priv, ct, ct_len, (const uint8_t *)"deviceCreatedAt", 15,
                         aad, 5, pt);
        CU_ASSERT_EQUAL(n, 8);
        for (int k = 0; k < 8 && n == 8; k++)
            created = created << 8 | pt[k];
        CU_ASSERT(created > now_ms() - 600000 && created <= now_ms());
        if (id == 2) {
            CU_ASSERT_FATAL(json_object_object_get_ex(d, "name", &v));
            CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "ZW5jcnlwdGVkLW5hbWU=");
        }
        seen |= 1 << id;
        arena_free(a);
    }
    CU_ASSERT_EQUAL(seen, 6);
    tresult_free(&r);

    /* both devices have bundles */
    char path[96];
    snprintf(path, sizeof(path), "/v2/keys/%s/*", alice.aci_s);
    r = tcall("GET", path, bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"deviceId\":1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"deviceId\":2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"registrationId\":777"));
    tresult_free(&r);
}

static void
test_wait_for_linked_device(void)
{
    char path[200];
    struct tresult r;
    int64_t t0;

    snprintf(path, sizeof(path), "/v1/devices/wait_for_linked_device/%s?timeout=2", id_a);
    r = tcall("GET", path, alice.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"id\":2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"createdAtCiphertext\":\""));
    tresult_free(&r);
    t0 = now_ms();
    r = tcall("GET",
              "/v1/devices/wait_for_linked_device/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
              "?timeout=1", alice.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 204);
    CU_ASSERT(now_ms() - t0 >= 800);
    tresult_free(&r);
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/devices/wait_for_linked_device/short", alice.user,
                              NULL), 400);
    snprintf(path, sizeof(path), "/v1/devices/wait_for_linked_device/%s?timeout=0", id_a);
    CU_ASSERT_EQUAL(tcall_status_u("GET", path, alice.user, NULL), 400);
}

static void
test_capabilities(void)
{
    char user2[128];
    struct arena *a = arena_new(4096);
    struct account_rec acct;

    snprintf(user2, sizeof(user2), "%s.2:pw-two", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/capabilities", user2,
                              "{\"spqr\":true,\"storage\":false,\"futureThing\":true}"), 204);
    CU_ASSERT_EQUAL_FATAL(store_account_get(st(), a, alice.aci, &acct), E_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(account_device(&acct, 2));
    CU_ASSERT_STRING_EQUAL(account_device(&acct, 2)->capabilities,
                           "{\"spqr\":true,\"futureThing\":true}");
    CU_ASSERT_STRING_EQUAL(account_device(&acct, 1)->capabilities,
                           "{\"spqr\":true,\"usernameChangeSyncMessage\":true}");
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/capabilities", user2, "[1]"), 422);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/devices/capabilities", user2, "{"), 400);
    arena_free(a);
}

static void
test_remove(void)
{
    char user2[128], path[96], code[256];
    int dev = 0, ec = -1, kem = -1;

    snprintf(user2, sizeof(user2), "%s.2:pw-two", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("DELETE", "/v1/devices/1", alice.user, NULL), 403);
    CU_ASSERT_EQUAL(tcall_status_u("DELETE", "/v1/devices/1", user2, NULL), 401);
    CU_ASSERT_EQUAL(tcall_status_u("DELETE", "/v1/devices/x", alice.user, NULL), 404);
    /* one-time keys of device 2 go with it */
    struct keypair ot;
    struct json_object *up = json_object_new_object(), *arr = json_object_new_array(),
                       *k = json_object_new_object();
    keypair_new(&ot);
    json_object_object_add(k, "keyId", json_object_new_int(5));
    add_b64(k, "publicKey", ot.pub, 33);
    json_object_array_add(arr, k);
    json_object_object_add(up, "preKeys", arr);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v2/keys?identity=aci", user2,
                              json_object_to_json_string(up)), 204);
    json_object_put(up);
    CU_ASSERT_EQUAL(store_keys_count(st(), alice.aci, 2, KEY_ACI, &ec, &kem), E_OK);
    CU_ASSERT_EQUAL(ec, 1);
    CU_ASSERT_EQUAL(tcall_status_u("DELETE", "/v1/devices/2", user2, NULL), 204);   /* itself */
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/accounts/whoami", user2, NULL), 401);
    CU_ASSERT_EQUAL(store_keys_count(st(), alice.aci, 2, KEY_ACI, &ec, &kem), E_OK);
    CU_ASSERT_EQUAL(ec, 0);
    snprintf(path, sizeof(path), "/v2/keys/%s/2", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("GET", path, bob.user, NULL), 404);

    /* the freed id is the lowest free one again */
    CU_ASSERT_EQUAL_FATAL(provisioning_code(alice.user, code, sizeof(code), NULL, 0), 200);
    CU_ASSERT_EQUAL(link(&alice, code, LINK_OK, "pw-again", 503, &dev), 200);
    CU_ASSERT_EQUAL(dev, 2);
    snprintf(user2, sizeof(user2), "%s.2:pw-again", alice.aci_s);
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/accounts/whoami", user2, NULL), 200);
    CU_ASSERT_EQUAL(tcall_status_u("DELETE", "/v1/devices/2", alice.user, NULL), 204); /* primary */
    CU_ASSERT_EQUAL(tcall_status_u("GET", "/v1/accounts/whoami", user2, NULL), 401);
}

static void
test_device_limit(void)
{
    char code[256];
    struct tresult r;
    struct device_link l = { 0 };
    uint8_t id;
    int64_t created;

    for (int want = 2; want <= MAX_DEVICES; want++) {
        int dev = 0;
        char pw[16];

        snprintf(pw, sizeof(pw), "pw-%d", want);
        CU_ASSERT_EQUAL_FATAL(provisioning_code(bob.user, code, sizeof(code), NULL, 0), 200);
        CU_ASSERT_EQUAL(link(&bob, code, LINK_OK, pw, 600 + want, &dev), 200);
        CU_ASSERT_EQUAL(dev, want);
    }
    r = tcall("GET", "/v1/devices/provisioning/code", bob.user, NULL, NULL);
    CU_ASSERT_EQUAL(r.status, 411);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"current\":6,\"max\":6}");
    tresult_free(&r);
    /* the store refuses a seventh device even with a token the handler let through */
    randombytes_buf(l.token_hash, 32);
    l.token_expires_ms = now_ms() + 60000;
    l.device.auth_hash = "x";
    l.device.auth_salt = "y";
    l.device.registration_id = 1;
    CU_ASSERT_EQUAL(store_device_link(st(), bob.aci, &l, &id, &created), E_DEVICE_LIMIT);
}

static void
test_provisioning_message(void)
{
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/provisioning/AAAAAAAAAAAAAAAAAAAAAA==", alice.user,
                              "{\"body\":\"CgEB\"}"), 404);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/provisioning/not-an-address", alice.user,
                              "{\"body\":\"CgEB\"}"), 404);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/provisioning/AAAAAAAAAAAAAAAAAAAAAA==", alice.user,
                              "{}"), 422);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/provisioning/AAAAAAAAAAAAAAAAAAAAAA==", alice.user,
                              "{\"body\":\"!!\"}"), 400);
    CU_ASSERT_EQUAL(tcall_status_u("PUT", "/v1/provisioning/AAAAAAAAAAAAAAAAAAAAAA==", NULL,
                              "{\"body\":\"CgEB\"}"), 401);
}

void
suite_devices_db(void)
{
    CU_pSuite s;

    if (tcall_ctx() == NULL) {
        printf("devices (database): skipped, HG_TEST_CONF not set or store unreachable\n");
        return;
    }
    s = CU_add_suite("devices (database)", NULL, NULL);
    CU_add_test(s, "link a device", test_link);
    CU_add_test(s, "list devices, createdAtCiphertext", test_list_and_created_at);
    CU_add_test(s, "wait for linked device", test_wait_for_linked_device);
    CU_add_test(s, "capabilities", test_capabilities);
    CU_add_test(s, "remove devices", test_remove);
    CU_add_test(s, "device limit", test_device_limit);
    CU_add_test(s, "provisioning messages", test_provisioning_message);
}
