/* Strict base64: untrusted input, so every character and the trailing bits are checked. */
#include "b64.h"

#include <string.h>

#include "arena.h"

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64_encoded_len(size_t n, enum b64_flavour f)
{
    if (f == B64_STD_PAD || f == B64_URL_PAD)
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t
b64_encode_to(char *out, const uint8_t *p, size_t n, enum b64_flavour f)
{
    const char *al = (f == B64_URL_PAD || f == B64_URL_NOPAD) ? url_alpha : std_alpha;
    int pad = (f == B64_STD_PAD || f == B64_URL_PAD);
    size_t i, o = 0;

    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = al[v >> 18];
        out[o++] = al[(v >> 12) & 63];
        out[o++] = al[(v >> 6) & 63];
        out[o++] = al[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = al[v >> 18];
        out[o++] = al[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = al[v >> 18];
        out[o++] = al[(v >> 12) & 63];
        out[o++] = al[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

char *
b64_encode(struct arena *a, const uint8_t *p, size_t n, enum b64_flavour f)
{
    char *out = arena_alloc(a, b64_encoded_len(n, f) + 1);

    b64_encode_to(out, p, n, f);
    return out;
}

static int
sextet(char c, int url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

int
b64_decode(struct arena *a, const char *s, size_t len, int url, uint8_t **out, size_t *outlen)
{
    size_t n = len, i, o = 0;
    uint8_t *buf;
    uint32_t acc = 0;
    int bits = 0;

    /* Padding, if present, must complete the last quantum exactly. */
    if (n > 0 && s[n - 1] == '=') {
        if (n % 4 != 0)
            return -1;
        n--;
        if (n > 0 && s[n - 1] == '=')
            n--;
    }
    if (n % 4 == 1)
        return -1;
    buf = arena_alloc(a, n * 3 / 4 + 1);
    for (i = 0; i < n; i++) {
        int v = sextet(s[i], url);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return -1; /* non-canonical trailing bits */
    *out = buf;
    *outlen = o;
    return 0;
}
