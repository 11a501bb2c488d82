/*
 * Ristretto255 wrappers over libsodium 1.0.18 with libsignal (curve25519-dalek) semantics:
 * the identity is an ordinary value (libsodium's scalarmult reports it as an error), scalars
 * parsed from the wire must be canonical (< L).  crypto-spec.md §4.  Internal to shared/crypto.
 */
#ifndef HG_CRYPTO_RISTRETTO_H
#define HG_CRYPTO_RISTRETTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIST_BYTES 32

/** The base point G's canonical encoding. */
extern const uint8_t rist_base_point[RIST_BYTES];
/** The identity's encoding (32 zero bytes). */
extern const uint8_t rist_identity[RIST_BYTES];

/** True if p is the canonical encoding of a point (the identity included). */
bool rist_point_is_valid(const uint8_t p[RIST_BYTES]);
/** True if the 32 little-endian bytes are < L (Scalar::from_canonical_bytes). */
bool rist_scalar_is_canonical(const uint8_t s[RIST_BYTES]);

/** out = s·P; identity results are returned as the identity.  P must be valid (else aborts). */
void rist_mul(uint8_t out[RIST_BYTES], const uint8_t s[RIST_BYTES], const uint8_t p[RIST_BYTES]);
/** out = s·G, identity-safe. */
void rist_mul_base(uint8_t out[RIST_BYTES], const uint8_t s[RIST_BYTES]);
/** out = P + Q. */
void rist_add(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES], const uint8_t q[RIST_BYTES]);
/** out = P − Q. */
void rist_sub(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES], const uint8_t q[RIST_BYTES]);
/** out = −P. */
void rist_neg(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES]);
/** acc += s·P (acc must hold a valid point, e.g. rist_identity). */
void rist_muladd(uint8_t acc[RIST_BYTES], const uint8_t s[RIST_BYTES], const uint8_t p[RIST_BYTES]);
/** RistrettoPoint::from_uniform_bytes (libsodium from_hash). */
void rist_from_uniform(uint8_t out[RIST_BYTES], const uint8_t b[64]);
/** RistrettoPoint::map_to_curve: a single Elligator map of 32 bytes. */
void rist_map_to_curve(uint8_t out[RIST_BYTES], const uint8_t b[32]);
/** Scalar from 16 little-endian bytes (zero-extended; always canonical). */
void rist_scalar_from_u128(uint8_t out[RIST_BYTES], const uint8_t b[16]);
/** Constant-time point/scalar equality (encodings are canonical). */
bool rist_eq(const uint8_t a[RIST_BYTES], const uint8_t b[RIST_BYTES]);

#endif
