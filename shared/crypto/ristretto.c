/*
 * Ristretto255 helpers (crypto-spec.md §4).  Every product goes through rist_mul so that the
 * identity, which occurs legitimately (the "0" point of presentation statements, empty sums,
 * client-chosen blinded points, t = 0), never turns into a spurious failure.
 */
#include "crypto/ristretto.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

const uint8_t rist_base_point[RIST_BYTES] = {
    0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
    0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76,
};

const uint8_t rist_identity[RIST_BYTES];

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian */
static const uint8_t rist_order[RIST_BYTES] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

bool
rist_point_is_valid(const uint8_t p[RIST_BYTES])
{
    return crypto_core_ristretto255_is_valid_point(p) == 1;
}

bool
rist_scalar_is_canonical(const uint8_t s[RIST_BYTES])
{
    /* Branch-free s < L: borrow of s - L, most significant byte last.  Wire scalars are public,
     * but proof responses are derived from secrets on the prover side, so stay uniform. */
    unsigned borrow = 0;

    for (size_t i = 0; i < RIST_BYTES; i++)
        borrow = ((unsigned)s[i] - rist_order[i] - borrow) >> 8 & 1;
    return borrow == 1;
}

void
rist_mul(uint8_t out[RIST_BYTES], const uint8_t s[RIST_BYTES], const uint8_t p[RIST_BYTES])
{
    /* The base point has libsodium's precomputed table: about 3x faster than the generic
     * ladder (statements name G; points are public, so the comparison may branch). */
    if (memcmp(p, rist_base_point, RIST_BYTES) == 0) {
        rist_mul_base(out, s);
        return;
    }
    if (crypto_scalarmult_ristretto255(out, s, p) != 0) {
        /* Either the product is the identity (libsodium reports -1 after writing zeros) or P
         * does not decode, which parsing must have ruled out: treat that as a bug. */
        if (!rist_point_is_valid(p))
            abort();
        memset(out, 0, RIST_BYTES);
    }
}

void
rist_mul_base(uint8_t out[RIST_BYTES], const uint8_t s[RIST_BYTES])
{
    if (crypto_scalarmult_ristretto255_base(out, s) != 0)
        memset(out, 0, RIST_BYTES);
}

void
rist_add(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES], const uint8_t q[RIST_BYTES])
{
    if (crypto_core_ristretto255_add(out, p, q) != 0)
        abort();    /* an invalid point reached arithmetic: parsing bug */
}

void
rist_sub(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES], const uint8_t q[RIST_BYTES])
{
    if (crypto_core_ristretto255_sub(out, p, q) != 0)
        abort();
}

void
rist_neg(uint8_t out[RIST_BYTES], const uint8_t p[RIST_BYTES])
{
    rist_sub(out, rist_identity, p);
}

void
rist_muladd(uint8_t acc[RIST_BYTES], const uint8_t s[RIST_BYTES], const uint8_t p[RIST_BYTES])
{
    uint8_t t[RIST_BYTES];

    rist_mul(t, s, p);
    rist_add(acc, acc, t);
}

void
rist_from_uniform(uint8_t out[RIST_BYTES], const uint8_t b[64])
{
    crypto_core_ristretto255_from_hash(out, b);
}

void
rist_map_to_curve(uint8_t out[RIST_BYTES], const uint8_t b[32])
{
    /* from_hash adds the maps of both halves; Elligator maps the zero element to the identity,
     * so a zero second half leaves exactly one map (crypto-spec.md §4). */
    uint8_t wide[64];

    memcpy(wide, b, 32);
    memset(wide + 32, 0, 32);
    crypto_core_ristretto255_from_hash(out, wide);
}

void
rist_scalar_from_u128(uint8_t out[RIST_BYTES], const uint8_t b[16])
{
    memcpy(out, b, 16);
    memset(out + 16, 0, 16);
}

bool
rist_eq(const uint8_t a[RIST_BYTES], const uint8_t b[RIST_BYTES])
{
    return sodium_memcmp(a, b, RIST_BYTES) == 0;
}
