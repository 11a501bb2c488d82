/* End-to-end message delivery benchmark (load generator and receivers in one process).
 *
 * Holds one authenticated chat socket per account (accounts from bench/register.mjs), then sends
 * M one-device messages from random senders to random recipients, either as REST requests over
 * the chat sockets (`-t ws`, what real clients do) or as HTTP PUTs through the web server
 * (`-t rest`, libcurl, keep-alive). Every receiver acks each PUT /api/v1/message with 200.
 * Latency is send -> receive of the envelope, measured with the monotonic clock stamped into the
 * message content. Prints throughput and p50/p95/p99/max latency.
 *
 * `-t mrm -k K` sends sealed sender v2 messages instead: each send is one HTTP
 * PUT /v1/messages/multi_recipient to K distinct random accounts (device 1 each), a SentMessage
 * v0x23 (server-reference.md §3.6) built here with random key material and a random "ciphertext"
 * (the server never decrypts), authorized by the XOR of the recipients' access keys (the "uak"
 * field register.mjs prints). Every recipient's envelope counts; throughput is envelopes/s.
 *
 *   msg_bench -a accounts.jsonl -n 200 -m 20000 [-r RATE|0] [-w WINDOW] [-t ws|rest|mrm]
 *             [-k K] [-R 127.0.0.1:8090] [-H 127.0.0.1:8080] [-T timeout_s]
 * RATE 0 (default) runs closed-loop with WINDOW sends outstanding; RATE > 0 paces sends.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libwebsockets.h>
#include <sodium.h>

#include "proto/envelope.pb-c.h"
#include "proto/websocket.pb-c.h"

#define MAX_ACCOUNTS 4096
#define CONTENT_LEN 64
#define MRM_KEY_MATERIAL 48        /* C_i || AT_i */
#define MRM_SHARED_LEN 96          /* e_pub (32) || ciphertext carrying (send time, seq) */
#define MRM_STAMP_OFF (1 + MRM_KEY_MATERIAL + 32)   /* where (time, seq) sit in a content */

struct account {
    char aci[40], auth[420];
    uint8_t aci_bin[16], uak[16];
    int has_uak;
    int registration_id;
};

struct frame {
    struct frame *next;
    size_t len;
    unsigned char buf[];
};

struct conn {
    struct lws *wsi;
    int idx;
    int established, closed;
    unsigned char *rx;
    size_t rx_len, rx_cap;
    struct frame *head, *tail;
};

static struct account accts[MAX_ACCOUNTS];
static struct conn conns[MAX_ACCOUNTS];
static int naccts, nconns;
static struct lws_context *lctx;
static const char *relay_host = "127.0.0.1", *http_base = "http://127.0.0.1:8080";
static int relay_port = 8090;
static long total = 20000, rate = 0, window = 256;
static int use_rest, use_mrm, mrm_k = 50;
static int *perm;                 /* -t mrm: account indices, partially shuffled per send */
static uint16_t *got;             /* -t mrm: envelopes received per send */

static atomic_long sent, accepted, rejected, delivered, dup_or_foreign, in_flight;
static long established_n, queue_empty_n;
static uint64_t *lat_ns;          /* indexed by message sequence */
static uint8_t *seen;
static uint64_t t_start, t_last_rx;

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
die(const char *m)
{
    fprintf(stderr, "msg_bench: %s\n", m);
    exit(1);
}

/* ---- accounts ---- */

static void
load_accounts(const char *path, int want)
{
    FILE *f = fopen(path, "r");
    char line[1024];

    if (f == NULL)
        die("cannot open accounts file");
    while (naccts < want && naccts < MAX_ACCOUNTS && fgets(line, sizeof(line), f) != NULL) {
        struct json_object *o = json_tokener_parse(line), *v;
        struct account *a = &accts[naccts];
        char user[300], b64[400];

        if (o == NULL)
            continue;
        if (!json_object_object_get_ex(o, "aci", &v))
            die("account line without aci");
        snprintf(a->aci, sizeof(a->aci), "%s", json_object_get_string(v));
        json_object_object_get_ex(o, "password", &v);
        snprintf(user, sizeof(user), "%s.1:%s", a->aci, json_object_get_string(v));
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)user, strlen(user),
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(a->auth, sizeof(a->auth), "Basic %s", b64);
        json_object_object_get_ex(o, "registrationId", &v);
        a->registration_id = json_object_get_int(v);
        {
            const char *hex = a->aci;
            size_t n = 0;
            for (size_t i = 0; hex[i] != '\0' && n < 32; i++) {
                int d = hex[i] >= '0' && hex[i] <= '9'   ? hex[i] - '0'
                        : hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 10
                                                         : -1;
                if (d < 0)
                    continue;
                a->aci_bin[n / 2] = (uint8_t)(n % 2 ? a->aci_bin[n / 2] | d : d << 4);
                n++;
            }
        }
        if (json_object_object_get_ex(o, "uak", &v)) {
            size_t n = 0;
            const char *s = json_object_get_string(v);
            a->has_uak = sodium_base642bin(a->uak, sizeof(a->uak), s, strlen(s), NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
                         n == 16;
        }
        json_object_put(o);
        naccts++;
    }
    fclose(f);
    if (naccts < 2)
        die("need at least 2 accounts");
}

/* ---- message bodies ---- */

/* JSON IncomingMessageList for seq from src to dst; content carries (send time, seq). */
static int
message_json(char *out, size_t cap, long seq, int dst)
{
    uint8_t content[CONTENT_LEN];
    char b64[sodium_base64_ENCODED_LEN(CONTENT_LEN, sodium_base64_VARIANT_ORIGINAL)];
    uint64_t t = now_ns();

    memset(content, 0x5a, sizeof(content));
    memcpy(content, &t, 8);
    memcpy(content + 8, &seq, sizeof(seq));
    sodium_bin2base64(b64, sizeof(b64), content, sizeof(content), sodium_base64_VARIANT_ORIGINAL);
    return snprintf(out, cap,
                    "{\"messages\":[{\"type\":1,\"destinationDeviceId\":1,"
                    "\"destinationRegistrationId\":%d,\"content\":\"%s\"}],"
                    "\"online\":false,\"urgent\":true,\"timestamp\":%lld}",
                    accts[dst].registration_id, b64, (long long)(time(NULL) * 1000LL));
}

/*
 * -t mrm: SentMessage v0x23 for seq to mrm_k distinct random accounts (device 1 each): version,
 * LEB128 recipient count, per recipient 0x00 || ACI, device 1 with its registration id (the
 * has-more bit clear), 48 bytes of key material; then the shared part. The key material and
 * e_pub are random (structurally valid is all the parser needs); the "ciphertext" carries the
 * send time and seq. *uak gets the base64 XOR of the recipients' access keys. malloc'd.
 */
static uint8_t *
mrm_body(long seq, size_t *len, char *uak, size_t uak_cap)
{
    size_t cap = 8 + (size_t)mrm_k * (17 + 3 + MRM_KEY_MATERIAL) + MRM_SHARED_LEN, o = 0;
    uint8_t *b = malloc(cap), x[16] = { 0 };
    uint64_t t;
    unsigned n = (unsigned)mrm_k;

    if (b == NULL)
        die("out of memory");
    b[o++] = 0x23;
    do {
        b[o++] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
    } while (n > 0);
    for (int i = 0; i < mrm_k; i++) {
        int j = i + (int)randombytes_uniform((uint32_t)(nconns - i)), r = perm[j];
        const struct account *a;

        perm[j] = perm[i];
        perm[i] = r;
        a = &accts[r];
        b[o++] = 0x00;
        memcpy(b + o, a->aci_bin, 16);
        o += 16;
        b[o++] = 1;
        b[o++] = (uint8_t)((a->registration_id >> 8) & 0x3f);
        b[o++] = (uint8_t)a->registration_id;
        randombytes_buf(b + o, MRM_KEY_MATERIAL);
        o += MRM_KEY_MATERIAL;
        for (int k = 0; k < 16; k++)
            x[k] ^= a->uak[k];
    }
    randombytes_buf(b + o, MRM_SHARED_LEN);
    t = now_ns();
    memcpy(b + o + 32, &t, 8);
    memcpy(b + o + 40, &seq, sizeof(seq));
    o += MRM_SHARED_LEN;
    sodium_bin2base64(uak, uak_cap, x, 16, sodium_base64_VARIANT_ORIGINAL);
    *len = o;
    return b;
}

static void
pick_pair(int *src, int *dst)
{
    *src = (int)randombytes_uniform((uint32_t)nconns);
    *dst = (int)randombytes_uniform((uint32_t)nconns - 1);
    if (*dst >= *src)
        (*dst)++;
}

/* ---- websocket frames ---- */

static void
enqueue(struct conn *c, const Signalservice__WebSocketMessage *m)
{
    size_t n = signalservice__web_socket_message__get_packed_size(m);
    struct frame *f = malloc(sizeof(*f) + LWS_PRE + n);

    if (f == NULL)
        die("out of memory");
    f->next = NULL;
    f->len = n;
    signalservice__web_socket_message__pack(m, f->buf + LWS_PRE);
    if (c->tail)
        c->tail->next = f;
    else
        c->head = f;
    c->tail = f;
    lws_callback_on_writable(c->wsi);
}

static void
send_ws(long seq)
{
    int src, dst;
    char body[512], path[80];
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketRequestMessage rq = SIGNALSERVICE__WEB_SOCKET_REQUEST_MESSAGE__INIT;
    char *hdrs[] = { "content-type:application/json" };

    do
        pick_pair(&src, &dst);
    while (!conns[src].established || conns[src].closed);
    int n = message_json(body, sizeof(body), seq, dst);
    snprintf(path, sizeof(path), "/v1/messages/%s", accts[dst].aci);
    rq.verb = "PUT";
    rq.path = path;
    rq.has_body = 1;
    rq.body.data = (uint8_t *)body;
    rq.body.len = (size_t)n;
    rq.has_id = 1;
    rq.id = (uint64_t)seq;
    rq.n_headers = 1;
    rq.headers = hdrs;
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST;
    m.request = &rq;
    enqueue(&conns[src], &m);
    atomic_fetch_add(&sent, 1);
    atomic_fetch_add(&in_flight, 1);
}

static void
ack(struct conn *c, uint64_t id)
{
    Signalservice__WebSocketMessage m = SIGNALSERVICE__WEB_SOCKET_MESSAGE__INIT;
    Signalservice__WebSocketResponseMessage rs = SIGNALSERVICE__WEB_SOCKET_RESPONSE_MESSAGE__INIT;

    rs.has_id = 1;
    rs.id = id;
    rs.has_status = 1;
    rs.status = 200;
    rs.message = "OK";
    m.has_type = 1;
    m.type = SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE;
    m.response = &rs;
    enqueue(c, &m);
}

static void
on_envelope(const uint8_t *p, size_t n)
{
    Textsecure__Envelope *e = textsecure__envelope__unpack(NULL, n, p);
    uint64_t t, now = now_ns();
    long seq;

    if (use_mrm) {
        if (e == NULL || !e->has_content || e->content.len != MRM_STAMP_OFF - 32 + MRM_SHARED_LEN ||
            e->content.data[0] != 0x22) {
            atomic_fetch_add(&dup_or_foreign, 1);
        } else {
            memcpy(&t, e->content.data + MRM_STAMP_OFF, 8);
            memcpy(&seq, e->content.data + MRM_STAMP_OFF + 8, sizeof(seq));
            if (seq < 0 || seq >= total || got[seq] >= mrm_k) {
                atomic_fetch_add(&dup_or_foreign, 1);
            } else {
                lat_ns[seq * mrm_k + got[seq]++] = now - t;
                atomic_fetch_add(&delivered, 1);
                t_last_rx = now;
            }
        }
        if (e)
            textsecure__envelope__free_unpacked(e, NULL);
        return;
    }
    if (e == NULL || !e->has_content || e->content.len != CONTENT_LEN) {
        atomic_fetch_add(&dup_or_foreign, 1);
        if (e)
            textsecure__envelope__free_unpacked(e, NULL);
        return;
    }
    memcpy(&t, e->content.data, 8);
    memcpy(&seq, e->content.data + 8, sizeof(seq));
    if (seq < 0 || seq >= total || seen[seq]) {
        atomic_fetch_add(&dup_or_foreign, 1);
    } else {
        seen[seq] = 1;
        lat_ns[seq] = now - t;
        atomic_fetch_add(&delivered, 1);
        t_last_rx = now;
    }
    textsecure__envelope__free_unpacked(e, NULL);
}

static void
on_frame(struct conn *c)
{
    Signalservice__WebSocketMessage *m =
        signalservice__web_socket_message__unpack(NULL, c->rx_len, c->rx);

    if (m == NULL)
        die("undecodable frame from the server");
    if (m->type == SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__REQUEST && m->request) {
        const char *path = m->request->path ? m->request->path : "";

        if (strcmp(path, "/api/v1/message") == 0 && m->request->has_body)
            on_envelope(m->request->body.data, m->request->body.len);
        else if (strcmp(path, "/api/v1/queue/empty") == 0)
            queue_empty_n++;
        ack(c, m->request->id);
    } else if (m->type == SIGNALSERVICE__WEB_SOCKET_MESSAGE__TYPE__RESPONSE && m->response) {
        if (m->response->status == 200)
            atomic_fetch_add(&accepted, 1);
        else if (atomic_fetch_add(&rejected, 1) < 5)
            fprintf(stderr, "msg_bench: send answered %u\n", m->response->status);
        atomic_fetch_sub(&in_flight, 1);
    }
    signalservice__web_socket_message__free_unpacked(m, NULL);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct conn *c = user;

    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        unsigned char **p = in, *end = *p + len;
        const char *a = accts[c->idx].auth;

        if (lws_add_http_header_by_name(wsi, (const unsigned char *)"authorization:",
                                        (const unsigned char *)a, (int)strlen(a), p, end))
            return -1;
        break;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c->established = 1;
        established_n++;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        fprintf(stderr, "msg_bench: connect %d failed: %s\n", c->idx, in ? (char *)in : "?");
        c->closed = 1;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        c->closed = 1;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (c->rx_len + len > c->rx_cap) {
            c->rx_cap = (c->rx_len + len) * 2;
            c->rx = realloc(c->rx, c->rx_cap);
            if (c->rx == NULL)
                die("out of memory");
        }
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += len;
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            on_frame(c);
            c->rx_len = 0;
        }
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (c->head) {
            struct frame *f = c->head;

            c->head = f->next;
            if (c->head == NULL)
                c->tail = NULL;
            if (lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_BINARY) < (int)f->len) {
                free(f);
                return -1;
            }
            free(f);
            if (c->head)
                lws_callback_on_writable(wsi);
        }
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    { "heliograph-bench", callback, 0, 65536, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---- REST sender thread (libcurl multi, keep-alive) ---- */

struct rest_job {
    CURL *h;
    struct curl_slist *hdrs;
    char body[512];
    uint8_t *bin;                 /* -t mrm: the SentMessage */
};

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

static void *
rest_thread(void *arg)
{
    CURLM *multi = curl_multi_init();
    long seq = 0;
    uint64_t t0 = now_ns();
    int running = 0;

    (void)arg;
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, window);
    while (seq < total || running > 0) {
        long due = rate > 0 ? (long)((double)(now_ns() - t0) / 1e9 * (double)rate) : total;

        while (seq < total && seq < due && atomic_load(&in_flight) < window) {
            struct rest_job *j = calloc(1, sizeof(*j));
            int src, dst;
            char url[200], auth[440];

            j->h = curl_easy_init();
            if (use_mrm) {
                char key[40];
                size_t len;

                j->bin = mrm_body(seq, &len, key, sizeof(key));
                snprintf(url, sizeof(url), "%s/v1/messages/multi_recipient?ts=%lld&online=false",
                         http_base, (long long)(time(NULL) * 1000LL));
                snprintf(auth, sizeof(auth), "Unidentified-Access-Key: %s", key);
                j->hdrs = curl_slist_append(NULL, auth);
                j->hdrs = curl_slist_append(j->hdrs,
                                            "Content-Type: application/vnd.signal-messenger.mrm");
                curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->bin);
                curl_easy_setopt(j->h, CURLOPT_POSTFIELDSIZE, (long)len);
            } else {
                pick_pair(&src, &dst);
                message_json(j->body, sizeof(j->body), seq, dst);
                snprintf(url, sizeof(url), "%s/v1/messages/%s", http_base, accts[dst].aci);
                snprintf(auth, sizeof(auth), "Authorization: %s", accts[src].auth);
                j->hdrs = curl_slist_append(NULL, auth);
                j->hdrs = curl_slist_append(j->hdrs, "Content-Type: application/json");
                curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->body);
            }
            curl_easy_setopt(j->h, CURLOPT_URL, url);
            curl_easy_setopt(j->h, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdrs);
            curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
            curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, discard);
            curl_multi_add_handle(multi, j->h);
            atomic_fetch_add(&sent, 1);
            atomic_fetch_add(&in_flight, 1);
            seq++;
        }
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            struct rest_job *j;
            long code = 0;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            if (code == 200)
                atomic_fetch_add(&accepted, 1);
            else if (atomic_fetch_add(&rejected, 1) < 5)
                fprintf(stderr, "msg_bench: REST send answered %ld\n", code);
            atomic_fetch_sub(&in_flight, 1);
            curl_multi_remove_handle(multi, j->h);
            curl_easy_cleanup(j->h);
            curl_slist_free_all(j->hdrs);
            free(j->bin);
            free(j);
        }
        curl_multi_poll(multi, NULL, 0, 1, NULL);
    }
    curl_multi_cleanup(multi);
    return NULL;
}

/* ---- main loop ---- */

/* A 1 ms tick so that lws_service() returns often enough to pace sends. */
static lws_sorted_usec_list_t tick_sul;

static void
tick(lws_sorted_usec_list_t *sul)
{
    lws_sul_schedule(lctx, 0, sul, tick, 1000);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void
report(double secs)
{
    long d = atomic_load(&delivered), k = 0;
    long per = use_mrm ? mrm_k : 1;   /* envelopes expected per accepted send */
    uint64_t *v = malloc(sizeof(uint64_t) * (size_t)(d > 0 ? d : 1));

    for (long i = 0; i < total; i++) {
        if (use_mrm) {
            for (long r = 0; r < got[i]; r++)
                v[k++] = lat_ns[i * mrm_k + r];
        } else if (seen[i]) {
            v[k++] = lat_ns[i];
        }
    }
    qsort(v, (size_t)k, sizeof(*v), cmp_u64);
#define PCT(p) (k ? (double)v[(size_t)((double)(k - 1) * (p))] / 1e6 : 0.0)
    printf("mode=%s accounts=%d sent=%ld accepted=%ld rejected=%ld delivered=%ld lost=%ld "
           "foreign_or_dup=%ld\n",
           use_mrm ? "mrm" : use_rest ? "rest" : "ws", nconns, atomic_load(&sent),
           atomic_load(&accepted), atomic_load(&rejected), d, atomic_load(&accepted) * per - d,
           atomic_load(&dup_or_foreign));
    if (use_mrm)
        printf("multi-recipient: %d recipients per send, %.0f sends/s\n", mrm_k,
               (double)atomic_load(&accepted) / secs);
    printf("throughput: %.0f %s/s delivered over %.2f s (%s)\n", (double)d / secs,
           use_mrm ? "envelopes" : "msgs", secs, rate > 0 ? "paced" : "closed loop");
    if (rate > 0)
        printf("offered rate: %ld msgs/s\n", rate);
    printf("latency send->receive ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", PCT(0.50),
           PCT(0.95), PCT(0.99), k ? (double)v[k - 1] / 1e6 : 0.0);
#undef PCT
    free(v);
}

int
main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    const char *accounts = "accounts.jsonl";
    int want = 200, opt, timeout_s = 120;
    long seq = 0;
    pthread_t rt;

    while ((opt = getopt(argc, argv, "a:n:m:r:w:t:k:R:H:T:")) != -1) {
        switch (opt) {
        case 'a': accounts = optarg; break;
        case 'n': want = atoi(optarg); break;
        case 'm': total = atol(optarg); break;
        case 'r': rate = atol(optarg); break;
        case 'w': window = atol(optarg); break;
        case 't':
            use_mrm = strcmp(optarg, "mrm") == 0;
            use_rest = use_mrm || strcmp(optarg, "rest") == 0;
            break;
        case 'k': mrm_k = atoi(optarg); break;
        case 'R': {
            static char host[64];
            char *colon = strrchr(optarg, ':');
            if (colon == NULL)
                die("-R host:port");
            snprintf(host, sizeof(host), "%.*s", (int)(colon - optarg), optarg);
            relay_host = host;
            relay_port = atoi(colon + 1);
            break;
        }
        case 'H': {
            static char base[128];
            snprintf(base, sizeof(base), "http://%s", optarg);
            http_base = base;
            break;
        }
        case 'T': timeout_s = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: msg_bench -a FILE -n N -m M [-r RATE] [-w WINDOW] "
                            "[-t ws|rest|mrm] [-k K] [-R host:port] [-H host:port] [-T s]\n");
            return 2;
        }
    }
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        die("init failed");
    load_accounts(accounts, want);
    nconns = naccts;
    if (use_mrm) {
        if (mrm_k < 1 || mrm_k > nconns || mrm_k > 5000)
            die("-k must be within 1..min(accounts, 5000)");
        for (int i = 0; i < nconns; i++)
            if (!accts[i].has_uak)
                die("-t mrm needs the \"uak\" of every account (bench/register.mjs prints it)");
        perm = malloc(sizeof(*perm) * (size_t)nconns);
        got = calloc((size_t)total, sizeof(*got));
        if (perm == NULL || got == NULL)
            die("out of memory");
        for (int i = 0; i < nconns; i++)
            perm[i] = i;
    }
    lat_ns = calloc((size_t)total * (size_t)(use_mrm ? mrm_k : 1), sizeof(*lat_ns));
    seen = calloc((size_t)total, 1);
    lws_set_log_level(LLL_ERR, NULL);
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.fd_limit_per_thread = (unsigned)nconns + 64;
    lctx = lws_create_context(&info);
    if (lctx == NULL)
        die("lws_create_context failed");
    for (int i = 0; i < nconns; i++) {
        struct lws_client_connect_info ci;

        memset(&ci, 0, sizeof(ci));
        conns[i].idx = i;
        ci.context = lctx;
        ci.address = relay_host;
        ci.port = relay_port;
        ci.path = "/v1/websocket/";
        ci.host = "localhost";
        ci.origin = "localhost";
        ci.local_protocol_name = protocols[0].name;
        ci.userdata = &conns[i];
        ci.pwsi = &conns[i].wsi;
        if (lws_client_connect_via_info(&ci) == NULL)
            die("lws_client_connect_via_info failed");
    }
    uint64_t deadline = now_ns() + 30ull * 1000000000ull;
    while (established_n < nconns && now_ns() < deadline)
        lws_service(lctx, 0);
    if (established_n < nconns)
        fprintf(stderr, "msg_bench: only %ld of %d sockets up\n", established_n, nconns);
    /* let the initial queue drains (and queue-empty) pass before timing */
    deadline = now_ns() + 3ull * 1000000000ull;
    while (queue_empty_n < established_n && now_ns() < deadline)
        lws_service(lctx, 0);
    printf("sockets: %ld established, %ld queue-empty received\n", established_n, queue_empty_n);
    fflush(stdout);

    t_start = now_ns();
    tick(&tick_sul);
    if (use_rest)
        pthread_create(&rt, NULL, rest_thread, NULL);
    deadline = t_start + (uint64_t)timeout_s * 1000000000ull;
    while (atomic_load(&delivered) < total * (use_mrm ? mrm_k : 1) && now_ns() < deadline) {
        if (!use_rest) {
            long due = rate > 0 ? (long)((double)(now_ns() - t_start) / 1e9 * (double)rate) : total;

            while (seq < total && seq < due && atomic_load(&in_flight) < window)
                send_ws(seq++);
        }
        lws_service(lctx, 0);
        if (use_rest || seq >= total) {
            if (atomic_load(&sent) >= total && atomic_load(&in_flight) == 0 &&
                atomic_load(&accepted) * (use_mrm ? mrm_k : 1) <= atomic_load(&delivered))
                break;
        }
    }
    if (use_rest)
        pthread_join(rt, NULL);
    report((double)((t_last_rx > t_start ? t_last_rx : now_ns()) - t_start) / 1e9);
    lws_context_destroy(lctx);
    return atomic_load(&delivered) == atomic_load(&accepted) * (use_mrm ? mrm_k : 1) ? 0 : 1;
}
