/* Handler test harness (see tcall.h). */
#include "tcall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/conf.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/router.h"

static struct conf conf;
static struct ctx *ctx;
static int tried;

struct ctx *
tcall_ctx(void)
{
    const char *path = getenv("HG_TEST_CONF");
    char err[256];

    if (tried)
        return ctx;
    tried = 1;
    if (path == NULL || *path == '\0')
        return NULL;
    conf_defaults(&conf);
    if (conf_load(&conf, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "tcall: %s\n", err);
        return NULL;
    }
    if (ctx_open(&conf, &ctx) != E_OK)
        ctx = NULL;
    return ctx;
}

struct conf *
tcall_conf(void)
{
    return tcall_ctx() != NULL ? &conf : NULL;
}

struct tresult
tcall(const char *method, const char *target, const char *auth, const char *extra,
      const char *body)
{
    return tcall_bin(method, target, auth, extra, (const uint8_t *)body, body ? strlen(body) : 0);
}

struct tresult
tcall_bin(const char *method, const char *target, const char *auth, const char *extra,
          const uint8_t *body, size_t body_len)
{
    struct arena *a = arena_new(8192);
    struct header h[8];
    struct req r = { .method = method, .transport = TR_TEST };
    struct resp resp;
    struct tresult out = { 0 };
    size_t nh = 0;

    if (req_split_target(a, target, &r.path, &r.query) != 0)
        abort();
    if (auth != NULL) {
        h[nh].name = "authorization";
        h[nh].value = arena_printf(a, "Basic %s",
                                   b64_encode(a, (const uint8_t *)auth, strlen(auth), B64_STD_PAD));
        nh++;
    }
    /* extra: "name: value" lines separated by '\n' */
    for (const char *line = extra; line != NULL && *line != '\0' && nh < 8;) {
        const char *colon = strchr(line, ':'), *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        h[nh].name = arena_strndup(a, line, (size_t)(colon - line));
        h[nh].value = arena_strndup(a, colon + 2, len - (size_t)(colon + 2 - line));
        nh++;
        line = end ? end + 1 : NULL;
    }
    r.headers = h;
    r.nheaders = nh;
    r.body = body;
    r.body_len = body_len;
    resp_init(&resp, a);
    router_dispatch(tcall_ctx(), a, &r, &resp);
    out.status = resp.status;
    out.body = malloc(resp.body_len + 1);
    memcpy(out.body, resp.body ? (const void *)resp.body : "", resp.body_len);
    out.body[resp.body_len] = '\0';
    out.body_len = resp.body_len;
    out.retry_after = -1;
    for (size_t i = 0; i < resp.nheaders; i++)
        if (strcasecmp(resp.headers[i].name, "retry-after") == 0)
            out.retry_after = strtol(resp.headers[i].value, NULL, 10);
    if (resp.body_len > 0)
        out.json = json_tokener_parse(out.body);
    arena_free(a);
    return out;
}

void
tresult_free(struct tresult *r)
{
    free(r->body);
    json_object_put(r->json);
    memset(r, 0, sizeof(*r));
}

const char *
tjson_str(const struct tresult *r, const char *key)
{
    struct json_object *v;

    if (r->json == NULL || !json_object_object_get_ex(r->json, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int
tcall_status(const char *method, const char *target, const char *auth, const char *extra,
             const char *body)
{
    struct tresult r = tcall(method, target, auth, extra, body);
    int status = r.status;

    tresult_free(&r);
    return status;
}

int
tcall_status_u(const char *method, const char *target, const char *auth, const char *body)
{
    return tcall_status(method, target, auth, NULL, body);
}
