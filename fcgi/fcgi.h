/* heliograph-fcgi private header, sectioned by file. */
#ifndef HG_FCGI_H
#define HG_FCGI_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct conf;
struct req;
struct resp;

/* adapt.c */

/**
 * Build a struct req from a CGI environment (NULL-terminated "NAME=value" strings) and body.
 * Pure: no libfcgi calls, so unit tests and the fuzz target use it directly.
 * E_BAD_REQUEST for a missing method or malformed target.
 */
enum err fcgi_req_from_env(char **envp, const uint8_t *body, size_t len, struct arena *a,
                           struct req *out) HG_MUST_CHECK;
/** Declared body length from CONTENT_LENGTH (0 when absent); -1 when malformed. */
int64_t fcgi_content_length(char **envp);
/** Serialize resp as CGI output ("Status:", headers, blank line, body) into arena memory. */
size_t fcgi_resp_format(const struct resp *resp, struct arena *a, char **out);

/* worker.c */

/** Run n accept threads on listen_fd until the process is told to stop. */
void fcgi_workers_run(const struct conf *conf, int listen_fd, int n);

#endif
