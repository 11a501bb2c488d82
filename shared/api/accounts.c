/* REST handlers for /v1/accounts/...: whoami, existence check, attributes, push tokens, device
 * names, registration lock, deletion. Storage via store_account_* / store_device_*. */
#include "api.h"

#include <string.h>

#include <json-c/json.h>

#include "attrs.h"
#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/token.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "store/store.h"

/* Fields shared by whoami and the registration response (AccountIdentityResponse). */
struct json_object *accounts_identity_json(struct arena *a, const struct account_rec *acct,
                                           bool storage_capable);

struct json_object *
accounts_identity_json(struct arena *a, const struct account_rec *acct, bool storage_capable)
{
    struct json_object *o = jx_new(), *ent = jx_new();

    jx_set_str(o, "uuid", uuid_str(a, acct->aci));
    jx_set_str(o, "number", acct->e164);
    jx_set_str(o, "pni", uuid_str(a, acct->pni));
    if (acct->has_username)
        jx_set_b64(a, o, "usernameHash", acct->username_hash, 32, B64_URL_NOPAD);
    else
        jx_set_null(o, "usernameHash");
    if (acct->has_link_handle)
        jx_set_str(o, "usernameLinkHandle", uuid_str(a, acct->link_handle));
    else
        jx_set_null(o, "usernameLinkHandle");
    jx_set_bool(o, "storageCapable", storage_capable);
    jx_set(ent, "badges", json_object_new_array());
    jx_set_null(ent, "backup");
    jx_set(o, "entitlements", ent);
    return o;
}

static bool
has_capability(const struct device_rec *d, const char *name)
{
    struct json_object *o;
    struct json_object *v;
    bool yes = false;

    if (d == NULL || d->capabilities == NULL)
        return false;
    o = json_tokener_parse(d->capabilities);
    if (o != NULL && json_object_object_get_ex(o, name, &v))
        yes = json_object_get_boolean(v);
    json_object_put(o);
    return yes;
}

/* GET /v1/accounts/whoami (and the seed's /v1/accounts/me) */
enum err
api_accounts_whoami(struct call *c)
{
    const struct account_rec *acct = c->who->acct;

    return resp_json(c->resp, 200,
                     accounts_identity_json(c->a, acct,
                                            has_capability(account_device(acct, 1), "storage")));
}

/* HEAD /v1/accounts/account/{identifier}: 200 if the ACI or PNI exists, else 404 */
enum err
api_accounts_exists(struct call *c)
{
    enum svc_kind kind;
    uint8_t uuid[16];
    struct account_rec acct;
    enum err e;

    if (service_id_parse(c->params[0], &kind, uuid) != 0)
        return E_BAD_REQUEST;
    e = api_rate_limit(c, RL_CHECK_ACCOUNT_EXISTENCE, c->req->peer, 1);
    if (e != E_OK)
        return e;
    if (kind == SVC_PNI)
        e = store_account_by_pni(c->ctx->store, c->a, uuid, &acct);
    else
        e = store_account_get(c->ctx->store, c->a, uuid, &acct);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 200);
}

/* PUT /v1/accounts/attributes AccountAttributes -> 204 */
enum err
api_accounts_attributes(struct call *c)
{
    struct json_object *body;
    struct attrs at;
    struct account_attrs aa = { 0 };
    struct device_attrs da = { 0 };
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = attrs_parse(c->a, body, &at);
    if (e != E_OK)
        return e;
    if (at.discoverable && c->who->acct->e164 == NULL)
        return E_BAD_REQUEST;
    aa.uak = at.uak;
    aa.unrestricted_ua = at.unrestricted_ua;
    aa.discoverable = at.discoverable;
    aa.set_reglock = true;
    if (at.registration_lock != NULL) {
        token_hash_new(at.registration_lock, strlen(at.registration_lock), salt, hash);
        aa.reglock_hash = hash;
        aa.reglock_salt = salt;
    }
    da.registration_id = at.registration_id;
    da.pni_registration_id = at.pni_registration_id ? at.pni_registration_id : -1;
    da.fetches_messages = at.fetches_messages;
    da.name = at.name;
    da.name_len = at.name_len;
    da.set_name = at.name != NULL;
    da.capabilities = at.capabilities;
    da.user_agent = req_header(c->req, "x-signal-agent");
    e = store_account_set_attrs(c->ctx->store, c->who->aci, &aa);
    if (e == E_OK)
        e = store_device_set_attrs(c->ctx->store, c->who->aci, c->who->device_id, &da);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

static enum err
set_push(struct call *c, const char *kind, const char *field)
{
    struct json_object *body;
    const char *token;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, field, &token);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (token[0] == '\0' || strlen(token) > 4000)
        return E_UNPROCESSABLE;
    e = store_device_set_push(c->ctx->store, c->who->aci, c->who->device_id, kind, token);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

static enum err
clear_push(struct call *c, const char *kind)
{
    enum err e = store_device_set_push(c->ctx->store, c->who->aci, c->who->device_id, kind, NULL);

    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* PUT /v1/accounts/apn {apnRegistrationId} -> 204 */
enum err
api_accounts_set_apn(struct call *c)
{
    return set_push(c, "apn", "apnRegistrationId");
}

/* DELETE /v1/accounts/apn -> 204 */
enum err
api_accounts_delete_apn(struct call *c)
{
    return clear_push(c, "apn");
}

/* PUT /v1/accounts/gcm {gcmRegistrationId} -> 204 */
enum err
api_accounts_set_gcm(struct call *c)
{
    return set_push(c, "gcm", "gcmRegistrationId");
}

/* DELETE /v1/accounts/gcm -> 204 */
enum err
api_accounts_delete_gcm(struct call *c)
{
    return clear_push(c, "gcm");
}

/* PUT /v1/accounts/name?deviceId=N {deviceName} -> 204. The primary may rename any device,
 * others only themselves. */
enum err
api_accounts_set_name(struct call *c)
{
    struct json_object *body;
    const char *q = req_query(c->req, c->a, "deviceId");
    int64_t dev = c->who->device_id;
    struct device_attrs da = { .registration_id = -1, .pni_registration_id = -1,
                               .fetches_messages = -1 };
    enum err e;

    if (q != NULL && parse_i64(q, 1, MAX_DEVICE_ID, &dev) != 0)
        return E_BAD_REQUEST;
    if (dev != c->who->device_id && c->who->device_id != 1)
        return E_FORBIDDEN;
    if (account_device(c->who->acct, (uint8_t)dev) == NULL)
        return E_NOT_FOUND;
    e = jx_parse(c->a, c->req->body, c->req->body_len, &body);
    if (e == E_OK)
        e = jx_b64(c->a, body, "deviceName", 0, (uint8_t **)&da.name, &da.name_len);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (da.name_len == 0 || da.name_len > 225)
        return E_UNPROCESSABLE;
    da.set_name = true;
    e = store_device_set_attrs(c->ctx->store, c->who->aci, (uint8_t)dev, &da);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* PUT /v1/accounts/registration_lock {registrationLock: 64 chars} -> 204 */
enum err
api_accounts_set_reglock(struct call *c)
{
    struct json_object *body;
    const char *lock;
    const struct account_rec *acct = c->who->acct;
    struct account_attrs aa = { .uak = acct->has_uak ? acct->uak : NULL,
                                .unrestricted_ua = acct->unrestricted_ua,
                                .discoverable = acct->discoverable,
                                .set_reglock = true };
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, "registrationLock", &lock);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (strlen(lock) != 64)
        return E_UNPROCESSABLE;
    if (acct->e164 == NULL)
        return E_BAD_REQUEST;
    token_hash_new(lock, 64, salt, hash);
    aa.reglock_hash = hash;
    aa.reglock_salt = salt;
    e = store_account_set_attrs(c->ctx->store, c->who->aci, &aa);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* DELETE /v1/accounts/registration_lock -> 204 */
enum err
api_accounts_delete_reglock(struct call *c)
{
    const struct account_rec *acct = c->who->acct;
    struct account_attrs aa = { .uak = acct->has_uak ? acct->uak : NULL,
                                .unrestricted_ua = acct->unrestricted_ua,
                                .discoverable = acct->discoverable,
                                .set_reglock = true };
    enum err e = store_account_set_attrs(c->ctx->store, c->who->aci, &aa);

    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}

/* DELETE /v1/accounts/me -> 204. */
enum err
api_accounts_delete(struct call *c)
{
    enum err e = store_account_delete(c->ctx->store, c->who->aci);

    if (e != E_OK)
        return e;
    api_disconnect_account(c->ctx, c->who->acct);
    return resp_empty(c->resp, 204);
}
