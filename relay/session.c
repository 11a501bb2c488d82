/* The lws side: one protocol serving both socket kinds, the session table (sid, gen), the device
 * map, out-queues, and the loop's handling of finished jobs. Everything here runs on the lws
 * service thread; workers reach a session only through a job naming (sid, gen). */
#include "relay.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <libwebsockets.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/str.h"
#include "http/resp.h"
#include "core/xmalloc.h"

_Static_assert(RELAY_PRE >= LWS_PRE, "RELAY_PRE must cover LWS_PRE");

#define CHAT_IDLE_S 90           /* §1.6.5: any frame resets it */
#define PROV_IDLE_S 60
#define TICK_US (30 * LWS_US_PER_SEC)
#define RELAY_RX_CHUNK 512

struct relay_state relay;

/* ---- session table: slot index = sid, gen bumps on reuse ---------------------------------- */

static struct session **tab;
static uint32_t *tab_gen;
static uint32_t ntab, nopen, tab_hint = 1;

/* ---- device map: (aci, device) -> sessions ------------------------------------------------ */

#define DEV_BUCKETS 4096
static struct session *dev_map[DEV_BUCKETS];

/* Adoptions between lws_adopt_socket_vhost_readbuf() and ESTABLISHED, indexed by fd: lws may
 * run the handshake inside the adopt call, before we could tag the new wsi. */
static struct adopt **adopt_by_fd;
static size_t nadopt_by_fd;

static uint64_t next_conn_id;
static uint64_t rng_state;

static unsigned
dev_hash(const uint8_t aci[16], uint8_t device_id)
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < 16; i++)
        h = (h ^ aci[i]) * 16777619u;
    h = (h ^ device_id) * 16777619u;
    return h % DEV_BUCKETS;
}

static void
dev_add(struct session *s)
{
    unsigned b = dev_hash(s->aci, s->device_id);

    s->dev_next = dev_map[b];
    dev_map[b] = s;
}

static void
dev_remove(struct session *s)
{
    for (struct session **p = &dev_map[dev_hash(s->aci, s->device_id)]; *p != NULL;
         p = &(*p)->dev_next) {
        if (*p == s) {
            *p = s->dev_next;
            s->dev_next = NULL;
            return;
        }
    }
}

struct session *
session_by_device(const uint8_t aci[16], uint8_t device_id)
{
    for (struct session *s = dev_map[dev_hash(aci, device_id)]; s != NULL; s = s->dev_next)
        if (s->device_id == device_id && memcmp(s->aci, aci, 16) == 0)
            return s;
    return NULL;
}

static void
tab_add(struct session *s)
{
    uint32_t i;

    for (i = tab_hint; i < ntab && tab[i] != NULL; i++)
        ;
    if (i >= ntab) {
        for (i = 1; i < ntab && tab[i] != NULL; i++)
            ;
    }
    if (i >= ntab) {
        uint32_t n = ntab == 0 ? 1024 : ntab * 2;

        tab = xrealloc(tab, n * sizeof(*tab));
        tab_gen = xrealloc(tab_gen, n * sizeof(*tab_gen));
        memset(tab + ntab, 0, (n - ntab) * sizeof(*tab));
        memset(tab_gen + ntab, 0, (n - ntab) * sizeof(*tab_gen));
        i = ntab == 0 ? 1 : ntab;
        ntab = n;
    }
    tab[i] = s;
    s->sid = i;
    s->gen = ++tab_gen[i];
    tab_hint = i + 1;
    nopen++;
}

static void
tab_remove(struct session *s)
{
    if (s->sid != 0 && s->sid < ntab && tab[s->sid] == s) {
        tab[s->sid] = NULL;
        if (s->sid < tab_hint)
            tab_hint = s->sid;
        nopen--;
    }
    s->sid = 0;
}

struct session *
session_find(uint32_t sid, uint32_t gen)
{
    if (sid == 0 || sid >= ntab || tab[sid] == NULL || tab[sid]->gen != gen)
        return NULL;
    return tab[sid];
}

size_t
session_count(void)
{
    return nopen;
}

uint64_t
session_request_id(void)
{
    /* xorshift64*, seeded from the kernel: unpredictable enough for request ids. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 2685821657736338717ull) >> 1;
}

void
session_presence_all(void)
{
    struct job *j = job_new(JOB_PRESENCE_ALL);

    j->ents = arena_alloc(j->a, (nopen ? nopen : 1) * sizeof(*j->ents));
    for (uint32_t i = 1; i < ntab; i++) {
        struct session *s = tab[i];

        if (s == NULL || s->close_code != 0 ||
            (!(s->flags & SF_AUTH) && s->kind != HEAD_PROVISIONING))
            continue;
        memcpy(j->ents[j->nents].aci, s->aci, 16);
        j->ents[j->nents].device_id = s->device_id;
        j->ents[j->nents].conn_id = s->conn_id;
        j->nents++;
        deliver_poke(s);                        /* BELL_NEW rings may have gone nowhere */
    }
    jobs_submit(j);
}

struct job *
session_job(const struct session *s, enum job_kind kind)
{
    struct job *j = job_new(kind);

    j->sid = s->sid;
    j->gen = s->gen;
    memcpy(j->aci, s->aci, 16);
    j->device_id = s->device_id;
    j->conn_id = s->conn_id;
    return j;
}

/* ---- out-queue ------------------------------------------------------------------------------ */

void
session_send(struct session *s, struct outmsg *m)
{
    m->next = NULL;
    if (s->out_tail != NULL)
        s->out_tail->next = m;
    else
        s->out_head = m;
    s->out_tail = m;
    lws_callback_on_writable(s->wsi);
}

void
session_close(struct session *s, uint16_t code, const char *reason)
{
    if (s->close_code != 0)
        return;
    s->close_code = code;
    s->close_reason = reason;
    lws_callback_on_writable(s->wsi);
}

static int
session_write(struct session *s)
{
    struct outmsg *m = s->out_head;

    if (s->close_code != 0) {
        lws_close_reason(s->wsi, (enum lws_close_status)s->close_code,
                         (unsigned char *)s->close_reason, strlen(s->close_reason));
        return -1;
    }
    if (m == NULL)
        return 0;
    s->out_head = m->next;
    if (s->out_head == NULL)
        s->out_tail = NULL;
    if (lws_write(s->wsi, m->buf + RELAY_PRE, m->len, LWS_WRITE_BINARY) < (int)m->len) {
        free(m);
        return -1;
    }
    free(m);
    if (s->out_head != NULL)
        lws_callback_on_writable(s->wsi);
    return 0;
}

/* ---- receiving ------------------------------------------------------------------------------ */

static const char *
upgrade_peer(const struct session *s)
{
    for (size_t off = 0; off < s->hdrs_len;) {
        const char *n = s->hdrs + off, *v = n + strlen(n) + 1;

        if (strcmp(n, "x-forwarded-for") == 0)
            return v;
        off = (size_t)(v - s->hdrs) + strlen(v) + 1;
    }
    return "";
}

static void
rx_pause_update(struct session *s)
{
    bool pause = s->pending >= SESSION_MAX_PENDING;

    if (pause != ((s->flags & SF_RX_PAUSED) != 0)) {
        s->flags ^= SF_RX_PAUSED;
        lws_rx_flow_control(s->wsi, pause ? 0 : 1);
    }
}

/* One complete binary message. Returns 0, or -1 after setting the close reason. */
static int
session_frame(struct session *s, const uint8_t *p, size_t n)
{
    struct job *j = session_job(s, JOB_REQUEST);
    struct sock_auth sock = { 0 };
    struct wsmsg m;

    if (wsmsg_decode(j->a, p, n, &m) != 0) {
        job_free(j);
        lws_close_reason(s->wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD,
                         (unsigned char *)"Badly formatted", 15);
        return -1;
    }
    if (m.type == WSMSG_RESPONSE) {
        job_free(j);
        if (s->kind == HEAD_PROVISIONING) {
            if (provision_response(s))
                session_close(s, LWS_CLOSE_STATUS_NORMAL, "Closed");
        } else {
            (void)deliver_response(s, m.id, m.status);
        }
        return 0;
    }
    if (s->flags & SF_AUTH) {
        sock.present = 1;
        memcpy(sock.aci, s->aci, 16);
        sock.device_id = s->device_id;
    }
    j->has_id = m.has_id;
    j->ws_id = m.id;
    if (relay_req_from_msg(j->a, &m, s->hdrs, s->hdrs_len, &sock, upgrade_peer(s), &j->req) !=
        E_OK) {
        /* A path the router cannot even parse: answer 400 here, no worker needed. */
        struct resp resp;

        resp_init(&resp, j->a);
        resp_error(&resp, E_BAD_REQUEST);
        if (m.has_id)
            session_send(s, wsmsg_encode_response(m.id, &resp));
        job_free(j);
        return 0;
    }
    j->req.id = ((uint64_t)s->sid << 32) | (m.id & 0xffffffffu);
    s->pending++;
    rx_pause_update(s);
    jobs_submit(j);
    return 0;
}

static int
session_receive(struct session *s, const uint8_t *in, size_t len)
{
    size_t max = (size_t)relay.conf->frame_max;
    bool final = lws_is_final_fragment(s->wsi);
    int r = 0;

    lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
                    s->kind == HEAD_PROVISIONING ? PROV_IDLE_S : CHAT_IDLE_S);
    if (s->rx_len + len > max) {
        lws_close_reason(s->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                         (unsigned char *)"Frame too large", 15);
        return -1;
    }
    if (!lws_frame_is_binary(s->wsi) && s->rx == NULL) {
        /* Text frames are ignored (§1.6.1); their fragments are only counted against the cap. */
        s->rx_len = final ? 0 : s->rx_len + len;
        return 0;
    }
    if (final && s->rx == NULL)
        return session_frame(s, in, len);       /* the common case: no copy */
    if (s->rx_len + len > s->rx_cap) {
        size_t cap = s->rx_cap == 0 ? 4096 : s->rx_cap;

        while (cap < s->rx_len + len)
            cap *= 2;
        s->rx_cap = cap > max ? max : cap;
        s->rx = xrealloc(s->rx, s->rx_cap);
    }
    memcpy(s->rx + s->rx_len, in, len);
    s->rx_len += len;
    if (final) {
        r = session_frame(s, s->rx, s->rx_len);
        free(s->rx);
        s->rx = NULL;
        s->rx_len = s->rx_cap = 0;
    }
    return r;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static int
session_open(struct session *s, struct lws *wsi)
{
    int fd = lws_get_socket_fd(wsi);
    struct adopt *ad = fd >= 0 && (size_t)fd < nadopt_by_fd ? adopt_by_fd[fd] : NULL;
    struct session *old;

    if (ad == NULL)
        return -1;
    adopt_by_fd[fd] = NULL;
    memset(s, 0, sizeof(*s));
    s->wsi = wsi;
    s->kind = (uint8_t)ad->kind;
    s->hdrs = ad->hdrs;
    s->hdrs_len = ad->hdrs_len;
    s->conn_id = ++next_conn_id;
    if (ad->authenticated) {
        s->flags |= SF_AUTH;
        memcpy(s->aci, ad->aci, 16);
        s->device_id = ad->device_id;
    }
    if (ad->stories)
        s->flags |= SF_STORIES;
    if (ad->no_delivery)
        s->flags |= SF_NO_DELIVERY;
    free(ad->head);
    free(ad);
    tab_add(s);
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK,
                    s->kind == HEAD_PROVISIONING ? PROV_IDLE_S : CHAT_IDLE_S);
    if (s->kind == HEAD_PROVISIONING) {
        provision_start(s);                     /* address, then register; sent when registered */
        dev_add(s);
        lws_set_timer_usecs(wsi, 90 * LWS_US_PER_SEC);
        return 0;
    }
    if (!(s->flags & SF_AUTH))
        return 0;
    /* A second socket of the device on this relay displaces the older one (§1.6.6). */
    old = session_by_device(s->aci, s->device_id);
    if (old != NULL) {
        dev_remove(old);
        session_close(old, 4409, "Connected elsewhere");
    }
    dev_add(s);
    /* The queue is first read once the presence record is up (finish_job): a send committed
     * before that is in the first page, one committed after it rings this relay. Reading
     * earlier could miss a send that found no presence, until the periodic check. */
    jobs_submit(session_job(s, JOB_PRESENCE_UP));
    lws_set_timer_usecs(wsi, TICK_US);
    return 0;
}

static void
session_closed(struct session *s)
{
    if (s->sid == 0)
        return;                                 /* never opened */
    tab_remove(s);
    dev_remove(s);                              /* no-op when a newer socket displaced it */
    if ((s->flags & SF_AUTH) || s->kind == HEAD_PROVISIONING)
        jobs_submit(session_job(s, JOB_PRESENCE_DOWN));
    deliver_stop(s);
    while (s->out_head != NULL) {
        struct outmsg *m = s->out_head;

        s->out_head = m->next;
        free(m);
    }
    s->out_tail = NULL;
    free(s->rx);
    s->rx = NULL;
    free(s->hdrs);
    s->hdrs = NULL;
}

static void
session_tick(struct session *s)
{
    if (s->kind == HEAD_PROVISIONING) {
        session_close(s, LWS_CLOSE_STATUS_NORMAL, "Timeout");   /* §1.6.7 step 6 */
        return;
    }
    /* Keep the presence record alive (TTL 90 s) and, every other tick, look at the queue in
     * case a doorbell ring was lost. */
    jobs_submit(session_job(s, JOB_PRESENCE_REFRESH));
    if (++s->ticks % 2 == 0)
        deliver_poke(s);
    lws_set_timer_usecs(s->wsi, TICK_US);
}

/* ---- finished jobs -------------------------------------------------------------------------- */

static void
adopt_socket(struct job *j)
{
    struct adopt *ad = j->adopt;
    int fd = ad->fd;
    struct lws *wsi;

    if (relay.stopping)
        return;                                 /* job_free() closes the socket */
    if ((size_t)fd >= nadopt_by_fd) {
        size_t n = (size_t)fd + 1024;

        adopt_by_fd = xrealloc(adopt_by_fd, n * sizeof(*adopt_by_fd));
        memset(adopt_by_fd + nadopt_by_fd, 0, (n - nadopt_by_fd) * sizeof(*adopt_by_fd));
        nadopt_by_fd = n;
    }
    if (adopt_by_fd[fd] != NULL) {
        /* The fd number was reused: the earlier socket died before its handshake finished. */
        free(adopt_by_fd[fd]->head);
        free(adopt_by_fd[fd]->hdrs);
        free(adopt_by_fd[fd]);
    }
    adopt_by_fd[fd] = ad;
    j->adopt = NULL;
    wsi = lws_adopt_socket_vhost_readbuf(relay.vh, fd, ad->head, ad->head_len);
    if (adopt_by_fd[fd] == ad) {
        /* Not established yet (or failed): the head was copied by lws, the rest waits. */
        free(ad->head);
        ad->head = NULL;
        if (wsi == NULL) {
            free(ad->hdrs);
            free(ad);
            adopt_by_fd[fd] = NULL;
        }
    }
}

static void
finish_job(struct job *j)
{
    struct session *s = j->sid != 0 ? session_find(j->sid, j->gen) : NULL;

    switch (j->kind) {
    case JOB_ADOPT:
        adopt_socket(j);
        break;
    case JOB_REQUEST:
        if (s == NULL)
            break;                              /* the socket closed meanwhile */
        s->pending--;
        rx_pause_update(s);
        if (j->out != NULL) {
            session_send(s, j->out);
            j->out = NULL;
        }
        if (j->close_stale)
            session_close(s, LWS_CLOSE_STATUS_NORMAL, "OK");
        break;
    case JOB_FETCH_MANY:
        deliver_fetched_many(j);
        break;
    case JOB_PRESENCE_UP:
        if (s != NULL && s->kind == HEAD_PROVISIONING)
            provision_registered(s);
        else if (s != NULL)
            deliver_start(s);
        break;
    case JOB_DOORBELL:
        doorbell_done(j);
        break;
    case JOB_MC_WATCH:
    case JOB_EXPIRE:
        chores_done(j);
        break;
    default:
        break;
    }
    job_free(j);
}

static void
finish_jobs(void)
{
    struct job *j = jobs_take_done();

    while (j != NULL) {
        struct job *next = j->next;

        finish_job(j);
        j = next;
    }
}

/* ---- the protocol callback ------------------------------------------------------------------ */

static int
callback_relay(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
               size_t len)
{
    struct session *s = user;

    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        return session_open(s, wsi);
    case LWS_CALLBACK_RECEIVE:
        if (s->sid == 0 || s->close_code != 0)
            return s->close_code != 0 ? 0 : -1;
        return session_receive(s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return s->sid == 0 ? -1 : session_write(s);
    case LWS_CALLBACK_TIMER:
        if (s != NULL && s->sid != 0)
            session_tick(s);
        return 0;
    case LWS_CALLBACK_CLOSED:
        session_closed(s);
        return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        finish_jobs();
        return 0;
    case LWS_CALLBACK_HTTP:
        return -1;                              /* the gate lets only upgrades through */
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    /* A small rx buffer keeps idle sockets cheap (lws allocates it per socket); larger
     * messages arrive in pieces and are assembled in session.rx. */
    { "heliograph", callback_relay, sizeof(struct session), RELAY_RX_CHUNK, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* lws's own log lines go through log.c, so there is one format. */
static void
lws_emit(int level, const char *line)
{
    size_t n = strlen(line);

    while (n > 0 && line[n - 1] == '\n')
        n--;
    /* lws 4.1 reports every readbuf adoption at error level; it is our normal path. */
    if (level == LLL_ERR && strstr(line, "adopt_socket_readbuf") == NULL)
        log_warnx("lws: %.*s", (int)n, line);
    else
        log_debug("lws: %.*s", (int)n, line);
}

static void
on_signal(int sig)
{
    (void)sig;
    relay.stopping = 1;
    if (relay.lws != NULL)
        lws_cancel_service(relay.lws);
}

void
session_run(const struct conf *conf, const char *relay_id)
{
    struct lws_context_creation_info info;
    struct sigaction sa;

    relay.conf = conf;
    relay.relay_id = relay_id;
    if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || rng_state == 0)
        rng_state = (uint64_t)now_ms() | 1;
    /* Connection ids are unique per process; a random start keeps them apart across restarts
     * of the same relay_id, so a stale presence record never names a new socket. */
    if (getrandom(&next_conn_id, sizeof(next_conn_id), 0) != sizeof(next_conn_id))
        next_conn_id = (uint64_t)now_ms() << 16;
    next_conn_id &= 0x7fffffffffffffffull;
    lws_set_log_level(LLL_ERR | (log_verbosity >= LOG_LVL_DEBUG ? LLL_WARN : 0), lws_emit);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;  /* the gate owns the listening socket */
    info.protocols = protocols;
    info.timeout_secs = 10;                     /* lws's own handshake timeouts */
    relay.lws = lws_create_context(&info);
    if (relay.lws == NULL)
        fatalx("relay: lws_create_context failed");
    relay.vh = lws_get_vhost_by_name(relay.lws, "default");
    if (relay.vh == NULL)
        fatalx("relay: no default vhost");
    jobs_set_wake(relay.lws);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    doorbell_start();
    chores_start();
    gate_start(conf);
    log_info("relay %s running", relay_id);
    while (!relay.stopping)
        if (lws_service(relay.lws, 0) < 0)
            break;
    log_info("relay %s stopping (%zu sockets)", relay_id, session_count());
    deliver_flush_acks();                       /* the workers still run them (jobs_stop) */
    gate_stop();
    jobs_set_wake(NULL);
    finish_jobs();                              /* drop results nobody will use */
    lws_context_destroy(relay.lws);             /* closes every socket: CLOSED -> presence_clear */
    relay.lws = NULL;
    free(adopt_by_fd);
    free(tab);
    free(tab_gen);
}
