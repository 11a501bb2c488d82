/*
 * Attribute encodings the server computes (crypto-spec.md §9): UidStruct points of service ids,
 * lizard encoding, the derived "false PNI", timestamp and receipt scalars, the backup-id point.
 * Internal to shared/crypto.
 */
#ifndef HG_CRYPTO_ZKGROUP_ATTR_H
#define HG_CRYPTO_ZKGROUP_ATTR_H

#include <stddef.h>
#include <stdint.h>

/** M1 of UidStruct: Sho::new("…UID_CalcM1", service-id binary).get_point(). */
void zkgroup_attr_uid_m1(const uint8_t *service_id_binary, size_t len, uint8_t m1[32]);
/** UidStruct(ACI): M1 over the 16 raw bytes, M2 = lizard(aci). */
void zkgroup_attr_uid_aci(const uint8_t aci[16], uint8_t m1[32], uint8_t m2[32]);
/** UidStruct(PNI): M1 over 0x01 || pni, M2 = lizard(pni). */
void zkgroup_attr_uid_pni(const uint8_t pni[16], uint8_t m1[32], uint8_t m2[32]);
/** Lizard encoding of 16 bytes into a point (curve25519-dalek lizard_ristretto.rs). */
void zkgroup_attr_lizard(const uint8_t d[16], uint8_t out[32]);
/** The v5-style false PNI for accounts without a PNI, from (authCredentialSalt, ACI). */
void zkgroup_attr_false_pni(const uint8_t *salt, size_t salt_len, const uint8_t aci[16],
                            uint8_t pni[16]);
/** Timestamp scalar m5 = Sho::new("…Timestamp_Calc_m", be64(t)).get_scalar(). */
void zkgroup_attr_timestamp_scalar(uint64_t t, uint8_t m5[32]);
/** Receipt scalar m1 = Sho::new("…Receipt_CalcM1", be64(expiration) || be64(level)). */
void zkgroup_attr_receipt_scalar(uint64_t expiration, uint64_t level, uint8_t m1[32]);
/** Backup-id point: Sho::new("20231003_Signal_BackupId", id).get_point(). */
void zkgroup_attr_backup_id_point(const uint8_t id[16], uint8_t out[32]);

#endif
