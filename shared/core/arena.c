/* Per-request arena (h2o pool / nginx pool style). Chunks are singly linked; big allocations get
 * a chunk of their own so the current chunk keeps serving small ones. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "xmalloc.h"

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *p;
};

struct arena {
    struct chunk *head;
    struct deferred *defers;
    size_t chunk;
    int wipe;
};

static struct chunk *
chunk_new(size_t size)
{
    struct chunk *c = xmalloc(sizeof(*c) + size);

    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct arena *
arena_new(size_t chunk)
{
    struct arena *a = xcalloc(1, sizeof(*a));

    a->chunk = chunk < 256 ? 256 : chunk;
    a->head = chunk_new(a->chunk);
    return a;
}

void *
arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    struct chunk *c = a->head;
    void *p;

    if (need < n)
        xfatal_oom();
    if (c->size - c->used < need) {
        if (need > a->chunk / 4) {
            /* Large block: own chunk, linked behind the head so the head stays current. */
            struct chunk *big = chunk_new(need);
            big->next = c->next;
            c->next = big;
            big->used = need;
            memset(big->data, 0, n);
            return big->data;
        }
        c = chunk_new(a->chunk);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n ? n : 1);

    if (n)
        memcpy(q, p, n);
    return q;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
    struct deferred *d = arena_alloc(a, sizeof(*d));

    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

void
arena_set_wipe(struct arena *a)
{
    a->wipe = 1;
}

void
arena_free(struct arena *a)
{
    struct deferred *d;
    struct chunk *c, *next;

    if (a == NULL)
        return;
    for (d = a->defers; d != NULL; d = d->next)
        d->fn(d->p);
    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        if (a->wipe)
            sodium_memzero(c->data, c->used);
        free(c);
    }
    free(a);
}
