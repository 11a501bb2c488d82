/* Parsing and checking pre-key JSON shared by registration.c and keys.c. */
#ifndef HG_PREKEY_H
#define HG_PREKEY_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

struct arena;
struct json_object;

#define PREKEY_MAX_UPLOAD 100

/**
 * Parse {keyId, publicKey, signature} (EC when !kem, KEM otherwise), check the key encoding and
 * the XEdDSA signature by identity_key (33 bytes) over the serialized public key.
 * E_UNPROCESSABLE for any malformed field or bad signature.
 */
enum err prekey_parse_signed(struct arena *a, struct json_object *o, bool kem,
                             const uint8_t identity_key[33], struct signed_key *out) HG_MUST_CHECK;
/** Parse a one-time key {keyId, publicKey[, signature]}; KEM keys must carry a valid signature. */
enum err prekey_parse_onetime(struct arena *a, struct json_object *o, bool kem,
                              const uint8_t identity_key[33],
                              struct onetime_key *out) HG_MUST_CHECK;
/** Parse an identity key (base64 of 0x05||u, trailing bytes ignored as libsignal does). */
enum err prekey_parse_identity(struct arena *a, struct json_object *o, const char *field,
                               uint8_t out[33]) HG_MUST_CHECK;
/** JSON for a signed key as clients expect it (publicKey padded, signature unpadded). */
struct json_object *prekey_signed_json(struct arena *a, const struct signed_key *k);

#endif
