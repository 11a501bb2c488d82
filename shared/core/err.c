/* The only table from enum err to HTTP status and message. */
#include "err.h"

#include <stddef.h>

static const struct {
    int status;
    const char *message;
} table[E__COUNT] = {
    [E_OK] = { 200, "OK" },
    [E_BAD_REQUEST] = { 400, "Bad request" },
    [E_UNAUTHORIZED] = { 401, "Unauthorized" },
    [E_FORBIDDEN] = { 403, "Forbidden" },
    [E_NOT_FOUND] = { 404, "Not found" },
    [E_METHOD] = { 405, "Method not allowed" },
    [E_CONFLICT] = { 409, "Conflict" },
    [E_GONE] = { 410, "Gone" },
    [E_DEVICE_LIMIT] = { 411, "Device limit exceeded" },
    [E_TOO_LARGE] = { 413, "Payload too large" },
    [E_UNSUPPORTED_TYPE] = { 415, "Unsupported media type" },
    [E_TRANSPORT] = { 418, "Transport not allowed" },
    [E_UNPROCESSABLE] = { 422, "Unprocessable entity" },
    [E_LOCKED] = { 423, "Registration lock" },
    [E_RATE_LIMITED] = { 429, "Rate limit exceeded" },
    [E_PROVIDER] = { 440, "Provider error" },
    [E_DEPRECATED] = { 499, "Client deprecated" },
    [E_STORE] = { 500, "Storage error" },
    [E_INTERNAL] = { 500, "Internal error" },
    [E_UNAVAILABLE] = { 503, "Service unavailable" },
};

int
err_status(enum err e)
{
    if ((int)e < 0 || e >= E__COUNT)
        return 500;
    return table[e].status;
}

const char *
err_message(enum err e)
{
    if ((int)e < 0 || e >= E__COUNT)
        return "Internal error";
    return table[e].message;
}

const char *
err_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 440: return "Provider Error";
    case 499: return "Client Deprecated";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}
