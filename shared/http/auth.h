/* Device authentication: "Authorization: Basic base64(<aci>[.<deviceId>]:<password>)". */
#ifndef HG_AUTH_H
#define HG_AUTH_H

#include <stdint.h>

#include "core/err.h"

struct arena;
struct ctx;
struct account_rec;

/* The authenticated caller of a request. */
struct principal {
    uint8_t aci[16];
    uint8_t device_id;
    struct account_rec *acct;   /* loaded account (arena memory) */
};

/**
 * Parse the Basic header value into user and password (arena memory). Returns 0 or -1.
 */
int auth_basic_parse(struct arena *a, const char *header, char **user, char **password);
/**
 * Verify a Basic header against stored device credentials (constant-time hash compare).
 * E_UNAUTHORIZED on any mismatch or unknown account/device; E_STORE on storage failure.
 */
enum err auth_basic_verify(struct ctx *ctx, struct arena *a, const char *header,
                           struct principal *out) HG_MUST_CHECK;
/** Load the principal for an already-authenticated socket (aci, device). */
enum err auth_load(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                   struct principal *out) HG_MUST_CHECK;

#endif
