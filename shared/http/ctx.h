/* struct ctx: one per worker thread (FastCGI thread or relay worker). Owns the thread's store
 * connection; the config is shared read-only. */
#ifndef HG_CTX_H
#define HG_CTX_H

#include "core/err.h"

struct conf;
struct store;

struct ctx {
    const struct conf *conf;
    struct store *store;
};

/** Open a context (connects to MariaDB and memcached). */
enum err ctx_open(const struct conf *conf, struct ctx **out) HG_MUST_CHECK;
void ctx_close(struct ctx *ctx);

#endif
