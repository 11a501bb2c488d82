/* Salted token hashes for device passwords, registration-lock tokens and recovery passwords
 * (Signal's SaltedTokenHash: "2." || hex(HKDF-SHA256(ikm=token, salt=hex salt text,
 * info="authtoken", L=32)), salt = 16 random bytes as 32 lowercase hex chars). */
#ifndef HG_TOKEN_H
#define HG_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_SALT_LEN 32   /* hex chars */
#define TOKEN_HASH_LEN 66   /* "2." + 64 hex chars */

/** New random salt and the hash of token under it. salt: 33 bytes, hash: 67 bytes (NUL-ended). */
void token_hash_new(const char *token, size_t token_len, char salt[TOKEN_SALT_LEN + 1],
                    char hash[TOKEN_HASH_LEN + 1]);
/** Hash token under an existing salt (any string). */
void token_hash_with_salt(const char *token, size_t token_len, const char *salt,
                          char hash[TOKEN_HASH_LEN + 1]);
/** Constant-time check of token against a stored hash + salt. A "!"-prefixed (locked) hash never
 * matches. */
bool token_verify(const char *token, size_t token_len, const char *stored_hash, const char *salt);

#endif
