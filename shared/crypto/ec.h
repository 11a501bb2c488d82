/*
 * Curve25519 keys in libsignal's encodings (crypto-spec.md §17.1): public keys are 0x05 || u
 * (33 bytes, the X25519 u-coordinate), private keys are 32 bytes, clamped on load.
 */
#ifndef HG_CRYPTO_EC_H
#define HG_CRYPTO_EC_H

#include <stddef.h>
#include <stdint.h>

#define CX_EC_TYPE_DJB 0x05     /* libsignal's key type byte for Curve25519 */
#define CX_EC_PUBLIC_LEN 33
#define CX_EC_PRIVATE_LEN 32

/**
 * Parse a serialized public key the way libsignal's PublicKey.deserialize does: the first byte
 * must be 0x05 and at least 32 bytes must follow; bytes after those 32 are accepted and ignored.
 * No curve check is made (libsignal makes none either).  On success writes the canonical 33-byte
 * form to out33 and returns 0; returns -1 (out33 untouched) for empty input, another type byte
 * or a short key.
 */
int cx_ec_pubkey_parse(const uint8_t *p, size_t n, uint8_t out33[33]);

/** Clamp a 32-byte private key in place as libsignal does on load (k[0] &= 248; k[31] &= 127;
 *  k[31] |= 64).  The clamped bytes are what libsignal serializes. */
void cx_ec_privkey_clamp(uint8_t k[32]);

/** Public key 0x05 || X25519(k, 9) of a private key (clamped internally; k is not modified). */
void cx_ec_pubkey_derive(const uint8_t priv[32], uint8_t pub33[33]);

/** Fresh key pair from the system RNG; priv is stored clamped.  Wipe priv after use. */
void cx_ec_keypair_new(uint8_t priv[32], uint8_t pub33[33]);

#endif
