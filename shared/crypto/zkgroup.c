/*
 * High-level zkgroup operations (crypto-spec.md §10–§16): wire formats around the credential
 * algebra in zkcred.c / zkgroup_legacy.c, endorse.c and username.c.
 */
#include "crypto/zkgroup.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/xmalloc.h"
#include "crypto/endorse.h"
#include "crypto/poksho.h"
#include "crypto/ristretto.h"
#include "crypto/sho.h"
#include "crypto/xeddsa.h"
#include "crypto/zkcred.h"
#include "crypto/zkgroup_attr.h"
#include "crypto/zkgroup_bin.h"
#include "crypto/zkgroup_gens.h"

enum err
zk_issue_auth_credential_with_pni(const struct zk_server_secret *sp, const uint8_t aci[16],
                                  const uint8_t pni[16], uint64_t redemption_time,
                                  const uint8_t randomness[32], uint8_t **out, size_t *out_len)
{
    uint8_t m[5][32];
    struct sho attrs;
    uint8_t *buf = xmalloc(ZK_AUTH_CREDENTIAL_RESPONSE_LEN);

    /* auth_credential_with_pni/zkc.rs: public attribute be64(t); hidden UidStruct(ACI) then
     * UidStruct(PNI); n = 5, always the legacy-mode key embedded in ServerSecretParams */
    zkcred_attrs_init(&attrs, "20240222_Signal_AuthCredentialZkc");
    zkcred_attrs_u64(&attrs, redemption_time);
    zkcred_attrs_point(&attrs, m[0]);
    zkgroup_attr_uid_aci(aci, m[1], m[2]);
    zkgroup_attr_uid_pni(pni, m[3], m[4]);
    buf[0] = 0x03;
    zkcred_issue(&sp->generic, (const uint8_t (*)[32])m, 5, randomness, buf + 1);
    *out = buf;
    *out_len = ZK_AUTH_CREDENTIAL_RESPONSE_LEN;
    return E_OK;
}

enum err
zk_issue_auth_credential_without_pni(const struct zk_server_secret *sp, const uint8_t aci[16],
                                     const uint8_t *salt, size_t salt_len,
                                     uint64_t redemption_time, const uint8_t randomness[32],
                                     uint8_t **out, size_t *out_len)
{
    uint8_t pni[16];

    zkgroup_attr_false_pni(salt, salt_len, aci, pni);
    return zk_issue_auth_credential_with_pni(sp, aci, pni, redemption_time, randomness, out,
                                             out_len);
}

enum err
zk_issue_call_link_auth_credential(const struct zk_generic_secret *gp, const uint8_t aci[16],
                                   uint64_t redemption_time, const uint8_t randomness[32],
                                   uint8_t **out, size_t *out_len)
{
    uint8_t m[3][32];
    struct sho attrs;
    uint8_t *buf = xmalloc(ZK_CALL_LINK_AUTH_RESPONSE_LEN);

    /* call_links/auth_credential.rs: be64(t) public, UidStruct(ACI) hidden, n = 3 */
    zkcred_attrs_init(&attrs, "20230421_Signal_CallLinkAuthCredential");
    zkcred_attrs_u64(&attrs, redemption_time);
    zkcred_attrs_point(&attrs, m[0]);
    zkgroup_attr_uid_aci(aci, m[1], m[2]);
    buf[0] = (uint8_t)gp->key.mode;
    zkcred_issue(&gp->key, (const uint8_t (*)[32])m, 3, randomness, buf + 1);
    *out = buf;
    *out_len = ZK_CALL_LINK_AUTH_RESPONSE_LEN;
    return E_OK;
}

/* Blinded-attribute request shared by call-link creation and backups: 0x00 || D1 || D2 || Y. */
static enum err
zkgroup_parse_blind_request(const uint8_t *req, size_t len, uint8_t d1[32], uint8_t d2[32],
                            uint8_t y[32])
{
    struct zkgroup_bin r;

    zkgroup_bin_init(&r, req, len);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, d1);
    zkgroup_bin_point(&r, d2);
    zkgroup_bin_point(&r, y);
    return zkgroup_bin_done(&r) ? E_OK : E_BAD_REQUEST;
}

enum err
zk_issue_create_call_link_credential(const struct zk_generic_secret *gp, const uint8_t *request,
                                     size_t request_len, const uint8_t aci[16], uint64_t timestamp,
                                     const uint8_t randomness[32], uint8_t **out,
                                     size_t *out_len)
{
    uint8_t m[3][32], d1[1][32], d2[1][32], y[32];
    struct sho attrs;
    struct zkgroup_binw w;
    uint8_t *buf;
    enum err e;

    *out = NULL;
    *out_len = 0;
    e = zkgroup_parse_blind_request(request, request_len, d1[0], d2[0], y);
    if (e != E_OK)
        return e;
    /* call_links/create_credential.rs: be64(timestamp) public, UidStruct(ACI) hidden, then
     * the blinded room-id point in slot 3: n = 4, so standard-mode params blind y0 */
    zkcred_attrs_init(&attrs, "20230413_Signal_CreateCallLinkCredential");
    zkcred_attrs_u64(&attrs, timestamp);
    zkcred_attrs_point(&attrs, m[0]);
    zkgroup_attr_uid_aci(aci, m[1], m[2]);
    buf = xmalloc(ZK_CREATE_CALL_LINK_RESPONSE_LEN);
    zkgroup_binw_init(&w, buf, 9);
    zkgroup_binw_u8(&w, (uint8_t)gp->key.mode);
    zkgroup_binw_u64(&w, timestamp);
    zkgroup_binw_finish(&w);
    zkcred_blind_issue(&gp->key, (const uint8_t (*)[32])m, 3, (const uint8_t (*)[32])d1,
                       (const uint8_t (*)[32])d2, 1, y, randomness, buf + 9);
    *out = buf;
    *out_len = ZK_CREATE_CALL_LINK_RESPONSE_LEN;
    return E_OK;
}

enum err
zk_verify_group_send_token(const struct zk_server_secret *sp, const uint8_t *token,
                           size_t token_len, const struct zk_service_id *recipients,
                           size_t n_recipients, uint64_t now)
{
    struct zkgroup_bin r;
    uint8_t got[16], want[16], sk[32], pk[32], sum[32], m1[32], sid[17];
    uint64_t expiration;
    size_t n;
    const uint8_t *raw;
    bool ok;

    /* GroupSendFullToken: reserved 0, Vec<u8> token (16 bytes), le64 expiration */
    zkgroup_bin_init(&r, token, token_len);
    zkgroup_bin_expect_u8(&r, 0);
    raw = zkgroup_bin_vec(&r, 16, &n);
    if (raw != NULL && n == 16)
        memcpy(got, raw, 16);
    else
        zkgroup_bin_fail(&r);
    expiration = zkgroup_bin_u64(&r);
    if (!zkgroup_bin_done(&r))
        return E_BAD_REQUEST;
    if (now > expiration)
        return E_UNAUTHORIZED;      /* now == expiration is still valid */
    if (n_recipients == 0)
        return E_UNAUTHORIZED;      /* the identity sum would simply mismatch; say so early */

    /* P = Σ M1(recipient); M1 hashes the service-id binary, so a PNI's 0x01 prefix counts */
    memcpy(sum, rist_identity, 32);
    for (size_t i = 0; i < n_recipients; i++) {
        size_t len = 0;

        if (recipients[i].kind == 1)
            sid[len++] = 0x01;
        else if (recipients[i].kind != 0)
            return E_BAD_REQUEST;
        memcpy(sid + len, recipients[i].uuid, 16);
        zkgroup_attr_uid_m1(sid, len + 16, m1);
        rist_add(sum, sum, m1);
    }
    endorse_derive(sp->endorse_sk, sp->endorse_pk, ENDORSE_GROUP_SEND_LABEL, expiration, sk, pk);
    endorse_token(sk, sum, want);
    sodium_memzero(sk, sizeof sk);
    ok = sodium_memcmp(got, want, 16) == 0;
    return ok ? E_OK : E_UNAUTHORIZED;
}

static enum err
zkgroup_parse_commitment(const uint8_t *c, size_t len, uint8_t j[3][32])
{
    struct zkgroup_bin r;

    zkgroup_bin_init(&r, c, len);
    zkgroup_bin_expect_u8(&r, 0);
    for (int i = 0; i < 3; i++)
        zkgroup_bin_point(&r, j[i]);
    return zkgroup_bin_done(&r) ? E_OK : E_BAD_REQUEST;
}

enum err
zk_check_profile_key_commitment(const uint8_t *commitment, size_t len)
{
    uint8_t j[3][32];

    return zkgroup_parse_commitment(commitment, len, j);
}

/* ProfileKeyCredentialRequest: 0x00 || Y || D1 || D2 || E1 || E2 || Vec<u8> proof */
struct zkgroup_profile_request {
    uint8_t Y[32], D1[32], D2[32], E1[32], E2[32];
    const uint8_t *proof;
    size_t proof_len;
};

static bool
zkgroup_profile_request_verify(const struct zkgroup_profile_request *rq, const uint8_t j[3][32])
{
    const struct zkgroup_gens_legacy *g = &zkgroup_gens_legacy;
    struct poksho_stmt st;
    uint8_t d2j1[32], e2j2[32], ngj1[32], ngj2[32];

    /* crypto/proofs.rs ProfileKeyCredentialRequestProof: the client knows its blinding key y,
     * the ElGamal nonces r1, r2 and the commitment scalar j3 of the same profile key */
    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "Y", "y*G");
    poksho_stmt_add(&st, "D1", "r1*G");
    poksho_stmt_add(&st, "E1", "r2*G");
    poksho_stmt_add(&st, "J3", "j3*G_j3");
    poksho_stmt_add(&st, "D2-J1", "r1*Y + j3*-G_j1");
    poksho_stmt_add(&st, "E2-J2", "r2*Y + j3*-G_j2");
    rist_sub(d2j1, rq->D2, j[0]);
    rist_sub(e2j2, rq->E2, j[1]);
    rist_neg(ngj1, g->G_j[1]);
    rist_neg(ngj2, g->G_j[2]);
    poksho_stmt_point(&st, "Y", rq->Y);
    poksho_stmt_point(&st, "D1", rq->D1);
    poksho_stmt_point(&st, "E1", rq->E1);
    poksho_stmt_point(&st, "J3", j[2]);
    poksho_stmt_point(&st, "G_j3", g->G_j[3]);
    poksho_stmt_point(&st, "D2-J1", d2j1);
    poksho_stmt_point(&st, "-G_j1", ngj1);
    poksho_stmt_point(&st, "E2-J2", e2j2);
    poksho_stmt_point(&st, "-G_j2", ngj2);
    return poksho_verify(&st, rq->proof, rq->proof_len, NULL, 0);
}

static void
zkgroup_profile_issue(const struct zk_legacy_key *k, const struct zkgroup_profile_request *rq,
                      const uint8_t aci[16], uint64_t expiration, const uint8_t rnd[32],
                      uint8_t *out)
{
    const struct zkgroup_gens_legacy *g = &zkgroup_gens_legacy;
    struct sho s;
    struct poksho_stmt st;
    struct zkgroup_binw w;
    uint8_t m1[32], m2[32], m5s[32], m5[32], t[32], u[32], tu[32], v[32], coef[32];
    uint8_t rprime[32], s1[32], s2[32], z[32], gvi[32], proof[352];

    zkgroup_attr_uid_aci(aci, m1, m2);
    zkgroup_attr_timestamp_scalar(expiration, m5s);
    rist_mul(m5, m5s, g->G_m[5]);
    sho_new(&s, "Signal_ZKGroup_20220508_Random_ServerSecretParams_IssueExpiringProfileKeyCredential",
            rnd, 32);
    sho_get_scalar(&s, t);
    sho_get_point(&s, u);
    /* V' = W + (x0 + x1·t)·U + y1·M1 + y2·M2 + y5·M5 */
    crypto_core_ristretto255_scalar_mul(coef, k->x1, t);
    crypto_core_ristretto255_scalar_add(coef, coef, k->x0);
    memcpy(v, k->W, 32);
    rist_muladd(v, coef, u);
    rist_muladd(v, k->y[1], m1);
    rist_muladd(v, k->y[2], m2);
    rist_muladd(v, k->y[5], m5);
    sho_get_scalar(&s, rprime);
    /* the profile-key points are blinded under the client's key: S1, S2 encrypt y3·M3 + y4·M4 */
    rist_mul_base(s1, rprime);
    rist_muladd(s1, k->y[3], rq->D1);
    rist_muladd(s1, k->y[4], rq->E1);
    rist_mul(s2, rprime, rq->Y);
    rist_add(s2, s2, v);
    rist_muladd(s2, k->y[3], rq->D2);
    rist_muladd(s2, k->y[4], rq->E2);
    sho_squeeze(&s, z, 32);
    sho_wipe(&s);

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "C_W", "w*G_w + wprime*G_wprime");
    poksho_stmt_add(&st, "G_V-I", "x0*G_x0 + x1*G_x1 + y1*G_y1 + y2*G_y2 + y3*G_y3 + y4*G_y4 + y5*G_y5");
    poksho_stmt_add(&st, "S1", "y3*D1 + y4*E1 + rprime*G");
    poksho_stmt_add(&st, "S2", "y3*D2 + y4*E2 + rprime*Y + w*G_w + x0*U + x1*tU + y1*M1 + y2*M2 + y5*M5");
    poksho_stmt_point(&st, "C_W", k->C_W);
    poksho_stmt_point(&st, "G_w", g->G_w);
    poksho_stmt_point(&st, "G_wprime", g->G_wprime);
    rist_sub(gvi, g->G_V, k->I);
    poksho_stmt_point(&st, "G_V-I", gvi);
    poksho_stmt_point(&st, "G_x0", g->G_x0);
    poksho_stmt_point(&st, "G_x1", g->G_x1);
    poksho_stmt_point(&st, "G_y1", g->G_y[1]);
    poksho_stmt_point(&st, "G_y2", g->G_y[2]);
    poksho_stmt_point(&st, "G_y3", g->G_y[3]);
    poksho_stmt_point(&st, "G_y4", g->G_y[4]);
    poksho_stmt_point(&st, "G_y5", g->G_y[5]);
    poksho_stmt_point(&st, "S1", s1);
    poksho_stmt_point(&st, "D1", rq->D1);
    poksho_stmt_point(&st, "E1", rq->E1);
    poksho_stmt_point(&st, "S2", s2);
    poksho_stmt_point(&st, "D2", rq->D2);
    poksho_stmt_point(&st, "E2", rq->E2);
    poksho_stmt_point(&st, "Y", rq->Y);
    poksho_stmt_point(&st, "U", u);
    rist_mul(tu, t, u);
    poksho_stmt_point(&st, "tU", tu);
    poksho_stmt_point(&st, "M1", m1);
    poksho_stmt_point(&st, "M2", m2);
    poksho_stmt_point(&st, "M5", m5);
    poksho_stmt_scalar(&st, "w", k->w);
    poksho_stmt_scalar(&st, "wprime", k->wprime);
    poksho_stmt_scalar(&st, "x0", k->x0);
    poksho_stmt_scalar(&st, "x1", k->x1);
    poksho_stmt_scalar(&st, "y1", k->y[1]);
    poksho_stmt_scalar(&st, "y2", k->y[2]);
    poksho_stmt_scalar(&st, "y3", k->y[3]);
    poksho_stmt_scalar(&st, "y4", k->y[4]);
    poksho_stmt_scalar(&st, "y5", k->y[5]);
    poksho_stmt_scalar(&st, "rprime", rprime);
    if (poksho_proof_len(&st) != sizeof proof)
        abort();
    poksho_prove(&st, NULL, 0, z, proof);
    poksho_stmt_wipe(&st);
    sodium_memzero(rprime, sizeof rprime);
    sodium_memzero(coef, sizeof coef);
    sodium_memzero(z, sizeof z);

    zkgroup_binw_init(&w, out, ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN);
    zkgroup_binw_u8(&w, 0);
    zkgroup_binw_bytes(&w, t, 32);
    zkgroup_binw_bytes(&w, u, 32);
    zkgroup_binw_bytes(&w, s1, 32);
    zkgroup_binw_bytes(&w, s2, 32);
    zkgroup_binw_u64(&w, expiration);
    zkgroup_binw_vec(&w, proof, sizeof proof);
    zkgroup_binw_finish(&w);
}

enum err
zk_issue_expiring_profile_key_credential(const struct zk_server_secret *sp,
                                         const uint8_t *request, size_t request_len,
                                         const uint8_t *commitment, size_t commitment_len,
                                         const uint8_t aci[16], uint64_t expiration,
                                         const uint8_t randomness[32], uint8_t **out,
                                         size_t *out_len)
{
    struct zkgroup_profile_request rq;
    struct zkgroup_bin r;
    uint8_t j[3][32];
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    if (zkgroup_parse_commitment(commitment, commitment_len, j) != E_OK)
        return E_BAD_REQUEST;
    zkgroup_bin_init(&r, request, request_len);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, rq.Y);
    zkgroup_bin_point(&r, rq.D1);
    zkgroup_bin_point(&r, rq.D2);
    zkgroup_bin_point(&r, rq.E1);
    zkgroup_bin_point(&r, rq.E2);
    rq.proof = zkgroup_bin_vec(&r, 4096, &rq.proof_len);
    if (!zkgroup_bin_done(&r))
        return E_BAD_REQUEST;
    if (!zkgroup_profile_request_verify(&rq, (const uint8_t (*)[32])j))
        return E_UNAUTHORIZED;
    buf = xmalloc(ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN);
    zkgroup_profile_issue(&sp->expiring, &rq, aci, expiration, randomness, buf);
    *out = buf;
    *out_len = ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN;
    return E_OK;
}

enum err
zk_issue_receipt_credential(const struct zk_server_secret *sp, const uint8_t *request,
                            size_t request_len, uint64_t expiration, uint64_t level,
                            const uint8_t randomness[32], uint8_t **out, size_t *out_len)
{
    const struct zkgroup_gens_legacy *g = &zkgroup_gens_legacy;
    const struct zk_legacy_key *k = &sp->receipt;
    struct zkgroup_bin r;
    struct zkgroup_binw w;
    struct sho s;
    struct poksho_stmt st;
    uint8_t y_pub[32], d1[32], d2[32], m1s[32], m1[32], t[32], u[32], tu[32], v[32], coef[32];
    uint8_t rprime[32], s1[32], s2[32], z[32], gvi[32], proof[256];
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    zkgroup_bin_init(&r, request, request_len);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, y_pub);
    zkgroup_bin_point(&r, d1);
    zkgroup_bin_point(&r, d2);
    if (!zkgroup_bin_done(&r))
        return E_BAD_REQUEST;

    /* api/server_params.rs issue_receipt_credential: M1 carries (expiration, level) in the
     * clear; the client's blinded serial (D1, D2) gets y2 */
    zkgroup_attr_receipt_scalar(expiration, level, m1s);
    rist_mul(m1, m1s, g->G_m[1]);
    sho_new(&s, "Signal_ZKGroup_20210919_Random_ServerSecretParams_IssueReceiptCredential",
            randomness, 32);
    sho_get_scalar(&s, t);
    sho_get_point(&s, u);
    crypto_core_ristretto255_scalar_mul(coef, k->x1, t);
    crypto_core_ristretto255_scalar_add(coef, coef, k->x0);
    memcpy(v, k->W, 32);
    rist_muladd(v, coef, u);
    rist_muladd(v, k->y[1], m1);
    sho_get_scalar(&s, rprime);
    rist_mul_base(s1, rprime);
    rist_muladd(s1, k->y[2], d1);
    rist_mul(s2, rprime, y_pub);
    rist_add(s2, s2, v);
    rist_muladd(s2, k->y[2], d2);
    sho_squeeze(&s, z, 32);
    sho_wipe(&s);

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "C_W", "w*G_w + wprime*G_wprime");
    poksho_stmt_add(&st, "G_V-I", "x0*G_x0 + x1*G_x1 + y1*G_y1 + y2*G_y2");
    poksho_stmt_add(&st, "S1", "y2*D1 + rprime*G");
    poksho_stmt_add(&st, "S2", "y2*D2 + rprime*Y + w*G_w + x0*U + x1*tU + y1*M1");
    poksho_stmt_point(&st, "C_W", k->C_W);
    poksho_stmt_point(&st, "G_w", g->G_w);
    poksho_stmt_point(&st, "G_wprime", g->G_wprime);
    rist_sub(gvi, g->G_V, k->I);
    poksho_stmt_point(&st, "G_V-I", gvi);
    poksho_stmt_point(&st, "G_x0", g->G_x0);
    poksho_stmt_point(&st, "G_x1", g->G_x1);
    poksho_stmt_point(&st, "G_y1", g->G_y[1]);
    poksho_stmt_point(&st, "G_y2", g->G_y[2]);
    poksho_stmt_point(&st, "S1", s1);
    poksho_stmt_point(&st, "D1", d1);
    poksho_stmt_point(&st, "S2", s2);
    poksho_stmt_point(&st, "D2", d2);
    poksho_stmt_point(&st, "Y", y_pub);
    poksho_stmt_point(&st, "U", u);
    rist_mul(tu, t, u);
    poksho_stmt_point(&st, "tU", tu);
    poksho_stmt_point(&st, "M1", m1);
    poksho_stmt_scalar(&st, "w", k->w);
    poksho_stmt_scalar(&st, "wprime", k->wprime);
    poksho_stmt_scalar(&st, "x0", k->x0);
    poksho_stmt_scalar(&st, "x1", k->x1);
    poksho_stmt_scalar(&st, "y1", k->y[1]);
    poksho_stmt_scalar(&st, "y2", k->y[2]);
    poksho_stmt_scalar(&st, "rprime", rprime);
    if (poksho_proof_len(&st) != sizeof proof)
        abort();
    poksho_prove(&st, NULL, 0, z, proof);
    poksho_stmt_wipe(&st);
    sodium_memzero(rprime, sizeof rprime);
    sodium_memzero(coef, sizeof coef);
    sodium_memzero(z, sizeof z);

    buf = xmalloc(ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN);
    zkgroup_binw_init(&w, buf, ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN);
    zkgroup_binw_u8(&w, 0);
    zkgroup_binw_u64(&w, expiration);
    zkgroup_binw_u64(&w, level);
    zkgroup_binw_bytes(&w, t, 32);
    zkgroup_binw_bytes(&w, u, 32);
    zkgroup_binw_bytes(&w, s1, 32);
    zkgroup_binw_bytes(&w, s2, 32);
    zkgroup_binw_vec(&w, proof, sizeof proof);
    zkgroup_binw_finish(&w);
    *out = buf;
    *out_len = ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN;
    return E_OK;
}

enum err
zk_verify_receipt_presentation(const struct zk_server_secret *sp, const uint8_t *presentation,
                               size_t len, uint64_t *expiration, uint64_t *level,
                               uint8_t serial[16])
{
    const struct zkgroup_gens_legacy *g = &zkgroup_gens_legacy;
    const struct zk_legacy_key *k = &sp->receipt;
    struct zkgroup_bin r;
    struct poksho_stmt st;
    uint8_t c_x0[32], c_x1[32], c_y1[32], c_y2[32], c_v[32], ser[16];
    uint8_t m1s[32], m2s[32], m[32], zpt[32], acc[32];
    const uint8_t *proof;
    size_t proof_len;
    uint64_t exp, lvl;

    zkgroup_bin_init(&r, presentation, len);
    zkgroup_bin_expect_u8(&r, 0);
    zkgroup_bin_point(&r, c_x0);
    zkgroup_bin_point(&r, c_x1);
    zkgroup_bin_point(&r, c_y1);
    zkgroup_bin_point(&r, c_y2);
    zkgroup_bin_point(&r, c_v);
    proof = zkgroup_bin_vec(&r, 4096, &proof_len);
    exp = zkgroup_bin_u64(&r);
    lvl = zkgroup_bin_u64(&r);
    zkgroup_bin_bytes(&r, ser, sizeof ser);
    if (!zkgroup_bin_done(&r))
        return E_BAD_REQUEST;

    /* Z = C_V − W − x0·C_x0 − x1·C_x1 − y1·(C_y1 + M1) − y2·(C_y2 + M2); honest Z = z·I */
    zkgroup_attr_receipt_scalar(exp, lvl, m1s);
    rist_scalar_from_u128(m2s, ser);
    memcpy(zpt, c_v, 32);
    rist_sub(zpt, zpt, k->W);
    rist_mul(acc, k->x0, c_x0);
    rist_sub(zpt, zpt, acc);
    rist_mul(acc, k->x1, c_x1);
    rist_sub(zpt, zpt, acc);
    rist_mul(m, m1s, g->G_m[1]);
    rist_add(acc, c_y1, m);
    rist_mul(acc, k->y[1], acc);
    rist_sub(zpt, zpt, acc);
    rist_mul(m, m2s, g->G_m[2]);
    rist_add(acc, c_y2, m);
    rist_mul(acc, k->y[2], acc);
    rist_sub(zpt, zpt, acc);

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "Z", "z*I");
    poksho_stmt_add(&st, "C_x1", "t*C_x0 + -zt*G_x0 + z*G_x1");
    poksho_stmt_add(&st, "C_y1", "z*G_y1");
    poksho_stmt_add(&st, "C_y2", "z*G_y2");
    poksho_stmt_point(&st, "Z", zpt);
    poksho_stmt_point(&st, "I", k->I);
    poksho_stmt_point(&st, "C_x1", c_x1);
    poksho_stmt_point(&st, "C_x0", c_x0);
    poksho_stmt_point(&st, "G_x0", g->G_x0);
    poksho_stmt_point(&st, "G_x1", g->G_x1);
    poksho_stmt_point(&st, "C_y1", c_y1);
    poksho_stmt_point(&st, "G_y1", g->G_y[1]);
    poksho_stmt_point(&st, "C_y2", c_y2);
    poksho_stmt_point(&st, "G_y2", g->G_y[2]);
    if (!poksho_verify(&st, proof, proof_len, NULL, 0))
        return E_UNAUTHORIZED;
    *expiration = exp;
    *level = lvl;
    memcpy(serial, ser, 16);
    return E_OK;
}

static bool
zkgroup_backup_known(uint64_t level, uint64_t type)
{
    return (level == ZK_BACKUP_LEVEL_FREE || level == ZK_BACKUP_LEVEL_PAID) &&
           (type == ZK_BACKUP_TYPE_MESSAGES || type == ZK_BACKUP_TYPE_MEDIA);
}

/* M0 of a backup credential: public attributes be64(t), be64(level), be64(type) in that order */
static void
zkgroup_backup_m0(uint64_t t, uint64_t level, uint64_t type, uint8_t m0[32])
{
    struct sho attrs;

    zkcred_attrs_init(&attrs, "20231003_Signal_BackupAuthCredential");
    zkcred_attrs_u64(&attrs, t);
    zkcred_attrs_u64(&attrs, level);
    zkcred_attrs_u64(&attrs, type);
    zkcred_attrs_point(&attrs, m0);
}

enum err
zk_check_backup_auth_request(const uint8_t *request, size_t len)
{
    uint8_t d1[32], d2[32], y[32];

    return zkgroup_parse_blind_request(request, len, d1, d2, y);
}

enum err
zk_issue_backup_auth_credential(const struct zk_generic_secret *gp, const uint8_t *request,
                                size_t request_len, uint64_t redemption_time, uint64_t level,
                                uint64_t credential_type, const uint8_t randomness[32],
                                uint8_t **out, size_t *out_len)
{
    uint8_t m[1][32], d1[1][32], d2[1][32], y[32];
    struct zkgroup_binw w;
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    if (!zkgroup_backup_known(level, credential_type))
        return E_BAD_REQUEST;
    if (zkgroup_parse_blind_request(request, request_len, d1[0], d2[0], y) != E_OK)
        return E_BAD_REQUEST;
    zkgroup_backup_m0(redemption_time, level, credential_type, m[0]);
    buf = xmalloc(ZK_BACKUP_AUTH_RESPONSE_LEN);
    zkgroup_binw_init(&w, buf, 25);
    zkgroup_binw_u8(&w, 0);
    zkgroup_binw_u64(&w, redemption_time);
    zkgroup_binw_u64(&w, level);
    zkgroup_binw_u64(&w, credential_type);
    zkgroup_binw_finish(&w);
    /* n = 2: M0 plus the client's blinded backup-id point */
    zkcred_blind_issue(&gp->key, (const uint8_t (*)[32])m, 1, (const uint8_t (*)[32])d1,
                       (const uint8_t (*)[32])d2, 1, y, randomness, buf + 25);
    *out = buf;
    *out_len = ZK_BACKUP_AUTH_RESPONSE_LEN;
    return E_OK;
}

enum err
zk_verify_backup_presentation(const struct zk_generic_secret *gp, const uint8_t *presentation,
                              size_t len, uint64_t now, struct zk_backup_auth *auth)
{
    struct zkgroup_bin r;
    struct zkcred_commitments c;
    uint8_t m[2][32], id[16];
    uint64_t level, type, t, n_cy;
    const uint8_t *proof;
    size_t proof_len;

    /* api/backups/auth_credential.rs BackupAuthCredentialPresentation */
    zkgroup_bin_init(&r, presentation, len);
    zkgroup_bin_expect_u8(&r, 0);
    level = zkgroup_bin_u64(&r);
    type = zkgroup_bin_u64(&r);
    t = zkgroup_bin_u64(&r);
    zkgroup_bin_point(&r, c.C_x0);
    zkgroup_bin_point(&r, c.C_x1);
    zkgroup_bin_point(&r, c.C_V);
    n_cy = zkgroup_bin_u64(&r);
    if (n_cy > ZKCRED_MAX_POINTS)
        zkgroup_bin_fail(&r);
    c.n_C_y = (size_t)(n_cy <= ZKCRED_MAX_POINTS ? n_cy : 0);
    for (size_t i = 0; i < c.n_C_y; i++)
        zkgroup_bin_point(&r, c.C_y[i]);
    proof = zkgroup_bin_vec(&r, 4096, &proof_len);
    zkgroup_bin_bytes(&r, id, sizeof id);
    if (!zkgroup_bin_done(&r) || !zkgroup_backup_known(level, type))
        return E_BAD_REQUEST;

    /* server_params.rs check_auth_credential_redemption_time: [t − 1 day, t + 2 days] */
    if (t > UINT64_MAX - 2 * 86400 || now + 86400 < t || now > t + 2 * 86400)
        return E_UNAUTHORIZED;
    zkgroup_backup_m0(t, level, type, m[0]);
    zkgroup_attr_backup_id_point(id, m[1]);
    if (!zkcred_verify_revealed(&gp->key, (const uint8_t (*)[32])m, 2, &c, proof, proof_len))
        return E_UNAUTHORIZED;
    auth->level = level;
    auth->credential_type = type;
    auth->redemption_time = t;
    memcpy(auth->backup_id, id, 16);
    return E_OK;
}

enum err
zk_verify_backup_signature(const uint8_t public_key[33], const uint8_t *presentation,
                           size_t len, const uint8_t *signature, size_t sig_len)
{
    return cx_xeddsa_verify_len(public_key, presentation, len, signature, sig_len)
               ? E_OK : E_UNAUTHORIZED;
}

uint64_t
zk_donation_default_expiration(uint64_t now)
{
    uint64_t exp = now - now % 86400 + 2 * 86400;

    if (exp - now < 25 * 3600)
        exp += 86400;
    return exp;
}

enum err
zk_issue_donation_permits(const struct zk_server_secret *sp, const uint8_t *request,
                          size_t request_len, uint64_t expiration, const uint8_t randomness[32],
                          uint8_t **out, size_t *out_len)
{
    static const char wlabel[] =
        "Signal_ZKCredential_Endorsements_EndorsementResponse_ProofWeights_20240207";
    struct zkgroup_bin r;
    struct zkgroup_binw w;
    struct sho ws;
    struct poksho_stmt st;
    uint8_t (*e)[32], (*rr)[32], sk[32], pk[32], sum_e[32], sum_r[32], dbl[32], proof[64];
    uint8_t wbytes[16], wscalar[32];
    uint64_t n;
    size_t len;
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    zkgroup_bin_init(&r, request, request_len);
    zkgroup_bin_expect_u8(&r, 0);
    n = zkgroup_bin_u64(&r);
    if (r.bad || n == 0 || n > ZK_DONATION_MAX_PERMITS || (request_len - 9) / 32 < n)
        return E_BAD_REQUEST;
    e = xmalloc((size_t)n * 32);
    for (uint64_t i = 0; i < n; i++)
        zkgroup_bin_point(&r, e[i]);
    if (!zkgroup_bin_done(&r)) {
        free(e);
        return E_BAD_REQUEST;
    }
    rr = xmalloc((size_t)n * 32);
    endorse_derive(sp->endorse_sk, sp->endorse_pk, ENDORSE_DONATION_LABEL, expiration, sk, pk);
    for (uint64_t i = 0; i < n; i++)
        rist_mul(rr[i], sk, e[i]);

    /* endorsements.rs EndorsementResponse: a batch proof over a random-looking linear
     * combination of the points, weights derived from everything that is public */
    sho_init(&ws, wlabel, sizeof wlabel - 1);
    sho_absorb(&ws, pk, 32);
    for (uint64_t i = 0; i < n; i++) {
        rist_add(dbl, e[i], e[i]);
        sho_absorb(&ws, dbl, 32);
    }
    for (uint64_t i = 0; i < n; i++)
        sho_absorb(&ws, rr[i], 32);
    sho_ratchet(&ws);
    memcpy(sum_e, e[0], 32);
    memset(wscalar, 0, sizeof wscalar);
    {
        /* one squeeze of 16·(n−1) bytes, consumed in 16-byte little-endian chunks */
        size_t wn = 16 * (size_t)(n - 1);
        uint8_t *wall = xmalloc(wn > 0 ? wn : 1);

        sho_squeeze(&ws, wall, wn);
        for (uint64_t j = 1; j < n; j++) {
            memcpy(wbytes, wall + 16 * (j - 1), 16);
            wbytes[15] &= 0x7f;
            memcpy(wscalar, wbytes, 16);
            rist_muladd(sum_e, wscalar, e[j]);
        }
        free(wall);
    }
    rist_mul(sum_r, sk, sum_e);

    poksho_stmt_init(&st);
    poksho_stmt_add(&st, "weighted_sum(R)", "sk_prime*weighted_sum(E)");
    poksho_stmt_add(&st, "G", "sk_prime*PK_prime");
    poksho_stmt_point(&st, "weighted_sum(R)", sum_r);
    poksho_stmt_point(&st, "weighted_sum(E)", sum_e);
    poksho_stmt_point(&st, "PK_prime", pk);
    poksho_stmt_scalar(&st, "sk_prime", sk);
    poksho_prove(&st, NULL, 0, randomness, proof);
    poksho_stmt_wipe(&st);
    sodium_memzero(sk, sizeof sk);

    len = 1 + 8 + 32 * (size_t)n + 8 + sizeof proof + 8;
    buf = xmalloc(len);
    zkgroup_binw_init(&w, buf, len);
    zkgroup_binw_u8(&w, 0);
    zkgroup_binw_u64(&w, n);
    zkgroup_binw_bytes(&w, rr, 32 * (size_t)n);
    zkgroup_binw_vec(&w, proof, sizeof proof);
    zkgroup_binw_u64(&w, expiration);
    zkgroup_binw_finish(&w);
    free(e);
    free(rr);
    *out = buf;
    *out_len = len;
    return E_OK;
}

enum err
zk_verify_donation_permit(const struct zk_server_secret *sp, const uint8_t *permit, size_t len,
                          uint64_t now, uint8_t spend_id[32])
{
    static const char plabel[] = "20260611_Signal_DonationPermitEndorsement_NonceToPoint";
    struct zkgroup_bin r;
    struct sho s;
    uint8_t nonce[32], got[16], want[16], sk[32], pk[32], p[32];
    const uint8_t *tok;
    uint64_t exp;
    size_t n;
    bool ok;

    zkgroup_bin_init(&r, permit, len);
    zkgroup_bin_expect_u8(&r, 0);
    exp = zkgroup_bin_u64(&r);
    zkgroup_bin_bytes(&r, nonce, sizeof nonce);
    tok = zkgroup_bin_vec(&r, 16, &n);
    if (tok != NULL && n == 16)
        memcpy(got, tok, 16);
    else
        zkgroup_bin_fail(&r);
    if (!zkgroup_bin_done(&r))
        return E_BAD_REQUEST;
    /* endorsement_expiration.rs validate_expiration */
    if (exp % 86400 != 0 || exp < now || exp - now < 2 * 3600 || exp - now > 7 * 86400)
        return E_UNAUTHORIZED;
    sho_init(&s, plabel, sizeof plabel - 1);
    sho_absorb_and_ratchet(&s, nonce, sizeof nonce);
    sho_get_point(&s, p);
    endorse_derive(sp->endorse_sk, sp->endorse_pk, ENDORSE_DONATION_LABEL, exp, sk, pk);
    endorse_token(sk, p, want);
    sodium_memzero(sk, sizeof sk);
    ok = sodium_memcmp(got, want, 16) == 0;
    if (!ok)
        return E_UNAUTHORIZED;
    memcpy(spend_id, nonce, 32);
    return E_OK;
}
