/*
 * Sealed-sender certificates (see cert.h), encoded with protobuf-c from sealed_sender.proto.
 * The signatures cover the serialized inner Certificate messages; the outer messages carry those
 * bytes verbatim, so clients verify exactly what we signed whatever their own encoder would do.
 */
#include "cert.h"

#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/str.h"
#include "crypto/ec.h"
#include "crypto/sealed_sender.pb-c.h"
#include "crypto/xeddsa.h"

/* protobuf-c generates pack/unpack only for top-level messages; the nested Certificate
 * messages go through the generic calls with their descriptors. */
static uint8_t *
pack_msg(struct arena *a, const ProtobufCMessage *m, size_t *len)
{
    uint8_t *out;

    *len = protobuf_c_message_get_packed_size(m);
    out = arena_alloc(a, *len + 1);
    (void)protobuf_c_message_pack(m, out);
    return out;
}

static HgSs__ServerCertificate__Certificate *
server_inner_unpack(const ProtobufCBinaryData *b)
{
    return (HgSs__ServerCertificate__Certificate *)protobuf_c_message_unpack(
        &hg_ss__server_certificate__certificate__descriptor, NULL, b->len, b->data);
}

static HgSs__SenderCertificate__Certificate *
sender_inner_unpack(const ProtobufCBinaryData *b)
{
    return (HgSs__SenderCertificate__Certificate *)protobuf_c_message_unpack(
        &hg_ss__sender_certificate__certificate__descriptor, NULL, b->len, b->data);
}

static void
inner_free(void *m)
{
    protobuf_c_message_free_unpacked(m, NULL);
}

static void
sign_bytes(const uint8_t priv[32], const uint8_t *msg, size_t n, const uint8_t *nonce,
           uint8_t sig[64])
{
    if (nonce != NULL)
        cx_xeddsa_sign_with_nonce(priv, msg, n, nonce, sig);
    else
        cx_xeddsa_sign(priv, msg, n, sig);
}

/* Serialize the outer {1: certificate, 2: signature} wrapper shared by both certificate kinds. */
static uint8_t *
pack_outer(struct arena *a, bool sender, uint8_t *cert, size_t cert_len, uint8_t sig[64],
           size_t *out_len)
{
    uint8_t *out;

    if (sender) {
        HgSs__SenderCertificate m = HG_SS__SENDER_CERTIFICATE__INIT;

        m.has_certificate = m.has_signature = 1;
        m.certificate.data = cert;
        m.certificate.len = cert_len;
        m.signature.data = sig;
        m.signature.len = 64;
        *out_len = hg_ss__sender_certificate__get_packed_size(&m);
        out = arena_alloc(a, *out_len);
        (void)hg_ss__sender_certificate__pack(&m, out);
    } else {
        HgSs__ServerCertificate m = HG_SS__SERVER_CERTIFICATE__INIT;

        m.has_certificate = m.has_signature = 1;
        m.certificate.data = cert;
        m.certificate.len = cert_len;
        m.signature.data = sig;
        m.signature.len = 64;
        *out_len = hg_ss__server_certificate__get_packed_size(&m);
        out = arena_alloc(a, *out_len);
        (void)hg_ss__server_certificate__pack(&m, out);
    }
    return out;
}

enum err
cx_cert_server_new(struct arena *a, uint32_t key_id, const uint8_t server_pub33[33],
                   const uint8_t trust_root_private[32], const uint8_t *nonce, uint8_t **out,
                   size_t *out_len)
{
    HgSs__ServerCertificate__Certificate c = HG_SS__SERVER_CERTIFICATE__CERTIFICATE__INIT;
    uint8_t key[33], sig[64], *inner;
    size_t inner_len;

    if (key_id == CX_CERT_REVOKED_ID || key_id == CX_CERT_TEST_ID
        || server_pub33[0] != CX_EC_TYPE_DJB)
        return E_BAD_REQUEST;
    memcpy(key, server_pub33, sizeof(key));
    c.has_id = c.has_key = 1;
    c.id = key_id;
    c.key.data = key;
    c.key.len = sizeof(key);
    inner = pack_msg(a, &c.base, &inner_len);
    sign_bytes(trust_root_private, inner, inner_len, nonce, sig);
    *out = pack_outer(a, false, inner, inner_len, sig, out_len);
    return E_OK;
}

/* ServerCertificate::deserialize + optional validate, on an already unpacked outer message. */
static enum cx_cert_verdict
server_check_msg(const HgSs__ServerCertificate *m, const uint8_t *trust_root33, uint32_t *key_id,
                 uint8_t *key33)
{
    HgSs__ServerCertificate__Certificate *c;
    enum cx_cert_verdict v = CX_CERT_VALID;
    uint8_t key[33];
    uint32_t id;

    if (!m->has_certificate || !m->has_signature)
        return CX_CERT_MALFORMED;
    c = server_inner_unpack(&m->certificate);
    if (c == NULL)
        return CX_CERT_MALFORMED;
    if (!c->has_key || !c->has_id || cx_ec_pubkey_parse(c->key.data, c->key.len, key) != 0) {
        inner_free(c);
        return CX_CERT_MALFORMED;
    }
    id = c->id;
    inner_free(c);
    if (key_id != NULL)
        *key_id = id;
    if (key33 != NULL)
        memcpy(key33, key, sizeof(key));
    if (trust_root33 != NULL) {
        if (id == CX_CERT_REVOKED_ID)
            v = CX_CERT_INVALID;
        else if (!cx_xeddsa_verify_len(trust_root33, m->certificate.data, m->certificate.len,
                                       m->signature.data, m->signature.len))
            v = CX_CERT_INVALID;
    }
    return v;
}

enum cx_cert_verdict
cx_cert_server_check(const uint8_t *p, size_t n, const uint8_t *trust_root33, uint32_t *key_id,
                     uint8_t *key33)
{
    HgSs__ServerCertificate *m;
    enum cx_cert_verdict v;

    if (p == NULL)
        return CX_CERT_MALFORMED;
    m = hg_ss__server_certificate__unpack(NULL, n, p);
    if (m == NULL)
        return CX_CERT_MALFORMED;
    v = server_check_msg(m, trust_root33, key_id, key33);
    hg_ss__server_certificate__free_unpacked(m, NULL);
    return v;
}

enum err
cx_cert_sender_new(struct arena *a, const struct cx_sender_cert_req *r, uint8_t **out,
                   size_t *out_len)
{
    HgSs__SenderCertificate__Certificate c = HG_SS__SENDER_CERTIFICATE__CERTIFICATE__INIT;
    uint8_t server_key[33], derived[33], identity[33], aci[16], sig[64], *inner;
    char uuid[37];
    size_t inner_len;

    if (r->device_id < 1 || r->device_id > CX_CERT_MAX_DEVICE_ID
        || r->identity_key[0] != CX_EC_TYPE_DJB)
        return E_BAD_REQUEST;
    if (cx_cert_server_check(r->server_cert, r->server_cert_len, NULL, NULL, server_key)
        != CX_CERT_VALID)
        return E_BAD_REQUEST;
    cx_ec_pubkey_derive(r->server_private, derived);
    if (sodium_memcmp(derived, server_key, sizeof(derived)) != 0)
        return E_INTERNAL;

    memcpy(identity, r->identity_key, sizeof(identity));
    memcpy(aci, r->aci, sizeof(aci));
    c.sender_e164 = (char *)r->e164;    /* protobuf-c only reads it */
    c.has_sender_device = 1;
    c.sender_device = r->device_id;
    c.has_expires = 1;
    c.expires = r->expires_ms;
    c.has_identity_key = 1;
    c.identity_key.data = identity;
    c.identity_key.len = sizeof(identity);
    c.signer_case = HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SIGNER_SIGNER_CERTIFICATE;
    c.signer_certificate.data = (uint8_t *)r->server_cert;
    c.signer_certificate.len = r->server_cert_len;
    if (r->uuid_as_string) {
        uuid_format(aci, uuid);
        c.sender_uuid_case = HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SENDER_UUID_UUID_STRING;
        c.uuid_string = uuid;
    } else {
        c.sender_uuid_case = HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SENDER_UUID_UUID_BYTES;
        c.uuid_bytes.data = aci;
        c.uuid_bytes.len = sizeof(aci);
    }
    inner = pack_msg(a, &c.base, &inner_len);
    sign_bytes(r->server_private, inner, inner_len, r->nonce, sig);
    *out = pack_outer(a, true, inner, inner_len, sig, out_len);
    return E_OK;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF): prost refuses to decode
 * a string field otherwise, so libsignal's deserializer rejects such certificates. */
static bool
utf8_valid(const char *str)
{
    const uint8_t *p = (const uint8_t *)str;

    while (*p != 0) {
        uint32_t c;
        int more;

        if (p[0] < 0x80) {
            p++;
            continue;
        }
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
            more = 1;
            c = p[0] & 0x1f;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
            more = 2;
            c = p[0] & 0x0f;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
            more = 3;
            c = p[0] & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= more; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;       /* also stops at the terminating NUL */
            c = c << 6 | (p[i] & 0x3f);
        }
        if ((more == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)))
            || (more == 3 && (c < 0x10000 || c > 0x10ffff)))
            return false;
        p += more + 1;
    }
    return true;
}

/* SenderCertificate::deserialize on the inner message; fills info.  MALFORMED or VALID. */
static enum cx_cert_verdict
sender_fields(struct arena *a, const HgSs__SenderCertificate__Certificate *c,
              struct cx_sender_cert_info *info)
{
    if (!c->has_sender_device || c->sender_device < 1 || c->sender_device > CX_CERT_MAX_DEVICE_ID)
        return CX_CERT_MALFORMED;
    if (!c->has_expires)
        return CX_CERT_MALFORMED;
    memset(info, 0, sizeof(*info));
    switch (c->signer_case) {
    case HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SIGNER_SIGNER_CERTIFICATE: {
        HgSs__ServerCertificate *s = hg_ss__server_certificate__unpack(
            NULL, c->signer_certificate.len, c->signer_certificate.data);
        enum cx_cert_verdict v = CX_CERT_MALFORMED;

        if (s != NULL) {
            v = server_check_msg(s, NULL, &info->server_key_id, info->server_key);
            hg_ss__server_certificate__free_unpacked(s, NULL);
        }
        if (v != CX_CERT_VALID)
            return CX_CERT_MALFORMED;
        info->signer_embedded = true;
        break;
    }
    case HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SIGNER_SIGNER_ID:
        info->signer_id = c->signer_id;
        break;
    default:
        return CX_CERT_MALFORMED;
    }
    switch (c->sender_uuid_case) {
    case HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SENDER_UUID_UUID_STRING:
        if (!utf8_valid(c->uuid_string))
            return CX_CERT_MALFORMED;
        info->sender_uuid = arena_strdup(a, c->uuid_string);
        break;
    case HG_SS__SENDER_CERTIFICATE__CERTIFICATE__SENDER_UUID_UUID_BYTES:
        if (c->uuid_bytes.len != 16)
            return CX_CERT_MALFORMED;
        info->sender_uuid = uuid_str(a, c->uuid_bytes.data);
        break;
    default:
        return CX_CERT_MALFORMED;
    }
    if (!c->has_identity_key
        || cx_ec_pubkey_parse(c->identity_key.data, c->identity_key.len, info->identity_key) != 0)
        return CX_CERT_MALFORMED;
    if (c->sender_e164 != NULL && !utf8_valid(c->sender_e164))
        return CX_CERT_MALFORMED;
    info->sender_e164 = c->sender_e164 != NULL ? arena_strdup(a, c->sender_e164) : NULL;
    info->device_id = c->sender_device;
    info->expires_ms = c->expires;
    return CX_CERT_VALID;
}

/* Signer validation for an embedded ServerCertificate: revoked id and trust-root signature. */
static bool
signer_ok(const HgSs__SenderCertificate__Certificate *c, const uint8_t trust_root33[33])
{
    return cx_cert_server_check(c->signer_certificate.data, c->signer_certificate.len,
                                trust_root33, NULL, NULL) == CX_CERT_VALID;
}

enum cx_cert_verdict
cx_cert_sender_validate(struct arena *a, const uint8_t *p, size_t n,
                        const uint8_t trust_root33[33], uint64_t now_ms,
                        struct cx_sender_cert_info *info)
{
    HgSs__SenderCertificate *m;
    HgSs__SenderCertificate__Certificate *c = NULL;
    struct cx_sender_cert_info local;
    enum cx_cert_verdict v = CX_CERT_MALFORMED;

    if (info == NULL)
        info = &local;
    if (p == NULL)
        return CX_CERT_MALFORMED;
    m = hg_ss__sender_certificate__unpack(NULL, n, p);
    if (m == NULL)
        return CX_CERT_MALFORMED;
    if (m->has_certificate && m->has_signature)
        c = sender_inner_unpack(&m->certificate);
    if (c != NULL)
        v = sender_fields(a, c, info);
    if (v == CX_CERT_VALID) {
        if (!info->signer_embedded || !signer_ok(c, trust_root33))
            v = CX_CERT_INVALID;
        else if (!cx_xeddsa_verify_len(info->server_key, m->certificate.data, m->certificate.len,
                                       m->signature.data, m->signature.len))
            v = CX_CERT_INVALID;
        else if (now_ms > info->expires_ms)
            v = CX_CERT_INVALID;
    }
    if (c != NULL)
        inner_free(c);
    hg_ss__sender_certificate__free_unpacked(m, NULL);
    return v;
}
