/* Message delivery shared by the REST send handlers and the relay: give envelopes their server
 * GUIDs, queue them (one transaction per send), ring the recipients' relays, queue pushes for
 * offline devices; on ack delete and send the server delivery receipt (ReceiptSender). */
#include "delivery.h"

#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "http/ctx.h"
#include "proto/envelope.pb-c.h"
#include "push/push.h"
#include "reports.h"
#include "store/presence.h"
#include "store/store.h"

uint8_t *
delivery_service_id(struct arena *a, enum svc_kind kind, const uint8_t uuid[16], size_t *len)
{
    uint8_t *p = arena_alloc(a, 17);

    if (kind == SVC_PNI) {
        p[0] = 0x01;
        memcpy(p + 1, uuid, 16);
        *len = 17;
    } else {
        memcpy(p, uuid, 16);
        *len = 16;
    }
    return p;
}

char *
delivery_service_id_str(struct arena *a, enum svc_kind kind, const uint8_t uuid[16])
{
    char u[37];

    uuid_format(uuid, u);
    return kind == SVC_PNI ? arena_printf(a, "PNI:%s", u) : arena_strdup(a, u);
}

int
delivery_service_id_parse(const uint8_t *p, size_t n, enum svc_kind *kind, uint8_t uuid[16])
{
    if (n == 16) {
        *kind = SVC_ACI;
        memcpy(uuid, p, 16);
        return 0;
    }
    if (n == 17 && (p[0] == 0x00 || p[0] == 0x01)) {
        *kind = p[0] == 0x01 ? SVC_PNI : SVC_ACI;
        memcpy(uuid, p + 1, 16);
        return 0;
    }
    return -1;
}

void
delivery_env_destination(struct arena *a, Textsecure__Envelope *env, enum svc_kind kind,
                         const uint8_t uuid[16])
{
    env->has_destination_service_id = 1;
    env->destination_service_id.data =
        delivery_service_id(a, kind, uuid, &env->destination_service_id.len);
    env->destination_service_id_string = delivery_service_id_str(a, kind, uuid);
}

void
delivery_env_source(struct arena *a, Textsecure__Envelope *env, enum svc_kind kind,
                    const uint8_t uuid[16], uint8_t device_id)
{
    env->has_source_service_id = 1;
    env->source_service_id.data = delivery_service_id(a, kind, uuid, &env->source_service_id.len);
    env->source_service_id_string = delivery_service_id_str(a, kind, uuid);
    env->has_source_device = 1;
    env->source_device = device_id;
}

static void *
pb_alloc(void *arena, size_t n)
{
    return arena_alloc(arena, n ? n : 1);
}

static void
pb_free(void *arena, void *p)
{
    (void)arena;
    (void)p; /* released with the arena */
}

Textsecure__Envelope *
delivery_env_decode(struct arena *a, const uint8_t *p, size_t n)
{
    ProtobufCAllocator al = { .alloc = pb_alloc, .free = pb_free, .allocator_data = a };

    return textsecure__envelope__unpack(&al, n, p);
}

/* Set the GUID (binary field 21 and the legacy string field 9), the report-spam token when the
 * batch asks for one (field 17), and serialize. */
static uint8_t *
seal(struct ctx *ctx, struct arena *a, const struct delivery_batch *b,
     const struct delivery_item *it, uint8_t guid[16], size_t *len)
{
    Textsecure__Envelope *env = it->env;
    uint8_t *out, *tok;

    uuid_v4(guid);
    env->has_server_guid = 1;
    env->server_guid.data = arena_memdup(a, guid, 16);
    env->server_guid.len = 16;
    env->server_guid_string = uuid_str(a, guid);
    if (b->report_source != NULL) {
        tok = arena_alloc(a, REPORT_TOKEN_LEN);
        if (reports_token_new(ctx->keys, b->report_source, it->aci, guid,
                              (int64_t)env->server_timestamp, tok)) {
            env->has_report_spam_token = 1;
            env->report_spam_token.data = tok;
            env->report_spam_token.len = REPORT_TOKEN_LEN;
        }
    }
    *len = textsecure__envelope__get_packed_size(env);
    out = arena_alloc(a, *len ? *len : 1);
    textsecure__envelope__pack(env, out);
    return out;
}

/* Ephemeral ("online") envelopes are never stored: only a connected device gets them, through
 * its relay's doorbell. A multi-recipient one carries its full content in the ring. */
static void
send_ephemeral(struct ctx *ctx, struct arena *a, struct delivery_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct delivery_item *it = &b->items[i];
        uint8_t guid[16], *env;
        size_t len;

        if (it->content_prefix != NULL) {
            size_t n = it->content_prefix_len + b->shared_len;
            uint8_t *c = arena_alloc(a, n);
            memcpy(c, it->content_prefix, it->content_prefix_len);
            memcpy(c + it->content_prefix_len, b->shared, b->shared_len);
            it->env->has_content = 1;
            it->env->content.data = c;
            it->env->content.len = n;
        }
        env = seal(ctx, a, b, it, guid, &len);
        it->online = false;
        if (presence_notify(ctx->store, it->aci, it->device_id, BELL_EPHEMERAL, env, len,
                            &it->online) != E_OK)
            it->online = false;
    }
}

enum err
delivery_send(struct ctx *ctx, struct arena *a, struct delivery_batch *b)
{
    struct msg_new *m;
    struct msg_shared sh;
    enum err e;

    if (b->n == 0)
        return E_OK;
    if (b->ephemeral) {
        send_ephemeral(ctx, a, b);
        return E_OK;
    }
    m = arena_alloc(a, b->n * sizeof(*m));
    for (size_t i = 0; i < b->n; i++) {
        struct delivery_item *it = &b->items[i];
        memcpy(m[i].to.aci, it->aci, 16);
        m[i].to.device_id = it->device_id;
        m[i].server_ts_ms = (int64_t)it->env->server_timestamp;
        m[i].story = it->env->has_story && it->env->story;
        m[i].urgent = !it->env->has_urgent || it->env->urgent;
        m[i].content_prefix = it->content_prefix;
        m[i].content_prefix_len = it->content_prefix_len;
        m[i].env = seal(ctx, a, b, it, m[i].guid, &m[i].env_len);
    }
    sh.data = b->shared;
    sh.len = b->shared_len;
    e = store_msgs_insert(ctx->store, b->shared ? &sh : NULL, m, b->n);
    if (e != E_OK)
        return e;
    /* After the commit, so a relay woken by the ring always finds the rows. One mget for
     * every recipient's presence, one doorbell append per relay. */
    {
        const uint8_t **acis = arena_alloc(a, b->n * sizeof(*acis));
        uint8_t *devs = arena_alloc(a, b->n);
        bool *online = arena_alloc(a, b->n * sizeof(*online));

        for (size_t i = 0; i < b->n; i++) {
            acis[i] = b->items[i].aci;
            devs[i] = b->items[i].device_id;
        }
        if (presence_notify_new_many(ctx->store, a, acis, devs, b->n, online) != E_OK)
            memset(online, 0, b->n * sizeof(*online));
        for (size_t i = 0; i < b->n; i++) {
            struct delivery_item *it = &b->items[i];
            it->online = online[i];
            if (!it->online &&
                push_enqueue(ctx->store, it->aci, it->device_id, m[i].urgent) != E_OK)
                log_warnx("delivery: cannot queue a push");
        }
    }
    return E_OK;
}

/* Sender accounts looked up while building one batch of receipts (a busy sender acked many
 * times in a batch is read once). */
struct sender_cache {
    uint8_t aci[16];
    enum err e;
    struct account_rec rec;
};

/* ReceiptSender.sendReceipt: the original sender's devices learn that the recipient (as the
 * service id the message was addressed to, and the acking device) got the message. The receipt
 * envelopes are appended to b (b->items has room for cap entries, grown in the arena). */
static enum err
add_receipt(struct ctx *ctx, struct arena *a, const Textsecure__Envelope *orig,
            uint8_t acking_device, struct delivery_batch *b, size_t *cap,
            struct sender_cache *cache, size_t *ncache)
{
    enum svc_kind src_kind, rcpt_kind;
    uint8_t src[16], rcpt[16];
    struct sender_cache *sc = NULL;
    int64_t now = now_ms();

    if (!orig->has_source_service_id ||
        delivery_service_id_parse(orig->source_service_id.data, orig->source_service_id.len,
                                  &src_kind, src) != 0)
        return E_OK; /* sealed sender: no server receipts */
    if (src_kind != SVC_ACI) {
        log_warnx("delivery: envelope with a PNI source, no receipt");
        return E_OK;
    }
    if (!orig->has_destination_service_id ||
        delivery_service_id_parse(orig->destination_service_id.data,
                                  orig->destination_service_id.len, &rcpt_kind, rcpt) != 0)
        return E_OK;
    if (rcpt_kind == SVC_ACI && memcmp(rcpt, src, 16) == 0)
        return E_OK; /* sync message between one's own devices */
    for (size_t i = 0; i < *ncache; i++)
        if (memcmp(cache[i].aci, src, 16) == 0)
            sc = &cache[i];
    if (sc == NULL) {
        sc = &cache[(*ncache)++];
        memcpy(sc->aci, src, 16);
        sc->e = store_account_get(ctx->store, a, src, &sc->rec);
    }
    if (sc->e == E_NOT_FOUND)
        return E_OK; /* sender no longer registered */
    if (sc->e != E_OK)
        return sc->e;
    if (b->n + sc->rec.ndevices > *cap) {
        size_t ncap = (*cap ? *cap * 2 : 8) + sc->rec.ndevices;
        struct delivery_item *items = arena_alloc(a, ncap * sizeof(*items));

        if (b->n > 0)
            memcpy(items, b->items, b->n * sizeof(*items));
        b->items = items;
        *cap = ncap;
    }
    for (size_t i = 0; i < sc->rec.ndevices; i++) {
        Textsecure__Envelope *env = arena_alloc(a, sizeof(*env));
        textsecure__envelope__init(env);
        env->has_type = 1;
        env->type = TEXTSECURE__ENVELOPE__TYPE__SERVER_DELIVERY_RECEIPT;
        env->has_server_timestamp = 1;
        env->server_timestamp = (uint64_t)now;
        delivery_env_source(a, env, rcpt_kind, rcpt, acking_device);
        delivery_env_destination(a, env, SVC_ACI, src);
        env->has_client_timestamp = 1;
        env->client_timestamp = orig->client_timestamp;
        env->has_urgent = 1;
        env->urgent = 0;
        memset(&b->items[b->n], 0, sizeof(b->items[b->n]));
        memcpy(b->items[b->n].aci, src, 16);
        b->items[b->n].device_id = sc->rec.devices[i].id;
        b->items[b->n].env = env;
        b->n++;
    }
    return E_OK;
}

/* Queue the receipts for the envelopes in gone[0..n) (acked by devices[i]) as one batch. */
static void
send_receipts(struct ctx *ctx, struct arena *a, const struct msg_rec *gone,
              const uint8_t *devices, size_t stride, size_t n)
{
    struct delivery_batch b = { 0 };
    struct sender_cache *cache = arena_alloc(a, (n ? n : 1) * sizeof(*cache));
    size_t cap = 0, ncache = 0;

    for (size_t i = 0; i < n; i++) {
        Textsecure__Envelope *env;

        if (gone[i].env == NULL)
            continue;
        env = delivery_env_decode(a, gone[i].env, gone[i].env_len);
        if (env == NULL) {
            log_warnx("delivery: undecodable stored envelope");
            continue;
        }
        if (env->has_type && env->type == TEXTSECURE__ENVELOPE__TYPE__SERVER_DELIVERY_RECEIPT)
            continue;
        if (add_receipt(ctx, a, env, devices[i * stride], &b, &cap, cache, &ncache) != E_OK)
            log_warnx("delivery: could not send a delivery receipt");
    }
    if (b.n > 0 && delivery_send(ctx, a, &b) != E_OK)
        log_warnx("delivery: could not send %zu delivery receipts", b.n);
}

enum err
delivery_ack_many(struct ctx *ctx, struct arena *a, const struct msg_key *keys, size_t n,
                  size_t *acked)
{
    struct msg_rec *gone = arena_alloc(a, (n ? n : 1) * sizeof(*gone));
    enum err e = store_msgs_delete_many(ctx->store, a, keys, n, gone, acked);

    /* even after a partial failure: every row that went owes its receipt */
    send_receipts(ctx, a, gone, &keys[0].device_id, sizeof(*keys), n);
    return e;
}

enum err
delivery_ack(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
             const uint8_t guid[16])
{
    struct msg_rec gone;
    enum err e = store_msgs_delete(ctx->store, a, aci, device_id, guid, &gone);

    if (e != E_OK)
        return e;
    send_receipts(ctx, a, &gone, &device_id, 1, 1);
    return E_OK;
}
