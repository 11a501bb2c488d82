/* The push sender's HTTP client: libcurl easy handles speaking HTTP/2 (ALPN over TLS for https://,
 * prior knowledge for the cleartext http:// stand-ins used in tests), one per provider so each
 * keeps its own multiplexed connection. Also the outcome type both providers report. */
#ifndef HG_PUSH_HTTP_H
#define HG_PUSH_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct push_http;

/** What became of one notification, as classified by the provider module. */
enum push_verdict {
    PV_SENT = 0,        /* accepted by the provider */
    PV_RETRY,           /* 429, 5xx or transport failure: try again after a back-off */
    PV_AUTH,            /* our credential was refused: refresh it, then retry */
    PV_BAD_TOKEN,       /* the device token is dead: clear it from the device */
    PV_REJECTED,        /* any other refusal: drop the notification (no retry) */
};

struct push_outcome {
    enum push_verdict v;
    long status;                /* HTTP status, 0 when no response arrived */
    int64_t retry_after_s;      /* Retry-After in seconds, 0 when absent */
    char reason[64];            /* provider's reason / error code, "" when none */
};

struct push_http_resp {
    long status;                /* 0: no HTTP response (connect/timeout/protocol error) */
    char *body;                 /* arena memory, NUL-terminated, capped at 64 KiB */
    size_t len;
    int64_t retry_after_s;      /* delta-seconds form of Retry-After only */
};

/**
 * New client; timeout_ms bounds each whole request; ca_file (PEM, "" = the system store) is
 * what TLS peers are verified against; a request in flight is abandoned once *stop (may be
 * NULL) becomes nonzero, so shutting the relay down never waits for a slow provider.
 * Calls curl_global_init once.
 */
struct push_http *push_http_new(long timeout_ms, const char *ca_file, volatile int *stop);
void push_http_free(struct push_http *h);

/**
 * POST body to url. headers is a NULL-terminated list of "Name: value" lines. The response goes
 * to arena a. Returns E_OK when an HTTP response (of any status) arrived, E_UNAVAILABLE when not
 * (out->status is 0 then; the cause is logged without the URL's token part).
 */
enum err push_http_post(struct push_http *h, struct arena *a, const char *url,
                        const char *const *headers, const char *body, size_t len,
                        struct push_http_resp *out) HG_MUST_CHECK;

#endif
