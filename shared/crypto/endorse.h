/*
 * zkcredential endorsements, server side (crypto-spec.md §15): per-expiration derived keys of
 * the endorsement root key and the token check sk'·P.  Internal to shared/crypto; zkgroup.c
 * builds the group-send-token check on top.
 */
#ifndef HG_CRYPTO_ENDORSE_H
#define HG_CRYPTO_ENDORSE_H

#include <stddef.h>
#include <stdint.h>

#define ENDORSE_GROUP_SEND_LABEL "20240215_Signal_GroupSendEndorsement"
#define ENDORSE_DONATION_LABEL "20260611_Signal_DonationPermitEndorsement"

/**
 * Derived key for a tag label and expiration: t = SHO(label ⟵ be64(expiration)).get_scalar(),
 * sk' = (sk + t)^−1 (secret: caller wipes), PK' = PK + t·G.
 */
void endorse_derive(const uint8_t sk[32], const uint8_t pk[32], const char *label,
                    uint64_t expiration, uint8_t sk_out[32], uint8_t pk_out[32]);
/** The 16-byte full token of point P under derived secret sk': SHA-256(encode(sk'·P))[0..16]. */
void endorse_token(const uint8_t sk_derived[32], const uint8_t p[32], uint8_t token[16]);

#endif
