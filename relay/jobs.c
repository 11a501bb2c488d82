/* The worker pool: a FIFO of jobs for the workers and a FIFO of results for the lws loop.
 * Each worker owns one struct ctx for its lifetime, like an fcgi accept thread. Results wake the
 * loop with lws_cancel_service(), the only lws call made off the service thread. */
#include "relay.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "http/ctx.h"

struct jobq {
    struct job *head, *tail;
};

static pthread_mutex_t work_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static struct jobq work_q;
static size_t work_count;              /* queued + running */
static int work_stop;

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static struct jobq done_q;
static struct lws_context *wake_ctx;
static bool wake_pending;               /* a cancel went out and the loop has not taken yet */

static pthread_t *workers;
static int nworkers;
static const struct conf *work_conf;

struct job *
job_new(enum job_kind kind)
{
    struct arena *a = arena_new(4096);
    struct job *j = arena_alloc(a, sizeof(*j));

    j->kind = kind;
    j->a = a;
    return j;
}

void
job_free(struct job *j)
{
    if (j == NULL)
        return;
    free(j->out);
    if (j->adopt != NULL) {
        if (j->adopt->fd >= 0)
            close(j->adopt->fd);
        free(j->adopt->head);
        free(j->adopt->hdrs);
        free(j->adopt);
    }
    arena_free(j->a);               /* the job itself lives in its arena */
}

static void
q_push(struct jobq *q, struct job *j)
{
    j->next = NULL;
    if (q->tail != NULL)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static struct job *
q_pop(struct jobq *q)
{
    struct job *j = q->head;

    if (j != NULL) {
        q->head = j->next;
        if (q->head == NULL)
            q->tail = NULL;
        j->next = NULL;
    }
    return j;
}

void
jobs_submit(struct job *j)
{
    pthread_mutex_lock(&work_mu);
    q_push(&work_q, j);
    work_count++;
    pthread_cond_signal(&work_cv);
    pthread_mutex_unlock(&work_mu);
}

void
jobs_done(struct job *j)
{
    pthread_mutex_lock(&done_mu);
    q_push(&done_q, j);
    /* One wake per batch of results: until the loop takes the queue (under this lock) a wake
     * is already pending, and each extra cancel would only cost it another poll() over every
     * socket. */
    if (wake_ctx != NULL && !wake_pending) {
        wake_pending = true;
        lws_cancel_service(wake_ctx);
    }
    pthread_mutex_unlock(&done_mu);
}

struct job *
jobs_take_done(void)
{
    struct job *all;

    pthread_mutex_lock(&done_mu);
    all = done_q.head;
    done_q.head = done_q.tail = NULL;
    wake_pending = false;
    pthread_mutex_unlock(&done_mu);
    return all;
}

void
jobs_set_wake(struct lws_context *ctx)
{
    pthread_mutex_lock(&done_mu);
    wake_ctx = ctx;
    wake_pending = false;
    if (ctx != NULL && done_q.head != NULL) {
        wake_pending = true;
        lws_cancel_service(ctx);
    }
    pthread_mutex_unlock(&done_mu);
}

size_t
jobs_pending(void)
{
    size_t n;

    pthread_mutex_lock(&work_mu);
    n = work_count;
    pthread_mutex_unlock(&work_mu);
    return n;
}


static void *
worker_main(void *arg)
{
    struct ctx *ctx = ctx_open_retry(work_conf);

    (void)arg;
    for (;;) {
        struct job *j;

        pthread_mutex_lock(&work_mu);
        while (work_q.head == NULL && !work_stop)
            pthread_cond_wait(&work_cv, &work_mu);
        j = q_pop(&work_q);
        pthread_mutex_unlock(&work_mu);
        if (j == NULL)
            break;                      /* stopping and nothing left */
        if (work_run(ctx, work_conf, j))
            jobs_done(j);
        else
            job_free(j);
        pthread_mutex_lock(&work_mu);
        work_count--;
        pthread_mutex_unlock(&work_mu);
    }
    ctx_close(ctx);
    return NULL;
}

void
jobs_start(const struct conf *conf, int n)
{
    work_conf = conf;
    nworkers = n;
    workers = xcalloc((size_t)n, sizeof(*workers));
    for (int i = 0; i < n; i++)
        if (pthread_create(&workers[i], NULL, worker_main, NULL) != 0)
            fatal("relay: pthread_create");
}

void
jobs_stop(void)
{
    struct job *j;

    pthread_mutex_lock(&work_mu);
    work_stop = 1;
    pthread_cond_broadcast(&work_cv);
    pthread_mutex_unlock(&work_mu);
    for (int i = 0; i < nworkers; i++)
        pthread_join(workers[i], NULL);
    free(workers);
    workers = NULL;
    while ((j = jobs_take_done()) != NULL) {
        while (j != NULL) {
            struct job *next = j->next;

            job_free(j);
            j = next;
        }
    }
}
