/* Pre-key JSON: {"keyId":N,"publicKey":"<b64>","signature":"<b64>"}. Key ids are 0..2^31-1 on
 * input (Signal's limit, although they are stored as 64-bit). */
#include "prekey.h"

#include <string.h>

#include <json-c/json.h>

#include "core/b64.h"
#include "crypto/cx.h"
#include "json/jx.h"

static enum err
parse_key(struct arena *a, struct json_object *o, bool kem, int64_t *id, uint8_t **pub,
          size_t *pub_len)
{
    enum err e = jx_int(o, "keyId", 0, 0x7fffffff, id);
    uint8_t canon[33];

    if (e == E_OK)
        e = jx_b64(a, o, "publicKey", 0, pub, pub_len);
    if (e == E_NOT_FOUND)
        return E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (kem) {
        if (cx_kem_pubkey_parse(*pub, *pub_len) != 0)
            return E_UNPROCESSABLE;
    } else {
        if (cx_ec_pubkey_parse(*pub, *pub_len, canon) != 0)
            return E_UNPROCESSABLE;
        memcpy(*pub, canon, 33); /* store the canonical 33 bytes */
        *pub_len = 33;
    }
    return E_OK;
}

static enum err
parse_sig(struct arena *a, struct json_object *o, const uint8_t identity_key[33],
          const uint8_t *pub, size_t pub_len, uint8_t **sig, size_t *sig_len)
{
    enum err e = jx_b64(a, o, "signature", 0, sig, sig_len);

    if (e == E_NOT_FOUND)
        return E_UNPROCESSABLE;
    if (e != E_OK)
        return e;
    if (*sig_len != 64 || !cx_xeddsa_verify(identity_key, pub, pub_len, *sig))
        return E_UNPROCESSABLE;
    return E_OK;
}

enum err
prekey_parse_signed(struct arena *a, struct json_object *o, bool kem,
                    const uint8_t identity_key[33], struct signed_key *out)
{
    uint8_t *pub, *sig;
    size_t pub_len, sig_len;
    enum err e;

    if (o == NULL || !json_object_is_type(o, json_type_object))
        return E_UNPROCESSABLE;
    e = parse_key(a, o, kem, &out->key_id, &pub, &pub_len);
    if (e == E_OK)
        e = parse_sig(a, o, identity_key, pub, pub_len, &sig, &sig_len);
    if (e != E_OK)
        return e;
    out->pub = pub;
    out->pub_len = pub_len;
    out->sig = sig;
    out->sig_len = sig_len;
    return E_OK;
}

enum err
prekey_parse_onetime(struct arena *a, struct json_object *o, bool kem,
                     const uint8_t identity_key[33], struct onetime_key *out)
{
    uint8_t *pub, *sig = NULL;
    size_t pub_len, sig_len = 0;
    enum err e;

    if (o == NULL || !json_object_is_type(o, json_type_object))
        return E_UNPROCESSABLE;
    memset(out, 0, sizeof(*out));
    e = parse_key(a, o, kem, &out->key_id, &pub, &pub_len);
    if (e == E_OK && kem)
        e = parse_sig(a, o, identity_key, pub, pub_len, &sig, &sig_len);
    if (e != E_OK)
        return e;
    out->pub = pub;
    out->pub_len = pub_len;
    out->sig = sig;
    out->sig_len = sig_len;
    return E_OK;
}

enum err
prekey_parse_identity(struct arena *a, struct json_object *o, const char *field, uint8_t out[33])
{
    uint8_t *raw;
    size_t n;
    enum err e = jx_b64(a, o, field, 0, &raw, &n);

    if (e != E_OK)
        return e;
    if (cx_ec_pubkey_parse(raw, n, out) != 0)
        return E_UNPROCESSABLE;
    return E_OK;
}

struct json_object *
prekey_signed_json(struct arena *a, const struct signed_key *k)
{
    struct json_object *o = jx_new();

    jx_set_int(o, "keyId", k->key_id);
    jx_set_b64(a, o, "publicKey", k->pub, k->pub_len, B64_STD_PAD);
    jx_set_b64(a, o, "signature", k->sig, k->sig_len, B64_STD_NOPAD);
    return o;
}
