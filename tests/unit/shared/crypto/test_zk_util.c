/* Helpers for the zkgroup unit tests: vector files, JSON paths, hex. */
#include "test_zk_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkparams.h"

#ifndef HG_VECTORS_DEFAULT
#define HG_VECTORS_DEFAULT "../shared/vectors"
#endif

struct json_object *
tzk_load(const char *name)
{
    const char *dir = getenv("HG_VECTORS");
    char path[4096];
    struct json_object *o;

    if (dir == NULL || *dir == '\0')
        dir = HG_VECTORS_DEFAULT;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    o = json_object_from_file(path);
    if (o == NULL)
        fprintf(stderr, "cannot load vectors %s\n", path);
    return o;
}

struct json_object *
tzk_get(struct json_object *o, const char *path)
{
    char buf[256];
    char *save = NULL;

    if (o == NULL || strlen(path) >= sizeof buf)
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
tzk_str(struct json_object *o, const char *path)
{
    struct json_object *v = tzk_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_string)) {
        CU_FAIL("vector string missing");
        fprintf(stderr, "missing string %s\n", path);
        return "";
    }
    return json_object_get_string(v);
}

int64_t
tzk_int(struct json_object *o, const char *path)
{
    struct json_object *v = tzk_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_int)) {
        CU_FAIL("vector integer missing");
        fprintf(stderr, "missing int %s\n", path);
        return 0;
    }
    return json_object_get_int64(v);
}

uint64_t
tzk_u64(struct json_object *o, const char *path)
{
    struct json_object *v = tzk_get(o, path);

    if (v != NULL && json_object_is_type(v, json_type_string)) {
        char *end;
        unsigned long long x = strtoull(json_object_get_string(v), &end, 10);

        if (*end == '\0')
            return (uint64_t)x;
    }
    return (uint64_t)tzk_int(o, path);
}

bool
tzk_bool(struct json_object *o, const char *path)
{
    struct json_object *v = tzk_get(o, path);

    if (v == NULL || !json_object_is_type(v, json_type_boolean)) {
        CU_FAIL("vector boolean missing");
        fprintf(stderr, "missing bool %s\n", path);
        return false;
    }
    return json_object_get_boolean(v);
}

static int
tzk_nibble(char c)
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
tzk_unhex(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    uint8_t *out = malloc(len / 2 + 1);

    *n = 0;
    if (out == NULL)
        abort();
    if (len % 2 != 0) {
        CU_FAIL("odd hex length");
        return out;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = tzk_nibble(hex[2 * i]), lo = tzk_nibble(hex[2 * i + 1]);

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
tzk_hex(struct json_object *o, const char *path, size_t *n)
{
    return tzk_unhex(tzk_str(o, path), n);
}

bool
tzk_hex_fixed(struct json_object *o, const char *path, uint8_t *out, size_t n)
{
    size_t got;
    uint8_t *b = tzk_hex(o, path, &got);
    bool ok = (got == n);

    if (ok)
        memcpy(out, b, n);
    else
        CU_FAIL("vector hex has the wrong length");
    free(b);
    return ok;
}

bool
tzk_eq_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n)
{
    size_t got;
    uint8_t *b = tzk_hex(o, path, &got);
    bool ok = (got == n && memcmp(b, p, n) == 0);

    if (!ok)
        fprintf(stderr, "\nmismatch at %s:\n  want %s\n   got %s\n", path,
                tzk_str(o, path), tzk_tohex(p, n));
    free(b);
    return ok;
}

bool
tzk_ne_hex(struct json_object *o, const char *path, const uint8_t *p, size_t n)
{
    size_t got;
    uint8_t *b = tzk_hex(o, path, &got);
    bool differs = (got != n || memcmp(b, p, n) != 0);

    free(b);
    return differs;
}

const char *
tzk_tohex(const uint8_t *p, size_t n)
{
    static char buf[8192];
    size_t i;

    for (i = 0; i < n && 2 * i + 2 < sizeof buf; i++)
        snprintf(buf + 2 * i, 3, "%02x", p[i]);
    buf[2 * i] = '\0';
    return buf;
}

bool
tzk_uuid(struct json_object *o, const char *path, uint8_t out[16])
{
    const char *s = tzk_str(o, path);
    char hex[33];
    size_t n = 0, got;
    uint8_t *b;
    bool ok;

    if (strncmp(s, "PNI:", 4) == 0 || strncmp(s, "ACI:", 4) == 0)
        s += 4;
    for (; *s != '\0' && n < 32; s++)
        if (*s != '-')
            hex[n++] = *s;
    hex[n] = '\0';
    b = tzk_unhex(hex, &got);
    ok = (got == 16 && *s == '\0');
    if (ok)
        memcpy(out, b, 16);
    else
        CU_FAIL("bad uuid in vector");
    free(b);
    return ok;
}

struct zk_server_secret *
tzk_server_params(int which)
{
    struct json_object *v = tzk_load("zkgroup-params.json");
    struct zk_server_secret *sp = NULL;
    char path[96];
    uint8_t *b;
    size_t n;

    if (v == NULL)
        return NULL;
    snprintf(path, sizeof path, "server_params.%d.server_secret_params", which);
    b = tzk_hex(v, path, &n);
    if (zk_server_secret_load(b, n, &sp) != E_OK)
        sp = NULL;
    free(b);
    json_object_put(v);
    return sp;
}

struct zk_generic_secret *
tzk_generic_params(struct json_object *o, const char *path)
{
    struct zk_generic_secret *gp = NULL;
    uint8_t *b;
    size_t n;

    b = tzk_hex(o, path, &n);
    if (zk_generic_secret_load(b, n, &gp) != E_OK)
        gp = NULL;
    free(b);
    return gp;
}
