/* The provisioning socket (server-reference.md §1.6.7): a new device connects without
 * credentials, gets a random address as PUT /v1/address, and waits for its primary's
 * PUT /v1/provisioning/{address} (REST), which rings this relay with BELL_PROVISION.
 *
 * The address is registered through the presence API as pseudo-device (address bytes, 0):
 * presence.c keeps such records under prov:<address>, and the REST side finds the relay with
 * presence_get() on the decoded address, device 0 (device ids start at 1, so no clash). */
#include "relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/b64.h"
#include "core/str.h"
#include "proto/envelope.pb-c.h"

void
provision_start(struct session *s)
{
    if (getrandom(s->aci, 16, 0) != 16)
        abort();                                /* the kernel CSPRNG does not fail after boot */
    s->device_id = 0;
    /* The address goes out only once it is registered (provision_registered): a primary that
     * answers at once must find it. */
    jobs_submit(session_job(s, JOB_PRESENCE_UP));
}

void
provision_registered(struct session *s)
{
    Textsecure__ProvisioningAddress pa = TEXTSECURE__PROVISIONING_ADDRESS__INIT;
    char addr[32], ts[40];
    const char *hdrs[1] = { ts };
    uint8_t body[64];
    size_t n;

    b64_encode_to(addr, s->aci, 16, B64_URL_PAD);
    pa.address = addr;
    n = textsecure__provisioning_address__pack(&pa, body);
    snprintf(ts, sizeof(ts), "X-Signal-Timestamp:%lld", (long long)now_ms());
    session_send(s, wsmsg_encode_request(session_request_id(), "PUT", "/v1/address", hdrs, 1,
                                         body, n));
}

void
provision_deliver(struct session *s, const uint8_t *env, size_t len)
{
    char ts[40];
    const char *hdrs[1] = { ts };

    if (s->flags & SF_PROV_SENT)
        return;                                 /* one provisioning message per socket */
    s->flags |= SF_PROV_SENT;
    snprintf(ts, sizeof(ts), "X-Signal-Timestamp:%lld", (long long)now_ms());
    session_send(s, wsmsg_encode_request(session_request_id(), "PUT", "/v1/message", hdrs, 1,
                                         env, len));
}

bool
provision_response(struct session *s)
{
    /* Upstream closes 1000 "Closed" as soon as the client answers the message, any status. */
    return (s->flags & SF_PROV_SENT) != 0;
}
