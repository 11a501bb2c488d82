/* JWT signing for the push providers: APNs provider tokens (ES256, Apple .p8 key) and the OAuth2
 * JWT-bearer assertion of a Google service account (RS256). GnuTLS does the signing; this file
 * only frames the JWS (RFC 7515 compact serialization) and converts ECDSA's DER signature to the
 * fixed-width r || s form JWS requires (RFC 7518 3.4). */
#include "jwt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define ES256_HALF 32   /* P-256 scalar size */

struct jwt_key {
    gnutls_privkey_t pk;
    enum jwt_alg alg;
};

enum err
jwt_key_load(const char *pem, size_t len, enum jwt_alg alg, struct jwt_key **out)
{
    gnutls_datum_t d = { .data = (unsigned char *)(uintptr_t)pem, .size = (unsigned)len };
    gnutls_privkey_t pk;
    unsigned bits = 0;
    int rc, algo;

    *out = NULL;
    if (gnutls_privkey_init(&pk) < 0)
        xfatal_oom();
    rc = gnutls_privkey_import_x509_raw(pk, &d, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
    if (rc < 0) {
        log_warnx("jwt: cannot read private key: %s", gnutls_strerror(rc));
        gnutls_privkey_deinit(pk);
        return E_UNPROCESSABLE;
    }
    algo = gnutls_privkey_get_pk_algorithm(pk, &bits);
    if (alg == JWT_ES256) {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        if (algo != GNUTLS_PK_ECDSA ||
            gnutls_privkey_export_ecc_raw(pk, &curve, NULL, NULL, NULL) < 0 ||
            curve != GNUTLS_ECC_CURVE_SECP256R1) {
            log_warnx("jwt: ES256 needs a P-256 EC key");
            gnutls_privkey_deinit(pk);
            return E_UNPROCESSABLE;
        }
    } else if (algo != GNUTLS_PK_RSA || bits < 2048) {
        log_warnx("jwt: RS256 needs an RSA key of at least 2048 bits");
        gnutls_privkey_deinit(pk);
        return E_UNPROCESSABLE;
    }
    *out = xcalloc(1, sizeof(**out));
    (*out)->pk = pk;
    (*out)->alg = alg;
    return E_OK;
}

int
jwt_read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    *out = NULL;
    *len = 0;
    if (f == NULL)
        return -1;
    buf = xmalloc(max + 1);
    n = fread(buf, 1, max + 1, f);
    if (ferror(f) || n > max) {
        int saved = ferror(f) ? EIO : EFBIG;
        fclose(f);
        explicit_bzero(buf, max + 1);
        free(buf);
        errno = saved;
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

enum err
jwt_key_load_file(const char *path, enum jwt_alg alg, struct jwt_key **out)
{
    char *pem;
    size_t len;
    enum err e;

    *out = NULL;
    if (jwt_read_file(path, 64 * 1024, &pem, &len) != 0) {
        log_warn("jwt: cannot read key file %s", path);
        return E_UNPROCESSABLE;
    }
    e = jwt_key_load(pem, len, alg, out);
    explicit_bzero(pem, len);
    free(pem);
    return e;
}

void
jwt_key_free(struct jwt_key *k)
{
    if (k == NULL)
        return;
    gnutls_privkey_deinit(k->pk);   /* GnuTLS clears the key material it frees */
    free(k);
}

int
jwt_ecdsa_concat(const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen, size_t n,
                 uint8_t *out)
{
    const uint8_t *v[2] = { r, s };
    size_t l[2] = { rlen, slen };

    for (int i = 0; i < 2; i++) {
        /* DER INTEGERs are minimal and signed: drop the sign byte(s), left-pad short values */
        while (l[i] > 0 && v[i][0] == 0) {
            v[i]++;
            l[i]--;
        }
        if (l[i] > n)
            return -1;
        memset(out + i * n, 0, n - l[i]);
        memcpy(out + i * n + (n - l[i]), v[i], l[i]);
    }
    return 0;
}

char *
jwt_json_quote(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 6 + 3), *p = out;

    *p++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *p++ = '\\';
            *p++ = (char)*c;
        } else if (*c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(p, "\\u00", 4);
            p[4] = hex[*c >> 4];
            p[5] = hex[*c & 15];
            p += 6;
        } else {
            *p++ = (char)*c;
        }
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

enum err
jwt_sign(struct arena *a, const struct jwt_key *k, const char *header_json,
         const char *claims_json, char **out)
{
    char *h = b64_encode(a, (const uint8_t *)header_json, strlen(header_json), B64_URL_NOPAD);
    char *c = b64_encode(a, (const uint8_t *)claims_json, strlen(claims_json), B64_URL_NOPAD);
    char *input = arena_printf(a, "%s.%s", h, c);
    gnutls_datum_t data = { .data = (unsigned char *)input, .size = (unsigned)strlen(input) };
    gnutls_datum_t sig = { NULL, 0 };
    uint8_t raw[2 * ES256_HALF];
    const uint8_t *sp;
    size_t sn;
    int rc;

    *out = NULL;
    rc = gnutls_privkey_sign_data(k->pk, GNUTLS_DIG_SHA256, 0, &data, &sig);
    if (rc < 0) {
        log_warnx("jwt: signing failed: %s", gnutls_strerror(rc));
        return E_INTERNAL;
    }
    if (k->alg == JWT_ES256) {
        gnutls_datum_t r = { NULL, 0 }, s = { NULL, 0 };
        rc = gnutls_decode_rs_value(&sig, &r, &s);
        if (rc == 0)
            rc = jwt_ecdsa_concat(r.data, r.size, s.data, s.size, ES256_HALF, raw);
        gnutls_free(r.data);
        gnutls_free(s.data);
        if (rc != 0) {
            gnutls_free(sig.data);
            log_warnx("jwt: malformed ECDSA signature");
            return E_INTERNAL;
        }
        sp = raw;
        sn = sizeof(raw);
    } else {
        sp = sig.data;
        sn = sig.size;
    }
    *out = arena_printf(a, "%s.%s", input, b64_encode(a, sp, sn, B64_URL_NOPAD));
    gnutls_free(sig.data);
    return E_OK;
}
