/*
 * zkcredential (generic) algebraic-MAC credentials, server side (crypto-spec.md §11): plain
 * issuance, blind issuance, and verification of a presentation whose attributes are all revealed
 * (the only presentation shape the chat server checks: backups).  Internal to shared/crypto;
 * zkgroup.c wraps these into the wire formats.
 *
 * Attribute points are passed as M[0..a): M[0] is the public-attribute point (zkcred_m0), the rest
 * the hidden attribute points in the order libsignal adds them.
 */
#ifndef HG_CRYPTO_ZKCRED_H
#define HG_CRYPTO_ZKCRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sho.h"
#include "crypto/zkparams.h"

#define ZKCRED_MAX_POINTS 7

/** Start the public-attribute SHO of a credential type (its label). */
void zkcred_attrs_init(struct sho *s, const char *label);
/** Add a u64 public attribute (absorbed big-endian, then ratcheted). */
void zkcred_attrs_u64(struct sho *s, uint64_t v);
/** M0 = the point derived from the public attributes absorbed so far. */
void zkcred_attrs_point(struct sho *s, uint8_t m0[32]);

/** Bytes written by zkcred_issue for n attribute points: t || U || V || le64(len) || proof. */
size_t zkcred_issue_len(size_t n);
/** Plain issuance (§11.1) with n (2..7) attribute points; writes zkcred_issue_len(n) bytes. */
void zkcred_issue(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t n,
                  const uint8_t rnd[32], uint8_t *out);

/** Bytes written by zkcred_blind_issue: t || U || S1 || S2 || le64(len) || proof. */
size_t zkcred_blind_issue_len(size_t n);
/**
 * Blind issuance (§11.2): a plain points m[0..a), then b blinded points (d1[k], d2[k]) encrypted
 * under the client key y_pub; a + b in 2..7.  Writes zkcred_blind_issue_len(a + b) bytes.
 */
void zkcred_blind_issue(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t a,
                        const uint8_t (*d1)[32], const uint8_t (*d2)[32], size_t b,
                        const uint8_t y_pub[32], const uint8_t rnd[32], uint8_t *out);

/* Commitments of a presentation (CredentialPresentationCommitments). */
struct zkcred_commitments {
    uint8_t C_x0[32], C_x1[32], C_V[32];
    uint8_t C_y[ZKCRED_MAX_POINTS][32];
    size_t n_C_y;
};

/**
 * Verify a presentation in which every attribute point m[0..n) is known to the verifier (public
 * M0 and revealed attributes) and the authenticated message is empty.  True if valid.
 */
bool zkcred_verify_revealed(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t n,
                            const struct zkcred_commitments *c, const uint8_t *proof,
                            size_t proof_len);

#endif
