/* Closing the sockets of devices whose credentials stopped being valid (re-registration,
 * account deletion, device removal): wherever the device's socket is, its relay gets a
 * BELL_CLOSE and closes it with 4401. Best effort: a socket missed here still fails its next authenticated use. */
#include <string.h>

#include "api.h"
#include "core/log.h"
#include "http/ctx.h"
#include "store/presence.h"
#include "store/store.h"

void
api_disconnect_device(struct ctx *ctx, const uint8_t aci[16], uint8_t device_id)
{
    struct bell b = { .kind = BELL_CLOSE, .device_id = device_id };
    char relay[RELAY_ID_MAX];

    memcpy(b.aci, aci, 16);
    if (presence_get(ctx->store, aci, device_id, relay, &b.conn_id) != E_OK)
        return;
    if (doorbell_ring(ctx->store, relay, &b) != E_OK)
        log_warnx("disconnect: cannot ring relay %s", relay);
}

void
api_disconnect_account(struct ctx *ctx, const struct account_rec *acct)
{
    for (size_t i = 0; i < acct->ndevices; i++)
        api_disconnect_device(ctx, acct->aci, acct->devices[i].id);
}
