/* libFuzzer target: SenderCertificate / ServerCertificate parsing and validation
 * (cx_cert_sender_validate, cx_cert_server_check) on untrusted bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "crypto/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the trust root of sender-certificate.json, so seeds from it reach the signature checks */
static const uint8_t root[33] = {
    0x05, 0xea, 0x98, 0x0a, 0xb1, 0x12, 0x8a, 0x4f, 0xc1, 0x80, 0x42, 0x71, 0x55, 0x40, 0xf6,
    0x71, 0x57, 0x53, 0x48, 0x1e, 0xf1, 0x6b, 0xcb, 0xaa, 0x15, 0xcc, 0xb9, 0x19, 0x1a, 0x64,
    0x13, 0x26, 0x08,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1024);
    struct cx_sender_cert_info info;
    uint32_t id;
    uint8_t key[33];

    (void)cx_cert_sender_validate(a, data, size, root, 1770724800000ull, &info);
    (void)cx_cert_server_check(data, size, root, &id, key);
    arena_free(a);
    return 0;
}
