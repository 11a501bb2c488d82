/* Housekeeping: two timers on the loop, the work on a worker (work.c).
 *
 * Memcached watch (every MC_WATCH_US): JOB_MC_WATCH adds the marker alive:<relay_id>. Nobody
 * else writes it, so finding it absent means memcached lost its data (restart, eviction, or it
 * was down when the relay started): presence records and doorbell rings are gone, senders see
 * this relay's devices as offline and ring nobody. The loop then registers every socket's
 * presence again and looks at every queue, so delivery resumes within about a second of
 * memcached coming back instead of waiting for the 30 s presence refresh and the 60 s queue
 * check.
 *
 * Expiry sweep (every relay_expire_s, default 10 min, 0 = off): JOB_EXPIRE takes the lock
 * lock:msgs-expire with memcached add and a TTL of the interval, so of several relays sharing
 * the store one sweeps per interval; it then calls store_msgs_expire() in pages of EXPIRE_PAGE
 * until a page comes back short or EXPIRE_BUDGET_MS have passed (the next sweep goes on). */
#include "relay.h"

#include <libwebsockets.h>

#include "core/conf.h"
#include "core/log.h"

static lws_sorted_usec_list_t watch_sul, expire_sul;
static bool watch_out, expire_out;

static void
watch_timer(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    if (relay.stopping)
        return;
    if (!watch_out) {
        watch_out = true;
        jobs_submit(job_new(JOB_MC_WATCH));
    }
    lws_sul_schedule(relay.lws, 0, &watch_sul, watch_timer, MC_WATCH_US);
}

static lws_usec_t
expire_interval(void)
{
    return (lws_usec_t)relay.conf->relay_expire_s * LWS_US_PER_SEC;
}

static void
expire_timer(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    if (relay.stopping)
        return;
    if (!expire_out) {
        expire_out = true;
        jobs_submit(job_new(JOB_EXPIRE));
    }
    lws_sul_schedule(relay.lws, 0, &expire_sul, expire_timer, expire_interval());
}

void
chores_start(void)
{
    lws_sul_schedule(relay.lws, 0, &watch_sul, watch_timer, MC_WATCH_US);
    /* The first sweep soon after start-up (the lock still spaces sweeps by the interval). */
    if (relay.conf->relay_expire_s > 0)
        lws_sul_schedule(relay.lws, 0, &expire_sul, expire_timer,
                         expire_interval() < 5 * LWS_US_PER_SEC ? expire_interval()
                                                                : 5 * LWS_US_PER_SEC);
}

void
chores_done(struct job *j)
{
    if (j->kind == JOB_MC_WATCH) {
        watch_out = false;
        if (j->mc_lost && session_count() > 0) {
            log_info("relay: memcached lost its data: registering %zu sockets again",
                     session_count());
            session_presence_all();
        }
    } else {
        expire_out = false;
    }
}
