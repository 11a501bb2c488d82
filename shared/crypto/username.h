/*
 * Username hash proofs (crypto-spec.md §16): PUT /v1/accounts/username_hash/confirm verifies that
 * the client knows the username behind a 32-byte hash (rust/usernames/src/username.rs).
 */
#ifndef HG_CRYPTO_USERNAME_H
#define HG_CRYPTO_USERNAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define ZK_USERNAME_HASH_LEN 32

/**
 * Verify zkProof for usernameHash.  E_BAD_REQUEST if the hash is not 32 bytes or not a point
 * encoding; E_UNPROCESSABLE (Signal-Server answers 422) if the proof is malformed or fails;
 * E_OK if valid.
 */
enum err zk_verify_username_proof(const uint8_t *hash, size_t hash_len, const uint8_t *proof,
                                  size_t proof_len) HG_MUST_CHECK;

#endif
