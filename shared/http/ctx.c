/* Per-thread context, and the process-wide server keys it points to.  The keys are parsed once
 * per process (not per request or per thread): parsing ServerSecretParams decodes dozens of
 * points, and the secrets should exist in memory once. */
#include "ctx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "crypto/server_keys.h"
#include "store/store.h"

static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static struct server_keys *keys;        /* immutable once set */
static int keys_state;                  /* 0 not tried, 1 loaded, -1 failed */
static char keys_err[256];

int
ctx_keys_init(const struct conf *conf, char *err, size_t errlen)
{
    int rc;

    pthread_mutex_lock(&keys_lock);
    if (keys_state == 0) {
        keys_state = server_keys_load(conf, &keys, keys_err, sizeof(keys_err)) == 0 ? 1 : -1;
        if (keys_state == 1) {
            char missing[256];

            server_keys_missing(keys, missing, sizeof(missing));
            if (missing[0] != '\0')
                log_warnx("server keys: not configured: %s (their endpoints answer 503; "
                          "heliograph-admin keygen writes them)", missing);
        }
    }
    rc = keys_state == 1 ? 0 : -1;
    if (rc != 0 && err != NULL)
        snprintf(err, errlen, "%s", keys_err);
    pthread_mutex_unlock(&keys_lock);
    return rc;
}

void
ctx_keys_release(void)
{
    pthread_mutex_lock(&keys_lock);
    server_keys_free(keys);
    keys = NULL;
    keys_state = 0;
    pthread_mutex_unlock(&keys_lock);
}

enum err
ctx_open(const struct conf *conf, struct ctx **out)
{
    struct ctx *c;
    char err[256];
    enum err e;

    if (ctx_keys_init(conf, err, sizeof(err)) != 0) {
        log_warnx("server keys: %s", err);
        return E_INTERNAL;
    }
    c = xcalloc(1, sizeof(*c));
    e = store_open(conf, &c->store);
    if (e != E_OK) {
        free(c);
        return e;
    }
    c->conf = conf;
    c->keys = keys;
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

struct ctx *
ctx_open_retry(const struct conf *conf)
{
    struct ctx *ctx = NULL;

    for (int i = 0; i < 100; i++) {
        if (ctx_open(conf, &ctx) == E_OK)
            return ctx;
        usleep(100 * 1000);
    }
    fatalx("cannot open the store (MariaDB at the configured socket/host)");
}
