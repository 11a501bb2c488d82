/*
 * Attribute encodings (crypto-spec.md §9).  M2 of a UidStruct carries only the raw UUID: the
 * ACI/PNI distinction lives in M1's hash input (0x01 prefix for PNIs).
 */
#include "crypto/zkgroup_attr.h"

#include <string.h>

#include <nettle/sha1.h>
#include <sodium.h>

#include "crypto/ristretto.h"
#include "crypto/sho.h"
#include "crypto/zkgroup_bin.h"

void
zkgroup_attr_uid_m1(const uint8_t *service_id_binary, size_t len, uint8_t m1[32])
{
    struct sho s;

    sho_new(&s, "Signal_ZKGroup_20200424_UID_CalcM1", service_id_binary, len);
    sho_get_point(&s, m1);
}

void
zkgroup_attr_lizard(const uint8_t d[16], uint8_t out[32])
{
    uint8_t h[32];

    crypto_hash_sha256(h, d, 16);
    memcpy(h + 8, d, 16);
    h[0] &= 0xfe;
    h[31] &= 0x3f;
    rist_map_to_curve(out, h);
}

void
zkgroup_attr_uid_aci(const uint8_t aci[16], uint8_t m1[32], uint8_t m2[32])
{
    zkgroup_attr_uid_m1(aci, 16, m1);
    zkgroup_attr_lizard(aci, m2);
}

void
zkgroup_attr_uid_pni(const uint8_t pni[16], uint8_t m1[32], uint8_t m2[32])
{
    uint8_t sid[17];

    sid[0] = 0x01;
    memcpy(sid + 1, pni, 16);
    zkgroup_attr_uid_m1(sid, sizeof sid, m1);
    zkgroup_attr_lizard(pni, m2);
}

void
zkgroup_attr_false_pni(const uint8_t *salt, size_t salt_len, const uint8_t aci[16],
                       uint8_t pni[16])
{
    /* uid_struct.rs::for_false_pni_derived_from_aci: a name-based (v5) UUID in a fixed
     * namespace, so the value is stable per account but unlinkable to the ACI */
    static const uint8_t ns[16] = {
        0x01, 0x9f, 0xaa, 0x2b, 0x7b, 0xcb, 0x70, 0xc2,
        0xac, 0x7f, 0xcd, 0x77, 0x04, 0x14, 0x68, 0x9a,
    };
    struct sha1_ctx ctx;
    uint8_t salt_hash[32], digest[SHA1_DIGEST_SIZE];

    crypto_hash_sha256(salt_hash, salt, salt_len);
    sha1_init(&ctx);
    sha1_update(&ctx, sizeof ns, ns);
    sha1_update(&ctx, sizeof salt_hash, salt_hash);
    sha1_update(&ctx, 16, aci);
    sha1_digest(&ctx, sizeof digest, digest);
    memcpy(pni, digest, 16);
    pni[6] = (uint8_t)((pni[6] & 0x0f) | 0x50);
    pni[8] = (uint8_t)((pni[8] & 0x3f) | 0x80);
    sodium_memzero(salt_hash, sizeof salt_hash);
}

void
zkgroup_attr_timestamp_scalar(uint64_t t, uint8_t m5[32])
{
    struct sho s;
    uint8_t be[8];

    zkgroup_be64(be, t);
    sho_new(&s, "Signal_ZKGroup_20220524_Timestamp_Calc_m", be, sizeof be);
    sho_get_scalar(&s, m5);
}

void
zkgroup_attr_receipt_scalar(uint64_t expiration, uint64_t level, uint8_t m1[32])
{
    struct sho s;
    uint8_t be[16];

    zkgroup_be64(be, expiration);
    zkgroup_be64(be + 8, level);
    sho_new(&s, "Signal_ZKGroup_20210919_Receipt_CalcM1", be, sizeof be);
    sho_get_scalar(&s, m1);
}

void
zkgroup_attr_backup_id_point(const uint8_t id[16], uint8_t out[32])
{
    struct sho s;

    sho_new(&s, "20231003_Signal_BackupId", id, 16);
    sho_get_point(&s, out);
}
