/*
 * SHO implementations (crypto-spec.md §5).  The subtle parts, each of which silently yields
 * wrong-but-plausible bytes if changed: an empty absorb_and_ratchet still re-keys; several absorbs
 * form one HMAC input; squeeze always leaves the object ratcheted with a fresh chaining value.
 */
#include "crypto/sho.h"

#include <string.h>

static void
be64_put(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

void
sho_init(struct sho *s, const void *label, size_t label_len)
{
    memset(s->cv, 0, sizeof s->cv);
    s->absorbing = 0;
    sho_absorb(s, label, label_len);
    sho_ratchet(s);
}

void
sho_absorb(struct sho *s, const void *p, size_t n)
{
    if (!s->absorbing) {
        crypto_auth_hmacsha256_init(&s->h, s->cv, sizeof s->cv);
        s->absorbing = 1;
    }
    if (n > 0)
        crypto_auth_hmacsha256_update(&s->h, p, n);
}

void
sho_ratchet(struct sho *s)
{
    static const uint8_t zero = 0x00;

    if (!s->absorbing)
        return;
    crypto_auth_hmacsha256_update(&s->h, &zero, 1);
    crypto_auth_hmacsha256_final(&s->h, s->cv);
    s->absorbing = 0;
}

void
sho_absorb_and_ratchet(struct sho *s, const void *p, size_t n)
{
    sho_absorb(s, p, n);
    sho_ratchet(s);
}

/* HMAC(key = cv, be64(ctr) || tag) */
static void
sho_block(const uint8_t cv[32], uint64_t ctr, uint8_t tag, uint8_t out[32])
{
    crypto_auth_hmacsha256_state h;
    uint8_t in[9];

    be64_put(in, ctr);
    in[8] = tag;
    crypto_auth_hmacsha256_init(&h, cv, 32);
    crypto_auth_hmacsha256_update(&h, in, sizeof in);
    crypto_auth_hmacsha256_final(&h, out);
    sodium_memzero(&h, sizeof h);
}

void
sho_squeeze(struct sho *s, uint8_t *out, size_t n)
{
    uint8_t blk[32];
    size_t off = 0;

    sho_ratchet(s);
    for (uint64_t i = 0; off < n; i++) {
        size_t take = n - off < 32 ? n - off : 32;

        sho_block(s->cv, i, 0x01, blk);
        memcpy(out + off, blk, take);
        off += take;
    }
    sho_block(s->cv, (uint64_t)n, 0x02, blk);
    memcpy(s->cv, blk, 32);
    sodium_memzero(blk, sizeof blk);
}

void
sho_new(struct sho *s, const char *label, const void *data, size_t n)
{
    sho_init(s, label, strlen(label));
    sho_absorb_and_ratchet(s, data, n);
}

void
sho_get_point(struct sho *s, uint8_t out[32])
{
    uint8_t b[64];

    sho_squeeze(s, b, sizeof b);
    crypto_core_ristretto255_from_hash(out, b);
    sodium_memzero(b, sizeof b);
}

void
sho_get_scalar(struct sho *s, uint8_t out[32])
{
    uint8_t b[64];

    sho_squeeze(s, b, sizeof b);
    crypto_core_ristretto255_scalar_reduce(out, b);
    sodium_memzero(b, sizeof b);
}

void
sho_wipe(struct sho *s)
{
    sodium_memzero(s, sizeof *s);
}

void
sho_sha256_init(struct sho_sha256 *s, const void *label, size_t label_len)
{
    memset(s->cv, 0, sizeof s->cv);
    s->absorbing = 0;
    sho_sha256_absorb(s, label, label_len);
    sho_sha256_ratchet(s);
}

void
sho_sha256_absorb(struct sho_sha256 *s, const void *p, size_t n)
{
    static const uint8_t zero64[64];

    if (!s->absorbing) {
        crypto_hash_sha256_init(&s->h);
        crypto_hash_sha256_update(&s->h, zero64, sizeof zero64);
        crypto_hash_sha256_update(&s->h, s->cv, sizeof s->cv);
        s->absorbing = 1;
    }
    if (n > 0)
        crypto_hash_sha256_update(&s->h, p, n);
}

void
sho_sha256_ratchet(struct sho_sha256 *s)
{
    uint8_t inner[32];

    if (!s->absorbing)
        return;
    crypto_hash_sha256_final(&s->h, inner);
    crypto_hash_sha256(s->cv, inner, sizeof inner);
    s->absorbing = 0;
}

/* SHA256(0^63 || tag || cv || be64(ctr)) */
static void
sho_sha256_block(const uint8_t cv[32], uint64_t ctr, uint8_t tag, uint8_t out[32])
{
    uint8_t in[64 + 32 + 8];

    memset(in, 0, 63);
    in[63] = tag;
    memcpy(in + 64, cv, 32);
    be64_put(in + 96, ctr);
    crypto_hash_sha256(out, in, sizeof in);
}

void
sho_sha256_squeeze(struct sho_sha256 *s, uint8_t *out, size_t n)
{
    uint8_t blk[32];
    size_t off = 0;

    sho_sha256_ratchet(s);
    for (uint64_t i = 0; off < n; i++) {
        size_t take = n - off < 32 ? n - off : 32;

        sho_sha256_block(s->cv, i, 0x01, blk);
        memcpy(out + off, blk, take);
        off += take;
    }
    sho_sha256_block(s->cv, (uint64_t)n, 0x02, blk);
    memcpy(s->cv, blk, 32);
}

void
sho_sha256_get_point(struct sho_sha256 *s, uint8_t out[32])
{
    uint8_t b[64];

    sho_sha256_squeeze(s, b, sizeof b);
    crypto_core_ristretto255_from_hash(out, b);
}
