/*
 * zkcredential issuance and presentation checks (crypto-spec.md §11).  Statements are built by
 * name so that index assignment matches libsignal's (the names themselves never reach the wire,
 * only the first-appearance order does).  In standard mode the slot-0 coefficient y0 depends on
 * the number of attribute points; key->y0_for[n] holds it for every n.
 */
#include "crypto/zkcred.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/poksho.h"
#include "crypto/ristretto.h"
#include "crypto/zkgroup_bin.h"
#include "crypto/zkgroup_gens.h"

#define ZKCRED_EQ_MAX 256

void
zkcred_attrs_init(struct sho *s, const char *label)
{
    sho_init(s, label, strlen(label));
}

void
zkcred_attrs_u64(struct sho *s, uint64_t v)
{
    uint8_t be[8];

    zkgroup_be64(be, v);
    sho_absorb_and_ratchet(s, be, sizeof be);
}

void
zkcred_attrs_point(struct sho *s, uint8_t m0[32])
{
    sho_get_point(s, m0);
}

/* Append text to an equation buffer; overflow is a programming error. */
static void
zkcred_cat(char *buf, const char *text)
{
    size_t len = strlen(buf), n = strlen(text);

    if (len + n >= ZKCRED_EQ_MAX)
        abort();
    memcpy(buf + len, text, n + 1);
}

static void
zkcred_catnum(char *buf, size_t i)
{
    char d[2] = { (char)('0' + i), '\0' };

    if (i > 9)
        abort();
    zkcred_cat(buf, d);
}

/* Append " + <s><i>*<p><j>" (or without the leading " + " when the buffer is empty). */
static void
zkcred_term(char *buf, const char *s, size_t i, const char *p, size_t j)
{
    if (buf[0] != '\0')
        zkcred_cat(buf, " + ");
    zkcred_cat(buf, s);
    zkcred_catnum(buf, i);
    zkcred_cat(buf, "*");
    zkcred_cat(buf, p);
    zkcred_catnum(buf, j);
}

static void
zkcred_name(char out[POKSHO_NAME_MAX], const char *prefix, size_t i)
{
    size_t n = strlen(prefix);

    if (i > 9 || n + 2 > POKSHO_NAME_MAX)
        abort();
    memcpy(out, prefix, n);
    out[n] = (char)('0' + i);
    out[n + 1] = '\0';
}

/* The two equations every issuance proof starts with, plus their points and scalars:
 *   C_W = w·G_w + wprime·G_wprime
 *   G_V-I = x0·G_x0 + x1·G_x1 + y0·G_y0 + … + y(n−1)·G_y(n−1)           (I = I_n) */
static void
zkcred_stmt_key(struct poksho_stmt *st, const struct zk_generic_key *key, size_t n)
{
    const struct zkgroup_gens_zkc *g = &zkgroup_gens_zkc;
    char eq[ZKCRED_EQ_MAX] = "x0*G_x0 + x1*G_x1";
    char name[POKSHO_NAME_MAX];
    uint8_t gvi[32];

    poksho_stmt_add(st, "C_W", "w*G_w + wprime*G_wprime");
    for (size_t i = 0; i < n; i++)
        zkcred_term(eq, "y", i, "G_y", i);
    poksho_stmt_add(st, "G_V-I", eq);
    poksho_stmt_point(st, "C_W", key->C_W);
    poksho_stmt_point(st, "G_w", g->G_w);
    poksho_stmt_point(st, "G_wprime", g->G_wprime);
    rist_sub(gvi, g->G_V, key->I[n]);
    poksho_stmt_point(st, "G_V-I", gvi);
    poksho_stmt_point(st, "G_x0", g->G_x0);
    poksho_stmt_point(st, "G_x1", g->G_x1);
    for (size_t i = 0; i < n; i++) {
        zkcred_name(name, "G_y", i);
        poksho_stmt_point(st, name, g->G_y[i]);
    }
}

static void
zkcred_stmt_key_scalars(struct poksho_stmt *st, const struct zk_generic_key *key, size_t n)
{
    char name[POKSHO_NAME_MAX];

    poksho_stmt_scalar(st, "w", key->w);
    poksho_stmt_scalar(st, "wprime", key->wprime);
    poksho_stmt_scalar(st, "x0", key->x0);
    poksho_stmt_scalar(st, "x1", key->x1);
    poksho_stmt_scalar(st, "y0", key->y0_for[n]);
    for (size_t i = 1; i < n; i++) {
        zkcred_name(name, "y", i);
        poksho_stmt_scalar(st, name, key->y[i]);
    }
}

/* V = W + (x0 + x1·t)·U + y0(n)·M0 + Σ_{i=1..a−1} y_i·M_i */
static void
zkcred_mac(const struct zk_generic_key *key, size_t n, const uint8_t (*m)[32], size_t a,
           const uint8_t t[32], const uint8_t u[32], uint8_t v[32])
{
    uint8_t coef[32];

    crypto_core_ristretto255_scalar_mul(coef, key->x1, t);
    crypto_core_ristretto255_scalar_add(coef, coef, key->x0);
    memcpy(v, key->W, 32);
    rist_muladd(v, coef, u);
    rist_muladd(v, key->y0_for[n], m[0]);
    for (size_t i = 1; i < a; i++)
        rist_muladd(v, key->y[i], m[i]);
    sodium_memzero(coef, sizeof coef);
}

size_t
zkcred_issue_len(size_t n)
{
    return 3 * 32 + 8 + 32 * (5 + n);
}

void
zkcred_issue(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t n,
             const uint8_t rnd[32], uint8_t *out)
{
    struct poksho_stmt st;
    struct sho s;
    uint8_t t[32], u[32], v[32], tu[32], z[32];
    char eq[ZKCRED_EQ_MAX] = "w*G_w + x0*U + x1*tU";
    char name[POKSHO_NAME_MAX];
    uint8_t proof[32 * (5 + ZKCRED_MAX_POINTS)];
    size_t plen;
    struct zkgroup_binw w;

    if (n < 2 || n > ZKCRED_MAX_POINTS)
        abort();
    sho_init(&s, "Signal_ZKCredential_Issuance_20230410",
             strlen("Signal_ZKCredential_Issuance_20230410"));
    sho_absorb_and_ratchet(&s, rnd, 32);
    sho_get_scalar(&s, t);
    sho_get_point(&s, u);
    zkcred_mac(key, n, m, n, t, u, v);
    sho_squeeze(&s, z, 32);
    sho_wipe(&s);

    poksho_stmt_init(&st);
    zkcred_stmt_key(&st, key, n);
    for (size_t i = 0; i < n; i++)
        zkcred_term(eq, "y", i, "M", i);
    poksho_stmt_add(&st, "V", eq);
    poksho_stmt_point(&st, "V", v);
    poksho_stmt_point(&st, "U", u);
    rist_mul(tu, t, u);
    poksho_stmt_point(&st, "tU", tu);
    for (size_t i = 0; i < n; i++) {
        zkcred_name(name, "M", i);
        poksho_stmt_point(&st, name, m[i]);
    }
    zkcred_stmt_key_scalars(&st, key, n);
    plen = poksho_proof_len(&st);
    poksho_prove(&st, NULL, 0, z, proof);
    poksho_stmt_wipe(&st);
    sodium_memzero(z, sizeof z);

    zkgroup_binw_init(&w, out, zkcred_issue_len(n));
    zkgroup_binw_bytes(&w, t, 32);
    zkgroup_binw_bytes(&w, u, 32);
    zkgroup_binw_bytes(&w, v, 32);
    zkgroup_binw_vec(&w, proof, plen);
    zkgroup_binw_finish(&w);
}

size_t
zkcred_blind_issue_len(size_t n)
{
    return 4 * 32 + 8 + 32 * (6 + n);
}

void
zkcred_blind_issue(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t a,
                   const uint8_t (*d1)[32], const uint8_t (*d2)[32], size_t b,
                   const uint8_t y_pub[32], const uint8_t rnd[32], uint8_t *out)
{
    static const char label[] = "Signal_ZKCredential_BlindIssuance_20230410";
    size_t n = a + b;
    struct poksho_stmt st;
    struct sho s;
    uint8_t rprime[32], t[32], u[32], v[32], tu[32], s1[32], s2[32], z[32];
    char eq1[ZKCRED_EQ_MAX] = "", eq2[ZKCRED_EQ_MAX] = "rprime*Y + w*G_w + x0*U + x1*tU";
    char name[POKSHO_NAME_MAX];
    uint8_t proof[32 * (6 + ZKCRED_MAX_POINTS)];
    size_t plen;
    struct zkgroup_binw w;

    if (a < 1 || b < 1 || n > ZKCRED_MAX_POINTS)
        abort();
    sho_init(&s, label, sizeof label - 1);
    sho_absorb_and_ratchet(&s, rnd, 32);
    sho_get_scalar(&s, rprime);     /* r' comes first in libsignal's blind.rs */
    rist_mul_base(s1, rprime);
    for (size_t k = 0; k < b; k++)
        rist_muladd(s1, key->y[a + k], d1[k]);
    sho_get_scalar(&s, t);
    sho_get_point(&s, u);
    zkcred_mac(key, n, m, a, t, u, v);
    rist_mul(s2, rprime, y_pub);
    rist_add(s2, s2, v);
    for (size_t k = 0; k < b; k++)
        rist_muladd(s2, key->y[a + k], d2[k]);
    sho_squeeze(&s, z, 32);
    sho_wipe(&s);

    poksho_stmt_init(&st);
    zkcred_stmt_key(&st, key, n);
    for (size_t k = 0; k < b; k++)
        zkcred_term(eq1, "y", a + k, "D1_", a + k);
    zkcred_cat(eq1, " + rprime*G");
    poksho_stmt_add(&st, "S1", eq1);
    for (size_t i = 0; i < a; i++)
        zkcred_term(eq2, "y", i, "M", i);
    for (size_t k = 0; k < b; k++)
        zkcred_term(eq2, "y", a + k, "D2_", a + k);
    poksho_stmt_add(&st, "S2", eq2);
    poksho_stmt_point(&st, "S1", s1);
    poksho_stmt_point(&st, "S2", s2);
    poksho_stmt_point(&st, "Y", y_pub);
    poksho_stmt_point(&st, "U", u);
    rist_mul(tu, t, u);
    poksho_stmt_point(&st, "tU", tu);
    for (size_t i = 0; i < a; i++) {
        zkcred_name(name, "M", i);
        poksho_stmt_point(&st, name, m[i]);
    }
    for (size_t k = 0; k < b; k++) {
        zkcred_name(name, "D1_", a + k);
        poksho_stmt_point(&st, name, d1[k]);
        zkcred_name(name, "D2_", a + k);
        poksho_stmt_point(&st, name, d2[k]);
    }
    zkcred_stmt_key_scalars(&st, key, n);
    poksho_stmt_scalar(&st, "rprime", rprime);
    plen = poksho_proof_len(&st);
    poksho_prove(&st, NULL, 0, z, proof);
    poksho_stmt_wipe(&st);
    sodium_memzero(rprime, sizeof rprime);
    sodium_memzero(z, sizeof z);

    zkgroup_binw_init(&w, out, zkcred_blind_issue_len(n));
    zkgroup_binw_bytes(&w, t, 32);
    zkgroup_binw_bytes(&w, u, 32);
    zkgroup_binw_bytes(&w, s1, 32);
    zkgroup_binw_bytes(&w, s2, 32);
    zkgroup_binw_vec(&w, proof, plen);
    zkgroup_binw_finish(&w);
}

bool
zkcred_verify_revealed(const struct zk_generic_key *key, const uint8_t (*m)[32], size_t n,
                       const struct zkcred_commitments *c, const uint8_t *proof,
                       size_t proof_len)
{
    const struct zkgroup_gens_zkc *g = &zkgroup_gens_zkc;
    struct poksho_stmt st;
    uint8_t zpt[32], acc[32];
    char name[POKSHO_NAME_MAX], lhs[POKSHO_NAME_MAX], rhs[POKSHO_NAME_MAX];

    if (n < 2 || n > ZKCRED_MAX_POINTS || c->n_C_y != n)
        return false;
    /* Z = C_V − W − x0·C_x0 − x1·C_x1 − Σ coef_i·(C_y_i + M_i), coef_0 = y0(n).  With every
     * attribute revealed, an honest Z equals z·I_n. */
    memcpy(zpt, c->C_V, 32);
    rist_sub(zpt, zpt, key->W);
    rist_mul(acc, key->x0, c->C_x0);
    rist_sub(zpt, zpt, acc);
    rist_mul(acc, key->x1, c->C_x1);
    rist_sub(zpt, zpt, acc);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *coef = (i == 0) ? key->y0_for[n] : key->y[i];

        rist_add(acc, c->C_y[i], m[i]);
        rist_mul(acc, coef, acc);
        rist_sub(zpt, zpt, acc);
    }

    /* Equation order as in presentation.rs: Z, C_x1, then each revealed attribute in slot
     * order 1..n−1, and C_y0 (the public-attribute slot) last. */
    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "Z", "z*I");
    poksho_stmt_add(&st, "C_x1", "t*C_x0 + z0*G_x0 + z*G_x1");
    for (size_t i = 1; i < n; i++) {
        zkcred_name(lhs, "C_y", i);
        zkcred_name(rhs, "z*G_y", i);
        poksho_stmt_add(&st, lhs, rhs);
    }
    poksho_stmt_add(&st, "C_y0", "z*G_y0");
    poksho_stmt_point(&st, "Z", zpt);
    poksho_stmt_point(&st, "I", key->I[n]);
    poksho_stmt_point(&st, "C_x0", c->C_x0);
    poksho_stmt_point(&st, "C_x1", c->C_x1);
    poksho_stmt_point(&st, "G_x0", g->G_x0);
    poksho_stmt_point(&st, "G_x1", g->G_x1);
    for (size_t i = 0; i < n; i++) {
        zkcred_name(name, "C_y", i);
        poksho_stmt_point(&st, name, c->C_y[i]);
        zkcred_name(name, "G_y", i);
        poksho_stmt_point(&st, name, g->G_y[i]);
    }
    return poksho_verify(&st, proof, proof_len, NULL, 0);
}
