/* FCM HTTP v1: POST {fcm_base_url}/v1/projects/{project_id}/messages:send with an OAuth2 access
 * token. The token comes from the service account's token_uri in exchange for a JWT-bearer
 * assertion (RFC 7523) signed RS256 with the account's private key, and is cached until five
 * minutes before it expires. The message is what Signal's FcmSender builds through the Firebase
 * Admin SDK: data-only {"newMessageAlert":""}, android priority high (urgent) or normal, TTL 28
 * days. Error codes are read from the FcmError detail the way the Admin SDK does. */
#include "fcm.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "json/jx.h"
#include "jwt.h"

#define FCM_TIMEOUT_MS 10000
#define SA_FILE_MAX (64 * 1024)

struct fcm {
    struct push_http *http;
    struct jwt_key *key;
    char *send_url;             /* {base}/v1/projects/{project}/messages:send */
    char *client_email, *key_id, *token_uri;
    char *access_token;         /* malloc'd; NULL until fetched or after a 401 */
    int64_t access_expires_s;
};

char *
fcm_message_build(struct arena *a, const char *token, bool urgent)
{
    return arena_printf(a,
                        "{\"message\":{\"token\":%s,\"android\":{\"priority\":\"%s\","
                        "\"ttl\":\"%llds\"},\"data\":{\"newMessageAlert\":\"\"}}}",
                        jwt_json_quote(a, token), urgent ? "high" : "normal",
                        (long long)FCM_TTL_S);
}

void
fcm_assertion_parts(struct arena *a, const char *client_email, const char *key_id,
                    const char *token_uri, int64_t iat_s, char **header, char **claims)
{
    if (key_id != NULL && key_id[0])
        *header = arena_printf(a, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":%s}",
                               jwt_json_quote(a, key_id));
    else
        *header = arena_printf(a, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    *claims = arena_printf(a, "{\"iss\":%s,\"scope\":\"%s\",\"aud\":%s,\"iat\":%lld,\"exp\":%lld}",
                           jwt_json_quote(a, client_email), FCM_SCOPE,
                           jwt_json_quote(a, token_uri), (long long)iat_s,
                           (long long)(iat_s + FCM_ASSERTION_LIFETIME_S));
}

/* The FcmError detail's errorCode, else the google.rpc status name, else "". */
static const char *
error_code(struct arena *a, const char *body, size_t len)
{
    struct json_object *o, *err, *details;
    const char *status = "";

    if (len == 0 || jx_parse(a, (const uint8_t *)body, len, &o) != E_OK ||
        jx_obj(o, "error", &err) != E_OK)
        return "";
    if (jx_str(err, "status", &status) != E_OK)
        status = "";
    if (jx_arr(err, "details", &details) == E_OK) {
        size_t n = json_object_array_length(details);
        for (size_t i = 0; i < n; i++) {
            struct json_object *d = json_object_array_get_idx(details, i);
            const char *type, *code;
            if (!json_object_is_type(d, json_type_object) || jx_str(d, "@type", &type) != E_OK)
                continue;
            if (strcmp(type, "type.googleapis.com/google.firebase.fcm.v1.FcmError") == 0 &&
                jx_str(d, "errorCode", &code) == E_OK)
                return code;
        }
    }
    return status;
}

void
fcm_classify(struct arena *a, long status, const char *body, size_t len, int64_t retry_after_s,
             struct push_outcome *out)
{
    const char *code = status == 200 ? "" : error_code(a, body, len);

    memset(out, 0, sizeof(*out));
    out->status = status;
    out->retry_after_s = retry_after_s;
    snprintf(out->reason, sizeof(out->reason), "%s", code);
    if (status == 200)
        out->v = PV_SENT;
    else if (strcmp(code, "UNREGISTERED") == 0)
        out->v = PV_BAD_TOKEN;
    else if (status == 0 || status == 429 || status >= 500)
        out->v = PV_RETRY;
    else if (status == 401)
        out->v = PV_AUTH;
    else
        out->v = PV_REJECTED;
}

/* Copy a required string member of the service account into *dst; -1 when missing. */
static int
sa_field(struct json_object *o, const char *key, const char *path, char **dst)
{
    const char *v;

    if (jx_str(o, key, &v) != E_OK || v[0] == '\0') {
        log_warnx("fcm: %s has no %s", path, key);
        return -1;
    }
    *dst = xstrdup(v);
    return 0;
}

enum err
fcm_new(const struct conf *conf, volatile int *stop, struct fcm **out)
{
    const char *path = conf->fcm_service_account_file;
    struct arena *a;
    struct json_object *o;
    char *text, *project = NULL, *pem = NULL;
    const char *kid;
    size_t len;
    struct fcm *c;
    enum err e = E_UNPROCESSABLE;

    *out = NULL;
    if (!path[0])
        return E_NOT_FOUND;
    if (jwt_read_file(path, SA_FILE_MAX, &text, &len) != 0) {
        log_warn("fcm: cannot read service account file %s", path);
        return E_UNPROCESSABLE;
    }
    a = arena_new(8192);
    arena_set_wipe(a);      /* the parsed JSON holds the private key */
    c = xcalloc(1, sizeof(*c));
    if (jx_parse(a, (const uint8_t *)text, len, &o) != E_OK) {
        log_warnx("fcm: %s is not a JSON object", path);
        goto out;
    }
    if (sa_field(o, "project_id", path, &project) != 0 ||
        sa_field(o, "private_key", path, &pem) != 0 ||
        sa_field(o, "client_email", path, &c->client_email) != 0 ||
        sa_field(o, "token_uri", path, &c->token_uri) != 0)
        goto out;
    if (jx_str(o, "private_key_id", &kid) == E_OK)
        c->key_id = xstrdup(kid);
    if (jwt_key_load(pem, strlen(pem), JWT_RS256, &c->key) != E_OK) {
        log_warnx("fcm: %s: private_key is not a usable RSA key", path);
        goto out;
    }
    c->send_url = xstrdup(arena_printf(a, "%s/v1/projects/%s/messages:send", conf->fcm_base_url,
                                       project));
    c->http = push_http_new(FCM_TIMEOUT_MS, conf->push_ca_file, stop);
    *out = c;
    c = NULL;
    e = E_OK;
out:
    if (pem != NULL) {
        explicit_bzero(pem, strlen(pem));
        free(pem);
    }
    free(project);
    fcm_free(c);
    explicit_bzero(text, len);
    free(text);
    arena_free(a);
    return e;
}

void
fcm_free(struct fcm *c)
{
    if (c == NULL)
        return;
    push_http_free(c->http);
    jwt_key_free(c->key);
    free(c->send_url);
    free(c->client_email);
    free(c->key_id);
    free(c->token_uri);
    if (c->access_token != NULL) {
        explicit_bzero(c->access_token, strlen(c->access_token));
        free(c->access_token);
    }
    free(c);
}

static void
drop_access_token(struct fcm *c)
{
    if (c->access_token == NULL)
        return;
    explicit_bzero(c->access_token, strlen(c->access_token));
    free(c->access_token);
    c->access_token = NULL;
}

/* A cached access token, or a new one from token_uri; NULL (out filled) when none can be had. */
static const char *
access_token(struct fcm *c, struct arena *a, int64_t now_s, struct push_outcome *out)
{
    static const char *const hdr[] = { "content-type: application/x-www-form-urlencoded", NULL };
    struct push_http_resp r;
    struct json_object *o;
    const char *tok;
    char *h, *cl, *jwt, *form;
    int64_t expires_in;

    if (c->access_token != NULL && now_s + FCM_TOKEN_MARGIN_S < c->access_expires_s)
        return c->access_token;
    drop_access_token(c);
    memset(out, 0, sizeof(*out));
    out->v = PV_RETRY;
    fcm_assertion_parts(a, c->client_email, c->key_id, c->token_uri, now_s, &h, &cl);
    if (jwt_sign(a, c->key, h, cl, &jwt) != E_OK) {
        snprintf(out->reason, sizeof(out->reason), "signing failed");
        return NULL;
    }
    /* a JWS is base64url and dots only, so it needs no form escaping */
    form = arena_printf(a, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
                           "&assertion=%s", jwt);
    if (push_http_post(c->http, a, c->token_uri, hdr, form, strlen(form), &r) != E_OK) {
        snprintf(out->reason, sizeof(out->reason), "token endpoint unreachable");
        return NULL;
    }
    out->status = r.status;
    out->retry_after_s = r.retry_after_s;
    if (r.status != 200 || jx_parse(a, (const uint8_t *)r.body, r.len, &o) != E_OK ||
        jx_str(o, "access_token", &tok) != E_OK || tok[0] == '\0' ||
        jx_int(o, "expires_in", 1, 366LL * 86400, &expires_in) != E_OK) {
        log_warnx("fcm: token endpoint answered %ld without a usable access token", r.status);
        snprintf(out->reason, sizeof(out->reason), "token endpoint %ld", r.status);
        return NULL;
    }
    c->access_token = xstrdup(tok);
    c->access_expires_s = now_s + expires_in;
    return c->access_token;
}

void
fcm_send(struct fcm *c, const char *token, bool urgent, int64_t now_ms, struct push_outcome *out)
{
    struct arena *a = arena_new(4096);
    struct push_http_resp r;
    const char *at, *hdr[3];
    char *body;

    arena_set_wipe(a);      /* holds the assertion and the access token */
    memset(out, 0, sizeof(*out));
    at = access_token(c, a, now_ms / 1000, out);
    if (at == NULL) {
        arena_free(a);
        return;
    }
    hdr[0] = arena_printf(a, "authorization: Bearer %s", at);
    hdr[1] = "content-type: application/json; charset=UTF-8";
    hdr[2] = NULL;
    body = fcm_message_build(a, token, urgent);
    if (push_http_post(c->http, a, c->send_url, hdr, body, strlen(body), &r) != E_OK) {
        fcm_classify(a, 0, NULL, 0, 0, out);
        snprintf(out->reason, sizeof(out->reason), "no response");
    } else {
        fcm_classify(a, r.status, r.body, r.len, r.retry_after_s, out);
    }
    if (out->v == PV_AUTH)
        drop_access_token(c);
    arena_free(a);
}
