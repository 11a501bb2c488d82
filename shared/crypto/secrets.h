/*
 * The server's secret key material as one config include file (lines "key value", mode 0600),
 * written by heliograph-admin: generation, reading, consistency checks with derivation of the
 * public values clients must be built with, and import from a Signal-Server style configuration
 * (crypto-spec.md §2 and Appendix B).  Values are standard padded base64.
 */
#ifndef HG_CRYPTO_SECRETS_H
#define HG_CRYPTO_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/** Every value is a malloc'd base64 string or NULL when absent; free with cx_secrets_free. */
struct cx_secrets {
    char *zk_secret_params;         /* ServerSecretParams (2721 bytes) */
    char *generic_backup_params;    /* GenericServerSecretParams for backups (385 bytes) */
    char *generic_calling_params;   /* GenericServerSecretParams for call links (385 bytes) */
    char *cert_trust_root_public;   /* 0x05 || u */
    char *cert_trust_root_private;  /* 32 bytes; needed only to mint new server certificates */
    char *cert_server_certificate;  /* serialized ServerCertificate */
    char *cert_server_private;      /* 32 bytes, the private half of the certified key */
    char *link_device_secret;       /* HMAC-SHA256 key of device-link tokens (16..64 bytes) */
    char *report_spam_secret;       /* HMAC-SHA256 key of report-spam tokens (16..64 bytes) */
};

/** Public values derived by cx_secrets_check (arena strings; NULL where the secret is absent). */
struct cx_secrets_public {
    const char *trust_root;         /* HELIOGRAPH_TRUST_ROOT */
    const char *zk_public;          /* HELIOGRAPH_ZK_PUBLIC_PARAMS (ServerPublicParams) */
    const char *backup_public;      /* HELIOGRAPH_BACKUP_PUBLIC_PARAMS */
    const char *calling_public;     /* HELIOGRAPH_CALLING_PUBLIC_PARAMS */
    uint32_t server_key_id;         /* id in the ServerCertificate (0 if absent) */
};

/** All fields NULL. */
void cx_secrets_init(struct cx_secrets *s);
/** Wipe and free every value; leaves s initialized (all NULL). */
void cx_secrets_free(struct cx_secrets *s);

/**
 * Fill s with fresh material: zkgroup parameter sets, a trust-root key pair, a server key pair
 * and its ServerCertificate with key_id signed by the trust root.  Replaces existing values.
 * Returns 0, or -1 if key_id is reserved (0xDEADC357, 0x7357C357).
 */
int cx_secrets_generate(struct cx_secrets *s, uint32_t key_id);

/**
 * Write the present values to path as "key value" lines with mode 0600.  Refuses to replace an
 * existing file unless overwrite.  Returns 0, or -1 with a message in err.
 */
int cx_secrets_write(const struct cx_secrets *s, const char *path, bool overwrite, char *err,
                     size_t errlen);

/** Read the known keys from a "key value" file ('#' comments, other keys ignored); replaces the
 *  values found.  Returns 0, or -1 with a message in err. */
int cx_secrets_read(struct cx_secrets *s, const char *path, char *err, size_t errlen);

/** As cx_secrets_read, from text in memory (len bytes). */
int cx_secrets_parse(struct cx_secrets *s, const char *text, size_t len, char *err,
                     size_t errlen);

/**
 * Decode and check every present value (lengths, strict parameter-set loading, the trust-root
 * key pair, the certificate's signature under the trust root, the server key against the
 * certificate), derive the public values into *pub (arena a), fill in the trust-root public key
 * when only the private key is present, and normalize the values to padded base64.  Returns 0,
 * or -1 with the first problem in err.
 */
int cx_secrets_check(struct cx_secrets *s, struct arena *a, struct cx_secrets_public *pub,
                     char *err, size_t errlen);

/**
 * Take the secrets out of a Signal-Server configuration (YAML text).  Recognized settings, in
 * nested or flat dotted form: zkConfig / groupsZkConfig .serverSecret (also the secrets-bundle
 * key zkConfig-libsignal-0.42.serverSecret), callingZkConfig.serverSecret, backupsZkConfig /
 * chatZkConfig / genericZkConfig .serverSecret, unidentifiedDelivery.certificate and
 * .privateKey.  A value "secret://NAME" is looked up as NAME in secrets_yaml (the secrets
 * bundle; may be NULL).  Padded and unpadded base64 are accepted.  The trust root is not part of
 * a Signal-Server configuration; set it separately.  Returns 0, or -1 with a message in err if
 * a setting is missing or a reference does not resolve.
 */
int cx_secrets_import_signal(struct cx_secrets *s, const char *yaml, size_t yaml_len,
                             const char *secrets_yaml, size_t secrets_len, char *err,
                             size_t errlen);

#endif
