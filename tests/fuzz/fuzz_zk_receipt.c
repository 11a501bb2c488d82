/* libFuzzer target: ReceiptCredentialPresentation verification and ReceiptCredentialRequest
 * parsing/issuance (zkgroup.c). */
#include <stdlib.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_server_secret *sp;
    static const uint8_t seed[32] = { 1 }, rnd[32] = { 3 };
    uint8_t serial[16], *out = NULL;
    uint64_t exp, level;
    size_t out_len = 0;

    if (sp == NULL)
        sp = zk_server_secret_from_seed(seed);
    (void)zk_verify_receipt_presentation(sp, data, size, &exp, &level, serial);
    if (zk_issue_receipt_credential(sp, data, size, 1773273600, 1, rnd, &out, &out_len) == E_OK &&
        out_len != ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN)
        abort();
    free(out);
    return 0;
}
