/* Abort-on-OOM allocators. Safe because every input-driven allocation is bounded first. */
#ifndef HG_XMALLOC_H
#define HG_XMALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/** Print and abort: the machine is truly out of memory. */
_Noreturn void xfatal_oom(void);

#endif
