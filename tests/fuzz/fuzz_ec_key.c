/* libFuzzer target: EC public key parsing (cx_ec_pubkey_parse) and XEdDSA verification of
 * attacker-chosen keys and signatures (the prekey upload path). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/xeddsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pub[33];

    if (cx_ec_pubkey_parse(data, size, pub) != 0)
        return 0;
    if (pub[0] != 0x05 || memcmp(pub, data, 33) != 0)
        abort();
    /* input = key (33) || signature (64) || message */
    if (size >= 33 + 64)
        (void)cx_xeddsa_verify(pub, data + 97, size - 97, data + 33);
    return 0;
}
