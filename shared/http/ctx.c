/* Per-thread context. */
#include "ctx.h"

#include <stdlib.h>

#include "core/xmalloc.h"
#include "store/store.h"

enum err
ctx_open(const struct conf *conf, struct ctx **out)
{
    struct ctx *c = xcalloc(1, sizeof(*c));
    enum err e = store_open(conf, &c->store);

    if (e != E_OK) {
        free(c);
        return e;
    }
    c->conf = conf;
    *out = c;
    return E_OK;
}

void
ctx_close(struct ctx *c)
{
    if (c == NULL)
        return;
    store_close(c->store);
    free(c);
}
