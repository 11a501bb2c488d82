/* struct call and every handler prototype, sectioned by file. Handlers only fill c->resp; they
 * never see the transport, MariaDB or memcached. */
#ifndef HG_API_H
#define HG_API_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"
#include "http/auth.h"
#include "store/ratelimit.h"

struct arena;
struct ctx;
struct req;
struct resp;

#define CALL_MAX_PARAMS 4

struct call {
    struct ctx *ctx;
    struct arena *a;
    const struct req *req;
    struct resp *resp;
    struct principal *who;                  /* NULL for anonymous calls */
    const char *params[CALL_MAX_PARAMS];    /* path {placeholders}, in order */
    size_t nparams;
};

typedef enum err (*handler_fn)(struct call *c);

/* disconnect.c: close the sockets of every device of acct (4401), wherever they are held. */
struct account_rec;
void api_disconnect_account(struct ctx *ctx, const struct account_rec *acct);
/** The same for one device (removed device). */
void api_disconnect_device(struct ctx *ctx, const uint8_t aci[16], uint8_t device_id);

/* access.c: anonymous access to another account (sealed-sender sends, pre-key fetches). */
struct zk_service_id;
/** OptionalAccess.verify for a caller with an Unidentified-Access-Key header (header may be
 *  NULL): E_OK or E_UNAUTHORIZED, an unknown target (found false) and PNI targets included. */
enum err api_access_uak(struct call *c, const char *header, enum svc_kind kind,
                        const struct account_rec *target, bool found) HG_MUST_CHECK;
/** GroupSendFullToken.verify for exactly these n service ids at the current time: E_OK,
 *  E_BAD_REQUEST when the header does not decode to a token, E_UNAUTHORIZED when it is expired
 *  or covers other recipients, E_UNAVAILABLE without zk_secret_params. */
enum err api_access_group_send(struct call *c, const char *header, const struct zk_service_id *r,
                               size_t n) HG_MUST_CHECK;

/* limits.c: spend permits of a limiter; E_RATE_LIMITED (429) with Retry-After set on refusal. */
enum err api_rate_limit(struct call *c, enum rl_name name, const char *key,
                        uint64_t amount) HG_MUST_CHECK;

/* keepalive.c */
enum err api_keepalive(struct call *c);

/* verification.c: /v1/verification/session... */
enum err api_verification_create(struct call *c);
enum err api_verification_get(struct call *c);
enum err api_verification_patch(struct call *c);
enum err api_verification_request_code(struct call *c);
enum err api_verification_submit_code(struct call *c);

/* registration.c: POST /v1/registration */
enum err api_registration_register(struct call *c);

/* accounts.c: /v1/accounts/... */
enum err api_accounts_whoami(struct call *c);
enum err api_accounts_exists(struct call *c);
enum err api_accounts_attributes(struct call *c);
enum err api_accounts_set_apn(struct call *c);
enum err api_accounts_delete_apn(struct call *c);
enum err api_accounts_set_gcm(struct call *c);
enum err api_accounts_delete_gcm(struct call *c);
enum err api_accounts_set_name(struct call *c);
enum err api_accounts_set_reglock(struct call *c);
enum err api_accounts_delete_reglock(struct call *c);
enum err api_accounts_delete(struct call *c);

/* keys.c: /v2/keys... */
enum err api_keys_count(struct call *c);
enum err api_keys_put(struct call *c);
enum err api_keys_put_signed(struct call *c);
enum err api_keys_check(struct call *c);
enum err api_keys_get(struct call *c);

/* certificates.c: /v1/certificate/... */
enum err api_certificate_delivery(struct call *c);
enum err api_certificate_auth_group(struct call *c);

/* calllinks.c: /v1/call-link/... */
enum err api_calllink_create_auth(struct call *c);

/* messages.c: /v1/messages... */
enum err api_messages_send(struct call *c);
enum err api_messages_multi(struct call *c);
enum err api_messages_list(struct call *c);
enum err api_messages_delete(struct call *c);
/* reports.c */
enum err api_messages_report(struct call *c);

/* devices.c: /v1/devices... (linking, listing, removal, capabilities) */
enum err api_devices_list(struct call *c);
enum err api_devices_remove(struct call *c);
enum err api_devices_provisioning_code(struct call *c);
enum err api_devices_link(struct call *c);
enum err api_devices_wait_linked(struct call *c);
enum err api_devices_set_capabilities(struct call *c);
enum err api_devices_unauthenticated_delivery(struct call *c);

/* provisioning.c: PUT /v1/provisioning/{destination} */
enum err api_provisioning_send(struct call *c);

#endif
