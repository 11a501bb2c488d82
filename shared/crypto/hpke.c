/*
 * RFC 9180 base-mode single-shot seal/open (see hpke.h).  HKDF is spelled out with libsodium's
 * HMAC-SHA256 (1.0.18 has no HKDF API); AES-256-GCM is nettle's, since libsodium's AES-GCM
 * needs AES-NI.  Only the first message of a context is ever sealed, so the nonce is base_nonce.
 */
#include "hpke.h"

#include <string.h>

#include <nettle/gcm.h>
#include <sodium.h>

#include "ec.h"

#define KEM_ID 0x0020
#define KDF_ID 0x0001
#define AEAD_ID 0x0002

static const uint8_t suite_kem[5] = { 'K', 'E', 'M', KEM_ID >> 8, KEM_ID & 0xff };
static const uint8_t suite_hpke[10] = {
    'H', 'P', 'K', 'E', KEM_ID >> 8, KEM_ID & 0xff, KDF_ID >> 8, KDF_ID & 0xff, AEAD_ID >> 8,
    AEAD_ID & 0xff,
};

/* LabeledExtract(salt, label, ikm) = HMAC(salt, "HPKE-v1" || suite || label || ikm) */
static void
labeled_extract(uint8_t prk[32], const uint8_t *suite, size_t suite_len, const uint8_t *salt,
                size_t salt_len, const char *label, const uint8_t *ikm, size_t ikm_len)
{
    static const uint8_t none[1];
    crypto_auth_hmacsha256_state st;

    /* libsodium declares its pointers non-null even for zero lengths */
    if (salt == NULL)
        salt = none;
    if (ikm == NULL)
        ikm = none;
    crypto_auth_hmacsha256_init(&st, salt, salt_len);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"HPKE-v1", 7);
    crypto_auth_hmacsha256_update(&st, suite, suite_len);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, strlen(label));
    crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
    crypto_auth_hmacsha256_final(&st, prk);
    sodium_memzero(&st, sizeof(st));
}

/* LabeledExpand(prk, label, info, L) for L <= 32: one HKDF-Expand block,
 * T(1) = HMAC(prk, be16(L) || "HPKE-v1" || suite || label || info || 0x01). */
static void
labeled_expand(uint8_t *out, size_t l, const uint8_t prk[32], const uint8_t *suite,
               size_t suite_len, const char *label, const uint8_t *info, size_t info_len)
{
    static const uint8_t none[1];
    crypto_auth_hmacsha256_state st;
    uint8_t be_l[2] = { (uint8_t)(l >> 8), (uint8_t)l }, one = 1, t[32];

    if (info == NULL)
        info = none;
    crypto_auth_hmacsha256_init(&st, prk, 32);
    crypto_auth_hmacsha256_update(&st, be_l, 2);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"HPKE-v1", 7);
    crypto_auth_hmacsha256_update(&st, suite, suite_len);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, strlen(label));
    crypto_auth_hmacsha256_update(&st, info, info_len);
    crypto_auth_hmacsha256_update(&st, &one, 1);
    crypto_auth_hmacsha256_final(&st, t);
    memcpy(out, t, l);
    sodium_memzero(t, sizeof(t));
    sodium_memzero(&st, sizeof(st));
}

/* DHKEM shared secret from dh and kem_context = enc || pkR. */
static void
kem_shared_secret(uint8_t ss[32], const uint8_t dh[32], const uint8_t enc[32],
                  const uint8_t pk_r[32])
{
    uint8_t prk[32], ctx[64];

    memcpy(ctx, enc, 32);
    memcpy(ctx + 32, pk_r, 32);
    labeled_extract(prk, suite_kem, sizeof(suite_kem), NULL, 0, "eae_prk", dh, 32);
    labeled_expand(ss, 32, prk, suite_kem, sizeof(suite_kem), "shared_secret", ctx, sizeof(ctx));
    sodium_memzero(prk, sizeof(prk));
}

/* Base-mode key schedule: key (32) and base_nonce (12). */
static void
key_schedule(uint8_t key[32], uint8_t nonce[12], const uint8_t ss[32], const uint8_t *info,
             size_t info_len)
{
    uint8_t ctx[65], secret[32];

    ctx[0] = 0x00;      /* mode_base */
    labeled_extract(ctx + 1, suite_hpke, sizeof(suite_hpke), NULL, 0, "psk_id_hash", NULL, 0);
    labeled_extract(ctx + 33, suite_hpke, sizeof(suite_hpke), NULL, 0, "info_hash", info,
                    info_len);
    labeled_extract(secret, suite_hpke, sizeof(suite_hpke), ss, 32, "secret", NULL, 0);
    labeled_expand(key, 32, secret, suite_hpke, sizeof(suite_hpke), "key", ctx, sizeof(ctx));
    labeled_expand(nonce, 12, secret, suite_hpke, sizeof(suite_hpke), "base_nonce", ctx,
                   sizeof(ctx));
    sodium_memzero(secret, sizeof(secret));
}

int
cx_hpke_seal(const uint8_t pub33[33], const uint8_t *eph_priv, const uint8_t *info,
             size_t info_len, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
             size_t pt_len, uint8_t *out)
{
    struct gcm_aes256_ctx gcm;
    uint8_t sk_e[32], dh[32], ss[32], key[32], nonce[12];
    int rc = -1;

    if (pub33 == NULL || pub33[0] != CX_EC_TYPE_DJB)
        return -1;
    if (eph_priv != NULL)
        memcpy(sk_e, eph_priv, 32);
    else
        randombytes_buf(sk_e, 32);
    out[0] = 0x01;
    if (crypto_scalarmult_curve25519_base(out + 1, sk_e) != 0
        || crypto_scalarmult_curve25519(dh, sk_e, pub33 + 1) != 0)
        goto done;
    kem_shared_secret(ss, dh, out + 1, pub33 + 1);
    key_schedule(key, nonce, ss, info, info_len);
    gcm_aes256_set_key(&gcm, key);
    gcm_aes256_set_iv(&gcm, sizeof(nonce), nonce);
    gcm_aes256_update(&gcm, aad_len, aad);
    gcm_aes256_encrypt(&gcm, pt_len, out + 33, pt);
    gcm_aes256_digest(&gcm, GCM_DIGEST_SIZE, out + 33 + pt_len);
    rc = 0;
done:
    sodium_memzero(sk_e, sizeof(sk_e));
    sodium_memzero(dh, sizeof(dh));
    sodium_memzero(ss, sizeof(ss));
    sodium_memzero(key, sizeof(key));
    sodium_memzero(&gcm, sizeof(gcm));
    return rc;
}

long
cx_hpke_open(const uint8_t priv[32], const uint8_t *ct, size_t ct_len, const uint8_t *info,
             size_t info_len, const uint8_t *aad, size_t aad_len, uint8_t *out)
{
    struct gcm_aes256_ctx gcm;
    uint8_t pk_r[32], dh[32], ss[32], key[32], nonce[12], tag[GCM_DIGEST_SIZE];
    size_t pt_len;
    long rc = -1;

    if (ct == NULL || ct_len < CX_HPKE_OVERHEAD || ct[0] != 0x01)
        return -1;
    pt_len = ct_len - CX_HPKE_OVERHEAD;
    if (crypto_scalarmult_curve25519_base(pk_r, priv) != 0
        || crypto_scalarmult_curve25519(dh, priv, ct + 1) != 0)
        goto done;
    kem_shared_secret(ss, dh, ct + 1, pk_r);
    key_schedule(key, nonce, ss, info, info_len);
    gcm_aes256_set_key(&gcm, key);
    gcm_aes256_set_iv(&gcm, sizeof(nonce), nonce);
    gcm_aes256_update(&gcm, aad_len, aad);
    gcm_aes256_decrypt(&gcm, pt_len, out, ct + 33);
    gcm_aes256_digest(&gcm, sizeof(tag), tag);
    if (sodium_memcmp(tag, ct + 33 + pt_len, sizeof(tag)) != 0) {
        sodium_memzero(out, pt_len);
        goto done;
    }
    rc = (long)pt_len;
done:
    sodium_memzero(dh, sizeof(dh));
    sodium_memzero(ss, sizeof(ss));
    sodium_memzero(key, sizeof(key));
    sodium_memzero(&gcm, sizeof(gcm));
    return rc;
}

int
cx_hpke_seal_device_created(const uint8_t identity_key33[33], uint8_t device_id,
                            uint32_t registration_id, int64_t created_ms,
                            const uint8_t *eph_priv, uint8_t out[57])
{
    static const char info[] = "deviceCreatedAt";
    uint8_t aad[5], pt[8];
    uint64_t t = (uint64_t)created_ms;

    aad[0] = device_id;
    for (int i = 0; i < 4; i++)
        aad[1 + i] = (uint8_t)(registration_id >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        pt[i] = (uint8_t)(t >> (56 - 8 * i));
    return cx_hpke_seal(identity_key33, eph_priv, (const uint8_t *)info, sizeof(info) - 1, aad,
                        sizeof(aad), pt, sizeof(pt), out);
}
