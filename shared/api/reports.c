/* POST /v1/messages/report/{source}/{messageGuid} (MessageController.reportSpamMessage) and the
 * report-spam tokens (reports.h). A report is always 202 once authenticated; it is stored for
 * operators (store_report_add), marked verified when its token proves the server delivered that
 * message from that sender to the reporter. The reference proves the same with a SHA-256(guid ||
 * sender) row written for every identified message; the token saves that write per message. */
#include "reports.h"

#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/digest.h"
#include "crypto/server_keys.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "store/store.h"

#define REPORT_TOKEN_VERSION 0x01
#define REPORT_TOKEN_MAC_LEN 16
#define REPORT_TOKEN_SKEW_MS (5LL * 60 * 1000)      /* tolerated clock skew between servers */
#define REPORT_TOKEN_STORE_MAX 255                  /* message_reports.token */

static const char MAC_LABEL[] = "heliograph report-spam token v1";

/* HMAC-SHA256(secret, label || source || reporter || guid || ts), truncated to 16 bytes. */
static void
token_mac(const struct server_keys *k, const uint8_t src[16], const uint8_t rep[16],
          const uint8_t guid[16], const uint8_t ts[8], uint8_t mac[32])
{
    uint8_t msg[sizeof(MAC_LABEL) - 1 + 16 * 3 + 8];
    size_t o = 0;

    memcpy(msg + o, MAC_LABEL, sizeof(MAC_LABEL) - 1);
    o += sizeof(MAC_LABEL) - 1;
    memcpy(msg + o, src, 16);
    memcpy(msg + o + 16, rep, 16);
    memcpy(msg + o + 32, guid, 16);
    memcpy(msg + o + 48, ts, 8);
    cx_hmac_sha256(k->report_secret, k->report_secret_len, msg, sizeof(msg), mac);
}

bool
reports_token_new(const struct server_keys *k, const uint8_t source_aci[16],
                  const uint8_t reporter_aci[16], const uint8_t guid[16], int64_t server_ts_ms,
                  uint8_t out[REPORT_TOKEN_LEN])
{
    uint8_t mac[32];

    if (k == NULL || k->report_secret_len == 0)
        return false;
    out[0] = REPORT_TOKEN_VERSION;
    for (int i = 0; i < 8; i++)
        out[1 + i] = (uint8_t)((uint64_t)server_ts_ms >> (56 - 8 * i));
    token_mac(k, source_aci, reporter_aci, guid, out + 1, mac);
    memcpy(out + 9, mac, REPORT_TOKEN_MAC_LEN);
    return true;
}

bool
reports_token_check(const struct server_keys *k, const uint8_t *tok, size_t len,
                    const uint8_t source_aci[16], const uint8_t reporter_aci[16],
                    const uint8_t guid[16], int64_t now)
{
    uint8_t mac[32];
    uint64_t ts = 0;

    if (k == NULL || k->report_secret_len == 0 || len != REPORT_TOKEN_LEN ||
        tok[0] != REPORT_TOKEN_VERSION)
        return false;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | tok[1 + i];
    if ((int64_t)ts > now + REPORT_TOKEN_SKEW_MS || now - (int64_t)ts > REPORT_TOKEN_TTL_MS)
        return false;
    token_mac(k, source_aci, reporter_aci, guid, tok + 1, mac);
    return ct_eq(mac, REPORT_TOKEN_MAC_LEN, tok + 9, REPORT_TOKEN_MAC_LEN);
}

/* Who {source} names: an E164 (the account holding it, or only the number's PNI when it is no
 * longer registered) or a service id (ACI, or PNI:uuid). */
static enum err
resolve_source(struct call *c, const char *source, struct report_rec *r)
{
    struct account_rec acct;
    enum svc_kind kind;
    uint8_t uuid[16];
    enum err e;

    if (source[0] == '+') {
        r->source_e164 = source;
        e = store_account_by_e164(c->ctx->store, c->a, source, &acct);
        if (e == E_NOT_FOUND) {
            r->source_deleted = true;
            e = store_pni_for_e164(c->ctx->store, source, r->source_pni);
            if (e == E_OK)
                r->has_source_pni = true;
            return e == E_NOT_FOUND ? E_OK : e;
        }
    } else {
        if (service_id_parse(source, &kind, uuid) != 0)
            return E_BAD_REQUEST; /* UUID.fromString throws */
        if (kind == SVC_ACI) {
            memcpy(r->source_aci, uuid, 16);
            r->has_source_aci = true;
            e = store_account_get(c->ctx->store, c->a, uuid, &acct);
        } else {
            memcpy(r->source_pni, uuid, 16);
            r->has_source_pni = true;
            e = store_account_by_pni(c->ctx->store, c->a, uuid, &acct);
        }
        if (e == E_NOT_FOUND) {
            r->source_deleted = true;
            return E_OK;
        }
    }
    if (e != E_OK)
        return e;
    memcpy(r->source_aci, acct.aci, 16);
    memcpy(r->source_pni, acct.pni, 16);
    r->has_source_aci = r->has_source_pni = true;
    if (r->source_e164 == NULL && acct.e164 != NULL && acct.e164[0] != '\0')
        r->source_e164 = acct.e164;
    return E_OK;
}

/* POST /v1/messages/report/{source}/{messageGuid} [{"token": base64}] -> 202 */
enum err
api_messages_report(struct call *c)
{
    struct report_rec r;
    uint8_t *tok = NULL;
    size_t tok_len = 0;
    enum err e;

    memset(&r, 0, sizeof(r));
    if (uuid_parse(c->params[1], r.message_guid) != 0)
        return E_NOT_FOUND; /* Jersey: the UUID path parameter does not convert */
    if (c->req->body_len > 0) {
        struct json_object *body;
        e = jx_parse(c->a, c->req->body, c->req->body_len, &body);
        if (e != E_OK)
            return e;
        if (body != NULL && json_object_is_type(body, json_type_object)) {
            e = jx_optional(jx_b64(c->a, body, "token", 0, &tok, &tok_len));
            if (e != E_OK)
                return e;
        }
    }
    e = resolve_source(c, c->params[0], &r);
    if (e != E_OK)
        return e;
    memcpy(r.reporter_aci, c->who->aci, 16);
    /* an empty token counts as none, as the reference filters it */
    if (tok != NULL && tok_len > 0) {
        r.verified = r.has_source_aci &&
                     reports_token_check(c->ctx->keys, tok, tok_len, r.source_aci,
                                         r.reporter_aci, r.message_guid, now_ms());
        if (tok_len <= REPORT_TOKEN_STORE_MAX) {
            r.token = tok;
            r.token_len = tok_len;
        }
    }
    e = store_report_add(c->ctx->store, &r);
    if (e != E_OK)
        return e;
    log_debug("messages: spam report (%s)", r.verified ? "verified" : "unverified");
    return resp_empty(c->resp, 202);
}
