/* Base64 in the four flavours Signal uses (standard/url-safe, padded/unpadded). */
#ifndef HG_B64_H
#define HG_B64_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum b64_flavour {
    B64_STD_PAD = 0,   /* standard alphabet, '=' padding (Jackson byte[] default) */
    B64_STD_NOPAD,     /* standard alphabet, no padding (prekey signatures) */
    B64_URL_PAD,       /* url-safe, padding (session ids, provisioning addresses) */
    B64_URL_NOPAD,     /* url-safe, no padding (username hashes) */
};

/** Encode into arena memory (NUL-terminated). */
char *b64_encode(struct arena *a, const uint8_t *p, size_t n, enum b64_flavour f);
/** Encoded length excluding NUL. */
size_t b64_encoded_len(size_t n, enum b64_flavour f);
/** Encode into out (must hold b64_encoded_len + 1). Returns length. */
size_t b64_encode_to(char *out, const uint8_t *p, size_t n, enum b64_flavour f);
/**
 * Decode s (len bytes) accepting padded or unpadded input of the given alphabet
 * (url: '-' '_'; std: '+' '/'). Rejects any other character, bad padding and non-zero trailing bits.
 * On success *out is arena memory (may be NULL on alloc of 0) and *outlen its size; returns 0.
 * Returns -1 on malformed input.
 */
int b64_decode(struct arena *a, const char *s, size_t len, int url, uint8_t **out, size_t *outlen);

#endif
