/* libFuzzer target: username hash + proof verification (username.c); first 32 bytes = hash. */
#include "crypto/username.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t hl = size < ZK_USERNAME_HASH_LEN ? size : ZK_USERNAME_HASH_LEN;

    (void)zk_verify_username_proof(data, hl, data + hl, size - hl);
    return 0;
}
