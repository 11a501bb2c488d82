/*
 * Helpers for the crypto_sig_tests CUnit program: vector files (json-c), dotted-path lookup,
 * hex, and the registration hook of every test file in this program.
 */
#ifndef HG_TEST_CX_UTIL_H
#define HG_TEST_CX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/** Load <vectors dir>/<name> ($HG_VECTORS or the build default).  NULL (and a message) on error. */
struct json_object *tcx_load(const char *name);
/** Dotted path lookup ("cases.3.name"; numbers index arrays).  NULL if absent. */
struct json_object *tcx_get(struct json_object *o, const char *path);
/** String at path, or "" and a CUnit failure. */
const char *tcx_str(struct json_object *o, const char *path);
/** Integer at path, or 0 and a CUnit failure. */
int64_t tcx_int(struct json_object *o, const char *path);
/** Boolean at path, or false and a CUnit failure. */
bool tcx_bool(struct json_object *o, const char *path);
/** Length of the array at path (CUnit failure and 0 if not an array). */
size_t tcx_len(struct json_object *o, const char *path);
/** Hex C string to malloc'd bytes (caller frees, never NULL); length in *n. */
uint8_t *tcx_unhex(const char *hex, size_t *n);
/** Hex string at path to malloc'd bytes. */
uint8_t *tcx_hex(struct json_object *o, const char *path, size_t *n);
/** Exactly n bytes of hex at path into out; false (and a CUnit failure) otherwise. */
bool tcx_hex_fixed(struct json_object *o, const char *path, uint8_t *out, size_t n);
/** True if p[0..n) equals the hex at path; prints both on mismatch. */
bool tcx_eq_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n);
/** Bytes to lowercase hex in a static buffer (for messages; not reentrant). */
const char *tcx_tohex(const uint8_t *p, size_t n);

void tcx_register_xeddsa(void);
void tcx_register_kem(void);
void tcx_register_cert(void);
void tcx_register_mrm(void);
void tcx_register_hpke(void);
void tcx_register_secrets(void);
void tcx_register_digest(void);

#endif
