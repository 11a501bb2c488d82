/* AccountAttributes (see attrs.h). Limits as Signal's: registration ids 1..0x3FFF, device name
 * at most 225 bytes, access key 16 bytes, recovery password 32 bytes, lock token 64 chars. */
#include "attrs.h"

#include <string.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "json/jx.h"

enum err
attrs_capabilities(struct arena *a, struct json_object *caps, const char **out)
{
    struct json_object *norm = json_object_new_object();

    json_object_object_foreach(caps, k, v)
    {
        /* Unknown names are kept; only true flags matter. */
        if (v != NULL && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v) &&
            strlen(k) < 64)
            json_object_object_add(norm, k, json_object_new_boolean(1));
    }
    *out = arena_strdup(a, json_object_to_json_string_ext(norm, JSON_C_TO_STRING_PLAIN));
    json_object_put(norm);
    return strlen(*out) > 1000 ? E_UNPROCESSABLE : E_OK;
}

static enum err
capabilities(struct arena *a, struct json_object *o, struct attrs *out)
{
    struct json_object *caps, *v;
    enum err e = jx_obj(o, "capabilities", &caps);

    out->capabilities = "{}";
    if (e == E_NOT_FOUND)
        return E_OK;
    if (e != E_OK)
        return e;
    out->has_capabilities = true;
    if (json_object_object_get_ex(caps, "transfer", &v) && v != NULL &&
        json_object_get_boolean(v))
        out->cap_transfer = true;
    return attrs_capabilities(a, caps, &out->capabilities);
}

enum err
attrs_parse(struct arena *a, struct json_object *o, struct attrs *out)
{
    int64_t n;
    size_t len;
    enum err e;

    memset(out, 0, sizeof(*out));
    out->discoverable = true;
    e = jx_optional(jx_bool(o, "fetchesMessages", &out->fetches_messages));
    if (e == E_OK) {
        e = jx_int(o, "registrationId", 1, 0x3fff, &n);
        if (e == E_NOT_FOUND)
            e = E_UNPROCESSABLE;
        out->registration_id = (int)n;
    }
    if (e == E_OK) {
        n = 0;
        e = jx_optional(jx_int(o, "pniRegistrationId", 1, 0x3fff, &n));
        out->pni_registration_id = (int)n;
    }
    if (e == E_OK) {
        e = jx_optional(jx_b64(a, o, "name", 0, &out->name, &out->name_len));
        if (e == E_OK && out->name != NULL && (out->name_len == 0 || out->name_len > 225))
            e = E_UNPROCESSABLE;
    }
    if (e == E_OK)
        e = capabilities(a, o, out);
    if (e == E_OK) {
        e = jx_optional(jx_str(o, "registrationLock", &out->registration_lock));
        if (e == E_OK && out->registration_lock != NULL) {
            len = strlen(out->registration_lock);
            if (len == 0)
                out->registration_lock = NULL;
            else if (len != 64)
                e = E_UNPROCESSABLE;
        }
    }
    if (e == E_OK) {
        e = jx_optional(jx_b64(a, o, "unidentifiedAccessKey", 0, &out->uak, &len));
        if (e == E_OK && out->uak != NULL && len == 0)
            out->uak = NULL;
        else if (e == E_OK && out->uak != NULL && len != 16)
            e = E_UNPROCESSABLE;
    }
    if (e == E_OK)
        e = jx_optional(jx_bool(o, "unrestrictedUnidentifiedAccess", &out->unrestricted_ua));
    if (e == E_OK)
        e = jx_optional(jx_bool(o, "discoverableByPhoneNumber", &out->discoverable));
    if (e == E_OK) {
        e = jx_optional(jx_b64(a, o, "recoveryPassword", 0, &out->recovery_password,
                               &out->recovery_password_len));
        if (e == E_OK && out->recovery_password != NULL && out->recovery_password_len == 0)
            out->recovery_password = NULL;
        else if (e == E_OK && out->recovery_password != NULL && out->recovery_password_len != 32)
            e = E_UNPROCESSABLE;
    }
    return e;
}
