/* Abort-on-OOM allocation wrappers (redis zmalloc / lighttpd ck_* style). */
#include "xmalloc.h"

#include <stdio.h>
#include <string.h>

void
xfatal_oom(void)
{
    fputs("fatal: out of memory\n", stderr);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        xfatal_oom();
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        xfatal_oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        xfatal_oom();
    return q;
}

char *
xstrdup(const char *s)
{
    char *p = strdup(s);

    if (p == NULL)
        xfatal_oom();
    return p;
}
