/* The gate: accepts connections and reads the HTTP upgrade head before lws sees it.
 *
 * Why: lws 4.1 decides an upgrade synchronously inside its callbacks (HTTP_CONFIRM_UPGRADE,
 * FILTER_PROTOCOL_CONNECTION); there is no way to park the handshake while a worker checks the
 * password against MariaDB. So the gate reads the head itself, a worker verifies the credentials
 * and either answers 403/500 on the raw socket or the loop hands the socket plus the already-read
 * head to lws with lws_adopt_socket_vhost_readbuf(), which then performs a normal handshake.
 * Sockets without credentials skip the worker. The gate never blocks on anything but poll(). */
#include "relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define GATE_MAX_PENDING 256      /* heads being read at once; more wait in the listen backlog */
#define GATE_HEAD_TIMEOUT_S 10

struct pending {
    int fd;
    time_t deadline;
    char *buf;                    /* grows to HEAD_MAX */
    size_t len, cap;
    char peer[INET6_ADDRSTRLEN];
};

static int listen_fd = -1;
static int wake_pipe[2] = { -1, -1 };
static pthread_t gate_tid;
static struct pending pend[GATE_MAX_PENDING];
static size_t npend;

static void
reply_close(int fd, const char *status)
{
    char buf[160];
    int n = snprintf(buf, sizeof(buf),
                     "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);

    if (n > 0 && write(fd, buf, (size_t)n) < 0)
        log_debug("gate: reply failed");
    close(fd);
}

static void
pending_drop(size_t i, bool close_fd)
{
    if (close_fd)
        close(pend[i].fd);
    free(pend[i].buf);
    pend[i] = pend[--npend];
}

/* The head is complete: classify, then pass it on. The pending entry's fd moves into the job. */
static void
head_done(struct pending *p, size_t hlen)
{
    struct arena *a = arena_new(4096);
    struct head h;
    struct adopt *ad;
    const char *basic, *v;
    struct job *j;

    if (head_parse(a, p->buf, hlen, &h) != 0) {
        reply_close(p->fd, "400 Bad Request");
        goto out;
    }
    if (head_kind(&h) == 0) {
        reply_close(p->fd, "404 Not Found");
        goto out;
    }
    v = head_header(&h, "upgrade");
    if (strcmp(h.method, "GET") != 0 || v == NULL || strcasecmp(v, "websocket") != 0) {
        reply_close(p->fd, "426 Upgrade Required");
        goto out;
    }
    ad = xcalloc(1, sizeof(*ad));
    ad->fd = p->fd;
    ad->kind = head_kind(&h);
    v = head_header(&h, "x-signal-receive-stories");
    ad->stories = v != NULL && strcasecmp(v, "true") == 0;
    v = head_header(&h, "x-signal-disable-messages");
    ad->no_delivery = v != NULL && strcasecmp(v, "true") == 0;
    ad->head = xmalloc(p->len);
    memcpy(ad->head, p->buf, p->len);        /* bytes after the head go to lws too */
    ad->head_len = p->len;
    if (head_header(&h, "x-forwarded-for") == NULL && p->peer[0] != '\0' &&
        h.nheaders < HEAD_MAX_HEADERS) {
        /* A direct client: record its address as the front end would have. */
        h.headers[h.nheaders++] = (struct header){ "x-forwarded-for", p->peer };
    }
    ad->hdrs = head_upgrade_blob(&h, &ad->hdrs_len);
    basic = ad->kind == HEAD_CHAT ? head_basic_auth(a, &h) : NULL;
    if (basic != NULL) {
        j = job_new(JOB_AUTH);
        arena_set_wipe(j->a);
        j->basic = arena_strdup(j->a, basic);
        j->adopt = ad;
        jobs_submit(j);
    } else {
        j = job_new(JOB_ADOPT);
        j->adopt = ad;
        jobs_done(j);
    }
out:
    arena_set_wipe(a);                       /* it held the credentials */
    arena_free(a);
}

static void
pending_read(size_t i)
{
    struct pending *p = &pend[i];
    size_t hlen;
    ssize_t n;

    if (p->cap - p->len < 1024 && p->cap < HEAD_MAX) {
        p->cap = p->cap * 2 > HEAD_MAX ? HEAD_MAX : p->cap * 2;
        p->buf = xrealloc(p->buf, p->cap);
    }
    n = read(p->fd, p->buf + p->len, p->cap - p->len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        pending_drop(i, true);
        return;
    }
    p->len += (size_t)n;
    hlen = head_complete(p->buf, p->len);
    if (hlen > 0) {
        head_done(p, hlen);
        pending_drop(i, false);
    } else if (p->len == p->cap && p->cap >= HEAD_MAX) {
        reply_close(p->fd, "431 Request Header Fields Too Large");
        pending_drop(i, false);
    }
}

static void
accept_one(void)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int one = 1;
    struct pending *p;

    if (fd < 0)
        return;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    p = &pend[npend++];
    memset(p, 0, sizeof(*p));
    p->fd = fd;
    p->deadline = time(NULL) + GATE_HEAD_TIMEOUT_S;
    p->cap = 1024;
    p->buf = xmalloc(p->cap);
    if (getnameinfo((struct sockaddr *)&ss, sl, p->peer, sizeof(p->peer), NULL, 0,
                    NI_NUMERICHOST) != 0)
        p->peer[0] = '\0';
}

static void *
gate_main(void *arg)
{
    struct pollfd fds[GATE_MAX_PENDING + 2];

    (void)arg;
    for (;;) {
        size_t n = 0, np = npend;
        time_t now;

        fds[n++] = (struct pollfd){ .fd = wake_pipe[0], .events = POLLIN };
        fds[n++] = (struct pollfd){ .fd = npend < GATE_MAX_PENDING ? listen_fd : -1,
                                    .events = POLLIN };
        for (size_t i = 0; i < np; i++)
            fds[n++] = (struct pollfd){ .fd = pend[i].fd, .events = POLLIN };
        if (poll(fds, n, 1000) < 0 && errno != EINTR)
            fatal("gate: poll");
        if (fds[0].revents != 0)
            break;
        /* Walk backwards: pending_drop() moves the last entry into the freed slot. */
        for (size_t i = np; i-- > 0;)
            if (fds[i + 2].revents != 0)
                pending_read(i);
        now = time(NULL);
        for (size_t i = npend; i-- > 0;)
            if (pend[i].deadline < now)
                pending_drop(i, true);
        if (fds[1].revents != 0)
            accept_one();
    }
    while (npend > 0)
        pending_drop(npend - 1, true);
    return NULL;
}

static int
listen_on(const char *host, int port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res, *ai;
    char ps[16];
    int fd = -1, one = 1;

    snprintf(ps, sizeof(ps), "%d", port);
    if (getaddrinfo(host != NULL && *host != '\0' ? host : NULL, ps, &hints, &res) != 0)
        fatalx("gate: cannot resolve %s", host);
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fatal("gate: cannot listen on %s:%d", host, port);
    return fd;
}

void
gate_start(const struct conf *conf)
{
    listen_fd = listen_on(conf->relay_listen, conf->relay_port);
    if (pipe2(wake_pipe, O_CLOEXEC) != 0)
        fatal("gate: pipe");
    if (pthread_create(&gate_tid, NULL, gate_main, NULL) != 0)
        fatal("gate: pthread_create");
    log_info("listening on %s:%d", conf->relay_listen, conf->relay_port);
}

void
gate_stop(void)
{
    if (listen_fd < 0)
        return;
    if (write(wake_pipe[1], "x", 1) < 0)
        log_warn("gate: wake");
    pthread_join(gate_tid, NULL);
    close(listen_fd);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    listen_fd = -1;
}
