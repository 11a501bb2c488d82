/*
 * KEM (Kyber) prekey public keys and the signature rule for signed prekeys (crypto-spec.md §20).
 * The server never performs a KEM operation: it checks the encoding and the identity key's
 * signature, then stores and returns the bytes.
 */
#ifndef HG_CRYPTO_KEM_H
#define HG_CRYPTO_KEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CX_KEM_TYPE_KYBER1024 0x08
#define CX_KEM_PUBLIC_LEN 1569      /* type byte + 1568 key bytes */

/**
 * Check a serialized KEM public key as libsignal 0.103 does: type byte 0x08 (Kyber1024) and
 * exactly 1569 bytes in total, no trailing bytes.  Kyber768 (0x07) and ML-KEM-1024 (0x0A) are
 * feature-gated off in the released libraries and rejected.  Returns 0 if acceptable, -1 if not.
 */
int cx_kem_pubkey_parse(const uint8_t *p, size_t n);

/**
 * Signed-prekey check shared by EC and KEM prekeys: sig (sig_len bytes, must be 64) is a valid
 * XEdDSA signature by identity33 (0x05 || u) over the full serialized public key key[0..key_len)
 * including its type byte.  Signal-Server answers 422 when this is false.
 */
bool cx_prekey_signature_ok(const uint8_t identity33[33], const uint8_t *key, size_t key_len,
                            const uint8_t *sig, size_t sig_len);

#endif
