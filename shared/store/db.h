/* Internal MariaDB helpers for shared/store/ (*.c) only: prepared-statement cache, typed binds,
 * whole-result fetch into an arena, transactions with deadlock retry. Never included by handlers. */
#ifndef HG_DB_H
#define HG_DB_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct store;

enum dbv_type { DBV_NULL = 0, DBV_I64, DBV_BLOB, DBV_STR };

/* One bound parameter or fetched column. Fetched blobs/strings live in the arena (strings NUL-ended). */
struct dbv {
    enum dbv_type t;
    int64_t i;
    const void *p;
    size_t n;
};

#define V_NULL ((struct dbv){ .t = DBV_NULL })
#define V_I64(x) ((struct dbv){ .t = DBV_I64, .i = (int64_t)(x) })
#define V_BLOB(ptr, len) ((struct dbv){ .t = DBV_BLOB, .p = (ptr), .n = (len) })
#define V_STR(s) ((struct dbv){ .t = DBV_STR, .p = (s), .n = strlen(s) })
#define V_STRN(s) ((s) ? V_STR(s) : V_NULL)

struct dbres {
    size_t nrows, ncols;
    struct dbv *v;        /* nrows * ncols, row-major */
    uint64_t affected;    /* rows changed by INSERT/UPDATE/DELETE */
    uint64_t insert_id;
};

/** Cell (row r, column c). */
#define DBCELL(res, r, c) (&(res)->v[(r) * (res)->ncols + (c)])

/**
 * Run a prepared statement (cached per connection by the sql pointer, so pass string literals).
 * Result rows (if any) are copied into arena a; out may be NULL when no result is wanted.
 * Returns E_OK or E_STORE (logged). A duplicate-key error returns E_CONFLICT.
 */
enum err db_exec(struct store *s, struct arena *a, const char *sql, const struct dbv *params,
                 size_t nparams, struct dbres *out) HG_MUST_CHECK;

enum err db_begin(struct store *s) HG_MUST_CHECK;
enum err db_commit(struct store *s) HG_MUST_CHECK;
void db_rollback(struct store *s);
/** True if the last failure was a deadlock or lock wait timeout: the transaction may be retried. */
int db_retryable(struct store *s);
/**
 * Run body(s, u) in a transaction: begin, body, commit; roll back on failure and run it again
 * (up to DB_TX_ATTEMPTS in all) while the failure was a deadlock or lock wait timeout. body
 * must be safe to repeat. Returns the last result.
 */
#define DB_TX_ATTEMPTS 3
enum err db_tx(struct store *s, enum err (*body)(struct store *s, void *u), void *u) HG_MUST_CHECK;

#define DB_NPARAMS(arr) (sizeof(arr) / sizeof((arr)[0]))
/** Most parameters one statement may bind (multi-row INSERTs; MariaDB allows 65535). */
#define DB_MAX_PARAMS 4096

#endif
