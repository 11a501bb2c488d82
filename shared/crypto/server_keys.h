/*
 * The server's secret keys as ready-to-use structures, parsed once per process from the
 * configuration (the include file heliograph-admin keygen writes) and shared read-only by every
 * worker thread through struct ctx.  The certificate and call-link handlers use
 * them; a part that is not configured is NULL / false and its endpoints answer 503.
 */
#ifndef HG_CRYPTO_SERVER_KEYS_H
#define HG_CRYPTO_SERVER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct zk_server_secret;
struct zk_generic_secret;

struct server_keys {
    struct zk_server_secret *zk;        /* zk_secret_params (auth credentials), or NULL */
    struct zk_generic_secret *calling;  /* generic_calling_params (call links), or NULL */
    struct zk_generic_secret *backup;   /* generic_backup_params (backups), or NULL */
    bool has_cert;                      /* cert_server_certificate + cert_server_private */
    uint8_t *server_cert;               /* serialized ServerCertificate (malloc'd) */
    size_t server_cert_len;
    uint32_t server_key_id;
    uint8_t server_private[32];
    bool has_trust_root;
    uint8_t trust_root[33];             /* 0x05 || u; used only to check the certificate */
    uint64_t cert_expires_ms;           /* cert_expires_days in ms */
    uint8_t link_secret[64];            /* link_device_secret: HMAC key of link tokens */
    size_t link_secret_len;             /* 0 when not configured */
    uint8_t report_secret[64];          /* report_spam_secret: HMAC key of report-spam tokens */
    size_t report_secret_len;           /* 0 when not configured: no tokens are attached */
};

/**
 * Decode and check the configured secrets (the same checks as heliograph-admin pubkeys: strict
 * parameter loading, the certificate's signature under the trust root when one is configured,
 * the server private key against the certified key).  Absent values are not an error; a present
 * but malformed or inconsistent one is.  Returns 0 and *out (free with server_keys_free), or -1
 * with a message naming the key in err.
 */
int server_keys_load(const struct conf *c, struct server_keys **out, char *err, size_t errlen);

/** Names of the config keys that are missing, space-separated, into buf ("" when everything
 *  the endpoints need is configured); for a startup warning. */
void server_keys_missing(const struct server_keys *k, char *buf, size_t len);

/** Wipe and free (NULL is fine). */
void server_keys_free(struct server_keys *k);

#endif
