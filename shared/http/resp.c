/* Response builders. JSON goes out as json-c's plain form without slash escaping. */
#include "resp.h"

#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"

void
resp_init(struct resp *r, struct arena *a)
{
    memset(r, 0, sizeof(*r));
    r->a = a;
    r->status = 500;
}

void
resp_header(struct resp *r, const char *name, const char *value)
{
    if (r->nheaders >= RESP_MAX_HEADERS)
        return;
    r->headers[r->nheaders].name = arena_strdup(r->a, name);
    r->headers[r->nheaders].value = arena_strdup(r->a, value);
    r->nheaders++;
}

enum err
resp_json(struct resp *r, int status, struct json_object *o)
{
    size_t n;
    const char *s = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

    r->status = status;
    r->content_type = "application/json";
    r->body = arena_memdup(r->a, s, n);
    r->body_len = n;
    json_object_put(o);
    return E_OK;
}

enum err
resp_empty(struct resp *r, int status)
{
    r->status = status;
    r->content_type = NULL;
    r->body = NULL;
    r->body_len = 0;
    return E_OK;
}

enum err
resp_bytes(struct resp *r, int status, const char *content_type, const void *p, size_t n)
{
    r->status = status;
    r->content_type = content_type;
    r->body = arena_memdup(r->a, p, n);
    r->body_len = n;
    return E_OK;
}

void
resp_error(struct resp *r, enum err e)
{
    struct json_object *o = json_object_new_object();
    int status = err_status(e);

    json_object_object_add(o, "code", json_object_new_int(status));
    json_object_object_add(o, "message", json_object_new_string(err_message(e)));
    (void)resp_json(r, status, o);
}
