/* Presence records and doorbells in memcached (contract and key layout in presence.h).
 *
 * Provisioning sockets use the same calls as pseudo-device (16 address bytes, device 0): their
 * records live under prov:<url-safe base64 address> so that the REST side can find the relay
 * holding an address. Device ids start at 1, so the two namespaces never meet.
 *
 * Conditional removal and the doorbell swap both use CAS: a record is cleared only if it still
 * names the caller, and a drain never loses a line appended between its get and its swap. */
#include "store/presence.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/log.h"
#include "core/str.h"
#include "store/store.h"
#include "store/store_int.h"

#define BELL_TTL_S (2 * PRESENCE_TTL_S)  /* a dead relay's doorbell goes away on its own */
#define CAS_RETRIES 8
#define KEY_MAX 128

static void
presence_key(char *key, const uint8_t aci[16], uint8_t device_id)
{
    if (device_id == 0) {
        memcpy(key, "prov:", 5);
        b64_encode_to(key + 5, aci, 16, B64_URL_PAD);
        return;
    }
    memcpy(key, "pr:", 3);
    hex_encode_to(key + 3, aci, 16);
    snprintf(key + 35, KEY_MAX - 35, ".%u", device_id);
}

static void
bell_key(char *key, const char *relay_id)
{
    snprintf(key, KEY_MAX, "bell:%s", relay_id);
}

static memcached_st *
mc(struct store *s)
{
    if (s->mc != NULL)
        memcached_behavior_set(s->mc, MEMCACHED_BEHAVIOR_SUPPORT_CAS, 1);
    return s->mc;
}

/* Value and CAS of key into a (NUL-terminated). E_NOT_FOUND when absent or empty. */
static enum err
get_cas(memcached_st *m, struct arena *a, const char *key, char **val, size_t *len,
        uint64_t *cas)
{
    const char *keys[1] = { key };
    size_t klen[1] = { strlen(key) };
    memcached_result_st *res;
    memcached_return_t rc;
    enum err e = E_NOT_FOUND;

    rc = memcached_mget(m, keys, klen, 1);
    if (rc != MEMCACHED_SUCCESS)
        return E_STORE;
    res = memcached_fetch_result(m, NULL, &rc);
    if (res != NULL) {
        *len = memcached_result_length(res);
        *cas = memcached_result_cas(res);
        *val = arena_strndup(a, memcached_result_value(res), *len);
        if (*len > 0)
            e = E_OK;
        memcached_result_free(res);
        /* drain the end-of-results marker */
        while ((res = memcached_fetch_result(m, NULL, &rc)) != NULL)
            memcached_result_free(res);
    } else if (rc != MEMCACHED_END && rc != MEMCACHED_NOTFOUND && rc != MEMCACHED_SUCCESS) {
        e = E_STORE;
    }
    return e;
}

static int
holder_parse(const char *v, char *relay_id, uint64_t *conn_id)
{
    const char *sp = strchr(v, ' ');
    int64_t c;

    if (sp == NULL || sp == v || (size_t)(sp - v) >= RELAY_ID_MAX)
        return -1;
    if (parse_i64(sp + 1, 0, INT64_MAX, &c) != 0)
        return -1;
    memcpy(relay_id, v, (size_t)(sp - v));
    relay_id[sp - v] = '\0';
    *conn_id = (uint64_t)c;
    return 0;
}

enum err
presence_set(struct store *s, const uint8_t aci[16], uint8_t device_id, const char *relay_id,
             uint64_t conn_id)
{
    char key[KEY_MAX], val[RELAY_ID_MAX + 24];
    memcached_st *m = mc(s);
    int n;

    if (m == NULL)
        return E_STORE;
    presence_key(key, aci, device_id);
    n = snprintf(val, sizeof(val), "%s %" PRIu64, relay_id, conn_id);
    if (memcached_set(m, key, strlen(key), val, (size_t)n, PRESENCE_TTL_S, 0) !=
        MEMCACHED_SUCCESS)
        return E_STORE;
    return E_OK;
}

enum err
presence_clear(struct store *s, const uint8_t aci[16], uint8_t device_id, const char *relay_id,
               uint64_t conn_id)
{
    char key[KEY_MAX], holder[RELAY_ID_MAX];
    memcached_st *m = mc(s);
    struct arena *a;
    enum err e = E_OK;

    if (m == NULL)
        return E_STORE;
    presence_key(key, aci, device_id);
    a = arena_new(512);
    for (int i = 0; i < CAS_RETRIES; i++) {
        char *v;
        size_t len;
        uint64_t cas, c;
        memcached_return_t rc;

        e = get_cas(m, a, key, &v, &len, &cas);
        if (e != E_OK)
            break;
        if (holder_parse(v, holder, &c) != 0 || strcmp(holder, relay_id) != 0 || c != conn_id)
            break;                          /* someone newer holds it: leave it */
        /* Swap to empty (read as absent) rather than delete: delete has no CAS guard. */
        rc = memcached_cas(m, key, strlen(key), "", 0, 1, 0, cas);
        if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_NOTFOUND)
            break;
        if (rc != MEMCACHED_DATA_EXISTS) {
            e = E_STORE;
            break;
        }
    }
    arena_free(a);
    return e == E_NOT_FOUND ? E_OK : e;
}

enum err
presence_get(struct store *s, const uint8_t aci[16], uint8_t device_id, char *relay_id,
             uint64_t *conn_id)
{
    char key[KEY_MAX];
    memcached_st *m = mc(s);
    memcached_return_t rc;
    size_t len;
    uint32_t flags;
    char *v;
    enum err e;

    if (m == NULL)
        return E_STORE;
    presence_key(key, aci, device_id);
    v = memcached_get(m, key, strlen(key), &len, &flags, &rc);
    if (v == NULL)
        return rc == MEMCACHED_NOTFOUND ? E_NOT_FOUND : E_STORE;
    e = E_NOT_FOUND;
    if (len > 0 && len < RELAY_ID_MAX + 24) {
        char buf[RELAY_ID_MAX + 24];

        memcpy(buf, v, len);
        buf[len] = '\0';
        if (holder_parse(buf, relay_id, conn_id) == 0)
            e = E_OK;
    }
    free(v);
    return e;
}

enum err
doorbell_ring(struct store *s, const char *relay_id, const struct bell *b)
{
    char key[KEY_MAX], who[40];
    memcached_st *m = mc(s);
    struct arena *a;
    const char *line;
    enum err e = E_STORE;

    if (m == NULL)
        return E_STORE;
    bell_key(key, relay_id);
    a = arena_new(b->payload_len * 2 + 256);
    hex_encode_to(who, b->aci, 16);
    line = arena_printf(a, "%c %s.%u %" PRIu64 "%s%s\n", b->kind, who, b->device_id, b->conn_id,
                        b->payload != NULL ? " " : "",
                        b->payload != NULL ? b64_encode(a, b->payload, b->payload_len,
                                                        B64_STD_PAD) : "");
    /* append fails on a missing key; add creates it; if another ringer won that race, the
     * append now finds the key. */
    for (int i = 0; i < 3; i++) {
        memcached_return_t rc = memcached_append(m, key, strlen(key), line, strlen(line), 0, 0);

        if (rc == MEMCACHED_SUCCESS) {
            e = E_OK;
            break;
        }
        if (rc != MEMCACHED_NOTSTORED)
            break;
        rc = memcached_add(m, key, strlen(key), line, strlen(line), BELL_TTL_S, 0);
        if (rc == MEMCACHED_SUCCESS) {
            e = E_OK;
            break;
        }
        if (rc != MEMCACHED_NOTSTORED && rc != MEMCACHED_DATA_EXISTS)
            break;
    }
    arena_free(a);
    return e;
}

/* "<kind> <aci-hex>.<dev> <conn_id> [<base64 payload>]" into b; -1 when malformed. */
static int
bell_parse(struct arena *a, char *line, struct bell *b)
{
    char *f[4] = { NULL }, *save = NULL;
    int n = 0;
    int64_t dev, conn;
    char *dot;

    memset(b, 0, sizeof(*b));
    for (char *tok = strtok_r(line, " ", &save); tok != NULL && n < 4;
         tok = strtok_r(NULL, " ", &save))
        f[n++] = tok;
    if (n < 3 || strlen(f[0]) != 1)
        return -1;
    b->kind = f[0][0];
    dot = strchr(f[1], '.');
    if (dot == NULL || dot - f[1] != 32)
        return -1;
    *dot = '\0';
    for (int i = 0; i < 16; i++) {
        unsigned v;

        if (sscanf(f[1] + 2 * i, "%2x", &v) != 1)
            return -1;
        b->aci[i] = (uint8_t)v;
    }
    if (parse_i64(dot + 1, 0, MAX_DEVICE_ID, &dev) != 0 ||
        parse_i64(f[2], 0, INT64_MAX, &conn) != 0)
        return -1;
    b->device_id = (uint8_t)dev;
    b->conn_id = (uint64_t)conn;
    if (n == 4) {
        uint8_t *p;
        size_t len;

        if (b64_decode(a, f[3], strlen(f[3]), 0, &p, &len) != 0)
            return -1;
        b->payload = p;
        b->payload_len = len;
    }
    return 0;
}

enum err
doorbell_drain(struct store *s, struct arena *a, const char *relay_id, struct bell **out,
               size_t *n)
{
    char key[KEY_MAX];
    memcached_st *m = mc(s);
    char *v = NULL;
    size_t len = 0, cap = 0;
    enum err e = E_NOT_FOUND;

    *out = NULL;
    *n = 0;
    if (m == NULL)
        return E_STORE;
    bell_key(key, relay_id);
    for (int i = 0; i < CAS_RETRIES; i++) {
        uint64_t cas;
        memcached_return_t rc;

        e = get_cas(m, a, key, &v, &len, &cas);
        if (e != E_OK)
            break;
        rc = memcached_cas(m, key, strlen(key), "", 0, BELL_TTL_S, 0, cas);
        if (rc == MEMCACHED_SUCCESS)
            break;
        e = rc == MEMCACHED_DATA_EXISTS || rc == MEMCACHED_NOTFOUND ? E_NOT_FOUND : E_STORE;
        if (e == E_STORE)
            break;
        /* a ring landed between get and cas: take the longer value */
    }
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e != E_OK)
        return e;
    for (size_t i = 0; i < len; i++)
        cap += v[i] == '\n';
    *out = arena_alloc(a, (cap + 1) * sizeof(**out));
    for (char *line = v, *nl; *line != '\0'; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl == NULL)
            break;                          /* a partial line cannot happen with append */
        *nl = '\0';
        if (bell_parse(a, line, &(*out)[*n]) == 0)
            (*n)++;
        else
            log_warnx("presence: malformed doorbell line dropped");
    }
    return E_OK;
}

enum err
presence_mark(struct store *s, const char *key, unsigned ttl_s, bool *created)
{
    memcached_st *m = mc(s);
    memcached_return_t rc;

    *created = false;
    if (m == NULL)
        return E_STORE;
    rc = memcached_add(m, key, strlen(key), "1", 1, (time_t)ttl_s, 0);
    if (rc == MEMCACHED_SUCCESS) {
        *created = true;
        return E_OK;
    }
    return rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS ? E_OK : E_STORE;
}

enum err
presence_notify(struct store *s, const uint8_t aci[16], uint8_t device_id, char kind,
                const uint8_t *env, size_t env_len, bool *online)
{
    char holder[RELAY_ID_MAX];
    uint64_t conn;
    struct bell b = { .kind = kind, .device_id = device_id };
    enum err e = presence_get(s, aci, device_id, holder, &conn);

    *online = false;
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e == E_OK) {
        memcpy(b.aci, aci, 16);
        b.conn_id = conn;
        if (kind == BELL_EPHEMERAL || kind == BELL_PROVISION) {
            b.payload = env;
            b.payload_len = env_len;
        }
        e = doorbell_ring(s, holder, &b);
    }
    if (e != E_OK)
        return kind == BELL_NEW ? E_OK : e;
    *online = true;
    return E_OK;
}

/* Append text (whole lines) to relay_id's doorbell: append, or add when the key is missing. */
static enum err
bell_append(memcached_st *m, const char *relay_id, const char *text, size_t len)
{
    char key[KEY_MAX];

    bell_key(key, relay_id);
    for (int i = 0; i < 3; i++) {
        memcached_return_t rc = memcached_append(m, key, strlen(key), text, len, 0, 0);

        if (rc == MEMCACHED_SUCCESS)
            return E_OK;
        if (rc != MEMCACHED_NOTSTORED)
            break;
        rc = memcached_add(m, key, strlen(key), text, len, BELL_TTL_S, 0);
        if (rc == MEMCACHED_SUCCESS)
            return E_OK;
        if (rc != MEMCACHED_NOTSTORED && rc != MEMCACHED_DATA_EXISTS)
            break;
    }
    return E_STORE;
}

struct holder_ent {
    char relay[RELAY_ID_MAX];
    uint64_t conn;
    bool found;
};

enum err
presence_notify_new_many(struct store *s, struct arena *a, const uint8_t *const *aci,
                         const uint8_t *device_id, size_t n, bool *online)
{
    memcached_st *m = mc(s);
    char **keys;
    size_t *klen;
    struct holder_ent *h;
    memcached_return_t rc;
    memcached_result_st *res;
    bool *done;

    for (size_t i = 0; i < n; i++)
        online[i] = false;
    if (n == 0 || m == NULL)
        return E_OK;
    keys = arena_alloc(a, n * sizeof(*keys));
    klen = arena_alloc(a, n * sizeof(*klen));
    h = arena_alloc(a, n * sizeof(*h));
    done = arena_alloc(a, n * sizeof(*done));
    for (size_t i = 0; i < n; i++) {
        keys[i] = arena_alloc(a, KEY_MAX);
        presence_key(keys[i], aci[i], device_id[i]);
        klen[i] = strlen(keys[i]);
        h[i].found = false;
        done[i] = false;
    }
    rc = memcached_mget(m, (const char *const *)keys, klen, n);
    if (rc != MEMCACHED_SUCCESS) {
        /* one by one, as presence_notify does */
        log_warnx("presence: mget of %zu records: %s", n, memcached_strerror(m, rc));
        for (size_t i = 0; i < n; i++)
            if (presence_notify(s, aci[i], device_id[i], BELL_NEW, NULL, 0, &online[i]) != E_OK)
                online[i] = false;
        return E_OK;
    }
    while ((res = memcached_fetch_result(m, NULL, &rc)) != NULL) {
        const char *k = memcached_result_key_value(res);
        size_t kl = memcached_result_key_length(res), vl = memcached_result_length(res);
        char buf[RELAY_ID_MAX + 24], relay_id[RELAY_ID_MAX];
        uint64_t conn;

        if (vl > 0 && vl < sizeof(buf)) {
            memcpy(buf, memcached_result_value(res), vl);
            buf[vl] = '\0';
            if (holder_parse(buf, relay_id, &conn) == 0)
                for (size_t i = 0; i < n; i++)
                    if (!h[i].found && klen[i] == kl && memcmp(keys[i], k, kl) == 0) {
                        memcpy(h[i].relay, relay_id, sizeof(relay_id));
                        h[i].conn = conn;
                        h[i].found = true;
                    }
        }
        memcached_result_free(res);
    }
    if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND)
        log_warnx("presence: mget ended with %s", memcached_strerror(m, rc));
    /* one append per relay: every line for it, each device once */
    for (size_t i = 0; i < n; i++) {
        struct str_buf_lite {
            char *p;
            size_t len, cap;
        } t = { NULL, 0, 0 };
        size_t first = i;
        enum err e;

        if (!h[i].found || done[i])
            continue;
        for (size_t j = i; j < n; j++) {
            char who[33], line[96];
            int ln;
            bool dup = false;

            if (!h[j].found || done[j] || strcmp(h[j].relay, h[first].relay) != 0)
                continue;
            done[j] = true;
            for (size_t q = first; q < j && !dup; q++)
                dup = h[q].found && done[q] && strcmp(h[q].relay, h[first].relay) == 0 &&
                      device_id[q] == device_id[j] && h[q].conn == h[j].conn &&
                      memcmp(aci[q], aci[j], 16) == 0;
            if (dup)
                continue;
            hex_encode_to(who, aci[j], 16);
            who[32] = '\0';
            ln = snprintf(line, sizeof(line), "%c %s.%u %" PRIu64 "\n", BELL_NEW, who,
                          device_id[j], h[j].conn);
            if (t.len + (size_t)ln + 1 > t.cap) {
                size_t cap = (t.cap ? t.cap * 2 : 1024) + (size_t)ln;
                char *p = arena_alloc(a, cap);

                if (t.len > 0)
                    memcpy(p, t.p, t.len);
                t.p = p;
                t.cap = cap;
            }
            memcpy(t.p + t.len, line, (size_t)ln);
            t.len += (size_t)ln;
        }
        e = bell_append(m, h[first].relay, t.p, t.len);
        if (e != E_OK)
            log_warnx("presence: cannot ring %s", h[first].relay);
        for (size_t j = first; j < n; j++)
            if (h[j].found && strcmp(h[j].relay, h[first].relay) == 0)
                online[j] = e == E_OK;
    }
    return E_OK;
}
