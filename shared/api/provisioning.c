/* PUT /v1/provisioning/{destination}: a primary hands the new device its ProvisionEnvelope
 * (server-reference.md §1.6.7, §2.22). The destination is the address the relay gave the new
 * device's provisioning socket (base64url of 16 random bytes); the relay holding it is found
 * through its presence record (pseudo-device 0) and rung with BELL_PROVISION. */
#include "api.h"

#include <string.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "store/presence.h"

#define PROVISIONING_MAX_BODY (256 * 1024)   /* base64 characters, as the reference */

/* {body: base64 ProvisionEnvelope} -> 204; 404 when no socket holds the address */
enum err
api_provisioning_send(struct call *c)
{
    struct json_object *o;
    const char *text;
    struct bell b = { .kind = BELL_PROVISION, .device_id = 0 };
    char relay[RELAY_ID_MAX];
    uint8_t *addr, *env;
    size_t addr_len, env_len;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &o);

    if (e == E_OK)
        e = jx_str(o, "body", &text);
    if (e == E_NOT_FOUND || (e == E_OK && text[0] == '\0'))
        e = E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (strlen(text) > PROVISIONING_MAX_BODY)
        return E_BAD_REQUEST;
    if (b64_decode(c->a, text, strlen(text), 0, &env, &env_len) != 0 || env_len == 0)
        return E_BAD_REQUEST;
    e = api_rate_limit(c, RL_MESSAGES, uuid_str(c->a, c->who->aci), 1);
    if (e != E_OK)
        return e;
    if (b64_decode(c->a, c->params[0], strlen(c->params[0]), 1, &addr, &addr_len) != 0 ||
        addr_len != 16)
        return E_NOT_FOUND;             /* never an address this server handed out */
    e = presence_get(c->ctx->store, addr, 0, relay, &b.conn_id);
    if (e != E_OK)
        return e;                       /* E_NOT_FOUND: nobody listens there (404) */
    memcpy(b.aci, addr, 16);
    b.payload = env;
    b.payload_len = env_len;
    e = doorbell_ring(c->ctx->store, relay, &b);
    if (e != E_OK)
        return e;
    return resp_empty(c->resp, 204);
}
