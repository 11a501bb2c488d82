/* One error enum for the whole tree and its single mapping to HTTP status + JSON body (err.c). */
#ifndef HG_ERR_H
#define HG_ERR_H

enum err {
    E_OK = 0,
    E_BAD_REQUEST,      /* 400: malformed JSON, bad path parameter, bad base64 */
    E_UNAUTHORIZED,     /* 401: missing or wrong credentials / access key */
    E_FORBIDDEN,        /* 403 */
    E_NOT_FOUND,        /* 404: unknown route or entity */
    E_METHOD,           /* 405: path known, verb not */
    E_CONFLICT,         /* 409 (handlers attach detail bodies) */
    E_GONE,             /* 410 */
    E_DEVICE_LIMIT,     /* 411 */
    E_TOO_LARGE,        /* 413 */
    E_UNSUPPORTED_TYPE, /* 415: wrong Content-Type */
    E_TRANSPORT,        /* 418: verification transport not allowed */
    E_UNPROCESSABLE,    /* 422: well-formed but invalid (bad signature, wrong length) */
    E_LOCKED,           /* 423: registration lock */
    E_RATE_LIMITED,     /* 429: router adds Retry-After */
    E_PROVIDER,         /* 440: SMS provider refused */
    E_DEPRECATED,       /* 499: client or capability too old */
    E_STORE,            /* 500: database or cache failure, logged with detail */
    E_INTERNAL,         /* 500: impossible state */
    E_UNAVAILABLE,      /* 503: dependency down */
    E__COUNT
};

/** HTTP status for an error code (200 for E_OK). */
int err_status(enum err e);
/** Reason phrase for an HTTP status ("OK", "Not Found", ...); "Unknown" if unlisted. */
const char *err_reason(int status);
/** Short human text used in the JSON error body {"code":N,"message":"..."}. */
const char *err_message(enum err e);

#define HG_MUST_CHECK __attribute__((warn_unused_result))

#endif
