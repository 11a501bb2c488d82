/* REST handlers for /v2/keys: pre-key upload and counts, signed-key update, consistency check,
 * and bundle fetch (authenticated or with an Unidentified-Access-Key). Storage via store_keys_*. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/zkgroup.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "prekey.h"
#include "store/store.h"

/* ?identity=aci|pni, default aci */
static enum err
identity_param(struct call *c, enum key_identity *id)
{
    const char *v = req_query(c->req, c->a, "identity");

    if (v == NULL || strcmp(v, "aci") == 0)
        *id = KEY_ACI;
    else if (strcmp(v, "pni") == 0)
        *id = KEY_PNI;
    else
        return E_BAD_REQUEST;
    return E_OK;
}

static const uint8_t *
identity_key_of(const struct account_rec *acct, enum key_identity id)
{
    if (id == KEY_PNI)
        return acct->has_pni_identity_key ? acct->pni_identity_key : NULL;
    return acct->has_identity_key ? acct->identity_key : NULL;
}

/* GET /v2/keys?identity= -> {"count":N,"pqCount":M} */
enum err
api_keys_count(struct call *c)
{
    enum key_identity id;
    int ec, kem;
    enum err e = identity_param(c, &id);

    if (e == E_OK)
        e = store_keys_count(c->ctx->store, c->who->aci, c->who->device_id, id, &ec, &kem);
    if (e != E_OK)
        return e;
    struct json_object *o = jx_new();
    jx_set_int(o, "count", ec);
    jx_set_int(o, "pqCount", kem);
    return resp_json(c->resp, 200, o);
}

static enum err
parse_list(struct call *c, struct json_object *body, const char *field, bool kem,
           const uint8_t *ik, struct onetime_key **out, size_t *n)
{
    struct json_object *arr;
    enum err e = jx_arr(body, field, &arr);
    size_t len;

    *n = 0;
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e != E_OK)
        return e;
    len = json_object_array_length(arr);
    if (len > PREKEY_MAX_UPLOAD)
        return E_UNPROCESSABLE;
    *out = arena_alloc(c->a, (len ? len : 1) * sizeof(**out));
    for (size_t i = 0; i < len; i++) {
        e = prekey_parse_onetime(c->a, json_object_array_get_idx(arr, i), kem, ik, &(*out)[i]);
        if (e != E_OK)
            return e;
    }
    *n = len;
    return E_OK;
}

static enum err
parse_optional_signed(struct call *c, struct json_object *body, const char *field, bool kem,
                      const uint8_t *ik, struct signed_key **out)
{
    struct json_object *o;
    enum err e = jx_obj(body, field, &o);

    *out = NULL;
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e != E_OK)
        return e;
    *out = arena_alloc(c->a, sizeof(**out));
    return prekey_parse_signed(c->a, o, kem, ik, *out);
}

/* PUT /v2/keys?identity= {preKeys, signedPreKey, pqPreKeys, pqLastResortPreKey} -> 204 */
enum err
api_keys_put(struct call *c)
{
    struct json_object *body;
    struct key_upload u = { 0 };
    struct onetime_key *ec = NULL, *kem = NULL;
    struct signed_key *sk, *lr;
    enum key_identity id;
    const uint8_t *ik;
    enum err e = identity_param(c, &id);

    if (e == E_OK)
        e = jx_parse(c->a, c->req->body, c->req->body_len, &body);
    if (e != E_OK)
        return e;
    ik = identity_key_of(c->who->acct, id);
    if (ik == NULL)
        return E_BAD_REQUEST; /* PNI keys for an account without a PNI identity */
    e = parse_list(c, body, "preKeys", false, ik, &ec, &u.nec);
    if (e == E_OK)
        e = parse_list(c, body, "pqPreKeys", true, ik, &kem, &u.nkem);
    if (e == E_OK)
        e = parse_optional_signed(c, body, "signedPreKey", false, ik, &sk);
    if (e == E_OK)
        e = parse_optional_signed(c, body, "pqLastResortPreKey", true, ik, &lr);
    if (e != E_OK)
        return e;
    u.ec = ec;
    u.kem = kem;
    u.signed_ec = sk;
    u.last_resort = lr;
    e = store_keys_put(c->ctx->store, c->who->aci, c->who->device_id, id, &u);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* PUT /v2/keys/signed?identity= {keyId, publicKey, signature} -> 204 (seed-era route) */
enum err
api_keys_put_signed(struct call *c)
{
    struct json_object *body;
    struct key_upload u = { 0 };
    struct signed_key sk;
    enum key_identity id;
    const uint8_t *ik;
    enum err e = identity_param(c, &id);

    if (e == E_OK)
        e = jx_parse(c->a, c->req->body, c->req->body_len, &body);
    if (e != E_OK)
        return e;
    ik = identity_key_of(c->who->acct, id);
    if (ik == NULL)
        return E_BAD_REQUEST;
    e = prekey_parse_signed(c->a, body, false, ik, &sk);
    if (e != E_OK)
        return e;
    u.signed_ec = &sk;
    e = store_keys_put(c->ctx->store, c->who->aci, c->who->device_id, id, &u);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

static void
put_be64(crypto_hash_sha256_state *st, int64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    crypto_hash_sha256_update(st, b, 8);
}

/* POST /v2/keys/check {identityType, digest} -> 200 when
 * digest == SHA-256(identityKey || signedId(BE64) || signedKey || lastResortId(BE64) || lastResort) */
enum err
api_keys_check(struct call *c)
{
    struct json_object *body;
    const char *type;
    uint8_t *digest, mine[32];
    size_t dlen;
    enum key_identity id;
    struct signed_key sk, lr;
    const uint8_t *ik;
    crypto_hash_sha256_state st;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, "identityType", &type);
    if (e == E_OK)
        e = jx_b64(c->a, body, "digest", 0, &digest, &dlen);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (dlen != 32)
        return E_UNPROCESSABLE;
    if (strcmp(type, "ACI") == 0 || strcmp(type, "aci") == 0)
        id = KEY_ACI;
    else if (strcmp(type, "PNI") == 0 || strcmp(type, "pni") == 0)
        id = KEY_PNI;
    else
        return E_UNPROCESSABLE;
    ik = identity_key_of(c->who->acct, id);
    if (ik == NULL)
        return E_CONFLICT;
    e = store_keys_signed_get(c->ctx->store, c->a, c->who->aci, c->who->device_id, id, false, &sk);
    if (e == E_OK)
        e = store_keys_signed_get(c->ctx->store, c->a, c->who->aci, c->who->device_id, id, true,
                                  &lr);
    if (e == E_NOT_FOUND)
        return E_CONFLICT;
    if (e != E_OK)
        return e;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, ik, 33);
    put_be64(&st, sk.key_id);
    crypto_hash_sha256_update(&st, sk.pub, sk.pub_len);
    put_be64(&st, lr.key_id);
    crypto_hash_sha256_update(&st, lr.pub, lr.pub_len);
    crypto_hash_sha256_final(&st, mine);
    if (!ct_eq(mine, 32, digest, 32))
        return E_CONFLICT;
    return resp_empty(c->resp, 200);
}

/* Who may read the target's keys (KeysController.getDeviceKeys): an authenticated device, a
 * caller with the target's unidentified access key, or a caller with a group send token for the
 * target (*by_token: then a missing target or device is 404, the token already admits that it
 * exists). Any two of these together are 400. */
static enum err
check_access(struct call *c, enum svc_kind kind, const uint8_t uuid[16],
             const struct account_rec *target, bool found, bool *by_token)
{
    const char *uak_b64 = req_header(c->req, "unidentified-access-key");
    const char *gst = req_header(c->req, "group-send-token");

    *by_token = false;
    if (c->who != NULL) {
        if (uak_b64 != NULL || gst != NULL)
            return E_BAD_REQUEST;
        return found ? E_OK : E_NOT_FOUND;
    }
    if (gst != NULL) {
        struct zk_service_id r = { .kind = kind == SVC_PNI ? 1 : 0 };
        enum err e;

        if (uak_b64 != NULL)
            return E_BAD_REQUEST;
        memcpy(r.uuid, uuid, 16);
        e = api_access_group_send(c, gst, &r, 1);
        if (e != E_OK)
            return e;
        *by_token = true;
        return found ? E_OK : E_NOT_FOUND;
    }
    return api_access_uak(c, uak_b64, kind, target, found);
}

static void
json_put(void *p)
{
    json_object_put(p);
}

static struct json_object *
device_json(struct call *c, const struct device_rec *d, enum key_identity id,
            const struct device_bundle *b)
{
    struct json_object *o = jx_new();

    jx_set_int(o, "deviceId", d->id);
    jx_set_int(o, "registrationId", id == KEY_PNI ? d->pni_registration_id : d->registration_id);
    jx_set(o, "signedPreKey", prekey_signed_json(c->a, &b->signed_ec));
    if (b->has_ec) {
        struct json_object *pk = jx_new();
        jx_set_int(pk, "keyId", b->ec.key_id);
        jx_set_b64(c->a, pk, "publicKey", b->ec.pub, b->ec.pub_len, B64_STD_PAD);
        jx_set(o, "preKey", pk);
    } else {
        jx_set_null(o, "preKey");
    }
    if (b->has_kem)
        jx_set(o, "pqPreKey", prekey_signed_json(c->a, &b->kem));
    else
        jx_set_null(o, "pqPreKey");
    return o;
}

/* GET /v2/keys/{identifier}/{device_id|*} -> {identityKey, devices:[...]} */
enum err
api_keys_get(struct call *c)
{
    enum svc_kind kind;
    uint8_t uuid[16];
    int64_t want = -1;
    struct account_rec target;
    enum key_identity id;
    const uint8_t *ik;
    struct json_object *devices, *o;
    bool by_token;
    enum err e;

    if (service_id_parse(c->params[0], &kind, uuid) != 0)
        return E_BAD_REQUEST;
    if (strcmp(c->params[1], "*") != 0 && parse_i64(c->params[1], 0, 255, &want) != 0)
        return E_UNPROCESSABLE;
    if (kind == SVC_PNI)
        e = store_account_by_pni(c->ctx->store, c->a, uuid, &target);
    else
        e = store_account_get(c->ctx->store, c->a, uuid, &target);
    if (e != E_OK && e != E_NOT_FOUND)
        return e;
    e = check_access(c, kind, uuid, &target, e == E_OK, &by_token);
    if (e != E_OK)
        return e;
    if (want >= 0 && account_device(&target, (uint8_t)want) == NULL)
        return c->who != NULL || by_token ? E_NOT_FOUND : E_UNAUTHORIZED;
    if (c->who != NULL) {
        /* prekeys limiter: one bucket per (caller device, target device or "*") */
        char me[37], them[37], key[100];

        uuid_format(c->who->aci, me);
        uuid_format(uuid, them);
        snprintf(key, sizeof(key), "%s.%u__%s.%s", me, c->who->device_id, them, c->params[1]);
        e = api_rate_limit(c, RL_PREKEYS, key, 1);
        if (e != E_OK)
            return e;
    }
    id = kind == SVC_PNI ? KEY_PNI : KEY_ACI;
    ik = identity_key_of(&target, id);
    if (ik == NULL)
        return E_NOT_FOUND;

    devices = json_object_new_array();
    arena_defer(c->a, json_put, devices);
    for (size_t i = 0; i < target.ndevices; i++) {
        const struct device_rec *d = &target.devices[i];
        struct device_bundle b;
        if (want >= 0 && d->id != want)
            continue;
        e = store_keys_take(c->ctx->store, c->a, target.aci, d->id, id, &b);
        if (e != E_OK)
            return e;
        if (!b.has_signed)
            continue; /* a device without a signed prekey cannot start a session */
        json_object_array_add(devices, device_json(c, d, id, &b));
    }
    if (json_object_array_length(devices) == 0)
        return E_NOT_FOUND;
    o = jx_new();
    jx_set_b64(c->a, o, "identityKey", ik, 33, B64_STD_PAD);
    jx_set(o, "devices", json_object_get(devices));
    return resp_json(c->resp, 200, o);
}
