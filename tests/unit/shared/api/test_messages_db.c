/* Message delivery against the real router and a private MariaDB + memcached (HG_TEST_CONF):
 * PUT /v1/messages validation (409/410/413/422/404/403/401 with exact bodies), what is queued
 * (both string and binary envelope ids), sync and story sends, ephemeral sends not stored,
 * GET /v1/messages, acks with delivery receipts, push enqueue, and the store's batch insert,
 * shared payloads and expiry. Accounts are created through the store (registration itself is
 * covered by test_api_db.c); a second device is added with SQL, as device linking is not here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <sodium.h>

#include "api/delivery.h"
#include "core/arena.h"
#include "core/b64.h"
#include "core/conf.h"
#include "core/str.h"
#include "crypto/server_keys.h"
#include "crypto/token.h"
#include "http/ctx.h"
#include "proto/envelope.pb-c.h"
#include "push/push.h"
#include "store/account_cache.h"
#include "store/db.h"
#include "store/ratelimit.h"
#include "store/store.h"
#include "suites.h"
#include "tcall.h"

struct tacct {
    uint8_t aci[16], pni[16], uak[16];
    char aci_s[37], pni_s[37], e164[20];
    char password[40];
    char user[2][96];          /* "aci.N:password" for devices 1 and 2 */
    int reg[2], pni_reg[2];
    int ndevices;
};

static struct tacct alice, bob, carol;

static const char SQL_ADD_DEVICE[] =
    "INSERT INTO devices (aci, device_id, auth_hash, auth_salt, registration_id, "
    "pni_registration_id, fetches_messages, created_ms, last_seen_ms) VALUES (?,?,?,?,?,?,1,?,?)";
static const char SQL_PUSH_ROW[] =
    "SELECT urgent FROM push_queue WHERE aci = ? AND device_id = ?";
static const char SQL_PAYLOADS[] = "SELECT COUNT(*) FROM message_payloads WHERE id > ?";
/* CAST: MAX() of the unsigned id column comes back as a decimal, which one_int cannot read */
static const char SQL_MAX_PAYLOAD[] =
    "SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) FROM message_payloads";

static struct store *
st(void)
{
    return tcall_ctx()->store;
}

static void
tacct_new(struct tacct *t, int ndevices, const char *gcm)
{
    struct registration r = { 0 };
    uint8_t ik[33], pub[33], sig[64];
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    bool rereg;

    memset(t, 0, sizeof(*t));
    snprintf(t->e164, sizeof(t->e164), "+1415%07u", randombytes_uniform(10000000));
    snprintf(t->password, sizeof(t->password), "pw%08x%08x", randombytes_random(),
             randombytes_random());
    randombytes_buf(t->uak, 16);
    randombytes_buf(ik, 33);
    ik[0] = 0x05;
    randombytes_buf(pub, 33);
    randombytes_buf(sig, 64);
    t->ndevices = ndevices;
    for (int i = 0; i < 2; i++) {
        t->reg[i] = 1 + (int)randombytes_uniform(16000);
        t->pni_reg[i] = 1 + (int)randombytes_uniform(16000);
    }
    token_hash_new(t->password, strlen(t->password), salt, hash);
    r.e164 = t->e164;
    r.device.auth_hash = hash;
    r.device.auth_salt = salt;
    r.device.registration_id = t->reg[0];
    r.device.pni_registration_id = t->pni_reg[0];
    r.device.fetches_messages = true;
    r.device.gcm_token = (char *)gcm;
    r.aci_identity_key = ik;
    r.pni_identity_key = ik;
    r.has_pni_keys = true;
    r.aci_signed = r.pni_signed = r.aci_last_resort = r.pni_last_resort =
        (struct signed_key){ .key_id = 1, .pub = pub, .pub_len = 33, .sig = sig, .sig_len = 64 };
    r.uak = t->uak;
    CU_ASSERT_EQUAL_FATAL(store_account_register(st(), &r, t->aci, t->pni, &rereg), E_OK);
    if (ndevices > 1) {
        int64_t now = now_ms();
        struct dbv p[] = { V_BLOB(t->aci, 16), V_I64(2), V_STR(hash), V_STR(salt),
                           V_I64(t->reg[1]), V_I64(t->pni_reg[1]), V_I64(now), V_I64(now) };
        CU_ASSERT_EQUAL_FATAL(db_exec(st(), NULL, SQL_ADD_DEVICE, p, DB_NPARAMS(p), NULL), E_OK);
        store_account_changed(st(), t->aci);
    }
    uuid_format(t->aci, t->aci_s);
    uuid_format(t->pni, t->pni_s);
    for (int i = 0; i < 2; i++)
        snprintf(t->user[i], sizeof(t->user[i]), "%s.%d:%s", t->aci_s, i + 1, t->password);
}

static char *
b64s(const uint8_t *p, size_t n)
{
    char *s = malloc(b64_encoded_len(n, B64_STD_PAD) + 1);

    b64_encode_to(s, p, n, B64_STD_PAD);
    return s;
}

/* {"messages":[{type,destinationDeviceId,destinationRegistrationId,content}...],...}; devs and
 * regs have n entries; content is "m<dev>" unless content_len > 0 (random bytes). */
static char *
send_body(int type, const int *devs, const int *regs, size_t n, size_t content_len, int online,
          int64_t ts)
{
    struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
    char *s;

    for (size_t i = 0; i < n; i++) {
        struct json_object *m = json_object_new_object();
        char txt[16], *c;
        json_object_object_add(m, "type", json_object_new_int(type));
        json_object_object_add(m, "destinationDeviceId", json_object_new_int(devs[i]));
        json_object_object_add(m, "destinationRegistrationId", json_object_new_int(regs[i]));
        if (content_len > 0) {
            uint8_t *raw = malloc(content_len);
            randombytes_buf(raw, content_len);
            c = b64s(raw, content_len);
            free(raw);
        } else {
            snprintf(txt, sizeof(txt), "m%d", devs[i]);
            c = b64s((const uint8_t *)txt, strlen(txt));
        }
        json_object_object_add(m, "content", json_object_new_string(c));
        free(c);
        json_object_array_add(arr, m);
    }
    json_object_object_add(o, "messages", arr);
    json_object_object_add(o, "online", json_object_new_boolean(online));
    json_object_object_add(o, "urgent", json_object_new_boolean(1));
    json_object_object_add(o, "timestamp", json_object_new_int64(ts));
    s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static struct tresult
put_msg(const char *auth, const char *extra, const char *dest, const char *body)
{
    char path[128];

    snprintf(path, sizeof(path), "/v1/messages/%s", dest);
    return tcall("PUT", path, auth, extra, body);
}

/* Status and exact body of a send. */
static int
send_is(const char *auth, const char *extra, const char *dest, const char *body, int status,
        const char *want)
{
    struct tresult r = put_msg(auth, extra, dest, body);
    int ok = r.status == status && (want == NULL || strcmp(r.body, want) == 0);

    if (!ok)
        fprintf(stderr, "send %s: got %d %s, want %d %s\n", dest, r.status, r.body, status,
                want ? want : "");
    tresult_free(&r);
    return ok;
}

static size_t
queued(const struct tacct *t, uint8_t dev)
{
    size_t n = 0;

    CU_ASSERT_EQUAL(store_msgs_count(st(), t->aci, dev, &n), E_OK);
    return n;
}

/* The newest queued envelope of a device, decoded into a (caller frees the arena). */
static Textsecure__Envelope *
newest(struct arena *a, const struct tacct *t, uint8_t dev, struct msg_rec *rec)
{
    struct msg_rec *recs;
    size_t n;

    if (store_msgs_fetch(st(), a, t->aci, dev, 0, 1000, &recs, &n) != E_OK || n == 0)
        return NULL;
    if (rec != NULL)
        *rec = recs[n - 1];
    return delivery_env_decode(a, recs[n - 1].env, recs[n - 1].env_len);
}

static void
test_setup(void)
{
    tacct_new(&alice, 1, NULL);
    tacct_new(&bob, 2, NULL);
    tacct_new(&carol, 1, "gcm-token-carol");
}

static void
test_send_validation(void)
{
    int d1[] = { 1 }, d12[] = { 1, 2 }, d123[] = { 1, 2, 3 }, d2[] = { 2 };
    int r1[] = { bob.reg[0] }, r12[] = { bob.reg[0], bob.reg[1] };
    int r12s[] = { bob.reg[0], bob.reg[1] + 1 }, r123[] = { bob.reg[0], bob.reg[1], 5 };
    int r12both[] = { bob.reg[0] + 1, bob.reg[1] + 1 };
    char *b;

    b = send_body(1, d1, r1, 1, 0, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 409,
                           "{\"missingDevices\":[2],\"extraDevices\":[]}"));
    free(b);
    b = send_body(1, d123, r123, 3, 0, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 409,
                           "{\"missingDevices\":[],\"extraDevices\":[3]}"));
    free(b);
    b = send_body(1, d12, r12s, 2, 0, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 410, "{\"staleDevices\":[2]}"));
    free(b);
    b = send_body(1, d12, r12both, 2, 0, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 410, "{\"staleDevices\":[1,2]}"));
    free(b);
    /* stale wins over missing */
    {
        int rs[] = { bob.reg[1] + 1 };
        b = send_body(1, d2, rs, 1, 0, 0, 1000);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 410, "{\"staleDevices\":[2]}"));
        free(b);
    }
    /* PNI-addressed: PNI registration ids are the ones that count */
    b = send_body(1, d12, r12, 2, 0, 0, 1000);
    {
        char dest[48];
        snprintf(dest, sizeof(dest), "PNI:%s", bob.pni_s);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, dest, b, 410, "{\"staleDevices\":[1,2]}"));
    }
    /* unknown recipient, unparsable recipient */
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, "0b3c4a1e-0000-4000-8000-000000000001", b, 404,
                           NULL));
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, "not-a-uuid", b, 404, NULL));
    free(b);
    /* too large: 96 KiB + 1 of content, after the device checks passed */
    b = send_body(1, d12, r12, 2, 96 * 1024 + 1, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 413, NULL));
    free(b);
    b = send_body(1, d12, r12, 2, 96 * 1024, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 200, "{\"needsSync\":false}"));
    free(b);
    /* malformed and invalid bodies */
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, "{\"messages\":[", 400, NULL));
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, "{\"messages\":[]}", 422, NULL));
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, "{}", 422, NULL));
    b = send_body(5, d12, r12, 2, 0, 0, 1000); /* SERVER_DELIVERY_RECEIPT may not be sent */
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 422, NULL));
    free(b);
    b = send_body(7, d12, r12, 2, 0, 0, 1000);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 422, NULL));
    free(b);
    b = send_body(1, d12, r12, 2, 0, 0, -1);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 422, NULL));
    free(b);
    {
        int dd[] = { 1, 1 }, rr[] = { bob.reg[0], bob.reg[0] };
        b = send_body(1, dd, rr, 2, 0, 0, 1000);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 422, NULL));
        free(b);
    }
    {
        char body[256];
        snprintf(body, sizeof(body),
                 "{\"messages\":[{\"type\":1,\"destinationDeviceId\":1,"
                 "\"destinationRegistrationId\":%d,\"content\":\"\"}]}",
                 alice.reg[0]);
        CU_ASSERT_TRUE(send_is(bob.user[0], NULL, alice.aci_s, body, 422, NULL));
        snprintf(body, sizeof(body),
                 "{\"messages\":[{\"type\":1,\"destinationDeviceId\":1,"
                 "\"destinationRegistrationId\":%d,\"content\":\"!!\"}]}",
                 alice.reg[0]);
        CU_ASSERT_TRUE(send_is(bob.user[0], NULL, alice.aci_s, body, 422, NULL));
    }
    CU_ASSERT_EQUAL(queued(&bob, 1), 1); /* only the 96 KiB message got through */
    CU_ASSERT_EQUAL(queued(&bob, 2), 1);
}

static void
test_send_envelope(void)
{
    int d12[] = { 1, 2 }, r12[] = { bob.reg[0], bob.reg[1] };
    char *b = send_body(3, d12, r12, 2, 0, 0, 1234567);
    struct arena *a = arena_new(4096);
    Textsecure__Envelope *env;
    struct msg_rec rec;
    char guid[37];

    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 200, "{\"needsSync\":false}"));
    free(b);
    CU_ASSERT_EQUAL(queued(&bob, 1), 2);
    env = newest(a, &bob, 2, &rec);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__PREKEY_BUNDLE);
    CU_ASSERT_EQUAL(env->client_timestamp, 1234567);
    CU_ASSERT_TRUE(env->has_server_timestamp && env->server_timestamp > 0);
    CU_ASSERT_EQUAL(env->server_timestamp, (uint64_t)rec.server_ts_ms);
    CU_ASSERT_TRUE(env->has_content && env->content.len == 2 &&
                   memcmp(env->content.data, "m2", 2) == 0);
    CU_ASSERT_TRUE(env->has_source_device && env->source_device == 1);
    CU_ASSERT_TRUE(env->has_source_service_id && env->source_service_id.len == 16 &&
                   memcmp(env->source_service_id.data, alice.aci, 16) == 0);
    CU_ASSERT_STRING_EQUAL(env->source_service_id_string, alice.aci_s);
    CU_ASSERT_TRUE(env->has_destination_service_id && env->destination_service_id.len == 16 &&
                   memcmp(env->destination_service_id.data, bob.aci, 16) == 0);
    CU_ASSERT_STRING_EQUAL(env->destination_service_id_string, bob.aci_s);
    CU_ASSERT_TRUE(env->has_server_guid && env->server_guid.len == 16 &&
                   memcmp(env->server_guid.data, rec.guid, 16) == 0);
    uuid_format(rec.guid, guid);
    CU_ASSERT_STRING_EQUAL(env->server_guid_string, guid);
    CU_ASSERT_TRUE(env->has_urgent && env->urgent);
    CU_ASSERT_FALSE(env->has_story);
    CU_ASSERT_FALSE(env->has_ephemeral && env->ephemeral);
    arena_free(a);
}

static void
test_sync_and_needs_sync(void)
{
    int d2[] = { 2 }, r2[] = { bob.reg[1] }, d12[] = { 1, 2 }, r12[] = { bob.reg[0], bob.reg[1] };
    int d1[] = { 1 }, ra[] = { alice.reg[0] };
    size_t before = queued(&bob, 2);
    char *b, dest[48];
    struct arena *a = arena_new(4096);
    Textsecure__Envelope *env;

    /* bob.1 to his own ACI: a sync message for device 2 only */
    b = send_body(1, d2, r2, 1, 0, 0, 42);
    CU_ASSERT_TRUE(send_is(bob.user[0], NULL, bob.aci_s, b, 200, "{\"needsSync\":false}"));
    snprintf(dest, sizeof(dest), "PNI:%s", bob.pni_s);
    CU_ASSERT_TRUE(send_is(bob.user[0], NULL, dest, b, 403, NULL));
    free(b);
    CU_ASSERT_EQUAL(queued(&bob, 2), before + 1);
    env = newest(a, &bob, 2, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_TRUE(env->has_source_service_id &&
                   memcmp(env->source_service_id.data, bob.aci, 16) == 0);
    CU_ASSERT_EQUAL(env->source_device, 1);
    /* the sending device itself is "extra" in a sync message */
    b = send_body(1, d12, r12, 2, 0, 0, 42);
    CU_ASSERT_TRUE(send_is(bob.user[0], NULL, bob.aci_s, b, 409,
                           "{\"missingDevices\":[],\"extraDevices\":[1]}"));
    free(b);
    /* bob has two devices: his sends to others need a sync copy */
    b = send_body(1, d1, ra, 1, 0, 0, 42);
    CU_ASSERT_TRUE(send_is(bob.user[1], NULL, alice.aci_s, b, 200, "{\"needsSync\":true}"));
    free(b);
    env = newest(a, &alice, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_EQUAL(env->source_device, 2);
    arena_free(a);
}

static void
test_ephemeral_not_stored(void)
{
    int d12[] = { 1, 2 }, r12[] = { bob.reg[0], bob.reg[1] };
    size_t n1 = queued(&bob, 1), n2 = queued(&bob, 2);
    char *b = send_body(1, d12, r12, 2, 0, 1, 99);

    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 200, "{\"needsSync\":false}"));
    free(b);
    CU_ASSERT_EQUAL(queued(&bob, 1), n1);
    CU_ASSERT_EQUAL(queued(&bob, 2), n2);
}

/* GET /v1/messages as bob.1; returns the parsed list (caller puts) */
static struct json_object *
list_messages(const char *user, const char *extra, bool *more)
{
    struct tresult r = tcall("GET", "/v1/messages", user, extra, NULL);
    struct json_object *msgs = NULL, *v;

    CU_ASSERT_EQUAL(r.status, 200);
    if (r.json != NULL && json_object_object_get_ex(r.json, "messages", &msgs))
        json_object_get(msgs);
    if (more != NULL)
        *more = r.json != NULL && json_object_object_get_ex(r.json, "more", &v) &&
                json_object_get_boolean(v);
    tresult_free(&r);
    return msgs;
}

static const char *
jstr(struct json_object *o, const char *k)
{
    struct json_object *v;

    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int64_t
jint(struct json_object *o, const char *k)
{
    struct json_object *v;

    return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1;
}

static void
test_list_ack_receipt(void)
{
    struct json_object *msgs, *m;
    size_t bob_before, alice_before;
    char *b, path[96], *want;
    bool more = true;
    struct arena *a = arena_new(4096);
    Textsecure__Envelope *env;

    msgs = list_messages(bob.user[0], NULL, &more);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msgs);
    CU_ASSERT_FALSE(more);
    CU_ASSERT_EQUAL(json_object_array_length(msgs), queued(&bob, 1));
    m = json_object_array_get_idx(msgs, json_object_array_length(msgs) - 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    /* the newest one is alice's PREKEY_BUNDLE from test_send_envelope */
    CU_ASSERT_EQUAL(jint(m, "type"), 3);
    CU_ASSERT_EQUAL(jint(m, "timestamp"), 1234567);
    CU_ASSERT_STRING_EQUAL(jstr(m, "sourceUuid"), alice.aci_s);
    CU_ASSERT_EQUAL(jint(m, "sourceDevice"), 1);
    CU_ASSERT_STRING_EQUAL(jstr(m, "destinationUuid"), bob.aci_s);
    CU_ASSERT_STRING_EQUAL(jstr(m, "content"), "bTE=");  /* "m1" */
    CU_ASSERT_PTR_NOT_NULL(jstr(m, "guid"));
    CU_ASSERT_TRUE(jint(m, "serverTimestamp") > 0);
    want = strdup(jstr(m, "guid"));
    json_object_put(msgs);

    /* ack: gone from the queue, a receipt for alice (type 5, source = bob.1, original ts) */
    bob_before = queued(&bob, 1);
    alice_before = queued(&alice, 1);
    snprintf(path, sizeof(path), "/v1/messages/uuid/%s", want);
    {
        struct tresult r = tcall("DELETE", path, bob.user[0], NULL, NULL);
        CU_ASSERT_EQUAL(r.status, 204);
        tresult_free(&r);
        r = tcall("DELETE", path, bob.user[0], NULL, NULL); /* again: already gone, still 204 */
        CU_ASSERT_EQUAL(r.status, 204);
        tresult_free(&r);
        r = tcall("DELETE", "/v1/messages/uuid/nope", bob.user[0], NULL, NULL);
        CU_ASSERT_EQUAL(r.status, 404);
        tresult_free(&r);
    }
    CU_ASSERT_EQUAL(queued(&bob, 1), bob_before - 1);
    CU_ASSERT_EQUAL(queued(&alice, 1), alice_before + 1);
    env = newest(a, &alice, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__SERVER_DELIVERY_RECEIPT);
    CU_ASSERT_EQUAL(env->client_timestamp, 1234567);
    CU_ASSERT_TRUE(env->has_source_service_id &&
                   memcmp(env->source_service_id.data, bob.aci, 16) == 0);
    CU_ASSERT_STRING_EQUAL(env->source_service_id_string, bob.aci_s);
    CU_ASSERT_EQUAL(env->source_device, 1);
    CU_ASSERT_TRUE(memcmp(env->destination_service_id.data, alice.aci, 16) == 0);
    CU_ASSERT_TRUE(env->has_urgent && !env->urgent);
    CU_ASSERT_FALSE(env->has_content);
    free(want);

    /* alice acks the receipt: no receipt for a receipt */
    bob_before = queued(&bob, 1);
    {
        struct msg_rec rec;
        (void)newest(a, &alice, 1, &rec);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, alice.aci, 1, rec.guid), E_OK);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, alice.aci, 1, rec.guid), E_NOT_FOUND);
    }
    CU_ASSERT_EQUAL(queued(&bob, 1), bob_before);
    CU_ASSERT_EQUAL(queued(&bob, 2), queued(&bob, 2));

    /* a sync message acked by bob.2 gives no receipt to bob either */
    {
        int d2[] = { 2 }, r2[] = { bob.reg[1] };
        struct msg_rec rec;
        size_t n1;
        b = send_body(1, d2, r2, 1, 0, 0, 7);
        CU_ASSERT_TRUE(send_is(bob.user[0], NULL, bob.aci_s, b, 200, NULL));
        free(b);
        n1 = queued(&bob, 1);
        (void)newest(a, &bob, 2, &rec);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, bob.aci, 2, rec.guid), E_OK);
        CU_ASSERT_EQUAL(queued(&bob, 1), n1);
    }
    /* a message to bob's PNI: the receipt's source is bob's PNI */
    {
        int d12[] = { 1, 2 }, r12[] = { bob.pni_reg[0], bob.pni_reg[1] };
        char dest[48];
        struct msg_rec rec;
        snprintf(dest, sizeof(dest), "PNI:%s", bob.pni_s);
        b = send_body(1, d12, r12, 2, 0, 0, 8);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, dest, b, 200, "{\"needsSync\":false}"));
        free(b);
        env = newest(a, &bob, 1, &rec);
        CU_ASSERT_PTR_NOT_NULL_FATAL(env);
        CU_ASSERT_TRUE(env->destination_service_id.len == 17 &&
                       env->destination_service_id.data[0] == 0x01 &&
                       memcmp(env->destination_service_id.data + 1, bob.pni, 16) == 0);
        CU_ASSERT_EQUAL(strncmp(env->destination_service_id_string, "PNI:", 4), 0);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, bob.aci, 1, rec.guid), E_OK);
        env = newest(a, &alice, 1, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(env);
        CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__SERVER_DELIVERY_RECEIPT);
        CU_ASSERT_EQUAL(env->client_timestamp, 8);
        CU_ASSERT_TRUE(env->source_service_id.len == 17 &&
                       memcmp(env->source_service_id.data + 1, bob.pni, 16) == 0);
    }
    arena_free(a);
}

static void
test_sealed_sender(void)
{
    int d1[] = { 1 }, r1[] = { carol.reg[0] };
    char *b = send_body(6, d1, r1, 1, 0, 0, 55), hdr[64], *k;
    uint8_t wrong[16];
    struct arena *a = arena_new(4096);
    Textsecure__Envelope *env;
    size_t n = queued(&carol, 1);

    k = b64s(carol.uak, 16);
    snprintf(hdr, sizeof(hdr), "unidentified-access-key: %s", k);
    free(k);
    CU_ASSERT_TRUE(send_is(NULL, NULL, carol.aci_s, b, 401, NULL));      /* no key */
    CU_ASSERT_TRUE(send_is(NULL, hdr, carol.aci_s, b, 200, "{\"needsSync\":false}"));
    CU_ASSERT_EQUAL(queued(&carol, 1), n + 1);
    env = newest(a, &carol, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__UNIDENTIFIED_SENDER);
    CU_ASSERT_FALSE(env->has_source_service_id);
    CU_ASSERT_PTR_NULL(env->source_service_id_string);
    CU_ASSERT_FALSE(env->has_source_device);
    /* unknown recipient and PNI are 401 too: no existence check for free */
    CU_ASSERT_TRUE(send_is(NULL, hdr, "0b3c4a1e-0000-4000-8000-000000000002", b, 401, NULL));
    {
        char dest[48];
        snprintf(dest, sizeof(dest), "PNI:%s", carol.pni_s);
        CU_ASSERT_TRUE(send_is(NULL, hdr, dest, b, 401, NULL));
    }
    memcpy(wrong, carol.uak, 16);
    wrong[3] ^= 1;
    k = b64s(wrong, 16);
    snprintf(hdr, sizeof(hdr), "unidentified-access-key: %s", k);
    free(k);
    CU_ASSERT_TRUE(send_is(NULL, hdr, carol.aci_s, b, 401, NULL));
    CU_ASSERT_TRUE(send_is(NULL, "unidentified-access-key: AAAA", carol.aci_s, b, 401, NULL));
    /* a group send token with other credentials is a bad request */
    CU_ASSERT_TRUE(send_is(alice.user[0], "group-send-token: AAAA", carol.aci_s, b, 400, NULL));
    /* a token alone must at least parse (400), and then verify (401, needs a real token) */
    CU_ASSERT_TRUE(send_is(NULL, "group-send-token: AAAA", carol.aci_s, b, 400, NULL));
    CU_ASSERT_TRUE(send_is(NULL, "group-send-token: !!", carol.aci_s, b, 400, NULL));
    CU_ASSERT_EQUAL(queued(&carol, 1), n + 1);
    /* acking a sealed-sender envelope sends no receipt */
    {
        struct msg_rec rec;
        size_t na = queued(&alice, 1);
        (void)newest(a, &carol, 1, &rec);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, carol.aci, 1, rec.guid), E_OK);
        CU_ASSERT_EQUAL(queued(&alice, 1), na);
    }
    free(b);
    arena_free(a);
}

static int64_t
push_row(const struct tacct *t, uint8_t dev)
{
    struct arena *a = arena_new(512);
    struct dbv p[] = { V_BLOB(t->aci, 16), V_I64(dev) };
    struct dbres r;
    int64_t v = -1;

    if (db_exec(st(), a, SQL_PUSH_ROW, p, DB_NPARAMS(p), &r) == E_OK && r.nrows == 1)
        v = DBCELL(&r, 0, 0)->i;
    arena_free(a);
    return v;
}

static void
test_push_enqueue(void)
{
    int d1[] = { 1 }, r1[] = { carol.reg[0] };
    char *b = send_body(1, d1, r1, 1, 0, 0, 66);
    /* carol has an FCM token and no socket: one coalesced urgent push row */
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, carol.aci_s, b, 200, NULL));
    CU_ASSERT_EQUAL(push_row(&carol, 1), 1);
    free(b);
    /* a non-urgent one does not downgrade it; bob (no token) gets no row */
    CU_ASSERT_EQUAL(push_enqueue(st(), carol.aci, 1, false), E_OK);
    CU_ASSERT_EQUAL(push_row(&carol, 1), 1);
    CU_ASSERT_EQUAL(push_row(&bob, 1), -1);
    CU_ASSERT_EQUAL(push_enqueue(st(), bob.aci, 1, true), E_OK);
    CU_ASSERT_EQUAL(push_row(&bob, 1), -1);
    /* ephemeral sends never push */
    {
        struct tacct dave;
        tacct_new(&dave, 1, "gcm-token-dave");
        int rd[] = { dave.reg[0] };
        b = send_body(1, d1, rd, 1, 0, 1, 66);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, dave.aci_s, b, 200, NULL));
        CU_ASSERT_EQUAL(push_row(&dave, 1), -1);
        free(b);
        b = send_body(1, d1, rd, 1, 0, 0, 66);
        CU_ASSERT_TRUE(send_is(alice.user[0], NULL, dave.aci_s, b, 200, NULL));
        CU_ASSERT_EQUAL(push_row(&dave, 1), 1);
        free(b);
    }
}

static void
test_story(void)
{
    int d1[] = { 1 }, r1[] = { alice.reg[0] };
    char *b = send_body(6, d1, r1, 1, 0, 0, 77);
    struct json_object *msgs;
    size_t plain, with;

    CU_ASSERT_TRUE(send_is(NULL, NULL, "0b3c4a1e-0000-4000-8000-000000000003?story=true", b, 200,
                           "{\"needsSync\":false}"));
    {
        char dest[64];
        snprintf(dest, sizeof(dest), "%s?story=true", alice.aci_s);
        CU_ASSERT_TRUE(send_is(NULL, NULL, dest, b, 200, "{\"needsSync\":false}"));
        CU_ASSERT_TRUE(send_is(NULL, "group-send-token: AAAA", dest, b, 400, NULL));
    }
    free(b);
    msgs = list_messages(alice.user[0], NULL, NULL);
    plain = json_object_array_length(msgs);
    json_object_put(msgs);
    msgs = list_messages(alice.user[0], "x-signal-receive-stories: true", NULL);
    with = json_object_array_length(msgs);
    CU_ASSERT_EQUAL(with, plain + 1);
    {
        struct json_object *m = json_object_array_get_idx(msgs, with - 1), *v;
        CU_ASSERT_TRUE(json_object_object_get_ex(m, "story", &v) && json_object_get_boolean(v));
        CU_ASSERT_TRUE(json_object_object_get_ex(m, "sourceUuid", &v) && v == NULL);
    }
    json_object_put(msgs);
}

static int64_t
one_int(const char *sql, int64_t arg)
{
    struct arena *a = arena_new(512);
    struct dbv p = V_I64(arg);
    struct dbres r;
    int64_t v = -1;

    if (db_exec(st(), a, sql, &p, strchr(sql, '?') != NULL ? 1 : 0, &r) == E_OK && r.nrows == 1)
        v = DBCELL(&r, 0, 0)->i;
    arena_free(a);
    return v;
}

static void
test_store_batches(void)
{
    struct tacct e;
    struct msg_new m[45];
    struct arena *a = arena_new(1 << 16);
    struct msg_rec *recs;
    size_t n, total = 0;
    int64_t after = 0, now = now_ms(), prev = 0;
    char body[45][8];

    tacct_new(&e, 2, NULL);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 45; i++) {
        memcpy(m[i].to.aci, e.aci, 16);
        m[i].to.device_id = i == 44 ? 9 : 1; /* device 9 does not exist: dropped */
        uuid_v4(m[i].guid);
        m[i].server_ts_ms = now;
        m[i].urgent = true;
        snprintf(body[i], sizeof(body[i]), "e%02d", i);
        m[i].env = (const uint8_t *)body[i];
        m[i].env_len = strlen(body[i]);
    }
    CU_ASSERT_EQUAL_FATAL(store_msgs_insert(st(), NULL, m, 45), E_OK);
    CU_ASSERT_EQUAL(queued(&e, 1), 44);
    CU_ASSERT_EQUAL(queued(&e, 9), 0);
    /* paging with after_seq returns everything once, in insertion order */
    for (;;) {
        CU_ASSERT_EQUAL_FATAL(store_msgs_fetch(st(), a, e.aci, 1, after, 10, &recs, &n), E_OK);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            char want[8];
            snprintf(want, sizeof(want), "e%02zu", total + i);
            CU_ASSERT_TRUE(recs[i].seq > prev);
            prev = recs[i].seq;
            CU_ASSERT_TRUE(recs[i].env_len == strlen(want) &&
                           memcmp(recs[i].env, want, recs[i].env_len) == 0);
            CU_ASSERT_TRUE(memcmp(recs[i].guid, m[total + i].guid, 16) == 0);
        }
        total += n;
        after = recs[n - 1].seq;
    }
    CU_ASSERT_EQUAL(total, 44);
    /* delete by GUID: only from the right device */
    CU_ASSERT_EQUAL(store_msgs_delete(st(), a, e.aci, 2, m[0].guid, NULL), E_NOT_FOUND);
    {
        struct msg_rec gone;
        CU_ASSERT_EQUAL(store_msgs_delete(st(), a, e.aci, 1, m[0].guid, &gone), E_OK);
        CU_ASSERT_TRUE(gone.env_len == 3 && memcmp(gone.env, "e00", 3) == 0);
    }
    CU_ASSERT_EQUAL(queued(&e, 1), 43);
    CU_ASSERT_EQUAL(store_msgs_clear(st(), e.aci, 1), E_OK);
    CU_ASSERT_EQUAL(queued(&e, 1), 0);

    /* a shared payload stored once: content = prefix || payload, appended to the envelope */
    {
        Textsecure__Envelope stub = TEXTSECURE__ENVELOPE__INIT, *got;
        uint8_t packed[64], prefix[2][49], payload[300];
        size_t plen;
        int64_t base = one_int(SQL_MAX_PAYLOAD, 0);
        struct msg_shared sh = { payload, sizeof(payload) };

        stub.has_type = 1;
        stub.type = TEXTSECURE__ENVELOPE__TYPE__UNIDENTIFIED_SENDER;
        stub.has_client_timestamp = 1;
        stub.client_timestamp = 99;
        plen = textsecure__envelope__pack(&stub, packed);
        randombytes_buf(payload, sizeof(payload));
        for (int d = 0; d < 2; d++) {
            prefix[d][0] = 0x22;
            randombytes_buf(prefix[d] + 1, 48);
            memcpy(m[d].to.aci, e.aci, 16);
            m[d].to.device_id = (uint8_t)(d + 1);
            uuid_v4(m[d].guid);
            m[d].env = packed;
            m[d].env_len = plen;
            m[d].content_prefix = prefix[d];
            m[d].content_prefix_len = 49;
        }
        CU_ASSERT_EQUAL_FATAL(store_msgs_insert(st(), &sh, m, 2), E_OK);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 1);
        for (int d = 0; d < 2; d++) {
            CU_ASSERT_EQUAL_FATAL(
                store_msgs_fetch(st(), a, e.aci, (uint8_t)(d + 1), 0, 10, &recs, &n), E_OK);
            CU_ASSERT_EQUAL_FATAL(n, 1);
            got = delivery_env_decode(a, recs[0].env, recs[0].env_len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(got);
            CU_ASSERT_EQUAL(got->client_timestamp, 99);
            CU_ASSERT_TRUE(got->has_content && got->content.len == 49 + sizeof(payload) &&
                           memcmp(got->content.data, prefix[d], 49) == 0 &&
                           memcmp(got->content.data + 49, payload, sizeof(payload)) == 0);
        }
        CU_ASSERT_EQUAL(store_msgs_delete(st(), a, e.aci, 1, m[0].guid, NULL), E_OK);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 1);  /* device 2 still references it */
        CU_ASSERT_EQUAL(store_msgs_delete(st(), a, e.aci, 2, m[1].guid, NULL), E_OK);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 0);  /* last reference gone */
    }
    arena_free(a);
}

/* store_msgs_delete_many: batches across devices, wrong-device keys kept, duplicates and
 * missing GUIDs, shared payload references; delivery_ack_many sends every receipt. */
static void
test_store_delete_many(void)
{
    struct tacct e;
    struct msg_new m[105];
    struct msg_key k[100];
    struct msg_rec gone[100];
    struct arena *a = arena_new(1 << 16);
    size_t ngone = 99;
    int64_t now = now_ms();
    char body[105][8];

    tacct_new(&e, 2, NULL);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 105; i++) {
        memcpy(m[i].to.aci, e.aci, 16);
        m[i].to.device_id = i < 100 ? 1 : 2;
        uuid_v4(m[i].guid);
        m[i].server_ts_ms = now;
        m[i].urgent = true;
        snprintf(body[i], sizeof(body[i]), "d%03d", i);
        m[i].env = (const uint8_t *)body[i];
        m[i].env_len = strlen(body[i]);
    }
    CU_ASSERT_EQUAL_FATAL(store_msgs_insert(st(), NULL, m, 105), E_OK);
    /* fetch_many: 35 pages (32 + 2 + 1 statements) equal to store_msgs_fetch's */
    {
        struct msg_fetch f[35];
        struct msg_rec *recs;
        size_t n;

        memset(f, 0, sizeof(f));
        for (int i = 0; i < 35; i++) {
            memcpy(f[i].aci, e.aci, 16);
            f[i].device_id = (uint8_t)(i % 3 == 0 ? 1 : i % 3 == 1 ? 2 : 9);
            f[i].limit = (size_t)(i % 7) * 3;          /* 0 .. 18; 0 = nothing asked */
        }
        f[4].after_seq = 0;
        CU_ASSERT_EQUAL_FATAL(store_msgs_fetch(st(), a, e.aci, 1, 0, 1000, &recs, &n), E_OK);
        CU_ASSERT_EQUAL_FATAL(n, 100);
        f[6].after_seq = recs[50].seq;                 /* device 1 from the middle */
        CU_ASSERT_EQUAL_FATAL(store_msgs_fetch_many(st(), a, f, 35), E_OK);
        for (int i = 0; i < 35; i++) {
            CU_ASSERT_EQUAL_FATAL(store_msgs_fetch(st(), a, f[i].aci, f[i].device_id,
                                                   f[i].after_seq, f[i].limit, &recs, &n), E_OK);
            CU_ASSERT_EQUAL(f[i].nmsgs, n);
            for (size_t q = 0; q < n && q < f[i].nmsgs; q++)
                CU_ASSERT_TRUE(f[i].msgs[q].seq == recs[q].seq &&
                               f[i].msgs[q].env_len == recs[q].env_len &&
                               memcmp(f[i].msgs[q].env, recs[q].env, recs[q].env_len) == 0 &&
                               memcmp(f[i].msgs[q].guid, recs[q].guid, 16) == 0);
        }
        CU_ASSERT_EQUAL(f[6].nmsgs, 18);
        CU_ASSERT_EQUAL(f[1].nmsgs, 3);
        CU_ASSERT_EQUAL(f[2].nmsgs, 0);                /* device 9: nothing */
    }
    CU_ASSERT_EQUAL(store_msgs_delete_many(st(), a, k, 0, gone, &ngone), E_OK);
    CU_ASSERT_EQUAL(ngone, 0);
    /* keys 0..96: device 1's rows 3..99 (97 keys: 64 + 32 + 1 statements); 97: a device 2 row
     * named with device 1 (kept); 98: a duplicate of key 0; 99: an unknown GUID */
    memset(k, 0, sizeof(k));
    for (int i = 0; i < 97; i++) {
        memcpy(k[i].aci, e.aci, 16);
        k[i].device_id = 1;
        memcpy(k[i].guid, m[i + 3].guid, 16);
    }
    memcpy(k[97].aci, e.aci, 16);
    k[97].device_id = 1;
    memcpy(k[97].guid, m[100].guid, 16);
    k[98] = k[0];
    memcpy(k[99].aci, e.aci, 16);
    k[99].device_id = 1;
    uuid_v4(k[99].guid);
    CU_ASSERT_EQUAL_FATAL(store_msgs_delete_many(st(), a, k, 100, gone, &ngone), E_OK);
    CU_ASSERT_EQUAL(ngone, 97);
    for (int i = 0; i < 97; i++)
        CU_ASSERT_TRUE(gone[i].env != NULL && gone[i].env_len == 4 &&
                       memcmp(gone[i].env, body[i + 3], 4) == 0 &&
                       memcmp(gone[i].guid, m[i + 3].guid, 16) == 0);
    CU_ASSERT_PTR_NULL(gone[97].env);
    CU_ASSERT_PTR_NULL(gone[99].env);
    CU_ASSERT_EQUAL(queued(&e, 1), 3);
    CU_ASSERT_EQUAL(queued(&e, 2), 5);
    /* a second time: nothing left to remove */
    CU_ASSERT_EQUAL(store_msgs_delete_many(st(), a, k, 97, gone, &ngone), E_OK);
    CU_ASSERT_EQUAL(ngone, 0);
    /* both devices in one batch */
    for (int i = 0; i < 3; i++)
        memcpy(k[i].guid, m[i].guid, 16);
    for (int i = 0; i < 5; i++) {
        memcpy(k[3 + i].aci, e.aci, 16);
        k[3 + i].device_id = 2;
        memcpy(k[3 + i].guid, m[100 + i].guid, 16);
    }
    CU_ASSERT_EQUAL(store_msgs_delete_many(st(), a, k, 8, gone, &ngone), E_OK);
    CU_ASSERT_EQUAL(ngone, 8);
    CU_ASSERT_EQUAL(queued(&e, 1), 0);
    CU_ASSERT_EQUAL(queued(&e, 2), 0);

    /* shared payload: three rows reference it; two acks in one batch keep it, the last frees it */
    {
        uint8_t prefix[49], payload[100];
        int64_t base = one_int(SQL_MAX_PAYLOAD, 0);
        struct msg_shared sh = { payload, sizeof(payload) };

        prefix[0] = 0x22;
        randombytes_buf(prefix + 1, 48);
        randombytes_buf(payload, sizeof(payload));
        for (int i = 0; i < 3; i++) {
            m[i].to.device_id = (uint8_t)(i == 2 ? 2 : 1);
            uuid_v4(m[i].guid);
            m[i].content_prefix = prefix;
            m[i].content_prefix_len = sizeof(prefix);
            k[i].device_id = m[i].to.device_id;
            memcpy(k[i].guid, m[i].guid, 16);
        }
        CU_ASSERT_EQUAL_FATAL(store_msgs_insert(st(), &sh, m, 3), E_OK);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 1);
        CU_ASSERT_EQUAL(store_msgs_delete_many(st(), a, k, 2, gone, &ngone), E_OK);
        CU_ASSERT_EQUAL(ngone, 2);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 1);
        CU_ASSERT_EQUAL(store_msgs_delete_many(st(), a, &k[2], 1, gone, &ngone), E_OK);
        CU_ASSERT_EQUAL(ngone, 1);
        CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 0);
    }

    /* delivery_ack_many: two messages from alice acked together -> two receipts per alice
     * device, one batch; a receipt acked in the same batch gives none */
    {
        int d12[] = { 1, 2 }, r12[] = { bob.reg[0], bob.reg[1] };
        size_t alice1 = queued(&alice, 1), bob1, acked = 0;
        struct msg_rec *recs;
        size_t n;
        char *b;

        for (int i = 0; i < 2; i++) {
            b = send_body(1, d12, r12, 2, 0, 0, 4000 + i);
            CU_ASSERT_TRUE(send_is(alice.user[0], NULL, bob.aci_s, b, 200, NULL));
            free(b);
        }
        bob1 = queued(&bob, 1);
        CU_ASSERT_EQUAL_FATAL(store_msgs_fetch(st(), a, bob.aci, 1, 0, 1000, &recs, &n), E_OK);
        CU_ASSERT_FATAL(n >= 2);
        for (int i = 0; i < 2; i++) {
            memcpy(k[i].aci, bob.aci, 16);
            k[i].device_id = 1;
            memcpy(k[i].guid, recs[n - 2 + (size_t)i].guid, 16);
        }
        CU_ASSERT_EQUAL(delivery_ack_many(tcall_ctx(), a, k, 2, &acked), E_OK);
        CU_ASSERT_EQUAL(acked, 2);
        CU_ASSERT_EQUAL(queued(&bob, 1), bob1 - 2);
        CU_ASSERT_EQUAL(queued(&alice, 1), alice1 + 2);
        CU_ASSERT_EQUAL_FATAL(store_msgs_fetch(st(), a, alice.aci, 1, 0, 1000, &recs, &n), E_OK);
        CU_ASSERT_FATAL(n >= 2);
        for (int i = 0; i < 2; i++) {
            const struct msg_rec *rc = &recs[n - 2 + (size_t)i];
            Textsecure__Envelope *env = delivery_env_decode(a, rc->env, rc->env_len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(env);
            CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__SERVER_DELIVERY_RECEIPT);
            CU_ASSERT_TRUE(env->client_timestamp == 4000 || env->client_timestamp == 4001);
            CU_ASSERT_EQUAL(env->source_device, 1);
            memcpy(k[i].aci, alice.aci, 16);
            memcpy(k[i].guid, rc->guid, 16);
        }
        bob1 = queued(&bob, 1);
        CU_ASSERT_EQUAL(delivery_ack_many(tcall_ctx(), a, k, 2, &acked), E_OK);
        CU_ASSERT_EQUAL(acked, 2);
        CU_ASSERT_EQUAL(queued(&alice, 1), alice1);
        CU_ASSERT_EQUAL(queued(&bob, 1), bob1);
    }
    arena_free(a);
}

/* ---- multi-recipient ---- */

struct mrm_rcpt {
    const struct tacct *t;
    int ndev;
    int dev[3], reg[3];
    uint8_t km[48];
};

/* SentMessage v0x23: count, per recipient 0x00||aci, devices (id, BE16 has-more|reg), C_i||AT_i;
 * then the shared part. Returns the length written into out. */
static size_t
mrm_build(uint8_t *out, struct mrm_rcpt *r, size_t n, const uint8_t *shared, size_t shared_len,
          const uint8_t *unknown_aci)
{
    size_t o = 0;

    out[o++] = 0x23;
    out[o++] = (uint8_t)(n + (unknown_aci ? 1 : 0));
    for (size_t i = 0; i < n + (unknown_aci ? 1 : 0); i++) {
        bool unk = i == n;
        out[o++] = 0x00;
        memcpy(out + o, unk ? unknown_aci : r[i].t->aci, 16);
        o += 16;
        int nd = unk ? 1 : r[i].ndev;
        for (int d = 0; d < nd; d++) {
            int reg = unk ? 1 : r[i].reg[d];
            uint16_t v = (uint16_t)(reg & 0x3fff) | (d + 1 < nd ? 0x8000 : 0);
            out[o++] = (uint8_t)(unk ? 1 : r[i].dev[d]);
            out[o++] = (uint8_t)(v >> 8);
            out[o++] = (uint8_t)v;
        }
        if (unk)
            randombytes_buf(out + o, 48);
        else
            memcpy(out + o, r[i].km, 48);
        o += 48;
    }
    memcpy(out + o, shared, shared_len);
    return o + shared_len;
}

static int
mrm_is(const char *query, const char *extra, const uint8_t *body, size_t len, int status,
       const char *want)
{
    char target[160], hdr[256];
    struct tresult r;
    int ok;

    snprintf(target, sizeof(target), "/v1/messages/multi_recipient%s", query);
    snprintf(hdr, sizeof(hdr), "content-type: application/vnd.signal-messenger.mrm%s%s",
             extra ? "\n" : "", extra ? extra : "");
    r = tcall_bin("PUT", target, NULL, hdr, body, len);
    ok = r.status == status && (want == NULL || strcmp(r.body, want) == 0);
    if (!ok)
        fprintf(stderr, "mrm %s: got %d %s, want %d %s\n", query, r.status, r.body, status,
                want ? want : "");
    tresult_free(&r);
    return ok;
}

static char *
uak_header(const struct tacct *const *t, size_t n, int corrupt)
{
    uint8_t x[16] = { 0 };
    char *k, *h = malloc(80);

    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 16; j++)
            x[j] ^= t[i]->uak[j];
    x[0] ^= (uint8_t)corrupt;
    k = b64s(x, 16);
    snprintf(h, 80, "unidentified-access-key: %s", k);
    free(k);
    return h;
}

static void
test_multi_recipient(void)
{
    struct mrm_rcpt r[2] = {
        { &alice, 1, { 1 }, { alice.reg[0] }, { 0 } },
        { &bob, 2, { 1, 2 }, { bob.reg[0], bob.reg[1] }, { 0 } },
    };
    const struct tacct *both[] = { &alice, &bob };
    uint8_t shared[200], body[1024], unknown[16];
    size_t len;
    char *good = uak_header(both, 2, 0), *bad = uak_header(both, 2, 1);
    size_t na = queued(&alice, 1), nb1 = queued(&bob, 1), nb2 = queued(&bob, 2);
    int64_t base = one_int(SQL_MAX_PAYLOAD, 0);
    struct arena *a = arena_new(8192);
    char want[512];

    randombytes_buf(shared, sizeof(shared));
    randombytes_buf(r[0].km, 48);
    randombytes_buf(r[1].km, 48);
    randombytes_buf(unknown, 16);
    unknown[6] = 0x40;
    len = mrm_build(body, r, 2, shared, sizeof(shared), NULL);

    /* auth and framing errors */
    CU_ASSERT_TRUE(mrm_is("?ts=5", NULL, body, len, 401, NULL));
    CU_ASSERT_TRUE(mrm_is("?ts=5", bad, body, len, 401, NULL));
    {
        char both_h[300];
        snprintf(both_h, sizeof(both_h), "%s\ngroup-send-token: AAAA", good);
        CU_ASSERT_TRUE(mrm_is("?ts=5", both_h, body, len, 400, NULL));
    }
    CU_ASSERT_TRUE(mrm_is("?ts=5", "group-send-token: !!!", body, len, 400, NULL));
    CU_ASSERT_TRUE(mrm_is("?ts=-1", good, body, len, 400, NULL));
    CU_ASSERT_TRUE(mrm_is("?ts=x", good, body, len, 404, NULL));
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, body, 0, 400, NULL));
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, body, 40, 400, NULL));
    CU_ASSERT_TRUE(mrm_is("?story=true", "group-send-token: AAAA", body, len, 400, NULL));
    {
        struct tresult t = tcall_bin("PUT", "/v1/messages/multi_recipient?ts=5", NULL,
                                     "content-type: application/json", body, len);
        CU_ASSERT_EQUAL(t.status, 415);
        tresult_free(&t);
    }
    /* an unknown recipient with an access key: 404 */
    {
        uint8_t b2[1024];
        size_t l2 = mrm_build(b2, r, 2, shared, sizeof(shared), unknown);
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, b2, l2, 404, NULL));
        /* a story to it is fine, and to nobody known at all too */
        struct mrm_rcpt none[1] = { { &alice, 0, { 0 }, { 0 }, { 0 } } };
        uint8_t b3[512];
        size_t l3 = mrm_build(b3, none, 0, shared, sizeof(shared), unknown);
        CU_ASSERT_TRUE(mrm_is("?story=true", NULL, b3, l3, 200, "{\"uuids404\":[]}"));
    }
    /* device set per recipient: 409 before 410, each listing only its kind */
    r[1].ndev = 1;
    len = mrm_build(body, r, 2, shared, sizeof(shared), NULL);
    snprintf(want, sizeof(want),
             "[{\"uuid\":\"%s\",\"devices\":{\"missingDevices\":[2],\"extraDevices\":[]}}]",
             bob.aci_s);
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, body, len, 409, want));
    r[1].ndev = 2;
    r[0].reg[0] = alice.reg[0] + 1;
    len = mrm_build(body, r, 2, shared, sizeof(shared), NULL);
    snprintf(want, sizeof(want), "[{\"uuid\":\"%s\",\"devices\":{\"staleDevices\":[1]}}]",
             alice.aci_s);
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, body, len, 410, want));
    r[0].reg[0] = alice.reg[0];
    CU_ASSERT_EQUAL(queued(&alice, 1), na);
    CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 0);

    /* the send: one shared payload, three device rows, per-recipient content */
    len = mrm_build(body, r, 2, shared, sizeof(shared), NULL);
    CU_ASSERT_TRUE(mrm_is("?ts=4242&urgent=false", good, body, len, 200, "{\"uuids404\":[]}"));
    CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 1);
    CU_ASSERT_EQUAL(queued(&alice, 1), na + 1);
    CU_ASSERT_EQUAL(queued(&bob, 1), nb1 + 1);
    CU_ASSERT_EQUAL(queued(&bob, 2), nb2 + 1);
    for (int i = 0; i < 3; i++) {
        const struct mrm_rcpt *x = i == 0 ? &r[0] : &r[1];
        struct msg_rec rec;
        Textsecure__Envelope *env = newest(a, x->t, (uint8_t)(i == 2 ? 2 : 1), &rec);
        CU_ASSERT_PTR_NOT_NULL_FATAL(env);
        CU_ASSERT_EQUAL(env->type, TEXTSECURE__ENVELOPE__TYPE__UNIDENTIFIED_SENDER);
        CU_ASSERT_EQUAL(env->client_timestamp, 4242);
        CU_ASSERT_TRUE(env->has_urgent && !env->urgent);
        CU_ASSERT_FALSE(env->has_source_service_id);
        CU_ASSERT_FALSE(env->has_shared_mrm_key);
        CU_ASSERT_TRUE(memcmp(env->destination_service_id.data, x->t->aci, 16) == 0);
        CU_ASSERT_TRUE(env->has_content && env->content.len == 1 + 48 + sizeof(shared) &&
                       env->content.data[0] == 0x22 &&
                       memcmp(env->content.data + 1, x->km, 48) == 0 &&
                       memcmp(env->content.data + 49, shared, sizeof(shared)) == 0);
        CU_ASSERT_EQUAL(delivery_ack(tcall_ctx(), a, x->t->aci, (uint8_t)(i == 2 ? 2 : 1),
                                     rec.guid),
                        E_OK);
    }
    CU_ASSERT_EQUAL(one_int(SQL_PAYLOADS, base), 0); /* released with the last ack */
    CU_ASSERT_EQUAL(queued(&alice, 1), na);
    free(good);
    free(bad);
    arena_free(a);
}

/* ---- rate limits (server-reference.md §2.23) ---- */

static const char SQL_ALL_MESSAGES[] = "SELECT COUNT(*) FROM messages WHERE seq > ?";
static const char SQL_ALL_PAYLOADS[] = "SELECT COUNT(*) FROM message_payloads WHERE id > ?";

/* Empty a limiter's bucket the way a burst of sends would. */
static void
drain(enum rl_name name, const char *key, uint64_t size)
{
    int64_t retry;

    CU_ASSERT_EQUAL(ratelimit_take(st(), name, key, size, &retry), E_OK);
}

static int
send_limited(const char *auth, const char *extra, const char *dest, const char *body)
{
    struct tresult r = put_msg(auth, extra, dest, body);
    int ok = r.status == 429 && r.retry_after >= 0 && r.retry_after <= 8;

    if (!ok)
        fprintf(stderr, "send %s: got %d (Retry-After %ld), want 429\n", dest, r.status,
                r.retry_after);
    tresult_free(&r);
    return ok;
}

static void
test_rate_limits(void)
{
    struct tacct f, g;
    int d1[] = { 1 }, r1[1];
    char key[100], dest[64], *b;

    tacct_new(&f, 1, NULL);
    tacct_new(&g, 1, NULL);
    r1[0] = g.reg[0];
    b = send_body(1, d1, r1, 1, 0, 0, 1);

    /* the limiters are on whatever the stack's config says (a benchmark stack turns them off) */
    tcall_conf()->ratelimit_messages = 1;
    /* messages: 60 per <sender>__<recipient>; other senders and the way back are unaffected */
    snprintf(key, sizeof(key), "%s__%s", f.aci_s, g.aci_s);
    drain(RL_MESSAGES, key, 60);
    CU_ASSERT_TRUE(send_limited(f.user[0], NULL, g.aci_s, b));
    CU_ASSERT_EQUAL(queued(&g, 1), 0);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, g.aci_s, b, 200, NULL));
    /* ratelimit_messages 0 lifts it (load tests) */
    tcall_conf()->ratelimit_messages = 0;
    CU_ASSERT_TRUE(send_is(f.user[0], NULL, g.aci_s, b, 200, NULL));
    tcall_conf()->ratelimit_messages = 1;
    CU_ASSERT_TRUE(send_limited(f.user[0], NULL, g.aci_s, b));
    CU_ASSERT_EQUAL(queued(&g, 1), 2);

    /* stories: 5000 per destination ACI, whoever sends */
    drain(RL_STORIES, g.aci_s, 5000);
    snprintf(dest, sizeof(dest), "%s?story=true", g.aci_s);
    CU_ASSERT_TRUE(send_limited(NULL, NULL, dest, b));
    CU_ASSERT_EQUAL(queued(&g, 1), 2);

    free(b);

    /* inboundMessageBytes: 128 MiB per destination (2 KB/s), spent by content bytes, whoever
     * sends: 4000 bytes more need two seconds */
    tacct_new(&g, 1, NULL);
    r1[0] = g.reg[0];
    b = send_body(1, d1, r1, 1, 4000, 0, 1);
    drain(RL_INBOUND_MESSAGE_BYTES, g.aci_s, 134217728);
    CU_ASSERT_TRUE(send_limited(alice.user[0], NULL, g.aci_s, b));
    {
        const struct tacct *one[] = { &g };
        char *h = uak_header(one, 1, 0);
        CU_ASSERT_TRUE(send_limited(NULL, h, g.aci_s, b));
        free(h);
    }
    CU_ASSERT_EQUAL(queued(&g, 1), 0);
    free(b);
}

/* ---- spam reports and report-spam tokens ---- */

static const char SQL_REPORT[] =
    "SELECT verified, source_aci = ?, source_deleted, token IS NULL FROM message_reports "
    "WHERE reporter_aci = ? AND message_guid = ?";

/* (rows, verified, source matches, source deleted, no token) of bob's report of guid. */
static int
report_row(const struct tacct *reporter, const uint8_t guid[16], const uint8_t *src, int out[4])
{
    struct arena *a = arena_new(512);
    uint8_t none[16] = { 0 };
    struct dbv p[] = { V_BLOB(src ? src : none, 16), V_BLOB(reporter->aci, 16), V_BLOB(guid, 16) };
    struct dbres r;
    int n = -1;

    if (db_exec(st(), a, SQL_REPORT, p, DB_NPARAMS(p), &r) == E_OK) {
        n = (int)r.nrows;
        for (int i = 0; n == 1 && i < 4; i++)
            out[i] = DBCELL(&r, 0, i)->t == DBV_NULL ? -1 : (int)DBCELL(&r, 0, i)->i;
    }
    arena_free(a);
    return n;
}

static const char *
guid_s_of(const uint8_t guid[16])
{
    static char s[37];

    uuid_format(guid, s);
    return s;
}

static int
report_is(const char *auth, const char *source, const char *guid, const char *body, int status)
{
    char path[160];
    struct tresult r;
    int ok;

    snprintf(path, sizeof(path), "/v1/messages/report/%s/%s", source, guid);
    r = tcall("POST", path, auth, body ? "content-type: application/json" : NULL, body);
    ok = r.status == status;
    if (!ok)
        fprintf(stderr, "report %s: got %d %s, want %d\n", path, r.status, r.body, status);
    tresult_free(&r);
    return ok;
}

static void
test_report(void)
{
    struct tacct f, g;
    int d1[] = { 1 }, r1[1], row[4];
    struct arena *a = arena_new(4096);
    struct msg_rec rec;
    Textsecure__Envelope *env;
    char guid_s[37], body[200], *tok, *b;

    tacct_new(&f, 1, NULL);
    tacct_new(&g, 1, NULL);
    r1[0] = g.reg[0];
    b = send_body(1, d1, r1, 1, 0, 0, 1);
    CU_ASSERT_TRUE(send_is(f.user[0], NULL, g.aci_s, b, 200, NULL));
    env = newest(a, &g, 1, &rec);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    /* identified sender to another account: a 25-byte token when report_spam_secret is
     * configured (a secrets file from before it existed has none: no tokens, as upstream) */
    if (tcall_ctx()->keys == NULL || tcall_ctx()->keys->report_secret_len == 0) {
        printf("report: report_spam_secret not configured, token checks skipped\n");
        CU_ASSERT_FALSE(env->has_report_spam_token);
        CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, guid_s_of(rec.guid), NULL, 202));
        free(b);
        arena_free(a);
        return;
    }
    CU_ASSERT_TRUE_FATAL(env->has_report_spam_token && env->report_spam_token.len == 25);
    uuid_format(rec.guid, guid_s);
    tok = b64s(env->report_spam_token.data, env->report_spam_token.len);

    /* a token for another message, or from another reporter, proves nothing */
    {
        uint8_t other[16];
        char other_s[37];
        randombytes_buf(other, 16);
        uuid_format(other, other_s);
        snprintf(body, sizeof(body), "{\"token\":\"%s\"}", tok);
        CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, other_s, body, 202));
        CU_ASSERT_EQUAL(report_row(&g, other, f.aci, row), 1);
        CU_ASSERT_EQUAL(row[0], 0);
        CU_ASSERT_TRUE(report_is(alice.user[0], f.aci_s, guid_s, body, 202));
        CU_ASSERT_EQUAL(report_row(&alice, rec.guid, f.aci, row), 1);
        CU_ASSERT_EQUAL(row[0], 0);
    }
    /* the recipient's report with the token: verified, stored once */
    CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, guid_s, body, 202));
    CU_ASSERT_EQUAL(report_row(&g, rec.guid, f.aci, row), 1);
    CU_ASSERT_TRUE(row[0] == 1 && row[1] == 1 && row[2] == 0 && row[3] == 0);
    CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, guid_s, NULL, 202));
    CU_ASSERT_EQUAL(report_row(&g, rec.guid, f.aci, row), 1);
    CU_ASSERT_EQUAL(row[0], 1);
    /* by E164, without a body; by an unknown number; empty token = none */
    {
        uint8_t g2[16];
        char g2s[37];
        randombytes_buf(g2, 16);
        uuid_format(g2, g2s);
        CU_ASSERT_TRUE(report_is(g.user[0], f.e164, g2s, NULL, 202));
        CU_ASSERT_EQUAL(report_row(&g, g2, f.aci, row), 1);
        CU_ASSERT_TRUE(row[0] == 0 && row[1] == 1 && row[2] == 0 && row[3] == 1);
        randombytes_buf(g2, 16);
        uuid_format(g2, g2s);
        CU_ASSERT_TRUE(report_is(g.user[0], "+14150000001", g2s, "{\"token\":\"\"}", 202));
        CU_ASSERT_EQUAL(report_row(&g, g2, NULL, row), 1);
        CU_ASSERT_TRUE(row[0] == 0 && row[2] == 1 && row[3] == 1);
    }
    /* errors: auth, path parameters, body */
    CU_ASSERT_TRUE(report_is(NULL, f.aci_s, guid_s, NULL, 401));
    CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, "not-a-guid", NULL, 404));
    CU_ASSERT_TRUE(report_is(g.user[0], "not-a-source", guid_s, NULL, 400));
    CU_ASSERT_TRUE(report_is(g.user[0], f.aci_s, guid_s, "{\"token\":", 400));

    /* no tokens on sealed-sender or sync messages */
    {
        const struct tacct *one[] = { &g };
        char *h = uak_header(one, 1, 0);
        CU_ASSERT_TRUE(send_is(NULL, h, g.aci_s, b, 200, NULL));
        free(h);
        env = newest(a, &g, 1, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(env);
        CU_ASSERT_FALSE(env->has_report_spam_token);
    }
    free(tok);
    free(b);
    arena_free(a);
}

/* ---- malformed multi-recipient bodies: 400, and nothing stored ---- */

static void
test_multi_recipient_bad_input(void)
{
    struct mrm_rcpt r[2] = {
        { &alice, 1, { 1 }, { alice.reg[0] }, { 0 } },
        { &carol, 1, { 1 }, { carol.reg[0] }, { 0 } },
    };
    const struct tacct *both[] = { &alice, &carol };
    int64_t all0 = one_int(SQL_ALL_MESSAGES, 0);
    int64_t pay0 = one_int(SQL_MAX_PAYLOAD, 0);
    uint8_t shared[64], body[2048], bad[2048];
    char *good = uak_header(both, 2, 0);
    size_t len;

    randombytes_buf(shared, sizeof(shared));
    randombytes_buf(r[0].km, 48);
    randombytes_buf(r[1].km, 48);
    len = mrm_build(body, r, 2, shared, sizeof(shared), NULL);

    /* truncated anywhere: inside the recipients, inside the key material, in the shared part */
    for (size_t cut = 1; cut < len; cut += (cut < 130 ? 7 : 1)) {
        if (cut > 2 + 2 * (17 + 3 + 48) + 31)
            break; /* from here on only the ciphertext is shorter, which parses */
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, body, cut, 400, NULL));
    }
    /* wrong version bytes */
    memcpy(bad, body, len);
    for (int v = 0; v < 256; v += 17) {
        if (v == 0x22 || v == 0x23)
            continue;
        bad[0] = (uint8_t)v;
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, len, 400, NULL));
    }
    bad[0] = 0x33; /* a newer major version */
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, len, 400, NULL));
    /* bad service id kind, device id 0 and > 127 */
    memcpy(bad, body, len);
    bad[2] = 0x02;
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, len, 400, NULL));
    memcpy(bad, body, len);
    bad[2 + 17] = 0;
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, len, 400, NULL));
    bad[2 + 17] = 128;
    CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, len, 400, NULL));
    /* duplicate device of one recipient; the same recipient twice with the same device */
    {
        struct mrm_rcpt dup[2] = { r[0], r[1] };
        dup[1].t = &alice;
        size_t l2 = mrm_build(bad, dup, 2, shared, sizeof(shared), NULL);
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, l2, 400, NULL));
        dup[1] = r[1];
        dup[0].ndev = 2;
        dup[0].dev[1] = 1;
        dup[0].reg[1] = alice.reg[0];
        l2 = mrm_build(bad, dup, 2, shared, sizeof(shared), NULL);
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, l2, 400, NULL));
    }
    /* too many recipients: the count is over 5000 (and over the content) */
    {
        memcpy(bad, body, len);
        uint8_t big[4096];
        size_t o = 0;
        big[o++] = 0x23;
        big[o++] = 0x89; /* 5001 = 0x1389 as LEB128: 0x89 0x27 */
        big[o++] = 0x27;
        memcpy(big + o, body + 2, len - 2);
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, big, o + len - 2, 400, NULL));
        big[1] = 0xff; /* a varint that never ends */
        big[2] = 0xff;
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, big, 3, 400, NULL));
    }
    /* only excluded recipients: no recipient at all is 400 */
    {
        size_t o = 0;
        bad[o++] = 0x23;
        bad[o++] = 1;
        bad[o++] = 0x00;
        memcpy(bad + o, bob.aci, 16);
        o += 16;
        bad[o++] = 0x00; /* excluded: device byte 0, no key material */
        memcpy(bad + o, shared, sizeof(shared));
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, o + sizeof(shared), 400, NULL));
    }
    CU_ASSERT_EQUAL(one_int(SQL_ALL_MESSAGES, 0), all0);
    CU_ASSERT_EQUAL(one_int(SQL_ALL_PAYLOADS, pay0), 0);

    /* an excluded member besides the real recipients: delivered to the real ones only, and the
     * access key covers the real ones only */
    {
        size_t o = 0, na = queued(&alice, 1), nc = queued(&carol, 1), nb = queued(&bob, 1);
        size_t nb2 = queued(&bob, 2);
        bad[o++] = 0x23;
        bad[o++] = 3;
        for (int i = 0; i < 3; i++) {
            const struct tacct *t = i == 0 ? &alice : i == 1 ? &bob : &carol;
            bad[o++] = 0x00;
            memcpy(bad + o, t->aci, 16);
            o += 16;
            if (t == &bob) {
                bad[o++] = 0x00;
                continue;
            }
            bad[o++] = 1;
            bad[o++] = (uint8_t)(t->reg[0] >> 8);
            bad[o++] = (uint8_t)t->reg[0];
            randombytes_buf(bad + o, 48);
            o += 48;
        }
        memcpy(bad + o, shared, sizeof(shared));
        o += sizeof(shared);
        CU_ASSERT_TRUE(mrm_is("?ts=5", good, bad, o, 200, "{\"uuids404\":[]}"));
        CU_ASSERT_EQUAL(queued(&alice, 1), na + 1);
        CU_ASSERT_EQUAL(queued(&carol, 1), nc + 1);
        CU_ASSERT_EQUAL(queued(&bob, 1), nb);
        CU_ASSERT_EQUAL(queued(&bob, 2), nb2);
    }
    CU_ASSERT_EQUAL(one_int(SQL_ALL_MESSAGES, 0), all0 + 2);
    free(good);
}

static void
test_queue_cleared_with_account(void)
{
    struct tacct f;
    int d1[] = { 1 }, r1[1];
    char *b;

    tacct_new(&f, 1, NULL);
    r1[0] = f.reg[0];
    b = send_body(1, d1, r1, 1, 0, 0, 1);
    CU_ASSERT_TRUE(send_is(alice.user[0], NULL, f.aci_s, b, 200, NULL));
    free(b);
    CU_ASSERT_EQUAL(queued(&f, 1), 1);
    CU_ASSERT_EQUAL(store_account_delete(st(), f.aci), E_OK);
    CU_ASSERT_EQUAL(queued(&f, 1), 0);
}

/* Last: with a clock 31 days ahead everything queued so far has expired. */
static void
test_store_expire(void)
{
    size_t removed = 0, total = 0;

    CU_ASSERT_TRUE(queued(&bob, 1) > 0);
    do {
        CU_ASSERT_EQUAL_FATAL(
            store_msgs_expire(st(), now_ms() + MSG_RETENTION_MS + 86400000LL, 500, &removed),
            E_OK);
        total += removed;
    } while (removed == 500);
    CU_ASSERT_TRUE(total > 0);
    CU_ASSERT_EQUAL(queued(&bob, 1), 0);
    CU_ASSERT_EQUAL(queued(&alice, 1), 0);
    CU_ASSERT_EQUAL(store_msgs_expire(st(), now_ms(), 500, &removed), E_OK);
    CU_ASSERT_EQUAL(removed, 0);
}

void
suite_messages_db(void)
{
    CU_pSuite s;

    if (tcall_ctx() == NULL) {
        printf("messages (database): skipped, HG_TEST_CONF not set or store unreachable\n");
        return;
    }
    s = CU_add_suite("messages (database)", NULL, NULL);
    CU_add_test(s, "setup", test_setup);
    CU_add_test(s, "send_validation", test_send_validation);
    CU_add_test(s, "send_envelope", test_send_envelope);
    CU_add_test(s, "sync_and_needs_sync", test_sync_and_needs_sync);
    CU_add_test(s, "ephemeral_not_stored", test_ephemeral_not_stored);
    CU_add_test(s, "list_ack_receipt", test_list_ack_receipt);
    CU_add_test(s, "sealed_sender", test_sealed_sender);
    CU_add_test(s, "push_enqueue", test_push_enqueue);
    CU_add_test(s, "story", test_story);
    CU_add_test(s, "store_batches", test_store_batches);
    CU_add_test(s, "store_delete_many", test_store_delete_many);
    CU_add_test(s, "multi_recipient", test_multi_recipient);
    CU_add_test(s, "multi_recipient_bad_input", test_multi_recipient_bad_input);
    CU_add_test(s, "rate_limits", test_rate_limits);
    CU_add_test(s, "report", test_report);
    CU_add_test(s, "queue_cleared_with_account", test_queue_cleared_with_account);
    CU_add_test(s, "store_expire", test_store_expire);
}
