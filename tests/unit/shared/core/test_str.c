/* Tests for shared/core/str.c. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/str.h"
#include "suites.h"

static void
test_uuid(void)
{
    uint8_t u[16];
    char s[37];

    CU_ASSERT_EQUAL(uuid_parse("9D0652A3-dcc3-4d11-975f-74d61598733f", u), 0);
    uuid_format(u, s);
    CU_ASSERT_STRING_EQUAL(s, "9d0652a3-dcc3-4d11-975f-74d61598733f");
    CU_ASSERT_EQUAL(uuid_parse("9d0652a3-dcc3-4d11-975f-74d61598733", u), -1);
    CU_ASSERT_EQUAL(uuid_parse("9d0652a3xdcc3-4d11-975f-74d61598733f", u), -1);
    CU_ASSERT_EQUAL(uuid_parse("9d0652a3-dcc3-4d11-975f-74d61598733g", u), -1);
    uuid_v4(u);
    CU_ASSERT_EQUAL(u[6] >> 4, 4);
    CU_ASSERT_EQUAL(u[8] >> 6, 2);
}

static void
test_service_id(void)
{
    enum svc_kind k;
    uint8_t u[16];

    CU_ASSERT_EQUAL(service_id_parse("PNI:9d0652a3-dcc3-4d11-975f-74d61598733f", &k, u), 0);
    CU_ASSERT_EQUAL(k, SVC_PNI);
    CU_ASSERT_EQUAL(service_id_parse("9d0652a3-dcc3-4d11-975f-74d61598733f", &k, u), 0);
    CU_ASSERT_EQUAL(k, SVC_ACI);
    CU_ASSERT_EQUAL(service_id_parse("pni:9d0652a3-dcc3-4d11-975f-74d61598733f", &k, u), -1);
    CU_ASSERT_EQUAL(service_id_parse("", &k, u), -1);
}

static void
test_numbers_and_e164(void)
{
    int64_t v;

    CU_ASSERT_EQUAL(parse_i64("127", 0, 127, &v), 0);
    CU_ASSERT_EQUAL(v, 127);
    CU_ASSERT_EQUAL(parse_i64("128", 0, 127, &v), -1);
    CU_ASSERT_EQUAL(parse_i64("12a", 0, 127, &v), -1);
    CU_ASSERT_EQUAL(parse_i64("", 0, 127, &v), -1);
    CU_ASSERT_EQUAL(parse_i64(" 1", 0, 127, &v), -1);
    CU_ASSERT_TRUE(e164_valid("+14155550123"));
    CU_ASSERT_FALSE(e164_valid("14155550123"));
    CU_ASSERT_FALSE(e164_valid("+04155550123"));
    CU_ASSERT_FALSE(e164_valid("+1415555"));
    CU_ASSERT_FALSE(e164_valid("+1415555012345678"));
    CU_ASSERT_FALSE(e164_valid("+1415a550123"));
    CU_ASSERT_TRUE(ct_eq("abc", 3, "abc", 3));
    CU_ASSERT_FALSE(ct_eq("abc", 3, "abd", 3));
    CU_ASSERT_FALSE(ct_eq("abc", 3, "ab", 2));
}

void
suite_str(void)
{
    CU_pSuite s = CU_add_suite("core/str", NULL, NULL);

    CU_add_test(s, "uuid", test_uuid);
    CU_add_test(s, "service ids", test_service_id);
    CU_add_test(s, "numbers, e164, ct_eq", test_numbers_and_e164);
}
