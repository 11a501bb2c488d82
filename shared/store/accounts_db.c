/* Accounts and devices in MariaDB: load, register (create or replace), attributes, push tokens,
 * deletion, recovery passwords. All statements are prepared (db.c). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/token.h"
#include "account_cache.h"
#include "db.h"
#include "store.h"
#include "store_int.h"

#define DELETED_ACCOUNT_KEEP_MS (30LL * 86400 * 1000)
#define RECOVERY_PASSWORD_TTL_MS (300LL * 86400 * 1000)

/* One round trip per account load: the account row joined with its devices (one row per device;
 * device columns are NULL for an account caught without devices mid-registration). */
#define SQL_ACCT_SELECT                                                                        \
    "SELECT a.aci, a.pni, a.e164, a.identity_key, a.pni_identity_key, a.uak, a.unrestricted_ua, " \
    "a.discoverable, a.reglock_hash, a.reglock_salt, a.username_hash, a.link_handle, "         \
    "a.created_ms, d.device_id, d.auth_hash, d.auth_salt, d.registration_id, "                 \
    "d.pni_registration_id, d.name, d.fetches_messages, d.capabilities, d.apn_token, "         \
    "d.gcm_token, d.user_agent, d.created_ms, d.last_seen_ms "                                 \
    "FROM accounts a LEFT JOIN devices d ON d.aci = a.aci "
static const char SQL_ACCT_BY_ACI[] = SQL_ACCT_SELECT "WHERE a.aci = ? ORDER BY d.device_id";
static const char SQL_ACCT_BY_E164[] = SQL_ACCT_SELECT "WHERE a.e164 = ? ORDER BY d.device_id";
static const char SQL_ACCT_BY_PNI[] = SQL_ACCT_SELECT "WHERE a.pni = ? ORDER BY d.device_id";
#define DEV_COL 13

/* After an account or device write: pass the result through, invalidating the cached copy. */
static enum err
changed(struct store *s, const uint8_t aci[16], enum err e)
{
    if (e == E_OK)
        store_account_changed(s, aci);
    return e;
}

static char *
cell_str(const struct dbv *v)
{
    return v->t == DBV_NULL ? NULL : (char *)v->p;
}

static void
cell_copy(const struct dbv *v, uint8_t *dst, size_t n, bool *has)
{
    bool ok = v->t == DBV_BLOB && v->n == n;

    if (ok)
        memcpy(dst, v->p, n);
    if (has != NULL)
        *has = ok;
}

static enum err
load(struct store *s, struct arena *a, const char *sql, struct dbv key, struct account_rec *out)
{
    struct dbres r;
    enum err e;

    memset(out, 0, sizeof(*out));
    e = db_exec(s, a, sql, &key, 1, &r);
    if (e != E_OK)
        return e;
    if (r.nrows == 0)
        return E_NOT_FOUND;
    cell_copy(DBCELL(&r, 0, 0), out->aci, 16, NULL);
    cell_copy(DBCELL(&r, 0, 1), out->pni, 16, NULL);
    out->e164 = cell_str(DBCELL(&r, 0, 2));
    cell_copy(DBCELL(&r, 0, 3), out->identity_key, 33, &out->has_identity_key);
    cell_copy(DBCELL(&r, 0, 4), out->pni_identity_key, 33, &out->has_pni_identity_key);
    cell_copy(DBCELL(&r, 0, 5), out->uak, 16, &out->has_uak);
    out->unrestricted_ua = DBCELL(&r, 0, 6)->i != 0;
    out->discoverable = DBCELL(&r, 0, 7)->i != 0;
    out->reglock_hash = cell_str(DBCELL(&r, 0, 8));
    out->reglock_salt = cell_str(DBCELL(&r, 0, 9));
    cell_copy(DBCELL(&r, 0, 10), out->username_hash, 32, &out->has_username);
    cell_copy(DBCELL(&r, 0, 11), out->link_handle, 16, &out->has_link_handle);
    out->created_ms = DBCELL(&r, 0, 12)->i;

    for (size_t i = 0; i < r.nrows && out->ndevices < MAX_DEVICES; i++) {
        struct device_rec *dv = &out->devices[out->ndevices];
        const struct dbv *c = DBCELL(&r, i, DEV_COL);

        if (c[0].t == DBV_NULL)
            continue;
        dv->id = (uint8_t)c[0].i;
        dv->auth_hash = cell_str(&c[1]);
        dv->auth_salt = cell_str(&c[2]);
        dv->registration_id = (int)c[3].i;
        dv->pni_registration_id = (int)c[4].i;
        if (c[5].t == DBV_BLOB) {
            dv->name = (uint8_t *)c[5].p;
            dv->name_len = c[5].n;
        }
        dv->fetches_messages = c[6].i != 0;
        dv->capabilities = cell_str(&c[7]);
        dv->apn_token = cell_str(&c[8]);
        dv->gcm_token = cell_str(&c[9]);
        dv->user_agent = cell_str(&c[10]);
        dv->created_ms = c[11].i;
        dv->last_seen_ms = c[12].i;
        out->ndevices++;
    }
    return E_OK;
}

enum err
store_account_get(struct store *s, struct arena *a, const uint8_t aci[16], struct account_rec *out)
{
    uint64_t gen;
    enum err e;

    /* Inside a transaction the caller wants the row it may lock and write: always MariaDB. */
    if (!s->in_tx && acct_cache_get(s, a, aci, out, &gen) == E_OK)
        return E_OK;
    e = load(s, a, SQL_ACCT_BY_ACI, V_BLOB(aci, 16), out);
    if (e == E_OK && !s->in_tx)
        acct_cache_put(s, aci, gen, out);
    return e;
}

enum err
store_account_by_e164(struct store *s, struct arena *a, const char *e164, struct account_rec *out)
{
    return load(s, a, SQL_ACCT_BY_E164, V_STR(e164), out);
}

enum err
store_account_by_pni(struct store *s, struct arena *a, const uint8_t pni[16],
                     struct account_rec *out)
{
    return load(s, a, SQL_ACCT_BY_PNI, V_BLOB(pni, 16), out);
}

const struct device_rec *
account_device(const struct account_rec *acct, uint8_t device_id)
{
    for (size_t i = 0; i < acct->ndevices; i++)
        if (acct->devices[i].id == device_id)
            return &acct->devices[i];
    return NULL;
}

/* ---- registration ---- */

static const char SQL_PNI_GET[] = "SELECT pni FROM phone_number_identifiers WHERE e164 = ?";
static const char SQL_PNI_ADD[] =
    "INSERT IGNORE INTO phone_number_identifiers (e164, pni) VALUES (?, ?)";
static const char SQL_ACI_FOR_E164[] = "SELECT aci FROM accounts WHERE e164 = ? FOR UPDATE";
static const char SQL_DELETED_GET[] =
    "SELECT aci FROM deleted_accounts WHERE e164 = ? AND expires_ms > ?";
static const char SQL_DELETED_DEL[] = "DELETE FROM deleted_accounts WHERE e164 = ?";
static const char SQL_ACCT_INSERT[] =
    "INSERT INTO accounts (aci, pni, e164, identity_key, pni_identity_key, uak, unrestricted_ua, "
    "discoverable, reglock_hash, reglock_salt, created_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_RECOVERY_UPSERT[] =
    "REPLACE INTO recovery_passwords (pni, hash, salt, expires_ms) VALUES (?,?,?,?)";
static const char SQL_ACCT_DEL[] = "DELETE FROM accounts WHERE aci = ?";
static const char SQL_DEVICES_DEL[] = "DELETE FROM devices WHERE aci = ?";

/* Remove everything hanging off an account (devices, keys, queues, pushes); the account row
 * is separate. */
static enum err
purge_account_data(struct store *s, const uint8_t aci[16])
{
    struct dbv k = V_BLOB(aci, 16);
    enum err e = db_exec(s, NULL, SQL_DEVICES_DEL, &k, 1, NULL);

    if (e == E_OK)
        e = device_data_purge(s, aci, -1);
    return e;
}


static enum err
pni_for_number(struct store *s, struct arena *a, const char *e164, uint8_t pni[16])
{
    struct dbres r;
    struct dbv k = V_STR(e164);
    enum err e = db_exec(s, a, SQL_PNI_GET, &k, 1, &r);

    if (e == E_OK && r.nrows == 0) {
        uint8_t fresh[16];
        uuid_v4(fresh);
        struct dbv p[] = { V_STR(e164), V_BLOB(fresh, 16) };
        e = db_exec(s, NULL, SQL_PNI_ADD, p, 2, NULL);
        if (e == E_OK)
            e = db_exec(s, a, SQL_PNI_GET, &k, 1, &r);
    }
    if (e == E_OK && (r.nrows == 0 || DBCELL(&r, 0, 0)->n != 16))
        e = E_STORE;
    if (e == E_OK)
        memcpy(pni, DBCELL(&r, 0, 0)->p, 16);
    return e;
}

static enum err
register_once(struct store *s, struct arena *a, const struct registration *r, uint8_t aci[16],
              uint8_t pni[16], bool *rereg)
{
    struct dbres q;
    struct dbv k = V_STR(r->e164);
    int64_t now = now_ms();
    enum err e;

    *rereg = false;
    e = pni_for_number(s, a, r->e164, pni);
    if (e == E_OK)
        e = db_exec(s, a, SQL_ACI_FOR_E164, &k, 1, &q);
    if (e != E_OK)
        return e;
    if (q.nrows == 1) {
        /* Re-registration: same ACI, fresh devices, keys and queues. */
        memcpy(aci, DBCELL(&q, 0, 0)->p, 16);
        *rereg = true;
        struct dbv ak = V_BLOB(aci, 16);
        e = purge_account_data(s, aci);
        if (e == E_OK)
            e = db_exec(s, NULL, SQL_ACCT_DEL, &ak, 1, NULL);
    } else {
        struct dbv p[] = { V_STR(r->e164), V_I64(now) };
        e = db_exec(s, a, SQL_DELETED_GET, p, 2, &q);
        if (e == E_OK && q.nrows == 1 && DBCELL(&q, 0, 0)->n == 16)
            memcpy(aci, DBCELL(&q, 0, 0)->p, 16);
        else
            uuid_v4(aci);
        if (e == E_OK)
            e = db_exec(s, NULL, SQL_DELETED_DEL, &k, 1, NULL);
    }
    if (e != E_OK)
        return e;

    struct dbv acc[] = {
        V_BLOB(aci, 16),
        V_BLOB(pni, 16),
        V_STR(r->e164),
        V_BLOB(r->aci_identity_key, 33),
        r->has_pni_keys ? V_BLOB(r->pni_identity_key, 33) : V_NULL,
        r->uak ? V_BLOB(r->uak, 16) : V_NULL,
        V_I64(r->unrestricted_ua),
        V_I64(r->discoverable),
        V_STRN(r->reglock_hash),
        V_STRN(r->reglock_salt),
        V_I64(now),
    };
    e = db_exec(s, NULL, SQL_ACCT_INSERT, acc, DB_NPARAMS(acc), NULL);
    if (e != E_OK)
        return e;
    e = device_insert(s, aci, 1, &r->device, now, now, &r->aci_signed, &r->aci_last_resort,
                      r->has_pni_keys ? &r->pni_signed : NULL,
                      r->has_pni_keys ? &r->pni_last_resort : NULL);
    if (e == E_OK && r->recovery_password != NULL) {
        char salt[TOKEN_SALT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
        char *hex = hex_encode(a, r->recovery_password, r->recovery_password_len);
        token_hash_new(hex, strlen(hex), salt, hash);
        struct dbv p[] = { V_BLOB(pni, 16), V_STR(hash), V_STR(salt),
                           V_I64(now + RECOVERY_PASSWORD_TTL_MS) };
        e = db_exec(s, NULL, SQL_RECOVERY_UPSERT, p, DB_NPARAMS(p), NULL);
    }
    return e;
}

enum err
store_account_register(struct store *s, const struct registration *r, uint8_t aci[16],
                       uint8_t pni[16], bool *reregistered)
{
    enum err e = E_STORE;

    for (int attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
        struct arena *a = arena_new(4096);
        e = db_begin(s);
        if (e == E_OK)
            e = register_once(s, a, r, aci, pni, reregistered);
        if (e == E_OK)
            store_account_changed(s, aci);
        if (e == E_OK)
            e = db_commit(s);
        arena_free(a);
        if (e == E_OK)
            return E_OK;
        db_rollback(s);
        if (!db_retryable(s) && e != E_CONFLICT)
            break;
        log_info("store: registration retry %d after %s", attempt + 1,
                 e == E_CONFLICT ? "duplicate key" : "deadlock");
    }
    return e;
}

/* ---- attributes ---- */

static const char SQL_ATTRS_KEEP_LOCK[] =
    "UPDATE accounts SET uak = ?, unrestricted_ua = ?, discoverable = ?, version = version + 1 "
    "WHERE aci = ?";
static const char SQL_ATTRS_SET_LOCK[] =
    "UPDATE accounts SET uak = ?, unrestricted_ua = ?, discoverable = ?, reglock_hash = ?, "
    "reglock_salt = ?, version = version + 1 WHERE aci = ?";

enum err
store_account_set_attrs(struct store *s, const uint8_t aci[16], const struct account_attrs *at)
{
    struct dbv uak = at->uak ? V_BLOB(at->uak, 16) : V_NULL;

    if (!at->set_reglock) {
        struct dbv p[] = { uak, V_I64(at->unrestricted_ua), V_I64(at->discoverable),
                           V_BLOB(aci, 16) };
        return changed(s, aci, db_exec(s, NULL, SQL_ATTRS_KEEP_LOCK, p, DB_NPARAMS(p), NULL));
    }
    struct dbv p[] = { uak, V_I64(at->unrestricted_ua), V_I64(at->discoverable),
                       V_STRN(at->reglock_hash), V_STRN(at->reglock_salt), V_BLOB(aci, 16) };
    return changed(s, aci, db_exec(s, NULL, SQL_ATTRS_SET_LOCK, p, DB_NPARAMS(p), NULL));
}

static const char SQL_DEV_ATTRS[] =
    "UPDATE devices SET registration_id = IF(? < 0, registration_id, ?), "
    "pni_registration_id = IF(? < 0, pni_registration_id, ?), "
    "fetches_messages = IF(? < 0, fetches_messages, ?), "
    "name = IF(?, ?, name), capabilities = COALESCE(?, capabilities), "
    "user_agent = COALESCE(?, user_agent), last_seen_ms = ? WHERE aci = ? AND device_id = ?";

enum err
store_device_set_attrs(struct store *s, const uint8_t aci[16], uint8_t device_id,
                       const struct device_attrs *at)
{
    int64_t day = now_ms() / 86400000 * 86400000;
    struct dbv p[] = {
        V_I64(at->registration_id),
        V_I64(at->registration_id),
        V_I64(at->pni_registration_id),
        V_I64(at->pni_registration_id),
        V_I64(at->fetches_messages),
        V_I64(at->fetches_messages),
        V_I64(at->set_name),
        at->name ? V_BLOB(at->name, at->name_len) : V_NULL,
        V_STRN(at->capabilities),
        V_STRN(at->user_agent),
        V_I64(day),
        V_BLOB(aci, 16),
        V_I64(device_id),
    };
    return changed(s, aci, db_exec(s, NULL, SQL_DEV_ATTRS, p, DB_NPARAMS(p), NULL));
}

static const char SQL_SET_APN[] =
    "UPDATE devices SET apn_token = ?, gcm_token = IF(? IS NULL, gcm_token, NULL), "
    "fetches_messages = IF(? IS NULL, fetches_messages, 0) WHERE aci = ? AND device_id = ?";
static const char SQL_SET_GCM[] =
    "UPDATE devices SET gcm_token = ?, apn_token = IF(? IS NULL, apn_token, NULL), "
    "fetches_messages = IF(? IS NULL, fetches_messages, 0) WHERE aci = ? AND device_id = ?";

enum err
store_device_set_push(struct store *s, const uint8_t aci[16], uint8_t device_id, const char *kind,
                      const char *token)
{
    struct dbv t = V_STRN(token);
    struct dbv p[] = { t, t, t, V_BLOB(aci, 16), V_I64(device_id) };

    return changed(s, aci, db_exec(s, NULL, strcmp(kind, "apn") == 0 ? SQL_SET_APN : SQL_SET_GCM,
                                   p, DB_NPARAMS(p), NULL));
}

static const char SQL_DELETED_ADD[] =
    "REPLACE INTO deleted_accounts (e164, aci, expires_ms) SELECT e164, aci, ? FROM accounts "
    "WHERE aci = ? AND e164 IS NOT NULL";
static const char SQL_RECOVERY_DEL_FOR_ACI[] =
    "DELETE FROM recovery_passwords WHERE pni = (SELECT pni FROM accounts WHERE aci = ?)";

static enum err
delete_tx(struct store *s, void *u)
{
    const uint8_t *aci = u;
    struct dbv k = V_BLOB(aci, 16);
    struct dbv p[] = { V_I64(now_ms() + DELETED_ACCOUNT_KEEP_MS), V_BLOB(aci, 16) };
    enum err e = db_exec(s, NULL, SQL_DELETED_ADD, p, DB_NPARAMS(p), NULL);

    if (e == E_OK)
        e = db_exec(s, NULL, SQL_RECOVERY_DEL_FOR_ACI, &k, 1, NULL);
    if (e == E_OK)
        e = purge_account_data(s, aci);
    if (e == E_OK)
        e = db_exec(s, NULL, SQL_ACCT_DEL, &k, 1, NULL);
    if (e == E_OK)
        store_account_changed(s, aci);
    return e;
}

enum err
store_account_delete(struct store *s, const uint8_t aci[16])
{
    return db_tx(s, delete_tx, (void *)aci);
}

/* ---- recovery passwords ---- */

static const char SQL_RECOVERY_GET[] =
    "SELECT hash, salt FROM recovery_passwords WHERE pni = ? AND expires_ms > ?";
static const char SQL_RECOVERY_DEL[] = "DELETE FROM recovery_passwords WHERE pni = ?";

enum err
store_recovery_get(struct store *s, struct arena *a, const uint8_t pni[16], char **hash,
                   char **salt)
{
    struct dbres r;
    struct dbv p[] = { V_BLOB(pni, 16), V_I64(now_ms()) };
    enum err e = db_exec(s, a, SQL_RECOVERY_GET, p, 2, &r);

    if (e != E_OK)
        return e;
    if (r.nrows == 0)
        return E_NOT_FOUND;
    *hash = (char *)DBCELL(&r, 0, 0)->p;
    *salt = (char *)DBCELL(&r, 0, 1)->p;
    return E_OK;
}

enum err
store_recovery_delete(struct store *s, const uint8_t pni[16])
{
    struct dbv k = V_BLOB(pni, 16);

    return db_exec(s, NULL, SQL_RECOVERY_DEL, &k, 1, NULL);
}

enum err
store_pni_for_e164(struct store *s, const char *e164, uint8_t pni[16])
{
    struct arena *a = arena_new(1024);
    struct dbres r;
    struct dbv k = V_STR(e164);
    enum err e = db_exec(s, a, SQL_PNI_GET, &k, 1, &r);

    if (e == E_OK && r.nrows == 0)
        e = E_NOT_FOUND;
    if (e == E_OK)
        memcpy(pni, DBCELL(&r, 0, 0)->p, 16);
    arena_free(a);
    return e;
}
