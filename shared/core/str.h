/* Small string helpers: UUIDs, service ids, hex, strict numbers, constant-time compare. */
#ifndef HG_STR_H
#define HG_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/** Parse a canonical 36-char UUID (either case). Returns 0 or -1. */
int uuid_parse(const char *s, uint8_t out[16]);
/** Format lowercase canonical UUID into out[37]. */
void uuid_format(const uint8_t u[16], char out[37]);
char *uuid_str(struct arena *a, const uint8_t u[16]);
/** Random v4 UUID. */
void uuid_v4(uint8_t out[16]);

enum svc_kind { SVC_ACI = 0, SVC_PNI = 1 };
/** Parse "<uuid>" (ACI) or "PNI:<uuid>" (also accepts "ACI:<uuid>"). Returns 0 or -1. */
int service_id_parse(const char *s, enum svc_kind *kind, uint8_t uuid[16]);

/** Lowercase hex into arena. */
char *hex_encode(struct arena *a, const uint8_t *p, size_t n);
void hex_encode_to(char *out, const uint8_t *p, size_t n);

/** Strict decimal parse of the whole string into [min,max]. Returns 0 or -1. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/** Constant-time equality of two byte strings of possibly different length. */
bool ct_eq(const void *a, size_t alen, const void *b, size_t blen);

/** E.164 check: '+' then 7..15 digits, first digit not 0. */
bool e164_valid(const char *s);

/** Current time in ms since the epoch (CLOCK_REALTIME). */
int64_t now_ms(void);

#endif
