/* String helpers shared by handlers and adapters. */
#include "str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arena.h"

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
uuid_parse(const char *s, uint8_t out[16])
{
    size_t i, o = 0;

    if (s == NULL || strlen(s) != 36)
        return -1;
    for (i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return -1;
            i++;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[o++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return 0;
}

void
uuid_format(const uint8_t u[16], char out[37])
{
    static const char hx[] = "0123456789abcdef";
    size_t i, o = 0;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[u[i] >> 4];
        out[o++] = hx[u[i] & 15];
    }
    out[o] = '\0';
}

char *
uuid_str(struct arena *a, const uint8_t u[16])
{
    char *s = arena_alloc(a, 37);

    uuid_format(u, s);
    return s;
}

void
uuid_v4(uint8_t out[16])
{
    randombytes_buf(out, 16);
    out[6] = (out[6] & 0x0f) | 0x40;
    out[8] = (out[8] & 0x3f) | 0x80;
}

int
service_id_parse(const char *s, enum svc_kind *kind, uint8_t uuid[16])
{
    if (s == NULL)
        return -1;
    if (strncmp(s, "PNI:", 4) == 0) {
        *kind = SVC_PNI;
        return uuid_parse(s + 4, uuid);
    }
    if (strncmp(s, "ACI:", 4) == 0)
        s += 4;
    *kind = SVC_ACI;
    return uuid_parse(s, uuid);
}

void
hex_encode_to(char *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

char *
hex_encode(struct arena *a, const uint8_t *p, size_t n)
{
    char *s = arena_alloc(a, 2 * n + 1);

    hex_encode_to(s, p, n);
    return s;
}

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

bool
ct_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    /* Length is not secret here (fixed-size hashes and keys); the contents are. */
    if (alen != blen)
        return false;
    if (alen == 0)
        return true;
    return sodium_memcmp(a, b, alen) == 0;
}

bool
e164_valid(const char *s)
{
    size_t n;

    if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    for (n = 1; s[n] != '\0'; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    /* NANP (+1) numbers are always 10 national digits; elsewhere E.164 allows 7..15 in all. */
    if (s[1] == '1')
        return n - 1 == 11;
    return n - 1 >= 7 && n - 1 <= 15;
}

int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
