/* The router: the same fixed order for every call, whichever transport brought it:
 * match route -> authenticate -> handler -> error mapping -> X-Signal-Timestamp -> access line. */
#include "router.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "ctx.h"
#include "req.h"
#include "resp.h"
#include "routes.h"

/* Match path against a pattern segment by segment; {x} captures one non-empty segment. */
static int
pattern_match(const char *pat, const char *path, struct call *c)
{
    size_t n = 0;

    while (*pat != '\0' && *path != '\0') {
        if (*pat != '/' || *path != '/')
            return 0;
        pat++;
        path++;
        const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
        size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
        size_t sl = se ? (size_t)(se - path) : strlen(path);
        if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
            if (sl == 0 || n >= CALL_MAX_PARAMS)
                return 0;
            c->params[n++] = arena_strndup(c->a, path, sl);
        } else if (pl != sl || strncmp(pat, path, pl) != 0) {
            return 0;
        }
        pat += pl;
        path += sl;
    }
    if (*pat != '\0' || *path != '\0')
        return 0;
    c->nparams = n;
    return 1;
}

static const struct route *
route_match(struct call *c, const char *path, enum err *e)
{
    int path_known = 0;

    for (size_t i = 0; i < routes_count; i++) {
        if (!pattern_match(routes[i].pattern, path, c))
            continue;
        if (strcmp(routes[i].method, c->req->method) == 0)
            return &routes[i];
        path_known = 1;
    }
    *e = path_known ? E_METHOD : E_NOT_FOUND;
    return NULL;
}

static enum err
authenticate(struct call *c, enum auth_mode mode)
{
    const struct req *r = c->req;
    struct principal *p;
    enum err e;

    if (mode == AUTH_NONE)
        return E_OK;
    p = arena_alloc(c->a, sizeof(*p));
    if (r->transport == TR_WS) {
        /* The socket's upgrade credentials apply; an inner Authorization header does not. */
        if (!r->sock.present) {
            p = NULL;
            e = E_OK;
        } else {
            e = auth_load(c->ctx, c->a, r->sock.aci, r->sock.device_id, p);
        }
    } else {
        const char *h = req_header(r, "authorization");
        if (h == NULL) {
            p = NULL;
            e = E_OK;
        } else {
            e = auth_basic_verify(c->ctx, c->a, h, p);
        }
    }
    if (e != E_OK)
        return e;
    if (mode == AUTH_DEVICE && p == NULL)
        return E_UNAUTHORIZED;
    if (mode == AUTH_ANONYMOUS && p != NULL)
        return E_BAD_REQUEST;
    c->who = p;
    return E_OK;
}

void
router_dispatch(struct ctx *ctx, struct arena *a, const struct req *req, struct resp *resp)
{
    struct call c = { .ctx = ctx, .a = a, .req = req, .resp = resp };
    const struct route *rt = NULL;
    int64_t t0 = now_ms();
    char ts[24];
    const char *path = req->path;
    size_t plen = strlen(path);
    enum err e = E_OK;

    /* Clients use both "/v1/accounts/gcm" and "/v1/accounts/gcm/". */
    if (plen > 1 && path[plen - 1] == '/')
        path = arena_strndup(a, path, plen - 1);
    rt = route_match(&c, path, &e);
    if (e == E_OK)
        e = authenticate(&c, rt->auth);
    if (e == E_OK)
        e = rt->fn(&c);
    if (e != E_OK)
        resp_error(resp, e);
    snprintf(ts, sizeof(ts), "%lld", (long long)now_ms());
    resp_header(resp, "X-Signal-Timestamp", ts);
    log_debug("access %s %s %d %lldms %s", req->method, rt ? rt->pattern : "-", resp->status,
              (long long)(now_ms() - t0), req->transport == TR_WS ? "ws" : "fcgi");
}
