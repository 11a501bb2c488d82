/* Tests for relay/head.c: the gate's view of the upgrade request (path kinds, credentials from
 * the header or the legacy query, the header blob inherited by inner requests). */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "relay/relay.h"
#include "suites.h"

static const char chat_head[] =
    "GET /v1/websocket/?login=a&password=b%2Bc+d HTTP/1.1\r\n"
    "Host: chat.example\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "User-Agent:  Signal-Desktop/7.80.0  \r\n"
    "X-Signal-Receive-Stories: true\r\n"
    "\r\n";

static void
test_complete(void)
{
    CU_ASSERT_EQUAL(head_complete(chat_head, sizeof(chat_head) - 1), sizeof(chat_head) - 1);
    CU_ASSERT_EQUAL(head_complete(chat_head, sizeof(chat_head) - 3), 0);
    CU_ASSERT_EQUAL(head_complete("GET / HTTP/1.1\r\n\r\nextra", 23), 18);
}

static void
test_parse(void)
{
    struct arena *a = arena_new(4096);
    struct head h;

    CU_ASSERT_EQUAL_FATAL(head_parse(a, chat_head, sizeof(chat_head) - 1, &h), 0);
    CU_ASSERT_STRING_EQUAL(h.method, "GET");
    CU_ASSERT_STRING_EQUAL(h.path, "/v1/websocket/");
    CU_ASSERT_EQUAL(head_kind(&h), HEAD_CHAT);
    CU_ASSERT_STRING_EQUAL(head_header(&h, "user-agent"), "Signal-Desktop/7.80.0");
    CU_ASSERT_STRING_EQUAL(head_header(&h, "x-signal-receive-stories"), "true");
    CU_ASSERT_PTR_NULL(head_header(&h, "authorization"));
    /* login/password query: '+' arrives as space and is mapped back; %2B stays '+' */
    CU_ASSERT_STRING_EQUAL(head_basic_auth(a, &h), "Basic YTpiK2MrZA==");
    CU_ASSERT_EQUAL(head_parse(a, "GET /x HTTP/1.1\r\nBad Name: x\r\n\r\n", 31, &h), -1);
    CU_ASSERT_EQUAL(head_parse(a, "GET x HTTP/1.1\r\n\r\n", 18, &h), -1);
    CU_ASSERT_EQUAL(head_parse(a, "GARBAGE\r\n\r\n", 11, &h), -1);
    arena_free(a);
}

static void
test_kinds(void)
{
    struct arena *a = arena_new(4096);
    static const char *const paths[] = { "/v1/websocket", "/v1/websocket/provisioning/",
                                         "/v1/websocket/provisioning", "/v1/websocketx",
                                         "/v1/keepalive" };
    static const int kinds[] = { HEAD_CHAT, HEAD_PROVISIONING, HEAD_PROVISIONING, 0, 0 };
    struct head h;

    for (size_t i = 0; i < 5; i++) {
        char *s = arena_printf(a, "GET %s HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", paths[i]);

        CU_ASSERT_EQUAL_FATAL(head_parse(a, s, strlen(s), &h), 0);
        CU_ASSERT_EQUAL(head_kind(&h), kinds[i]);
        CU_ASSERT_PTR_NULL(head_basic_auth(a, &h));
    }
    arena_free(a);
}

static void
test_blob(void)
{
    struct arena *a = arena_new(4096);
    static const char with_auth[] = "GET /v1/websocket/ HTTP/1.1\r\nAuthorization: Basic eDp5\r\n"
                                    "Upgrade: websocket\r\nX-Signal-Agent: OWA\r\n\r\n";
    struct head h;
    size_t len;
    char *blob;

    CU_ASSERT_EQUAL_FATAL(head_parse(a, chat_head, sizeof(chat_head) - 1, &h), 0);
    blob = head_upgrade_blob(&h, &len);
    /* host, upgrade, connection and sec-websocket-* are not inherited */
    CU_ASSERT_EQUAL(len, sizeof("user-agent\0Signal-Desktop/7.80.0\0"
                                "x-signal-receive-stories\0true") );
    CU_ASSERT_EQUAL(memcmp(blob, "user-agent\0Signal-Desktop/7.80.0\0", 33), 0);
    free(blob);
    CU_ASSERT_EQUAL_FATAL(head_parse(a, with_auth, sizeof(with_auth) - 1, &h), 0);
    CU_ASSERT_STRING_EQUAL(head_basic_auth(a, &h), "Basic eDp5");
    blob = head_upgrade_blob(&h, &len);
    CU_ASSERT_EQUAL(len, sizeof("x-signal-agent\0OWA"));      /* credentials are not kept */
    free(blob);
    arena_free(a);
}

void
suite_relay_head(void)
{
    CU_pSuite s = CU_add_suite("relay_head", NULL, NULL);

    CU_add_test(s, "head complete", test_complete);
    CU_add_test(s, "parse", test_parse);
    CU_add_test(s, "socket kinds", test_kinds);
    CU_add_test(s, "upgrade header blob", test_blob);
}
