/* REST handlers for /v1/verification/session*: the phone-number verification flow that Signal
 * runs in its registration service, done in-house here. Session ids are 16 random bytes, sent as
 * URL-safe base64 with padding. Codes go out through shared/sms/sender.c. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/conf.h"
#include "core/str.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "sms/sender.h"
#include "store/store.h"

/* Signal's test-mode captcha; this server has no captcha provider, so it is the accepted answer. */
#define NOOP_CAPTCHA "noop.noop.registration.noop"
#define SMS_INTERVAL_MS (60 * 1000)     /* wait between code requests on one transport */
#define MAX_SMS 5
#define MAX_VOICE 3
#define MAX_ATTEMPTS 5
#define ATTEMPT_INTERVAL_MS (1000)

static bool
allowed_to_request(const struct vsession *v)
{
    return !v->verified && !v->need_captcha && !v->need_push_challenge;
}

/* Seconds until the next send on a transport, or -1 when that transport is not allowed. */
static int64_t
next_send_s(const struct vsession *v, bool voice, int64_t now)
{
    int64_t last = voice ? v->last_voice_ms : v->last_sms_ms;
    int count = voice ? v->voice_count : v->sms_count;

    if (!allowed_to_request(v) || count >= (voice ? MAX_VOICE : MAX_SMS))
        return -1;
    if (voice && v->sms_count == 0)
        return -1; /* voice only after a first SMS, as the reference */
    if (last == 0)
        return 0;
    int64_t wait = last + SMS_INTERVAL_MS * count - now;
    return wait > 0 ? (wait + 999) / 1000 : 0;
}

static int64_t
next_attempt_s(const struct vsession *v, int64_t now)
{
    if (v->verified || v->code == NULL || v->attempts >= MAX_ATTEMPTS)
        return -1;
    int64_t wait = v->last_attempt_ms + ATTEMPT_INTERVAL_MS - now;
    return wait > 0 ? (wait + 999) / 1000 : 0;
}

static void
set_opt_int(struct json_object *o, const char *k, int64_t v)
{
    if (v < 0)
        jx_set_null(o, k);
    else
        jx_set_int(o, k, v);
}

static enum err
session_reply(struct call *c, int status, const struct vsession *v)
{
    struct json_object *o = jx_new(), *req = json_object_new_array();
    int64_t now = now_ms();

    jx_set_b64(c->a, o, "id", v->id, 16, B64_URL_PAD);
    set_opt_int(o, "nextSms", next_send_s(v, false, now));
    set_opt_int(o, "nextCall", next_send_s(v, true, now));
    set_opt_int(o, "nextVerificationAttempt", next_attempt_s(v, now));
    jx_set_bool(o, "allowedToRequestCode", allowed_to_request(v));
    if (v->need_push_challenge)
        json_object_array_add(req, json_object_new_string("pushChallenge"));
    if (v->need_captcha)
        json_object_array_add(req, json_object_new_string("captcha"));
    jx_set(o, "requestedInformation", req);
    jx_set_bool(o, "verified", v->verified);
    return resp_json(c->resp, status, o);
}

static enum err
load_session(struct call *c, struct vsession *v)
{
    const char *id = c->params[0];
    uint8_t *raw;
    size_t n;

    if (b64_decode(c->a, id, strlen(id), 1, &raw, &n) != 0)
        return E_UNPROCESSABLE;
    if (n != 16)
        return E_BAD_REQUEST;
    return store_vsession_get(c->ctx->store, c->a, raw, v);
}

/* pushToken and pushTokenType come together or not at all. */
static enum err
push_token(struct json_object *body, const char **token, const char **type)
{
    enum err e = jx_optional(jx_str(body, "pushToken", token));

    if (e == E_OK)
        e = jx_optional(jx_str(body, "pushTokenType", type));
    if (e != E_OK)
        return e;
    if ((*token == NULL) != (*type == NULL))
        return E_UNPROCESSABLE;
    if (*type != NULL && strcmp(*type, "apn") != 0 && strcmp(*type, "fcm") != 0)
        return E_UNPROCESSABLE;
    return E_OK;
}

static char *
new_challenge(struct arena *a)
{
    uint8_t raw[16];

    randombytes_buf(raw, sizeof(raw));
    return hex_encode(a, raw, sizeof(raw));
}

/* POST /v1/verification/session {number, pushToken?, pushTokenType?, mcc?, mnc?} */
enum err
api_verification_create(struct call *c)
{
    struct json_object *body;
    const char *number, *token = NULL, *type = NULL, *mcc = NULL, *mnc = NULL;
    struct vsession v = { 0 };
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, "number", &number);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e == E_OK)
        e = push_token(body, &token, &type);
    if (e == E_OK)
        e = jx_optional(jx_str(body, "mcc", &mcc));
    if (e == E_OK)
        e = jx_optional(jx_str(body, "mnc", &mnc));
    if (e != E_OK)
        return e;
    if (!e164_valid(number))
        return E_BAD_REQUEST;
    if ((mcc && strlen(mcc) > 3) || (mnc && strlen(mnc) > 3))
        return E_UNPROCESSABLE;
    randombytes_buf(v.id, sizeof(v.id));
    v.e164 = (char *)number;
    v.created_ms = now_ms();
    v.expires_ms = v.created_ms + c->ctx->conf->session_ttl_s * 1000;
    v.push_token = (char *)token;
    v.push_token_type = (char *)type;
    v.need_captcha = true;
    if (token != NULL) {
        /* XXX: the challenge is delivered by push once push sending lands (delivery issue);
         * until then clients answer the captcha, which satisfies both. */
        v.push_challenge = new_challenge(c->a);
        v.need_push_challenge = true;
    }
    v.mcc = (char *)mcc;
    v.mnc = (char *)mnc;
    e = store_vsession_create(c->ctx->store, &v);
    if (e != E_OK)
        return e;
    return session_reply(c, 200, &v);
}

/* GET /v1/verification/session/{id} */
enum err
api_verification_get(struct call *c)
{
    struct vsession v;
    enum err e = load_session(c, &v);

    if (e != E_OK)
        return e;
    return session_reply(c, 200, &v);
}

/* PATCH /v1/verification/session/{id} {pushToken?, pushTokenType?, pushChallenge?, captcha?,
 * mcc?, mnc?} — a correct push challenge or captcha clears both requests. */
enum err
api_verification_patch(struct call *c)
{
    struct json_object *body;
    const char *token = NULL, *type = NULL, *answer = NULL, *captcha = NULL, *mcc = NULL,
               *mnc = NULL;
    struct vsession v;
    int status = 200;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = push_token(body, &token, &type);
    if (e == E_OK)
        e = jx_optional(jx_str(body, "pushChallenge", &answer));
    if (e == E_OK)
        e = jx_optional(jx_str(body, "captcha", &captcha));
    if (e == E_OK)
        e = jx_optional(jx_str(body, "mcc", &mcc));
    if (e == E_OK)
        e = jx_optional(jx_str(body, "mnc", &mnc));
    if (e == E_OK)
        e = load_session(c, &v);
    if (e != E_OK)
        return e;
    if (mcc != NULL)
        v.mcc = (char *)mcc;
    if (mnc != NULL)
        v.mnc = (char *)mnc;
    if (token != NULL) {
        v.push_token = (char *)token;
        v.push_token_type = (char *)type;
        if (!v.verified && v.push_challenge == NULL) {
            v.push_challenge = new_challenge(c->a);
            v.need_push_challenge = true;
        }
    }
    if (answer != NULL) {
        if (v.push_challenge != NULL &&
            ct_eq(answer, strlen(answer), v.push_challenge, strlen(v.push_challenge)))
            v.need_push_challenge = v.need_captcha = false;
        else
            status = 403;
    }
    if (captcha != NULL) {
        if (strcmp(captcha, NOOP_CAPTCHA) == 0)
            v.need_push_challenge = v.need_captcha = false;
        else
            status = 403;
    }
    e = store_vsession_update(c->ctx->store, &v);
    if (e != E_OK)
        return e;
    return session_reply(c, status, &v);
}

/* POST /v1/verification/session/{id}/code {transport: sms|voice, client} */
enum err
api_verification_request_code(struct call *c)
{
    struct json_object *body;
    const char *transport, *client = NULL;
    struct vsession v;
    char code[7], retry[24];
    int permanent = 0;
    int64_t now = now_ms(), wait;
    bool voice;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, "transport", &transport);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e == E_OK)
        e = jx_optional(jx_str(body, "client", &client));
    if (e != E_OK)
        return e;
    if (strcmp(transport, "sms") != 0 && strcmp(transport, "voice") != 0)
        return E_UNPROCESSABLE;
    voice = transport[0] == 'v';
    e = load_session(c, &v);
    if (e != E_OK)
        return e;
    if (v.verified || v.need_captcha || v.need_push_challenge)
        return session_reply(c, 409, &v);
    wait = next_send_s(&v, voice, now);
    if (wait != 0) {
        if (wait > 0) {
            snprintf(retry, sizeof(retry), "%lld", (long long)wait);
            resp_header(c->resp, "Retry-After", retry);
            return session_reply(c, 429, &v);
        }
        return session_reply(c, voice ? 418 : 429, &v);
    }
    e = sender_send(c->ctx->conf, v.e164, transport, req_header(c->req, "accept-language"), code,
                    &permanent);
    if (e == E_PROVIDER) {
        struct json_object *o = jx_new();
        jx_set_str(o, "reason", permanent ? "providerRejected" : "providerUnavailable");
        jx_set_bool(o, "permanentFailure", permanent);
        return resp_json(c->resp, 440, o);
    }
    if (e != E_OK)
        return e;
    v.code = arena_strdup(c->a, code);
    v.code_transport = (char *)transport;
    if (voice) {
        v.voice_count++;
        v.last_voice_ms = now;
    } else {
        v.sms_count++;
        v.last_sms_ms = now;
    }
    e = store_vsession_update(c->ctx->store, &v);
    if (e != E_OK)
        return e;
    return session_reply(c, 200, &v);
}

/* PUT /v1/verification/session/{id}/code {code} */
enum err
api_verification_submit_code(struct call *c)
{
    struct json_object *body;
    const char *code;
    struct vsession v;
    int64_t now = now_ms();
    uint8_t pni[16];
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e == E_OK)
        e = jx_str(body, "code", &code);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE;
    if (e == E_OK)
        e = load_session(c, &v);
    if (e != E_OK)
        return e;
    if (v.verified || v.code == NULL)
        return session_reply(c, 409, &v);
    if (next_attempt_s(&v, now) != 0)
        return session_reply(c, 429, &v);
    v.attempts++;
    v.last_attempt_ms = now;
    if (ct_eq(code, strlen(code), v.code, strlen(v.code))) {
        v.verified = true;
        /* A fresh SMS verification invalidates the number's recovery password. */
        if (store_pni_for_e164(c->ctx->store, v.e164, pni) == E_OK) {
            e = store_recovery_delete(c->ctx->store, pni);
            if (e != E_OK)
                return e;
        }
    }
    e = store_vsession_update(c->ctx->store, &v);
    if (e != E_OK)
        return e;
    return session_reply(c, 200, &v);
}
