/* Request helpers shared by the adapters and handlers. */
#include "req.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"

const char *
req_header(const struct req *r, const char *lname)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, lname) == 0)
            return r->headers[i].value;
    return NULL;
}

static int
hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *
req_pct_decode(struct arena *a, const char *s, size_t n, int plus_space)
{
    char *out = arena_alloc(a, n + 1);
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return NULL;
            hi = hexv(s[i + 1]);
            lo = hexv(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_space) {
            out[o++] = ' ';
        } else if (s[i] == '\0') {
            return NULL;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

int
req_split_target(struct arena *a, const char *target, const char **path, const char **query)
{
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);

    if (plen == 0 || target[0] != '/')
        return -1;
    *path = req_pct_decode(a, target, plen, 0);
    if (*path == NULL)
        return -1;
    *query = q ? arena_strdup(a, q + 1) : "";
    return 0;
}

const char *
req_query(const struct req *r, struct arena *a, const char *name)
{
    const char *p = r->query;
    size_t nlen = strlen(name);

    while (p != NULL && *p != '\0') {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;

        if (klen == nlen && strncmp(p, name, nlen) == 0) {
            if (eq == NULL)
                return "";
            return req_pct_decode(a, eq + 1, len - klen - 1, 1);
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}
