/* libFuzzer target: request bodies through jx_parse (strict json-c, depth limit) and every typed
 * getter the handlers use (jx_str/bool/int/obj/arr/b64), applied to each member at every level. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "json/jx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(struct arena *a, struct json_object *o, int depth)
{
    struct json_object_iterator it, end;

    if (depth > 40)
        abort(); /* jx_parse must have refused this nesting */
    it = json_object_iter_begin(o);
    end = json_object_iter_end(o);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *k = json_object_iter_peek_name(&it);
        const char *s;
        bool b;
        int64_t n;
        struct json_object *sub;
        uint8_t *raw;
        size_t len;

        (void)jx_str(o, k, &s);
        (void)jx_bool(o, k, &b);
        (void)jx_int(o, k, 0, 255, &n);
        (void)jx_int(o, k, INT64_MIN, INT64_MAX, &n);
        (void)jx_b64(a, o, k, 0, &raw, &len);
        (void)jx_b64(a, o, k, 1, &raw, &len);
        if (jx_arr(o, k, &sub) == E_OK) {
            for (size_t i = 0; i < json_object_array_length(sub); i++) {
                struct json_object *e = json_object_array_get_idx(sub, i);
                if (json_object_is_type(e, json_type_object))
                    walk(a, e, depth + 1);
            }
        }
        if (jx_obj(o, k, &sub) == E_OK)
            walk(a, sub, depth + 1);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(4096);
    struct json_object *o;
    /* exact-size copy: json-c must not read past len (bodies are not NUL-terminated) */
    uint8_t *body = malloc(size ? size : 1);

    memcpy(body, data, size);
    if (jx_parse(a, body, size, &o) == E_OK) {
        const char *s;

        walk(a, o, 0);
        /* keys the registration and keys handlers ask for, whether present or not */
        (void)jx_str(o, "sessionId", &s);
        (void)jx_str(o, "number", &s);
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        if (s == NULL)
            abort();
    }
    free(body);
    arena_free(a);
    return 0;
}
