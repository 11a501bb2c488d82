/* libFuzzer target: SSv2 multi-recipient parser (cx_mrm_parse) and per-recipient payloads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "crypto/mrm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096);
    struct cx_mrm m;

    if (cx_mrm_parse(a, data, size, &m) == CX_MRM_OK) {
        size_t n = cx_mrm_payload_len(&m);

        if (n > size + 48 || m.shared_off + 32 > size)
            abort();
        for (size_t i = 0; i < m.nrecipients; i++) {
            uint8_t *p = cx_mrm_payload_new(a, &m, &m.recipients[i]);

            if (p[0] != 0x22 || m.recipients[i].ndevices == 0
                || m.recipients[i].key_material_off + 48 > m.shared_off)
                abort();
        }
    }
    arena_free(a);
    return 0;
}
