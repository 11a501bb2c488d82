/* /v1/devices: linking a new device to an account, listing, removal, capabilities
 * (server-reference.md §2.4, Signal's DeviceController and AccountsManager.addDevice).
 *
 * Linking: the primary asks for a link token (GET provisioning/code) and passes it to the new
 * device inside the provisioning message; the new device presents it with its own password and
 * keys (PUT link). A token is "<aci>.<issued ms>:<base64url(HMAC-SHA256(secret, claims))>",
 * valid 10 minutes, spent once (its SHA-256 goes into used_link_tokens in the transaction that
 * adds the device). The primary may long-poll wait_for_linked_device with the token identifier
 * base64url(SHA-256(token)). */
#include "api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attrs.h"
#include "core/arena.h"
#include "core/b64.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/digest.h"
#include "crypto/hpke.h"
#include "crypto/server_keys.h"
#include "crypto/token.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "prekey.h"
#include "store/store.h"

#define WAIT_POLL_MS 100
#define WAIT_DEFAULT_S 30
#define WAIT_MAX_S 3600
#define TOKEN_ID_MIN 32
#define TOKEN_ID_MAX 64

/* Capabilities a new device must have, and those it may not drop once every device has them
 * (Signal's DeviceCapability: requireForNewDevices / preventDowngrade). */
static const char *const required_caps[] = { "spqr" };
static const char *const no_downgrade_caps[] = { "spqr", "usernameChangeSyncMessage" };

static bool
has_cap(const char *caps, const char *name)
{
    char want[80];

    snprintf(want, sizeof(want), "\"%s\":true", name);
    return caps != NULL && strstr(caps, want) != NULL;
}

/* ---- link tokens ---- */

static const struct server_keys *
link_keys(const struct call *c)
{
    const struct server_keys *k = c->ctx->keys;

    return k != NULL && k->link_secret_len > 0 ? k : NULL;
}

static char *
token_new(struct call *c, const struct server_keys *k, const uint8_t aci[16])
{
    char *claims = arena_printf(c->a, "%s.%lld", uuid_str(c->a, aci), (long long)now_ms());
    uint8_t mac[32];

    cx_hmac_sha256(k->link_secret, k->link_secret_len, claims, strlen(claims), mac);
    return arena_printf(c->a, "%s:%s", claims, b64_encode(c->a, mac, 32, B64_URL_PAD));
}

static char *
token_identifier(struct arena *a, const char *token)
{
    uint8_t h[32];

    cx_sha256(token, strlen(token), h);
    return b64_encode(a, h, 32, B64_URL_NOPAD);
}

/* The ACI a valid, unexpired token was issued for; -1 for anything else. */
static int
token_check(struct call *c, const struct server_keys *k, const char *token, uint8_t aci[16])
{
    const char *colon = strchr(token, ':'), *dot;
    uint8_t mac[32], *given;
    size_t given_len;
    char uuid[37];
    int64_t issued;

    if (colon == NULL)
        return -1;
    cx_hmac_sha256(k->link_secret, k->link_secret_len, token, (size_t)(colon - token), mac);
    if (b64_decode(c->a, colon + 1, strlen(colon + 1), 1, &given, &given_len) != 0 ||
        !ct_eq(mac, 32, given, given_len))
        return -1;
    dot = memchr(token, '.', (size_t)(colon - token));
    if (dot == NULL || dot - token != 36)
        return -1;
    memcpy(uuid, token, 36);
    uuid[36] = '\0';
    char *ts = arena_strndup(c->a, dot + 1, (size_t)(colon - dot - 1));
    if (uuid_parse(uuid, aci) != 0 || parse_i64(ts, 0, INT64_MAX / 2, &issued) != 0)
        return -1;
    return issued + LINK_TOKEN_TTL_MS < now_ms() ? -1 : 0;
}

/* ---- DeviceInfo ---- */

static struct json_object *
device_info(struct arena *a, const struct account_rec *acct, const struct device_rec *d)
{
    struct json_object *o = jx_new();
    uint8_t sealed[CX_HPKE_DEVICE_CREATED_LEN];

    jx_set_int(o, "id", d->id);
    if (d->name != NULL)
        jx_set_b64(a, o, "name", d->name, d->name_len, B64_STD_PAD);
    else
        jx_set_null(o, "name");
    jx_set_int(o, "lastSeen", d->last_seen_ms);
    jx_set_int(o, "registrationId", d->registration_id);
    if (acct->has_identity_key &&
        cx_hpke_seal_device_created(acct->identity_key, d->id, (uint32_t)d->registration_id,
                                    d->created_ms, NULL, sealed) == 0)
        jx_set_b64(a, o, "createdAtCiphertext", sealed, sizeof(sealed), B64_STD_NOPAD);
    else
        jx_set_null(o, "createdAtCiphertext");
    return o;
}

/* GET /v1/devices -> {devices: [DeviceInfo...]} */
enum err
api_devices_list(struct call *c)
{
    const struct account_rec *acct = c->who->acct;
    struct json_object *o = jx_new(), *list = json_object_new_array();

    for (size_t i = 0; i < acct->ndevices; i++)
        json_object_array_add(list, device_info(c->a, acct, &acct->devices[i]));
    jx_set(o, "devices", list);
    return resp_json(c->resp, 200, o);
}

/* DELETE /v1/devices/{device_id} -> 204. The primary removes any linked device, a linked
 * device only itself; the primary cannot be removed. */
enum err
api_devices_remove(struct call *c)
{
    int64_t id;
    enum err e;

    if (parse_i64(c->params[0], 0, 255, &id) != 0)
        return E_NOT_FOUND;
    if (c->who->device_id != 1 && c->who->device_id != id)
        return E_UNAUTHORIZED;
    if (id == 1)
        return E_FORBIDDEN;
    e = store_device_remove(c->ctx->store, c->who->aci, (uint8_t)id);
    if (e != E_OK)
        return e;
    api_disconnect_device(c->ctx, c->who->aci, (uint8_t)id);
    return resp_empty(c->resp, 204);
}

static enum err
device_limit(struct call *c, size_t current)
{
    struct json_object *o = jx_new();

    jx_set_int(o, "current", (int64_t)current);
    jx_set_int(o, "max", MAX_DEVICES);
    (void)resp_json(c->resp, 411, o);
    return E_OK;
}

/* GET /v1/devices/provisioning/code -> {verificationCode, tokenIdentifier} (primary only) */
enum err
api_devices_provisioning_code(struct call *c)
{
    const struct account_rec *acct = c->who->acct;
    const struct server_keys *k = link_keys(c);
    enum err e = api_rate_limit(c, RL_ALLOCATE_DEVICE, uuid_str(c->a, c->who->aci), 1);
    struct json_object *o;
    char *token;

    if (e != E_OK)
        return e;
    if (acct->ndevices >= MAX_DEVICES)
        return device_limit(c, acct->ndevices);
    if (c->who->device_id != 1)
        return E_UNAUTHORIZED;
    if (k == NULL)
        return E_UNAVAILABLE;       /* link_device_secret not configured */
    token = token_new(c, k, c->who->aci);
    o = jx_new();
    jx_set_str(o, "verificationCode", token);
    jx_set_str(o, "tokenIdentifier", token_identifier(c->a, token));
    return resp_json(c->resp, 200, o);
}

/* ---- PUT /v1/devices/link ---- */

struct link_body {
    const char *code;
    struct attrs attrs;
    struct json_object *aci_spk, *aci_lr, *pni_spk, *pni_lr;   /* NULL when absent */
    const char *apn, *gcm;
};

static enum err
opt_obj(struct json_object *body, const char *field, struct json_object **out)
{
    enum err e = jx_obj(body, field, out);

    if (e == E_NOT_FOUND)
        *out = NULL;
    return jx_optional(e);
}

static enum err
push_token(struct json_object *body, const char *obj, const char *field, const char **out)
{
    struct json_object *o;
    enum err e = opt_obj(body, obj, &o);

    *out = NULL;
    if (e != E_OK || o == NULL)
        return e;
    e = jx_str(o, field, out);
    if (e == E_NOT_FOUND || (e == E_OK && (*out)[0] == '\0'))
        return E_UNPROCESSABLE;
    return e;
}

/* Structure only; the signatures need the account's identity keys (checked later). */
static enum err
parse_link(struct call *c, struct link_body *b)
{
    struct json_object *body, *attrs;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    memset(b, 0, sizeof(*b));
    if (e == E_OK)
        e = jx_str(body, "verificationCode", &b->code);
    if (e == E_OK && b->code[0] == '\0')
        e = E_UNPROCESSABLE;
    if (e == E_OK)
        e = jx_obj(body, "accountAttributes", &attrs);
    if (e == E_OK)
        e = attrs_parse(c->a, attrs, &b->attrs);
    if (e == E_OK)
        e = opt_obj(body, "aciSignedPreKey", &b->aci_spk);
    if (e == E_OK)
        e = opt_obj(body, "aciPqLastResortPreKey", &b->aci_lr);
    if (e == E_OK)
        e = opt_obj(body, "pniSignedPreKey", &b->pni_spk);
    if (e == E_OK)
        e = opt_obj(body, "pniPqLastResortPreKey", &b->pni_lr);
    if (e == E_OK)
        e = push_token(body, "apnToken", "apnRegistrationId", &b->apn);
    if (e == E_OK)
        e = push_token(body, "gcmToken", "gcmRegistrationId", &b->gcm);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (b->aci_spk == NULL || b->aci_lr == NULL)
        return E_UNPROCESSABLE;
    /* Exactly one delivery channel: fetchesMessages without tokens, or exactly one token. */
    if (b->attrs.fetches_messages ? (b->apn != NULL || b->gcm != NULL)
                                  : ((b->apn != NULL) == (b->gcm != NULL)))
        return E_UNPROCESSABLE;
    return E_OK;
}

/* Every signed key verifies against the account's identity keys; PNI keys exactly when the
 * account has a PNI identity key. 422 otherwise. */
static enum err
check_keys(struct call *c, const struct account_rec *acct, const struct link_body *b,
           struct device_link *l)
{
    enum err e;

    if (!acct->has_identity_key)
        return E_UNPROCESSABLE;
    e = prekey_parse_signed(c->a, b->aci_spk, false, acct->identity_key, &l->aci_signed);
    if (e == E_OK)
        e = prekey_parse_signed(c->a, b->aci_lr, true, acct->identity_key, &l->aci_last_resort);
    if (e != E_OK)
        return E_UNPROCESSABLE;
    if (!acct->has_pni_identity_key)
        return b->pni_spk == NULL && b->pni_lr == NULL ? E_OK : E_UNPROCESSABLE;
    if (b->pni_spk == NULL || b->pni_lr == NULL)
        return E_UNPROCESSABLE;
    e = prekey_parse_signed(c->a, b->pni_spk, false, acct->pni_identity_key, &l->pni_signed);
    if (e == E_OK)
        e = prekey_parse_signed(c->a, b->pni_lr, true, acct->pni_identity_key,
                                &l->pni_last_resort);
    l->has_pni_keys = true;
    return e == E_OK ? E_OK : E_UNPROCESSABLE;
}

static bool
capability_downgrade(const struct account_rec *acct, const char *caps)
{
    for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
        if (!has_cap(caps, required_caps[i]))
            return true;
    for (size_t i = 0; i < sizeof(no_downgrade_caps) / sizeof(no_downgrade_caps[0]); i++) {
        bool all = acct->ndevices > 0;

        for (size_t d = 0; d < acct->ndevices && all; d++)
            all = has_cap(acct->devices[d].capabilities, no_downgrade_caps[i]);
        if (all && !has_cap(caps, no_downgrade_caps[i]))
            return true;
    }
    return false;
}

/* PUT /v1/devices/link LinkDeviceRequest -> 200 {uuid, pni, deviceId}. Authorization: Basic
 * with any username (clients send the number or the ACI) and the new device's password. */
enum err
api_devices_link(struct call *c)
{
    const struct server_keys *k = link_keys(c);
    char *user, *password, *json;
    struct link_body b;
    struct account_rec acct, fresh;
    struct device_link l = { 0 };
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    uint8_t aci[16], id;
    int64_t created;
    enum err e;

    arena_set_wipe(c->a);
    if (auth_basic_parse(c->a, req_header(c->req, "authorization"), &user, &password) != 0 ||
        password[0] == '\0' || strlen(password) > 512)
        return E_UNAUTHORIZED;
    e = parse_link(c, &b);
    if (e != E_OK)
        return e;
    if (k == NULL)
        return E_UNAVAILABLE;
    if (token_check(c, k, b.code, aci) != 0)
        return E_FORBIDDEN;
    e = store_account_get(c->ctx->store, c->a, aci, &acct);
    if (e == E_NOT_FOUND)
        return E_FORBIDDEN;
    if (e == E_OK)
        e = api_rate_limit(c, RL_VERIFY_DEVICE, uuid_str(c->a, aci), 1);
    if (e != E_OK)
        return e;
    if (acct.e164 == NULL && !has_cap(b.attrs.capabilities, "optionalPhoneNumber"))
        return E_CONFLICT;
    e = check_keys(c, &acct, &b, &l);
    if (e != E_OK)
        return e;
    if (acct.ndevices >= MAX_DEVICES)
        return device_limit(c, acct.ndevices);
    if (!b.attrs.has_capabilities)
        return E_UNPROCESSABLE;
    if (capability_downgrade(&acct, b.attrs.capabilities))
        return E_CONFLICT;

    token_hash_new(password, strlen(password), salt, hash);
    cx_sha256(b.code, strlen(b.code), l.token_hash);
    l.token_expires_ms = now_ms() + LINK_TOKEN_TTL_MS;
    l.device.auth_hash = hash;
    l.device.auth_salt = salt;
    l.device.registration_id = b.attrs.registration_id;
    l.device.pni_registration_id = b.attrs.pni_registration_id;
    l.device.name = b.attrs.name;
    l.device.name_len = b.attrs.name_len;
    l.device.fetches_messages = b.attrs.fetches_messages;
    l.device.capabilities = (char *)b.attrs.capabilities;
    l.device.apn_token = (char *)b.apn;
    l.device.gcm_token = (char *)b.gcm;
    l.device.user_agent = (char *)(b.apn != NULL ? "OWP" : b.gcm != NULL ? "OWA" : "OWD");
    e = store_device_link(c->ctx->store, aci, &l, &id, &created);
    if (e == E_DEVICE_LIMIT)
        return device_limit(c, MAX_DEVICES);
    if (e != E_OK)
        return e;
    /* Tell a waiting primary (best effort: the link itself has succeeded). */
    if (store_account_get(c->ctx->store, c->a, aci, &fresh) == E_OK &&
        account_device(&fresh, id) != NULL) {
        struct json_object *info = device_info(c->a, &fresh, account_device(&fresh, id));

        json = arena_strdup(c->a, json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN));
        json_object_put(info);
        if (store_linked_device_put(c->ctx->store, token_identifier(c->a, b.code), json) != E_OK)
            log_warnx("devices: cannot record the linked device for its waiting primary");
    }
    struct json_object *o = jx_new();
    jx_set_str(o, "uuid", uuid_str(c->a, acct.aci));
    jx_set_str(o, "pni", uuid_str(c->a, acct.pni));
    jx_set_int(o, "deviceId", id);
    return resp_json(c->resp, 200, o);
}

/* ---- GET /v1/devices/wait_for_linked_device/{tokenIdentifier}?timeout=S ---- */

static void
sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Whether the primary still has queued envelopes older than epoch (the reference waits for
 * the primary to fetch those before reporting the link, so the backup it hands the new device
 * covers them). */
static bool
has_older_messages(struct call *c, int64_t epoch)
{
    struct arena *a = arena_new(4096);
    struct msg_rec *m;
    size_t n = 0;
    bool older = store_msgs_fetch(c->ctx->store, a, c->who->aci, c->who->device_id, 0, 1, &m,
                                  &n) == E_OK &&
                 n > 0 && m[0].server_ts_ms < epoch;

    arena_free(a);
    return older;
}

enum err
api_devices_wait_linked(struct call *c)
{
    const char *id = c->params[0], *q = req_query(c->req, c->a, "timeout");
    int64_t timeout = WAIT_DEFAULT_S, deadline, epoch = 0;
    uint8_t *raw;
    size_t raw_len, idlen = strlen(id);
    char *json = NULL;
    enum err e;

    if (q != NULL && parse_i64(q, 1, WAIT_MAX_S, &timeout) != 0)
        return E_BAD_REQUEST;
    if (idlen < TOKEN_ID_MIN || idlen > TOKEN_ID_MAX)
        return E_BAD_REQUEST;
    e = api_rate_limit(c, RL_WAIT_FOR_LINKED_DEVICE, uuid_str(c->a, c->who->aci), 1);
    if (e != E_OK)
        return e;
    if (c->who->device_id != 1)
        return E_BAD_REQUEST;       /* only primaries link devices */
    if (b64_decode(c->a, id, idlen, 1, &raw, &raw_len) != 0 || raw_len != 32)
        return E_BAD_REQUEST;
    deadline = now_ms() + timeout * 1000;
    for (;;) {
        if (json == NULL) {
            e = store_linked_device_get(c->ctx->store, c->a, id, &json);
            if (e == E_OK)
                epoch = now_ms();
            else if (e != E_NOT_FOUND)
                return e;
        }
        if (json != NULL && !has_older_messages(c, epoch))
            return resp_bytes(c->resp, 200, "application/json", json, strlen(json));
        if (now_ms() + WAIT_POLL_MS > deadline)
            return resp_empty(c->resp, 204);
        sleep_ms(WAIT_POLL_MS);
    }
}

/* PUT /v1/devices/capabilities {name: bool...} -> 204 (replaces the caller's capabilities) */
enum err
api_devices_set_capabilities(struct call *c)
{
    struct json_object *body;
    const char *caps;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = attrs_capabilities(c->a, body, &caps);
    if (e == E_OK)
        e = store_device_set_capabilities(c->ctx->store, c->who->aci, c->who->device_id, caps);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* PUT /v1/devices/unauthenticated_delivery -> 204. A seed-era route (removed upstream in 2024):
 * it only ever confirmed the authenticated device, the access key and unrestricted access are
 * set through PUT /v1/accounts/attributes. Kept so that older clients do not see a 404. */
enum err
api_devices_unauthenticated_delivery(struct call *c)
{
    return resp_empty(c->resp, 204);
}
