/* The HTTP/1.1 upgrade request head as the gate sees it before lws does: just enough parsing to
 * route the socket kind, find the credentials and keep the headers that inner requests inherit
 * (server-reference.md §1.6.2, §1.6.4). Pure; the gate replays the raw bytes into lws, which
 * does the real handshake. */
#include "relay.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/xmalloc.h"
#include "http/req.h"

size_t
head_complete(const char *buf, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return i + 1;
    return 0;
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

int
head_parse(struct arena *a, const char *buf, size_t len, struct head *out)
{
    char *s = arena_strndup(a, buf, len), *line, *next, *sp;

    memset(out, 0, sizeof(*out));
    if (strlen(s) != len)
        return -1;                              /* NUL in the head */
    line = s;
    next = strstr(line, "\r\n");
    if (next == NULL)
        return -1;
    *next = '\0';
    /* "GET /v1/websocket/?login=... HTTP/1.1" */
    sp = strchr(line, ' ');
    if (sp == NULL)
        return -1;
    *sp = '\0';
    out->method = line;
    out->target = sp + 1;
    sp = strchr(out->target, ' ');
    if (sp == NULL || strncmp(sp + 1, "HTTP/1.", 7) != 0)
        return -1;
    *sp = '\0';
    if (req_split_target(a, out->target, (const char **)&out->path,
                         (const char **)&out->query) != 0)
        return -1;
    for (line = next + 2; *line != '\0'; line = next + 2) {
        char *colon;

        next = strstr(line, "\r\n");
        if (next == NULL)
            return -1;
        *next = '\0';
        if (*line == '\0')
            break;                              /* the blank line */
        colon = strchr(line, ':');
        if (colon == NULL || colon == line)
            return -1;
        if (out->nheaders == HEAD_MAX_HEADERS)
            continue;                           /* keep parsing; extra headers are dropped */
        *colon = '\0';
        for (char *c = line; *c != '\0'; c++) {
            if (*c == ' ' || *c == '\t')
                return -1;                      /* no whitespace in names (RFC 9112 §5.1) */
            *c = (char)tolower((unsigned char)*c);
        }
        out->headers[out->nheaders].name = line;
        out->headers[out->nheaders].value = trim(colon + 1);
        out->nheaders++;
    }
    return 0;
}

const char *
head_header(const struct head *h, const char *lname)
{
    for (size_t i = 0; i < h->nheaders; i++)
        if (strcmp(h->headers[i].name, lname) == 0)
            return h->headers[i].value;
    return NULL;
}

enum head_kind
head_kind(const struct head *h)
{
    if (strcmp(h->path, "/v1/websocket/") == 0 || strcmp(h->path, "/v1/websocket") == 0)
        return HEAD_CHAT;
    if (strcmp(h->path, "/v1/websocket/provisioning/") == 0 ||
        strcmp(h->path, "/v1/websocket/provisioning") == 0)
        return HEAD_PROVISIONING;
    return 0;
}

/* Query parameter as the servlet container gave it to the official server, then with spaces
 * mapped back to '+' (a '+' in a password arrives as a space). */
static char *
query_param(struct arena *a, const struct head *h, const char *name)
{
    struct req r = { .query = h->query };
    char *v = (char *)req_query(&r, a, name);

    if (v != NULL)
        for (char *c = v; *c != '\0'; c++)
            if (*c == ' ')
                *c = '+';
    return v;
}

const char *
head_basic_auth(struct arena *a, const struct head *h)
{
    const char *v = head_header(h, "authorization");
    char *login, *password, *up;

    if (v != NULL)
        return v;
    login = query_param(a, h, "login");
    password = query_param(a, h, "password");
    if (login == NULL || password == NULL)
        return NULL;
    up = arena_printf(a, "%s:%s", login, password);
    return arena_printf(a, "Basic %s", b64_encode(a, (const uint8_t *)up, strlen(up),
                                                    B64_STD_PAD));
}

static bool
kept_header(const char *name)
{
    return strcmp(name, "connection") != 0 && strcmp(name, "upgrade") != 0 &&
           strncmp(name, "sec-websocket-", 14) != 0 && strcmp(name, "host") != 0 &&
           strcmp(name, "authorization") != 0 && strcmp(name, "content-length") != 0;
}

char *
head_upgrade_blob(const struct head *h, size_t *len)
{
    size_t n = 0, off = 0;
    char *blob;

    for (size_t i = 0; i < h->nheaders; i++) {
        size_t l = strlen(h->headers[i].name) + strlen(h->headers[i].value) + 2;

        if (kept_header(h->headers[i].name) && n + l <= UPGRADE_HDRS_MAX)
            n += l;
    }
    *len = 0;
    if (n == 0)
        return NULL;
    blob = xmalloc(n);
    for (size_t i = 0; i < h->nheaders; i++) {
        size_t ln = strlen(h->headers[i].name) + 1, lv = strlen(h->headers[i].value) + 1;

        if (!kept_header(h->headers[i].name) || off + ln + lv > UPGRADE_HDRS_MAX)
            continue;
        memcpy(blob + off, h->headers[i].name, ln);
        memcpy(blob + off + ln, h->headers[i].value, lv);
        off += ln + lv;
    }
    *len = off;
    return blob;
}
