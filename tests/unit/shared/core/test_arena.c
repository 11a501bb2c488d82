/* Tests for shared/core/arena.c: alignment, large blocks, destructor order. */
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "suites.h"

static int order[4], norder;

static void
record(void *p)
{
    order[norder++] = (int)(intptr_t)p;
}

static void
test_alloc_and_defer(void)
{
    struct arena *a = arena_new(256);
    char *big;

    for (int i = 0; i < 100; i++) {
        void *p = arena_alloc(a, (size_t)i + 1);
        CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
    }
    big = arena_alloc(a, 100000);
    memset(big, 'x', 100000);
    CU_ASSERT_STRING_EQUAL(arena_printf(a, "%d-%s", 7, "x"), "7-x");
    CU_ASSERT_STRING_EQUAL(arena_strndup(a, "abcdef", 3), "abc");
    norder = 0;
    arena_defer(a, record, (void *)1);
    arena_defer(a, record, (void *)2);
    arena_set_wipe(a);
    arena_free(a);
    CU_ASSERT_EQUAL(norder, 2);
    CU_ASSERT_EQUAL(order[0], 2); /* reverse order */
    CU_ASSERT_EQUAL(order[1], 1);
}

void
suite_arena(void)
{
    CU_pSuite s = CU_add_suite("core/arena", NULL, NULL);

    CU_add_test(s, "alloc and defer", test_alloc_and_defer);
}
