/* struct resp: what a handler fills; adapters turn it into FastCGI output or a WebSocket response. */
#ifndef HG_RESP_H
#define HG_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/req.h"

struct arena;
struct json_object;

#define RESP_MAX_HEADERS 16

struct resp {
    struct arena *a;
    int status;
    const char *content_type;   /* NULL when there is no body */
    const uint8_t *body;
    size_t body_len;
    struct header headers[RESP_MAX_HEADERS];
    size_t nheaders;
};

void resp_init(struct resp *r, struct arena *a);
/** Add a response header (name as it should be written). Silently drops beyond the cap. */
void resp_header(struct resp *r, const char *name, const char *value);
/** Serialize o as the JSON body with the given status. Takes ownership of o (json_object_put). */
enum err resp_json(struct resp *r, int status, struct json_object *o);
/** Status with empty body. Always E_OK. */
enum err resp_empty(struct resp *r, int status);
/** Body of raw bytes (copied into the arena). */
enum err resp_bytes(struct resp *r, int status, const char *content_type, const void *p, size_t n);
/** The error's status and {"code":N,"message":"..."} body. */
void resp_error(struct resp *r, enum err e);

#endif
