/* libFuzzer target: BackupAuthCredentialPresentation verification and
 * BackupAuthCredentialRequest parsing/blind issuance (zkgroup.c). */
#include <stdlib.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_generic_secret *gp;
    static const uint8_t seed[32] = { 1 }, rnd[32] = { 3 };
    struct zk_backup_auth auth;
    uint8_t *out = NULL;
    size_t out_len = 0;

    if (gp == NULL)
        gp = zk_generic_secret_from_seed(seed, ZK_MODE_LEGACY);
    (void)zk_verify_backup_presentation(gp, data, size, 1770724800, &auth);
    (void)zk_check_backup_auth_request(data, size);
    if (zk_issue_backup_auth_credential(gp, data, size, 1770681600, ZK_BACKUP_LEVEL_FREE,
                                        ZK_BACKUP_TYPE_MESSAGES, rnd, &out, &out_len) == E_OK &&
        out_len != ZK_BACKUP_AUTH_RESPONSE_LEN)
        abort();
    free(out);
    return 0;
}
