/*
 * Fixed generator points of zkgroup (legacy credentials, profile-key commitments) and
 * zkcredential, crypto-spec.md §7.1/§7.2.  The tables are hard-coded; zkgroup_gens_derive_*()
 * recompute them from their SHO labels so the unit tests can check the tables and the SHO code
 * against each other.
 */
#ifndef HG_CRYPTO_ZKGROUP_GENS_H
#define HG_CRYPTO_ZKGROUP_GENS_H

#include <stdint.h>

/* Arrays are indexed by the name's number; unused slot 0 of G_y/G_m/G_j is all zero. */
struct zkgroup_gens_legacy {
    uint8_t G_w[32], G_wprime[32], G_x0[32], G_x1[32];
    uint8_t G_y[7][32];     /* G_y1..G_y6 */
    uint8_t G_m[6][32];     /* G_m1..G_m5 */
    uint8_t G_V[32], G_z[32];
    uint8_t G_j[4][32];     /* G_j1..G_j3 (profile-key commitment) */
};

struct zkgroup_gens_zkc {
    uint8_t G_w[32], G_wprime[32], G_x0[32], G_x1[32], G_V[32], G_z[32];
    uint8_t G_y[7][32];     /* G_y0..G_y6 */
};

/** zkgroup legacy-credential generators. */
extern const struct zkgroup_gens_legacy zkgroup_gens_legacy;
/** zkcredential generators. */
extern const struct zkgroup_gens_zkc zkgroup_gens_zkc;

/** Recompute the legacy table from its SHO labels (self-test). */
void zkgroup_gens_derive_legacy(struct zkgroup_gens_legacy *out);
/** Recompute the zkcredential table with ShoSha256 (self-test). */
void zkgroup_gens_derive_zkc(struct zkgroup_gens_zkc *out);

#endif
