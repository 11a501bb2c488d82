/* libFuzzer target: CreateCallLinkCredentialRequest parsing + blind issuance (zkgroup.c). */
#include <stdlib.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_generic_secret *gp;
    static const uint8_t seed[32] = { 1 }, aci[16] = { 2 }, rnd[32] = { 3 };
    uint8_t *out = NULL;
    size_t out_len = 0;

    if (gp == NULL)
        gp = zk_generic_secret_from_seed(seed, ZK_MODE_STANDARD);
    if (zk_issue_create_call_link_credential(gp, data, size, aci, 1770681600, rnd, &out,
                                             &out_len) == E_OK && out_len != 465)
        abort();
    free(out);
    return 0;
}
