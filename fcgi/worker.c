/* Accept threads: each owns its FCGX_Request and its ctx (MariaDB + memcached), created once.
 * Everything request-scoped lives in the arena freed after FCGX_Finish_r. */
#include "fcgi.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/router.h"

struct worker {
    const struct conf *conf;
    int listen_fd;
    pthread_t tid;
};


/* Read the body, capped by body_max: a larger declared length is refused before reading. */
static enum err
read_body(FCGX_Request *fr, const struct conf *conf, struct arena *a, uint8_t **body, size_t *len)
{
    int64_t n = fcgi_content_length(fr->envp);
    size_t got = 0;

    *body = NULL;
    *len = 0;
    if (n < 0)
        return E_BAD_REQUEST;
    if (n > conf->body_max)
        return E_TOO_LARGE;
    if (n == 0)
        return E_OK;
    *body = arena_alloc(a, (size_t)n + 1);
    while (got < (size_t)n) {
        int r = FCGX_GetStr((char *)*body + got, (int)((size_t)n - got), fr->in);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != (size_t)n)
        return E_BAD_REQUEST;
    *len = got;
    return E_OK;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct ctx *ctx = ctx_open_retry(w->conf);
    FCGX_Request fr;

    FCGX_InitRequest(&fr, w->listen_fd, 0);
    while (FCGX_Accept_r(&fr) >= 0) {
        struct arena *a = arena_new(16384);
        struct req req;
        struct resp resp;
        uint8_t *body;
        size_t len;
        char *out;
        size_t n;
        enum err e;

        resp_init(&resp, a);
        e = read_body(&fr, w->conf, a, &body, &len);
        if (e == E_OK)
            e = fcgi_req_from_env(fr.envp, body, len, a, &req);
        if (e == E_OK)
            router_dispatch(ctx, a, &req, &resp);
        else
            resp_error(&resp, e);
        n = fcgi_resp_format(&resp, a, &out);
        FCGX_PutStr(out, (int)n, fr.out);
        FCGX_Finish_r(&fr);
        arena_free(a);
    }
    ctx_close(ctx);
    return NULL;
}

void
fcgi_workers_run(const struct conf *conf, int listen_fd, int n)
{
    struct worker *ws = xcalloc((size_t)n, sizeof(*ws));

    for (int i = 0; i < n; i++) {
        ws[i].conf = conf;
        ws[i].listen_fd = listen_fd;
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0)
            fatal("fcgi: pthread_create");
    }
    for (int i = 0; i < n; i++)
        pthread_join(ws[i].tid, NULL);
    free(ws);
}
