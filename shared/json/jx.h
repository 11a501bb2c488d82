/* json-c helpers for request bodies: typed getters that tell absent from wrong, and objects tied
 * to the request arena. Getters return E_OK (present), E_NOT_FOUND (absent or null) or
 * E_UNPROCESSABLE (wrong type / bad encoding). */
#ifndef HG_JX_H
#define HG_JX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct json_object;

/** Parse a request body as a JSON object (released with the arena). Malformed or non-object
 * JSON, or nesting beyond 32 levels, gives E_BAD_REQUEST. */
enum err jx_parse(struct arena *a, const uint8_t *body, size_t len, struct json_object **out);
enum err jx_str(struct json_object *o, const char *key, const char **out);
enum err jx_bool(struct json_object *o, const char *key, bool *out);
/** Integer in [min, max]; non-integers and out-of-range values are E_UNPROCESSABLE. */
enum err jx_int(struct json_object *o, const char *key, int64_t min, int64_t max, int64_t *out);
enum err jx_obj(struct json_object *o, const char *key, struct json_object **out);
enum err jx_arr(struct json_object *o, const char *key, struct json_object **out);
/** Byte field: base64 string (std alphabet unless url) or a JSON array of byte values (as
 * Jackson accepts); arena memory. Bad base64 or a bad array is 422. */
enum err jx_b64(struct arena *a, struct json_object *o, const char *key, int url, uint8_t **out,
                size_t *len);
/** Treat E_NOT_FOUND as E_OK (for optional fields); other codes pass through. */
static inline enum err
jx_optional(enum err e)
{
    return e == E_NOT_FOUND ? E_OK : e;
}

/* Builders (thin wrappers so handlers read well). */
struct json_object *jx_new(void);
void jx_set_str(struct json_object *o, const char *key, const char *v);    /* NULL -> null */
void jx_set_int(struct json_object *o, const char *key, int64_t v);
void jx_set_bool(struct json_object *o, const char *key, bool v);
void jx_set_null(struct json_object *o, const char *key);
void jx_set(struct json_object *o, const char *key, struct json_object *v);
/** Base64 of bytes as a string member (flavour from core/b64.h). */
void jx_set_b64(struct arena *a, struct json_object *o, const char *key, const uint8_t *p,
                size_t n, int flavour);

#endif
