/* libFuzzer target: the FastCGI adapter's view of a request (fcgi/adapt.c): CGI variables and
 * body -> struct req (fcgi_req_from_env, fcgi_content_length), the target split
 * (req_split_target) and the header and query accessors handlers call.
 * Input: NUL-separated "NAME=value" strings; an empty string ends them and the rest is the body.
 * fuzz-sources: fcgi/adapt.c */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fcgi.h"
#include "http/req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VARS 96

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096);
    char *env[MAX_VARS + 1];
    size_t nenv = 0, off = 0;
    const uint8_t *body = NULL;
    size_t body_len = 0;
    uint8_t *body_copy;
    struct req r;
    const char *path, *query;

    while (off < size && nenv < MAX_VARS) {
        const uint8_t *nul = memchr(data + off, '\0', size - off);
        size_t len = nul ? (size_t)(nul - (data + off)) : size - off;

        if (len == 0) {
            off++;
            break;
        }
        env[nenv] = malloc(len + 1);
        memcpy(env[nenv], data + off, len);
        env[nenv][len] = '\0';
        nenv++;
        off += len + (nul != NULL);
    }
    env[nenv] = NULL;
    if (off < size) {
        body = data + off;
        body_len = size - off;
    }
    body_copy = malloc(body_len ? body_len : 1);
    if (body_len > 0)
        memcpy(body_copy, body, body_len);

    (void)fcgi_content_length(env);
    if (fcgi_req_from_env(env, body_len ? body_copy : NULL, body_len, a, &r) == E_OK) {
        static const char *const hdrs[] = { "authorization", "content-type", "content-length",
                                            "x-signal-agent", "user-agent" };
        static const char *const params[] = { "identity", "story", "ts", "online", "" };

        if (r.method == NULL || r.path == NULL || r.path[0] != '/' || r.query == NULL)
            abort();
        for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
            (void)req_header(&r, hdrs[i]);
        for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
            (void)req_query(&r, a, params[i]);
    }
    /* each variable's value doubles as a raw request target */
    for (size_t i = 0; i < nenv; i++) {
        const char *eq = strchr(env[i], '=');
        if (req_split_target(a, eq ? eq + 1 : env[i], &path, &query) == 0 && path[0] != '/')
            abort();
    }
    for (size_t i = 0; i < nenv; i++)
        free(env[i]);
    free(body_copy);
    arena_free(a);
    return 0;
}
