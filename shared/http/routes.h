/* The route table type; the table itself is in routes.c. */
#ifndef HG_ROUTES_H
#define HG_ROUTES_H

#include <stddef.h>

#include "api/api.h"

enum auth_mode {
    AUTH_NONE = 0,    /* anyone; handlers may read headers themselves (registration) */
    AUTH_DEVICE,      /* Basic device credentials required (401 otherwise) */
    AUTH_OPTIONAL,    /* device credentials if given (must be valid), else anonymous */
    AUTH_ANONYMOUS,   /* must NOT be authenticated (400 otherwise) */
};

struct route {
    const char *method;
    const char *pattern;   /* "/v2/keys/{identifier}/{device_id}" */
    enum auth_mode auth;
    handler_fn fn;
};

extern const struct route routes[];
extern const size_t routes_count;

#endif
