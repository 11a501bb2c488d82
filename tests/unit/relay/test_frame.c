/* Tests for relay/frame.c: WebSocketMessage decode/encode, header splitting, struct req building
 * with the upgrade headers merged (server-reference.md §1.6.1, §1.6.4). */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "http/req.h"
#include "http/resp.h"
#include "proto/websocket.pb-c.h"
#include "relay/relay.h"
#include "suites.h"

/* Serialize a REQUEST with protobuf-c, as a client would. */
static size_t
pack_request(uint8_t *buf, const char *verb, const char *path, char **hdrs, size_t nh,
             const char *body, int with_id)
{
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketRequestMessage r = SIGNALSERVICE__WEB_SOCKET_REQUEST_MESSAGE__INIT;

    r.verb = (char *)verb;
    r.path = (char *)path;
    r.headers = hdrs;
    r.n_headers = nh;
    r.has_id = with_id;
    r.id = 42;
    if (body != NULL) {
        r.has_body = 1;
        r.body.data = (uint8_t *)body;
        r.body.len = strlen(body);
    }
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST;
    m.request = &r;
    return signalservice__web_socket_message__pack(&m, buf);
}

static void
test_decode_request(void)
{
    struct arena *a = arena_new(4096);
    char *hdrs[] = { "Content-Type: application/json", "X-Two:a:b" };
    uint8_t buf[512];
    size_t n = pack_request(buf, "PUT", "/v2/keys?identity=pni", hdrs, 2, "{}", 1);
    struct wsmsg m;

    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &m), 0);
    CU_ASSERT_EQUAL(m.type, WSMSG_REQUEST);
    CU_ASSERT_STRING_EQUAL(m.verb, "PUT");
    CU_ASSERT_STRING_EQUAL(m.path, "/v2/keys?identity=pni");
    CU_ASSERT_TRUE(m.has_id);
    CU_ASSERT_EQUAL(m.id, 42);
    CU_ASSERT_EQUAL(m.nheaders, 2);
    CU_ASSERT_EQUAL(m.body_len, 2);
    /* no id: executed without a response */
    n = pack_request(buf, "GET", "/v1/keepalive", NULL, 0, NULL, 0);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &m), 0);
    CU_ASSERT_FALSE(m.has_id);
    arena_free(a);
}

static void
test_decode_malformed(void)
{
    struct arena *a = arena_new(4096);
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketResponseMessage r = SIGNALSERVICE__WEB_SOCKET_RESPONSE_MESSAGE__INIT;
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01 };
    uint8_t buf[256];
    struct wsmsg w;
    size_t n;

    CU_ASSERT_EQUAL(wsmsg_decode(a, junk, sizeof(junk), &w), -1);
    CU_ASSERT_EQUAL(wsmsg_decode(a, (const uint8_t *)"", 0, &w), -1);      /* no type */
    n = pack_request(buf, "GET", "/x", NULL, 0, NULL, 1);
    buf[1] = 3;                                  /* type = 3: unknown */
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &w), -1);
    /* RESPONSE without message: 1007 upstream */
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE;
    m.response = &r;
    r.has_id = r.has_status = 1;
    r.id = 9;
    r.status = 200;
    n = signalservice__web_socket_message__pack(&m, buf);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &w), -1);
    r.message = "OK";
    n = signalservice__web_socket_message__pack(&m, buf);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &w), 0);
    CU_ASSERT_EQUAL(w.type, WSMSG_RESPONSE);
    CU_ASSERT_EQUAL(w.id, 9);
    CU_ASSERT_EQUAL(w.status, 200);
    /* REQUEST without a path */
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST;
    m.response = NULL;
    n = signalservice__web_socket_message__pack(&m, buf);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &w), -1);
    arena_free(a);
}

static void
test_header_split(void)
{
    struct arena *a = arena_new(4096);
    struct header h;

    CU_ASSERT_EQUAL(wsmsg_header_split(a, "Content-Type: application/json ", &h), 0);
    CU_ASSERT_STRING_EQUAL(h.name, "content-type");
    CU_ASSERT_STRING_EQUAL(h.value, "application/json");
    CU_ASSERT_EQUAL(wsmsg_header_split(a, " X-Signal-Agent :OWD", &h), 0);
    CU_ASSERT_STRING_EQUAL(h.name, "x-signal-agent");
    CU_ASSERT_STRING_EQUAL(h.value, "OWD");
    CU_ASSERT_EQUAL(wsmsg_header_split(a, "Host:example.org:443", &h), -1);   /* 2 colons */
    CU_ASSERT_EQUAL(wsmsg_header_split(a, "NoColon", &h), -1);
    CU_ASSERT_EQUAL(wsmsg_header_split(a, ":value", &h), -1);
    CU_ASSERT_EQUAL(wsmsg_header_split(a, "Empty:", &h), -1);
    arena_free(a);
}

static void
test_req_build(void)
{
    struct arena *a = arena_new(4096);
    static const char up[] = "user-agent\0Signal-Android/7.0\0x-forwarded-for\0" "198.51.100.7\0"
                             "accept-language\0de\0";
    char *hdrs[] = { "User-Agent:Evil/1", "X-Forwarded-For:10.0.0.1", "Accept-Language: fr",
                     "Content-Type:application/json" };
    struct sock_auth sock = { .present = 1, .device_id = 3 };
    uint8_t buf[512];
    size_t n = pack_request(buf, "GET", "/v1/profile/x%20y?credentialType=expiringProfileKey",
                            hdrs, 4, NULL, 1);
    struct wsmsg m;
    struct req r;

    memset(sock.aci, 0xab, 16);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &m), 0);
    CU_ASSERT_EQUAL(relay_req_from_msg(a, &m, up, sizeof(up) - 1, &sock, "198.51.100.7", &r),
                    E_OK);
    CU_ASSERT_STRING_EQUAL(r.method, "GET");
    CU_ASSERT_STRING_EQUAL(r.path, "/v1/profile/x y");
    CU_ASSERT_STRING_EQUAL(r.query, "credentialType=expiringProfileKey");
    CU_ASSERT_EQUAL(r.transport, TR_WS);
    CU_ASSERT_TRUE(r.sock.present);
    CU_ASSERT_EQUAL(r.sock.device_id, 3);
    CU_ASSERT_STRING_EQUAL(r.peer, "198.51.100.7");
    /* the upgrade's user-agent wins; inner x-forwarded-for ignored; other inner headers win */
    CU_ASSERT_STRING_EQUAL(req_header(&r, "user-agent"), "Signal-Android/7.0");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "x-forwarded-for"), "198.51.100.7");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "accept-language"), "fr");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "content-type"), "application/json");
    /* a path the router cannot parse */
    n = pack_request(buf, "GET", "no-slash", NULL, 0, NULL, 1);
    CU_ASSERT_EQUAL(wsmsg_decode(a, buf, n, &m), 0);
    CU_ASSERT_EQUAL(relay_req_from_msg(a, &m, NULL, 0, NULL, "", &r), E_BAD_REQUEST);
    arena_free(a);
}

static void
test_encode_response(void)
{
    struct arena *a = arena_new(4096);
    Signalservice__WebSocketMessage *m;
    struct resp resp;
    struct outmsg *o;

    resp_init(&resp, a);
    CU_ASSERT_EQUAL(resp_bytes(&resp, 200, "application/json", "{}", 2), E_OK);
    resp_header(&resp, "X-Signal-Timestamp", "1700000000000");
    o = wsmsg_encode_response(77, &resp);
    m = signalservice__web_socket_message__unpack(NULL, o->len, o->buf + RELAY_PRE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->type, SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->response);
    CU_ASSERT_EQUAL(m->response->id, 77);
    CU_ASSERT_EQUAL(m->response->status, 200);
    CU_ASSERT_STRING_EQUAL(m->response->message, "OK");
    CU_ASSERT_EQUAL(m->response->n_headers, 3);
    CU_ASSERT_STRING_EQUAL(m->response->headers[0], "Content-Type:application/json");
    CU_ASSERT_STRING_EQUAL(m->response->headers[1], "Content-Length:2");
    CU_ASSERT_STRING_EQUAL(m->response->headers[2], "X-Signal-Timestamp:1700000000000");
    CU_ASSERT_EQUAL(m->response->body.len, 2);
    signalservice__web_socket_message__free_unpacked(m, NULL);
    free(o);
    /* empty body: no body field, Content-Length:0 */
    resp_init(&resp, a);
    CU_ASSERT_EQUAL(resp_empty(&resp, 204), E_OK);
    o = wsmsg_encode_response(1, &resp);
    m = signalservice__web_socket_message__unpack(NULL, o->len, o->buf + RELAY_PRE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_FALSE(m->response->has_body);
    CU_ASSERT_STRING_EQUAL(m->response->headers[0], "Content-Length:0");
    signalservice__web_socket_message__free_unpacked(m, NULL);
    free(o);
    arena_free(a);
}

static void
test_encode_request(void)
{
    const char *h[] = { "X-Signal-Timestamp:5", "Content-Type:application/x-protobuf" };
    struct outmsg *o = wsmsg_encode_request(1234, "PUT", "/api/v1/message", h, 2,
                                            (const uint8_t *)"\x08\x01", 2);
    Signalservice__WebSocketMessage *m =
        signalservice__web_socket_message__unpack(NULL, o->len, o->buf + RELAY_PRE);

    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->type, SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST);
    CU_ASSERT_STRING_EQUAL(m->request->verb, "PUT");
    CU_ASSERT_STRING_EQUAL(m->request->path, "/api/v1/message");
    CU_ASSERT_EQUAL(m->request->id, 1234);
    CU_ASSERT_EQUAL(m->request->n_headers, 2);
    CU_ASSERT_EQUAL(m->request->body.len, 2);
    signalservice__web_socket_message__free_unpacked(m, NULL);
    free(o);
}

void
suite_relay_frame(void)
{
    CU_pSuite s = CU_add_suite("relay_frame", NULL, NULL);

    CU_add_test(s, "decode request", test_decode_request);
    CU_add_test(s, "decode malformed", test_decode_malformed);
    CU_add_test(s, "header split", test_header_split);
    CU_add_test(s, "request building", test_req_build);
    CU_add_test(s, "encode response", test_encode_response);
    CU_add_test(s, "encode request", test_encode_request);
}
