/* Linked devices in MariaDB: linking (lowest free id, single-use token), removal, capabilities;
 * and the memcached record wait_for_linked_device polls. Every device write bumps the account's
 * cache generation (store_account_changed). */
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "account_cache.h"
#include "db.h"
#include "store.h"
#include "store_int.h"

#define LINKED_DEVICE_TTL_S 3600       /* reference: RECENTLY_ADDED_DEVICE_TTL */

/* The account row is the lock every device change of the account queues behind. */
static const char SQL_ACCT_LOCK[] = "SELECT aci FROM accounts WHERE aci = ? FOR UPDATE";
static const char SQL_DEV_IDS[] = "SELECT device_id FROM devices WHERE aci = ? ORDER BY device_id";
static const char SQL_TOKEN_SWEEP[] = "DELETE FROM used_link_tokens WHERE expires_ms < ? LIMIT 100";
static const char SQL_TOKEN_SPEND[] =
    "INSERT INTO used_link_tokens (token_hash, expires_ms) VALUES (?, ?)";
static const char SQL_DEV_DEL[] = "DELETE FROM devices WHERE aci = ? AND device_id = ?";
/* "? < 0" selects every device of the account (device_data_purge with dev < 0). */
static const char SQL_OT_DEL[] =
    "DELETE FROM onetime_prekeys WHERE aci = ? AND (? < 0 OR device_id = ?)";
static const char SQL_SIGNED_DEL[] =
    "DELETE FROM signed_prekeys WHERE aci = ? AND (? < 0 OR device_id = ?)";
static const char SQL_PUSHQ_DEL[] = "DELETE FROM push_queue WHERE aci = ? AND (? < 0 OR device_id = ?)";
static const char SQL_PUSHBG_DEL[] =
    "DELETE FROM push_background WHERE aci = ? AND (? < 0 OR device_id = ?)";
static const char SQL_DEV_INSERT[] =
    "INSERT INTO devices (aci, device_id, auth_hash, auth_salt, registration_id, "
    "pni_registration_id, name, fetches_messages, capabilities, apn_token, gcm_token, user_agent, "
    "created_ms, last_seen_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_CAPS_SET[] =
    "UPDATE devices SET capabilities = ? WHERE aci = ? AND device_id = ?";

/* Whatever hangs off a device id (or every device: dev < 0) besides its row: keys, queue,
 * pending pushes. */
enum err
device_data_purge(struct store *s, const uint8_t aci[16], int dev)
{
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(dev), V_I64(dev) };
    enum err e = db_exec(s, NULL, SQL_OT_DEL, p, DB_NPARAMS(p), NULL);

    if (e == E_OK)
        e = db_exec(s, NULL, SQL_SIGNED_DEL, p, DB_NPARAMS(p), NULL);
    if (e == E_OK)
        e = store_msgs_clear(s, aci, dev);
    if (e == E_OK)
        e = db_exec(s, NULL, SQL_PUSHQ_DEL, p, DB_NPARAMS(p), NULL);
    if (e == E_OK)
        e = db_exec(s, NULL, SQL_PUSHBG_DEL, p, DB_NPARAMS(p), NULL);
    return e;
}

/* A device row with its signed EC prekeys and last-resort KEM keys (PNI ones optional). */
enum err
device_insert(struct store *s, const uint8_t aci[16], uint8_t id, const struct device_rec *d,
              int64_t created_ms, int64_t last_seen_ms, const struct signed_key *aci_signed,
              const struct signed_key *aci_last_resort, const struct signed_key *pni_signed,
              const struct signed_key *pni_last_resort)
{
    struct dbv dev[] = {
        V_BLOB(aci, 16),
        V_I64(id),
        V_STR(d->auth_hash),
        V_STR(d->auth_salt),
        V_I64(d->registration_id),
        V_I64(d->pni_registration_id),
        d->name ? V_BLOB(d->name, d->name_len) : V_NULL,
        V_I64(d->fetches_messages),
        V_STR(d->capabilities ? d->capabilities : "{}"),
        V_STRN(d->apn_token),
        V_STRN(d->gcm_token),
        V_STRN(d->user_agent),
        V_I64(created_ms),
        V_I64(last_seen_ms),
    };
    enum err e = db_exec(s, NULL, SQL_DEV_INSERT, dev, DB_NPARAMS(dev), NULL);

    if (e == E_OK)
        e = keys_signed_put(s, aci, id, KEY_ACI, 0, aci_signed);
    if (e == E_OK)
        e = keys_signed_put(s, aci, id, KEY_ACI, 1, aci_last_resort);
    if (e == E_OK && pni_signed != NULL)
        e = keys_signed_put(s, aci, id, KEY_PNI, 0, pni_signed);
    if (e == E_OK && pni_last_resort != NULL)
        e = keys_signed_put(s, aci, id, KEY_PNI, 1, pni_last_resort);
    return e;
}

/* Lock the account, pick the lowest free id >= 2. */
static enum err
next_device_id(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t *id)
{
    struct dbv k = V_BLOB(aci, 16);
    bool used[MAX_DEVICE_ID + 1] = { false };
    struct dbres r;
    enum err e = db_exec(s, a, SQL_ACCT_LOCK, &k, 1, &r);

    if (e == E_OK && r.nrows == 0)
        return E_NOT_FOUND;
    if (e == E_OK)
        e = db_exec(s, a, SQL_DEV_IDS, &k, 1, &r);
    if (e != E_OK)
        return e;
    if (r.nrows >= MAX_DEVICES)
        return E_DEVICE_LIMIT;
    for (size_t i = 0; i < r.nrows; i++)
        if (DBCELL(&r, i, 0)->i >= 0 && DBCELL(&r, i, 0)->i <= MAX_DEVICE_ID)
            used[DBCELL(&r, i, 0)->i] = true;
    for (int d = 2; d <= MAX_DEVICE_ID; d++)
        if (!used[d]) {
            *id = (uint8_t)d;
            return E_OK;
        }
    return E_DEVICE_LIMIT;
}

static enum err
link_once(struct store *s, struct arena *a, const uint8_t aci[16], const struct device_link *l,
          uint8_t *id, int64_t now)
{
    const struct device_rec *d = &l->device;
    struct dbv sweep = V_I64(now);
    struct dbv spend[] = { V_BLOB(l->token_hash, 32), V_I64(l->token_expires_ms) };
    enum err e = next_device_id(s, a, aci, id);

    if (e == E_OK)
        e = db_exec(s, NULL, SQL_TOKEN_SWEEP, &sweep, 1, NULL);
    if (e == E_OK) {
        e = db_exec(s, NULL, SQL_TOKEN_SPEND, spend, DB_NPARAMS(spend), NULL);
        if (e == E_CONFLICT)
            return E_FORBIDDEN;            /* token already spent */
    }
    if (e == E_OK)
        e = device_data_purge(s, aci, *id);
    if (e != E_OK)
        return e;
    return device_insert(s, aci, *id, d, now, now / 86400000 * 86400000, &l->aci_signed,
                         &l->aci_last_resort, l->has_pni_keys ? &l->pni_signed : NULL,
                         l->has_pni_keys ? &l->pni_last_resort : NULL);
}

struct link_tx {
    const uint8_t *aci;
    const struct device_link *l;
    uint8_t *device_id;
    int64_t now;
};

static enum err
link_tx(struct store *s, void *u)
{
    struct link_tx *t = u;
    struct arena *a = arena_new(1024);
    enum err e;

    t->now = now_ms();
    e = link_once(s, a, t->aci, t->l, t->device_id, t->now);
    if (e == E_OK)
        store_account_changed(s, t->aci);
    arena_free(a);
    return e;
}

enum err
store_device_link(struct store *s, const uint8_t aci[16], const struct device_link *l,
                  uint8_t *device_id, int64_t *created_ms)
{
    struct link_tx t = { aci, l, device_id, 0 };
    enum err e = db_tx(s, link_tx, &t);

    if (e == E_OK)
        *created_ms = t.now;
    return e;
}

struct remove_tx {
    const uint8_t *aci;
    uint8_t device_id;
};

static enum err
remove_tx(struct store *s, void *u)
{
    const struct remove_tx *t = u;
    struct dbv k = V_BLOB(t->aci, 16);
    struct dbv p[] = { V_BLOB(t->aci, 16), V_I64(t->device_id) };
    struct arena *a = arena_new(256);
    struct dbres r;
    enum err e = db_exec(s, a, SQL_ACCT_LOCK, &k, 1, &r);

    if (e == E_OK)
        e = db_exec(s, NULL, SQL_DEV_DEL, p, DB_NPARAMS(p), NULL);
    if (e == E_OK)
        e = device_data_purge(s, t->aci, t->device_id);
    if (e == E_OK)
        store_account_changed(s, t->aci);
    arena_free(a);
    return e;
}

enum err
store_device_remove(struct store *s, const uint8_t aci[16], uint8_t device_id)
{
    struct remove_tx t = { aci, device_id };

    return db_tx(s, remove_tx, &t);
}

enum err
store_device_set_capabilities(struct store *s, const uint8_t aci[16], uint8_t device_id,
                              const char *capabilities)
{
    struct dbv p[] = { V_STR(capabilities), V_BLOB(aci, 16), V_I64(device_id) };
    enum err e = db_exec(s, NULL, SQL_CAPS_SET, p, DB_NPARAMS(p), NULL);

    if (e == E_OK)
        store_account_changed(s, aci);
    return e;
}

/* ---- memcached: recently linked devices ---- */

static void
linked_key(char *key, size_t n, const char *token_id)
{
    size_t i = 0;

    memcpy(key, "ld:", 3);
    for (; token_id[i] != '\0' && i + 4 < n; i++)
        key[3 + i] = (unsigned char)token_id[i] <= ' ' ? '_' : token_id[i];
    key[3 + i] = '\0';
}

enum err
store_linked_device_put(struct store *s, const char *token_id, const char *json)
{
    char key[80];

    if (s->mc == NULL)
        return E_STORE;
    linked_key(key, sizeof(key), token_id);
    if (memcached_set(s->mc, key, strlen(key), json, strlen(json), LINKED_DEVICE_TTL_S, 0) !=
        MEMCACHED_SUCCESS)
        return E_STORE;
    return E_OK;
}

enum err
store_linked_device_get(struct store *s, struct arena *a, const char *token_id, char **json)
{
    char key[80];
    size_t len = 0;
    uint32_t flags;
    memcached_return_t rc;
    char *v;

    if (s->mc == NULL)
        return E_STORE;
    linked_key(key, sizeof(key), token_id);
    v = memcached_get(s->mc, key, strlen(key), &len, &flags, &rc);
    if (v == NULL)
        return rc == MEMCACHED_NOTFOUND ? E_NOT_FOUND : E_STORE;
    *json = arena_strndup(a, v, len);
    free(v);
    return E_OK;
}
