/* struct ctx: one per worker thread (FastCGI thread or relay worker). Owns the thread's store
 * connection; the config and the server keys are shared read-only by every thread. */
#ifndef HG_CTX_H
#define HG_CTX_H

#include <stddef.h>

#include "core/err.h"

struct conf;
struct store;
struct server_keys;

struct ctx {
    const struct conf *conf;
    struct store *store;
    const struct server_keys *keys;     /* the process's secrets (crypto/server_keys.h) */
};

/**
 * Parse the secrets configured in conf into the process's server keys, once: later calls
 * (from any thread) return the first result.  Daemons call it at startup (and in -t check
 * mode) to fail before serving; ctx_open calls it too.  Returns 0, or -1 with the reason in err.
 */
int ctx_keys_init(const struct conf *conf, char *err, size_t errlen);
/** Wipe and free the process's server keys (at exit, after every ctx is closed). */
void ctx_keys_release(void);

/** Open a context (connects to MariaDB and memcached; loads the server keys if not yet done:
 *  E_INTERNAL, logged, if they are malformed). */
enum err ctx_open(const struct conf *conf, struct ctx **out) HG_MUST_CHECK;
void ctx_close(struct ctx *ctx);
/** ctx_open, retried for up to 10 s (the database may still be starting with the stack); exits
 * the process when it never succeeds. For daemon worker threads. */
struct ctx *ctx_open_retry(const struct conf *conf);

#endif
