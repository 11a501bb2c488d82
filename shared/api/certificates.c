/* REST handlers for /v1/certificate/...: sealed-sender delivery certificates and the daily group
 * and call-link auth credentials (Signal-Server CertificateController, server-reference.md §2.8).
 * Keys come from c->ctx->keys (parsed once per process); crypto from crypto/cert.h and
 * crypto/zkgroup.h; the account from the authenticated principal. */
#include "api.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/cert.h"
#include "crypto/server_keys.h"
#include "crypto/zkgroup.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "store/store.h"

#define DAY_S 86400
#define MAX_REDEMPTION_DAYS 7   /* RedemptionRange.MAX_REDEMPTION_DURATION */

/* The keys, or NULL with a log line naming what to configure (the caller answers 503). */
static const struct server_keys *
keys_for(struct call *c, const char *what)
{
    const struct server_keys *k = c->ctx != NULL ? c->ctx->keys : NULL;

    if (k == NULL)
        log_warnx("%s: no server keys loaded", what);
    return k;
}

/* GET /v1/certificate/delivery?includeE164=true|false -> {"certificate": base64} */
enum err
api_certificate_delivery(struct call *c)
{
    const struct server_keys *k = keys_for(c, "certificate/delivery");
    const struct account_rec *acct = c->who->acct;
    const char *inc = req_query(c->req, c->a, "includeE164");
    struct cx_sender_cert_req r = { 0 };
    struct json_object *o;
    uint8_t *cert;
    size_t len;
    bool include_e164;
    enum err e;

    if (k == NULL || !k->has_cert) {
        log_warnx("certificate/delivery: cert_server_certificate / cert_server_private not "
                  "configured");
        return E_UNAVAILABLE;
    }
    /* @DefaultValue("true") boolean: absent is true; otherwise Boolean.valueOf, so only a
     * case-insensitive "true" is true and anything else (even "1") is false. */
    include_e164 = inc == NULL || strcasecmp(inc, "true") == 0;
    if (include_e164 && acct->e164 == NULL)
        return E_BAD_REQUEST;
    if (!acct->has_identity_key) {
        log_warnx("certificate/delivery: account has no ACI identity key");
        return E_INTERNAL;
    }
    r.server_cert = k->server_cert;
    r.server_cert_len = k->server_cert_len;
    r.server_private = k->server_private;
    memcpy(r.aci, c->who->aci, 16);
    r.e164 = include_e164 ? acct->e164 : NULL;
    r.device_id = c->who->device_id;
    r.expires_ms = (uint64_t)now_ms() + k->cert_expires_ms;
    memcpy(r.identity_key, acct->identity_key, 33);
    e = cx_cert_sender_new(c->a, &r, &cert, &len);
    if (e != E_OK)
        return e == E_BAD_REQUEST ? E_INTERNAL : e;   /* our own data: not the client's fault */
    o = jx_new();
    jx_set_b64(c->a, o, "certificate", cert, len, B64_STD_PAD);
    return resp_json(c->resp, 200, o);
}

/*
 * A long query parameter the way JAX-RS binds `@QueryParam long`: absent is 0; a value that
 * does not convert is a 404 (the JAX-RS rule for query parameters), as Signal-Server answers.
 */
static enum err
query_long(struct call *c, const char *name, int64_t *out)
{
    const char *v = req_query(c->req, c->a, name);

    *out = 0;
    if (v == NULL)
        return E_OK;
    if (parse_i64(v[0] == '+' ? v + 1 : v, INT64_MIN, INT64_MAX, out) != 0)
        return E_NOT_FOUND;
    return E_OK;
}

/*
 * RedemptionRange.inclusive: start <= end, both day-aligned, start no earlier than yesterday,
 * end no later than today + 8 days, end - start at most 7 days.  Every violation is a 400.
 */
static enum err
redemption_range_check(int64_t start, int64_t end, int64_t now_s)
{
    int64_t today = now_s - now_s % DAY_S, yesterday = today - DAY_S;

    if (start > end)
        return E_BAD_REQUEST;
    if (start % DAY_S != 0 || end % DAY_S != 0)
        return E_BAD_REQUEST;
    if (start < yesterday)
        return E_BAD_REQUEST;
    if (end > today + (MAX_REDEMPTION_DAYS + 1) * DAY_S)
        return E_BAD_REQUEST;
    /* both are bounded now, so this cannot overflow */
    if (end > start + MAX_REDEMPTION_DAYS * DAY_S)
        return E_BAD_REQUEST;
    return E_OK;
}

static struct json_object *
credential_json(struct arena *a, const uint8_t *p, size_t n, int64_t t)
{
    struct json_object *o = jx_new();

    jx_set_b64(a, o, "credential", p, n, B64_STD_PAD);
    jx_set_int(o, "redemptionTime", t);
    return o;
}

/*
 * GET /v1/certificate/auth/group?redemptionStartSeconds=&redemptionEndSeconds=
 *   -> {credentials:[{credential, redemptionTime}], callLinkAuthCredentials:[...], pni}
 * One AuthCredentialWithPni (zkc) and one CallLinkAuthCredential per day, inclusive.
 */
enum err
api_certificate_auth_group(struct call *c)
{
    const struct server_keys *k = keys_for(c, "certificate/auth/group");
    const struct account_rec *acct = c->who->acct;
    struct json_object *o, *creds, *links;
    int64_t start, end;
    enum err e;

    if ((e = query_long(c, "redemptionStartSeconds", &start)) != E_OK ||
        (e = query_long(c, "redemptionEndSeconds", &end)) != E_OK)
        return e;
    e = redemption_range_check(start, end, now_ms() / 1000);
    if (e != E_OK)
        return e;
    if (k == NULL || k->zk == NULL || k->calling == NULL) {
        log_warnx("certificate/auth/group: zk_secret_params / generic_calling_params not "
                  "configured");
        return E_UNAVAILABLE;
    }
    o = jx_new();
    creds = json_object_new_array();
    links = json_object_new_array();
    jx_set(o, "credentials", creds);
    jx_set(o, "callLinkAuthCredentials", links);
    /* Every account here has a PNI (registration needs a number), so the without-PNI variant
     * (false PNI from authCredentialSalt) is never needed. */
    jx_set_str(o, "pni", uuid_str(c->a, acct->pni));
    for (int64_t t = start; t <= end && e == E_OK; t += DAY_S) {
        uint8_t rnd[32], *out;
        size_t len;

        /* The randomness seeds the proof nonces: it must never outlive the call. */
        randombytes_buf(rnd, sizeof(rnd));
        e = zk_issue_auth_credential_with_pni(k->zk, c->who->aci, acct->pni, (uint64_t)t, rnd,
                                              &out, &len);
        if (e == E_OK) {
            json_object_array_add(creds, credential_json(c->a, out, len, t));
            free(out);
            randombytes_buf(rnd, sizeof(rnd));
            e = zk_issue_call_link_auth_credential(k->calling, c->who->aci, (uint64_t)t, rnd,
                                                   &out, &len);
        }
        if (e == E_OK) {
            json_object_array_add(links, credential_json(c->a, out, len, t));
            free(out);
        }
        sodium_memzero(rnd, sizeof(rnd));
    }
    if (e != E_OK) {
        json_object_put(o);
        return e;
    }
    return resp_json(c->resp, 200, o);
}
