/*
 * bincode reader/writer for zkgroup wire objects.  Everything read here comes from clients, so
 * each primitive bounds-checks and validates before anything reaches point arithmetic.
 */
#include "crypto/zkgroup_bin.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/ristretto.h"

void
zkgroup_bin_init(struct zkgroup_bin *r, const uint8_t *buf, size_t len)
{
    r->p = buf;
    r->len = len;
    r->off = 0;
    r->bad = (buf == NULL && len > 0);
}

static const uint8_t *
zkgroup_bin_take(struct zkgroup_bin *r, size_t n)
{
    const uint8_t *q;

    if (r->bad || r->len - r->off < n) {
        r->bad = true;
        return NULL;
    }
    q = r->p + r->off;
    r->off += n;
    return q;
}

void
zkgroup_bin_expect_u8(struct zkgroup_bin *r, uint8_t want)
{
    const uint8_t *q = zkgroup_bin_take(r, 1);

    if (q != NULL && *q != want)
        r->bad = true;
}

uint8_t
zkgroup_bin_u8(struct zkgroup_bin *r)
{
    const uint8_t *q = zkgroup_bin_take(r, 1);

    return q != NULL ? *q : 0;
}

uint64_t
zkgroup_bin_u64(struct zkgroup_bin *r)
{
    const uint8_t *q = zkgroup_bin_take(r, 8);
    uint64_t v = 0;

    if (q == NULL)
        return 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | q[i];
    return v;
}

void
zkgroup_bin_bytes(struct zkgroup_bin *r, uint8_t *out, size_t n)
{
    const uint8_t *q = zkgroup_bin_take(r, n);

    if (q != NULL)
        memcpy(out, q, n);
    else
        memset(out, 0, n);
}

void
zkgroup_bin_point(struct zkgroup_bin *r, uint8_t out[32])
{
    zkgroup_bin_bytes(r, out, 32);
    if (!r->bad && !rist_point_is_valid(out)) {
        r->bad = true;
        memset(out, 0, 32);     /* keep later arithmetic on a valid point */
    }
}

void
zkgroup_bin_scalar(struct zkgroup_bin *r, uint8_t out[32])
{
    zkgroup_bin_bytes(r, out, 32);
    if (!r->bad && !rist_scalar_is_canonical(out)) {
        r->bad = true;
        memset(out, 0, 32);
    }
}

const uint8_t *
zkgroup_bin_vec(struct zkgroup_bin *r, size_t max, size_t *n)
{
    uint64_t len = zkgroup_bin_u64(r);
    const uint8_t *q;

    *n = 0;
    if (r->bad || len > max || len > r->len - r->off) {
        r->bad = true;
        return NULL;
    }
    q = zkgroup_bin_take(r, (size_t)len);
    if (q != NULL)
        *n = (size_t)len;
    return q;
}

void
zkgroup_bin_fail(struct zkgroup_bin *r)
{
    r->bad = true;
}

bool
zkgroup_bin_done(const struct zkgroup_bin *r)
{
    return !r->bad && r->off == r->len;
}

void
zkgroup_binw_init(struct zkgroup_binw *w, uint8_t *buf, size_t cap)
{
    w->p = buf;
    w->cap = cap;
    w->off = 0;
}

void
zkgroup_binw_bytes(struct zkgroup_binw *w, const void *p, size_t n)
{
    if (w->cap - w->off < n)
        abort();
    if (n > 0)
        memcpy(w->p + w->off, p, n);
    w->off += n;
}

void
zkgroup_binw_u8(struct zkgroup_binw *w, uint8_t v)
{
    zkgroup_binw_bytes(w, &v, 1);
}

void
zkgroup_binw_u64(struct zkgroup_binw *w, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)v;
        v >>= 8;
    }
    zkgroup_binw_bytes(w, b, sizeof b);
}

void
zkgroup_binw_vec(struct zkgroup_binw *w, const void *p, size_t n)
{
    zkgroup_binw_u64(w, (uint64_t)n);
    zkgroup_binw_bytes(w, p, n);
}

void
zkgroup_binw_finish(const struct zkgroup_binw *w)
{
    if (w->off != w->cap)
        abort();
}

void
zkgroup_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}
