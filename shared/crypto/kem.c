/* KEM key encoding and the prekey signature rule (see kem.h). */
#include "kem.h"

#include "xeddsa.h"

int
cx_kem_pubkey_parse(const uint8_t *p, size_t n)
{
    if (p == NULL || n == 0 || p[0] != CX_KEM_TYPE_KYBER1024 || n != CX_KEM_PUBLIC_LEN)
        return -1;
    return 0;
}

bool
cx_prekey_signature_ok(const uint8_t identity33[33], const uint8_t *key, size_t key_len,
                       const uint8_t *sig, size_t sig_len)
{
    return cx_xeddsa_verify_len(identity33, key, key_len, sig, sig_len);
}
