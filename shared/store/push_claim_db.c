/* The push sender's queries on push_queue, devices and push_background (push_store.h). The claim
 * transaction only touches push_queue and is kept short: no lock is held while a provider is
 * being called, the lease in not_before_ms stands in for it. */
#include "push_store.h"

#include <string.h>

#include "account_cache.h"
#include "core/arena.h"
#include "core/log.h"
#include "db.h"

static const char SQL_PICK[] =
    "SELECT id, aci, device_id, urgent, attempts FROM push_queue WHERE not_before_ms <= ? "
    "ORDER BY not_before_ms LIMIT ? FOR UPDATE SKIP LOCKED";
static const char SQL_LEASE[] = "UPDATE push_queue SET not_before_ms = ? WHERE id = ?";
static const char SQL_DEVICE[] =
    "SELECT d.apn_token, d.gcm_token, b.last_sent_ms FROM devices d LEFT JOIN push_background b "
    "ON b.aci = d.aci AND b.device_id = d.device_id WHERE d.aci = ? AND d.device_id = ?";
static const char SQL_DONE[] = "DELETE FROM push_queue WHERE id = ? AND not_before_ms = ?";
static const char SQL_RETRY[] =
    "UPDATE push_queue SET not_before_ms = ?, attempts = attempts + ? WHERE id = ? AND "
    "not_before_ms = ?";
static const char SQL_CLEAR_APN[] =
    "UPDATE devices SET apn_token = NULL WHERE aci = ? AND device_id = ? AND apn_token = ?";
static const char SQL_CLEAR_GCM[] =
    "UPDATE devices SET gcm_token = NULL WHERE aci = ? AND device_id = ? AND gcm_token = ?";
static const char SQL_BG_MARK[] =
    "INSERT INTO push_background (aci, device_id, last_sent_ms) VALUES (?,?,?) "
    "ON DUPLICATE KEY UPDATE last_sent_ms = VALUES(last_sent_ms)";

static enum err
claim_rows(struct store *s, struct arena *a, int64_t now_ms, int64_t lease_ms, size_t max,
           struct push_job **out, size_t *n)
{
    struct dbv p[] = { V_I64(now_ms), V_I64(max) };
    struct dbres r;
    struct push_job *jobs;
    enum err e = db_exec(s, a, SQL_PICK, p, DB_NPARAMS(p), &r);

    if (e != E_OK)
        return e;
    jobs = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(*jobs));
    for (size_t i = 0; i < r.nrows; i++) {
        struct push_job *j = &jobs[i];
        const struct dbv *aci = DBCELL(&r, i, 1);
        j->id = DBCELL(&r, i, 0)->i;
        if (aci->n != 16)
            return E_INTERNAL;
        memcpy(j->aci, aci->p, 16);
        j->device_id = (uint8_t)DBCELL(&r, i, 2)->i;
        j->urgent = DBCELL(&r, i, 3)->i != 0;
        j->attempts = (int)DBCELL(&r, i, 4)->i;
        j->lease = now_ms + lease_ms;
        struct dbv lp[] = { V_I64(j->lease), V_I64(j->id) };
        e = db_exec(s, NULL, SQL_LEASE, lp, DB_NPARAMS(lp), NULL);
        if (e != E_OK)
            return e;
    }
    *out = jobs;
    *n = r.nrows;
    return E_OK;
}

static enum err
load_device(struct store *s, struct arena *a, struct push_job *j)
{
    struct dbv p[] = { V_BLOB(j->aci, 16), V_I64(j->device_id) };
    struct dbres r;
    enum err e = db_exec(s, a, SQL_DEVICE, p, DB_NPARAMS(p), &r);
    const struct dbv *apn, *gcm, *bg;

    j->kind = PUSH_NONE;
    j->token = NULL;
    j->last_background_ms = 0;
    if (e != E_OK || r.nrows == 0)
        return e;
    apn = DBCELL(&r, 0, 0);
    gcm = DBCELL(&r, 0, 1);
    bg = DBCELL(&r, 0, 2);
    /* Signal's PushNotificationManager.getToken: FCM wins when both are somehow set */
    if (gcm->t == DBV_BLOB && gcm->n > 0) {
        j->kind = PUSH_FCM;
        j->token = gcm->p;
    } else if (apn->t == DBV_BLOB && apn->n > 0) {
        j->kind = PUSH_APN;
        j->token = apn->p;
    }
    if (bg->t == DBV_I64)
        j->last_background_ms = bg->i;
    return E_OK;
}

enum err
store_push_claim(struct store *s, struct arena *a, int64_t now_ms, int64_t lease_ms, size_t max,
                 struct push_job **out, size_t *n)
{
    enum err e = E_STORE;

    *out = NULL;
    *n = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        e = db_begin(s);
        if (e == E_OK)
            e = claim_rows(s, a, now_ms, lease_ms, max, out, n);
        if (e == E_OK)
            e = db_commit(s);
        if (e == E_OK)
            break;
        db_rollback(s);
        *out = NULL;
        *n = 0;
        if (!db_retryable(s))
            return e;
    }
    if (e != E_OK)
        return e;
    /* outside the transaction: a device row is read, never locked, by the sender */
    for (size_t i = 0; i < *n && e == E_OK; i++)
        e = load_device(s, a, &(*out)[i]);
    return e;
}

enum err
store_push_done(struct store *s, const struct push_job *j)
{
    struct dbv p[] = { V_I64(j->id), V_I64(j->lease) };

    return db_exec(s, NULL, SQL_DONE, p, DB_NPARAMS(p), NULL);
}

enum err
store_push_retry(struct store *s, const struct push_job *j, int64_t not_before_ms, bool failed)
{
    struct dbv p[] = { V_I64(not_before_ms), V_I64(failed ? 1 : 0), V_I64(j->id),
                       V_I64(j->lease) };

    return db_exec(s, NULL, SQL_RETRY, p, DB_NPARAMS(p), NULL);
}

enum err
store_push_token_clear(struct store *s, const struct push_job *j)
{
    struct dbv p[] = { V_BLOB(j->aci, 16), V_I64(j->device_id), V_STR(j->token) };
    struct dbres r;
    enum err e;

    if (j->token == NULL || j->kind == PUSH_NONE)
        return E_OK;
    e = db_exec(s, NULL, j->kind == PUSH_APN ? SQL_CLEAR_APN : SQL_CLEAR_GCM, p, DB_NPARAMS(p),
                &r);
    if (e == E_OK && r.affected > 0)
        store_account_changed(s, j->aci);   /* cached account records carry the tokens */
    return e;
}

enum err
store_push_background_mark(struct store *s, const struct push_job *j, int64_t when_ms)
{
    struct dbv p[] = { V_BLOB(j->aci, 16), V_I64(j->device_id), V_I64(when_ms) };

    return db_exec(s, NULL, SQL_BG_MARK, p, DB_NPARAMS(p), NULL);
}
