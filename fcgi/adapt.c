/* FastCGI adapter: CGI environment + body -> struct req, struct resp -> CGI output.
 * HTTP_FOO_BAR variables become header "foo-bar"; CONTENT_TYPE and CONTENT_LENGTH are headers
 * too. The target comes from REQUEST_URI (lighttpd and Apache both set it). */
#include "fcgi.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/req.h"
#include "http/resp.h"

#define FCGI_MAX_HEADERS 64

static const char *
env_get(char **envp, const char *name)
{
    size_t n = strlen(name);

    for (char **p = envp; *p != NULL; p++)
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    return NULL;
}

int64_t
fcgi_content_length(char **envp)
{
    const char *v = env_get(envp, "CONTENT_LENGTH");
    int64_t n;

    if (v == NULL || *v == '\0')
        return 0;
    if (parse_i64(v, 0, INT64_MAX, &n) != 0)
        return -1;
    return n;
}

static char *
header_name(struct arena *a, const char *var, size_t n)
{
    char *s = arena_strndup(a, var, n);

    for (size_t i = 0; i < n; i++)
        s[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
    return s;
}

enum err
fcgi_req_from_env(char **envp, const uint8_t *body, size_t len, struct arena *a, struct req *out)
{
    struct header *h = arena_alloc(a, FCGI_MAX_HEADERS * sizeof(*h));
    const char *method = env_get(envp, "REQUEST_METHOD");
    const char *uri = env_get(envp, "REQUEST_URI");
    const char *peer = env_get(envp, "REMOTE_ADDR");
    size_t nh = 0;

    memset(out, 0, sizeof(*out));
    if (method == NULL || *method == '\0')
        return E_BAD_REQUEST;
    if (uri == NULL) {
        /* Servers without REQUEST_URI: rebuild it from SCRIPT_NAME + PATH_INFO + QUERY_STRING. */
        const char *sn = env_get(envp, "SCRIPT_NAME"), *pi = env_get(envp, "PATH_INFO");
        const char *qs = env_get(envp, "QUERY_STRING");
        uri = arena_printf(a, "%s%s%s%s", sn ? sn : "", pi ? pi : "", qs && *qs ? "?" : "",
                           qs && *qs ? qs : "");
    }
    if (req_split_target(a, uri, &out->path, &out->query) != 0)
        return E_BAD_REQUEST;
    for (char **p = envp; *p != NULL && nh < FCGI_MAX_HEADERS; p++) {
        const char *eq = strchr(*p, '=');
        if (eq == NULL)
            continue;
        if (strncmp(*p, "HTTP_", 5) == 0) {
            h[nh].name = header_name(a, *p + 5, (size_t)(eq - *p) - 5);
        } else if (strncmp(*p, "CONTENT_TYPE=", 13) == 0 ||
                   strncmp(*p, "CONTENT_LENGTH=", 15) == 0) {
            h[nh].name = header_name(a, *p, (size_t)(eq - *p));
        } else {
            continue;
        }
        h[nh].value = arena_strdup(a, eq + 1);
        nh++;
    }
    out->method = arena_strdup(a, method);
    out->headers = h;
    out->nheaders = nh;
    out->body = body;
    out->body_len = len;
    out->peer = peer ? arena_strdup(a, peer) : "";
    out->transport = TR_FCGI;
    return E_OK;
}

size_t
fcgi_resp_format(const struct resp *resp, struct arena *a, char **out)
{
    size_t cap = 256 + resp->body_len, n;
    char *buf;

    for (size_t i = 0; i < resp->nheaders; i++)
        cap += strlen(resp->headers[i].name) + strlen(resp->headers[i].value) + 4;
    buf = arena_alloc(a, cap);
    n = (size_t)snprintf(buf, cap, "Status: %d %s\r\n", resp->status, err_reason(resp->status));
    if (resp->content_type != NULL)
        n += (size_t)snprintf(buf + n, cap - n, "Content-Type: %s\r\n", resp->content_type);
    n += (size_t)snprintf(buf + n, cap - n, "Content-Length: %zu\r\n", resp->body_len);
    for (size_t i = 0; i < resp->nheaders; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s: %s\r\n", resp->headers[i].name,
                              resp->headers[i].value);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (resp->body_len > 0)
        memcpy(buf + n, resp->body, resp->body_len);
    *out = buf;
    return n + resp->body_len;
}
