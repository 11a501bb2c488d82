/*
 * bincode-style reader and writer for zkgroup objects (crypto-spec.md §3): fixed-width
 * little-endian integers, points that must decode, scalars that must be canonical, and no
 * trailing bytes.  The reader is sticky: after the first failure every call is a no-op and
 * zkgroup_bin_done() reports false, so parsers read top to bottom and check once.
 */
#ifndef HG_CRYPTO_ZKGROUP_BIN_H
#define HG_CRYPTO_ZKGROUP_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zkgroup_bin {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
};

/** Start reading buf[0..len). */
void zkgroup_bin_init(struct zkgroup_bin *r, const uint8_t *buf, size_t len);
/** Read one byte that must equal want (version / reserved bytes). */
void zkgroup_bin_expect_u8(struct zkgroup_bin *r, uint8_t want);
/** Read one byte (0 after a failure). */
uint8_t zkgroup_bin_u8(struct zkgroup_bin *r);
/** Read a little-endian u64 (0 after a failure). */
uint64_t zkgroup_bin_u64(struct zkgroup_bin *r);
/** Read n raw bytes into out (zeroed after a failure). */
void zkgroup_bin_bytes(struct zkgroup_bin *r, uint8_t *out, size_t n);
/** Read a 32-byte point; fails unless it decodes. */
void zkgroup_bin_point(struct zkgroup_bin *r, uint8_t out[32]);
/** Read a 32-byte scalar; fails unless it is canonical. */
void zkgroup_bin_scalar(struct zkgroup_bin *r, uint8_t out[32]);
/** Read a Vec<u8> (le64 length + bytes) of at most max bytes; returns a pointer into the input
 *  (NULL after a failure) and its length in *n. */
const uint8_t *zkgroup_bin_vec(struct zkgroup_bin *r, size_t max, size_t *n);
/** Mark the reader failed (semantic check by the caller). */
void zkgroup_bin_fail(struct zkgroup_bin *r);
/** True if nothing failed and every byte was consumed. */
bool zkgroup_bin_done(const struct zkgroup_bin *r);

/* Writer into a caller buffer of known exact size; overflow is a programming error (abort). */
struct zkgroup_binw {
    uint8_t *p;
    size_t cap;
    size_t off;
};

/** Start writing into buf[0..cap). */
void zkgroup_binw_init(struct zkgroup_binw *w, uint8_t *buf, size_t cap);
/** Append one byte. */
void zkgroup_binw_u8(struct zkgroup_binw *w, uint8_t v);
/** Append a little-endian u64. */
void zkgroup_binw_u64(struct zkgroup_binw *w, uint64_t v);
/** Append raw bytes. */
void zkgroup_binw_bytes(struct zkgroup_binw *w, const void *p, size_t n);
/** Append a Vec<u8>: le64(n) || bytes. */
void zkgroup_binw_vec(struct zkgroup_binw *w, const void *p, size_t n);
/** Abort unless exactly cap bytes were written. */
void zkgroup_binw_finish(const struct zkgroup_binw *w);

/** Big-endian u64 into 8 bytes (public-attribute and hash encodings). */
void zkgroup_be64(uint8_t out[8], uint64_t v);

#endif
