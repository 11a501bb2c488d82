/* libcurl plumbing for APNs and FCM. APNs accepts HTTP/2 only, so every request asks for it:
 * CURL_HTTP_VERSION_2TLS negotiates h2 through ALPN on https://, and for http:// base URLs (local
 * test stand-ins) CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE speaks h2c directly. The easy handle is
 * reused so its connection cache keeps the provider connection open between sends. */
#include "push_http.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <curl/curl.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define RESP_MAX (64 * 1024)

struct push_http {
    CURL *curl;
    long timeout_ms;
    char *ca_file;          /* NULL: system store */
    volatile int *stop;     /* abandon transfers when set; may be NULL */
};

/* The response being collected by the callbacks of one request. */
struct sink {
    char buf[RESP_MAX + 1];
    size_t len;
    int64_t retry_after_s;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fatalx("push: curl_global_init failed");
}

struct push_http *
push_http_new(long timeout_ms, const char *ca_file, volatile int *stop)
{
    struct push_http *h = xcalloc(1, sizeof(*h));

    pthread_once(&global_once, global_init);
    h->curl = curl_easy_init();
    if (h->curl == NULL)
        xfatal_oom();
    h->timeout_ms = timeout_ms;
    h->ca_file = ca_file != NULL && ca_file[0] ? xstrdup(ca_file) : NULL;
    h->stop = stop;
    return h;
}

void
push_http_free(struct push_http *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->curl);
    free(h->ca_file);
    free(h);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t len = size * n, room = RESP_MAX - k->len;

    /* keep the first 64 KiB; providers' error bodies are tiny, so the rest is junk */
    memcpy(k->buf + k->len, p, len < room ? len : room);
    k->len += len < room ? len : room;
    return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t len = size * n;
    static const char name[] = "retry-after:";

    if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        int64_t v = 0;
        size_t i = sizeof(name) - 1;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        /* delta-seconds only; an HTTP-date falls back to our own back-off */
        for (; i < len && isdigit((unsigned char)p[i]) && v < 86400; i++)
            v = v * 10 + (p[i] - '0');
        k->retry_after_s = v;
    }
    return len;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct push_http *h = arg;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return h->stop != NULL && *h->stop;     /* nonzero aborts with CURLE_ABORTED_BY_CALLBACK */
}

enum err
push_http_post(struct push_http *h, struct arena *a, const char *url, const char *const *headers,
               const char *body, size_t len, struct push_http_resp *out)
{
    struct sink *k = xcalloc(1, sizeof(*k));
    struct curl_slist *hl = NULL;
    CURL *c = h->curl;
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; headers[i] != NULL; i++) {
        struct curl_slist *n = curl_slist_append(hl, headers[i]);
        if (n == NULL)
            xfatal_oom();
        hl = n;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strncmp(url, "http://", 7) == 0) {
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        /* libcurl before 7.89 breaks a reused prior-knowledge connection ("Error in the HTTP2
         * framing layer", curl/curl#10634): test stand-ins get a connection per request */
        if (curl_version_info(CURLVERSION_NOW)->version_num < 0x075900) {
            curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
            curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        }
    } else {
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
        if (h->ca_file != NULL)
            curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);      /* we are one thread of a daemon */
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms < 5000 ? h->timeout_ms : 5000L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, k);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "heliograph-push/1");
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
    rc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        /* the URL may carry a device token: log only the curl error */
        log_warnx("push: HTTP request failed: %s", curl_easy_strerror(rc));
        free(k);
        return E_UNAVAILABLE;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = arena_memdup(a, k->buf, k->len + 1);   /* buf is zeroed, so NUL-ended */
    out->len = k->len;
    out->retry_after_s = k->retry_after_s;
    free(k);
    return E_OK;
}
