/* The account record cache (see account_cache.h). Memcached trouble only ever costs a MariaDB
 * load: every failure path falls back to "miss, do not store". */
#include "account_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/str.h"
#include "store.h"
#include "store_int.h"

#define CACHE_TTL_S 3600
#define REC_VERSION 1

static void
keys(const uint8_t aci[16], char gen_key[40], char rec_key[40])
{
    char hex[33];

    hex_encode_to(hex, aci, 16);
    snprintf(gen_key, 40, "ag:%s", hex);
    snprintf(rec_key, 40, "ac:%s", hex);
}

/* ---- serialization: fixed fields, then length-prefixed strings/bytes (u16 length, 0xffff = NULL) */

struct wbuf {
    uint8_t b[8192];
    size_t n;
    int bad;
};

static void
put(struct wbuf *w, const void *p, size_t n)
{
    if (w->bad || n > sizeof(w->b) - w->n) {
        w->bad = 1;
        return;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void
put_u64(struct wbuf *w, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 8);
}

static void
put_var(struct wbuf *w, const void *p, size_t n, int is_null)
{
    uint8_t l[2];
    size_t v = is_null ? 0xffff : n;

    if (!is_null && n >= 0xffff) {
        w->bad = 1;
        return;
    }
    l[0] = (uint8_t)v;
    l[1] = (uint8_t)(v >> 8);
    put(w, l, 2);
    if (!is_null)
        put(w, p, n);
}

static void
put_str(struct wbuf *w, const char *s)
{
    put_var(w, s, s ? strlen(s) : 0, s == NULL);
}

struct rbuf {
    const uint8_t *p;
    size_t n;
    int bad;
};

static const uint8_t *
get(struct rbuf *r, size_t n)
{
    const uint8_t *p = r->p;

    if (r->bad || n > r->n) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    r->n -= n;
    return p;
}

static uint64_t
get_u64(struct rbuf *r)
{
    const uint8_t *b = get(r, 8);
    uint64_t v = 0;

    for (int i = 7; b != NULL && i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* A NUL-terminated copy in the arena (strings) or the raw bytes (blobs); NULL for NULL. */
static char *
get_var(struct rbuf *r, struct arena *a, size_t *len)
{
    const uint8_t *l = get(r, 2), *p;
    size_t n;
    char *out;

    if (l == NULL)
        return NULL;
    n = (size_t)l[0] | (size_t)l[1] << 8;
    if (len != NULL)
        *len = 0;
    if (n == 0xffff)
        return NULL;
    p = get(r, n);
    if (p == NULL)
        return NULL;
    out = arena_alloc(a, n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    if (len != NULL)
        *len = n;
    return out;
}

static void
serialize(struct wbuf *w, uint64_t gen, const struct account_rec *r)
{
    uint8_t flags = (uint8_t)(r->has_identity_key | r->has_pni_identity_key << 1 |
                              r->has_uak << 2 | r->unrestricted_ua << 3 | r->discoverable << 4 |
                              r->has_username << 5 | r->has_link_handle << 6);
    uint8_t head[2] = { REC_VERSION, flags };

    put_u64(w, gen);
    put(w, head, 2);
    put(w, r->aci, 16);
    put(w, r->pni, 16);
    put(w, r->identity_key, 33);
    put(w, r->pni_identity_key, 33);
    put(w, r->uak, 16);
    put(w, r->username_hash, 32);
    put(w, r->link_handle, 16);
    put_u64(w, (uint64_t)r->created_ms);
    put_str(w, r->e164);
    put_str(w, r->reglock_hash);
    put_str(w, r->reglock_salt);
    put(w, &(uint8_t){ (uint8_t)r->ndevices }, 1);
    for (size_t i = 0; i < r->ndevices; i++) {
        const struct device_rec *d = &r->devices[i];

        put(w, &(uint8_t){ d->id }, 1);
        put(w, &(uint8_t){ (uint8_t)d->fetches_messages }, 1);
        put_u64(w, (uint64_t)(uint32_t)d->registration_id);
        put_u64(w, (uint64_t)(uint32_t)d->pni_registration_id);
        put_u64(w, (uint64_t)d->created_ms);
        put_u64(w, (uint64_t)d->last_seen_ms);
        put_str(w, d->auth_hash);
        put_str(w, d->auth_salt);
        put_var(w, d->name, d->name_len, d->name == NULL);
        put_str(w, d->capabilities);
        put_str(w, d->apn_token);
        put_str(w, d->gcm_token);
        put_str(w, d->user_agent);
    }
}

static int
deserialize(struct rbuf *r, struct arena *a, struct account_rec *out)
{
    const uint8_t *head = get(r, 2), *b;
    uint8_t flags;
    size_t nd;

    memset(out, 0, sizeof(*out));
    if (head == NULL || head[0] != REC_VERSION)
        return -1;
    flags = head[1];
    out->has_identity_key = flags & 1;
    out->has_pni_identity_key = flags >> 1 & 1;
    out->has_uak = flags >> 2 & 1;
    out->unrestricted_ua = flags >> 3 & 1;
    out->discoverable = flags >> 4 & 1;
    out->has_username = flags >> 5 & 1;
    out->has_link_handle = flags >> 6 & 1;
#define COPY(dst, n)                                                                           \
    do {                                                                                       \
        if ((b = get(r, n)) != NULL)                                                           \
            memcpy(dst, b, n);                                                                 \
    } while (0)
    COPY(out->aci, 16);
    COPY(out->pni, 16);
    COPY(out->identity_key, 33);
    COPY(out->pni_identity_key, 33);
    COPY(out->uak, 16);
    COPY(out->username_hash, 32);
    COPY(out->link_handle, 16);
    out->created_ms = (int64_t)get_u64(r);
    out->e164 = get_var(r, a, NULL);
    out->reglock_hash = get_var(r, a, NULL);
    out->reglock_salt = get_var(r, a, NULL);
    b = get(r, 1);
    nd = b ? *b : 0;
    if (nd > MAX_DEVICES)
        return -1;
    for (size_t i = 0; i < nd && !r->bad; i++) {
        struct device_rec *d = &out->devices[i];

        COPY(&d->id, 1);
        b = get(r, 1);
        d->fetches_messages = b && *b;
        d->registration_id = (int)(uint32_t)get_u64(r);
        d->pni_registration_id = (int)(uint32_t)get_u64(r);
        d->created_ms = (int64_t)get_u64(r);
        d->last_seen_ms = (int64_t)get_u64(r);
        d->auth_hash = get_var(r, a, NULL);
        d->auth_salt = get_var(r, a, NULL);
        d->name = (uint8_t *)get_var(r, a, &d->name_len);
        d->capabilities = get_var(r, a, NULL);
        d->apn_token = get_var(r, a, NULL);
        d->gcm_token = get_var(r, a, NULL);
        d->user_agent = get_var(r, a, NULL);
        if (d->auth_hash == NULL || d->auth_salt == NULL)
            return -1;
    }
#undef COPY
    out->ndevices = nd;
    return r->bad || r->n != 0 ? -1 : 0;
}

/* ---- memcached ---- */

static uint64_t
parse_gen(const char *v, size_t n)
{
    char buf[24];
    int64_t g;

    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return parse_i64(buf, 1, INT64_MAX, &g) == 0 ? (uint64_t)g : 0;
}

/* A fresh generation at a random point, so that a counter lost to eviction or a restart never
 * comes back to a value an old copy was stored under. */
static uint64_t
gen_create(memcached_st *mc, const char *gen_key)
{
    char v[24];
    uint64_t g = (uint64_t)(randombytes_random() & 0x3fffffff) << 20 | 1;
    int n = snprintf(v, sizeof(v), "%llu", (unsigned long long)g);

    if (memcached_add(mc, gen_key, strlen(gen_key), v, (size_t)n, 0, 0) != MEMCACHED_SUCCESS)
        return 0;   /* someone else created it: do not store this time */
    return g;
}

enum err
acct_cache_get(struct store *s, struct arena *a, const uint8_t aci[16], struct account_rec *out,
               uint64_t *gen)
{
    char gk[40], rk[40];
    const char *k[2] = { gk, rk };
    size_t kl[2];
    memcached_result_st *res;
    memcached_return_t rc;
    uint64_t g = 0;
    uint8_t *rec = NULL;
    size_t rec_len = 0;

    *gen = 0;
    if (s->mc == NULL)
        return E_NOT_FOUND;
    keys(aci, gk, rk);
    kl[0] = strlen(gk);
    kl[1] = strlen(rk);
    if (memcached_mget(s->mc, k, kl, 2) != MEMCACHED_SUCCESS)
        return E_NOT_FOUND;
    while ((res = memcached_fetch_result(s->mc, NULL, &rc)) != NULL) {
        const char *key = memcached_result_key_value(res);
        size_t vl = memcached_result_length(res);

        if (key[1] == 'g') {
            g = parse_gen(memcached_result_value(res), vl);
        } else if (vl >= 8) {
            rec = arena_alloc(a, vl);
            memcpy(rec, memcached_result_value(res), vl);
            rec_len = vl;
        }
        memcached_result_free(res);
    }
    if (g == 0) {
        *gen = gen_create(s->mc, gk);
        return E_NOT_FOUND;
    }
    *gen = g;
    if (rec != NULL) {
        struct rbuf r = { rec, rec_len, 0 };

        if (get_u64(&r) == g && deserialize(&r, a, out) == 0 &&
            sodium_memcmp(out->aci, aci, 16) == 0)
            return E_OK;
    }
    return E_NOT_FOUND;
}

void
acct_cache_put(struct store *s, const uint8_t aci[16], uint64_t gen, const struct account_rec *r)
{
    char gk[40], rk[40];
    struct wbuf *w;

    if (s->mc == NULL || gen == 0)
        return;
    w = malloc(sizeof(*w));
    if (w == NULL)
        return;
    w->n = 0;
    w->bad = 0;
    serialize(w, gen, r);
    keys(aci, gk, rk);
    if (!w->bad)
        (void)memcached_set(s->mc, rk, strlen(rk), (const char *)w->b, w->n, CACHE_TTL_S, 0);
    free(w);
}

static void
bump(struct store *s, const uint8_t aci[16])
{
    char gk[40], rk[40];
    uint64_t v;

    if (s->mc == NULL)
        return;
    keys(aci, gk, rk);
    /* Without a counter there is no usable copy either: nothing to invalidate. */
    (void)memcached_increment(s->mc, gk, strlen(gk), 1, &v);
}

void
store_account_changed(struct store *s, const uint8_t aci[16])
{
    bump(s, aci);
    if (!s->in_tx)
        return;
    if (s->ndirty < (int)(sizeof(s->dirty) / sizeof(s->dirty[0])))
        memcpy(s->dirty[s->ndirty++], aci, 16);
}

void
acct_cache_after_commit(struct store *s)
{
    for (int i = 0; i < s->ndirty; i++)
        bump(s, s->dirty[i]);
    s->ndirty = 0;
}
