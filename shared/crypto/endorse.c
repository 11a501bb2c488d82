/*
 * Endorsement key derivation and full tokens (rust/zkcredential/src/endorsements.rs).  The
 * server never stores per-expiration keys: they are re-derived from the root scalar on use.
 */
#include "crypto/endorse.h"

#include <string.h>

#include <sodium.h>

#include "crypto/ristretto.h"
#include "crypto/sho.h"
#include "crypto/zkgroup_bin.h"

void
endorse_derive(const uint8_t sk[32], const uint8_t pk[32], const char *label,
               uint64_t expiration, uint8_t sk_out[32], uint8_t pk_out[32])
{
    struct sho s;
    uint8_t be[8], t[32], sum[32], tg[32];

    sho_init(&s, label, strlen(label));
    zkgroup_be64(be, expiration);
    sho_absorb_and_ratchet(&s, be, sizeof be);
    sho_get_scalar(&s, t);
    crypto_core_ristretto255_scalar_add(sum, sk, t);
    /* sk + t == 0 has probability 2^-252; invert() would fail and we would return 0 */
    if (crypto_core_ristretto255_scalar_invert(sk_out, sum) != 0)
        memset(sk_out, 0, 32);
    rist_mul_base(tg, t);
    rist_add(pk_out, pk, tg);
    sodium_memzero(sum, sizeof sum);
    sodium_memzero(t, sizeof t);
    sho_wipe(&s);
}

void
endorse_token(const uint8_t sk_derived[32], const uint8_t p[32], uint8_t token[16])
{
    uint8_t e[32], h[32];

    rist_mul(e, sk_derived, p);
    crypto_hash_sha256(h, e, sizeof e);
    memcpy(token, h, 16);
    sodium_memzero(e, sizeof e);
    sodium_memzero(h, sizeof h);
}
