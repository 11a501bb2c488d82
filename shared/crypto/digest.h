/*
 * Hash-based helpers of crypto-spec.md §22 that handlers need without including libsodium:
 * plain SHA-256 / HMAC-SHA256, the POST /v2/keys/check digest, the identity-key fingerprint of
 * POST /v1/profile/identity_check/batch and the profile's "unidentifiedAccess" verifier.
 */
#ifndef HG_CRYPTO_DIGEST_H
#define HG_CRYPTO_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SHA-256 of p[0..n). */
void cx_sha256(const void *p, size_t n, uint8_t out[32]);

/** HMAC-SHA256 with a key of any length. */
void cx_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t n, uint8_t out[32]);

/**
 * POST /v2/keys/check digest: SHA-256(identity key (33) || be64(signed EC prekey id) || signed
 * EC prekey (33) || be64(last-resort KEM key id) || last-resort KEM key (1569)).  Compare the
 * client's value with cx_digest_equal.
 */
void cx_keys_check_digest(const uint8_t identity33[33], uint64_t ec_signed_id,
                          const uint8_t ec_signed33[33], uint64_t kem_last_resort_id,
                          const uint8_t *kem_last_resort, size_t kem_len, uint8_t out[32]);

/** Identity-check fingerprint: the first 4 bytes of SHA-256(identity key, 33 bytes). */
void cx_identity_fingerprint(const uint8_t identity33[33], uint8_t out[4]);

/** Profile "unidentifiedAccess": HMAC-SHA256(key = the 16-byte access key, 32 zero bytes). */
void cx_uak_verifier(const uint8_t uak[16], uint8_t out[32]);

/** Constant-time equality of two byte strings (false if the lengths differ). */
bool cx_digest_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
