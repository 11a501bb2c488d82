/* What a worker thread does with each job: everything that blocks (MariaDB, memcached, password
 * hashing) happens here, never on the lws service thread. */
#include "relay.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/delivery.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/str.h"
#include "core/log.h"
#include "http/auth.h"
#include "http/ctx.h"
#include "http/resp.h"
#include "http/router.h"
#include "store/presence.h"
#include "store/store.h"

/* Refuse the upgrade ourselves: the socket has not been handed to lws yet.
 * 403, not 401, for bad credentials: libsignal maps 403 on the chat upgrade to "deregistered"
 * and gives up on the credentials, which is what must happen after a re-registration or device
 * removal; the official server answers the same (server-reference.md §1.6.2). */
static void
refuse_upgrade(int fd, enum err e)
{
    static const char forbidden[] =
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    static const char failed[] =
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    const char *s = e == E_UNAUTHORIZED ? forbidden : failed;

    /* A fresh socket's send buffer always takes this much; a short write just loses the text. */
    if (write(fd, s, strlen(s)) < 0)
        log_debug("relay: refusing upgrade: write failed");
    close(fd);
}

static bool
run_auth(struct ctx *ctx, struct job *j)
{
    struct principal p;
    enum err e = auth_basic_verify(ctx, j->a, j->basic, &p);

    if (e != E_OK) {
        if (e != E_UNAUTHORIZED)
            log_warnx("relay: upgrade auth failed: %s", err_message(e));
        refuse_upgrade(j->adopt->fd, e);
        j->adopt->fd = -1;
        return false;
    }
    j->adopt->authenticated = true;
    memcpy(j->adopt->aci, p.aci, 16);
    j->adopt->device_id = p.device_id;
    j->kind = JOB_ADOPT;
    return true;
}

/* On an authenticated socket GET /v1/keepalive also checks that this socket still holds the
 * device's presence; if not, the socket is closed 1000 so the client reconnects (§1.6.5). */
static void
keepalive_check(struct ctx *ctx, struct job *j, const struct resp *resp)
{
    char holder[RELAY_ID_MAX];
    uint64_t conn;
    enum err e;

    if (!j->req.sock.present || resp->status != 200 || strcmp(j->req.path, "/v1/keepalive") != 0)
        return;
    e = presence_get(ctx->store, j->req.sock.aci, j->req.sock.device_id, holder, &conn);
    if (e == E_NOT_FOUND || (e == E_OK && (strcmp(holder, relay.relay_id) != 0 ||
                                           conn != j->conn_id)))
        j->close_stale = true;
}

static bool
run_request(struct ctx *ctx, struct job *j)
{
    struct resp resp;

    resp_init(&resp, j->a);
    router_dispatch(ctx, j->a, &j->req, &resp);
    keepalive_check(ctx, j, &resp);
    if (j->has_id)
        j->out = wsmsg_encode_response(j->ws_id, &resp);
    return true;
}

/* Register the new socket; a holder elsewhere is rung to close its older socket (4409). A
 * holder on this relay is handled by the loop itself when the session is added. */
static void
presence_up(struct ctx *ctx, struct job *j)
{
    char holder[RELAY_ID_MAX];
    uint64_t conn;
    enum err e = presence_get(ctx->store, j->aci, j->device_id, holder, &conn);

    if (presence_set(ctx->store, j->aci, j->device_id, relay.relay_id, j->conn_id) != E_OK)
        log_warnx("relay: presence_set failed");
    if (e == E_OK && strcmp(holder, relay.relay_id) != 0) {
        struct bell b = { .kind = BELL_KICK, .device_id = j->device_id, .conn_id = conn };

        memcpy(b.aci, j->aci, 16);
        if (doorbell_ring(ctx->store, holder, &b) != E_OK)
            log_warnx("relay: cannot ring %s to displace a socket", holder);
    }
}

/* chores.c's memcached watch: the marker alive:<relay_id> is ours alone, so its absence means
 * memcached lost its data. */
static void
mc_watch(struct ctx *ctx, struct job *j)
{
    char key[RELAY_ID_MAX + 16];
    bool created;

    snprintf(key, sizeof(key), "alive:%s", relay.relay_id);
    j->mc_lost = presence_mark(ctx->store, key, 0, &created) == E_OK && created;
}

/* chores.c's expiry sweep: one relay per interval (memcached lock with that TTL), pages of
 * EXPIRE_PAGE rows until a short page or EXPIRE_BUDGET_MS. */
static void
expire_sweep(struct ctx *ctx, const struct conf *conf, struct job *j)
{
    int64_t t0 = now_ms();
    bool mine;

    if (presence_mark(ctx->store, "lock:msgs-expire", (unsigned)conf->relay_expire_s, &mine) !=
            E_OK || !mine)
        return;                                 /* another relay's turn, or no memcached */
    for (;;) {
        size_t n = 0;
        enum err e = store_msgs_expire(ctx->store, now_ms(), EXPIRE_PAGE, &n);

        j->removed += n;
        if (e != E_OK) {
            log_warnx("relay: store_msgs_expire: %s", err_message(e));
            break;
        }
        if (n < EXPIRE_PAGE || now_ms() - t0 > EXPIRE_BUDGET_MS)
            break;
    }
    if (j->removed > 0)
        log_info("relay: expiry sweep removed %zu rows in %lld ms", j->removed,
                 (long long)(now_ms() - t0));
}

bool
work_run(struct ctx *ctx, const struct conf *conf, struct job *j)
{
    struct msg_rec gone;

    switch (j->kind) {
    case JOB_AUTH:
        return run_auth(ctx, j);
    case JOB_REQUEST:
        return run_request(ctx, j);
    case JOB_FETCH_MANY:
        j->e = store_msgs_fetch_many(ctx->store, j->a, j->fetches, j->nfetches);
        if (j->e != E_OK)
            log_warnx("relay: store_msgs_fetch_many: %s", err_message(j->e));
        return true;
    case JOB_ACK_BATCH: {
        size_t acked = 0;

        j->e = delivery_ack_many(ctx, j->a, j->acks, j->nacks, &acked);
        if (j->e != E_OK)
            log_warnx("relay: delivery_ack_many (%zu acks): %s", j->nacks, err_message(j->e));
        return false;
    }
    case JOB_DROP:
        j->e = store_msgs_delete(ctx->store, j->a, j->aci, j->device_id, j->guid, &gone);
        return false;
    case JOB_PRESENCE_UP:
        presence_up(ctx, j);
        return true;                            /* the loop starts delivery / provisioning */
    case JOB_PRESENCE_REFRESH:
        if (presence_set(ctx->store, j->aci, j->device_id, relay.relay_id, j->conn_id) != E_OK)
            log_debug("relay: presence refresh failed");
        return false;
    case JOB_PRESENCE_DOWN:
        if (presence_clear(ctx->store, j->aci, j->device_id, relay.relay_id, j->conn_id) != E_OK)
            log_debug("relay: presence_clear failed");
        return false;
    case JOB_DOORBELL:
        j->e = doorbell_drain(ctx->store, j->a, relay.relay_id, &j->bells, &j->nbells);
        return true;
    case JOB_ADOPT:
        return true;
    case JOB_MC_WATCH:
        mc_watch(ctx, j);
        return true;
    case JOB_PRESENCE_ALL:
        for (size_t i = 0; i < j->nents; i++)
            if (presence_set(ctx->store, j->ents[i].aci, j->ents[i].device_id, relay.relay_id,
                             j->ents[i].conn_id) != E_OK) {
                log_warnx("relay: presence_set failed while registering sockets again");
                break;
            }
        return false;
    case JOB_EXPIRE:
        expire_sweep(ctx, conf, j);
        return true;
    }
    return false;
}
