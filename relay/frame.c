/* The WebSocket sub-protocol codec (server-reference.md §1.6.1, §3.1) and the mapping of a
 * REQUEST frame onto the transport-neutral struct req. Pure: no lws, no store; the unit tests
 * and tests/fuzz/fuzz_wsmsg.c call these directly. */
#include "relay.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/xmalloc.h"
#include "http/req.h"
#include "http/resp.h"
#include "proto/websocket.pb-c.h"

#define FRAME_MAX_HEADERS 64

/* protobuf-c allocates the decoded tree from the frame's arena: one free for everything. */
static void *
pb_alloc(void *data, size_t n)
{
    return arena_alloc(data, n);
}

static void
pb_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

int
wsmsg_decode(struct arena *a, const uint8_t *p, size_t n, struct wsmsg *out)
{
    ProtobufCAllocator al = { pb_alloc, pb_free, a };
    Signalservice__WebSocketMessage *m;

    memset(out, 0, sizeof(*out));
    m = signalservice__web_socket_message__unpack(&al, n, p);
    if (m == NULL || !m->has_type)
        return -1;
    if (m->type == SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST) {
        Signalservice__WebSocketRequestMessage *r = m->request;

        if (r == NULL || r->verb == NULL || r->path == NULL)
            return -1;
        out->type = WSMSG_REQUEST;
        out->verb = r->verb;
        out->path = r->path;
        out->headers = (const char **)r->headers;
        out->nheaders = r->n_headers;
        out->has_id = r->has_id;
        out->id = r->id;
        if (r->has_body) {
            out->body = r->body.data;
            out->body_len = r->body.len;
        }
        return 0;
    }
    if (m->type == SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE) {
        Signalservice__WebSocketResponseMessage *r = m->response;

        /* The official parser insists on all three (ProtobufWebSocketMessage). */
        if (r == NULL || !r->has_id || !r->has_status || r->message == NULL)
            return -1;
        out->type = WSMSG_RESPONSE;
        out->has_id = true;
        out->id = r->id;
        out->status = r->status;
        out->message = r->message;
        if (r->has_body) {
            out->body = r->body.data;
            out->body_len = r->body.len;
        }
        return 0;
    }
    return -1;
}

static const char *
trim(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

int
wsmsg_header_split(struct arena *a, const char *s, struct header *out)
{
    const char *colon = strchr(s, ':');
    char *name;

    /* Signal-Server splits on ':' and keeps only two-part headers: a value holding a colon
     * (or an empty value) drops the header, as it does there. */
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
        return -1;
    name = (char *)trim(a, s, (size_t)(colon - s));
    out->value = trim(a, colon + 1, strlen(colon + 1));
    if (*name == '\0' || *out->value == '\0')
        return -1;
    for (char *c = name; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    out->name = name;
    return 0;
}

static bool
has_header(const struct header *h, size_t n, const char *lname)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].name, lname) == 0)
            return true;
    return false;
}

enum err
relay_req_from_msg(struct arena *a, const struct wsmsg *m, const char *upgrade_hdrs,
                   size_t upgrade_len, const struct sock_auth *sock, const char *peer,
                   struct req *out)
{
    struct header *h = arena_alloc(a, FRAME_MAX_HEADERS * sizeof(*h));
    const char *up_ua = NULL;
    size_t nh = 0;

    memset(out, 0, sizeof(*out));
    if (m->type != WSMSG_REQUEST)
        return E_BAD_REQUEST;
    if (req_split_target(a, m->path, &out->path, &out->query) != 0)
        return E_BAD_REQUEST;
    for (size_t off = 0; off < upgrade_len;) {
        const char *n = upgrade_hdrs + off, *v = n + strlen(n) + 1;

        if (strcmp(n, "user-agent") == 0)
            up_ua = v;
        off = (size_t)(v - upgrade_hdrs) + strlen(v) + 1;
    }
    /* Inner headers first (they override), except the ones the upgrade decides. */
    for (size_t i = 0; i < m->nheaders && nh < FRAME_MAX_HEADERS; i++) {
        struct header x;

        if (wsmsg_header_split(a, m->headers[i], &x) != 0)
            continue;
        if (strcmp(x.name, "x-forwarded-for") == 0 ||
            (up_ua != NULL && strcmp(x.name, "user-agent") == 0))
            continue;
        h[nh++] = x;
    }
    for (size_t off = 0; off < upgrade_len && nh < FRAME_MAX_HEADERS;) {
        const char *n = upgrade_hdrs + off, *v = n + strlen(n) + 1;

        if (!has_header(h, nh, n)) {
            h[nh].name = n;
            h[nh].value = v;
            nh++;
        }
        off = (size_t)(v - upgrade_hdrs) + strlen(v) + 1;
    }
    out->method = m->verb;
    out->headers = h;
    out->nheaders = nh;
    out->body = m->body;
    out->body_len = m->body_len;
    out->peer = peer != NULL ? peer : "";
    out->transport = TR_WS;
    if (sock != NULL)
        out->sock = *sock;
    return E_OK;
}

static struct outmsg *
outmsg_pack(const Signalservice__WebSocketMessage *m)
{
    size_t n = signalservice__web_socket_message__get_packed_size(m);
    struct outmsg *o = xmalloc(sizeof(*o) + RELAY_PRE + n);

    o->next = NULL;
    o->len = signalservice__web_socket_message__pack(m, o->buf + RELAY_PRE);
    return o;
}

struct outmsg *
wsmsg_encode_response(uint64_t id, const struct resp *resp)
{
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketResponseMessage r = SIGNALSERVICE__WEB_SOCKET_RESPONSE_MESSAGE__INIT;
    char *hv[RESP_MAX_HEADERS + 2];
    char ct[256], cl[48];
    struct outmsg *o;
    size_t nh = 0;

    r.has_id = 1;
    r.id = id;
    r.has_status = 1;
    r.status = (uint32_t)resp->status;
    r.message = (char *)err_reason(resp->status);
    /* "Name:value" without a space, Content-Length always present (as the official server). */
    if (resp->content_type != NULL) {
        snprintf(ct, sizeof(ct), "Content-Type:%s", resp->content_type);
        hv[nh++] = ct;
    }
    snprintf(cl, sizeof(cl), "Content-Length:%zu", resp->body_len);
    hv[nh++] = cl;
    for (size_t i = 0; i < resp->nheaders; i++) {
        size_t len = strlen(resp->headers[i].name) + strlen(resp->headers[i].value) + 2;

        hv[nh] = xmalloc(len);
        snprintf(hv[nh], len, "%s:%s", resp->headers[i].name, resp->headers[i].value);
        nh++;
    }
    r.n_headers = nh;
    r.headers = hv;
    if (resp->body_len > 0) {
        r.has_body = 1;
        r.body.data = (uint8_t *)resp->body;
        r.body.len = resp->body_len;
    }
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE;
    m.response = &r;
    o = outmsg_pack(&m);
    for (size_t i = nh - resp->nheaders; i < nh; i++)
        free(hv[i]);
    return o;
}

struct outmsg *
wsmsg_encode_request(uint64_t id, const char *verb, const char *path,
                     const char *const *headers, size_t nheaders, const uint8_t *body,
                     size_t body_len)
{
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketRequestMessage r = SIGNALSERVICE__WEB_SOCKET_REQUEST_MESSAGE__INIT;

    r.verb = (char *)verb;
    r.path = (char *)path;
    r.has_id = 1;
    r.id = id;
    r.n_headers = nheaders;
    r.headers = (char **)headers;
    if (body_len > 0) {
        r.has_body = 1;
        r.body.data = (uint8_t *)body;
        r.body.len = body_len;
    }
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST;
    m.request = &r;
    return outmsg_pack(&m);
}
