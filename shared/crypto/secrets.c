/*
 * Server secrets file and Signal-Server config import (see secrets.h).  The YAML reader is a
 * deliberately small subset: nested "key: value" mappings by indentation, flat dotted keys,
 * quoted scalars and comments; lists and block scalars are skipped.  That covers config.yml and
 * the secrets bundle, whose values we need are single-line base64 or secret:// references.
 */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/xmalloc.h"
#include "crypto/cert.h"
#include "crypto/ec.h"
#include "crypto/zkparams.h"

#define SECRETS_FILE_MAX (1 << 20)

static const struct field {
    const char *key;
    size_t off;
} fields[] = {
#define F(n) { #n, offsetof(struct cx_secrets, n) }
    F(zk_secret_params), F(generic_backup_params), F(generic_calling_params),
    F(cert_trust_root_public), F(cert_trust_root_private), F(cert_server_certificate),
    F(cert_server_private), F(link_device_secret), F(report_spam_secret),
#undef F
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static char **
field_ptr(struct cx_secrets *s, size_t i)
{
    return (char **)((char *)s + fields[i].off);
}

static void
wipe_str(char *p)
{
    if (p != NULL) {
        sodium_memzero(p, strlen(p));
        free(p);
    }
}

/* Replace *dst with v (taken over). */
static void
set_value(char **dst, char *v)
{
    wipe_str(*dst);
    *dst = v;
}

static char *
b64_new(const uint8_t *p, size_t n)
{
    char *s = xmalloc(b64_encoded_len(n, B64_STD_PAD) + 1);
    size_t l = b64_encode_to(s, p, n, B64_STD_PAD);

    s[l] = '\0';
    return s;
}

void
cx_secrets_init(struct cx_secrets *s)
{
    memset(s, 0, sizeof(*s));
}

void
cx_secrets_free(struct cx_secrets *s)
{
    for (size_t i = 0; i < NFIELDS; i++)
        set_value(field_ptr(s, i), NULL);
}

int
cx_secrets_generate(struct cx_secrets *s, uint32_t key_id)
{
    struct zk_server_secret *sp;
    struct zk_generic_secret *gp;
    uint8_t zk[ZK_SERVER_SECRET_LEN], gen[ZK_GENERIC_SECRET_LEN];
    uint8_t root_priv[32], root_pub[33], srv_priv[32], srv_pub[33], *cert;
    struct arena *a;
    size_t cert_len;

    if (key_id == CX_CERT_REVOKED_ID || key_id == CX_CERT_TEST_ID)
        return -1;
    a = arena_new(4096);
    cx_ec_keypair_new(root_priv, root_pub);
    cx_ec_keypair_new(srv_priv, srv_pub);
    if (cx_cert_server_new(a, key_id, srv_pub, root_priv, NULL, &cert, &cert_len) != E_OK) {
        arena_free(a);
        return -1;
    }
    set_value(&s->cert_server_certificate, b64_new(cert, cert_len));
    set_value(&s->cert_trust_root_public, b64_new(root_pub, sizeof(root_pub)));
    set_value(&s->cert_trust_root_private, b64_new(root_priv, sizeof(root_priv)));
    set_value(&s->cert_server_private, b64_new(srv_priv, sizeof(srv_priv)));
    sodium_memzero(root_priv, sizeof(root_priv));
    sodium_memzero(srv_priv, sizeof(srv_priv));
    arena_free(a);

    sp = zk_server_secret_generate();
    zk_server_secret_serialize(sp, zk);
    zk_server_secret_free(sp);
    set_value(&s->zk_secret_params, b64_new(zk, sizeof(zk)));
    sodium_memzero(zk, sizeof(zk));
    /* version 0 (legacy mode) is what libsignal's GenericServerSecretParams.generate makes */
    gp = zk_generic_secret_generate(ZK_MODE_LEGACY);
    zk_generic_secret_serialize(gp, gen);
    zk_generic_secret_free(gp);
    set_value(&s->generic_backup_params, b64_new(gen, sizeof(gen)));
    gp = zk_generic_secret_generate(ZK_MODE_LEGACY);
    zk_generic_secret_serialize(gp, gen);
    zk_generic_secret_free(gp);
    set_value(&s->generic_calling_params, b64_new(gen, sizeof(gen)));
    sodium_memzero(gen, sizeof(gen));
    randombytes_buf(gen, 32);
    set_value(&s->link_device_secret, b64_new(gen, 32));
    randombytes_buf(gen, 32);
    set_value(&s->report_spam_secret, b64_new(gen, 32));
    sodium_memzero(gen, 32);
    return 0;
}

int
cx_secrets_write(const struct cx_secrets *s, const char *path, bool overwrite, char *err,
                 size_t errlen)
{
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, 0600);
    FILE *f;
    int bad;

    if (fd < 0) {
        snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (refusing to replace existing secrets)" : "");
        return -1;
    }
    /* the mode of an existing file, or one narrowed by umask, is forced to 0600 */
    if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    fprintf(f, "# Heliograph server secrets (heliograph-admin). Keep this file private (0600);\n"
               "# include it from the main configuration with: include %s\n", path);
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = *field_ptr((struct cx_secrets *)s, i);

        if (v != NULL)
            fprintf(f, "%s %s\n", fields[i].key, v);
    }
    bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int
cx_secrets_parse(struct cx_secrets *s, const char *text, size_t len, char *err, size_t errlen)
{
    size_t pos = 0;
    int lineno = 0;

    while (pos < len) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - pos, k = 0, ks, ke, vs;

        pos += n + (nl != NULL);
        lineno++;
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        while (k < n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == n || line[k] == '#')
            continue;
        ks = k;
        while (k < n && line[k] != ' ' && line[k] != '\t')
            k++;
        ke = k;
        while (k < n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        vs = k;
        for (size_t i = 0; i < NFIELDS; i++) {
            if (strlen(fields[i].key) == ke - ks && memcmp(fields[i].key, line + ks, ke - ks) == 0) {
                size_t vlen = n - vs;
                const char *v = line + vs;

                if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                    v++;
                    vlen -= 2;
                }
                if (vlen == 0) {
                    snprintf(err, errlen, "line %d: empty value for %s", lineno, fields[i].key);
                    return -1;
                }
                char *copy = xmalloc(vlen + 1);

                memcpy(copy, v, vlen);
                copy[vlen] = '\0';
                set_value(field_ptr(s, i), copy);
            }
        }
    }
    return 0;
}

/* Whole file into malloc'd memory (bounded); NULL with err set on failure. */
static char *
slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf = xmalloc(SECRETS_FILE_MAX + 1);
    n = fread(buf, 1, SECRETS_FILE_MAX + 1, f);
    fclose(f);
    if (n > SECRETS_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", path, SECRETS_FILE_MAX);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int
cx_secrets_read(struct cx_secrets *s, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = slurp(path, &len, err, errlen);
    int rc;

    if (text == NULL)
        return -1;
    rc = cx_secrets_parse(s, text, len, err, errlen);
    sodium_memzero(text, len);
    free(text);
    return rc;
}

/* Decode field i into arena memory; requires exact length want (0: any).  NULL + err if bad. */
static uint8_t *
decode(struct arena *a, const struct cx_secrets *s, size_t i, size_t want, size_t *len,
       char *err, size_t errlen)
{
    const char *v = *field_ptr((struct cx_secrets *)s, i);
    uint8_t *out = NULL;

    if (b64_decode(a, v, strlen(v), 0, &out, len) != 0 || (want != 0 && *len != want)) {
        snprintf(err, errlen, "%s: not base64 of %s", fields[i].key,
                 want == 33 ? "a 33-byte public key" : want == 32 ? "32 bytes"
                 : want != 0 ? "the expected length" : "a value");
        return NULL;
    }
    return out;
}

static size_t
field_index(const char *key)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].key, key) == 0)
            return i;
    return NFIELDS;
}

int
cx_secrets_check(struct cx_secrets *s, struct arena *a, struct cx_secrets_public *pub,
                 char *err, size_t errlen)
{
    uint8_t root_pub[33], derived[33], cert_key[33], *b;
    bool have_root = false;
    size_t len;

    memset(pub, 0, sizeof(*pub));
    arena_set_wipe(a);
    if (s->zk_secret_params != NULL) {
        struct zk_server_secret *sp = NULL;
        uint8_t out[ZK_SERVER_PUBLIC_LEN];

        b = decode(a, s, field_index("zk_secret_params"), ZK_SERVER_SECRET_LEN, &len, err,
                   errlen);
        if (b == NULL)
            return -1;
        if (zk_server_secret_load(b, len, &sp) != E_OK) {
            snprintf(err, errlen, "zk_secret_params: not a valid ServerSecretParams");
            return -1;
        }
        zk_server_public_serialize(sp, out);
        zk_server_secret_free(sp);
        pub->zk_public = b64_encode(a, out, sizeof(out), B64_STD_PAD);
        set_value(&s->zk_secret_params, b64_new(b, len));
    }
    for (int k = 0; k < 2; k++) {
        char **v = k == 0 ? &s->generic_backup_params : &s->generic_calling_params;
        const char *name = k == 0 ? "generic_backup_params" : "generic_calling_params";
        struct zk_generic_secret *gp = NULL;
        uint8_t out[ZK_GENERIC_PUBLIC_LEN];

        if (*v == NULL)
            continue;
        b = decode(a, s, field_index(name), ZK_GENERIC_SECRET_LEN, &len, err, errlen);
        if (b == NULL)
            return -1;
        if (zk_generic_secret_load(b, len, &gp) != E_OK) {
            snprintf(err, errlen, "%s: not a valid GenericServerSecretParams", name);
            return -1;
        }
        zk_generic_public_serialize(gp, out);
        zk_generic_secret_free(gp);
        if (k == 0)
            pub->backup_public = b64_encode(a, out, sizeof(out), B64_STD_PAD);
        else
            pub->calling_public = b64_encode(a, out, sizeof(out), B64_STD_PAD);
        set_value(v, b64_new(b, len));
    }
    if (s->cert_trust_root_public != NULL) {
        b = decode(a, s, field_index("cert_trust_root_public"), 33, &len, err, errlen);
        if (b == NULL || cx_ec_pubkey_parse(b, len, root_pub) != 0) {
            snprintf(err, errlen, "cert_trust_root_public: not a 0x05 public key");
            return -1;
        }
        have_root = true;
    }
    if (s->cert_trust_root_private != NULL) {
        b = decode(a, s, field_index("cert_trust_root_private"), 32, &len, err, errlen);
        if (b == NULL)
            return -1;
        cx_ec_pubkey_derive(b, derived);
        if (have_root && memcmp(derived, root_pub, 33) != 0) {
            snprintf(err, errlen, "cert_trust_root_private does not match cert_trust_root_public");
            return -1;
        }
        memcpy(root_pub, derived, 33);
        have_root = true;
        set_value(&s->cert_trust_root_private, b64_new(b, len));
    }
    if (have_root) {
        set_value(&s->cert_trust_root_public, b64_new(root_pub, 33));
        pub->trust_root = arena_strdup(a, s->cert_trust_root_public);
    }
    if (s->cert_server_certificate != NULL) {
        enum cx_cert_verdict v;

        b = decode(a, s, field_index("cert_server_certificate"), 0, &len, err, errlen);
        if (b == NULL)
            return -1;
        v = cx_cert_server_check(b, len, have_root ? root_pub : NULL, &pub->server_key_id,
                                 cert_key);
        if (v != CX_CERT_VALID) {
            snprintf(err, errlen, "cert_server_certificate: %s",
                     v == CX_CERT_MALFORMED ? "not a ServerCertificate"
                     : "not signed by the trust root, or a revoked key id");
            return -1;
        }
        set_value(&s->cert_server_certificate, b64_new(b, len));
    }
    if (s->cert_server_private != NULL) {
        b = decode(a, s, field_index("cert_server_private"), 32, &len, err, errlen);
        if (b == NULL)
            return -1;
        cx_ec_pubkey_derive(b, derived);
        if (s->cert_server_certificate != NULL && memcmp(derived, cert_key, 33) != 0) {
            snprintf(err, errlen, "cert_server_private is not the key of cert_server_certificate");
            return -1;
        }
        set_value(&s->cert_server_private, b64_new(b, len));
    }
    if (s->link_device_secret != NULL) {
        b = decode(a, s, field_index("link_device_secret"), 0, &len, err, errlen);
        if (b == NULL)
            return -1;
        if (len < 16 || len > 64) {
            snprintf(err, errlen, "link_device_secret: %zu bytes, not within 16..64", len);
            return -1;
        }
        set_value(&s->link_device_secret, b64_new(b, len));
    }
    if (s->report_spam_secret != NULL) {
        b = decode(a, s, field_index("report_spam_secret"), 0, &len, err, errlen);
        if (b == NULL)
            return -1;
        if (len < 16 || len > 64) {
            snprintf(err, errlen, "report_spam_secret: %zu bytes, not within 16..64", len);
            return -1;
        }
        set_value(&s->report_spam_secret, b64_new(b, len));
    }
    return 0;
}

/* ---- YAML subset ---- */

struct yaml_kv {
    char *path;
    char *value;
};

struct yaml {
    struct yaml_kv *kv;
    size_t n, cap;
};

static void
yaml_add(struct yaml *y, const char *path, const char *v, size_t vlen)
{
    if (y->n == y->cap) {
        y->cap = y->cap ? 2 * y->cap : 32;
        y->kv = xrealloc(y->kv, y->cap * sizeof(*y->kv));
    }
    y->kv[y->n].path = xstrdup(path);
    y->kv[y->n].value = xmalloc(vlen + 1);
    memcpy(y->kv[y->n].value, v, vlen);
    y->kv[y->n].value[vlen] = '\0';
    y->n++;
}

static void
yaml_free(struct yaml *y)
{
    for (size_t i = 0; i < y->n; i++) {
        free(y->kv[i].path);
        wipe_str(y->kv[i].value);
    }
    free(y->kv);
    memset(y, 0, sizeof(*y));
}

/* End of a scalar: an unquoted " #" starts a comment. */
static size_t
scalar_end(const char *v, size_t n)
{
    char q = 0;

    for (size_t i = 0; i < n; i++) {
        if (q != 0) {
            if (v[i] == q)
                q = 0;
        } else if (v[i] == '"' || v[i] == '\'') {
            if (i == 0)
                q = v[i];
        } else if (v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
            n = i;
            break;
        }
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n;
}

static void
yaml_flatten(const char *text, size_t len, struct yaml *y)
{
    enum { MAXD = 16 };
    size_t ind[MAXD], depth = 0, pos = 0;
    char *keys[MAXD], path[1024];
    long block = -1;            /* indent of the key owning a block scalar being skipped */

    while (pos < len) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *c, *key;
        size_t n = nl != NULL ? (size_t)(nl - line) : len - pos, indent = 0, klen, i, vlen, o;

        pos += n + (nl != NULL);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        while (indent < n && line[indent] == ' ')
            indent++;
        if (indent == n || line[indent] == '#')
            continue;
        if (block >= 0 && (long)indent > block)
            continue;
        block = -1;
        c = line + indent;
        n -= indent;
        if (c[0] == '-' || (n >= 3 && (memcmp(c, "---", 3) == 0 || memcmp(c, "...", 3) == 0)))
            continue;           /* list items and document markers carry nothing we need */
        key = c;
        if (c[0] == '"' || c[0] == '\'') {
            const char *q = memchr(c + 1, c[0], n - 1);

            if (q == NULL)
                continue;
            key = c + 1;
            klen = (size_t)(q - key);
            i = klen + 2;
        } else {
            for (i = 0; i < n; i++)
                if (c[i] == ':' && (i + 1 == n || c[i + 1] == ' ' || c[i + 1] == '\t'))
                    break;
            klen = i;
        }
        if (i >= n || c[i] != ':' || klen == 0)
            continue;
        i++;
        while (i < n && (c[i] == ' ' || c[i] == '\t'))
            i++;
        vlen = scalar_end(c + i, n - i);
        while (depth > 0 && ind[depth - 1] >= indent)
            free(keys[--depth]);
        o = 0;
        for (size_t d = 0; d < depth && o < sizeof(path); d++)
            o += (size_t)snprintf(path + o, sizeof(path) - o, "%s.", keys[d]);
        if (o >= sizeof(path) || klen >= sizeof(path) - o)
            continue;
        memcpy(path + o, key, klen);
        path[o + klen] = '\0';
        if (vlen == 0) {
            if (depth < MAXD) {
                ind[depth] = indent;
                keys[depth] = xmalloc(klen + 1);
                memcpy(keys[depth], key, klen);
                keys[depth++][klen] = '\0';
            }
            continue;
        }
        if (c[i] == '|' || c[i] == '>') {
            block = (long)indent;
            continue;
        }
        if (vlen >= 2 && (c[i] == '"' || c[i] == '\'') && c[i + vlen - 1] == c[i])
            yaml_add(y, path, c + i + 1, vlen - 2);
        else
            yaml_add(y, path, c + i, vlen);
    }
    while (depth > 0)
        free(keys[--depth]);
}

static const char *
yaml_get(const struct yaml *y, const char *path)
{
    for (size_t i = y->n; i-- > 0;)
        if (strcmp(y->kv[i].path, path) == 0)
            return y->kv[i].value;
    return NULL;
}

int
cx_secrets_import_signal(struct cx_secrets *s, const char *yaml, size_t yaml_len,
                         const char *secrets_yaml, size_t secrets_len, char *err, size_t errlen)
{
    static const struct {
        const char *field;
        const char *paths[4];
    } map[] = {
        { "zk_secret_params", { "zkConfig.serverSecret", "groupsZkConfig.serverSecret",
                                "zkConfig-libsignal-0.42.serverSecret", NULL } },
        { "generic_backup_params", { "backupsZkConfig.serverSecret", "chatZkConfig.serverSecret",
                                     "genericZkConfig.serverSecret", NULL } },
        { "generic_calling_params", { "callingZkConfig.serverSecret", NULL } },
        { "cert_server_certificate", { "unidentifiedDelivery.certificate", NULL } },
        { "cert_server_private", { "unidentifiedDelivery.privateKey", NULL } },
    };
    struct yaml cfg = { 0 }, bundle = { 0 };
    int rc = 0;

    yaml_flatten(yaml, yaml_len, &cfg);
    if (secrets_yaml != NULL)
        yaml_flatten(secrets_yaml, secrets_len, &bundle);
    for (size_t m = 0; m < sizeof(map) / sizeof(map[0]) && rc == 0; m++) {
        const char *v = NULL, *found = NULL;

        for (size_t p = 0; map[m].paths[p] != NULL && v == NULL; p++) {
            found = map[m].paths[p];
            v = yaml_get(&cfg, found);
            if (v == NULL)      /* the bundle may be given alone, holding the values itself */
                v = yaml_get(&bundle, found);
        }
        if (v == NULL) {
            snprintf(err, errlen, "%s: none of %s%s%s in the configuration", map[m].field,
                     map[m].paths[0], map[m].paths[1] ? ", " : "",
                     map[m].paths[1] ? map[m].paths[1] : "");
            rc = -1;
            break;
        }
        if (strncmp(v, "secret://", 9) == 0) {
            const char *ref = v + 9;

            v = yaml_get(&bundle, ref);
            if (v == NULL) {
                snprintf(err, errlen, "%s: %s refers to secret %s, not in the secrets bundle",
                         map[m].field, found, ref);
                rc = -1;
                break;
            }
        }
        set_value(field_ptr(s, field_index(map[m].field)), xstrdup(v));
    }
    yaml_free(&cfg);
    yaml_free(&bundle);
    return rc;
}
