/* Firebase Cloud Messaging client (HTTP v1 API) with a service-account OAuth2 token, sending
 * Signal's new-message data messages (server-reference.md §1.5). */
#ifndef HG_PUSH_FCM_H
#define HG_PUSH_FCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "push_http.h"

struct arena;
struct conf;
struct fcm;

#define FCM_SCOPE "https://www.googleapis.com/auth/firebase.messaging"
#define FCM_TTL_S (28LL * 24 * 60 * 60)     /* android.ttl: 28 days (FcmSender) */
#define FCM_ASSERTION_LIFETIME_S 3600       /* Google's maximum for a JWT-bearer assertion */
#define FCM_TOKEN_MARGIN_S 300              /* refresh an access token 5 minutes before expiry */

/** The messages:send body for token: data-only {"newMessageAlert":""}, priority high/normal. */
char *fcm_message_build(struct arena *a, const char *token, bool urgent);

/** The JWT-bearer assertion's header and claims (RFC 7523) for the service account. */
void fcm_assertion_parts(struct arena *a, const char *client_email, const char *key_id,
                         const char *token_uri, int64_t iat_s, char **header, char **claims);

/**
 * Classify a messages:send response: 200 sent; errorCode UNREGISTERED (FcmError detail) a dead
 * token; 401 a refused access token; 429 and 5xx retry; anything else rejected (INVALID_ARGUMENT
 * included: Signal clears tokens on UNREGISTERED only). out->reason gets the error code.
 */
void fcm_classify(struct arena *a, long status, const char *body, size_t len,
                  int64_t retry_after_s, struct push_outcome *out);

/**
 * Client from conf: fcm_base_url and fcm_service_account_file (JSON with project_id,
 * private_key, client_email, token_uri; private_key_id optional). E_NOT_FOUND when the file is
 * not configured; E_UNPROCESSABLE when it is unreadable or incomplete (logged). Requests are
 * abandoned when *stop becomes nonzero (push_http_new).
 */
enum err fcm_new(const struct conf *conf, volatile int *stop,
                  struct fcm **out) HG_MUST_CHECK;
void fcm_free(struct fcm *c);

/** Send one new-message notification to token; always fills out. Never logs the token. */
void fcm_send(struct fcm *c, const char *token, bool urgent, int64_t now_ms,
              struct push_outcome *out);

#endif
