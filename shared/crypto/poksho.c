/*
 * poksho prover and verifier (crypto-spec.md §6).  Transcript: SHO "POKSHO_Ristretto_SHOHMACSHA256"
 * absorbs D and every point value in index order -- including the base point, contrary to the
 * comment in libsignal's statement.rs -- then the commitments R_e and the message as one input.
 * Nonces are derived from a clone of that transcript keyed with the randomness and the witness.
 */
#include "crypto/poksho.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ristretto.h"
#include "crypto/sho.h"

#define POKSHO_LABEL "POKSHO_Ristretto_SHOHMACSHA256"

void
poksho_stmt_init(struct poksho_stmt *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->point_name[0], "G", 2);
    memcpy(st->point[0], rist_base_point, 32);
    st->point_set[0] = true;
    st->n_points = 1;
}

/* Index of name in table, adding it if new. */
static uint8_t
poksho_intern(char (*names)[POKSHO_NAME_MAX], uint8_t *count, size_t max, const char *name,
              size_t len)
{
    if (len == 0 || len >= POKSHO_NAME_MAX)
        abort();
    for (uint8_t i = 0; i < *count; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    if (*count >= max)
        abort();
    memcpy(names[*count], name, len);
    names[*count][len] = '\0';
    return (*count)++;
}

static const char *
poksho_skip_ws(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* A name token runs up to a space, '*', '+' or the end. */
static size_t
poksho_token(const char *p)
{
    size_t n = 0;

    while (p[n] != '\0' && p[n] != ' ' && p[n] != '*' && p[n] != '+')
        n++;
    return n;
}

void
poksho_stmt_add(struct poksho_stmt *st, const char *lhs, const char *rhs)
{
    struct poksho_eq *eq;
    const char *p = rhs;

    if (st->n_eqs >= POKSHO_MAX_EQS)
        abort();
    eq = &st->eq[st->n_eqs++];
    eq->lhs = poksho_intern(st->point_name, &st->n_points, POKSHO_MAX_POINTS, lhs, strlen(lhs));
    eq->n_terms = 0;
    for (;;) {
        size_t n;
        struct poksho_term *t;

        if (eq->n_terms >= POKSHO_MAX_TERMS)
            abort();
        t = &eq->t[eq->n_terms++];
        p = poksho_skip_ws(p);
        n = poksho_token(p);
        t->scalar = poksho_intern(st->scalar_name, &st->n_scalars, POKSHO_MAX_SCALARS, p, n);
        p = poksho_skip_ws(p + n);
        if (*p != '*')
            abort();
        p = poksho_skip_ws(p + 1);
        n = poksho_token(p);
        t->point = poksho_intern(st->point_name, &st->n_points, POKSHO_MAX_POINTS, p, n);
        p = poksho_skip_ws(p + n);
        if (*p == '\0')
            break;
        if (*p != '+')
            abort();
        p++;
    }
}

static int
poksho_find(char (*names)[POKSHO_NAME_MAX], uint8_t count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    abort();    /* binding a name the statement does not use is a programming error */
}

void
poksho_stmt_point(struct poksho_stmt *st, const char *name, const uint8_t p[32])
{
    int i = poksho_find(st->point_name, st->n_points, name);

    memcpy(st->point[i], p, 32);
    st->point_set[i] = true;
}

void
poksho_stmt_scalar(struct poksho_stmt *st, const char *name, const uint8_t s[32])
{
    int i = poksho_find(st->scalar_name, st->n_scalars, name);

    memcpy(st->scalar[i], s, 32);
    st->scalar_set[i] = true;
}

size_t
poksho_proof_len(const struct poksho_stmt *st)
{
    return 32 * (1 + (size_t)st->n_scalars);
}

size_t
poksho_stmt_describe(const struct poksho_stmt *st, uint8_t *out, size_t cap)
{
    size_t n = 0;

#define POKSHO_PUT(b)           \
    do {                        \
        if (n >= cap)           \
            abort();            \
        out[n++] = (uint8_t)(b); \
    } while (0)
    POKSHO_PUT(st->n_eqs);
    for (uint8_t e = 0; e < st->n_eqs; e++) {
        POKSHO_PUT(st->eq[e].lhs);
        POKSHO_PUT(st->eq[e].n_terms);
        for (uint8_t k = 0; k < st->eq[e].n_terms; k++) {
            POKSHO_PUT(st->eq[e].t[k].scalar);
            POKSHO_PUT(st->eq[e].t[k].point);
        }
    }
#undef POKSHO_PUT
    return n;
}

/* Transcript after D and all points: shared by prover and verifier. */
static void
poksho_transcript(const struct poksho_stmt *st, struct sho *t)
{
    uint8_t d[1 + POKSHO_MAX_EQS * (2 + 2 * POKSHO_MAX_TERMS)];
    size_t dn = poksho_stmt_describe(st, d, sizeof d);

    for (uint8_t i = 0; i < st->n_points; i++)
        if (!st->point_set[i])
            abort();
    sho_init(t, POKSHO_LABEL, strlen(POKSHO_LABEL));
    sho_absorb(t, d, dn);
    for (uint8_t i = 0; i < st->n_points; i++)
        sho_absorb(t, st->point[i], 32);
    sho_ratchet(t);
}

/* c = H(transcript || R_1..R_E || msg) */
static void
poksho_challenge(struct sho *t, uint8_t (*r)[32], uint8_t n_eqs, const uint8_t *msg,
                 size_t msg_len, uint8_t c[32])
{
    for (uint8_t e = 0; e < n_eqs; e++)
        sho_absorb(t, r[e], 32);
    sho_absorb(t, msg, msg_len);
    sho_ratchet(t);
    sho_get_scalar(t, c);
}

void
poksho_prove(const struct poksho_stmt *st, const uint8_t *msg, size_t msg_len,
             const uint8_t rnd[32], uint8_t *proof)
{
    struct sho t, nonce_sho;
    uint8_t nonces[POKSHO_MAX_SCALARS][32];
    uint8_t commit[POKSHO_MAX_EQS][32];
    uint8_t c[32], cx[32];

    for (uint8_t k = 0; k < st->n_scalars; k++)
        if (!st->scalar_set[k])
            abort();
    poksho_transcript(st, &t);

    /* Nonces depend on the randomness, the witness and the message, so a repeated or weak
     * randomness input cannot leak the witness across different statements. */
    nonce_sho = t;
    sho_absorb(&nonce_sho, rnd, 32);
    for (uint8_t k = 0; k < st->n_scalars; k++)
        sho_absorb(&nonce_sho, st->scalar[k], 32);
    sho_ratchet(&nonce_sho);
    sho_absorb_and_ratchet(&nonce_sho, msg, msg_len);
    {
        /* one squeeze of 64·n bytes: n separate 64-byte squeezes would re-key in between */
        uint8_t all[POKSHO_MAX_SCALARS * 64];
        size_t n = 64 * (size_t)st->n_scalars;

        sho_squeeze(&nonce_sho, all, n);
        for (uint8_t k = 0; k < st->n_scalars; k++)
            crypto_core_ristretto255_scalar_reduce(nonces[k], all + 64 * (size_t)k);
        sodium_memzero(all, sizeof all);
    }
    sho_wipe(&nonce_sho);

    for (uint8_t e = 0; e < st->n_eqs; e++) {
        const struct poksho_eq *eq = &st->eq[e];

        /* start from the first product: an addition to the identity would cost a point
         * decode/encode round (as much as a quarter of a multiplication in libsodium) */
        rist_mul(commit[e], nonces[eq->t[0].scalar], st->point[eq->t[0].point]);
        for (uint8_t k = 1; k < eq->n_terms; k++)
            rist_muladd(commit[e], nonces[eq->t[k].scalar], st->point[eq->t[k].point]);
    }
    poksho_challenge(&t, commit, st->n_eqs, msg, msg_len, c);

    memcpy(proof, c, 32);
    for (uint8_t k = 0; k < st->n_scalars; k++) {
        crypto_core_ristretto255_scalar_mul(cx, c, st->scalar[k]);
        crypto_core_ristretto255_scalar_add(proof + 32 * (1 + (size_t)k), nonces[k], cx);
    }
    sodium_memzero(nonces, sizeof nonces);
    sodium_memzero(cx, sizeof cx);
    sho_wipe(&t);

    if (!poksho_verify(st, proof, poksho_proof_len(st), msg, msg_len))
        abort();    /* wrong witness or a computation fault: never emit such a proof */
}

bool
poksho_verify(const struct poksho_stmt *st, const uint8_t *proof, size_t len,
              const uint8_t *msg, size_t msg_len)
{
    struct sho t;
    uint8_t commit[POKSHO_MAX_EQS][32];
    uint8_t c[32], neg_c[32];
    bool ok;

    if (len != poksho_proof_len(st))
        return false;
    for (size_t i = 0; i < len; i += 32)
        if (!rist_scalar_is_canonical(proof + i))
            return false;
    crypto_core_ristretto255_scalar_negate(neg_c, proof);
    for (uint8_t e = 0; e < st->n_eqs; e++) {
        const struct poksho_eq *eq = &st->eq[e];

        rist_mul(commit[e], neg_c, st->point[eq->lhs]);
        for (uint8_t k = 0; k < eq->n_terms; k++)
            rist_muladd(commit[e], proof + 32 * (1 + (size_t)eq->t[k].scalar),
                        st->point[eq->t[k].point]);
    }
    poksho_transcript(st, &t);
    poksho_challenge(&t, commit, st->n_eqs, msg, msg_len, c);
    ok = rist_eq(c, proof);
    sho_wipe(&t);
    return ok;
}

void
poksho_stmt_wipe(struct poksho_stmt *st)
{
    sodium_memzero(st->scalar, sizeof st->scalar);
}

static void
poksho_sign_stmt(struct poksho_stmt *st, const uint8_t pk[32])
{
    poksho_stmt_init(st);
    poksho_stmt_add(st, "public_key", "private_key*G");
    poksho_stmt_point(st, "public_key", pk);
}

void
poksho_sign(const uint8_t sk[32], const uint8_t pk[32], const uint8_t *msg, size_t msg_len,
            const uint8_t rnd[32], uint8_t sig[64])
{
    struct poksho_stmt st;

    poksho_sign_stmt(&st, pk);
    poksho_stmt_scalar(&st, "private_key", sk);
    poksho_prove(&st, msg, msg_len, rnd, sig);
    poksho_stmt_wipe(&st);
}

bool
poksho_sign_verify(const uint8_t pk[32], const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t sig_len)
{
    struct poksho_stmt st;

    poksho_sign_stmt(&st, pk);
    return poksho_verify(&st, sig, sig_len, msg, msg_len);
}
