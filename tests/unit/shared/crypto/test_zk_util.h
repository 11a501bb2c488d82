/*
 * Shared helpers for the crypto_zk_tests CUnit program: vector loading (json-c), dotted-path
 * lookup, hex conversion, and the suite registration hooks of every test_zk_*.c file.
 */
#ifndef HG_TEST_ZK_UTIL_H
#define HG_TEST_ZK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct zk_server_secret;
struct zk_generic_secret;

/** Load ../shared/vectors/<name> (directory from $HG_VECTORS or the build default). NULL on error. */
struct json_object *tzk_load(const char *name);
/** Look up a dotted path ("issuance.0.randomness"; numbers index arrays). NULL if absent. */
struct json_object *tzk_get(struct json_object *o, const char *path);
/** String at path, or "" (and a CUnit failure) if absent. */
const char *tzk_str(struct json_object *o, const char *path);
/** Integer at path (CUnit failure and 0 if absent). */
int64_t tzk_int(struct json_object *o, const char *path);
/** Unsigned 64-bit value at path, given as a JSON integer or a decimal string. */
uint64_t tzk_u64(struct json_object *o, const char *path);
/** Boolean at path (CUnit failure and false if absent). */
bool tzk_bool(struct json_object *o, const char *path);
/** Decode the hex string at path into a malloc'd buffer (caller frees); length in *n. */
uint8_t *tzk_hex(struct json_object *o, const char *path, size_t *n);
/** Decode exactly n bytes of hex at path into out; false (and a CUnit failure) otherwise. */
bool tzk_hex_fixed(struct json_object *o, const char *path, uint8_t *out, size_t n);
/** Decode a hex C string into a malloc'd buffer. */
uint8_t *tzk_unhex(const char *hex, size_t *n);
/** True if p[0..n) equals the hex string at path. */
bool tzk_eq_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n);
/** True if p[0..n) differs from the hex string at path (no diagnostics: expected mismatch). */
bool tzk_ne_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n);
/** Parse the UUID string (with dashes, optional "PNI:" prefix) at path into 16 bytes. */
bool tzk_uuid(struct json_object *o, const char *path, uint8_t out[16]);
/** Load ServerSecretParams number which (0/1) of zkgroup-params.json; NULL on error. */
struct zk_server_secret *tzk_server_params(int which);
/** Load GenericServerSecretParams from the hex string at path of object o; NULL on error. */
struct zk_generic_secret *tzk_generic_params(struct json_object *o, const char *path);
/** Bytes to a static lowercase hex string (for messages; not reentrant). */
const char *tzk_tohex(const uint8_t *p, size_t n);

/* suite registration, one per test file */
void tzk_register_sho(void);
void tzk_register_params(void);
void tzk_register_auth(void);
void tzk_register_calllink(void);
void tzk_register_groupsend(void);
void tzk_register_profile(void);
void tzk_register_receipt(void);
void tzk_register_backup(void);
void tzk_register_donation(void);
void tzk_register_username(void);

#endif
