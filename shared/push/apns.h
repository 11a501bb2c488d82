/* Apple Push Notification service client (HTTP/2 provider API, token-based authentication),
 * sending Signal's new-message wake-ups (server-reference.md §1.5). */
#ifndef HG_PUSH_APNS_H
#define HG_PUSH_APNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "push_http.h"

struct arena;
struct apns;
struct conf;

#define APNS_JWT_REFRESH_S (50 * 60)        /* Apple accepts tokens up to 60 minutes old */
#define APNS_TTL_S (30LL * 24 * 60 * 60)    /* apns-expiration: 30 days (APNSender.DEFAULT_TTL) */

/** The request fields of one new-message notification (static strings). */
struct apns_note {
    const char *payload;        /* JSON body */
    const char *push_type;      /* apns-push-type */
    int priority;               /* apns-priority: 10 immediate, 5 conserve power */
    const char *collapse_id;    /* apns-collapse-id, NULL for none */
};

/** Urgent: an alert for the notification service extension, collapsing on "incoming-message";
 * otherwise a silent background push. */
void apns_note_build(bool urgent, struct apns_note *out);

/** Provider-token JWT header and claims for the key id, team id and issue time (arena JSON). */
void apns_jwt_parts(struct arena *a, const char *key_id, const char *team_id, int64_t iat_s,
                    char **header, char **claims);

/**
 * Classify an APNs response: 200 sent; reason Unregistered/BadDeviceToken/ExpiredToken (and any
 * 410) a dead token; ExpiredProviderToken/InvalidProviderToken a stale JWT; 429 and 5xx retry;
 * anything else rejected. status 0 (no response) retries. reason is copied into out.
 */
void apns_classify(struct arena *a, long status, const char *body, size_t len,
                   int64_t retry_after_s, struct push_outcome *out);

/** True if a token can go into the request path (hex digits only, 1..200 chars). */
bool apns_token_valid(const char *token);

/**
 * Client from conf: apns_base_url, apns_team_id, apns_key_id, apns_key_file (.p8 PEM),
 * apns_bundle_id. E_NOT_FOUND when the team id, key id, key file or bundle id is unset;
 * E_UNPROCESSABLE when the key file cannot be read or is not a P-256 key (logged). Requests
 * are abandoned when *stop becomes nonzero (push_http_new).
 */
enum err apns_new(const struct conf *conf, volatile int *stop,
                  struct apns **out) HG_MUST_CHECK;
void apns_free(struct apns *c);

/** Send one new-message notification to token; always fills out. Never logs the token. */
void apns_send(struct apns *c, const char *token, bool urgent, int64_t now_ms,
               struct push_outcome *out);

#endif
