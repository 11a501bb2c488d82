/* APNs provider API: POST {apns_base_url}/3/device/{token} over HTTP/2 with a provider token
 * (ES256 JWT, kid = key id, iss = team id, refreshed every 50 minutes). Payloads, push types,
 * priorities, collapse id and TTL follow Signal's APNSender (server-reference.md §1.5):
 *   urgent:     {"aps":{"alert":{"loc-key":"APN_Message"},"mutable-content":1}}, alert, 10,
 *               apns-collapse-id incoming-message
 *   background: {"aps":{"content-available":1}}, background, 5
 * The error reasons are Apple's ("Sending notification requests to APNs", status codes table). */
#include "apns.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "json/jx.h"
#include "jwt.h"

#define APNS_TIMEOUT_MS 10000

struct apns {
    struct push_http *http;
    struct jwt_key *key;
    char *base_url, *team_id, *key_id, *topic;
    char *jwt;              /* current provider token (malloc'd), NULL until first send */
    int64_t jwt_iat_s;
};

void
apns_note_build(bool urgent, struct apns_note *out)
{
    if (urgent) {
        out->payload = "{\"aps\":{\"alert\":{\"loc-key\":\"APN_Message\"},\"mutable-content\":1}}";
        out->push_type = "alert";
        out->priority = 10;
        out->collapse_id = "incoming-message";
    } else {
        out->payload = "{\"aps\":{\"content-available\":1}}";
        out->push_type = "background";
        out->priority = 5;      /* Apple requires 5 for background pushes */
        out->collapse_id = NULL;
    }
}

void
apns_jwt_parts(struct arena *a, const char *key_id, const char *team_id, int64_t iat_s,
               char **header, char **claims)
{
    *header = arena_printf(a, "{\"alg\":\"ES256\",\"kid\":%s}", jwt_json_quote(a, key_id));
    *claims = arena_printf(a, "{\"iss\":%s,\"iat\":%lld}", jwt_json_quote(a, team_id),
                           (long long)iat_s);
}

static bool
reason_is(const char *r, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(r, list[i]) == 0)
            return true;
    return false;
}

void
apns_classify(struct arena *a, long status, const char *body, size_t len, int64_t retry_after_s,
              struct push_outcome *out)
{
    /* APNSender: these three reasons mean the app is gone from the device */
    static const char *const dead[] = { "Unregistered", "BadDeviceToken", "ExpiredToken", NULL };
    static const char *const auth[] = { "ExpiredProviderToken", "InvalidProviderToken",
                                        "MissingProviderToken", NULL };
    struct json_object *o;
    const char *reason = "";

    memset(out, 0, sizeof(*out));
    out->status = status;
    out->retry_after_s = retry_after_s;
    if (status != 200 && len > 0 && jx_parse(a, (const uint8_t *)body, len, &o) == E_OK &&
        jx_str(o, "reason", &reason) != E_OK)
        reason = "";
    snprintf(out->reason, sizeof(out->reason), "%s", reason);
    if (status == 200)
        out->v = PV_SENT;
    else if (status == 0 || status == 429 || status >= 500)
        out->v = PV_RETRY;
    else if (status == 410 || reason_is(reason, dead))
        out->v = PV_BAD_TOKEN;
    else if (status == 403 && reason_is(reason, auth))
        out->v = PV_AUTH;
    else
        out->v = PV_REJECTED;
}

bool
apns_token_valid(const char *token)
{
    size_t n = strlen(token);

    if (n == 0 || n > 200)
        return false;
    return strspn(token, "0123456789abcdefABCDEF") == n;
}

enum err
apns_new(const struct conf *conf, volatile int *stop, struct apns **out)
{
    struct jwt_key *key;
    enum err e;

    *out = NULL;
    if (!conf->apns_team_id[0] || !conf->apns_key_id[0] || !conf->apns_key_file[0] ||
        !conf->apns_bundle_id[0])
        return E_NOT_FOUND;
    e = jwt_key_load_file(conf->apns_key_file, JWT_ES256, &key);
    if (e != E_OK)
        return e;
    *out = xcalloc(1, sizeof(**out));
    (*out)->http = push_http_new(APNS_TIMEOUT_MS, conf->push_ca_file, stop);
    (*out)->key = key;
    (*out)->base_url = xstrdup(conf->apns_base_url);
    (*out)->team_id = xstrdup(conf->apns_team_id);
    (*out)->key_id = xstrdup(conf->apns_key_id);
    (*out)->topic = xstrdup(conf->apns_bundle_id);
    return E_OK;
}

void
apns_free(struct apns *c)
{
    if (c == NULL)
        return;
    push_http_free(c->http);
    jwt_key_free(c->key);
    free(c->base_url);
    free(c->team_id);
    free(c->key_id);
    free(c->topic);
    free(c->jwt);
    free(c);
}

/* The provider token, minted again when older than 50 minutes (or after a 403 dropped it). */
static const char *
provider_token(struct apns *c, struct arena *a, int64_t now_s)
{
    char *h, *cl, *jwt;

    if (c->jwt != NULL && now_s - c->jwt_iat_s < APNS_JWT_REFRESH_S && now_s >= c->jwt_iat_s)
        return c->jwt;
    apns_jwt_parts(a, c->key_id, c->team_id, now_s, &h, &cl);
    if (jwt_sign(a, c->key, h, cl, &jwt) != E_OK)
        return NULL;
    free(c->jwt);
    c->jwt = xstrdup(jwt);
    c->jwt_iat_s = now_s;
    return c->jwt;
}

void
apns_send(struct apns *c, const char *token, bool urgent, int64_t now_ms, struct push_outcome *out)
{
    struct arena *a = arena_new(4096);
    struct apns_note n;
    struct push_http_resp r;
    const char *jwt, *hdr[8];
    size_t nh = 0;
    int64_t now_s = now_ms / 1000;

    memset(out, 0, sizeof(*out));
    if (!apns_token_valid(token)) {
        /* Apple would answer BadDeviceToken; spare the round trip */
        out->v = PV_BAD_TOKEN;
        snprintf(out->reason, sizeof(out->reason), "BadDeviceToken");
        arena_free(a);
        return;
    }
    jwt = provider_token(c, a, now_s);
    if (jwt == NULL) {
        out->v = PV_RETRY;
        snprintf(out->reason, sizeof(out->reason), "signing failed");
        arena_free(a);
        return;
    }
    apns_note_build(urgent, &n);
    hdr[nh++] = arena_printf(a, "authorization: bearer %s", jwt);
    hdr[nh++] = arena_printf(a, "apns-topic: %s", c->topic);
    hdr[nh++] = arena_printf(a, "apns-push-type: %s", n.push_type);
    hdr[nh++] = arena_printf(a, "apns-priority: %d", n.priority);
    hdr[nh++] = arena_printf(a, "apns-expiration: %lld", (long long)(now_s + APNS_TTL_S));
    if (n.collapse_id != NULL)
        hdr[nh++] = arena_printf(a, "apns-collapse-id: %s", n.collapse_id);
    hdr[nh++] = "content-type: application/json";
    hdr[nh] = NULL;
    if (push_http_post(c->http, a, arena_printf(a, "%s/3/device/%s", c->base_url, token), hdr,
                       n.payload, strlen(n.payload), &r) != E_OK) {
        apns_classify(a, 0, NULL, 0, 0, out);
        snprintf(out->reason, sizeof(out->reason), "no response");
    } else {
        apns_classify(a, r.status, r.body, r.len, r.retry_after_s, out);
    }
    if (out->v == PV_AUTH) {
        free(c->jwt);   /* next send mints a fresh provider token */
        c->jwt = NULL;
    }
    arena_free(a);
}
