/* Per-device message queues in MariaDB (sql/0004_messages.sql): batched inserts in one
 * transaction (concurrent sends grouped, see store_msgs_insert), paged fetch, delete-by-GUID
 * on ack, queue clearing and the expiry sweep.
 *
 * Ordering: seq is a table-wide AUTO_INCREMENT, and AUTO_INCREMENT values are handed out at
 * INSERT time, not at COMMIT. Two senders to one device could otherwise commit seq 101 before
 * seq 100, and a reader that already paged past 101 would never see 100. store_msgs_insert
 * therefore first takes the recipients' device rows FOR UPDATE (one indexed range per account,
 * in ACI order so concurrent multi-recipient sends cannot deadlock on each other): a second
 * sender to the same device blocks before it allocates its seq, so per device commit order is
 * seq order. The lock also tells which target devices still exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/xmalloc.h"
#include "db.h"
#include "store.h"

#define TX_RETRIES 3
#define INSERT_COLS 10
#define INSERT_BATCH_MAX 32               /* rows per statement: 1, 2, 4, ... 32 */
#define INSERT_BATCH_KINDS 6
#define INSERT_BYTES_MAX (8u << 20)       /* stay well inside max_allowed_packet (16 MiB) */
#define ENVELOPE_CONTENT_TAG 0x42         /* field 8, wire type 2 */

static const char SQL_PAYLOAD_ADD[] =
    "INSERT INTO message_payloads (data, refs, expires_ms) VALUES (?, ?, ?)";
static const char SQL_FETCH[] =
    "SELECT m.seq, m.guid, m.server_ts_ms, m.story, m.urgent, m.envelope, m.shared_id, "
    "m.content_prefix, p.data FROM messages m LEFT JOIN message_payloads p ON p.id = m.shared_id "
    "WHERE m.aci = ? AND m.device_id = ? AND m.seq > ? AND m.expires_ms > ? "
    "ORDER BY m.seq LIMIT ?";
/* One statement, so an ack is one autocommit round trip (MariaDB's DELETE ... RETURNING). */
static const char SQL_DELETE[] =
    "DELETE FROM messages WHERE guid = ? AND aci = ? AND device_id = ? "
    "RETURNING seq, server_ts_ms, story, urgent, envelope, shared_id";
static const char SQL_DELETE_BY_SEQ[] =
    "DELETE FROM messages WHERE aci = ? AND device_id = ? AND seq = ?";
static const char SQL_PAYLOAD_UNREF[] = "UPDATE message_payloads SET refs = refs - 1 WHERE id = ?";
static const char SQL_PAYLOAD_DROP[] = "DELETE FROM message_payloads WHERE id = ? AND refs <= 0";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM messages WHERE aci = ? AND device_id = ?";
static const char SQL_CLEAR_DEVICE[] = "DELETE FROM messages WHERE aci = ? AND device_id = ?";
static const char SQL_CLEAR_ACCOUNT[] = "DELETE FROM messages WHERE aci = ?";
static const char SQL_OLDEST[] =
    "SELECT aci, device_id, seq, expires_ms, shared_id FROM messages ORDER BY seq LIMIT ?";
static const char SQL_OLDEST_PAYLOADS[] =
    "SELECT id, expires_ms FROM message_payloads ORDER BY id LIMIT ?";
static const char SQL_PAYLOAD_DEL[] = "DELETE FROM message_payloads WHERE id = ?";

/* "INSERT ... VALUES (...)" for 1, 2, 4, ... 32 rows. Built once; the pointers stay stable, as
 * the statement cache (keyed by SQL address) requires. */
static char *sql_insert[INSERT_BATCH_KINDS];
static pthread_once_t sql_insert_once = PTHREAD_ONCE_INIT;

static void
build_insert_sql(void)
{
    static const char head[] =
        "INSERT INTO messages (aci, device_id, guid, server_ts_ms, expires_ms, story, urgent, "
        "shared_id, content_prefix, envelope) VALUES ";
    static const char row[] = "(?,?,?,?,?,?,?,?,?,?)";

    for (int k = 0; k < INSERT_BATCH_KINDS; k++) {
        size_t rows = (size_t)1 << k, len = sizeof(head) + rows * sizeof(row);
        char *p = xmalloc(len);

        memcpy(p, head, sizeof(head) - 1);
        size_t off = sizeof(head) - 1;
        for (size_t r = 0; r < rows; r++) {
            if (r > 0)
                p[off++] = ',';
            memcpy(p + off, row, sizeof(row) - 1);
            off += sizeof(row) - 1;
        }
        p[off] = '\0';
        sql_insert[k] = p;
    }
}

/* ---- insert ---- */

struct locked_account {
    const uint8_t *aci;
    uint8_t devices[MAX_DEVICE_ID / 8 + 1];   /* bitmap of existing device ids */
};

static int
cmp_locked(const void *x, const void *y)
{
    return memcmp(((const struct locked_account *)x)->aci, ((const struct locked_account *)y)->aci,
                  16);
}

static bool
device_exists(const struct locked_account *acc, size_t nacc, const struct msg_target *t)
{
    struct locked_account key = { .aci = t->aci };
    const struct locked_account *hit = bsearch(&key, acc, nacc, sizeof(*acc), cmp_locked);

    return hit != NULL && t->device_id <= MAX_DEVICE_ID &&
           (hit->devices[t->device_id / 8] & (1u << (t->device_id % 8))) != 0;
}

/* "SELECT aci, device_id ... WHERE aci IN (k ACIs) ORDER BY aci FOR UPDATE" for 1, 2, 4, ... 32
 * accounts: one statement locks a whole group's device rows, walking the primary key in ACI
 * order (as the one-by-one locking did, so groups still cannot deadlock each other). */
#define LOCK_BATCH_KINDS 6
static char *sql_lock_many[LOCK_BATCH_KINDS];
static pthread_once_t sql_lock_once = PTHREAD_ONCE_INIT;

static void
build_lock_sql(void)
{
    static const char head[] = "SELECT aci, device_id FROM devices WHERE aci IN (";
    static const char tail[] = ") ORDER BY aci, device_id FOR UPDATE";

    for (int k = 0; k < LOCK_BATCH_KINDS; k++) {
        size_t rows = (size_t)1 << k;
        char *p = xmalloc(sizeof(head) + sizeof(tail) + rows * 2), *w = p;

        w += sprintf(w, "%s", head);
        for (size_t r = 0; r < rows; r++)
            w += sprintf(w, r > 0 ? ",?" : "?");
        sprintf(w, "%s", tail);
        sql_lock_many[k] = p;
    }
}

/* acc[0..nacc) is sorted by ACI and without duplicates. */
static enum err
lock_accounts(struct store *s, struct arena *a, struct locked_account *acc, size_t nacc)
{
    struct dbv p[1 << (LOCK_BATCH_KINDS - 1)];
    size_t i = 0;

    pthread_once(&sql_lock_once, build_lock_sql);
    for (size_t q = 0; q < nacc; q++)
        memset(acc[q].devices, 0, sizeof(acc[q].devices));
    while (i < nacc) {
        int k = LOCK_BATCH_KINDS - 1;
        size_t rows;
        struct dbres r;
        enum err e;

        while (((size_t)1 << k) > nacc - i)
            k--;
        rows = (size_t)1 << k;
        for (size_t j = 0; j < rows; j++)
            p[j] = V_BLOB(acc[i + j].aci, 16);
        e = db_exec(s, a, sql_lock_many[k], p, rows, &r);
        if (e != E_OK)
            return e;
        for (size_t row = 0; row < r.nrows; row++) {
            const struct dbv *c = DBCELL(&r, row, 0);
            int64_t d = c[1].i;
            struct locked_account key, *hit;

            if (c[0].t != DBV_BLOB || c[0].n != 16 || d < 0 || d > MAX_DEVICE_ID)
                continue;
            key.aci = c[0].p;
            hit = bsearch(&key, acc + i, rows, sizeof(*acc), cmp_locked);
            if (hit != NULL)
                hit->devices[d / 8] |= (uint8_t)(1u << (d % 8));
        }
        i += rows;
    }
    return E_OK;
}

/* Insert rows keep[0..nkeep) of m in as few statements as the batch sizes allow. */
static enum err
insert_rows(struct store *s, const struct msg_new *m, const size_t *keep, size_t nkeep,
            int64_t shared_id)
{
    struct dbv *p = xcalloc((size_t)INSERT_BATCH_MAX * INSERT_COLS, sizeof(*p));
    enum err e = E_OK;
    size_t i = 0;

    while (e == E_OK && i < nkeep) {
        int k = INSERT_BATCH_KINDS - 1;
        size_t rows, bytes;

        /* largest power of two that fits the remaining rows and the byte budget */
        for (;;) {
            rows = (size_t)1 << k;
            bytes = 0;
            if (rows <= nkeep - i) {
                for (size_t r = 0; r < rows; r++)
                    bytes += m[keep[i + r]].env_len;
                if (bytes <= INSERT_BYTES_MAX || k == 0)
                    break;
            }
            k--;
        }
        for (size_t r = 0; r < rows; r++) {
            const struct msg_new *x = &m[keep[i + r]];
            struct dbv *v = &p[r * INSERT_COLS];
            v[0] = V_BLOB(x->to.aci, 16);
            v[1] = V_I64(x->to.device_id);
            v[2] = V_BLOB(x->guid, 16);
            v[3] = V_I64(x->server_ts_ms);
            v[4] = V_I64(x->server_ts_ms + MSG_RETENTION_MS);
            v[5] = V_I64(x->story);
            v[6] = V_I64(x->urgent);
            v[7] = shared_id > 0 ? V_I64(shared_id) : V_NULL;
            v[8] = x->content_prefix ? V_BLOB(x->content_prefix, x->content_prefix_len) : V_NULL;
            v[9] = V_BLOB(x->env, x->env_len);
        }
        e = db_exec(s, NULL, sql_insert[k], p, rows * INSERT_COLS, NULL);
        i += rows;
    }
    free(p);
    return e;
}

/* Group commit: concurrent store_msgs_insert() calls of one process (relay workers, FastCGI
 * threads) queue their sends; up to GROUP_LEADERS callers at a time each take what is queued
 * (up to GROUP_ROWS_MAX rows) and write it in one transaction on their own connection, so a
 * busy process pays one BEGIN / lock / INSERT / COMMIT (and one log flush) for many sends
 * instead of one per send. Every caller still returns only after its rows committed. The
 * accounts of the whole group are locked in ACI order, as for a single send, so groups cannot
 * deadlock each other; within a group rows are written in queue order, so one device's
 * envelopes keep their arrival order. When a group fails for good, its sends are retried one
 * by one, so one bad send cannot fail the others. Each caller sleeps on its own condition and
 * is woken only when its send committed or it is its turn to lead (no herd of 16 workers on
 * every commit). */
#define GROUP_LEADERS 2
#define GROUP_ROWS_MAX 256
#define GROUP_WANT 6            /* a leader gathers until this many sends are queued... */
#define GROUP_WAIT_US 200       /* ...or this long, only while another group is out */

struct ins_req {
    struct ins_req *next;
    const struct msg_shared *shared;
    const struct msg_new *m;
    size_t n;
    enum err e;
    bool done;
    pthread_cond_t cv;          /* this caller's wake-up: done, or its turn to lead */
};

static pthread_mutex_t group_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ins_req *group_head, *group_tail;
static int group_leaders;
static size_t group_queued;                /* sends queued, not yet taken by a leader */
static size_t stat_groups, stat_sends;     /* for the debug log: sends per transaction */
static struct ins_req *group_gathering;   /* a leader waiting for more sends */

/* One transaction for every send in reqs[0..nreq). */
static enum err
insert_group(struct store *s, struct ins_req *const *reqs, size_t nreq)
{
    struct arena *a = arena_new(8192);
    struct locked_account *acc;
    struct msg_new *flat;
    size_t nacc = 0, total = 0, *keep, nkeep = 0, *rkeep;
    enum err e = E_STORE;

    for (size_t r = 0; r < nreq; r++)
        total += reqs[r]->n;
    acc = arena_alloc(a, total * sizeof(*acc));
    flat = arena_alloc(a, total * sizeof(*flat));
    keep = arena_alloc(a, total * sizeof(*keep));
    rkeep = arena_alloc(a, total * sizeof(*rkeep));
    for (size_t r = 0, k = 0; r < nreq; r++)
        for (size_t i = 0; i < reqs[r]->n; i++, k++) {
            flat[k] = reqs[r]->m[i];
            acc[nacc++].aci = flat[k].to.aci;
        }
    qsort(acc, nacc, sizeof(*acc), cmp_locked);
    {
        size_t w = 0;
        for (size_t i = 0; i < nacc; i++)
            if (w == 0 || memcmp(acc[w - 1].aci, acc[i].aci, 16) != 0)
                acc[w++] = acc[i];
        nacc = w;
    }

    for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
        size_t k = 0;

        e = db_begin(s);
        if (e == E_OK)
            e = lock_accounts(s, a, acc, nacc);
        nkeep = 0;
        /* Sends without a shared payload go into common multi-row INSERTs; a multi-recipient
         * send has its payload row and its own INSERTs (its rows point at that payload). */
        for (size_t r = 0; e == E_OK && r < nreq; r++) {
            size_t nr = 0;

            for (size_t i = 0; i < reqs[r]->n; i++, k++)
                if (device_exists(acc, nacc, &flat[k].to))
                    rkeep[nr++] = k;
            if (reqs[r]->shared == NULL) {
                memcpy(keep + nkeep, rkeep, nr * sizeof(*keep));
                nkeep += nr;
            } else if (nr > 0) {
                struct dbv p[] = { V_BLOB(reqs[r]->shared->data, reqs[r]->shared->len),
                                   V_I64(nr), V_I64(now_ms() + MSG_SHARED_RETENTION_MS) };
                struct dbres res;

                /* flush the common rows first: queue order is seq order per device */
                if (nkeep > 0)
                    e = insert_rows(s, flat, keep, nkeep, 0);
                nkeep = 0;
                if (e == E_OK)
                    e = db_exec(s, NULL, SQL_PAYLOAD_ADD, p, DB_NPARAMS(p), &res);
                if (e == E_OK)
                    e = insert_rows(s, flat, rkeep, nr, (int64_t)res.insert_id);
            }
            if (nr < reqs[r]->n)
                log_debug("store: %zu of %zu envelopes addressed to removed devices",
                          reqs[r]->n - nr, reqs[r]->n);
        }
        if (e == E_OK && nkeep > 0)
            e = insert_rows(s, flat, keep, nkeep, 0);
        if (e == E_OK)
            e = db_commit(s);
        if (e == E_OK)
            break;
        db_rollback(s);
        if (!db_retryable(s))
            break;
    }
    arena_free(a);
    return e;
}

/* Wake the caller at the head of the queue to lead, when a leader slot is free. */
static void
group_kick(void)
{
    if (group_head != NULL && group_leaders < GROUP_LEADERS)
        pthread_cond_signal(&group_head->cv);
}

enum err
store_msgs_insert(struct store *s, const struct msg_shared *shared, const struct msg_new *m,
                  size_t n)
{
    struct ins_req me = { .shared = shared, .m = m, .n = n };

    if (n == 0)
        return E_OK;
    pthread_once(&sql_insert_once, build_insert_sql);
    pthread_cond_init(&me.cv, NULL);
    pthread_mutex_lock(&group_mu);
    if (group_tail != NULL)
        group_tail->next = &me;
    else
        group_head = &me;
    group_tail = &me;
    group_queued++;
    if (group_gathering != NULL && group_queued >= GROUP_WANT)
        pthread_cond_signal(&group_gathering->cv);
    while (!me.done) {
        struct ins_req *group[GROUP_ROWS_MAX];
        size_t ng = 0, rows = 0;
        enum err e;

        if (group_leaders >= GROUP_LEADERS || group_head == NULL) {
            pthread_cond_wait(&me.cv, &group_mu);
            continue;
        }
        group_leaders++;
        /* Another group is being written: gather a little longer, so that more sends share
         * this commit. An idle process (no other group out) commits at once. */
        if (group_leaders > 1 && group_queued < GROUP_WANT && group_gathering == NULL) {
            struct timespec until;

            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += GROUP_WAIT_US * 1000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            group_gathering = &me;
            while (group_queued < GROUP_WANT && !me.done &&
                   pthread_cond_timedwait(&me.cv, &group_mu, &until) == 0)
                ;
            group_gathering = NULL;
            if (group_head == NULL) {
                group_leaders--;
                group_kick();
                continue;
            }
        }
        /* lead: take queued sends (at least one) up to the row budget */
        while (group_head != NULL && ng < GROUP_ROWS_MAX &&
               (ng == 0 || rows + group_head->n <= GROUP_ROWS_MAX)) {
            rows += group_head->n;
            group[ng++] = group_head;
            group_head = group_head->next;
        }
        if (group_head == NULL)
            group_tail = NULL;
        group_queued -= ng;
        stat_sends += ng;
        if (++stat_groups % 10000 == 0)
            log_debug("store: %zu send groups, %.2f sends per transaction", stat_groups,
                      (double)stat_sends / (double)stat_groups);
        group_kick();                   /* more queued and a slot free: the next leads */
        pthread_mutex_unlock(&group_mu);
        e = insert_group(s, group, ng);
        if (e != E_OK && ng > 1) {
            for (size_t i = 0; i < ng; i++)
                group[i]->e = insert_group(s, &group[i], 1);
        } else {
            for (size_t i = 0; i < ng; i++)
                group[i]->e = e;
        }
        pthread_mutex_lock(&group_mu);
        group_leaders--;
        for (size_t i = 0; i < ng; i++) {
            group[i]->done = true;
            if (group[i] != &me)
                pthread_cond_signal(&group[i]->cv);
        }
        group_kick();
    }
    pthread_mutex_unlock(&group_mu);
    pthread_cond_destroy(&me.cv);
    return me.e;
}

/* ---- fetch ---- */

/* env || content field: proto2 readers accept fields in any order, so a shared row's content is
 * appended to the stored envelope without re-encoding it. */
static uint8_t *
append_content(struct arena *a, const struct dbv *env, const struct dbv *prefix,
               const struct dbv *data, size_t *len)
{
    size_t clen = prefix->n + data->n, n = env->n;
    uint8_t *out = arena_alloc(a, env->n + 11 + clen);

    memcpy(out, env->p, env->n);
    out[n++] = ENVELOPE_CONTENT_TAG;
    for (size_t v = clen;; v >>= 7) {
        if (v < 0x80) {
            out[n++] = (uint8_t)v;
            break;
        }
        out[n++] = (uint8_t)(v | 0x80);
    }
    if (prefix->n > 0)
        memcpy(out + n, prefix->p, prefix->n);
    memcpy(out + n + prefix->n, data->p, data->n);
    *len = n + clen;
    return out;
}

/* One fetched row (columns c[0..8] as SQL_FETCH) into *m; false when it is skipped (bad GUID,
 * or a multi-recipient row whose shared payload expired, which is dropped). */
static bool
fetch_row(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
          const struct dbv *c, struct msg_rec *m)
{
    m->seq = c[0].i;
    if (c[1].t != DBV_BLOB || c[1].n != 16)
        return false;
    memcpy(m->guid, c[1].p, 16);
    m->server_ts_ms = c[2].i;
    m->story = c[3].i != 0;
    m->urgent = c[4].i != 0;
    if (c[6].t == DBV_NULL) {
        m->env = c[5].p;
        m->env_len = c[5].n;
    } else if (c[8].t == DBV_BLOB) {
        m->env = append_content(a, &c[5], &c[7], &c[8], &m->env_len);
    } else {
        /* The shared payload expired (7 days) before this row (30): the reference discards
         * such rows, so do that instead of delivering an envelope without content. */
        struct dbv d[] = { V_BLOB(aci, 16), V_I64(device_id), V_I64(m->seq) };
        if (db_exec(s, NULL, SQL_DELETE_BY_SEQ, d, DB_NPARAMS(d), NULL) != E_OK)
            log_warnx("store: cannot drop an orphaned multi-recipient row");
        return false;
    }
    return true;
}

enum err
store_msgs_fetch(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                 int64_t after_seq, size_t limit, struct msg_rec **out, size_t *n)
{
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(device_id), V_I64(after_seq), V_I64(now_ms()),
                       V_I64(limit) };
    struct dbres r;
    enum err e;

    *out = NULL;
    *n = 0;
    if (limit == 0)
        return E_OK;
    e = db_exec(s, a, SQL_FETCH, p, DB_NPARAMS(p), &r);
    if (e != E_OK)
        return e;
    *out = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < r.nrows; i++)
        if (fetch_row(s, a, aci, device_id, DBCELL(&r, i, 0), &(*out)[*n]))
            (*n)++;
    return E_OK;
}

/* "(SELECT ? AS k, <SQL_FETCH columns> ... LIMIT ?) UNION ALL ..." for 1, 2, 4, ... 32
 * devices; each subquery walks its device's primary key range. Built once (stable addresses
 * for the statement cache). */
#define FETCH_BATCH_KINDS 6
#define FETCH_BATCH_MAX (1 << (FETCH_BATCH_KINDS - 1))
#define FETCH_COLS 6

static char *sql_fetch_many[FETCH_BATCH_KINDS];
static pthread_once_t sql_fetch_once = PTHREAD_ONCE_INIT;

static void
build_fetch_sql(void)
{
    static const char sub[] =
        "(SELECT CAST(? AS SIGNED) AS k, m.seq, m.guid, m.server_ts_ms, m.story, m.urgent, "
        "m.envelope, m.shared_id, m.content_prefix, p.data FROM messages m "
        "LEFT JOIN message_payloads p ON p.id = m.shared_id "
        "WHERE m.aci = ? AND m.device_id = ? AND m.seq > ? AND m.expires_ms > ? "
        "ORDER BY m.seq LIMIT ?)";
    static const char sep[] = " UNION ALL ";

    for (int k = 0; k < FETCH_BATCH_KINDS; k++) {
        size_t rows = (size_t)1 << k, len = rows * (sizeof(sub) + sizeof(sep)) + 1;
        char *p = xmalloc(len);
        size_t off = 0;

        for (size_t r = 0; r < rows; r++) {
            if (r > 0) {
                memcpy(p + off, sep, sizeof(sep) - 1);
                off += sizeof(sep) - 1;
            }
            memcpy(p + off, sub, sizeof(sub) - 1);
            off += sizeof(sub) - 1;
        }
        p[off] = '\0';
        sql_fetch_many[k] = p;
    }
}

static int
cmp_rec_seq(const void *x, const void *y)
{
    int64_t a = ((const struct msg_rec *)x)->seq, b = ((const struct msg_rec *)y)->seq;

    return a < b ? -1 : a > b;
}

enum err
store_msgs_fetch_many(struct store *s, struct arena *a, struct msg_fetch *f, size_t n)
{
    struct dbv p[FETCH_BATCH_MAX * FETCH_COLS];
    size_t *wanted = arena_alloc(a, (n ? n : 1) * sizeof(*wanted)), nwanted = 0, i = 0;
    int64_t now = now_ms();
    enum err e = E_OK;

    pthread_once(&sql_fetch_once, build_fetch_sql);
    for (size_t q = 0; q < n; q++) {
        f[q].msgs = NULL;
        f[q].nmsgs = 0;
        if (f[q].limit > 0) {
            f[q].msgs = arena_alloc(a, f[q].limit * sizeof(*f[q].msgs));
            wanted[nwanted++] = q;
        }
    }
    while (e == E_OK && i < nwanted) {
        int k = FETCH_BATCH_KINDS - 1;
        size_t rows;
        struct dbres r;

        while (((size_t)1 << k) > nwanted - i)
            k--;
        rows = (size_t)1 << k;
        for (size_t j = 0; j < rows; j++) {
            struct msg_fetch *x = &f[wanted[i + j]];
            struct dbv *v = &p[j * FETCH_COLS];
            v[0] = V_I64((int64_t)wanted[i + j]);
            v[1] = V_BLOB(x->aci, 16);
            v[2] = V_I64(x->device_id);
            v[3] = V_I64(x->after_seq);
            v[4] = V_I64(now);
            v[5] = V_I64(x->limit);
        }
        e = db_exec(s, a, sql_fetch_many[k], p, rows * FETCH_COLS, &r);
        for (size_t row = 0; e == E_OK && row < r.nrows; row++) {
            const struct dbv *c = DBCELL(&r, row, 0);
            struct msg_fetch *x;

            if (c[0].t != DBV_I64 || c[0].i < 0 || (size_t)c[0].i >= n)
                continue;
            x = &f[c[0].i];
            if (x->nmsgs >= x->limit)
                continue;
            if (fetch_row(s, a, x->aci, x->device_id, c + 1, &x->msgs[x->nmsgs]))
                x->nmsgs++;
        }
        i += rows;
    }
    /* UNION ALL keeps each subquery's order in practice; SQL does not promise it */
    for (size_t q = 0; e == E_OK && q < n; q++)
        if (f[q].nmsgs > 1)
            qsort(f[q].msgs, f[q].nmsgs, sizeof(*f[q].msgs), cmp_rec_seq);
    return e;
}

/* ---- delete ---- */

static void
payload_unref(struct store *s, int64_t id)
{
    struct dbv k = V_I64(id);

    /* Best effort: a payload left behind is removed by the expiry sweep. */
    if (db_exec(s, NULL, SQL_PAYLOAD_UNREF, &k, 1, NULL) != E_OK ||
        db_exec(s, NULL, SQL_PAYLOAD_DROP, &k, 1, NULL) != E_OK)
        log_warnx("store: cannot release shared payload %lld", (long long)id);
}

enum err
store_msgs_delete(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                  const uint8_t guid[16], struct msg_rec *gone)
{
    struct dbv p[] = { V_BLOB(guid, 16), V_BLOB(aci, 16), V_I64(device_id) };
    struct dbres r;
    enum err e = db_exec(s, a, SQL_DELETE, p, DB_NPARAMS(p), &r);

    if (gone != NULL)
        memset(gone, 0, sizeof(*gone));
    if (e != E_OK)
        return e;
    if (r.nrows == 0)
        return E_NOT_FOUND;
    const struct dbv *c = DBCELL(&r, 0, 0);
    if (gone != NULL) {
        /* For a multi-recipient row this is the envelope without its content: receipts need
         * only its source and timestamp fields. */
        gone->seq = c[0].i;
        memcpy(gone->guid, guid, 16);
        gone->server_ts_ms = c[1].i;
        gone->story = c[2].i != 0;
        gone->urgent = c[3].i != 0;
        gone->env = c[4].p;
        gone->env_len = c[4].n;
    }
    if (c[5].t == DBV_I64)
        payload_unref(s, c[5].i);
    return E_OK;
}

/* ---- delete many (batched acks) ---- */

#define DELETE_BATCH_KINDS 7              /* rows per statement: 1, 2, 4, ... 64 */
#define DELETE_BATCH_MAX (1 << (DELETE_BATCH_KINDS - 1))

static const char SQL_PAYLOAD_UNREF_N[] =
    "UPDATE message_payloads SET refs = refs - ? WHERE id = ?";

/* "DELETE ... WHERE guid IN (k GUIDs) AND ((aci, device, guid) matches one key) RETURNING" for
 * 1, 2, 4, ... 64 keys: the IN list walks the unique GUID index, the OR keeps a GUID acked by
 * another device from removing the row. Built once (stable addresses for the statement cache). */
static char *sql_delete_many[DELETE_BATCH_KINDS];
static pthread_once_t sql_delete_once = PTHREAD_ONCE_INIT;

static void
build_delete_sql(void)
{
    static const char head[] = "DELETE FROM messages WHERE guid IN (";
    static const char mid[] = ") AND (";
    static const char match[] = "(aci=? AND device_id=? AND guid=?)";
    static const char tail[] =
        ") RETURNING guid, aci, device_id, seq, server_ts_ms, story, urgent, envelope, shared_id";

    for (int k = 0; k < DELETE_BATCH_KINDS; k++) {
        size_t rows = (size_t)1 << k;
        size_t len = sizeof(head) + sizeof(mid) + sizeof(tail) + rows * (sizeof(match) + 6);
        char *p = xmalloc(len), *w = p;

        w += sprintf(w, "%s", head);
        for (size_t r = 0; r < rows; r++)
            w += sprintf(w, r > 0 ? ",?" : "?");
        w += sprintf(w, "%s", mid);
        for (size_t r = 0; r < rows; r++)
            w += sprintf(w, "%s%s", r > 0 ? " OR " : "", match);
        sprintf(w, "%s", tail);
        sql_delete_many[k] = p;
    }
}

struct del_key {
    const struct msg_key *k;
    size_t idx;                           /* position in the caller's array */
};

static int
cmp_del_key(const void *x, const void *y)
{
    return memcmp(((const struct del_key *)x)->k->guid, ((const struct del_key *)y)->k->guid, 16);
}

struct payload_ref {
    int64_t id;
    int64_t n;
};

static int
cmp_payload_ref(const void *x, const void *y)
{
    int64_t a = ((const struct payload_ref *)x)->id, b = ((const struct payload_ref *)y)->id;

    return a < b ? -1 : a > b;
}

/* One DELETE for dk[0..rows) (autocommit: its row locks last one statement, and the keys are
 * in GUID order, so concurrent batches and sends rarely collide; a deadlock victim is simply
 * run again). Fills gone[] and counts the shared payload references released. */
static enum err
delete_chunk(struct store *s, struct arena *a, const struct del_key *dk, int k,
             struct msg_rec *gone, size_t *ngone, struct payload_ref *refs, size_t *nrefs)
{
    size_t rows = (size_t)1 << k;
    struct dbv *p = arena_alloc(a, rows * 4 * sizeof(*p));
    struct dbres r;
    enum err e = E_STORE;

    for (size_t j = 0; j < rows; j++) {
        const struct msg_key *x = dk[j].k;
        p[j] = V_BLOB(x->guid, 16);
        p[rows + 3 * j] = V_BLOB(x->aci, 16);
        p[rows + 3 * j + 1] = V_I64(x->device_id);
        p[rows + 3 * j + 2] = V_BLOB(x->guid, 16);
    }
    for (int attempt = 0; attempt < TX_RETRIES + 2; attempt++) {
        e = db_exec(s, a, sql_delete_many[k], p, rows * 4, &r);
        if (e == E_OK || !db_retryable(s))
            break;
    }
    for (size_t row = 0; e == E_OK && row < r.nrows; row++) {
        const struct dbv *c = DBCELL(&r, row, 0);
        size_t j;

        if (c[0].t != DBV_BLOB || c[0].n != 16)
            continue;
        for (j = 0; j < rows && memcmp(dk[j].k->guid, c[0].p, 16) != 0; j++)
            ;
        if (j == rows)
            continue;
        struct msg_rec *g = &gone[dk[j].idx];
        if (g->env != NULL)
            continue;                     /* the same GUID twice in the batch */
        g->seq = c[3].i;
        memcpy(g->guid, c[0].p, 16);
        g->server_ts_ms = c[4].i;
        g->story = c[5].i != 0;
        g->urgent = c[6].i != 0;
        g->env = c[7].n > 0 ? c[7].p : (const uint8_t *)"";
        g->env_len = c[7].n;
        (*ngone)++;
        if (c[8].t == DBV_I64) {
            size_t q;
            for (q = 0; q < *nrefs && refs[q].id != c[8].i; q++)
                ;
            if (q == *nrefs)
                refs[(*nrefs)++] = (struct payload_ref){ .id = c[8].i, .n = 0 };
            refs[q].n++;
        }
    }
    return e;
}

enum err
store_msgs_delete_many(struct store *s, struct arena *a, const struct msg_key *keys, size_t n,
                       struct msg_rec *gone, size_t *ngone)
{
    struct del_key *dk;
    struct payload_ref *refs;
    size_t nrefs = 0, i = 0;
    enum err e = E_OK;

    *ngone = 0;
    memset(gone, 0, n * sizeof(*gone));
    if (n == 0)
        return E_OK;
    pthread_once(&sql_delete_once, build_delete_sql);
    dk = arena_alloc(a, n * sizeof(*dk));
    refs = arena_alloc(a, n * sizeof(*refs));
    for (size_t q = 0; q < n; q++)
        dk[q] = (struct del_key){ .k = &keys[q], .idx = q };
    qsort(dk, n, sizeof(*dk), cmp_del_key);
    /* Chunks of 64, 32, ... 1 keys. A chunk that fails leaves its rows queued (the device gets
     * them again on its next connection) but does not stop the others. */
    while (i < n) {
        int k = DELETE_BATCH_KINDS - 1;
        enum err ce;

        while (((size_t)1 << k) > n - i)
            k--;
        ce = delete_chunk(s, a, dk + i, k, gone, ngone, refs, &nrefs);
        if (ce != E_OK)
            e = ce;
        i += (size_t)1 << k;
    }
    /* Best effort, after the rows went and in id order (no lock cycles between batches): a
     * payload left behind is removed by the expiry sweep, as with store_msgs_delete. */
    qsort(refs, nrefs, sizeof(*refs), cmp_payload_ref);
    for (size_t q = 0; q < nrefs; q++) {
        struct dbv u[] = { V_I64(refs[q].n), V_I64(refs[q].id) };

        if (db_exec(s, NULL, SQL_PAYLOAD_UNREF_N, u, DB_NPARAMS(u), NULL) != E_OK ||
            db_exec(s, NULL, SQL_PAYLOAD_DROP, &u[1], 1, NULL) != E_OK)
            log_warnx("store: cannot release shared payload %lld", (long long)refs[q].id);
    }
    return e;
}

/* ---- counting, clearing, expiry ---- */

enum err
store_msgs_count(struct store *s, const uint8_t aci[16], uint8_t device_id, size_t *n)
{
    struct arena *a = arena_new(512);
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(device_id) };
    struct dbres r;
    enum err e = db_exec(s, a, SQL_COUNT, p, DB_NPARAMS(p), &r);

    *n = 0;
    if (e == E_OK && r.nrows == 1)
        *n = (size_t)DBCELL(&r, 0, 0)->i;
    arena_free(a);
    return e;
}

enum err
store_msgs_clear(struct store *s, const uint8_t aci[16], int device_id)
{
    struct dbv p[] = { V_BLOB(aci, 16), V_I64(device_id) };

    /* XXX: shared payloads referenced by the cleared rows keep their reference count and go
     * with the expiry sweep (at most 7 days later). */
    if (device_id < 0)
        return db_exec(s, NULL, SQL_CLEAR_ACCOUNT, p, 1, NULL);
    return db_exec(s, NULL, SQL_CLEAR_DEVICE, p, DB_NPARAMS(p), NULL);
}

/* Rows come in seq order, which is arrival order and with a uniform retention also expiry
 * order, so the sweep reads the oldest rows and stops at the first one still alive; no index
 * on the expiry column is needed. */
static enum err
expire_messages(struct store *s, struct arena *a, int64_t now, size_t max, size_t *removed)
{
    struct dbv lim = V_I64(max);
    struct dbres r;
    enum err e = db_exec(s, a, SQL_OLDEST, &lim, 1, &r);

    for (size_t i = 0; e == E_OK && i < r.nrows; i++) {
        const struct dbv *c = DBCELL(&r, i, 0);
        if (c[3].i > now)
            return E_OK;
        struct dbv d[] = { V_BLOB(c[0].p, c[0].n), V_I64(c[1].i), V_I64(c[2].i) };
        e = db_exec(s, NULL, SQL_DELETE_BY_SEQ, d, DB_NPARAMS(d), NULL);
        if (e == E_OK && c[4].t == DBV_I64)
            payload_unref(s, c[4].i);
        (*removed)++;
    }
    return e;
}

enum err
store_msgs_expire(struct store *s, int64_t now, size_t max, size_t *removed)
{
    struct arena *a = arena_new(8192);
    struct dbv lim = V_I64(max);
    struct dbres r;
    enum err e;

    *removed = 0;
    e = expire_messages(s, a, now, max, removed);
    if (e == E_OK && *removed < max)
        e = db_exec(s, a, SQL_OLDEST_PAYLOADS, &lim, 1, &r);
    else
        r.nrows = 0;
    for (size_t i = 0; e == E_OK && i < r.nrows && *removed < max; i++) {
        if (DBCELL(&r, i, 1)->i > now)
            break;
        struct dbv k = V_I64(DBCELL(&r, i, 0)->i);
        e = db_exec(s, NULL, SQL_PAYLOAD_DEL, &k, 1, NULL);
        (*removed)++;
    }
    arena_free(a);
    return e;
}
