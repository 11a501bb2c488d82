/* libFuzzer target: DonationPermit verification and DonationPermitRequest issuance (zkgroup.c). */
#include <stdlib.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_server_secret *sp;
    static const uint8_t seed[32] = { 1 }, rnd[32] = { 3 };
    uint8_t spend[32], *out = NULL;
    size_t out_len = 0;

    if (sp == NULL)
        sp = zk_server_secret_from_seed(seed);
    (void)zk_verify_donation_permit(sp, data, size, 1770724800, spend);
    if (zk_issue_donation_permits(sp, data, size, 1770854400, rnd, &out, &out_len) == E_OK &&
        out_len < 1 + 8 + 32 + 8 + 64 + 8)
        abort();
    free(out);
    return 0;
}
