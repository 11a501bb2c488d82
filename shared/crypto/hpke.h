/*
 * HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, in
 * libsignal's PublicKey.seal framing: 0x01 || enc (32) || ciphertext || tag (16).  The server
 * uses it to seal a device's creation time to the account's ACI identity key (crypto-spec.md §21,
 * createdAtCiphertext in GET /v1/devices).
 */
#ifndef HG_CRYPTO_HPKE_H
#define HG_CRYPTO_HPKE_H

#include <stddef.h>
#include <stdint.h>

#define CX_HPKE_OVERHEAD 49                 /* 1 + 32 + 16 */
#define CX_HPKE_DEVICE_CREATED_LEN 57       /* sealed 8-byte timestamp */

/**
 * Seal pt[0..pt_len) to the X25519 key pub33 (0x05 || u) with info and aad.  eph_priv: NULL for
 * a fresh ephemeral key, or 32 bytes for reproducible tests.  out must hold pt_len + 49 bytes.
 * Returns 0, or -1 if pub33 is not a 0x05 key or the shared secret is all zero (small-order u).
 */
int cx_hpke_seal(const uint8_t pub33[33], const uint8_t *eph_priv, const uint8_t *info,
                 size_t info_len, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
                 size_t pt_len, uint8_t *out);

/**
 * Open a cx_hpke_seal / libsignal PublicKey.seal ciphertext with the recipient's 32-byte private
 * key.  out must hold ct_len - 49 bytes.  Returns the plaintext length, or -1 if the framing,
 * the info, the aad or the tag does not match.
 */
long cx_hpke_open(const uint8_t priv[32], const uint8_t *ct, size_t ct_len, const uint8_t *info,
                  size_t info_len, const uint8_t *aad, size_t aad_len, uint8_t *out);

/**
 * createdAtCiphertext: seal be64(created_ms) to the ACI identity key with info "deviceCreatedAt"
 * and aad = device_id (1 byte) || be32(registration_id), as Signal-Server does.  eph_priv as for
 * cx_hpke_seal.  Returns 0 or -1 (bad identity key).
 */
int cx_hpke_seal_device_created(const uint8_t identity_key33[33], uint8_t device_id,
                                uint32_t registration_id, int64_t created_ms,
                                const uint8_t *eph_priv, uint8_t out[57]);

#endif
