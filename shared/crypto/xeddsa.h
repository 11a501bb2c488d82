/*
 * libsignal's Curve25519 signatures (XEdDSA variant, crypto-spec.md §17.2-17.3): signatures are
 * made and checked with a Montgomery (X25519) key; the Edwards sign bit of the signer's key
 * travels in bit 7 of the last signature byte.
 */
#ifndef HG_CRYPTO_XEDDSA_H
#define HG_CRYPTO_XEDDSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CX_XEDDSA_SIG_LEN 64
#define CX_XEDDSA_NONCE_LEN 64

/**
 * Verify sig over msg[0..n) under pub33 (0x05 || u, as returned by cx_ec_pubkey_parse) with
 * libsignal's acceptance rules: bit 255 of u is ignored, s may be non-canonical below 2^253
 * (it is reduced mod L), s >= 2^253 is rejected.  False for a pub33 whose type byte is not 0x05.
 */
bool cx_xeddsa_verify(const uint8_t pub33[33], const uint8_t *msg, size_t n,
                      const uint8_t sig[64]);

/** As cx_xeddsa_verify, for a signature of untrusted length: false unless sig_len is 64. */
bool cx_xeddsa_verify_len(const uint8_t pub33[33], const uint8_t *msg, size_t n,
                          const uint8_t *sig, size_t sig_len);

/** Sign msg[0..n) with a 32-byte private key (clamped internally) and 64 fresh random bytes of
 *  nonce material; the result verifies with libsignal's PublicKey.verify. */
void cx_xeddsa_sign(const uint8_t priv[32], const uint8_t *msg, size_t n, uint8_t sig[64]);

/** Deterministic form of cx_xeddsa_sign with the caller's 64-byte nonce material Z (tests and
 *  vector reproduction only: reusing Z with different messages leaks the key). */
void cx_xeddsa_sign_with_nonce(const uint8_t priv[32], const uint8_t *msg, size_t n,
                               const uint8_t z[64], uint8_t sig[64]);

#endif
