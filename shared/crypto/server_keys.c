/*
 * Loading the configured secrets once per process (see server_keys.h).  The consistency checks
 * are cx_secrets_check's, so the server accepts exactly what heliograph-admin accepts; this file
 * only turns the checked, normalized base64 into structures.
 */
#include "server_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/conf.h"
#include "core/xmalloc.h"
#include "crypto/cert.h"
#include "crypto/secrets.h"
#include "crypto/zkparams.h"

/* NULL for an empty config value, else a malloc'd copy cx_secrets_free will wipe. */
static char *
value_or_null(const char *v)
{
    return v != NULL && v[0] != '\0' ? xstrdup(v) : NULL;
}

/* Decode a value cx_secrets_check has already validated (so failure is impossible). */
static uint8_t *
decoded(struct arena *a, const char *v, size_t *len)
{
    uint8_t *out = NULL;

    if (b64_decode(a, v, strlen(v), 0, &out, len) != 0)
        abort();
    return out;
}

int
server_keys_load(const struct conf *c, struct server_keys **out, char *err, size_t errlen)
{
    struct server_keys *k = xcalloc(1, sizeof(*k));
    struct arena *a = arena_new(16384);
    struct cx_secrets s;
    struct cx_secrets_public pub;
    uint8_t *b;
    size_t len;
    int rc = -1;

    *out = NULL;
    arena_set_wipe(a);
    cx_secrets_init(&s);
    s.zk_secret_params = value_or_null(c->zk_secret_params);
    s.generic_backup_params = value_or_null(c->generic_backup_params);
    s.generic_calling_params = value_or_null(c->generic_calling_params);
    s.cert_trust_root_public = value_or_null(c->cert_trust_root_public);
    s.cert_trust_root_private = value_or_null(c->cert_trust_root_private);
    s.cert_server_certificate = value_or_null(c->cert_server_certificate);
    s.cert_server_private = value_or_null(c->cert_server_private);
    s.link_device_secret = value_or_null(c->link_device_secret);
    s.report_spam_secret = value_or_null(c->report_spam_secret);
    if (cx_secrets_check(&s, a, &pub, err, errlen) != 0)
        goto done;
    if ((s.cert_server_certificate == NULL) != (s.cert_server_private == NULL)) {
        snprintf(err, errlen, "%s is set but %s is not",
                 s.cert_server_private == NULL ? "cert_server_certificate" : "cert_server_private",
                 s.cert_server_private == NULL ? "cert_server_private" : "cert_server_certificate");
        goto done;
    }
    if (c->cert_expires_days < 1 || c->cert_expires_days > 365) {
        snprintf(err, errlen, "cert_expires_days: %lld is not within 1..365",
                 (long long)c->cert_expires_days);
        goto done;
    }
    k->cert_expires_ms = (uint64_t)c->cert_expires_days * 86400000u;
    /* The loaders cannot fail on values cx_secrets_check accepted; checked anyway. */
    if (s.zk_secret_params != NULL) {
        b = decoded(a, s.zk_secret_params, &len);
        if (zk_server_secret_load(b, len, &k->zk) != E_OK)
            goto bad;
    }
    if (s.generic_calling_params != NULL) {
        b = decoded(a, s.generic_calling_params, &len);
        if (zk_generic_secret_load(b, len, &k->calling) != E_OK)
            goto bad;
    }
    if (s.generic_backup_params != NULL) {
        b = decoded(a, s.generic_backup_params, &len);
        if (zk_generic_secret_load(b, len, &k->backup) != E_OK)
            goto bad;
    }
    if (s.cert_trust_root_public != NULL) {
        b = decoded(a, s.cert_trust_root_public, &len);
        memcpy(k->trust_root, b, 33);
        k->has_trust_root = true;
    }
    if (s.cert_server_certificate != NULL) {
        b = decoded(a, s.cert_server_certificate, &len);
        k->server_cert = xmalloc(len);
        memcpy(k->server_cert, b, len);
        k->server_cert_len = len;
        k->server_key_id = pub.server_key_id;
        b = decoded(a, s.cert_server_private, &len);
        memcpy(k->server_private, b, 32);
        k->has_cert = true;
    }
    if (s.link_device_secret != NULL) {
        b = decoded(a, s.link_device_secret, &len);
        memcpy(k->link_secret, b, len);
        k->link_secret_len = len;
    }
    if (s.report_spam_secret != NULL) {
        b = decoded(a, s.report_spam_secret, &len);
        memcpy(k->report_secret, b, len);
        k->report_secret_len = len;
    }
    *out = k;
    k = NULL;
    rc = 0;
    goto done;
bad:
    snprintf(err, errlen, "secrets: a checked parameter set failed to load");
done:
    cx_secrets_free(&s);
    arena_free(a);
    server_keys_free(k);
    return rc;
}

void
server_keys_missing(const struct server_keys *k, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s%s", k->zk == NULL ? " zk_secret_params" : "",
             k->calling == NULL ? " generic_calling_params" : "",
             k->backup == NULL ? " generic_backup_params" : "",
             k->has_cert ? "" : " cert_server_certificate/cert_server_private",
             k->link_secret_len > 0 ? "" : " link_device_secret",
             k->report_secret_len > 0 ? "" : " report_spam_secret");
    if (buf[0] == ' ')
        memmove(buf, buf + 1, strlen(buf));
}

void
server_keys_free(struct server_keys *k)
{
    if (k == NULL)
        return;
    zk_server_secret_free(k->zk);
    zk_generic_secret_free(k->calling);
    zk_generic_secret_free(k->backup);
    free(k->server_cert);
    sodium_memzero(k, sizeof(*k));
    free(k);
}
