/* Tests for relay/jobs.c: results come back to the loop in FIFO order, take_done empties the
 * list, and freeing an unclaimed adoption closes its socket. No workers are started. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/xmalloc.h"
#include "relay/relay.h"
#include "suites.h"

/* relay/session.c defines this in the daemon; work.c reads relay_id from it. */
struct relay_state relay;

static void
test_done_fifo(void)
{
    struct job *j, *next;
    int n = 0;

    for (uint32_t i = 1; i <= 5; i++) {
        j = job_new(JOB_FETCH_MANY);
        j->sid = i;
        jobs_done(j);
    }
    j = jobs_take_done();
    CU_ASSERT_PTR_NULL(jobs_take_done());
    for (; j != NULL; j = next) {
        next = j->next;
        CU_ASSERT_EQUAL(j->sid, (uint32_t)++n);
        job_free(j);
    }
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(jobs_pending(), 0);
}

static void
test_adopt_free_closes(void)
{
    struct job *j = job_new(JOB_ADOPT);
    int p[2];

    CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
    j->adopt = xcalloc(1, sizeof(*j->adopt));
    j->adopt->fd = p[0];
    j->adopt->head = xmalloc(4);
    job_free(j);
    CU_ASSERT_EQUAL(fcntl(p[0], F_GETFD), -1);         /* closed */
    close(p[1]);
}

static void
test_job_arena(void)
{
    struct job *j = job_new(JOB_REQUEST);

    CU_ASSERT_PTR_NOT_NULL(j->a);
    CU_ASSERT_EQUAL(j->kind, JOB_REQUEST);
    CU_ASSERT_PTR_NULL(j->out);
    j->out = wsmsg_encode_request(1, "PUT", "/api/v1/queue/empty", NULL, 0, NULL, 0);
    job_free(j);                                        /* frees out too (ASan checks) */
}

void
suite_relay_jobs(void)
{
    CU_pSuite s = CU_add_suite("relay_jobs", NULL, NULL);

    CU_add_test(s, "done list is FIFO", test_done_fifo);
    CU_add_test(s, "unclaimed adoption closes its fd", test_adopt_free_closes);
    CU_add_test(s, "job owns its arena and output", test_job_arena);
}
