/* Pre-keys in MariaDB. One-time keys are taken with SELECT ... FOR UPDATE SKIP LOCKED and deleted
 * in the same transaction, so concurrent bundle fetches never hand out the same key twice. */
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "db.h"
#include "store.h"
#include "store_int.h"

static const char SQL_OT_CLEAR[] =
    "DELETE FROM onetime_prekeys WHERE aci = ? AND device_id = ? AND identity = ? AND kem = ?";
static const char SQL_OT_ADD[] =
    "INSERT INTO onetime_prekeys (aci, device_id, identity, kem, key_id, public_key, signature) "
    "VALUES (?,?,?,?,?,?,?)";
static const char SQL_SIGNED_PUT[] =
    "REPLACE INTO signed_prekeys (aci, device_id, identity, kem, key_id, public_key, signature) "
    "VALUES (?,?,?,?,?,?,?)";
static const char SQL_COUNT[] =
    "SELECT kem, COUNT(*) FROM onetime_prekeys WHERE aci = ? AND device_id = ? AND identity = ? "
    "GROUP BY kem";
static const char SQL_SIGNED_GET[] =
    "SELECT key_id, public_key, signature FROM signed_prekeys WHERE aci = ? AND device_id = ? "
    "AND identity = ? AND kem = ?";
static const char SQL_OT_PICK[] =
    "SELECT id, key_id, public_key, signature FROM onetime_prekeys WHERE aci = ? AND "
    "device_id = ? AND identity = ? AND kem = ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
static const char SQL_OT_DEL[] = "DELETE FROM onetime_prekeys WHERE id = ?";

static enum err
replace_onetime(struct store *s, const uint8_t aci[16], uint8_t dev, int id, int kem,
                const struct onetime_key *k, size_t n)
{
    struct dbv c[] = { V_BLOB(aci, 16), V_I64(dev), V_I64(id), V_I64(kem) };
    enum err e = db_exec(s, NULL, SQL_OT_CLEAR, c, DB_NPARAMS(c), NULL);

    for (size_t i = 0; e == E_OK && i < n; i++) {
        struct dbv p[] = { V_BLOB(aci, 16),
                           V_I64(dev),
                           V_I64(id),
                           V_I64(kem),
                           V_I64(k[i].key_id),
                           V_BLOB(k[i].pub, k[i].pub_len),
                           k[i].sig ? V_BLOB(k[i].sig, k[i].sig_len) : V_NULL };
        e = db_exec(s, NULL, SQL_OT_ADD, p, DB_NPARAMS(p), NULL);
    }
    return e;
}

enum err
keys_signed_put(struct store *s, const uint8_t aci[16], uint8_t dev, int id, int kem,
                const struct signed_key *k)
{
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(dev), V_I64(id), V_I64(kem), V_I64(k->key_id),
                       V_BLOB(k->pub, k->pub_len), V_BLOB(k->sig, k->sig_len) };

    return db_exec(s, NULL, SQL_SIGNED_PUT, p, DB_NPARAMS(p), NULL);
}

struct put_tx {
    const uint8_t *aci;
    uint8_t device_id;
    enum key_identity id;
    const struct key_upload *u;
};

static enum err
put_tx(struct store *s, void *arg)
{
    const struct put_tx *t = arg;
    const struct key_upload *u = t->u;
    enum err e = E_OK;

    if (u->nec > 0)
        e = replace_onetime(s, t->aci, t->device_id, t->id, 0, u->ec, u->nec);
    if (e == E_OK && u->nkem > 0)
        e = replace_onetime(s, t->aci, t->device_id, t->id, 1, u->kem, u->nkem);
    if (e == E_OK && u->signed_ec != NULL)
        e = keys_signed_put(s, t->aci, t->device_id, t->id, 0, u->signed_ec);
    if (e == E_OK && u->last_resort != NULL)
        e = keys_signed_put(s, t->aci, t->device_id, t->id, 1, u->last_resort);
    return e;
}

enum err
store_keys_put(struct store *s, const uint8_t aci[16], uint8_t device_id, enum key_identity id,
               const struct key_upload *u)
{
    struct put_tx t = { aci, device_id, id, u };

    return db_tx(s, put_tx, &t);
}

enum err
store_keys_count(struct store *s, const uint8_t aci[16], uint8_t device_id, enum key_identity id,
                 int *ec, int *kem)
{
    struct arena *a = arena_new(1024);
    struct dbres r;
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(device_id), V_I64(id) };
    enum err e = db_exec(s, a, SQL_COUNT, p, DB_NPARAMS(p), &r);

    *ec = *kem = 0;
    for (size_t i = 0; e == E_OK && i < r.nrows; i++) {
        if (DBCELL(&r, i, 0)->i == 0)
            *ec = (int)DBCELL(&r, i, 1)->i;
        else
            *kem = (int)DBCELL(&r, i, 1)->i;
    }
    arena_free(a);
    return e;
}

enum err
store_keys_signed_get(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                      enum key_identity id, bool kem, struct signed_key *out)
{
    struct dbres r;
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(device_id), V_I64(id), V_I64(kem) };
    enum err e = db_exec(s, a, SQL_SIGNED_GET, p, DB_NPARAMS(p), &r);

    if (e != E_OK)
        return e;
    if (r.nrows == 0)
        return E_NOT_FOUND;
    out->key_id = DBCELL(&r, 0, 0)->i;
    out->pub = DBCELL(&r, 0, 1)->p;
    out->pub_len = DBCELL(&r, 0, 1)->n;
    out->sig = DBCELL(&r, 0, 2)->p;
    out->sig_len = DBCELL(&r, 0, 2)->n;
    return E_OK;
}

/* Take the oldest one-time key of a kind; *found = false when none is left. */
static enum err
take_one(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t dev, int id, int kem,
         struct onetime_key *out, bool *found)
{
    struct dbres r;
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(dev), V_I64(id), V_I64(kem) };
    enum err e = db_exec(s, a, SQL_OT_PICK, p, DB_NPARAMS(p), &r);

    *found = false;
    if (e != E_OK || r.nrows == 0)
        return e;
    struct dbv rowid = V_I64(DBCELL(&r, 0, 0)->i);
    e = db_exec(s, NULL, SQL_OT_DEL, &rowid, 1, NULL);
    if (e != E_OK)
        return e;
    out->key_id = DBCELL(&r, 0, 1)->i;
    out->pub = DBCELL(&r, 0, 2)->p;
    out->pub_len = DBCELL(&r, 0, 2)->n;
    if (DBCELL(&r, 0, 3)->t == DBV_BLOB) {
        out->sig = DBCELL(&r, 0, 3)->p;
        out->sig_len = DBCELL(&r, 0, 3)->n;
    }
    *found = true;
    return E_OK;
}

enum err
store_keys_take(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                enum key_identity id, struct device_bundle *out)
{
    enum err e = E_STORE;

    for (int attempt = 0; attempt < 3; attempt++) {
        struct onetime_key kem;
        bool found_kem = false;

        memset(out, 0, sizeof(*out));
        memset(&kem, 0, sizeof(kem));
        e = db_begin(s);
        if (e == E_OK)
            e = take_one(s, a, aci, device_id, id, 0, &out->ec, &out->has_ec);
        if (e == E_OK)
            e = take_one(s, a, aci, device_id, id, 1, &kem, &found_kem);
        if (e == E_OK)
            e = db_commit(s);
        if (e != E_OK) {
            db_rollback(s);
            if (db_retryable(s))
                continue;
            return e;
        }
        if (found_kem) {
            out->has_kem = true;
            out->kem.key_id = kem.key_id;
            out->kem.pub = kem.pub;
            out->kem.pub_len = kem.pub_len;
            out->kem.sig = kem.sig;
            out->kem.sig_len = kem.sig_len;
        } else {
            e = store_keys_signed_get(s, a, aci, device_id, id, true, &out->kem);
            if (e == E_OK) {
                out->has_kem = true;
                out->kem_is_last_resort = true;
            } else if (e != E_NOT_FOUND) {
                return e;
            }
        }
        e = store_keys_signed_get(s, a, aci, device_id, id, false, &out->signed_ec);
        if (e == E_OK)
            out->has_signed = true;
        else if (e != E_NOT_FOUND)
            return e;
        return E_OK;
    }
    return e;
}
