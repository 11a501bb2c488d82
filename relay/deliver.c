/* The message stream of an authenticated chat socket (server-reference.md §1.4 steps 6-10,
 * §1.6.8): read the queue in order through JOB_FETCH, send each envelope as PUT /api/v1/message,
 * keep at most DELIVERY_WINDOW unanswered, ack 2xx answers through delivery_ack() on a worker,
 * and send PUT /api/v1/queue/empty once the queue present at connect has been read and its
 * envelopes written (it follows them on the wire). Upstream's stream also waits for their
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

#include "core/str.h"
#include "core/xmalloc.h"

static void
fetch(struct session *s)
{
    struct job *j;
    size_t room = DELIVERY_WINDOW - s->nfl;

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
    j = session_job(s, JOB_FETCH);
    j->after_seq = s->last_seq;
    j->limit = room;
    jobs_submit(j);
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

void
deliver_fetched(struct session *s, struct job *j)
{
    s->flags &= (uint16_t)~SF_FETCHING;
    if (j->e != E_OK) {
        session_close(s, 1011, "Failed to retrieve messages");
        return;
    }
    for (size_t i = 0; i < j->nmsgs; i++) {
        const struct msg_rec *m = &j->msgs[i];
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
    if (j->nmsgs >= j->limit)
        s->flags |= SF_MORE;
    else
        s->flags |= SF_BACKLOG_DONE;
    if (s->flags & (SF_MORE | SF_REFETCH))
        fetch(s);
    queue_empty_check(s);
    window_release(s);
}

bool
deliver_response(struct session *s, uint64_t id, uint32_t status)
{
    size_t i;

    for (i = 0; i < s->nfl && s->fl[i].id != id; i++)
        ;
    if (i == s->nfl)
        return false;                           /* not ours, or an ephemeral envelope */
    if (status >= 200 && status < 300) {
        struct job *j = session_job(s, JOB_ACK);

        memcpy(j->guid, s->fl[i].guid, 16);
        jobs_submit(j);
    }
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
