/*
 * SHO ("stateful hash object"), the duplex-style hash that poksho and zkgroup use for every
 * derivation: ShoHmacSha256 (all protocol work) and ShoSha256 (only the zkcredential system
 * generators).  Byte-exact with libsignal rust/poksho/src/shohmacsha256.rs / shosha256.rs;
 * see crypto-spec.md §5.  Internal to shared/crypto (handlers use zkgroup.h).
 */
#ifndef HG_CRYPTO_SHO_H
#define HG_CRYPTO_SHO_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

/* HMAC-SHA256 SHO.  Plain value type: copying the struct clones the SHO (poksho does that). */
struct sho {
    uint8_t cv[32];                   /* chaining value (the HMAC key of the next absorb) */
    int absorbing;                    /* 0 = RATCHETED, 1 = ABSORBING */
    crypto_auth_hmacsha256_state h;   /* open HMAC while absorbing */
};

/** init(label): zero chaining value, absorb the label and ratchet. */
void sho_init(struct sho *s, const void *label, size_t label_len);
/** Absorb bytes; consecutive absorbs without a ratchet feed one HMAC input. */
void sho_absorb(struct sho *s, const void *p, size_t n);
/** Finish the current HMAC input (appends 0x00) into a new chaining value; no-op if ratcheted. */
void sho_ratchet(struct sho *s);
/** absorb(p) then ratchet(); not a no-op for n == 0 (it re-keys). */
void sho_absorb_and_ratchet(struct sho *s, const void *p, size_t n);
/** Squeeze n bytes (ratchets first if needed) and advance the chaining value. */
void sho_squeeze(struct sho *s, uint8_t *out, size_t n);
/** zkgroup's Sho::new(label, data): init(label) then absorb_and_ratchet(data), even if empty. */
void sho_new(struct sho *s, const char *label, const void *data, size_t n);
/** Squeeze 64 bytes and map them to a Ristretto point (two Elligator maps, added). */
void sho_get_point(struct sho *s, uint8_t out[32]);
/** Squeeze 64 bytes and reduce them mod L. */
void sho_get_scalar(struct sho *s, uint8_t out[32]);
/** Wipe the whole state (it may be keyed by secrets). */
void sho_wipe(struct sho *s);

/* SHA-256 SHO (ShoSha256), used only to derive the zkcredential generator table. */
struct sho_sha256 {
    uint8_t cv[32];
    int absorbing;
    crypto_hash_sha256_state h;
};

/** ShoSha256 init(label). */
void sho_sha256_init(struct sho_sha256 *s, const void *label, size_t label_len);
/** ShoSha256 absorb. */
void sho_sha256_absorb(struct sho_sha256 *s, const void *p, size_t n);
/** ShoSha256 ratchet (double SHA-256 of the absorbed input). */
void sho_sha256_ratchet(struct sho_sha256 *s);
/** ShoSha256 squeeze of n bytes. */
void sho_sha256_squeeze(struct sho_sha256 *s, uint8_t *out, size_t n);
/** ShoSha256 squeeze(64) mapped to a point. */
void sho_sha256_get_point(struct sho_sha256 *s, uint8_t out[32]);

#endif
