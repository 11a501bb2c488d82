/* SHA-256 based helpers (see digest.h), on libsodium's primitives. */
#include "digest.h"

#include <string.h>

#include <sodium.h>

void
cx_sha256(const void *p, size_t n, uint8_t out[32])
{
    crypto_hash_sha256(out, p, n);
}

void
cx_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t n, uint8_t out[32])
{
    static const uint8_t none[1];
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, key_len ? key : none, key_len);
    crypto_auth_hmacsha256_update(&st, n ? msg : none, n);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

static void
be64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

void
cx_keys_check_digest(const uint8_t identity33[33], uint64_t ec_signed_id,
                     const uint8_t ec_signed33[33], uint64_t kem_last_resort_id,
                     const uint8_t *kem_last_resort, size_t kem_len, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    uint8_t id[8];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, identity33, 33);
    be64(id, ec_signed_id);
    crypto_hash_sha256_update(&st, id, 8);
    crypto_hash_sha256_update(&st, ec_signed33, 33);
    be64(id, kem_last_resort_id);
    crypto_hash_sha256_update(&st, id, 8);
    crypto_hash_sha256_update(&st, kem_last_resort, kem_len);
    crypto_hash_sha256_final(&st, out);
}

void
cx_identity_fingerprint(const uint8_t identity33[33], uint8_t out[4])
{
    uint8_t h[32];

    crypto_hash_sha256(h, identity33, 33);
    memcpy(out, h, 4);
}

void
cx_uak_verifier(const uint8_t uak[16], uint8_t out[32])
{
    static const uint8_t zeros[32];

    cx_hmac_sha256(uak, 16, zeros, sizeof(zeros), out);
}

bool
cx_digest_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && (alen == 0 || sodium_memcmp(a, b, alen) == 0);
}
