/* libFuzzer target: ServerSecretParams / GenericServerSecretParams loaders (zkparams.c). */
#include <stdlib.h>
#include <string.h>

#include "crypto/zkparams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct zk_server_secret *sp = NULL;
    struct zk_generic_secret *gp = NULL;
    uint8_t buf[ZK_SERVER_SECRET_LEN];

    if (zk_server_secret_load(data, size, &sp) == E_OK) {
        zk_server_secret_serialize(sp, buf);
        if (memcmp(buf, data, size) != 0)     /* load must round-trip exactly */
            abort();
        zk_server_secret_free(sp);
    }
    if (zk_generic_secret_load(data, size, &gp) == E_OK) {
        zk_generic_secret_serialize(gp, buf);
        if (memcmp(buf, data, size) != 0)
            abort();
        zk_generic_secret_free(gp);
    }
    return 0;
}
