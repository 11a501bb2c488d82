/* The message stream of an authenticated chat socket (server-reference.md §1.4 steps 6-10,
 * §1.6.8): read the queue in order through JOB_FETCH_MANY (the pages of many sockets in one
 * query), send each envelope as PUT /api/v1/message, keep at most DELIVERY_WINDOW unanswered,
 * ack 2xx answers through delivery_ack_many() on a worker (batched across sockets), and send
 * PUT /api/v1/queue/empty once the queue present at connect has been read and its envelopes
 * written (it follows them on the wire). Upstream's stream also waits for their
 * answers, but the e2e suite (messages.test.mjs, libsignal 0.103.0) expects queue/empty while
 * the backlog is still unacknowledged; a backlog larger than the window still needs answers
 * to make progress, as upstream.
 *
 * The window is 64, not upstream's 256: a window entry costs 24 bytes while delivering, and 64
 * frames in flight already hide the round trip on any real link; the array exists only while
 * something is in flight. Non-2xx answers leave the envelope queued: it is redelivered on the
 * next connection, as upstream (which also stops re-reading until reconnect). */
#include "relay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "core/arena.h"
#include "core/str.h"
#include "core/xmalloc.h"

/* 2xx answers of every session, waiting to go to a worker as one JOB_ACK_BATCH (one
 * transaction and one receipt batch for all of them). Flushed when full or ACK_FLUSH_US after
 * the first entry. An ack lost with the relay only means a redelivery (at least once). */
static struct msg_key ack_buf[ACK_BATCH_MAX];
static size_t ack_n;
static lws_sorted_usec_list_t ack_sul;
static bool ack_armed;

/* Sessions wanting a page (SF_FETCHING set), read together by one JOB_FETCH_MANY when
 * FETCH_BATCH_MAX have gathered or FETCH_FLUSH_US after the first. Each session still has at
 * most one fetch out, so its pages come back in order. The page size (window room) and the
 * starting seq are taken at flush time. */
static struct {
    uint32_t sid, gen;
} fetch_buf[FETCH_BATCH_MAX];
static size_t fetch_n;
static lws_sorted_usec_list_t fetch_sul;
static bool fetch_armed;

static void
fetch_flush(void)
{
    struct job *j;
    size_t n = 0;

    if (fetch_armed) {
        lws_sul_cancel(&fetch_sul);
        fetch_armed = false;
    }
    if (fetch_n == 0)
        return;
    j = job_new(JOB_FETCH_MANY);
    j->fetches = arena_alloc(j->a, fetch_n * sizeof(*j->fetches));
    j->fsid = arena_alloc(j->a, fetch_n * sizeof(*j->fsid));
    j->fgen = arena_alloc(j->a, fetch_n * sizeof(*j->fgen));
    for (size_t i = 0; i < fetch_n; i++) {
        struct session *s = session_find(fetch_buf[i].sid, fetch_buf[i].gen);
        struct msg_fetch *f = &j->fetches[n];

        if (s == NULL)
            continue;                           /* closed meanwhile */
        memset(f, 0, sizeof(*f));
        memcpy(f->aci, s->aci, 16);
        f->device_id = s->device_id;
        f->after_seq = s->last_seq;
        f->limit = DELIVERY_WINDOW - s->nfl;
        j->fsid[n] = s->sid;
        j->fgen[n] = s->gen;
        n++;
    }
    fetch_n = 0;
    j->nfetches = n;
    if (n == 0) {
        job_free(j);
        return;
    }
    jobs_submit(j);
}

static void
fetch_timer(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    fetch_armed = false;
    fetch_flush();
}

static void
fetch_add(const struct session *s)
{
    fetch_buf[fetch_n].sid = s->sid;
    fetch_buf[fetch_n].gen = s->gen;
    fetch_n++;
    if (fetch_n == FETCH_BATCH_MAX) {
        fetch_flush();
    } else if (!fetch_armed) {
        fetch_armed = true;
        lws_sul_schedule(relay.lws, 0, &fetch_sul, fetch_timer, FETCH_FLUSH_US);
    }
}

static void
fetch(struct session *s)
{
    if (s->flags & SF_FETCHING) {
        s->flags |= SF_REFETCH;
        return;
    }
    if (s->nfl > DELIVERY_WINDOW / 2) {
        s->flags |= SF_REFETCH;                 /* wait for answers, then read a bigger page */
        return;
    }
    s->flags &= (uint16_t)~(SF_REFETCH | SF_MORE);
    s->flags |= SF_FETCHING;
    fetch_add(s);
}

static bool
delivering(const struct session *s)
{
    return s->kind == HEAD_CHAT && (s->flags & SF_AUTH) && !(s->flags & SF_NO_DELIVERY);
}

void
deliver_start(struct session *s)
{
    if (delivering(s))
        fetch(s);
}

void
deliver_poke(struct session *s)
{
    if (delivering(s))
        fetch(s);
}

static struct outmsg *
message_request(uint64_t id, const char *path, const uint8_t *env, size_t len)
{
    char ts[40];
    const char *hdrs[2] = { ts, "Content-Type:application/x-protobuf" };

    snprintf(ts, sizeof(ts), "X-Signal-Timestamp:%" PRId64, now_ms());
    return wsmsg_encode_request(id, "PUT", path, hdrs, env != NULL ? 2 : 1, env, len);
}

static void
queue_empty_check(struct session *s)
{
    if ((s->flags & (SF_BACKLOG_DONE | SF_QE_SENT)) == SF_BACKLOG_DONE) {
        s->flags |= SF_QE_SENT;
        session_send(s, message_request(session_request_id(), "/api/v1/queue/empty", NULL, 0));
    }
}

static void
window_release(struct session *s)
{
    if (s->nfl == 0 && s->fl != NULL) {
        free(s->fl);
        s->fl = NULL;
    }
}

static void
fetched(struct session *s, enum err e, const struct msg_rec *msgs, size_t nmsgs, size_t limit)
{
    s->flags &= (uint16_t)~SF_FETCHING;
    if (e != E_OK) {
        session_close(s, 1011, "Failed to retrieve messages");
        return;
    }
    for (size_t i = 0; i < nmsgs; i++) {
        const struct msg_rec *m = &msgs[i];
        struct job *drop;
        uint64_t id;

        if (m->seq > s->last_seq)
            s->last_seq = m->seq;
        if (m->story && !(s->flags & SF_STORIES)) {
            /* Upstream acknowledges stories to sockets that did not ask for them without
             * delivering them (§1.6.2); no receipt either. */
            drop = session_job(s, JOB_DROP);
            memcpy(drop->guid, m->guid, 16);
            jobs_submit(drop);
            continue;
        }
        if (s->fl == NULL)
            s->fl = xmalloc(DELIVERY_WINDOW * sizeof(*s->fl));
        if (s->nfl == DELIVERY_WINDOW) {
            /* Cannot happen (limit = room), but never overrun: refetch from here later. */
            s->last_seq = m->seq - 1;
            s->flags |= SF_REFETCH;
            break;
        }
        id = session_request_id();
        s->fl[s->nfl].id = id;
        memcpy(s->fl[s->nfl].guid, m->guid, 16);
        s->nfl++;
        session_send(s, message_request(id, "/api/v1/message", m->env, m->env_len));
    }
    if (nmsgs >= limit)
        s->flags |= SF_MORE;
    else
        s->flags |= SF_BACKLOG_DONE;
    if (s->flags & (SF_MORE | SF_REFETCH))
        fetch(s);
    queue_empty_check(s);
    window_release(s);
}

void
deliver_fetched_many(struct job *j)
{
    for (size_t i = 0; i < j->nfetches; i++) {
        struct session *s = session_find(j->fsid[i], j->fgen[i]);
        const struct msg_fetch *f = &j->fetches[i];

        if (s != NULL)
            fetched(s, j->e, f->msgs, f->nmsgs, f->limit);
    }
}

void
deliver_flush_acks(void)
{
    struct job *j;

    if (ack_armed) {
        lws_sul_cancel(&ack_sul);
        ack_armed = false;
    }
    if (ack_n == 0)
        return;
    j = job_new(JOB_ACK_BATCH);
    j->acks = arena_alloc(j->a, ack_n * sizeof(*j->acks));
    memcpy(j->acks, ack_buf, ack_n * sizeof(*j->acks));
    j->nacks = ack_n;
    ack_n = 0;
    jobs_submit(j);
}

static void
ack_timer(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    ack_armed = false;
    deliver_flush_acks();
}

static void
ack_add(const struct session *s, const uint8_t guid[16])
{
    struct msg_key *k = &ack_buf[ack_n++];

    memcpy(k->aci, s->aci, 16);
    k->device_id = s->device_id;
    memcpy(k->guid, guid, 16);
    if (ack_n == ACK_BATCH_MAX) {
        deliver_flush_acks();
    } else if (!ack_armed) {
        ack_armed = true;
        lws_sul_schedule(relay.lws, 0, &ack_sul, ack_timer, ACK_FLUSH_US);
    }
}

bool
deliver_response(struct session *s, uint64_t id, uint32_t status)
{
    size_t i;

    for (i = 0; i < s->nfl && s->fl[i].id != id; i++)
        ;
    if (i == s->nfl)
        return false;                           /* not ours, or an ephemeral envelope */
    if (status >= 200 && status < 300)
        ack_add(s, s->fl[i].guid);
    s->fl[i] = s->fl[--s->nfl];
    if ((s->flags & (SF_MORE | SF_REFETCH)) && s->nfl <= DELIVERY_WINDOW / 2)
        fetch(s);
    queue_empty_check(s);
    window_release(s);
    return true;
}

void
deliver_ephemeral(struct session *s, const uint8_t *env, size_t len)
{
    if (delivering(s))
        session_send(s, message_request(session_request_id(), "/api/v1/message", env, len));
}

void
deliver_stop(struct session *s)
{
    s->nfl = 0;
    window_release(s);
}
