/* REST handlers for /v1/messages: single-recipient send (identified, sync, sealed sender with an
 * Unidentified-Access-Key, story), the REST queue fetch and the REST ack. Validation follows
 * MessageController / MessageSender: body shape first (400 malformed, 422 invalid), then who may
 * send (400/401/403/404), then the device set (410 stale before 409 mismatched), then the size of
 * each content (413). Storage, doorbells and pushes are delivery.c's. */
#include "api.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/str.h"
#include "crypto/mrm.h"
#include "crypto/server_keys.h"
#include "crypto/zkgroup.h"
#include "delivery.h"
#include "http/ctx.h"
#include "http/req.h"
#include "http/resp.h"
#include "json/jx.h"
#include "proto/envelope.pb-c.h"
#include "store/store.h"

#define MSG_MAX_CONTENT (96 * 1024)                 /* MessageSender.MAX_MESSAGE_SIZE */
#define MSG_MAX_TIMESTAMP 8640000000000000LL        /* MessageController.MAX_TIMESTAMP */
#define MSG_FETCH_PAGE 100                          /* MessagesManager.RESULT_SET_CHUNK_SIZE */

/* One element of IncomingMessageList.messages. */
struct incoming {
    int type;
    int device_id;          /* a Java byte: -128..127 after Jackson's coercion */
    int64_t registration_id;
    uint8_t *content;
    size_t content_len;
};

struct incoming_list {
    struct incoming *m;
    size_t n;
    bool online, urgent;
    int64_t timestamp;
};

/* Envelope.Type values a client may send: known, and not SERVER_DELIVERY_RECEIPT. */
static bool
type_allowed(int64_t t)
{
    return t == TEXTSECURE__ENVELOPE__TYPE__UNKNOWN || t == TEXTSECURE__ENVELOPE__TYPE__CIPHERTEXT ||
           t == TEXTSECURE__ENVELOPE__TYPE__PREKEY_BUNDLE ||
           t == TEXTSECURE__ENVELOPE__TYPE__UNIDENTIFIED_SENDER ||
           t == TEXTSECURE__ENVELOPE__TYPE__PLAINTEXT_CONTENT;
}

/* Absent or null primitives are 0 / false, as Jackson binds them. */
static enum err
opt_int(struct json_object *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
    *out = 0;
    return jx_optional(jx_int(o, key, min, max, out));
}

static enum err
parse_message(struct call *c, struct json_object *o, struct incoming *m)
{
    int64_t type, dev, reg;
    enum err e;

    if (o == NULL || !json_object_is_type(o, json_type_object))
        return E_UNPROCESSABLE;
    e = opt_int(o, "type", INT32_MIN, INT32_MAX, &type);
    if (e == E_OK)
        e = opt_int(o, "destinationDeviceId", -128, 255, &dev);
    if (e == E_OK)
        e = opt_int(o, "destinationRegistrationId", INT32_MIN, INT32_MAX, &reg);
    if (e == E_OK)
        e = jx_b64(c->a, o, "content", 0, &m->content, &m->content_len);
    if (e == E_NOT_FOUND)
        e = E_UNPROCESSABLE; /* @NotNull content */
    if (e != E_OK)
        return e;
    if (!type_allowed(type) || m->content_len == 0)
        return E_UNPROCESSABLE;
    m->type = (int)type;
    m->device_id = (int)(int8_t)(uint8_t)dev;
    m->registration_id = reg;
    return E_OK;
}

/* IncomingMessageList with its bean validation: non-empty, no duplicate device, timestamp in
 * range. Malformed JSON is 400, everything else 422. */
static enum err
parse_list(struct call *c, struct incoming_list *l)
{
    struct json_object *body, *arr;
    bool seen[256] = { false };
    size_t n;
    enum err e = jx_parse(c->a, c->req->body, c->req->body_len, &body);

    if (e != E_OK)
        return e;
    e = jx_arr(body, "messages", &arr);
    if (e == E_NOT_FOUND)
        return E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    l->online = false;
    l->urgent = true;
    e = jx_optional(jx_bool(body, "online", &l->online));
    if (e == E_OK)
        e = jx_optional(jx_bool(body, "urgent", &l->urgent));
    if (e == E_OK)
        e = opt_int(body, "timestamp", 0, MSG_MAX_TIMESTAMP, &l->timestamp);
    if (e != E_OK)
        return e;
    n = json_object_array_length(arr);
    if (n == 0 || n > 256)
        return E_UNPROCESSABLE;
    l->m = arena_alloc(c->a, n * sizeof(*l->m));
    for (size_t i = 0; i < n; i++) {
        e = parse_message(c, json_object_array_get_idx(arr, i), &l->m[i]);
        if (e != E_OK)
            return e;
        if (seen[(uint8_t)l->m[i].device_id])
            return E_UNPROCESSABLE;
        seen[(uint8_t)l->m[i].device_id] = true;
    }
    l->n = n;
    return E_OK;
}

/* The (device id, registration id) pairs a send addresses to one account. */
struct addressed {
    const int *device;
    const int64_t *registration_id;
    size_t n;
};

struct mismatch {
    int missing[MAX_DEVICES], extra[256], stale[256];
    size_t nmissing, nextra, nstale;
};

static bool
addressed_has(const struct addressed *ad, int device_id)
{
    for (size_t i = 0; i < ad->n; i++)
        if (ad->device[i] == device_id)
            return true;
    return false;
}

/*
 * MessageSender.getMismatchedDevices: a send must address every device of the account except
 * excluded (the sending device of a sync message, or -1), nothing else, each with its current
 * registration id for the addressed identity. Returns true on any mismatch.
 */
static bool
find_mismatch(const struct account_rec *acct, enum svc_kind kind, const struct addressed *ad,
              int excluded, struct mismatch *mm)
{
    mm->nmissing = mm->nextra = mm->nstale = 0;
    for (size_t i = 0; i < acct->ndevices; i++) {
        const struct device_rec *d = &acct->devices[i];
        if (d->id != excluded && !addressed_has(ad, d->id))
            mm->missing[mm->nmissing++] = d->id;
    }
    for (size_t i = 0; i < ad->n && i < 256; i++) {
        int dev = ad->device[i];
        const struct device_rec *d =
            dev > 0 && dev != excluded ? account_device(acct, (uint8_t)dev) : NULL;
        if (d == NULL) {
            mm->extra[mm->nextra++] = dev;
            continue;
        }
        /* A device without a PNI registration id is stale for PNI-addressed messages. */
        int want = kind == SVC_PNI ? d->pni_registration_id : d->registration_id;
        if ((kind == SVC_PNI && want == 0) || ad->registration_id[i] != want)
            mm->stale[mm->nstale++] = dev;
    }
    return mm->nmissing > 0 || mm->nextra > 0 || mm->nstale > 0;
}

static int
cmp_device(const void *x, const void *y)
{
    return (int)(uint8_t) * (const int *)x - (int)(uint8_t) * (const int *)y;
}

static struct json_object *
id_array(int *ids, size_t n)
{
    struct json_object *a = json_object_new_array();

    qsort(ids, n, sizeof(*ids), cmp_device);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_int(ids[i]));
    return a;
}

/* MismatchedDevicesResponse / StaleDevicesResponse bodies. */
static struct json_object *
mismatch_json(struct mismatch *mm, bool stale)
{
    struct json_object *o = jx_new();

    if (stale) {
        jx_set(o, "staleDevices", id_array(mm->stale, mm->nstale));
    } else {
        jx_set(o, "missingDevices", id_array(mm->missing, mm->nmissing));
        jx_set(o, "extraDevices", id_array(mm->extra, mm->nextra));
    }
    return o;
}

/* Single destination: 410 when any device is stale, else 409; true when answered. */
static bool
device_mismatch(struct call *c, const struct account_rec *acct, enum svc_kind kind,
                const struct incoming_list *l, int excluded)
{
    int *dev = arena_alloc(c->a, (l->n ? l->n : 1) * sizeof(*dev));
    int64_t *reg = arena_alloc(c->a, (l->n ? l->n : 1) * sizeof(*reg));
    struct addressed ad = { dev, reg, l->n };
    struct mismatch mm;

    for (size_t i = 0; i < l->n; i++) {
        dev[i] = l->m[i].device_id;
        reg[i] = l->m[i].registration_id;
    }
    if (!find_mismatch(acct, kind, &ad, excluded, &mm))
        return false;
    (void)resp_json(c->resp, mm.nstale > 0 ? 410 : 409, mismatch_json(&mm, mm.nstale > 0));
    return true;
}

static enum err
needs_sync_response(struct call *c, bool needs_sync)
{
    struct json_object *o = jx_new();

    jx_set_bool(o, "needsSync", needs_sync);
    return resp_json(c->resp, 200, o);
}

/* The message-send limiters (messages, stories, inboundMessageBytes), unless the configuration
 * turns them off for a load test (ratelimit_messages 0). */
static enum err
send_limit(struct call *c, enum rl_name name, const char *key, uint64_t amount)
{
    if (c->ctx->conf != NULL && c->ctx->conf->ratelimit_messages == 0)
        return E_OK;
    return api_rate_limit(c, name, key, amount);
}

/* Who the envelopes come from: an authenticated device, or nobody (sealed sender, stories). */
struct sender {
    const uint8_t *aci;
    uint8_t device_id;
};

/*
 * MessageController.sendIndividualMessage + MessageSender.sendMessages for one destination
 * account. excluded is the sending device of a sync message, or -1. On success the 200 body is
 * {"needsSync": needs_sync}; a device mismatch answers 409/410 itself.
 */
static enum err
send_individual(struct call *c, const struct account_rec *dest, enum svc_kind kind,
                const uint8_t dest_uuid[16], const struct sender *from,
                const struct incoming_list *l, bool story, int excluded, bool needs_sync)
{
    struct delivery_batch b = { 0 };
    int64_t now = now_ms();
    uint64_t bytes = 0;
    char key[37];
    enum err e;

    /* inboundMessageBytes, keyed by the addressed identifier's UUID as the reference does */
    for (size_t i = 0; i < l->n; i++)
        bytes += l->m[i].content_len;
    uuid_format(dest_uuid, key);
    e = send_limit(c, RL_INBOUND_MESSAGE_BYTES, key, bytes);
    if (e != E_OK)
        return e;
    if (device_mismatch(c, dest, kind, l, excluded))
        return E_OK;
    for (size_t i = 0; i < l->n; i++)
        if (l->m[i].content_len > MSG_MAX_CONTENT)
            return E_TOO_LARGE;

    b.items = arena_alloc(c->a, l->n * sizeof(*b.items));
    b.n = l->n;
    b.ephemeral = l->online;
    /* The reference attaches its spam filter's token to identified messages; ours lets the
     * recipient's report prove who sent what (reports.c). Not on sync messages. */
    if (from != NULL && memcmp(from->aci, dest->aci, 16) != 0)
        b.report_source = from->aci;
    for (size_t i = 0; i < l->n; i++) {
        const struct incoming *m = &l->m[i];
        struct delivery_item *it = &b.items[i];
        Textsecure__Envelope *env = arena_alloc(c->a, sizeof(*env));

        /* IncomingMessage.toEnvelope; "ephemeral" is implied by the batch and never written,
         * as the reference clears it before delivery. */
        textsecure__envelope__init(env);
        env->has_type = 1;
        env->type = (Textsecure__Envelope__Type)m->type;
        env->has_client_timestamp = 1;
        env->client_timestamp = (uint64_t)(l->timestamp == 0 ? now : l->timestamp);
        env->has_server_timestamp = 1;
        env->server_timestamp = (uint64_t)now;
        delivery_env_destination(c->a, env, kind, dest_uuid);
        env->has_urgent = 1;
        env->urgent = l->urgent;
        if (story) {
            env->has_story = 1;
            env->story = 1;
        }
        if (from != NULL)
            delivery_env_source(c->a, env, SVC_ACI, from->aci, from->device_id);
        env->has_content = 1;
        env->content.data = m->content;
        env->content.len = m->content_len;
        memcpy(it->aci, dest->aci, 16);
        it->device_id = (uint8_t)m->device_id;
        it->env = env;
    }
    e = delivery_send(c->ctx, c->a, &b);
    if (e != E_OK)
        return e;
    return needs_sync_response(c, needs_sync);
}

static enum err
load_destination(struct call *c, enum svc_kind kind, const uint8_t uuid[16],
                 struct account_rec *out)
{
    if (kind == SVC_PNI)
        return store_account_by_pni(c->ctx->store, c->a, uuid, out);
    return store_account_get(c->ctx->store, c->a, uuid, out);
}

static bool
identified_by(const struct account_rec *acct, enum svc_kind kind, const uint8_t uuid[16])
{
    return memcmp(kind == SVC_PNI ? acct->pni : acct->aci, uuid, 16) == 0;
}

/* PUT /v1/messages/{destination}[?story=true] IncomingMessageList -> {"needsSync":bool} */
enum err
api_messages_send(struct call *c)
{
    const char *gst = req_header(c->req, "group-send-token");
    const char *uak = req_header(c->req, "unidentified-access-key");
    const char *story_q = req_query(c->req, c->a, "story");
    bool story = story_q != NULL && strcasecmp(story_q, "true") == 0;
    struct incoming_list l;
    struct account_rec dest;
    struct sender from;
    enum svc_kind kind;
    uint8_t uuid[16];
    enum err e;

    /* Jersey answers 404 when a path parameter does not convert. */
    if (service_id_parse(c->params[0], &kind, uuid) != 0)
        return E_NOT_FOUND;
    e = parse_list(c, &l);
    if (e != E_OK)
        return e;
    if (gst != NULL && (c->who != NULL || uak != NULL || story))
        return E_BAD_REQUEST;

    if (story) {
        /* No access check; an unknown destination is a silent success so stories do not leak
         * who is registered. Story envelopes carry no sender. */
        e = load_destination(c, kind, uuid, &dest);
        if (e == E_NOT_FOUND)
            return needs_sync_response(c, false);
        if (e == E_OK)
            e = send_limit(c, RL_STORIES, uuid_str(c->a, dest.aci), 1);
        if (e != E_OK)
            return e;
        return send_individual(c, &dest, kind, uuid, NULL, &l, true, -1, false);
    }

    if (c->who != NULL) {
        const struct account_rec *self = c->who->acct;
        from.aci = c->who->aci;
        from.device_id = c->who->device_id;
        if (identified_by(self, kind, uuid)) {
            /* A sync message to one's own other devices; never to one's own PNI. */
            if (kind == SVC_PNI)
                return E_FORBIDDEN;
            return send_individual(c, self, kind, uuid, &from, &l, false, c->who->device_id,
                                   false);
        }
        e = load_destination(c, kind, uuid, &dest);
        if (e != E_OK)
            return e; /* 404 for an unknown destination */
        e = send_limit(c, RL_MESSAGES,
                           arena_printf(c->a, "%s__%s", uuid_str(c->a, c->who->aci),
                                        uuid_str(c->a, dest.aci)),
                           1);
        if (e != E_OK)
            return e;
        return send_individual(c, &dest, kind, uuid, &from, &l, false, -1, self->ndevices > 1);
    }

    /* Sealed sender: the destination's access key, or a group send endorsement token. */
    if (uak == NULL && gst == NULL)
        return E_UNAUTHORIZED;
    e = load_destination(c, kind, uuid, &dest);
    if (e != E_OK && e != E_NOT_FOUND)
        return e;
    if (gst != NULL) {
        struct zk_service_id r = { .kind = kind == SVC_PNI ? 1 : 0 };
        bool found = e == E_OK;
        memcpy(r.uuid, uuid, 16);
        e = api_access_group_send(c, gst, &r, 1);
        if (e == E_OK && !found)
            e = E_NOT_FOUND; /* the token covers it, so its existence is no secret */
    } else {
        e = api_access_uak(c, uak, kind, &dest, e == E_OK);
    }
    if (e != E_OK)
        return e;
    return send_individual(c, &dest, kind, uuid, NULL, &l, false, -1, false);
}

/* ---- PUT /v1/messages/multi_recipient (sealed sender v2) ---- */

#define MRM_CONTENT_TYPE "application/vnd.signal-messenger.mrm"
#define MRM_BODY_MAX (32 + 256 * 1024 + CX_MRM_MAX_RECIPIENTS * 100)

/* A Jersey boolean query parameter: "true" in any case, everything else false. */
static bool
query_bool(struct call *c, const char *name, bool dflt)
{
    const char *v = req_query(c->req, c->a, name);

    return v == NULL ? dflt : strcasecmp(v, "true") == 0;
}

/* One parsed recipient and the account it resolved to. */
struct mrm_target {
    const struct cx_mrm_recipient *r;
    struct account_rec acct;
    bool found;
};

/* [{uuid, devices:{...}}] for every recipient with a mismatch of the given kind. */
static struct json_object *
mrm_mismatch_list(struct call *c, struct mrm_target *t, size_t n, bool stale)
{
    struct json_object *list = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        const struct cx_mrm_recipient *r = t[i].r;
        int dev[MAX_DEVICE_ID + 1];
        int64_t reg[MAX_DEVICE_ID + 1];
        struct addressed ad = { dev, reg, 0 };
        struct mismatch mm;

        if (!t[i].found)
            continue;
        for (size_t d = 0; d < r->ndevices && d <= MAX_DEVICE_ID; d++) {
            dev[ad.n] = r->devices[d].device_id;
            reg[ad.n++] = r->devices[d].registration_id;
        }
        if (!find_mismatch(&t[i].acct, r->kind, &ad, -1, &mm))
            continue;
        if (stale ? mm.nstale == 0 : mm.nmissing == 0 && mm.nextra == 0)
            continue;
        struct json_object *o = jx_new();
        jx_set_str(o, "uuid", delivery_service_id_str(c->a, r->kind, r->uuid));
        jx_set(o, "devices", mismatch_json(&mm, stale));
        json_object_array_add(list, o);
    }
    return list;
}

/* UnidentifiedAccessUtil.checkUnidentifiedAccess: the header must equal the XOR of every
 * resolved recipient's key (recipients with unrestricted access left out); ACIs only. */
static enum err
mrm_check_uak(struct call *c, const char *header, const struct mrm_target *t, size_t n)
{
    uint8_t acc[CX_UAK_LEN] = { 0 }, *key;
    size_t len;

    for (size_t i = 0; i < n; i++)
        if (t[i].r->kind == SVC_PNI)
            return E_UNAUTHORIZED;
    if (b64_decode(c->a, header, strlen(header), 0, &key, &len) != 0 || len != CX_UAK_LEN)
        return E_UNAUTHORIZED;
    for (size_t i = 0; i < n; i++) {
        if (t[i].acct.unrestricted_ua)
            continue;
        if (!t[i].acct.has_uak)
            return E_UNAUTHORIZED;
        cx_uak_xor(acc, t[i].acct.uak);
    }
    return cx_uak_equal(acc, key) ? E_OK : E_UNAUTHORIZED;
}

/* PUT /v1/messages/multi_recipient?ts=&online=&urgent=&story= (SentMessage body)
 * -> {"uuids404":[...]}. The shared part is stored once; every device row refers to it. */
enum err
api_messages_multi(struct call *c)
{
    const char *ctype = req_header(c->req, "content-type");
    const char *gst = req_header(c->req, "group-send-token");
    const char *uak = req_header(c->req, "unidentified-access-key");
    const char *ts_q = req_query(c->req, c->a, "ts");
    bool story = query_bool(c, "story", false), online = query_bool(c, "online", false);
    bool urgent = query_bool(c, "urgent", true);
    struct cx_mrm mrm;
    struct mrm_target *t;
    struct delivery_batch b = { 0 };
    struct json_object *o, *missing;
    int64_t ts = 0, now = now_ms();
    size_t ndev = 0, nfound = 0;
    enum err e;

    if (ctype == NULL || strncasecmp(ctype, MRM_CONTENT_TYPE, strlen(MRM_CONTENT_TYPE)) != 0)
        return E_UNSUPPORTED_TYPE;
    if (c->req->body_len == 0 || c->req->body_len > MRM_BODY_MAX)
        return E_BAD_REQUEST;
    if (cx_mrm_parse(c->a, c->req->body, c->req->body_len, &mrm) != CX_MRM_OK)
        return E_BAD_REQUEST; /* duplicate devices included */
    if (ts_q != NULL && parse_i64(ts_q, INT64_MIN, INT64_MAX, &ts) != 0)
        return E_NOT_FOUND; /* Jersey: an unconvertible query parameter */
    if (ts < 0 || ts > MSG_MAX_TIMESTAMP || mrm.nrecipients == 0)
        return E_BAD_REQUEST;
    if (story) {
        if (gst != NULL)
            return E_BAD_REQUEST; /* a combined access key is tolerated and ignored */
    } else {
        if (gst == NULL && uak == NULL)
            return E_UNAUTHORIZED;
        if (gst != NULL && uak != NULL)
            return E_BAD_REQUEST;
        if (gst != NULL) {
            /* checked before any account is looked up: the service ids are all it needs */
            struct zk_service_id *ids = arena_alloc(c->a, mrm.nrecipients * sizeof(*ids));
            for (size_t i = 0; i < mrm.nrecipients; i++) {
                ids[i].kind = mrm.recipients[i].kind == SVC_PNI ? 1 : 0;
                memcpy(ids[i].uuid, mrm.recipients[i].uuid, 16);
            }
            e = api_access_group_send(c, gst, ids, mrm.nrecipients);
            if (e != E_OK)
                return e;
        }
    }

    t = arena_alloc(c->a, mrm.nrecipients * sizeof(*t));
    missing = json_object_new_array();
    o = jx_new();
    jx_set(o, "uuids404", missing); /* o owns missing from here on */
    for (size_t i = 0; i < mrm.nrecipients; i++) {
        t[i].r = &mrm.recipients[i];
        e = load_destination(c, t[i].r->kind, t[i].r->uuid, &t[i].acct);
        if (e != E_OK && e != E_NOT_FOUND)
            goto fail;
        t[i].found = e == E_OK;
        if (t[i].found) {
            nfound++;
            ndev += t[i].r->ndevices;
        } else if (!story) {
            json_object_array_add(missing, json_object_new_string(delivery_service_id_str(
                                               c->a, t[i].r->kind, t[i].r->uuid)));
        }
    }
    if (!story && gst == NULL) {
        e = nfound < mrm.nrecipients ? E_NOT_FOUND : mrm_check_uak(c, uak, t, mrm.nrecipients);
        if (e != E_OK)
            goto fail;
    }
    if (story && nfound == 0)
        return resp_json(c->resp, 200, o);
    for (size_t i = 0; story && i < mrm.nrecipients; i++) {
        if (!t[i].found)
            continue;
        e = send_limit(c, RL_STORIES, uuid_str(c->a, t[i].acct.aci), 1);
        if (e != E_OK)
            goto fail;
    }

    /* MessageSender.sendMultiRecipientMessage: size first, then devices (409 before 410). */
    if (cx_mrm_payload_len(&mrm) > MSG_MAX_CONTENT) {
        e = E_TOO_LARGE;
        goto fail;
    }
    {
        struct json_object *mm = mrm_mismatch_list(c, t, mrm.nrecipients, false);
        int status = 409;
        if (json_object_array_length(mm) == 0) {
            json_object_put(mm);
            mm = mrm_mismatch_list(c, t, mrm.nrecipients, true);
            status = 410;
        }
        if (json_object_array_length(mm) > 0) {
            json_object_put(o);
            return resp_json(c->resp, status, mm);
        }
        json_object_put(mm);
    }

    b.items = arena_alloc(c->a, (ndev ? ndev : 1) * sizeof(*b.items));
    b.ephemeral = online;
    b.shared = mrm.msg + mrm.shared_off;
    b.shared_len = mrm.len - mrm.shared_off;
    for (size_t i = 0; i < mrm.nrecipients; i++) {
        const struct cx_mrm_recipient *r = t[i].r;
        uint8_t *prefix;

        if (!t[i].found)
            continue;
        /* content = 0x22 || C_i || AT_i || shared (cx_mrm_payload), split at the shared part */
        prefix = arena_alloc(c->a, 1 + CX_MRM_KEY_MATERIAL_LEN);
        prefix[0] = CX_MRM_VERSION_UUID;
        memcpy(prefix + 1, mrm.msg + r->key_material_off, CX_MRM_KEY_MATERIAL_LEN);
        for (size_t d = 0; d < r->ndevices; d++) {
            struct delivery_item *it = &b.items[b.n++];
            Textsecure__Envelope *env = arena_alloc(c->a, sizeof(*env));

            textsecure__envelope__init(env);
            env->has_type = 1;
            env->type = TEXTSECURE__ENVELOPE__TYPE__UNIDENTIFIED_SENDER;
            env->has_client_timestamp = 1;
            env->client_timestamp = (uint64_t)(ts == 0 ? now : ts);
            env->has_server_timestamp = 1;
            env->server_timestamp = (uint64_t)now;
            env->has_urgent = 1;
            env->urgent = urgent;
            if (story) {
                env->has_story = 1;
                env->story = 1;
            }
            delivery_env_destination(c->a, env, r->kind, r->uuid);
            memcpy(it->aci, t[i].acct.aci, 16);
            it->device_id = r->devices[d].device_id;
            it->env = env;
            it->content_prefix = prefix;
            it->content_prefix_len = 1 + CX_MRM_KEY_MATERIAL_LEN;
        }
    }
    e = delivery_send(c->ctx, c->a, &b);
    if (e != E_OK)
        goto fail;
    return resp_json(c->resp, 200, o);
fail:
    json_object_put(o);
    return e;
}

/* ---- REST queue access (removed upstream in 2025/2026, kept for older clients) ---- */

static void
set_service_id(struct arena *a, struct json_object *o, const char *key, protobuf_c_boolean has,
               const ProtobufCBinaryData *bin)
{
    enum svc_kind kind;
    uint8_t uuid[16];

    if (has && delivery_service_id_parse(bin->data, bin->len, &kind, uuid) == 0)
        jx_set_str(o, key, delivery_service_id_str(a, kind, uuid));
    else
        jx_set_null(o, key);
}

/* OutgoingMessageEntity.fromEnvelope */
static struct json_object *
outgoing_entity(struct call *c, const struct msg_rec *r, const Textsecure__Envelope *env)
{
    struct json_object *o = jx_new();

    jx_set_str(o, "guid", uuid_str(c->a, r->guid));
    jx_set_int(o, "type", env->has_type ? env->type : 0);
    jx_set_int(o, "timestamp", (int64_t)env->client_timestamp);
    set_service_id(c->a, o, "sourceUuid", env->has_source_service_id, &env->source_service_id);
    jx_set_int(o, "sourceDevice", env->has_source_device ? env->source_device : 0);
    set_service_id(c->a, o, "destinationUuid", env->has_destination_service_id,
                   &env->destination_service_id);
    if (env->has_updated_pni && env->updated_pni.len == 16)
        jx_set_str(o, "updatedPni", uuid_str(c->a, env->updated_pni.data));
    else
        jx_set_null(o, "updatedPni");
    jx_set_b64(c->a, o, "content", env->has_content ? env->content.data : NULL,
               env->has_content ? env->content.len : 0, B64_STD_PAD);
    jx_set_int(o, "serverTimestamp", (int64_t)env->server_timestamp);
    jx_set_bool(o, "urgent", !env->has_urgent || env->urgent);
    jx_set_bool(o, "story", env->has_story && env->story);
    if (env->has_report_spam_token && env->report_spam_token.len > 0)
        jx_set_b64(c->a, o, "reportSpamToken", env->report_spam_token.data,
                   env->report_spam_token.len, B64_STD_PAD);
    else
        jx_set_null(o, "reportSpamToken");
    return o;
}

/* GET /v1/messages -> {"messages":[OutgoingMessageEntity...], "more":bool}. The first page of
 * the device's queue; stories only with X-Signal-Receive-Stories: true. Nothing is deleted:
 * the client acks each message with DELETE /v1/messages/uuid/{guid}. */
enum err
api_messages_list(struct call *c)
{
    const char *rs = req_header(c->req, "x-signal-receive-stories");
    bool stories = rs != NULL && strcmp(rs, "true") == 0;
    struct json_object *o, *list;
    struct msg_rec *recs;
    size_t n;
    enum err e = store_msgs_fetch(c->ctx->store, c->a, c->who->aci, c->who->device_id, 0,
                                  MSG_FETCH_PAGE, &recs, &n);

    if (e != E_OK)
        return e;
    list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        Textsecure__Envelope *env = delivery_env_decode(c->a, recs[i].env, recs[i].env_len);
        if (env == NULL) {
            log_warnx("messages: undecodable queued envelope");
            continue;
        }
        if (!stories && env->has_story && env->story)
            continue;
        json_object_array_add(list, outgoing_entity(c, &recs[i], env));
    }
    o = jx_new();
    jx_set(o, "messages", list);
    jx_set_bool(o, "more", n >= MSG_FETCH_PAGE);
    return resp_json(c->resp, 200, o);
}

/* DELETE /v1/messages/uuid/{guid} -> 204: the REST ack, with the delivery receipt. */
enum err
api_messages_delete(struct call *c)
{
    uint8_t guid[16];
    enum err e;

    if (uuid_parse(c->params[0], guid) != 0)
        return E_NOT_FOUND;
    e = delivery_ack(c->ctx, c->a, c->who->aci, c->who->device_id, guid);
    if (e != E_OK && e != E_NOT_FOUND)
        return e;
    return resp_empty(c->resp, 204);
}
