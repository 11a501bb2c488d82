/* Curve25519 key encodings (see ec.h).  The trailing-bytes leniency of the public key parser is
 * libsignal's (it only logs a warning), and clients rely on it being accepted. */
#include "ec.h"

#include <string.h>

#include <sodium.h>

int
cx_ec_pubkey_parse(const uint8_t *p, size_t n, uint8_t out33[33])
{
    if (p == NULL || n < CX_EC_PUBLIC_LEN || p[0] != CX_EC_TYPE_DJB)
        return -1;
    memcpy(out33, p, CX_EC_PUBLIC_LEN);
    return 0;
}

void
cx_ec_privkey_clamp(uint8_t k[32])
{
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

void
cx_ec_pubkey_derive(const uint8_t priv[32], uint8_t pub33[33])
{
    pub33[0] = CX_EC_TYPE_DJB;
    /* libsodium clamps internally; the only failure is an all-zero result, impossible for a
     * clamped scalar times the base point. */
    (void)crypto_scalarmult_curve25519_base(pub33 + 1, priv);
}

void
cx_ec_keypair_new(uint8_t priv[32], uint8_t pub33[33])
{
    randombytes_buf(priv, 32);
    cx_ec_privkey_clamp(priv);
    cx_ec_pubkey_derive(priv, pub33);
}
