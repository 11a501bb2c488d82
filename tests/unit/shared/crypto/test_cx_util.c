/* Vector helpers for crypto_sig_tests (see test_cx_util.h). */
#include "test_cx_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#ifndef HG_VECTORS_DEFAULT
#define HG_VECTORS_DEFAULT "../shared/vectors"
#endif

struct json_object *
tcx_load(const char *name)
{
    const char *dir = getenv("HG_VECTORS");
    char path[4096];
    struct json_object *o;

    if (dir == NULL || *dir == '\0')
        dir = HG_VECTORS_DEFAULT;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    o = json_object_from_file(path);
    if (o == NULL)
        fprintf(stderr, "cannot load vectors %s\n", path);
    return o;
}

struct json_object *
tcx_get(struct json_object *o, const char *path)
{
    char buf[256], *save = NULL;

    if (o == NULL || strlen(path) >= sizeof(buf))
        return NULL;
    strcpy(buf, path);
    for (char *tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(o, json_type_array)) {
            char *end;
            long i = strtol(tok, &end, 10);

            if (*end != '\0' || i < 0 || (size_t)i >= json_object_array_length(o))
                return NULL;
            o = json_object_array_get_idx(o, (size_t)i);
        } else if (!json_object_object_get_ex(o, tok, &o)) {
            return NULL;
        }
        if (o == NULL)
            return NULL;
    }
    return o;
}

const char *
tcx_str(struct json_object *o, const char *path)
{
    struct json_object *v = tcx_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_string)) {
        CU_FAIL("vector string missing");
        fprintf(stderr, "missing string %s\n", path);
        return "";
    }
    return json_object_get_string(v);
}

int64_t
tcx_int(struct json_object *o, const char *path)
{
    struct json_object *v = tcx_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_int)) {
        CU_FAIL("vector integer missing");
        fprintf(stderr, "missing int %s\n", path);
        return 0;
    }
    return json_object_get_int64(v);
}

bool
tcx_bool(struct json_object *o, const char *path)
{
    struct json_object *v = tcx_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_boolean)) {
        CU_FAIL("vector boolean missing");
        fprintf(stderr, "missing bool %s\n", path);
        return false;
    }
    return json_object_get_boolean(v);
}

size_t
tcx_len(struct json_object *o, const char *path)
{
    struct json_object *v = tcx_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_array)) {
        CU_FAIL("vector array missing");
        fprintf(stderr, "missing array %s\n", path);
        return 0;
    }
    return json_object_array_length(v);
}

static int
nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *
tcx_unhex(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    uint8_t *out = malloc(len / 2 + 1);

    if (out == NULL)
        abort();
    *n = 0;
    if (len % 2 != 0) {
        CU_FAIL("odd hex length");
        return out;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            CU_FAIL("bad hex");
            return out;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return out;
}

uint8_t *
tcx_hex(struct json_object *o, const char *path, size_t *n)
{
    return tcx_unhex(tcx_str(o, path), n);
}

bool
tcx_hex_fixed(struct json_object *o, const char *path, uint8_t *out, size_t n)
{
    size_t got;
    uint8_t *b = tcx_hex(o, path, &got);
    bool ok = got == n;

    if (ok)
        memcpy(out, b, n);
    else
        CU_FAIL("vector hex has the wrong length");
    free(b);
    return ok;
}

bool
tcx_eq_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n)
{
    size_t got;
    uint8_t *b = tcx_hex(o, path, &got);
    bool ok = got == n && memcmp(b, p, n) == 0;

    if (!ok)
        fprintf(stderr, "\nmismatch at %s:\n  want %s\n   got %s\n", path, tcx_str(o, path),
                tcx_tohex(p, n));
    free(b);
    return ok;
}

const char *
tcx_tohex(const uint8_t *p, size_t n)
{
    static char buf[16384];
    size_t i;

    for (i = 0; i < n && 2 * i + 2 < sizeof(buf); i++)
        snprintf(buf + 2 * i, 3, "%02x", p[i]);
    buf[2 * i] = '\0';
    return buf;
}
