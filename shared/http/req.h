/* struct req: the transport-neutral request every adapter builds (FastCGI env, WebSocket frame). */
#ifndef HG_REQ_H
#define HG_REQ_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum transport { TR_FCGI = 0, TR_WS = 1, TR_TEST = 2 };

struct header {
    const char *name;  /* lower-case */
    const char *value; /* trimmed */
};

/* Credentials a WebSocket carried on its upgrade; they apply to every request on that socket. */
struct sock_auth {
    int present;       /* the socket was authenticated at upgrade */
    uint8_t aci[16];
    uint8_t device_id;
};

struct req {
    const char *method;          /* "GET", "PUT", ... */
    const char *path;            /* decoded path without query, e.g. "/v1/accounts/whoami" */
    const char *query;           /* raw query string without '?', "" if none */
    const struct header *headers;
    size_t nheaders;
    const uint8_t *body;
    size_t body_len;
    const char *peer;            /* client address as text ("" if unknown) */
    enum transport transport;
    struct sock_auth sock;       /* TR_WS only */
    uint64_t id;                 /* request id for logs */
};

/** Value of header lname (lower-case name) or NULL. */
const char *req_header(const struct req *r, const char *lname);
/**
 * Value of query parameter name, percent-decoded into arena memory; NULL if absent.
 * A parameter given without '=' yields "".
 */
const char *req_query(const struct req *r, struct arena *a, const char *name);
/**
 * Split "path?query" into decoded path and raw query (arena memory). Rejects paths that do not
 * start with '/', contain NUL or bad %-escapes. Returns 0 or -1.
 */
int req_split_target(struct arena *a, const char *target, const char **path, const char **query);
/** Percent-decode s into arena memory ('+' kept as '+' unless plus_space). NULL on bad escape. */
char *req_pct_decode(struct arena *a, const char *s, size_t n, int plus_space);

#endif
