/* libFuzzer target: ProfileKeyCredentialRequest + commitment parsing, proof check, issuance. */
#include <stdlib.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_server_secret *sp;
    static const uint8_t seed[32] = { 1 }, aci[16] = { 2 }, rnd[32] = { 3 };
    uint8_t *out = NULL;
    size_t out_len = 0, split;

    if (sp == NULL)
        sp = zk_server_secret_from_seed(seed);
    /* the first 97 bytes (or fewer) are the commitment, the rest the request */
    split = size < ZK_PROFILE_KEY_COMMITMENT_LEN ? size : ZK_PROFILE_KEY_COMMITMENT_LEN;
    (void)zk_check_profile_key_commitment(data, split);
    if (zk_issue_expiring_profile_key_credential(sp, data + split, size - split, data, split, aci,
                                                 1771286400, rnd, &out, &out_len) == E_OK &&
        out_len != ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN)
        abort();
    free(out);
    return 0;
}
