/* AccountAttributes JSON, shared by POST /v1/registration and PUT /v1/accounts/attributes. */
#ifndef HG_ATTRS_H
#define HG_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct json_object;

struct attrs {
    bool fetches_messages;
    int registration_id;          /* 1..16383 */
    int pni_registration_id;      /* 0 when absent */
    uint8_t *name;                /* encrypted device name, NULL when absent */
    size_t name_len;
    const char *capabilities;     /* normalized JSON object text of the true capabilities */
    bool cap_transfer;
    bool has_capabilities;        /* the object was present (device linking requires it) */
    const char *registration_lock; /* 64 chars or NULL */
    uint8_t *uak;                 /* 16 bytes or NULL */
    bool unrestricted_ua;
    bool discoverable;
    uint8_t *recovery_password;   /* 32 bytes or NULL */
    size_t recovery_password_len;
};

/** Parse and validate; E_UNPROCESSABLE names no field but never accepts bad values. */
enum err attrs_parse(struct arena *a, struct json_object *o, struct attrs *out) HG_MUST_CHECK;
/** Normalize a capabilities object {name: bool} to the JSON text of its true flags (arena). */
enum err attrs_capabilities(struct arena *a, struct json_object *caps,
                            const char **out) HG_MUST_CHECK;

#endif
