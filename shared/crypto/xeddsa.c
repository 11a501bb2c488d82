/*
 * XEdDSA as libsignal implements it (see xeddsa.h).  Verification converts u to the Edwards y
 * coordinate, (u - 1) / (u + 1) mod 2^255 - 19, with GMP (libsodium exposes no field arithmetic;
 * all inputs there are public), then lets libsodium check the Ed25519 equation with s reduced
 * mod L first: libsignal reduces s, libsodium alone would reject s + L.  The one remaining
 * difference: libsodium also refuses small-order A or R, which libsignal would accept; only
 * crafted keys or signatures reach it, and refusing them is the safer side.
 */
#include "xeddsa.h"

#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "ec.h"

/* 2^255 - 19 */
static void
field_prime(mpz_t p)
{
    mpz_init_set_ui(p, 1);
    mpz_mul_2exp(p, p, 255);
    mpz_sub_ui(p, p, 19);
}

/* Edwards y (32 bytes little-endian, canonical) of the Montgomery u; -1 if u == -1 mod p. */
static int
mont_to_edwards_y(const uint8_t u_in[32], uint8_t y_out[32])
{
    uint8_t u_le[32];
    mpz_t p, u, num, den;
    size_t count = 0;
    int rc = -1;

    memcpy(u_le, u_in, 32);
    u_le[31] &= 0x7f;                       /* bit 255 is not part of the field element */
    field_prime(p);
    mpz_inits(u, num, den, NULL);
    mpz_import(u, 32, -1, 1, 0, 0, u_le);
    mpz_mod(u, u, p);                       /* 2^255-19 <= u < 2^255 wraps, as in libsignal */
    mpz_add_ui(den, u, 1);
    mpz_mod(den, den, p);
    if (mpz_sgn(den) != 0 && mpz_invert(den, den, p) != 0) {
        mpz_sub_ui(num, u, 1);
        mpz_mod(num, num, p);               /* u = 0 gives p - 1 */
        mpz_mul(num, num, den);
        mpz_mod(num, num, p);
        memset(y_out, 0, 32);
        mpz_export(y_out, &count, -1, 1, 0, 0, num);
        rc = 0;
    }
    mpz_clears(p, u, num, den, NULL);
    return rc;
}

bool
cx_xeddsa_verify(const uint8_t pub33[33], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
    uint8_t a[32], rs[64], wide[64];

    if (pub33 == NULL || sig == NULL || pub33[0] != CX_EC_TYPE_DJB)
        return false;
    if ((sig[63] & 0x60) != 0)              /* s >= 2^253: rejected before any arithmetic */
        return false;
    if (mont_to_edwards_y(pub33 + 1, a) != 0)
        return false;
    a[31] = (uint8_t)((a[31] & 0x7f) | (sig[63] & 0x80));
    memcpy(rs, sig, 32);
    memset(wide, 0, sizeof(wide));
    memcpy(wide, sig + 32, 32);
    wide[31] &= 0x7f;
    crypto_core_ed25519_scalar_reduce(rs + 32, wide);
    return crypto_sign_verify_detached(rs, msg, n, a) == 0;
}

bool
cx_xeddsa_verify_len(const uint8_t pub33[33], const uint8_t *msg, size_t n, const uint8_t *sig,
                     size_t sig_len)
{
    if (sig_len != CX_XEDDSA_SIG_LEN)
        return false;
    return cx_xeddsa_verify(pub33, msg, n, sig);
}

/* SHA-512(parts...) reduced mod L. */
static void
hash_to_scalar(uint8_t out[32], crypto_hash_sha512_state *st)
{
    uint8_t h[64];

    crypto_hash_sha512_final(st, h);
    crypto_core_ed25519_scalar_reduce(out, h);
    sodium_memzero(h, sizeof(h));
}

void
cx_xeddsa_sign_with_nonce(const uint8_t priv[32], const uint8_t *msg, size_t n,
                          const uint8_t z[64], uint8_t sig[64])
{
    static const uint8_t prefix[32] = {
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    };
    crypto_hash_sha512_state st;
    uint8_t k[32], wide[64], a[32], A[32], r[32], R[32], h[32], s[32];
    uint8_t sign;

    memcpy(k, priv, 32);
    cx_ec_privkey_clamp(k);
    memset(wide, 0, sizeof(wide));
    memcpy(wide, k, 32);
    crypto_core_ed25519_scalar_reduce(a, wide);
    /* a is a non-zero scalar (k is 2^254 + 8m < 8L), so the product is never the identity */
    (void)crypto_scalarmult_ed25519_base_noclamp(A, a);
    sign = A[31] & 0x80;

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, prefix, sizeof(prefix));
    crypto_hash_sha512_update(&st, k, 32);
    crypto_hash_sha512_update(&st, msg, n);
    crypto_hash_sha512_update(&st, z, CX_XEDDSA_NONCE_LEN);
    hash_to_scalar(r, &st);
    (void)crypto_scalarmult_ed25519_base_noclamp(R, r);

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, R, 32);
    crypto_hash_sha512_update(&st, A, 32);
    crypto_hash_sha512_update(&st, msg, n);
    hash_to_scalar(h, &st);

    crypto_core_ed25519_scalar_mul(s, h, a);
    crypto_core_ed25519_scalar_add(s, s, r);
    memcpy(sig, R, 32);
    memcpy(sig + 32, s, 32);
    sig[63] = (uint8_t)((sig[63] & 0x7f) | sign);

    sodium_memzero(k, sizeof(k));
    sodium_memzero(wide, sizeof(wide));
    sodium_memzero(a, sizeof(a));
    sodium_memzero(r, sizeof(r));
    sodium_memzero(&st, sizeof(st));
}

void
cx_xeddsa_sign(const uint8_t priv[32], const uint8_t *msg, size_t n, uint8_t sig[64])
{
    uint8_t z[CX_XEDDSA_NONCE_LEN];

    randombytes_buf(z, sizeof(z));
    cx_xeddsa_sign_with_nonce(priv, msg, n, z, sig);
    sodium_memzero(z, sizeof(z));
}
