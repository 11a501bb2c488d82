/* Per-request arena: bump allocation in chunks, deferred destructors, optional wipe on free. */
#ifndef HG_ARENA_H
#define HG_ARENA_H

#include <stddef.h>

struct arena;

/** New arena whose chunks are at least chunk bytes. Aborts on OOM. */
struct arena *arena_new(size_t chunk);
/** Zeroed, 16-byte aligned memory owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/** printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Run fn(p) when the arena is freed (reverse order of registration). */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/** Ask that every chunk be wiped before release (requests carrying credentials). */
void arena_set_wipe(struct arena *a);
/** Run destructors, release every chunk. NULL is ignored. */
void arena_free(struct arena *a);

#endif
