/* The push sender: one thread of heliograph-relay (push_sender_run). It claims due push_queue
 * rows in small leased batches, sends each to APNs or FCM by the device's token, and then
 * deletes the row (sent, or dead token cleared, or refused), or reschedules it with back-off
 * (429, 5xx, no response; Retry-After honoured) up to PUSH_MAX_ATTEMPTS. Non-urgent rows are
 * background pushes: at most one per device per 20 minutes, later ones wait for the period to
 * pass (Signal's PushNotificationScheduler). Senders (push_enqueue) never wait for any of this.
 *
 * Unconfigured (push_enabled 0, or neither APNs nor FCM credentials): log once and idle until
 * stopped, leaving rows in push_queue; they are one per device at most, and go out as wake-ups
 * once credentials are configured. A row for a provider that is not configured, for a device
 * without token or for a device that is gone is deleted: there is nothing it could ever become. */
#include "push/push.h"

#include <time.h>

#include "apns.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/str.h"
#include "fcm.h"
#include "sender.h"
#include "store/push_store.h"
#include "store/store.h"

struct sender {
    struct store *st;
    struct apns *apns;
    struct fcm *fcm;
};

int64_t
push_backoff_ms(int failures, int64_t retry_after_s)
{
    int64_t d = PUSH_RETRY_BASE_MS;

    for (int i = 1; i < failures && d < PUSH_RETRY_CAP_MS; i++)
        d *= 2;
    if (d > PUSH_RETRY_CAP_MS)
        d = PUSH_RETRY_CAP_MS;
    if (retry_after_s > PUSH_RETRY_AFTER_CAP_S)
        retry_after_s = PUSH_RETRY_AFTER_CAP_S;
    if (retry_after_s * 1000 > d)
        d = retry_after_s * 1000;
    return d;
}

/* Sleep ms, waking every 100 ms to look at *stop. Returns nonzero when asked to stop. */
static int
nap(int64_t ms, volatile int *stop)
{
    while (ms > 0 && !*stop) {
        int64_t step = ms < 100 ? ms : 100;
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)step * 1000000L };
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return *stop;
}

static const char *
kind_name(enum push_kind k)
{
    return k == PUSH_APN ? "APNs" : k == PUSH_FCM ? "FCM" : "none";
}

static void
check(enum err e, const char *what, const struct push_job *j)
{
    /* the lease runs out and the row is taken again: nothing else to do */
    if (e != E_OK)
        log_warnx("push: row %lld: %s failed (%d)", (long long)j->id, what, (int)e);
}

static void
drop(struct sender *x, const struct push_job *j)
{
    check(store_push_done(x->st, j), "delete", j);
}

static void
handle(struct sender *x, const struct push_job *j, int64_t now)
{
    struct push_outcome o;

    if (j->token == NULL) {
        log_debug("push: row %lld: device gone or without token, dropped", (long long)j->id);
        drop(x, j);
        return;
    }
    if ((j->kind == PUSH_APN && x->apns == NULL) || (j->kind == PUSH_FCM && x->fcm == NULL)) {
        log_debug("push: row %lld: %s not configured, dropped", (long long)j->id,
                  kind_name(j->kind));
        drop(x, j);
        return;
    }
    if (!j->urgent && j->attempts == 0 && j->last_background_ms > 0 &&
        j->last_background_ms <= now && now < j->last_background_ms + PUSH_BACKGROUND_PERIOD_MS) {
        /* one background push per period; this one waits (an urgent enqueue re-arms it) */
        check(store_push_retry(x->st, j, j->last_background_ms + PUSH_BACKGROUND_PERIOD_MS,
                               false),
              "defer", j);
        return;
    }
    if (j->kind == PUSH_APN)
        apns_send(x->apns, j->token, j->urgent, now, &o);
    else
        fcm_send(x->fcm, j->token, j->urgent, now, &o);

    switch (o.v) {
    case PV_SENT:
        if (!j->urgent)
            check(store_push_background_mark(x->st, j, now), "background mark", j);
        drop(x, j);
        break;
    case PV_BAD_TOKEN:
        log_info("push: %s reports the device token invalid (%s); token cleared",
                 kind_name(j->kind), o.reason);
        check(store_push_token_clear(x->st, j), "token clear", j);
        drop(x, j);
        break;
    case PV_RETRY:
    case PV_AUTH:
        if (j->attempts + 1 >= PUSH_MAX_ATTEMPTS) {
            log_warnx("push: row %lld: %s still failing after %d attempts (%ld %s), dropped",
                      (long long)j->id, kind_name(j->kind), j->attempts + 1, o.status, o.reason);
            drop(x, j);
            break;
        }
        /* a refused credential was dropped by the client: the next try mints a new one */
        log_info("push: row %lld: %s answered %ld %s, retry %d", (long long)j->id,
                 kind_name(j->kind), o.status, o.reason, j->attempts + 1);
        check(store_push_retry(x->st, j,
                               o.v == PV_AUTH && j->attempts == 0
                                   ? now
                                   : now + push_backoff_ms(j->attempts + 1, o.retry_after_s),
                               true),
              "retry", j);
        break;
    case PV_REJECTED:
        log_warnx("push: row %lld: %s refused the notification (%ld %s), dropped",
                  (long long)j->id, kind_name(j->kind), o.status, o.reason);
        drop(x, j);
        break;
    }
}

/* Claim and handle one batch; returns the number of rows handled, -1 on a store failure. */
static int
run_batch(struct sender *x, volatile int *stop)
{
    struct arena *a = arena_new(16 * 1024);
    struct push_job *jobs;
    size_t n = 0;
    int64_t now = now_ms();
    enum err e = store_push_claim(x->st, a, now, PUSH_LEASE_MS, PUSH_CLAIM_BATCH, &jobs, &n);

    if (e != E_OK) {
        arena_free(a);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (*stop) {
            /* give the rest back now rather than after the lease */
            check(store_push_retry(x->st, &jobs[i], now_ms(), false), "release", &jobs[i]);
            continue;
        }
        handle(x, &jobs[i], now_ms());
    }
    arena_free(a);
    return (int)n;
}

static void
idle(volatile int *stop)
{
    while (!nap(1000, stop))
        ;
}

void
push_sender_run(const struct conf *conf, volatile int *stop)
{
    struct sender x = { 0 };
    enum err ea = E_NOT_FOUND, ef = E_NOT_FOUND;

    if (!conf->push_enabled) {
        log_info("push: push_enabled is 0; sender idle, pushes stay queued");
        idle(stop);
        return;
    }
    ea = apns_new(conf, stop, &x.apns);
    if (ea == E_NOT_FOUND && (conf->apns_team_id[0] || conf->apns_key_id[0] ||
                              conf->apns_key_file[0] || conf->apns_bundle_id[0]))
        log_warnx("push: APNs needs apns_team_id, apns_key_id, apns_key_file and apns_bundle_id");
    else if (ea != E_OK && ea != E_NOT_FOUND)
        log_warnx("push: APNs credentials unusable; APNs disabled");
    ef = fcm_new(conf, stop, &x.fcm);
    if (ef != E_OK && ef != E_NOT_FOUND)
        log_warnx("push: FCM service account unusable; FCM disabled");
    if (x.apns == NULL && x.fcm == NULL) {
        log_info("push: no APNs or FCM credentials configured; sender idle, pushes stay queued");
        idle(stop);
        return;
    }
    log_info("push: sender running (APNs %s, FCM %s)", x.apns ? "on" : "off",
             x.fcm ? "on" : "off");
    while (!*stop && store_open(conf, &x.st) != E_OK)
        nap(5000, stop);
    while (!*stop) {
        int n = run_batch(&x, stop);
        if (n < 0)
            nap(1000, stop);            /* the store logged why; db_exec reconnects */
        else if (n < PUSH_CLAIM_BATCH)
            nap(PUSH_IDLE_POLL_MS, stop);
    }
    store_close(x.st);
    apns_free(x.apns);
    fcm_free(x.fcm);
    log_info("push: sender stopped");
}
