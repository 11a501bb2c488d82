/* libFuzzer target: KEM public key checks (cx_kem_pubkey_parse) and the signed-prekey rule on
 * arbitrary key, signature and identity bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crypto/ec.h"
#include "crypto/kem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t id[33];

    if (cx_kem_pubkey_parse(data, size) == 0 && (size != 1569 || data[0] != 0x08))
        abort();
    /* input = identity (33) || signature (64) || key */
    if (size >= 97 && cx_ec_pubkey_parse(data, 33, id) == 0)
        (void)cx_prekey_signature_ok(id, data + 97, size - 97, data + 33, 64);
    return 0;
}
