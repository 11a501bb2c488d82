/* heliograph-relay private header, sectioned by file.
 *
 * Threads: the lws service thread owns every session and every wsi; the gate thread owns the
 * listening socket and connections still sending their HTTP upgrade head; N worker threads own
 * a struct ctx each (MariaDB + memcached) and run jobs. Jobs name sessions by (sid, gen), never
 * by pointer, so a result for a socket that closed meanwhile is simply dropped. */
#ifndef HG_RELAY_H
#define HG_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/req.h"
#include "store/store.h"
#include "store/presence.h"

struct arena;
struct conf;
struct ctx;
struct lws;
struct lws_context;
struct lws_vhost;
struct resp;
struct bell;

/* Bytes lws wants in front of every payload given to lws_write(); checked against LWS_PRE in
 * session.c (the pure files must not include libwebsockets.h). */
#define RELAY_PRE 16

/* ---- frame.c: WebSocketMessage codec and struct req building (pure) -------------------------- */

/* One message waiting to be written: RELAY_PRE bytes of headroom, then len bytes. */
struct outmsg {
    struct outmsg *next;
    size_t len;
    uint8_t buf[];
};

enum wsmsg_type { WSMSG_REQUEST = 1, WSMSG_RESPONSE = 2 };

/* A decoded frame; strings and bytes live in the arena given to wsmsg_decode(). */
struct wsmsg {
    enum wsmsg_type type;
    /* REQUEST */
    const char *verb, *path;
    const char **headers;
    size_t nheaders;
    bool has_id;
    uint64_t id;
    /* RESPONSE (id above) */
    uint32_t status;
    const char *message;
    /* both */
    const uint8_t *body;
    size_t body_len;
};

/**
 * Decode one binary frame (server-reference.md §1.6.1): REQUEST needs verb and path, RESPONSE
 * needs id, status and message. -1 for anything else: the caller closes with 1007.
 */
int wsmsg_decode(struct arena *a, const uint8_t *p, size_t n, struct wsmsg *out);
/** Split "Name:value" (exactly one colon, as the official server) into a lower-case name and a
 * trimmed value in arena memory. -1 when the header must be dropped. */
int wsmsg_header_split(struct arena *a, const char *s, struct header *out);
/**
 * Build the struct req for a REQUEST frame. upgrade_hdrs is the socket's header blob
 * ("name\0value\0"..., see head.c) merged as the official server does: inner headers win except
 * user-agent, inner x-forwarded-for is ignored. E_BAD_REQUEST for a malformed path.
 */
enum err relay_req_from_msg(struct arena *a, const struct wsmsg *m, const char *upgrade_hdrs,
                            size_t upgrade_len, const struct sock_auth *sock, const char *peer,
                            struct req *out) HG_MUST_CHECK;
/** Encode resp as the RESPONSE to request id. Caller owns the result (free()). */
struct outmsg *wsmsg_encode_response(uint64_t id, const struct resp *resp);
/** Encode a server-initiated REQUEST. Caller owns the result (free()). */
struct outmsg *wsmsg_encode_request(uint64_t id, const char *verb, const char *path,
                                    const char *const *headers, size_t nheaders,
                                    const uint8_t *body, size_t body_len);

/* ---- head.c: the HTTP upgrade request head, read by the gate (pure) ------------------------- */

#define HEAD_MAX 8192            /* bytes of request line + headers we accept */
#define HEAD_MAX_HEADERS 64
#define UPGRADE_HDRS_MAX 1024    /* bytes of upgrade headers kept per socket */

enum head_kind { HEAD_CHAT = 1, HEAD_PROVISIONING = 2 };

struct head {
    char *method, *target, *path, *query;   /* in the parse buffer / arena */
    struct header headers[HEAD_MAX_HEADERS];
    size_t nheaders;
};

/** Length of the head (through the blank line) once buf holds all of it, else 0. */
size_t head_complete(const char *buf, size_t len);
/** Parse a complete head (len bytes, copied into the arena). Returns 0 or -1. */
int head_parse(struct arena *a, const char *buf, size_t len, struct head *out);
/** Header value by lower-case name, or NULL. */
const char *head_header(const struct head *h, const char *lname);
/** Which socket the path asks for (with or without trailing slash), or 0. */
enum head_kind head_kind(const struct head *h);
/** The Basic credentials: the Authorization header, else ?login=&password= (arena). NULL if none. */
const char *head_basic_auth(struct arena *a, const struct head *h);
/**
 * The upgrade headers merged into every inner request, as a malloc'd "name\0value\0" blob:
 * all but connection, upgrade, sec-websocket-*, host and authorization (credentials are not kept
 * for the socket's lifetime), capped at UPGRADE_HDRS_MAX. *len = 0 and NULL when empty.
 */
char *head_upgrade_blob(const struct head *h, size_t *len);

/* ---- jobs.c: the worker pool and its two queues ------------------------------------------- */

enum job_kind {
    JOB_AUTH = 1,       /* gate -> worker: verify credentials, then ADOPT or answer 403/500 */
    JOB_ADOPT,          /* -> loop: hand an upgrade to lws */
    JOB_REQUEST,        /* client REQUEST -> router_dispatch -> encoded RESPONSE */
    JOB_FETCH_MANY,     /* store_msgs_fetch_many: the pages of every session that asked */
    JOB_ACK_BATCH,      /* delivery_ack_many: 2xx answers of every session, collected */
    JOB_DROP,           /* store_msgs_delete without delivery (stories to a non-story socket) */
    JOB_PRESENCE_UP,    /* presence_set; kick the older holder elsewhere */
    JOB_PRESENCE_REFRESH,
    JOB_PRESENCE_DOWN,  /* presence_clear */
    JOB_DOORBELL,       /* doorbell_drain for this relay */
    JOB_MC_WATCH,       /* chores.c: has memcached lost our marker (restart)? */
    JOB_PRESENCE_ALL,   /* presence_set for every socket listed (after a memcached restart) */
    JOB_EXPIRE,         /* chores.c: take the sweep lock, store_msgs_expire in pages */
};

/* One socket's presence record, for JOB_PRESENCE_ALL. */
struct presence_ent {
    uint8_t aci[16];
    uint8_t device_id;
    uint64_t conn_id;
};

/* What the gate learnt from the upgrade head; becomes part of the session. malloc'd. */
struct adopt {
    int fd;
    enum head_kind kind;
    bool authenticated, stories, no_delivery;
    uint8_t aci[16];
    uint8_t device_id;
    char *head;                 /* raw head bytes to replay into lws (malloc'd) */
    size_t head_len;
    char *hdrs;                 /* upgrade header blob (malloc'd), moved into the session */
    size_t hdrs_len;
};

struct job {
    struct job *next;
    enum job_kind kind;
    uint32_t sid, gen;          /* the session (0 = none) */
    struct arena *a;            /* owns the job and everything hanging off it */
    enum err e;                 /* result */
    /* AUTH / ADOPT */
    struct adopt *adopt;
    const char *basic;
    /* REQUEST */
    struct req req;
    bool has_id;
    uint64_t ws_id;
    struct outmsg *out;         /* encoded response, moved to the session */
    bool close_stale;           /* keepalive found the presence gone: close 1000 */
    /* DROP / PRESENCE */
    uint8_t aci[16];
    uint8_t device_id;
    uint64_t conn_id;
    uint8_t guid[16];
    /* FETCH_MANY: fetches[i] is for session (fsid[i], fgen[i]) */
    struct msg_fetch *fetches;
    uint32_t *fsid, *fgen;
    size_t nfetches;
    /* ACK_BATCH */
    struct msg_key *acks;
    size_t nacks;
    /* DOORBELL */
    struct bell *bells;
    size_t nbells;
    /* MC_WATCH: the marker was missing; PRESENCE_ALL: the records; EXPIRE: rows removed */
    bool mc_lost;
    struct presence_ent *ents;
    size_t nents;
    size_t removed;
};

/** New job of kind with its own arena. */
struct job *job_new(enum job_kind kind);
void job_free(struct job *j);
/** Start n workers (each opens its ctx). The loop is woken through ctx after each result. */
void jobs_start(const struct conf *conf, int n);
/** Queue work for the workers. Takes ownership. */
void jobs_submit(struct job *j);
/** Queue a result for the loop and wake it (workers and gate). Takes ownership. */
void jobs_done(struct job *j);
/** Take every finished job (loop thread), oldest first. */
struct job *jobs_take_done(void);
/** Set (or clear with NULL) the lws context woken by jobs_done(). */
void jobs_set_wake(struct lws_context *ctx);
/** Number of jobs queued or running. */
size_t jobs_pending(void);
/** Let workers finish what is queued, then stop and join them; frees unclaimed results. */
void jobs_stop(void);

/* ---- work.c: what a worker does with each job kind ---------------------------------------- */

/** Run j on a worker with its ctx; returns true when j goes to the loop, false when freed. */
bool work_run(struct ctx *ctx, const struct conf *conf, struct job *j);

/* ---- gate.c: accept and read upgrade heads off the lws loop -------------------------------- */

/** Listen on conf's relay_listen:relay_port and start the gate thread. */
void gate_start(const struct conf *conf);
void gate_stop(void);

/* ---- session.c: the lws protocol, session table, out-queues -------------------------------- */

#define SESSION_MAX_PENDING 32   /* requests at the workers per socket before reading pauses */

enum session_flag {
    SF_AUTH = 1 << 0,            /* authenticated chat socket */
    SF_STORIES = 1 << 1,         /* upgrade said X-Signal-Receive-Stories: true */
    SF_NO_DELIVERY = 1 << 2,     /* upgrade said X-Signal-Disable-Messages: true */
    SF_FETCHING = 1 << 3,        /* a queue read (JOB_FETCH_MANY) is out */
    SF_REFETCH = 1 << 4,         /* fetch again when the current one (or the window) allows */
    SF_MORE = 1 << 5,            /* the last fetch filled its page: more may be queued */
    SF_BACKLOG_DONE = 1 << 6,    /* the queue present at connect has been read */
    SF_QE_SENT = 1 << 7,         /* PUT /api/v1/queue/empty went out */
    SF_PROV_SENT = 1 << 8,       /* provisioning message sent; close on its response */
    SF_RX_PAUSED = 1 << 9,       /* too many requests pending: lws_rx_flow_control(0) */
};

/* A message this socket was sent and has not answered yet. */
struct inflight {
    uint64_t id;
    uint8_t guid[16];
};

/* Per-socket state, allocated by lws as the protocol's per-session data: kept small, because
 * idle sockets are the common case (buffers exist only while there is something to move). */
struct session {
    uint32_t sid, gen;
    struct lws *wsi;
    struct session *dev_next;    /* chain in the device map */
    uint16_t flags;
    uint8_t kind;                /* HEAD_CHAT / HEAD_PROVISIONING */
    uint8_t device_id;           /* 0 for provisioning sockets */
    uint8_t aci[16];             /* provisioning: the address bytes */
    uint16_t pending;            /* REQUEST jobs out */
    uint16_t close_code;         /* nonzero: close at the next writeable */
    const char *close_reason;    /* static text */
    uint8_t ticks;               /* 30 s timer ticks */
    uint16_t nfl;                /* entries used in fl */
    struct inflight *fl;         /* DELIVERY_WINDOW entries while delivering, else NULL */
    uint64_t conn_id;
    int64_t last_seq;            /* highest queue seq fetched */
    char *hdrs;                  /* upgrade header blob (head.c) */
    size_t hdrs_len;
    struct outmsg *out_head, *out_tail;
    uint8_t *rx;                 /* fragments of a message being received */
    size_t rx_len, rx_cap;
};

/** Queue m (taking ownership) and ask lws for a writeable callback. */
void session_send(struct session *s, struct outmsg *m);
/** Close the socket with code/reason at the next writeable (reason must be static). */
void session_close(struct session *s, uint16_t code, const char *reason);
/** Session of (sid, gen), or NULL when it has closed. */
struct session *session_find(uint32_t sid, uint32_t gen);
/** First session of the device (provisioning: address bytes, device 0), or NULL. */
struct session *session_by_device(const uint8_t aci[16], uint8_t device_id);
/** Random id for a server-initiated request (63 bits, as |random long| upstream). */
uint64_t session_request_id(void);
/** Job of kind aimed at s (sid/gen/aci/device/conn filled). */
struct job *session_job(const struct session *s, enum job_kind kind);
/** Number of open sessions. */
size_t session_count(void);
/** Memcached lost its data: register every socket's presence again and look at every queue
 * (rings sent meanwhile went nowhere). */
void session_presence_all(void);

/* ---- deliver.c: the message stream of an authenticated socket ---------------------------- */

#define DELIVERY_WINDOW 64       /* unanswered PUT /api/v1/message per socket (upstream: 256) */
#define ACK_BATCH_MAX 256        /* 2xx answers per JOB_ACK_BATCH */
#define ACK_FLUSH_US 1000        /* a partial batch waits at most this long */
#define FETCH_BATCH_MAX 32       /* sessions per JOB_FETCH_MANY */
#define FETCH_FLUSH_US 500       /* sessions wanting a page wait at most this long */

/** The socket is up: start reading the queue (no-op unless an authenticated chat socket). */
void deliver_start(struct session *s);
/** Look at the queue again (doorbell BELL_NEW, periodic check). */
void deliver_poke(struct session *s);
/** A JOB_FETCH_MANY came back: hand each page to its session. */
void deliver_fetched_many(struct job *j);
/** The client answered a server request; true when it was one of ours. */
bool deliver_response(struct session *s, uint64_t id, uint32_t status);
/** Send an ephemeral envelope (never stored, nothing to ack). */
void deliver_ephemeral(struct session *s, const uint8_t *env, size_t len);
/** The socket is closing: drop the window (the envelopes stay queued). */
void deliver_stop(struct session *s);
/** Submit the acks collected so far as one JOB_ACK_BATCH (also runs from a short timer). */
void deliver_flush_acks(void);

/* ---- provision.c: the provisioning socket (device linking, §1.6.7) ------------------------ */

/** The socket is up: pick an address, register it, send PUT /v1/address. */
void provision_start(struct session *s);
/** Its address is registered (JOB_PRESENCE_UP came back): send PUT /v1/address. */
void provision_registered(struct session *s);
/** The primary sent the ProvisionEnvelope (BELL_PROVISION): forward it as PUT /v1/message. */
void provision_deliver(struct session *s, const uint8_t *env, size_t len);
/** The client answered; true when the socket is done. */
bool provision_response(struct session *s);

/* ---- doorbell.c: draining this relay's doorbell --------------------------------------------- */

/** Arm the doorbell timer (loop thread). */
void doorbell_start(void);
/** A JOB_DOORBELL came back. */
void doorbell_done(struct job *j);

/* ---- chores.c: the memcached watch and the message expiry sweep ---------------------------- */

#define MC_WATCH_US (1000 * 1000)    /* how often the relay checks memcached for its marker */
#define EXPIRE_PAGE 1000             /* rows per store_msgs_expire call */
#define EXPIRE_BUDGET_MS 20000       /* a sweep stops after this long; the next one goes on */

/** Arm the chore timers (loop thread). */
void chores_start(void);
/** A JOB_MC_WATCH or JOB_EXPIRE came back (their worker side is in work.c). */
void chores_done(struct job *j);

struct relay_state {
    const struct conf *conf;
    const char *relay_id;
    struct lws_context *lws;
    struct lws_vhost *vh;
    volatile int stopping;
};
extern struct relay_state relay;

/** Run the lws service loop until SIGTERM/SIGINT. */
void session_run(const struct conf *conf, const char *relay_id);

#endif
