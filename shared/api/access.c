/* Anonymous access to another account, shared by the sealed-sender sends (messages.c) and the
 * pre-key fetch (keys.c): OptionalAccess.verify for an Unidentified-Access-Key, and
 * GroupSendFullToken.verify for a Group-Send-Token. */
#include <string.h>

#include "api.h"
#include "core/arena.h"
#include "core/b64.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/server_keys.h"
#include "crypto/zkgroup.h"
#include "http/ctx.h"
#include "store/store.h"

enum err
api_access_uak(struct call *c, const char *header, enum svc_kind kind,
               const struct account_rec *target, bool found)
{
    uint8_t *key;
    size_t n;

    /* Even unrestricted access needs some 16-byte key; an unknown target is 401, not 404, so
     * that the header is no free existence check; access keys are for ACIs only. */
    if (header == NULL || b64_decode(c->a, header, strlen(header), 0, &key, &n) != 0 || n != 16)
        return E_UNAUTHORIZED;
    if (!found || kind == SVC_PNI)
        return E_UNAUTHORIZED;
    if (target->unrestricted_ua)
        return E_OK;
    if (!target->has_uak || !ct_eq(key, 16, target->uak, 16))
        return E_UNAUTHORIZED;
    return E_OK;
}

enum err
api_access_group_send(struct call *c, const char *header, const struct zk_service_id *r,
                      size_t n)
{
    uint8_t *tok;
    size_t len;

    if (b64_decode(c->a, header, strlen(header), 0, &tok, &len) != 0)
        return E_BAD_REQUEST;
    if (c->ctx->keys == NULL || c->ctx->keys->zk == NULL) {
        log_warnx("access: Group-Send-Token without zk_secret_params configured");
        return E_UNAVAILABLE;
    }
    return zk_verify_group_send_token(c->ctx->keys->zk, tok, len, r, n,
                                      (uint64_t)now_ms() / 1000);
}
