/* POST /v1/registration: create (or re-register) an account after phone verification or with a
 * recovery password. Authorization: Basic base64(<e164>:<password>); the password becomes the
 * primary device's secret. Check order follows Signal's RegistrationController. */
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
#include "prekey.h"
#include "store/store.h"

#define REGLOCK_EXPIRY_MS (7LL * 86400 * 1000)

struct json_object *accounts_identity_json(struct arena *a, const struct account_rec *acct,
                                           bool storage_capable);

struct reg_body {
    const char *session_id;
    uint8_t *recovery_password;
    size_t recovery_password_len;
    struct attrs attrs;
    bool skip_device_transfer;
    uint8_t aci_ik[33], pni_ik[33];
    bool has_pni;
    struct signed_key aci_spk, pni_spk, aci_lr, pni_lr;
    const char *apn, *gcm;
};

static enum err
signed_field(struct arena *a, struct json_object *body, const char *field, bool kem,
             const uint8_t ik[33], struct signed_key *out)
{
    struct json_object *o;
    enum err e = jx_obj(body, field, &o);

    if (e == E_NOT_FOUND)
        return E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    return prekey_parse_signed(a, o, kem, ik, out);
}

static enum err
token_field(struct json_object *body, const char *obj, const char *field, const char **out)
{
    struct json_object *o;
    enum err e = jx_obj(body, obj, &o);

    *out = NULL;
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e == E_OK)
        e = jx_str(o, field, out);
    if (e == E_NOT_FOUND || (e == E_OK && (*out)[0] == '\0'))
        return E_UNPROCESSABLE;
    return e;
}

static enum err
parse_body(struct call *c, struct reg_body *b)
{
    struct json_object *body, *attrs;
    bool has_pni_ik;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    memset(b, 0, sizeof(*b));
    if (e == E_OK)
        e = jx_optional(jx_str(body, "sessionId", &b->session_id));
    if (e == E_OK)
        e = jx_optional(jx_b64(c->a, body, "recoveryPassword", 0, &b->recovery_password,
                               &b->recovery_password_len));
    if (e == E_OK && (b->session_id == NULL) == (b->recovery_password == NULL))
        e = E_UNPROCESSABLE; /* exactly one proof of the number */
    if (e == E_OK)
        e = jx_obj(body, "accountAttributes", &attrs);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e == E_OK)
        e = attrs_parse(c->a, attrs, &b->attrs);
    if (e == E_OK)
        e = jx_optional(jx_bool(body, "skipDeviceTransfer", &b->skip_device_transfer));
    if (e == E_OK)
        e = prekey_parse_identity(c->a, body, "aciIdentityKey", b->aci_ik);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    e = prekey_parse_identity(c->a, body, "pniIdentityKey", b->pni_ik);
    has_pni_ik = e == E_OK;
    if (e != E_OK && e != E_NOT_FOUND)
        return e;
    /* All four signed keys must verify against their identity keys (422 otherwise). */
    e = signed_field(c->a, body, "aciSignedPreKey", false, b->aci_ik, &b->aci_spk);
    if (e == E_OK)
        e = signed_field(c->a, body, "aciPqLastResortPreKey", true, b->aci_ik, &b->aci_lr);
    if (e == E_OK && has_pni_ik) {
        e = signed_field(c->a, body, "pniSignedPreKey", false, b->pni_ik, &b->pni_spk);
        if (e == E_OK)
            e = signed_field(c->a, body, "pniPqLastResortPreKey", true, b->pni_ik, &b->pni_lr);
        b->has_pni = true;
    } else if (e == E_OK) {
        struct json_object *x;
        /* PNI items all present or all absent. */
        if (jx_obj(body, "pniSignedPreKey", &x) != E_NOT_FOUND ||
            jx_obj(body, "pniPqLastResortPreKey", &x) != E_NOT_FOUND)
            e = E_UNPROCESSABLE;
    }
    if (e == E_OK)
        e = token_field(body, "apnToken", "apnRegistrationId", &b->apn);
    if (e == E_OK)
        e = token_field(body, "gcmToken", "gcmRegistrationId", &b->gcm);
    if (e != E_OK)
        return e;
    /* Exactly one delivery channel: fetchesMessages, or exactly one push token. */
    int channels = (b->attrs.fetches_messages ? 1 : 0) + (b->apn ? 1 : 0) + (b->gcm ? 1 : 0);
    if (channels != 1)
        return E_UNPROCESSABLE;
    if (b->recovery_password != NULL && b->recovery_password_len != 32)
        return E_UNPROCESSABLE;
    return E_OK;
}

/* Prove control of the number: a verified session for it, or its recovery password. */
static enum err
check_number(struct call *c, const struct reg_body *b, const char *e164)
{
    if (b->session_id != NULL) {
        struct vsession v;
        uint8_t *id;
        size_t n;
        enum err e;
        if (b64_decode(c->a, b->session_id, strlen(b->session_id), 1, &id, &n) != 0 || n != 16)
            return E_BAD_REQUEST;
        e = store_vsession_get(c->ctx->store, c->a, id, &v);
        if (e == E_NOT_FOUND)
            return E_UNAUTHORIZED;
        if (e != E_OK)
            return e;
        if (strcmp(v.e164, e164) != 0)
            return E_BAD_REQUEST;
        return v.verified ? E_OK : E_UNAUTHORIZED;
    }
    uint8_t pni[16];
    char *hash, *salt, *hex;
    enum err e = store_pni_for_e164(c->ctx->store, e164, pni);
    if (e == E_OK)
        e = store_recovery_get(c->ctx->store, c->a, pni, &hash, &salt);
    if (e == E_NOT_FOUND)
        return E_FORBIDDEN;
    if (e != E_OK)
        return e;
    hex = hex_encode(c->a, b->recovery_password, b->recovery_password_len);
    return token_verify(hex, strlen(hex), hash, salt) ? E_OK : E_FORBIDDEN;
}

static int64_t
last_seen(const struct account_rec *acct)
{
    int64_t m = 0;

    for (size_t i = 0; i < acct->ndevices; i++)
        if (acct->devices[i].last_seen_ms > m)
            m = acct->devices[i].last_seen_ms;
    return m;
}

/* An existing account may block re-registration: device transfer (409), registration lock (423). */
static enum err
check_existing(struct call *c, const struct reg_body *b, const struct account_rec *old)
{
    const struct device_rec *primary = account_device(old, 1);

    if (!b->skip_device_transfer && primary != NULL && primary->capabilities != NULL &&
        strstr(primary->capabilities, "\"transfer\":true") != NULL)
        return E_CONFLICT;
    if (old->reglock_hash != NULL) {
        int64_t left = last_seen(old) + REGLOCK_EXPIRY_MS - now_ms();
        const char *t = b->attrs.registration_lock;
        if (left > 0 && (t == NULL || !token_verify(t, strlen(t), old->reglock_hash,
                                                    old->reglock_salt))) {
            struct json_object *o = jx_new();
            jx_set_int(o, "timeRemaining", left);
            /* XXX: SVR2 credentials need the external-credentials secret; until it is
             * configured the client gets null and must wait for the lock to expire. */
            jx_set_null(o, "svr2Credentials");
            (void)resp_json(c->resp, 423, o);
            return E_LOCKED; /* caller keeps this response */
        }
    }
    return E_OK;
}

/* POST /v1/registration RegistrationRequest -> 200 AccountCreationResponse */
enum err
api_registration_register(struct call *c)
{
    char *e164, *password;
    struct reg_body b;
    struct account_rec old, fresh;
    struct registration r = { 0 };
    char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
    char lsalt[TOKEN_SALT_LEN + 1], lhash[TOKEN_HASH_LEN + 1];
    bool rereg;
    enum err e;

    arena_set_wipe(c->a);
    if (auth_basic_parse(c->a, req_header(c->req, "authorization"), &e164, &password) != 0)
        return E_UNAUTHORIZED;
    if (!e164_valid(e164))
        return E_BAD_REQUEST;
    if (password[0] == '\0' || strlen(password) > 512)
        return E_UNAUTHORIZED;
    e = parse_body(c, &b);
    if (e == E_OK)
        e = api_rate_limit(c, RL_REGISTRATION, e164, 1);
    if (e == E_OK)
        e = check_number(c, &b, e164);
    if (e != E_OK)
        return e;
    e = store_account_by_e164(c->ctx->store, c->a, e164, &old);
    if (e == E_OK) {
        e = check_existing(c, &b, &old);
        if (e == E_LOCKED)
            return E_OK; /* the 423 body is already in c->resp */
    } else if (e == E_NOT_FOUND) {
        e = E_OK;
    }
    if (e != E_OK)
        return e;

    token_hash_new(password, strlen(password), salt, hash);
    r.e164 = e164;
    r.device.id = 1;
    r.device.auth_hash = hash;
    r.device.auth_salt = salt;
    r.device.registration_id = b.attrs.registration_id;
    r.device.pni_registration_id = b.attrs.pni_registration_id;
    r.device.name = b.attrs.name;
    r.device.name_len = b.attrs.name_len;
    r.device.fetches_messages = b.attrs.fetches_messages;
    r.device.capabilities = (char *)b.attrs.capabilities;
    r.device.apn_token = (char *)b.apn;
    r.device.gcm_token = (char *)b.gcm;
    r.device.user_agent = (char *)req_header(c->req, "x-signal-agent");
    r.aci_identity_key = b.aci_ik;
    r.pni_identity_key = b.pni_ik;
    r.aci_signed = b.aci_spk;
    r.aci_last_resort = b.aci_lr;
    r.pni_signed = b.pni_spk;
    r.pni_last_resort = b.pni_lr;
    r.has_pni_keys = b.has_pni;
    r.uak = b.attrs.uak;
    r.unrestricted_ua = b.attrs.unrestricted_ua;
    r.discoverable = b.attrs.discoverable;
    if (b.attrs.registration_lock != NULL) {
        token_hash_new(b.attrs.registration_lock, 64, lsalt, lhash);
        r.reglock_hash = lhash;
        r.reglock_salt = lsalt;
    }
    r.recovery_password = b.attrs.recovery_password;
    r.recovery_password_len = b.attrs.recovery_password_len;

    uint8_t aci[16], pni[16];
    e = store_account_register(c->ctx->store, &r, aci, pni, &rereg);
    if (e == E_OK && rereg)
        api_disconnect_account(c->ctx, &old);   /* the replaced devices' sockets: 4401 */
    if (e == E_OK)
        e = store_account_get(c->ctx->store, c->a, aci, &fresh);
    if (e != E_OK)
        return e;
    struct json_object *o = accounts_identity_json(
        c->a, &fresh, rereg && strstr(old.devices[0].capabilities ? old.devices[0].capabilities : "",
                                      "\"storage\":true") != NULL);
    jx_set_bool(o, "reregistration", rereg);
    return resp_json(c->resp, 200, o);
}
