/* The narrow storage interface handlers use. Verbs are named for what Signal needs, never SQL.
 * One struct store per thread (a MariaDB connection plus a memcached handle). Returned records
 * live in the caller's arena. */
#ifndef HG_STORE_H
#define HG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct conf;
struct store;

#define MAX_DEVICES 6          /* primary + 5 linked (Signal's limit) */
#define MAX_DEVICE_ID 127

struct device_rec {
    uint8_t id;
    char *auth_hash, *auth_salt;
    int registration_id, pni_registration_id;
    uint8_t *name;
    size_t name_len;
    bool fetches_messages;
    char *capabilities;        /* JSON object text */
    char *apn_token, *gcm_token, *user_agent;   /* NULL when unset */
    int64_t created_ms, last_seen_ms;
};

struct account_rec {
    uint8_t aci[16], pni[16];
    char *e164;                /* NULL for number-less accounts */
    uint8_t identity_key[33], pni_identity_key[33];
    bool has_identity_key, has_pni_identity_key;
    uint8_t uak[16];
    bool has_uak, unrestricted_ua, discoverable;
    char *reglock_hash, *reglock_salt;   /* NULL when no lock */
    uint8_t username_hash[32];
    bool has_username;
    uint8_t link_handle[16];
    bool has_link_handle;
    int64_t created_ms;
    size_t ndevices;
    struct device_rec devices[MAX_DEVICES];
};

/** Open a connection per conf (fatal on failure is the caller's choice). */
enum err store_open(const struct conf *conf, struct store **out) HG_MUST_CHECK;
void store_close(struct store *s);
/** The memcached handle of this store (for cache.c, ratelimit.c, notify.c). */
struct memcached_st *store_memcached(struct store *s);

/* ---- accounts_db.c ---- */

/** Account by ACI with all devices. E_NOT_FOUND if absent. */
enum err store_account_get(struct store *s, struct arena *a, const uint8_t aci[16],
                           struct account_rec *out) HG_MUST_CHECK;
enum err store_account_by_e164(struct store *s, struct arena *a, const char *e164,
                               struct account_rec *out) HG_MUST_CHECK;
enum err store_account_by_pni(struct store *s, struct arena *a, const uint8_t pni[16],
                              struct account_rec *out) HG_MUST_CHECK;
/** Find a device in a loaded account, NULL if absent. */
const struct device_rec *account_device(const struct account_rec *acct, uint8_t device_id);

struct signed_key {
    int64_t key_id;
    const uint8_t *pub;
    size_t pub_len;
    const uint8_t *sig;
    size_t sig_len;
};

/* Everything POST /v1/registration writes, in one transaction. */
struct registration {
    const char *e164;
    struct device_rec device;          /* id is forced to 1 */
    const uint8_t *aci_identity_key, *pni_identity_key;   /* 33 bytes each */
    struct signed_key aci_signed, pni_signed, aci_last_resort, pni_last_resort;
    bool has_pni_keys;
    const uint8_t *uak;                /* 16 bytes or NULL */
    bool unrestricted_ua, discoverable;
    const char *reglock_hash, *reglock_salt;
    const uint8_t *recovery_password;  /* 32 bytes or NULL: stored per PNI */
    size_t recovery_password_len;
};

/**
 * Create the account for r->e164, or replace the existing one (re-registration keeps the ACI,
 * clears devices, keys and queued data). Fills aci/pni; *reregistered tells which happened.
 */
enum err store_account_register(struct store *s, const struct registration *r, uint8_t aci[16],
                                uint8_t pni[16], bool *reregistered) HG_MUST_CHECK;

/* Account-level attributes from PUT /v1/accounts/attributes. */
struct account_attrs {
    const uint8_t *uak;        /* NULL = clear */
    bool unrestricted_ua, discoverable;
    bool set_reglock;          /* false = leave the lock as it is */
    const char *reglock_hash, *reglock_salt;   /* NULL = clear (when set_reglock) */
};
enum err store_account_set_attrs(struct store *s, const uint8_t aci[16],
                                 const struct account_attrs *at) HG_MUST_CHECK;

/* Device-level attributes; NULL pointers / negative ints mean "leave unchanged". */
struct device_attrs {
    int registration_id, pni_registration_id;   /* -1 = unchanged */
    int fetches_messages;                        /* -1 = unchanged */
    const uint8_t *name;
    size_t name_len;
    bool set_name;
    const char *capabilities;                    /* NULL = unchanged */
    const char *user_agent;
};
enum err store_device_set_attrs(struct store *s, const uint8_t aci[16], uint8_t device_id,
                                const struct device_attrs *at) HG_MUST_CHECK;
/** Set one push token (kind "apn" or "gcm"; NULL token clears it). Setting one clears the other. */
enum err store_device_set_push(struct store *s, const uint8_t aci[16], uint8_t device_id,
                               const char *kind, const char *token) HG_MUST_CHECK;
/** Delete the account, its devices, keys, queues; leave a deleted_accounts record (30 days). */
enum err store_account_delete(struct store *s, const uint8_t aci[16]) HG_MUST_CHECK;

/** Recovery password (32 bytes) for the PNI: hash and salt to verify against; E_NOT_FOUND. */
enum err store_recovery_get(struct store *s, struct arena *a, const uint8_t pni[16], char **hash,
                            char **salt) HG_MUST_CHECK;
enum err store_recovery_delete(struct store *s, const uint8_t pni[16]) HG_MUST_CHECK;
/** PNI already assigned to a number (E_NOT_FOUND if the number never registered). */
enum err store_pni_for_e164(struct store *s, const char *e164, uint8_t pni[16]) HG_MUST_CHECK;

/* ---- keys_db.c ---- */

enum key_identity { KEY_ACI = 0, KEY_PNI = 1 };

struct onetime_key {
    int64_t key_id;
    const uint8_t *pub;
    size_t pub_len;
    const uint8_t *sig;     /* KEM only */
    size_t sig_len;
};

struct key_upload {
    const struct onetime_key *ec;
    size_t nec;                       /* 0 = leave stored EC one-time keys */
    const struct onetime_key *kem;
    size_t nkem;                      /* 0 = leave stored KEM one-time keys */
    const struct signed_key *signed_ec;     /* NULL = unchanged */
    const struct signed_key *last_resort;   /* NULL = unchanged */
};

enum err store_keys_put(struct store *s, const uint8_t aci[16], uint8_t device_id,
                        enum key_identity id, const struct key_upload *u) HG_MUST_CHECK;
enum err store_keys_count(struct store *s, const uint8_t aci[16], uint8_t device_id,
                          enum key_identity id, int *ec, int *kem) HG_MUST_CHECK;
/** Stored signed EC prekey or last-resort KEM key; E_NOT_FOUND if none. */
enum err store_keys_signed_get(struct store *s, struct arena *a, const uint8_t aci[16],
                               uint8_t device_id, enum key_identity id, bool kem,
                               struct signed_key *out) HG_MUST_CHECK;

struct device_bundle {
    bool has_ec, has_signed, has_kem;
    bool kem_is_last_resort;
    struct onetime_key ec;
    struct signed_key signed_ec;
    struct signed_key kem;
};

/**
 * Atomically take one one-time EC key and one one-time KEM key (falling back to the last-resort
 * KEM key) for the device, and read its signed prekey. Concurrent callers never get the same key.
 */
enum err store_keys_take(struct store *s, struct arena *a, const uint8_t aci[16],
                         uint8_t device_id, enum key_identity id,
                         struct device_bundle *out) HG_MUST_CHECK;

/* ---- vsession_db.c: verification sessions ---- */

struct vsession {
    uint8_t id[16];
    char *e164;
    int64_t created_ms, expires_ms;
    char *push_token, *push_token_type, *push_challenge, *mcc, *mnc;
    bool need_push_challenge, need_captcha;
    char *code, *code_transport;
    int sms_count, voice_count, attempts;
    int64_t last_sms_ms, last_voice_ms, last_attempt_ms;
    bool verified;
};

enum err store_vsession_create(struct store *s, const struct vsession *v) HG_MUST_CHECK;
/** E_NOT_FOUND if absent or expired. */
enum err store_vsession_get(struct store *s, struct arena *a, const uint8_t id[16],
                            struct vsession *out) HG_MUST_CHECK;
/** Write back every mutable field of v. */
enum err store_vsession_update(struct store *s, const struct vsession *v) HG_MUST_CHECK;

/* ---- messages_db.c: durable per-device queues (contract shared by fcgi senders and the relay) ----
 * One row per recipient device. env holds a serialized textsecure.Envelope ready to send, except
 * that for multi-recipient sends the content may be resolved from a shared payload by the store
 * (callers always get complete Envelope bytes). seq orders a device's queue. */
struct msg_rec {
    int64_t seq;               /* queue order within the device, strictly increasing */
    uint8_t guid[16];          /* server GUID (Envelope.server_guid) */
    int64_t server_ts_ms;
    bool story, urgent;
    const uint8_t *env;        /* serialized textsecure.Envelope */
    size_t env_len;
};

/** One destination device of a send. */
struct msg_target {
    uint8_t aci[16];
    uint8_t device_id;
};

/** Queued envelopes of one device with seq > after_seq, oldest first, at most limit. */
enum err store_msgs_fetch(struct store *s, struct arena *a, const uint8_t aci[16],
                          uint8_t device_id, int64_t after_seq, size_t limit,
                          struct msg_rec **out, size_t *n) HG_MUST_CHECK;
/** One device's page for store_msgs_fetch_many: in aci, device_id, after_seq, limit; out
 * msgs[0..nmsgs) in arena memory. */
struct msg_fetch {
    uint8_t aci[16];
    uint8_t device_id;
    int64_t after_seq;
    size_t limit;
    struct msg_rec *msgs;
    size_t nmsgs;
};

/** store_msgs_fetch for n devices with as few statements as possible (UNION ALL of per-device
 * subqueries, 1, 2, 4, ... 32 per statement). Each page is exactly what store_msgs_fetch gives. */
enum err store_msgs_fetch_many(struct store *s, struct arena *a, struct msg_fetch *f,
                               size_t n) HG_MUST_CHECK;
/** Remove one envelope by GUID; *gone = its envelope (in arena) for receipts, or NULL. E_NOT_FOUND. */
enum err store_msgs_delete(struct store *s, struct arena *a, const uint8_t aci[16],
                           uint8_t device_id, const uint8_t guid[16],
                           struct msg_rec *gone) HG_MUST_CHECK;

/** One acknowledged envelope: its device and GUID. */
struct msg_key {
    uint8_t aci[16];
    uint8_t device_id;
    uint8_t guid[16];
};

/**
 * Remove many envelopes (any mix of devices) with batched autocommit
 * DELETE ... WHERE guid IN (...) RETURNING statements (64 keys each); a row goes only when its
 * (aci, device_id) match the key. gone[i] (n entries, arena) describes keys[i]'s envelope, or
 * has env == NULL when it is still queued or was already gone. Shared payload references are
 * released. *ngone = rows removed. An error means some chunk failed: gone[] still tells which
 * rows did go (their receipts are owed).
 */
enum err store_msgs_delete_many(struct store *s, struct arena *a, const struct msg_key *keys,
                                size_t n, struct msg_rec *gone, size_t *ngone) HG_MUST_CHECK;

#define MSG_RETENTION_MS (30LL * 86400 * 1000)        /* reference: messages.expiration */
#define MSG_SHARED_RETENTION_MS (7LL * 86400 * 1000)  /* reference: mrm:: hash expiry */

/** One envelope to queue for one device. */
struct msg_new {
    struct msg_target to;
    uint8_t guid[16];                /* the same GUID the envelope carries */
    int64_t server_ts_ms;
    bool story, urgent;
    const uint8_t *env;              /* serialized Envelope; without content when shared */
    size_t env_len;
    const uint8_t *content_prefix;   /* shared rows only: content = prefix || shared->data */
    size_t content_prefix_len;       /* at most 64 */
};

/** The part of a multi-recipient send stored once (e_pub || ciphertext). */
struct msg_shared {
    const uint8_t *data;
    size_t len;
};

/**
 * Queue n envelopes (any mix of accounts and devices) in ONE transaction with batched multi-row
 * INSERTs. With shared != NULL its payload is stored once and every row references it (rows
 * then must carry content_prefix). Rows addressed to a device that no longer exists are
 * dropped. While the transaction runs the recipients' device rows are held FOR UPDATE, so
 * concurrent sends to one device commit in seq order.
 */
enum err store_msgs_insert(struct store *s, const struct msg_shared *shared,
                           const struct msg_new *m, size_t n) HG_MUST_CHECK;
/** Number of envelopes queued for the device (expired ones included until swept). */
enum err store_msgs_count(struct store *s, const uint8_t aci[16], uint8_t device_id,
                          size_t *n) HG_MUST_CHECK;
/** Drop a device's queue (device_id >= 0) or every queue of the account (device_id < 0). */
enum err store_msgs_clear(struct store *s, const uint8_t aci[16], int device_id) HG_MUST_CHECK;
/** Delete up to max envelopes and shared payloads past their expiry; *removed tells how many. */
enum err store_msgs_expire(struct store *s, int64_t now, size_t max,
                           size_t *removed) HG_MUST_CHECK;


/* ---- devices_db.c: linked devices, removal, capabilities, link-token bookkeeping ---- */

#define LINK_TOKEN_TTL_MS (10LL * 60 * 1000)   /* a device-link token is valid for 10 minutes */

/* Everything PUT /v1/devices/link writes, in one transaction. */
struct device_link {
    uint8_t token_hash[32];            /* SHA-256 of the link token: spent by this link */
    int64_t token_expires_ms;          /* kept that long, then swept */
    struct device_rec device;          /* id and created_ms are chosen by the store */
    struct signed_key aci_signed, aci_last_resort, pni_signed, pni_last_resort;
    bool has_pni_keys;
};

/**
 * Add a linked device with the lowest free id >= 2, after dropping whatever one-time keys,
 * signed keys, queued envelopes and pushes an earlier device of that id left behind.
 * *device_id and *created_ms tell what was stored. E_DEVICE_LIMIT at MAX_DEVICES devices,
 * E_FORBIDDEN when the token was already spent, E_NOT_FOUND when the account is gone.
 */
enum err store_device_link(struct store *s, const uint8_t aci[16], const struct device_link *l,
                           uint8_t *device_id, int64_t *created_ms) HG_MUST_CHECK;
/** Remove a linked device with its keys, queue and pending pushes (absent device: E_OK). */
enum err store_device_remove(struct store *s, const uint8_t aci[16],
                             uint8_t device_id) HG_MUST_CHECK;
/** Replace a device's capabilities (normalized JSON object text). */
enum err store_device_set_capabilities(struct store *s, const uint8_t aci[16], uint8_t device_id,
                                       const char *capabilities) HG_MUST_CHECK;
/** Memcached "ld:<token id>" (1 h): the DeviceInfo JSON of the device linked with that token,
 *  for GET /v1/devices/wait_for_linked_device. */
enum err store_linked_device_put(struct store *s, const char *token_id,
                                 const char *json) HG_MUST_CHECK;
/** E_OK with *json (arena), E_NOT_FOUND when not (yet) linked, E_STORE on memcached trouble. */
enum err store_linked_device_get(struct store *s, struct arena *a, const char *token_id,
                                 char **json) HG_MUST_CHECK;

/* ---- reports_db.c: spam reports kept for operators ---- */

struct report_rec {
    uint8_t reporter_aci[16];
    uint8_t message_guid[16];
    bool has_source_aci, has_source_pni;
    uint8_t source_aci[16], source_pni[16];
    const char *source_e164;         /* or NULL */
    bool source_deleted;             /* source named no registered account */
    bool verified;                   /* a valid report-spam token came with the report */
    const uint8_t *token;            /* as the client sent it, or NULL */
    size_t token_len;
};

/** Record a report; a second report of the same message by the same reporter is ignored. */
enum err store_report_add(struct store *s, const struct report_rec *r) HG_MUST_CHECK;

#endif
