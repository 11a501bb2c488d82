/*
 * Micro-benchmark of the non-zkgroup server crypto: XEdDSA verify/sign, SenderCertificate
 * minting, HPKE sealing and SSv2 parsing of a 1000-recipient message.  Not part of the build;
 * see the command in the report / below:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ishared -Ibuild/shared bench/crypto_sig_bench.c \
 *      build/shared/libheliograph.a -lsodium -lnettle -lgmp -lprotobuf-c -o crypto_sig_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "crypto/cx.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, int n, double t0)
{
    double dt = now_s() - t0;

    printf("%-28s %8d ops  %9.1f us/op\n", what, n, dt / n * 1e6);
}

int
main(void)
{
    uint8_t root_priv[32], root_pub[33], srv_priv[32], srv_pub[33], id_priv[32], id_pub[33];
    uint8_t sig[64], kem[1569], ct[57], *srv_cert, *mrm;
    static const uint8_t msg[64];
    struct arena *a = arena_new(1 << 16);
    struct cx_sender_cert_req req;
    size_t srv_cert_len, o = 0, n_rcpt = 1000;
    double t0;
    int n;

    cx_ec_keypair_new(root_priv, root_pub);
    cx_ec_keypair_new(srv_priv, srv_pub);
    cx_ec_keypair_new(id_priv, id_pub);
    memset(kem, 0x11, sizeof(kem));
    kem[0] = 0x08;
    if (cx_cert_server_new(a, 1, srv_pub, root_priv, NULL, &srv_cert, &srv_cert_len) != E_OK)
        return 1;

    cx_xeddsa_sign(id_priv, kem, sizeof(kem), sig);
    t0 = now_s();
    for (n = 0; n < 2000; n++)
        if (!cx_xeddsa_verify(id_pub, kem, sizeof(kem), sig))
            return 1;
    report("xeddsa verify (kyber key)", n, t0);
    t0 = now_s();
    for (n = 0; n < 2000; n++)
        cx_xeddsa_sign(id_priv, msg, sizeof(msg), sig);
    report("xeddsa sign (64 bytes)", n, t0);

    memset(&req, 0, sizeof(req));
    req.server_cert = srv_cert;
    req.server_cert_len = srv_cert_len;
    req.server_private = srv_priv;
    req.e164 = "+14155550123";
    req.device_id = 1;
    req.expires_ms = 1771329600000ull;
    memcpy(req.identity_key, id_pub, 33);
    t0 = now_s();
    for (n = 0; n < 2000; n++) {
        struct arena *r = arena_new(1024);
        uint8_t *out;
        size_t len;

        if (cx_cert_sender_new(r, &req, &out, &len) != E_OK)
            return 1;
        arena_free(r);
    }
    report("sender certificate", n, t0);

    t0 = now_s();
    for (n = 0; n < 2000; n++)
        if (cx_hpke_seal_device_created(id_pub, 1, 1234, 1770724800000, NULL, ct) != 0)
            return 1;
    report("hpke device created", n, t0);

    mrm = calloc(1, 4 + n_rcpt * 68 + 1024);
    if (mrm == NULL)
        return 1;
    mrm[o++] = 0x23;
    mrm[o++] = (uint8_t)(0x80 | (n_rcpt & 0x7f));
    mrm[o++] = (uint8_t)(n_rcpt >> 7);
    for (size_t i = 0; i < n_rcpt; i++) {
        o++;
        memcpy(mrm + o, &i, sizeof(i));
        o += 16;
        mrm[o++] = 1;
        mrm[o++] = 0;
        mrm[o++] = 7;
        o += 48;
    }
    o += 1024;
    t0 = now_s();
    for (n = 0; n < 500; n++) {
        struct arena *r = arena_new(1 << 16);
        struct cx_mrm m;

        if (cx_mrm_parse(r, mrm, o, &m) != CX_MRM_OK || m.nrecipients != n_rcpt)
            return 1;
        arena_free(r);
    }
    report("mrm parse, 1000 recipients", n, t0);
    free(mrm);
    arena_free(a);
    return 0;
}
