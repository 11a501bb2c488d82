/* MariaDB Connector/C plumbing. Every query is a prepared statement: no SQL is ever built from
 * request data. Statements are prepared once per connection and kept in a small open-addressed
 * cache keyed by the address of the SQL literal. */
#include "db.h"

#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "account_cache.h"
#include "store_int.h"

static MYSQL_STMT *
stmt_get(struct store *s, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;

    for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
        struct stmt_slot *sl = &s->stmts[(h + i) % STMT_CACHE_SIZE];
        if (sl->sql == sql)
            return sl->stmt;
        if (sl->sql == NULL) {
            MYSQL_STMT *st = mysql_stmt_init(s->my);
            if (st == NULL)
                return NULL;
            if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
                log_warnx("store: prepare failed: %s", mysql_stmt_error(st));
                s->last_errno = mysql_stmt_errno(st);
                mysql_stmt_close(st);
                return NULL;
            }
            my_bool on = 1;
            mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
            sl->sql = sql;
            sl->stmt = st;
            return st;
        }
    }
    fatalx("store: statement cache full");
}

static void
bind_params(MYSQL_BIND *b, const struct dbv *p, size_t n, my_bool *isnull)
{
    for (size_t i = 0; i < n; i++) {
        memset(&b[i], 0, sizeof(b[i]));
        switch (p[i].t) {
        case DBV_NULL:
            b[i].buffer_type = MYSQL_TYPE_NULL;
            isnull[i] = 1;
            b[i].is_null = &isnull[i];
            break;
        case DBV_I64:
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = (void *)&p[i].i;
            break;
        case DBV_BLOB:
            b[i].buffer_type = MYSQL_TYPE_BLOB;
            b[i].buffer = (void *)(p[i].p ? p[i].p : "");
            b[i].buffer_length = p[i].n;
            break;
        case DBV_STR:
            b[i].buffer_type = MYSQL_TYPE_STRING;
            b[i].buffer = (void *)p[i].p;
            b[i].buffer_length = p[i].n;
            break;
        }
    }
}

static enum err
fail(struct store *s, MYSQL_STMT *st, const char *sql)
{
    unsigned no = mysql_stmt_errno(st);

    s->last_errno = no;
    if (no == ER_DUP_ENTRY)
        return E_CONFLICT;
    log_warnx("store: %.60s...: %s (%u)", sql, mysql_stmt_error(st), no);
    return E_STORE;
}

static int
is_int_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
           t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR;
}

static enum err
fetch_all(struct store *s, MYSQL_STMT *st, MYSQL_RES *meta, struct arena *a, const char *sql,
          struct dbres *out)
{
    unsigned nc = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND *b;
    unsigned long *len;
    my_bool *isnull;
    size_t cap, r = 0;

    cap = (size_t)mysql_stmt_num_rows(st);
    out->ncols = nc;
    out->v = arena_alloc(a, (cap ? cap : 1) * nc * sizeof(struct dbv));
    b = arena_alloc(a, nc * sizeof(*b));
    len = arena_alloc(a, nc * sizeof(*len));
    isnull = arena_alloc(a, nc * sizeof(*isnull));
    for (unsigned c = 0; c < nc; c++) {
        b[c].length = &len[c];
        b[c].is_null = &isnull[c];
        if (is_int_type(f[c].type)) {
            b[c].buffer_type = MYSQL_TYPE_LONGLONG;
            b[c].buffer = arena_alloc(a, sizeof(int64_t));
            b[c].is_unsigned = 0;
        } else {
            b[c].buffer_type = MYSQL_TYPE_BLOB;
            b[c].buffer_length = f[c].max_length + 1;
            b[c].buffer = arena_alloc(a, b[c].buffer_length);
        }
    }
    if (mysql_stmt_bind_result(st, b) != 0)
        return fail(s, st, sql);
    while (r < cap) {
        int rc = mysql_stmt_fetch(st);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1)
            return fail(s, st, sql);
        for (unsigned c = 0; c < nc; c++) {
            struct dbv *v = &out->v[r * nc + c];
            if (isnull[c]) {
                v->t = DBV_NULL;
            } else if (b[c].buffer_type == MYSQL_TYPE_LONGLONG) {
                v->t = DBV_I64;
                memcpy(&v->i, b[c].buffer, sizeof(int64_t));
            } else {
                v->t = DBV_BLOB;
                v->n = len[c];
                v->p = arena_strndup(a, b[c].buffer, len[c]); /* NUL-terminated copy */
            }
        }
        r++;
    }
    out->nrows = r;
    mysql_stmt_free_result(st);
    return E_OK;
}

/* After a lost connection the server forgets every prepared statement: drop the cache and
 * reconnect (MYSQL_OPT_RECONNECT makes mysql_ping do it). */
static void
reset_connection(struct store *s)
{
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
        if (s->stmts[i].stmt != NULL)
            mysql_stmt_close(s->stmts[i].stmt);
        s->stmts[i].stmt = NULL;
        s->stmts[i].sql = NULL;
    }
    (void)mysql_ping(s->my);
}

static int
connection_lost(unsigned no)
{
    return no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST || no == ER_UNKNOWN_STMT_HANDLER ||
           no == CR_CONN_HOST_ERROR || no == CR_CONNECTION_ERROR;
}

static enum err exec_once(struct store *s, struct arena *a, const char *sql,
                          const struct dbv *params, size_t nparams, struct dbres *out);

enum err
db_exec(struct store *s, struct arena *a, const char *sql, const struct dbv *params,
        size_t nparams, struct dbres *out)
{
    enum err e = exec_once(s, a, sql, params, nparams, out);

    /* Retry once on a fresh connection, but never inside a transaction (its work is gone). */
    if (e == E_STORE && connection_lost(s->last_errno) && !s->in_tx) {
        log_warnx("store: connection lost, reconnecting");
        reset_connection(s);
        e = exec_once(s, a, sql, params, nparams, out);
    }
    return e;
}

static enum err
exec_once(struct store *s, struct arena *a, const char *sql, const struct dbv *params,
          size_t nparams, struct dbres *out)
{
    MYSQL_STMT *st = stmt_get(s, sql);
    MYSQL_BIND pb_small[32], *pb = pb_small;
    my_bool isnull_small[32], *isnull = isnull_small;
    MYSQL_RES *meta;
    struct dbres dummy;
    enum err e = E_OK;

    s->last_errno = 0;
    if (out == NULL)
        out = &dummy;
    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return E_STORE;
    if (nparams > DB_MAX_PARAMS || nparams != mysql_stmt_param_count(st))
        fatalx("store: parameter count mismatch for %.60s", sql);
    if (nparams > 32) {
        /* multi-row INSERTs (messages_db.c); the binds must live until execute returns */
        pb = xcalloc(nparams, sizeof(*pb));
        isnull = xcalloc(nparams, sizeof(*isnull));
    }
    if (nparams > 0) {
        bind_params(pb, params, nparams, isnull);
        if (mysql_stmt_bind_param(st, pb) != 0)
            e = fail(s, st, sql);
    }
    if (e == E_OK && mysql_stmt_execute(st) != 0)
        e = fail(s, st, sql);
    if (pb != pb_small) {
        free(pb);
        free(isnull);
    }
    if (e != E_OK)
        return e;
    if (mysql_stmt_field_count(st) > 0) {
        /* store first so the metadata carries each column's max_length */
        if (mysql_stmt_store_result(st) != 0)
            return fail(s, st, sql);
        meta = mysql_stmt_result_metadata(st);
        if (meta == NULL) {
            mysql_stmt_free_result(st);
            return fail(s, st, sql);
        }
        struct arena *tmp = NULL;
        if (a == NULL)
            a = tmp = arena_new(4096);
        e = fetch_all(s, st, meta, a, sql, out);
        mysql_free_result(meta);
        if (tmp != NULL) {
            arena_free(tmp);
            out->v = NULL;
        }
        if (e != E_OK)
            mysql_stmt_free_result(st);
    } else {
        out->affected = mysql_stmt_affected_rows(st);
        out->insert_id = mysql_stmt_insert_id(st);
    }
    return e;
}

static enum err
simple(struct store *s, const char *q)
{
    if (mysql_real_query(s->my, q, strlen(q)) != 0) {
        s->last_errno = mysql_errno(s->my);
        log_warnx("store: %s: %s", q, mysql_error(s->my));
        return E_STORE;
    }
    return E_OK;
}

enum err
db_begin(struct store *s)
{
    enum err e = simple(s, "START TRANSACTION");

    if (e == E_STORE && connection_lost(s->last_errno)) {
        reset_connection(s);
        e = simple(s, "START TRANSACTION");
    }
    s->in_tx = e == E_OK;
    return e;
}

enum err
db_commit(struct store *s)
{
    enum err e;

    s->in_tx = 0;
    e = simple(s, "COMMIT");
    acct_cache_after_commit(s);
    return e;
}

void
db_rollback(struct store *s)
{
    s->in_tx = 0;
    s->ndirty = 0;
    (void)mysql_rollback(s->my);
}

int
db_retryable(struct store *s)
{
    return s->last_errno == ER_LOCK_DEADLOCK || s->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

enum err
db_tx(struct store *s, enum err (*body)(struct store *s, void *u), void *u)
{
    enum err e = E_STORE;

    for (int attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
        e = db_begin(s);
        if (e == E_OK)
            e = body(s, u);
        if (e == E_OK)
            e = db_commit(s);
        if (e == E_OK)
            return E_OK;
        db_rollback(s);
        if (!db_retryable(s))
            break;
        log_info("store: transaction retry %d after a deadlock", attempt + 1);
    }
    return e;
}
