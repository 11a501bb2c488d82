/* The one configuration file read by heliograph-fcgi and heliograph-relay: "key value" lines,
 * '#' comments, "include PATH" for secrets kept outside the repo. Every key is in conf.c's table. */
#ifndef HG_CONF_H
#define HG_CONF_H

#include <stddef.h>
#include <stdint.h>

struct conf {
    /* storage */
    char *db_socket;        /* MariaDB Unix socket path */
    char *db_host;          /* used when db_socket is empty */
    int db_port;
    char *db_name;
    char *db_user;
    char *db_password;
    char *memcached;        /* "host:port" */
    /* state and limits */
    char *state_dir;        /* var/: logs of dev verification codes etc. */
    int64_t body_max;       /* bytes, REST body cap */
    int64_t frame_max;      /* bytes, WebSocket frame cap */
    int ratelimit_messages; /* 0: skip the message-send limiters (messages, stories,
                             * inboundMessageBytes), for load tests; default 1 */
    /* fcgi */
    int fcgi_threads;
    /* relay */
    char *relay_listen;
    int relay_port;
    char *relay_id;         /* unique per relay process; empty = derived from port */
    int relay_workers;
    int64_t relay_expire_s; /* seconds between expiry sweeps of the message store (one relay
                             * at a time); 0 = never; default 600 */
    /* verification */
    char *sms_sender;       /* "dev" or "twilio" */
    char *dev_code;         /* fixed code of the dev sender */
    char *twilio_base_url;
    char *twilio_account_sid;
    char *twilio_auth_token;
    char *twilio_from;
    int64_t session_ttl_s;  /* verification session lifetime */
    /* secrets (come from an include file written by heliograph-admin keygen) */
    char *zk_secret_params;         /* base64 ServerSecretParams */
    char *generic_backup_params;    /* base64 GenericServerSecretParams (backups) */
    char *generic_calling_params;   /* base64 GenericServerSecretParams (call links) */
    char *cert_trust_root_public;   /* base64 trust root public key (0x05||u) */
    char *cert_trust_root_private;  /* base64 trust root private key (keygen writes it; only
                                     * needed to mint server certificates, never loaded) */
    char *cert_server_certificate;  /* base64 ServerCertificate protobuf */
    char *cert_server_private;      /* base64 32-byte private key of the server certificate */
    int64_t cert_expires_days;      /* sender certificate lifetime (Signal-Server: 7) */
    char *link_device_secret;       /* base64 HMAC-SHA256 key of device-link tokens */
    char *report_spam_secret;       /* base64 HMAC-SHA256 key of report-spam tokens */
    /* offline push (shared/push/, the relay's sender thread) */
    int push_enabled;               /* 0: the sender idles and pushes stay queued */
    char *apns_base_url;            /* https://api.push.apple.com (sandbox: api.sandbox...) */
    char *apns_team_id;             /* JWT iss */
    char *apns_key_id;              /* JWT kid */
    char *apns_key_file;            /* the team's .p8 (PKCS#8 PEM, P-256) */
    char *apns_bundle_id;           /* apns-topic */
    char *fcm_base_url;             /* https://fcm.googleapis.com */
    char *fcm_service_account_file; /* JSON: project_id, private_key, client_email, token_uri */
    char *push_ca_file;             /* PEM CAs trusted for APNs/FCM/OAuth; empty = system */
};

/** Defaults for every key. */
void conf_defaults(struct conf *c);
/**
 * Read path into c (after conf_defaults). Unknown keys, malformed values and unreadable
 * includes are errors; errbuf receives "file:line: reason". Returns 0 or -1.
 */
int conf_load(struct conf *c, const char *path, char *errbuf, size_t errlen);
/** Apply one "key=value" override from the command line. Returns 0 or -1. */
int conf_set(struct conf *c, const char *kv, char *errbuf, size_t errlen);
/** Wipe (values may be secrets) and free every string. */
void conf_free(struct conf *c);

#endif
