/* Tests for fcgi/adapt.c: CGI env -> struct req, struct resp -> CGI output. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "fcgi/fcgi.h"
#include "http/req.h"
#include "http/resp.h"
#include "suites.h"

static void
test_env_to_req(void)
{
    struct arena *a = arena_new(4096);
    char *env[] = { "REQUEST_METHOD=PUT", "REQUEST_URI=/v2/keys?identity=pni",
                    "HTTP_AUTHORIZATION=Basic eDp5", "HTTP_X_SIGNAL_AGENT=OWD",
                    "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2", "REMOTE_ADDR=127.0.0.1",
                    "SERVER_SOFTWARE=x", NULL };
    struct req r;

    CU_ASSERT_EQUAL(fcgi_req_from_env(env, (const uint8_t *)"{}", 2, a, &r), E_OK);
    CU_ASSERT_STRING_EQUAL(r.method, "PUT");
    CU_ASSERT_STRING_EQUAL(r.path, "/v2/keys");
    CU_ASSERT_STRING_EQUAL(r.query, "identity=pni");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "authorization"), "Basic eDp5");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "x-signal-agent"), "OWD");
    CU_ASSERT_STRING_EQUAL(req_header(&r, "content-type"), "application/json");
    CU_ASSERT_PTR_NULL(req_header(&r, "server-software"));
    CU_ASSERT_STRING_EQUAL(r.peer, "127.0.0.1");
    CU_ASSERT_EQUAL(r.body_len, 2);
    CU_ASSERT_EQUAL(fcgi_content_length(env), 2);
    arena_free(a);
}

static void
test_bad_env(void)
{
    struct arena *a = arena_new(4096);
    char *nomethod[] = { "REQUEST_URI=/x", NULL };
    char *badpath[] = { "REQUEST_METHOD=GET", "REQUEST_URI=x", NULL };
    char *badlen[] = { "CONTENT_LENGTH=-1", NULL };
    char *fallback[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/v1", "PATH_INFO=/keepalive",
                         "QUERY_STRING=a=b", NULL };
    struct req r;

    CU_ASSERT_EQUAL(fcgi_req_from_env(nomethod, NULL, 0, a, &r), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(fcgi_req_from_env(badpath, NULL, 0, a, &r), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(fcgi_content_length(badlen), -1);
    CU_ASSERT_EQUAL(fcgi_req_from_env(fallback, NULL, 0, a, &r), E_OK);
    CU_ASSERT_STRING_EQUAL(r.path, "/v1/keepalive");
    CU_ASSERT_STRING_EQUAL(r.query, "a=b");
    arena_free(a);
}

static void
test_resp_format(void)
{
    struct arena *a = arena_new(4096);
    struct resp r;
    char *out;
    size_t n;

    resp_init(&r, a);
    resp_bytes(&r, 404, "application/json", "{}", 2);
    resp_header(&r, "X-Signal-Timestamp", "1");
    n = fcgi_resp_format(&r, a, &out);
    CU_ASSERT_EQUAL(n, strlen(out));
    CU_ASSERT_STRING_EQUAL(out, "Status: 404 Not Found\r\nContent-Type: application/json\r\n"
                                "Content-Length: 2\r\nX-Signal-Timestamp: 1\r\n\r\n{}");
    arena_free(a);
}

void
suite_fcgi_adapt(void)
{
    CU_pSuite s = CU_add_suite("fcgi/adapt", NULL, NULL);

    CU_add_test(s, "env to req", test_env_to_req);
    CU_add_test(s, "bad env", test_bad_env);
    CU_add_test(s, "resp format", test_resp_format);
}
