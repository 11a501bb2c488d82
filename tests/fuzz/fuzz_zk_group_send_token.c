/* libFuzzer target: GroupSendFullToken parsing and verification (zkgroup.c). */
#include <string.h>

#include "crypto/zkgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct zk_server_secret *sp;
    static const uint8_t seed[32] = { 1 };
    struct zk_service_id r[2];

    if (sp == NULL)
        sp = zk_server_secret_from_seed(seed);
    memset(r, 0, sizeof r);
    r[1].kind = 1;
    (void)zk_verify_group_send_token(sp, data, size, r, 2, 1770724800);
    return 0;
}
