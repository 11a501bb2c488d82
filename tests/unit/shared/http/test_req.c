/* Tests for shared/http/req.c: target splitting, query decoding, header lookup. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "http/req.h"
#include "suites.h"

static void
test_split_and_query(void)
{
    struct arena *a = arena_new(1024);
    struct req r = { 0 };
    struct header h[] = { { "x-a", "1" } };

    CU_ASSERT_EQUAL(req_split_target(a, "/v2/keys%2Fx?identity=pni&x=a%20b+c&flag", &r.path,
                                     &r.query), 0);
    CU_ASSERT_STRING_EQUAL(r.path, "/v2/keys/x");
    CU_ASSERT_STRING_EQUAL(req_query(&r, a, "identity"), "pni");
    CU_ASSERT_STRING_EQUAL(req_query(&r, a, "x"), "a b c");
    CU_ASSERT_STRING_EQUAL(req_query(&r, a, "flag"), "");
    CU_ASSERT_PTR_NULL(req_query(&r, a, "ident"));
    CU_ASSERT_EQUAL(req_split_target(a, "v1/x", &r.path, &r.query), -1);
    CU_ASSERT_EQUAL(req_split_target(a, "/v1/%zz", &r.path, &r.query), -1);
    CU_ASSERT_EQUAL(req_split_target(a, "/v1/%00", &r.path, &r.query), -1);
    CU_ASSERT_EQUAL(req_split_target(a, "/v1/%4", &r.path, &r.query), -1);
    r.headers = h;
    r.nheaders = 1;
    CU_ASSERT_STRING_EQUAL(req_header(&r, "x-a"), "1");
    CU_ASSERT_PTR_NULL(req_header(&r, "x-b"));
    arena_free(a);
}

void
suite_req(void)
{
    CU_pSuite s = CU_add_suite("http/req", NULL, NULL);

    CU_add_test(s, "split and query", test_split_and_query);
}
