/* Test harness for handler tests: build a struct req, run the real router_dispatch against the
 * private MariaDB/memcached named by HG_TEST_CONF, inspect status and JSON. */
#ifndef HG_TCALL_H
#define HG_TCALL_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct ctx;
struct json_object;

/** The shared test context (NULL when HG_TEST_CONF is unset: DB suites are skipped). */
struct ctx *tcall_ctx(void);
/** The configuration behind tcall_ctx(), writable so a test can flip a switch (and restore it). */
struct conf *tcall_conf(void);

struct tresult {
    int status;
    char *body;               /* NUL-terminated copy (malloc'd, freed by tresult_free) */
    size_t body_len;
    struct json_object *json; /* parsed body or NULL */
    long retry_after;         /* Retry-After response header, -1 when absent */
};

/**
 * Run one call. auth is NULL or "user:password" (sent as Basic), extra is NULL or
 * "name: value" lines (lower-case names, separated by '\n', at most 7); body may be NULL.
 */
struct tresult tcall(const char *method, const char *target, const char *auth, const char *extra,
                     const char *body);
/** tcall with a binary body of body_len bytes. */
struct tresult tcall_bin(const char *method, const char *target, const char *auth,
                         const char *extra, const uint8_t *body, size_t body_len);
void tresult_free(struct tresult *r);
/** Run one call and return only its status. */
int tcall_status(const char *method, const char *target, const char *auth, const char *extra,
                 const char *body);
/** The same without extra headers. */
int tcall_status_u(const char *method, const char *target, const char *auth, const char *body);
/** String member of the JSON body, or NULL. */
const char *tjson_str(const struct tresult *r, const char *key);

#endif
