/* Tests for shared/crypto/token.c: Signal's SaltedTokenHash. The expected value was computed
 * independently (Python hmac: HKDF-SHA256 extract+expand, salt = the hex text). */
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/token.h"
#include "suites.h"

static void
test_known_value(void)
{
    char h[TOKEN_HASH_LEN + 1];

    token_hash_with_salt("hunter2", 7, "00112233445566778899aabbccddeeff", h);
    CU_ASSERT_STRING_EQUAL(h, "2.d1bcedf0c9093c4d5dadf68a19c506c7b9dbd8b5879a45b2e03874a58b8d5f1f");
}

static void
test_new_and_verify(void)
{
    char salt[TOKEN_SALT_LEN + 1], h[TOKEN_HASH_LEN + 1], locked[TOKEN_HASH_LEN + 2];

    token_hash_new("secret", 6, salt, h);
    CU_ASSERT_EQUAL(strlen(salt), 32);
    CU_ASSERT_TRUE(token_verify("secret", 6, h, salt));
    CU_ASSERT_FALSE(token_verify("secreT", 6, h, salt));
    CU_ASSERT_FALSE(token_verify("secret", 6, h, "00"));
    locked[0] = '!';
    strcpy(locked + 1, h);
    CU_ASSERT_FALSE(token_verify("secret", 6, locked, salt));
}

void
suite_token(void)
{
    CU_pSuite s = CU_add_suite("crypto/token", NULL, NULL);

    CU_add_test(s, "known value", test_known_value);
    CU_add_test(s, "new and verify", test_new_and_verify);
}
