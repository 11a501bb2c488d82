/* Tests for shared/http/router.c that need no database: 404/405 mapping, JSON error bodies,
 * X-Signal-Timestamp, and 401 on an authenticated route without credentials. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/router.h"
#include "suites.h"

static int
run(const char *method, const char *path, struct resp *resp, struct arena *a)
{
    struct req r = { .method = method, .path = path, .query = "", .transport = TR_TEST };

    resp_init(resp, a);
    router_dispatch(NULL, a, &r, resp);
    return resp->status;
}

static const char *
header(const struct resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static void
test_not_found_and_method(void)
{
    struct arena *a = arena_new(4096);
    struct resp resp;

    CU_ASSERT_EQUAL(run("GET", "/v1/nope", &resp, a), 404);
    CU_ASSERT_NSTRING_EQUAL(resp.body, "{\"code\":404,", 12);
    CU_ASSERT_STRING_EQUAL(resp.content_type, "application/json");
    CU_ASSERT_PTR_NOT_NULL(header(&resp, "X-Signal-Timestamp"));
    CU_ASSERT_EQUAL(run("DELETE", "/v1/keepalive", &resp, a), 405);
    CU_ASSERT_EQUAL(run("GET", "/v1/keepalive", &resp, a), 200);
    CU_ASSERT_EQUAL(resp.body_len, 0);
    CU_ASSERT_EQUAL(run("GET", "/v1/keepalive/", &resp, a), 200); /* trailing slash */
    CU_ASSERT_EQUAL(run("GET", "/v2/keys/a/b/c", &resp, a), 404);
    CU_ASSERT_EQUAL(run("GET", "/v1/accounts/whoami", &resp, a), 401);
    arena_free(a);
}

void
suite_router(void)
{
    CU_pSuite s = CU_add_suite("http/router", NULL, NULL);

    CU_add_test(s, "404, 405, 401 without a database", test_not_found_and_method);
}
