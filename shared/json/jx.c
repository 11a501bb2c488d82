/* json-c helpers (see jx.h). */
#include "jx.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/b64.h"

static void
put(void *p)
{
    json_object_put(p);
}

enum err
jx_parse(struct arena *a, const uint8_t *body, size_t len, struct json_object **out)
{
    struct json_tokener *tok;
    struct json_object *o;

    if (body == NULL || len == 0 || len > INT32_MAX)
        return E_BAD_REQUEST;
    tok = json_tokener_new_ex(32);
    if (tok == NULL)
        return E_INTERNAL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, (const char *)body, (int)len);
    if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
                      tok->char_offset != (int)len)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    if (o == NULL)
        return E_BAD_REQUEST;
    arena_defer(a, put, o);
    if (!json_object_is_type(o, json_type_object))
        return E_UNPROCESSABLE;
    *out = o;
    return E_OK;
}

static enum err
member(struct json_object *o, const char *key, struct json_object **v)
{
    if (o == NULL || !json_object_object_get_ex(o, key, v) || *v == NULL)
        return E_NOT_FOUND;
    return E_OK;
}

enum err
jx_str(struct json_object *o, const char *key, const char **out)
{
    struct json_object *v;
    enum err e = member(o, key, &v);

    if (e != E_OK)
        return e;
    if (!json_object_is_type(v, json_type_string))
        return E_UNPROCESSABLE;
    *out = json_object_get_string(v);
    return E_OK;
}

enum err
jx_bool(struct json_object *o, const char *key, bool *out)
{
    struct json_object *v;
    enum err e = member(o, key, &v);

    if (e != E_OK)
        return e;
    if (!json_object_is_type(v, json_type_boolean))
        return E_UNPROCESSABLE;
    *out = json_object_get_boolean(v);
    return E_OK;
}

enum err
jx_int(struct json_object *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
    struct json_object *v;
    enum err e = member(o, key, &v);
    int64_t n;

    if (e != E_OK)
        return e;
    if (!json_object_is_type(v, json_type_int))
        return E_UNPROCESSABLE;
    errno = 0;
    n = json_object_get_int64(v);
    if (errno != 0 || n < min || n > max)
        return E_UNPROCESSABLE;
    *out = n;
    return E_OK;
}

enum err
jx_obj(struct json_object *o, const char *key, struct json_object **out)
{
    struct json_object *v;
    enum err e = member(o, key, &v);

    if (e != E_OK)
        return e;
    if (!json_object_is_type(v, json_type_object))
        return E_UNPROCESSABLE;
    *out = v;
    return E_OK;
}

enum err
jx_arr(struct json_object *o, const char *key, struct json_object **out)
{
    struct json_object *v;
    enum err e = member(o, key, &v);

    if (e != E_OK)
        return e;
    if (!json_object_is_type(v, json_type_array))
        return E_UNPROCESSABLE;
    *out = v;
    return E_OK;
}

/* Jackson's byte[] reader takes a JSON array of small integers as well as base64, and some
 * clients (libsignal's Node registration, for the access key) send the array form. */
static enum err
byte_array(struct arena *a, struct json_object *v, uint8_t **out, size_t *len)
{
    size_t i, n = json_object_array_length(v);
    uint8_t *p;

    if (n > 4096)
        return E_UNPROCESSABLE;
    p = arena_alloc(a, n + 1);
    for (i = 0; i < n; i++) {
        struct json_object *x = json_object_array_get_idx(v, i);
        int64_t b;

        if (!json_object_is_type(x, json_type_int))
            return E_UNPROCESSABLE;
        b = json_object_get_int64(x);
        if (b < -128 || b > 255)
            return E_UNPROCESSABLE;
        p[i] = (uint8_t)(b & 0xff);
    }
    *out = p;
    *len = n;
    return E_OK;
}

enum err
jx_b64(struct arena *a, struct json_object *o, const char *key, int url, uint8_t **out,
       size_t *len)
{
    struct json_object *v;
    const char *s;
    enum err e = member(o, key, &v);

    if (e != E_OK)
        return e;
    if (json_object_is_type(v, json_type_array))
        return byte_array(a, v, out, len);
    if (!json_object_is_type(v, json_type_string))
        return E_UNPROCESSABLE;
    s = json_object_get_string(v);
    if (b64_decode(a, s, strlen(s), url, out, len) != 0)
        return E_UNPROCESSABLE;
    return E_OK;
}

struct json_object *
jx_new(void)
{
    return json_object_new_object();
}

void
jx_set(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add(o, key, v);
}

void
jx_set_str(struct json_object *o, const char *key, const char *v)
{
    jx_set(o, key, v ? json_object_new_string(v) : NULL);
}

void
jx_set_int(struct json_object *o, const char *key, int64_t v)
{
    jx_set(o, key, json_object_new_int64(v));
}

void
jx_set_bool(struct json_object *o, const char *key, bool v)
{
    jx_set(o, key, json_object_new_boolean(v));
}

void
jx_set_null(struct json_object *o, const char *key)
{
    jx_set(o, key, NULL);
}

void
jx_set_b64(struct arena *a, struct json_object *o, const char *key, const uint8_t *p, size_t n,
           int flavour)
{
    jx_set_str(o, key, b64_encode(a, p, n, (enum b64_flavour)flavour));
}
