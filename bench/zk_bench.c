/*
 * zkgroup throughput bench: ops/s of every server-side issuance and verification, with the
 * vector inputs (so verifications take the "valid" path, the expensive one).
 * Not wired into the build.  From /work/main:
 *
 *   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Ishared bench/zk_bench.c \
 *       shared/crypto/{sho,poksho,ristretto,zkgroup_bin,zkgroup_gens,zkgroup_attr,zkparams,zkcred,endorse,zkgroup,username,xeddsa,ec}.c \
 *       shared/core/xmalloc.c -o /tmp/zk_bench -ljson-c -lsodium -lnettle -lgmp && \
 *   /tmp/zk_bench ../shared/vectors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "crypto/username.h"
#include "crypto/zkgroup.h"
#include "crypto/zkparams.h"

static const char *vec_dir = "../shared/vectors";

static struct json_object *
load(const char *name)
{
    char path[1024];
    struct json_object *o;

    snprintf(path, sizeof path, "%s/%s", vec_dir, name);
    o = json_object_from_file(path);
    if (o == NULL) {
        fprintf(stderr, "cannot load %s\n", path);
        exit(1);
    }
    return o;
}

/* dotted path lookup, numbers index arrays */
static const char *
str(struct json_object *o, const char *path)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof buf, "%s", path);
    for (char *t = strtok_r(buf, ".", &save); t != NULL; t = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(o, json_type_array))
            o = json_object_array_get_idx(o, (size_t)atoi(t));
        else if (!json_object_object_get_ex(o, t, &o))
            o = NULL;
        if (o == NULL) {
            fprintf(stderr, "missing %s\n", path);
            exit(1);
        }
    }
    return json_object_get_string(o);
}

static uint8_t *
hex(struct json_object *o, const char *path, size_t *n)
{
    const char *h = str(o, path);
    size_t len = strlen(h) / 2;
    uint8_t *b = malloc(len + 1);

    if (b == NULL || sodium_hex2bin(b, len, h, strlen(h), NULL, n, NULL) != 0)
        exit(1);
    return b;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BENCH(name, iters, expr)                                                    \
    do {                                                                            \
        double t0 = now_s();                                                        \
        for (int i_ = 0; i_ < (iters); i_++) {                                      \
            if ((expr) != E_OK) {                                                   \
                fprintf(stderr, "%s failed\n", name);                               \
                exit(1);                                                            \
            }                                                                       \
            free(out);                                                              \
            out = NULL;                                                             \
        }                                                                           \
        printf("%-40s %10.1f ops/s\n", name, (iters) / (now_s() - t0));             \
    } while (0)

int
main(int argc, char **argv)
{
    struct json_object *params, *auth, *cl, *gs, *prof, *rc, *bk, *dn, *un;
    struct zk_server_secret *sp = NULL;
    struct zk_generic_secret *calling = NULL, *chat = NULL;
    uint8_t rnd[32] = {1}, aci[16] = {2}, pni[16] = {3}, serial[16], spend[32];
    uint8_t *out = NULL, *b, *req, *req2, *tok, *pres, *permit, *hash, *proof;
    size_t n, req_len, req2_len, tok_len, pres_len, permit_len, hash_len, proof_len;
    uint64_t e1, e2;
    struct zk_service_id rcpt[3];
    struct zk_backup_auth ba;

    if (argc > 1)
        vec_dir = argv[1];
    if (sodium_init() < 0)
        return 1;
    params = load("zkgroup-params.json");
    b = hex(params, "server_params.0.server_secret_params", &n);
    if (zk_server_secret_load(b, n, &sp) != E_OK)
        return 1;
    free(b);
    b = hex(params, "generic_server_params.1.generic_server_secret_params", &n);
    if (zk_generic_secret_load(b, n, &chat) != E_OK)
        return 1;
    free(b);
    cl = load("zkgroup-calllink.json");
    b = hex(cl, "modes.0.generic_server_secret_params", &n);
    if (zk_generic_secret_load(b, n, &calling) != E_OK)
        return 1;
    free(b);
    auth = load("zkgroup-auth.json");
    gs = load("zkgroup-groupsend.json");
    prof = load("zkgroup-profile.json");
    rc = load("zkgroup-receipt.json");
    bk = load("zkgroup-backup.json");
    dn = load("zkgroup-donation.json");
    un = load("usernames.json");

    BENCH("auth credential with pni", 200,
          zk_issue_auth_credential_with_pni(sp, aci, pni, 1770681600, rnd, &out, &n));
    BENCH("call link auth credential", 200,
          zk_issue_call_link_auth_credential(calling, aci, 1770681600, rnd, &out, &n));
    req = hex(cl, "modes.0.create_call_link_credential.request", &req_len);
    BENCH("create call link credential", 200,
          zk_issue_create_call_link_credential(calling, req, req_len, aci, 1770681600, rnd, &out,
                                               &n));
    free(req);

    tok = hex(gs, "verification_cases.0.token", &tok_len);
    memset(rcpt, 0, sizeof rcpt);
    for (int i = 0; i < 3; i++) {
        const char *s;
        char path[64], h[33];
        size_t k = 0, got;

        snprintf(path, sizeof path, "verification_cases.0.service_ids.%d", i);
        s = str(gs, path);
        if (strncmp(s, "PNI:", 4) == 0) {
            rcpt[i].kind = 1;
            s += 4;
        }
        for (; *s != '\0' && k < 32; s++)
            if (*s != '-')
                h[k++] = *s;
        h[k] = '\0';
        sodium_hex2bin(rcpt[i].uuid, 16, h, k, NULL, &got, NULL);
    }
    BENCH("group send token verify (3 recipients)", 500,
          zk_verify_group_send_token(sp, tok, tok_len, rcpt, 3, 1770724800));
    free(tok);

    req = hex(prof, "credential_request", &req_len);
    req2 = hex(prof, "profile_key_commitment", &req2_len);
    BENCH("expiring profile key credential", 200,
          zk_issue_expiring_profile_key_credential(sp, req, req_len, req2, req2_len, aci,
                                                   1771286400, rnd, &out, &n));
    free(req);
    free(req2);

    req = hex(rc, "flows.0.receipt_credential_request", &req_len);
    BENCH("receipt credential", 200,
          zk_issue_receipt_credential(sp, req, req_len, 1773273600, 1, rnd, &out, &n));
    free(req);
    pres = hex(rc, "presentation_verification_cases.0.presentation", &pres_len);
    BENCH("receipt presentation verify", 200,
          zk_verify_receipt_presentation(sp, pres, pres_len, &e1, &e2, serial));
    free(pres);

    req = hex(bk, "backup_auth_credential_request", &req_len);
    BENCH("backup auth credential", 200,
          zk_issue_backup_auth_credential(chat, req, req_len, 1770681600, 200, 1, rnd, &out, &n));
    free(req);
    pres = hex(bk, "presentation.verification_cases.0.presentation", &pres_len);
    BENCH("backup presentation verify", 200,
          zk_verify_backup_presentation(chat, pres, pres_len, 1770724800, &ba));
    free(pres);

    req = hex(dn, "request", &req_len);
    BENCH("donation permits (request as in vector)", 200,
          zk_issue_donation_permits(sp, req, req_len, 1770854400, rnd, &out, &n));
    free(req);
    permit = hex(dn, "verification_cases.0.permit", &permit_len);
    BENCH("donation permit verify", 500,
          zk_verify_donation_permit(sp, permit, permit_len, 1770724800, spend));
    free(permit);

    hash = hex(un, "proof_verification_cases.0.hash", &hash_len);
    proof = hex(un, "proof_verification_cases.0.proof", &proof_len);
    BENCH("username proof verify", 500, zk_verify_username_proof(hash, hash_len, proof, proof_len));
    free(hash);
    free(proof);

    zk_server_secret_free(sp);
    zk_generic_secret_free(calling);
    zk_generic_secret_free(chat);
    json_object_put(params);
    json_object_put(auth);
    json_object_put(cl);
    json_object_put(gs);
    json_object_put(prof);
    json_object_put(rc);
    json_object_put(bk);
    json_object_put(dn);
    json_object_put(un);
    return 0;
}
