/* SaltedTokenHash (see token.h). HKDF with one expand block suffices for L = 32. */
#include "token.h"

#include <string.h>

#include <sodium.h>

#include "core/str.h"

void
token_hash_with_salt(const char *token, size_t token_len, const char *salt,
                     char hash[TOKEN_HASH_LEN + 1])
{
    crypto_auth_hmacsha256_state st;
    uint8_t prk[32], okm[32];
    static const uint8_t info[] = { 'a', 'u', 't', 'h', 't', 'o', 'k', 'e', 'n', 0x01 };

    /* extract: PRK = HMAC(salt, ikm) */
    crypto_auth_hmacsha256_init(&st, (const uint8_t *)salt, strlen(salt));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)token, token_len);
    crypto_auth_hmacsha256_final(&st, prk);
    /* expand, first block: T1 = HMAC(PRK, info || 0x01) */
    crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
    crypto_auth_hmacsha256_update(&st, info, sizeof(info));
    crypto_auth_hmacsha256_final(&st, okm);
    hash[0] = '2';
    hash[1] = '.';
    hex_encode_to(hash + 2, okm, sizeof(okm));
    sodium_memzero(prk, sizeof(prk));
    sodium_memzero(okm, sizeof(okm));
    sodium_memzero(&st, sizeof(st));
}

void
token_hash_new(const char *token, size_t token_len, char salt[TOKEN_SALT_LEN + 1],
               char hash[TOKEN_HASH_LEN + 1])
{
    uint8_t raw[16];

    randombytes_buf(raw, sizeof(raw));
    hex_encode_to(salt, raw, sizeof(raw));
    token_hash_with_salt(token, token_len, salt, hash);
}

bool
token_verify(const char *token, size_t token_len, const char *stored_hash, const char *salt)
{
    char h[TOKEN_HASH_LEN + 1];
    bool ok;

    if (stored_hash == NULL || salt == NULL || stored_hash[0] == '!')
        return false;
    token_hash_with_salt(token, token_len, salt, h);
    ok = ct_eq(h, strlen(h), stored_hash, strlen(stored_hash));
    sodium_memzero(h, sizeof(h));
    return ok;
}
