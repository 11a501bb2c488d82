/* Tests for shared/core/b64.c: all four flavours, strict decoding. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/b64.h"
#include "suites.h"

static void
test_encode_flavours(void)
{
    struct arena *a = arena_new(1024);
    const uint8_t v[] = { 0xfb, 0xff, 0xfe, 0x01 };

    CU_ASSERT_STRING_EQUAL(b64_encode(a, v, 4, B64_STD_PAD), "+//+AQ==");
    CU_ASSERT_STRING_EQUAL(b64_encode(a, v, 4, B64_STD_NOPAD), "+//+AQ");
    CU_ASSERT_STRING_EQUAL(b64_encode(a, v, 4, B64_URL_PAD), "-__-AQ==");
    CU_ASSERT_STRING_EQUAL(b64_encode(a, v, 4, B64_URL_NOPAD), "-__-AQ");
    CU_ASSERT_STRING_EQUAL(b64_encode(a, v, 0, B64_STD_PAD), "");
    CU_ASSERT_STRING_EQUAL(b64_encode(a, (const uint8_t *)"foobar", 6, B64_STD_PAD), "Zm9vYmFy");
    arena_free(a);
}

static void
test_decode_strict(void)
{
    struct arena *a = arena_new(1024);
    uint8_t *out;
    size_t n;

    CU_ASSERT_EQUAL(b64_decode(a, "Zm9vYg==", 8, 0, &out, &n), 0);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(memcmp(out, "foob", 4), 0);
    CU_ASSERT_EQUAL(b64_decode(a, "Zm9vYg", 6, 0, &out, &n), 0); /* unpadded accepted */
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(b64_decode(a, "Zm9vYh==", 8, 0, &out, &n), -1); /* non-zero trailing bits */
    CU_ASSERT_EQUAL(b64_decode(a, "Zm9vY===", 8, 0, &out, &n), -1);
    CU_ASSERT_EQUAL(b64_decode(a, "Zm9v!g==", 8, 0, &out, &n), -1);
    CU_ASSERT_EQUAL(b64_decode(a, "Zm9vYg=", 7, 0, &out, &n), -1);
    CU_ASSERT_EQUAL(b64_decode(a, "-__-AQ", 6, 0, &out, &n), -1);  /* url chars in std */
    CU_ASSERT_EQUAL(b64_decode(a, "-__-AQ", 6, 1, &out, &n), 0);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(out[0], 0xfb);
    CU_ASSERT_EQUAL(b64_decode(a, "A", 1, 0, &out, &n), -1);
    CU_ASSERT_EQUAL(b64_decode(a, "", 0, 0, &out, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    arena_free(a);
}

void
suite_b64(void)
{
    CU_pSuite s = CU_add_suite("core/b64", NULL, NULL);

    CU_add_test(s, "encode flavours", test_encode_flavours);
    CU_add_test(s, "decode strict", test_decode_strict);
}
