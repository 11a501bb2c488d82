/*
 * poksho: Schnorr proofs of knowledge of discrete-log linear relations, byte-exact with
 * libsignal rust/poksho (statement.rs, proof.rs) as described in crypto-spec.md §6.
 *
 * A statement is built from equations written as text, e.g.
 *     poksho_stmt_add(&st, "S1", "y3*D1 + y4*E1 + rprime*G");
 * Scalar and point indices are assigned by first appearance exactly as libsignal does (point 0 is
 * the base point "G"), which fixes the description bytes and the transcript.  Malformed equation
 * text, unknown names and table overflow are programming errors and abort.
 */
#ifndef HG_CRYPTO_POKSHO_H
#define HG_CRYPTO_POKSHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POKSHO_MAX_SCALARS 16
#define POKSHO_MAX_POINTS 32
#define POKSHO_MAX_EQS 8
#define POKSHO_MAX_TERMS 12
#define POKSHO_NAME_MAX 24

struct poksho_term {
    uint8_t scalar;
    uint8_t point;
};

struct poksho_eq {
    uint8_t lhs;
    uint8_t n_terms;
    struct poksho_term t[POKSHO_MAX_TERMS];
};

/* Statement plus the values bound to its names.  Holds secret scalars when proving: wipe it. */
struct poksho_stmt {
    uint8_t n_eqs;
    uint8_t n_scalars;
    uint8_t n_points;
    struct poksho_eq eq[POKSHO_MAX_EQS];
    char scalar_name[POKSHO_MAX_SCALARS][POKSHO_NAME_MAX];
    char point_name[POKSHO_MAX_POINTS][POKSHO_NAME_MAX];
    uint8_t scalar[POKSHO_MAX_SCALARS][32];
    uint8_t point[POKSHO_MAX_POINTS][32];
    bool scalar_set[POKSHO_MAX_SCALARS];
    bool point_set[POKSHO_MAX_POINTS];
};

/** Empty statement with point 0 = "G" bound to the base point. */
void poksho_stmt_init(struct poksho_stmt *st);
/** Append the equation lhs = rhs, rhs being "scalar*Point + scalar*Point + ...". */
void poksho_stmt_add(struct poksho_stmt *st, const char *lhs, const char *rhs);
/** Bind a value to a point name used in the statement. */
void poksho_stmt_point(struct poksho_stmt *st, const char *name, const uint8_t p[32]);
/** Bind a (secret) value to a scalar name used in the statement; only needed for proving. */
void poksho_stmt_scalar(struct poksho_stmt *st, const char *name, const uint8_t s[32]);
/** Length of a proof for this statement: 32 · (1 + #scalars). */
size_t poksho_proof_len(const struct poksho_stmt *st);
/** Description bytes D (for tests); returns the length written, at most cap. */
size_t poksho_stmt_describe(const struct poksho_stmt *st, uint8_t *out, size_t cap);
/**
 * Prove the statement with all names bound, binding msg, using 32 bytes of randomness.
 * Writes poksho_proof_len() bytes to proof.  The proof is re-verified before returning (fault
 * check, as libsignal does); a failure there aborts.
 */
void poksho_prove(const struct poksho_stmt *st, const uint8_t *msg, size_t msg_len,
                  const uint8_t rnd[32], uint8_t *proof);
/**
 * Verify proof[0..len) for the statement (all point names bound) and msg.  Returns false for
 * any malformed proof (wrong length, non-canonical scalar) or a failed check.
 */
bool poksho_verify(const struct poksho_stmt *st, const uint8_t *proof, size_t len,
                   const uint8_t *msg, size_t msg_len);
/** Wipe the statement's bound values. */
void poksho_stmt_wipe(struct poksho_stmt *st);

/** poksho::sign: the 64-byte Schnorr signature of msg under sk (pk = sk·G), nonce seed rnd. */
void poksho_sign(const uint8_t sk[32], const uint8_t pk[32], const uint8_t *msg, size_t msg_len,
                 const uint8_t rnd[32], uint8_t sig[64]);
/** Verify a poksho::sign signature. */
bool poksho_sign_verify(const uint8_t pk[32], const uint8_t *msg, size_t msg_len,
                        const uint8_t *sig, size_t sig_len);

#endif
