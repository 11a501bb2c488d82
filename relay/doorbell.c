/* Draining this relay's doorbell (store/presence.h): a timer on the loop sends one
 * JOB_DOORBELL at a time to a worker (memcached gets + cas there, never on the loop) and acts on
 * the bells that come back. The poll interval is 5 ms after a ring and doubles up to 40 ms while
 * quiet, so an idle relay costs ~25 memcached round trips per second and a busy one reacts
 * within a few ms. With no socket open nothing is polled. */
#include "relay.h"

#include <string.h>

#include <libwebsockets.h>

#include "core/log.h"

#define BELL_FAST_US 5000
#define BELL_SLOW_US 40000

static lws_sorted_usec_list_t bell_sul;
static lws_usec_t bell_interval = BELL_FAST_US;
static bool bell_out;

static void
bell_timer(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    if (relay.stopping)
        return;
    if (session_count() == 0 || bell_out) {
        lws_sul_schedule(relay.lws, 0, &bell_sul, bell_timer, BELL_SLOW_US);
        return;
    }
    bell_out = true;
    jobs_submit(job_new(JOB_DOORBELL));          /* doorbell_done() re-arms the timer */
}

void
doorbell_start(void)
{
    lws_sul_schedule(relay.lws, 0, &bell_sul, bell_timer, BELL_SLOW_US);
}

static void
bell_ring(const struct bell *b)
{
    struct session *s = session_by_device(b->aci, b->device_id);

    if (s == NULL)
        return;                                 /* that socket is gone; the queue keeps it */
    if (b->conn_id != 0 && b->conn_id != s->conn_id && b->kind != BELL_NEW &&
        b->kind != BELL_EPHEMERAL)
        return;                                 /* aimed at an older socket of the device */
    switch (b->kind) {
    case BELL_NEW:
        deliver_poke(s);
        break;
    case BELL_EPHEMERAL:
        if (b->payload != NULL)
            deliver_ephemeral(s, b->payload, b->payload_len);
        break;
    case BELL_KICK:
        session_close(s, 4409, "Connected elsewhere");
        break;
    case BELL_CLOSE:
        session_close(s, 4401, "Reauthentication required");
        break;
    case BELL_PROVISION:
        if (s->kind == HEAD_PROVISIONING && b->payload != NULL)
            provision_deliver(s, b->payload, b->payload_len);
        break;
    default:
        break;
    }
}

void
doorbell_done(struct job *j)
{
    bell_out = false;
    if (j->e != E_OK)
        log_debug("relay: doorbell_drain: %s", err_message(j->e));
    for (size_t i = 0; i < j->nbells; i++)
        bell_ring(&j->bells[i]);
    if (j->nbells > 0)
        bell_interval = BELL_FAST_US;
    else if (bell_interval < BELL_SLOW_US)
        bell_interval *= 2;
    if (!relay.stopping)
        lws_sul_schedule(relay.lws, 0, &bell_sul, bell_timer, bell_interval);
}
