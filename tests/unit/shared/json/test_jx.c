/* Tests for shared/json/jx.c: malformed JSON, typed getters, absent vs wrong type. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "json/jx.h"
#include "suites.h"

#define P(s) (const uint8_t *)(s), strlen(s)

static void
test_parse_and_get(void)
{
    struct arena *a = arena_new(4096);
    struct json_object *o;
    const char *s;
    int64_t n;
    bool b;
    uint8_t *raw;
    size_t len;

    CU_ASSERT_EQUAL(jx_parse(a, P("{\"a\":"), &o), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(jx_parse(a, P("{\"a\":1} x"), &o), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(jx_parse(a, P(""), &o), E_BAD_REQUEST);
    CU_ASSERT_EQUAL(jx_parse(a, P("[1]"), &o), E_UNPROCESSABLE);
    CU_ASSERT_EQUAL(jx_parse(a, P("{\"s\":\"x\",\"n\":5,\"b\":true,\"z\":null,\"k\":\"AAE=\"}"), &o),
                    E_OK);
    CU_ASSERT_EQUAL(jx_str(o, "s", &s), E_OK);
    CU_ASSERT_STRING_EQUAL(s, "x");
    CU_ASSERT_EQUAL(jx_str(o, "n", &s), E_UNPROCESSABLE);
    CU_ASSERT_EQUAL(jx_str(o, "missing", &s), E_NOT_FOUND);
    CU_ASSERT_EQUAL(jx_str(o, "z", &s), E_NOT_FOUND);
    CU_ASSERT_EQUAL(jx_int(o, "n", 0, 10, &n), E_OK);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(jx_int(o, "n", 0, 4, &n), E_UNPROCESSABLE);
    CU_ASSERT_EQUAL(jx_bool(o, "b", &b), E_OK);
    CU_ASSERT_TRUE(b);
    CU_ASSERT_EQUAL(jx_b64(a, o, "k", 0, &raw, &len), E_OK);
    CU_ASSERT_EQUAL(len, 2);
    CU_ASSERT_EQUAL(jx_b64(a, o, "s", 0, &raw, &len), E_UNPROCESSABLE);
    /* the array-of-bytes form Jackson also accepts (signed or unsigned values) */
    CU_ASSERT_EQUAL(jx_parse(a, P("{\"u\":[1,255,-1],\"bad\":[1,256],\"t\":[\"x\"]}"), &o), E_OK);
    CU_ASSERT_EQUAL(jx_b64(a, o, "u", 0, &raw, &len), E_OK);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_TRUE(len == 3 && raw[0] == 1 && raw[1] == 255 && raw[2] == 255);
    CU_ASSERT_EQUAL(jx_b64(a, o, "bad", 0, &raw, &len), E_UNPROCESSABLE);
    CU_ASSERT_EQUAL(jx_b64(a, o, "t", 0, &raw, &len), E_UNPROCESSABLE);
    /* nesting beyond the limit is refused */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CU_ASSERT_EQUAL(jx_parse(a, (const uint8_t *)deep, 200, &o), E_BAD_REQUEST);
    arena_free(a);
}

void
suite_jx(void)
{
    CU_pSuite s = CU_add_suite("json/jx", NULL, NULL);

    CU_add_test(s, "parse and typed getters", test_parse_and_get);
}
