/*
 * Parameter sets (crypto-spec.md §8).  On load, libsignal keeps the stored W, C_W and I of the
 * legacy key pairs as they are but re-derives the public parts of the zkcredential key and the
 * endorsement key; this file does the same so that loading and generating agree byte for byte.
 */
#include "crypto/zkparams.h"

#include <string.h>

#include <sodium.h>

#include "core/xmalloc.h"
#include "crypto/ristretto.h"
#include "crypto/sho.h"
#include "crypto/zkgroup_bin.h"
#include "crypto/zkgroup_gens.h"

/* number of attributes each legacy key pair covers in its I (storage may hold more y's) */
#define ATTRS_AUTH 3
#define ATTRS_PROFILE 4
#define ATTRS_RECEIPT 2
#define ATTRS_PNI 6
#define ATTRS_EXPIRING 5
#define ATTRS_AUTH_PNI 5

static void
zkparams_legacy_generate(struct sho *s, struct zk_legacy_key *k, uint8_t storage, int attrs)
{
    const struct zkgroup_gens_legacy *g = &zkgroup_gens_legacy;
    uint8_t t[32];

    memset(k, 0, sizeof *k);
    k->n_storage = storage;
    sho_get_scalar(s, k->w);
    rist_mul(k->W, k->w, g->G_w);
    sho_get_scalar(s, k->wprime);
    sho_get_scalar(s, k->x0);
    sho_get_scalar(s, k->x1);
    for (int i = 1; i <= storage; i++)
        sho_get_scalar(s, k->y[i]);
    rist_mul(t, k->wprime, g->G_wprime);
    rist_add(k->C_W, k->W, t);
    memcpy(k->I, g->G_V, 32);
    rist_mul(t, k->x0, g->G_x0);
    rist_sub(k->I, k->I, t);
    rist_mul(t, k->x1, g->G_x1);
    rist_sub(k->I, k->I, t);
    for (int i = 1; i <= attrs; i++) {
        rist_mul(t, k->y[i], g->G_y[i]);
        rist_sub(k->I, k->I, t);
    }
}

/* Public part of a zkcredential key from its private scalars (crypto-spec.md §8.2). */
static void
zkparams_generic_derive(struct zk_generic_key *k)
{
    const struct zkgroup_gens_zkc *g = &zkgroup_gens_zkc;
    uint8_t t[32], base[32];

    rist_mul(t, k->wprime, g->G_wprime);
    rist_add(k->C_W, k->W, t);
    /* base = G_V - x0·G_x0 - x1·G_x1 */
    memcpy(base, g->G_V, 32);
    rist_mul(t, k->x0, g->G_x0);
    rist_sub(base, base, t);
    rist_mul(t, k->x1, g->G_x1);
    rist_sub(base, base, t);
    for (int n = 2; n <= 7; n++) {
        uint8_t *y0 = k->y0_for[n];

        if (k->mode == ZK_MODE_STANDARD && n > 2) {
            /* standard mode blinds the slot-0 coefficient per credential size, so a
             * credential of one size cannot be replayed as another */
            struct sho s;
            uint8_t be[8];

            sho_init(&s, "Signal_ZKCredential_SlotZeroBlinding_20260805",
                     strlen("Signal_ZKCredential_SlotZeroBlinding_20260805"));
            sho_absorb_and_ratchet(&s, k->y[0], 32);
            zkgroup_be64(be, (uint64_t)n);
            sho_absorb_and_ratchet(&s, be, 8);
            sho_get_scalar(&s, y0);
            sho_wipe(&s);
        } else {
            memcpy(y0, k->y[0], 32);
        }
        memcpy(k->I[n], base, 32);
        for (int i = 1; i < n; i++) {
            rist_mul(t, k->y[i], g->G_y[i]);
            rist_sub(k->I[n], k->I[n], t);
        }
        rist_mul(t, y0, g->G_y[0]);
        rist_sub(k->I[n], k->I[n], t);
    }
}

static void
zkparams_generic_generate(const uint8_t seed[32], enum zk_generic_mode mode,
                          struct zk_generic_key *k)
{
    static const char label[] = "Signal_ZKCredential_CredentialPrivateKey_generate_20230410";
    struct sho s;

    memset(k, 0, sizeof *k);
    k->mode = mode;
    sho_init(&s, label, sizeof label - 1);
    sho_absorb_and_ratchet(&s, seed, 32);
    sho_get_scalar(&s, k->w);
    rist_mul(k->W, k->w, zkgroup_gens_zkc.G_w);
    sho_get_scalar(&s, k->wprime);
    sho_get_scalar(&s, k->x0);
    sho_get_scalar(&s, k->x1);
    for (int i = 0; i < 7; i++)
        sho_get_scalar(&s, k->y[i]);
    sho_wipe(&s);
    zkparams_generic_derive(k);
}

struct zk_server_secret *
zk_server_secret_from_seed(const uint8_t seed[32])
{
    static const char label_root[] =
        "Signal_ZKCredential_Endorsements_ServerRootKeyPair_generate_20240207";
    struct zk_server_secret *sp = xcalloc(1, sizeof *sp);
    struct sho s;

    sho_new(&s, "Signal_ZKGroup_20200424_Random_ServerSecretParams_Generate", seed, 32);
    zkparams_legacy_generate(&s, &sp->auth, 4, ATTRS_AUTH);
    zkparams_legacy_generate(&s, &sp->profile, 4, ATTRS_PROFILE);
    sho_get_scalar(&s, sp->sig_sk);
    rist_mul_base(sp->sig_pk, sp->sig_sk);
    zkparams_legacy_generate(&s, &sp->receipt, 4, ATTRS_RECEIPT);
    zkparams_legacy_generate(&s, &sp->pni, 6, ATTRS_PNI);
    zkparams_legacy_generate(&s, &sp->expiring, 5, ATTRS_EXPIRING);
    zkparams_legacy_generate(&s, &sp->auth_pni, 5, ATTRS_AUTH_PNI);
    zkparams_generic_generate(seed, ZK_MODE_LEGACY, &sp->generic);

    sho_init(&s, label_root, sizeof label_root - 1);
    sho_absorb_and_ratchet(&s, seed, 32);
    sho_get_scalar(&s, sp->endorse_sk);
    rist_mul_base(sp->endorse_pk, sp->endorse_sk);
    sho_wipe(&s);
    return sp;
}

struct zk_server_secret *
zk_server_secret_generate(void)
{
    uint8_t seed[32];
    struct zk_server_secret *sp;

    randombytes_buf(seed, sizeof seed);
    sp = zk_server_secret_from_seed(seed);
    sodium_memzero(seed, sizeof seed);
    return sp;
}

static void
zkparams_legacy_read(struct zkgroup_bin *r, struct zk_legacy_key *k, uint8_t storage)
{
    k->n_storage = storage;
    zkgroup_bin_scalar(r, k->w);
    zkgroup_bin_scalar(r, k->wprime);
    zkgroup_bin_point(r, k->W);
    zkgroup_bin_scalar(r, k->x0);
    zkgroup_bin_scalar(r, k->x1);
    for (int i = 1; i <= storage; i++)
        zkgroup_bin_scalar(r, k->y[i]);
    zkgroup_bin_point(r, k->C_W);
    zkgroup_bin_point(r, k->I);
}

static void
zkparams_generic_read(struct zkgroup_bin *r, struct zk_generic_key *k)
{
    zkgroup_bin_scalar(r, k->w);
    zkgroup_bin_scalar(r, k->wprime);
    zkgroup_bin_point(r, k->W);
    zkgroup_bin_scalar(r, k->x0);
    zkgroup_bin_scalar(r, k->x1);
    for (int i = 0; i < 7; i++)
        zkgroup_bin_scalar(r, k->y[i]);
}

enum err
zk_server_secret_load(const uint8_t *buf, size_t len, struct zk_server_secret **out)
{
    struct zk_server_secret *sp;
    struct zkgroup_bin r;

    *out = NULL;
    if (len != ZK_SERVER_SECRET_LEN)
        return E_BAD_REQUEST;
    sp = xcalloc(1, sizeof *sp);
    zkgroup_bin_init(&r, buf, len);
    zkgroup_bin_expect_u8(&r, 0);
    zkparams_legacy_read(&r, &sp->auth, 4);
    zkparams_legacy_read(&r, &sp->profile, 4);
    zkgroup_bin_scalar(&r, sp->sig_sk);
    zkgroup_bin_point(&r, sp->sig_pk);
    zkparams_legacy_read(&r, &sp->receipt, 4);
    zkparams_legacy_read(&r, &sp->pni, 6);
    zkparams_legacy_read(&r, &sp->expiring, 5);
    zkparams_legacy_read(&r, &sp->auth_pni, 5);
    sp->generic.mode = ZK_MODE_LEGACY;
    zkparams_generic_read(&r, &sp->generic);
    zkgroup_bin_scalar(&r, sp->endorse_sk);
    if (!zkgroup_bin_done(&r)) {
        zk_server_secret_free(sp);
        return E_BAD_REQUEST;
    }
    zkparams_generic_derive(&sp->generic);
    rist_mul_base(sp->endorse_pk, sp->endorse_sk);
    *out = sp;
    return E_OK;
}

static void
zkparams_legacy_write(struct zkgroup_binw *w, const struct zk_legacy_key *k)
{
    zkgroup_binw_bytes(w, k->w, 32);
    zkgroup_binw_bytes(w, k->wprime, 32);
    zkgroup_binw_bytes(w, k->W, 32);
    zkgroup_binw_bytes(w, k->x0, 32);
    zkgroup_binw_bytes(w, k->x1, 32);
    for (int i = 1; i <= k->n_storage; i++)
        zkgroup_binw_bytes(w, k->y[i], 32);
    zkgroup_binw_bytes(w, k->C_W, 32);
    zkgroup_binw_bytes(w, k->I, 32);
}

static void
zkparams_generic_write(struct zkgroup_binw *w, const struct zk_generic_key *k)
{
    zkgroup_binw_bytes(w, k->w, 32);
    zkgroup_binw_bytes(w, k->wprime, 32);
    zkgroup_binw_bytes(w, k->W, 32);
    zkgroup_binw_bytes(w, k->x0, 32);
    zkgroup_binw_bytes(w, k->x1, 32);
    for (int i = 0; i < 7; i++)
        zkgroup_binw_bytes(w, k->y[i], 32);
}

static void
zkparams_generic_public_write(struct zkgroup_binw *w, const struct zk_generic_key *k)
{
    zkgroup_binw_bytes(w, k->C_W, 32);
    for (int n = 2; n <= 7; n++)
        zkgroup_binw_bytes(w, k->I[n], 32);
}

void
zk_server_secret_serialize(const struct zk_server_secret *sp, uint8_t *out)
{
    struct zkgroup_binw w;

    zkgroup_binw_init(&w, out, ZK_SERVER_SECRET_LEN);
    zkgroup_binw_u8(&w, 0);
    zkparams_legacy_write(&w, &sp->auth);
    zkparams_legacy_write(&w, &sp->profile);
    zkgroup_binw_bytes(&w, sp->sig_sk, 32);
    zkgroup_binw_bytes(&w, sp->sig_pk, 32);
    zkparams_legacy_write(&w, &sp->receipt);
    zkparams_legacy_write(&w, &sp->pni);
    zkparams_legacy_write(&w, &sp->expiring);
    zkparams_legacy_write(&w, &sp->auth_pni);
    zkparams_generic_write(&w, &sp->generic);
    zkgroup_binw_bytes(&w, sp->endorse_sk, 32);
    zkgroup_binw_finish(&w);
}

void
zk_server_public_serialize(const struct zk_server_secret *sp, uint8_t *out)
{
    const struct zk_legacy_key *keys[] = { &sp->auth, &sp->profile, NULL, &sp->receipt,
                                           &sp->pni, &sp->expiring, &sp->auth_pni };
    struct zkgroup_binw w;

    zkgroup_binw_init(&w, out, ZK_SERVER_PUBLIC_LEN);
    zkgroup_binw_u8(&w, 0);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (keys[i] == NULL) {
            zkgroup_binw_bytes(&w, sp->sig_pk, 32);
            continue;
        }
        zkgroup_binw_bytes(&w, keys[i]->C_W, 32);
        zkgroup_binw_bytes(&w, keys[i]->I, 32);
    }
    zkparams_generic_public_write(&w, &sp->generic);
    zkgroup_binw_bytes(&w, sp->endorse_pk, 32);
    zkgroup_binw_finish(&w);
}

void
zk_server_secret_free(struct zk_server_secret *sp)
{
    if (sp == NULL)
        return;
    sodium_memzero(sp, sizeof *sp);
    free(sp);
}

struct zk_generic_secret *
zk_generic_secret_from_seed(const uint8_t seed[32], enum zk_generic_mode mode)
{
    struct zk_generic_secret *gp = xcalloc(1, sizeof *gp);

    zkparams_generic_generate(seed, mode, &gp->key);
    return gp;
}

struct zk_generic_secret *
zk_generic_secret_generate(enum zk_generic_mode mode)
{
    uint8_t seed[32];
    struct zk_generic_secret *gp;

    randombytes_buf(seed, sizeof seed);
    gp = zk_generic_secret_from_seed(seed, mode);
    sodium_memzero(seed, sizeof seed);
    return gp;
}

enum err
zk_generic_secret_load(const uint8_t *buf, size_t len, struct zk_generic_secret **out)
{
    struct zk_generic_secret *gp;
    struct zkgroup_bin r;
    uint8_t version;

    *out = NULL;
    if (len != ZK_GENERIC_SECRET_LEN)
        return E_BAD_REQUEST;
    gp = xcalloc(1, sizeof *gp);
    zkgroup_bin_init(&r, buf, len);
    version = zkgroup_bin_u8(&r);
    if (version != ZK_MODE_LEGACY && version != ZK_MODE_STANDARD)
        zkgroup_bin_fail(&r);
    gp->key.mode = (enum zk_generic_mode)version;
    zkparams_generic_read(&r, &gp->key);
    if (!zkgroup_bin_done(&r)) {
        zk_generic_secret_free(gp);
        return E_BAD_REQUEST;
    }
    zkparams_generic_derive(&gp->key);
    *out = gp;
    return E_OK;
}

void
zk_generic_secret_serialize(const struct zk_generic_secret *gp, uint8_t *out)
{
    struct zkgroup_binw w;

    zkgroup_binw_init(&w, out, ZK_GENERIC_SECRET_LEN);
    zkgroup_binw_u8(&w, (uint8_t)gp->key.mode);
    zkparams_generic_write(&w, &gp->key);
    zkgroup_binw_finish(&w);
}

void
zk_generic_public_serialize(const struct zk_generic_secret *gp, uint8_t *out)
{
    struct zkgroup_binw w;

    zkgroup_binw_init(&w, out, ZK_GENERIC_PUBLIC_LEN);
    zkgroup_binw_u8(&w, (uint8_t)gp->key.mode);
    zkparams_generic_public_write(&w, &gp->key);
    zkgroup_binw_finish(&w);
}

void
zk_generic_secret_free(struct zk_generic_secret *gp)
{
    if (gp == NULL)
        return;
    sodium_memzero(gp, sizeof *gp);
    free(gp);
}
