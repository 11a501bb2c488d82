/* REST handler for /v1/call-link/create-auth (Signal-Server CallLinkController,
 * server-reference.md §2.19): a CreateCallLinkCredential over the caller's ACI, today's UTC
 * midnight and the room id the client blinded.  The call links themselves live in the calling
 * server.  Keys from c->ctx->keys (the calling GenericServerSecretParams). */
#include "api.h"

#include <stdlib.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/b64.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/server_keys.h"
#include "crypto/zkgroup.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"

/* POST /v1/call-link/create-auth {createCallLinkCredentialRequest} -> {credential,
 * redemptionTime} */
enum err
api_calllink_create_auth(struct call *c)
{
    const struct server_keys *k = c->ctx != NULL ? c->ctx->keys : NULL;
    struct json_object *body, *o;
    uint8_t *request, *out, rnd[32];
    size_t request_len, out_len;
    int64_t now_s = now_ms() / 1000, today = now_s - now_s % 86400;
    enum err e;

    char aci[37];

    uuid_format(c->who->aci, aci);
    e = api_rate_limit(c, RL_CREATE_CALL_LINK, aci, 1);
    if (e != E_OK)
        return e;
    e = jx_parse(c->a, c->req->body, c->req->body_len, &body);
    if (e != E_OK)
        return e;
    /* byte[] with @NotEmpty: absent, null or empty is a validation failure (422); a value
     * Jackson cannot read as bytes is a JSON mapping error, which Dropwizard answers 400. */
    e = jx_b64(c->a, body, "createCallLinkCredentialRequest", 0, &request, &request_len);
    if (e == E_NOT_FOUND || (e == E_OK && request_len == 0))
        return E_UNPROCESSABLE;
    if (e != E_OK)
        return E_BAD_REQUEST;
    if (k == NULL || k->calling == NULL) {
        log_warnx("call-link/create-auth: generic_calling_params not configured");
        return E_UNAVAILABLE;
    }
    randombytes_buf(rnd, sizeof(rnd));
    e = zk_issue_create_call_link_credential(k->calling, request, request_len, c->who->aci,
                                             (uint64_t)today, rnd, &out, &out_len);
    sodium_memzero(rnd, sizeof(rnd));
    if (e != E_OK)
        return E_BAD_REQUEST;   /* "Invalid create call link credential request" */
    o = jx_new();
    jx_set_b64(c->a, o, "credential", out, out_len, B64_STD_PAD);
    jx_set_int(o, "redemptionTime", today);
    free(out);
    return resp_json(c->resp, 200, o);
}
