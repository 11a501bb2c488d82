/* JSON Web Tokens (RFC 7519) in compact JWS form, signed ES256 (APNs provider tokens) or RS256
 * (Google service-account assertions for FCM). Keys are PKCS#8 PEM; signing is GnuTLS's. */
#ifndef HG_PUSH_JWT_H
#define HG_PUSH_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct jwt_key;

enum jwt_alg {
    JWT_ES256 = 0,      /* ECDSA P-256 + SHA-256, signature is raw r || s (RFC 7518 3.4) */
    JWT_RS256,          /* RSASSA-PKCS1-v1_5 + SHA-256 */
};

/**
 * Load a private key from PEM text (PKCS#8 "PRIVATE KEY", as Apple's .p8 and Google's service
 * account files carry it; PKCS#1/SEC1 PEM also work). The key must match alg (P-256 for ES256,
 * RSA for RS256). E_UNPROCESSABLE when the key is unreadable or of the wrong kind.
 * Caller owns *out (jwt_key_free).
 */
enum err jwt_key_load(const char *pem, size_t len, enum jwt_alg alg,
                      struct jwt_key **out) HG_MUST_CHECK;
/** jwt_key_load on the contents of a PEM file (at most 64 KiB); E_UNPROCESSABLE if unreadable. */
enum err jwt_key_load_file(const char *path, enum jwt_alg alg, struct jwt_key **out) HG_MUST_CHECK;
/**
 * Read a whole small file (at most max bytes) into malloc'd memory, NUL-terminated. Caller
 * frees (wiping first when it holds a secret). Returns 0, or -1 (errno set; EFBIG if too big).
 */
int jwt_read_file(const char *path, size_t max, char **out, size_t *len);
/** Wipes and releases the key. NULL is ignored. */
void jwt_key_free(struct jwt_key *k);

/**
 * Sign: returns (in arena a) "b64url(header).b64url(claims).b64url(signature)". header_json and
 * claims_json are complete JSON objects (built with jwt_json_quote for string values); the
 * "alg" member of the header must agree with the key. E_INTERNAL if signing fails.
 */
enum err jwt_sign(struct arena *a, const struct jwt_key *k, const char *header_json,
                  const char *claims_json, char **out) HG_MUST_CHECK;

/** JSON string literal (quotes included) for s, escaping '"', '\\' and control bytes. */
char *jwt_json_quote(struct arena *a, const char *s);

/**
 * ECDSA signature values r and s (big-endian, as DER INTEGER contents: may carry a leading 0x00
 * or be shorter than n) into the fixed-width JWS form r || s, each n bytes, at out[2n].
 * Returns 0, or -1 when a value does not fit in n bytes.
 */
int jwt_ecdsa_concat(const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen, size_t n,
                     uint8_t *out);

#endif
