/*
 * zkgroup server parameter sets (crypto-spec.md §8): ServerSecretParams (2721 bytes, the groups
 * key set: auth, profile, receipt and endorsement keys) and GenericServerSecretParams (385
 * bytes, the calling and chat zkcredential keys).  Generation from a seed, loading (strict,
 * as libsignal's deserializer), serialization and derivation of the public halves.
 *
 * The structs are visible so that the credential code in shared/crypto can use the fields; other
 * code must treat them as opaque and only pass pointers.  They hold secret keys: create with
 * the functions below and release with the matching *_free (which wipes).
 */
#ifndef HG_CRYPTO_ZKPARAMS_H
#define HG_CRYPTO_ZKPARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define ZK_SERVER_SECRET_LEN 2721
#define ZK_SERVER_PUBLIC_LEN 673
#define ZK_GENERIC_SECRET_LEN 385
#define ZK_GENERIC_PUBLIC_LEN 225

/* zkgroup "legacy" KeyPair (crypto/credentials.rs): y[1..n_storage] used, y[0] unused. */
struct zk_legacy_key {
    uint8_t w[32], wprime[32], W[32], x0[32], x1[32];
    uint8_t y[7][32];
    uint8_t C_W[32], I[32];
    uint8_t n_storage;
};

/* GenericServerParams version byte: it selects the zkcredential mode. */
enum zk_generic_mode {
    ZK_MODE_LEGACY = 0,
    ZK_MODE_STANDARD = 1,
};

/* zkcredential CredentialKeyPair with its public key and the per-size slot-0 coefficient. */
struct zk_generic_key {
    enum zk_generic_mode mode;
    uint8_t w[32], wprime[32], W[32], x0[32], x1[32];
    uint8_t y[7][32];           /* y0..y6 */
    uint8_t y0_for[8][32];      /* y0(mode, n) for n = 2..7 (crypto-spec.md §8.2) */
    uint8_t C_W[32];
    uint8_t I[8][32];           /* I_2..I_7 at index n */
};

struct zk_server_secret {
    struct zk_legacy_key auth, profile, receipt, pni, expiring, auth_pni;
    uint8_t sig_sk[32], sig_pk[32];
    struct zk_generic_key generic;      /* always legacy mode */
    uint8_t endorse_sk[32], endorse_pk[32];
};

struct zk_generic_secret {
    struct zk_generic_key key;
};

/** Fresh ServerSecretParams from 32 random bytes (admin keygen).  Caller frees with
 *  zk_server_secret_free. */
struct zk_server_secret *zk_server_secret_generate(void);
/** Deterministic ServerSecretParams::generate(seed).  Caller frees. */
struct zk_server_secret *zk_server_secret_from_seed(const uint8_t seed[32]);
/**
 * Parse serialized ServerSecretParams.  E_OK and *out (caller frees) on success; E_BAD_REQUEST
 * if the length is not 2721, the reserved byte is not 0, a scalar is non-canonical or a point
 * does not decode.
 */
enum err zk_server_secret_load(const uint8_t *buf, size_t len, struct zk_server_secret **out)
    HG_MUST_CHECK;
/** Serialize into out[ZK_SERVER_SECRET_LEN] (secret: wipe the buffer after use). */
void zk_server_secret_serialize(const struct zk_server_secret *sp, uint8_t *out);
/** ServerPublicParams into out[ZK_SERVER_PUBLIC_LEN]. */
void zk_server_public_serialize(const struct zk_server_secret *sp, uint8_t *out);
/** Wipe and free (NULL is fine). */
void zk_server_secret_free(struct zk_server_secret *sp);

/** Fresh GenericServerSecretParams with version byte mode (0 is what libsignal generates). */
struct zk_generic_secret *zk_generic_secret_generate(enum zk_generic_mode mode);
/** Deterministic GenericServerSecretParams::generate(seed) with the given version byte. */
struct zk_generic_secret *zk_generic_secret_from_seed(const uint8_t seed[32],
                                                      enum zk_generic_mode mode);
/** Parse 385 bytes (version 0 or 1); E_BAD_REQUEST on any defect.  Caller frees. */
enum err zk_generic_secret_load(const uint8_t *buf, size_t len, struct zk_generic_secret **out)
    HG_MUST_CHECK;
/** Serialize into out[ZK_GENERIC_SECRET_LEN]. */
void zk_generic_secret_serialize(const struct zk_generic_secret *gp, uint8_t *out);
/** GenericServerPublicParams into out[ZK_GENERIC_PUBLIC_LEN]. */
void zk_generic_public_serialize(const struct zk_generic_secret *gp, uint8_t *out);
/** Wipe and free (NULL is fine). */
void zk_generic_secret_free(struct zk_generic_secret *gp);

#endif
