/*
 * SSv2 multi-recipient parser (see mrm.h).  One pass over the recipient table records each
 * listing; listings of the same service id are grouped through a keyed hash (SipHash with a
 * per-call random key, so crafted UUIDs cannot force quadratic probing); a second pass copies
 * the device entries of each group into one array.  Rules and their order follow
 * rust/protocol/src/sealed_sender.rs (SealedSenderV2SentMessage::parse).
 */
#include "mrm.h"

#include <string.h>

#include <sodium.h>

#include "core/arena.h"

struct listing {
    size_t group;
    size_t dev_off;             /* first 3-byte device entry */
    size_t ndev;
};

struct group {
    enum svc_kind kind;
    uint8_t uuid[16];
    size_t ndev;                /* over all listings */
    size_t filled;
    size_t key_material_off;
    size_t out_index;
    uint64_t seen[2];           /* device ids present, for the duplicate check */
};

struct table {
    int32_t *slot;              /* group index or -1 */
    size_t mask;
    uint8_t key[crypto_shorthash_KEYBYTES];
};

static size_t
table_pos(const struct table *t, const uint8_t sid[17])
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, sid, 17, t->key);
    for (size_t i = 0; i < sizeof(h); i++)
        v = v << 8 | h[i];
    return (size_t)v & t->mask;
}

/* Index of the group for sid, creating it (as ngroups) if new; *created tells which. */
static size_t
table_find(struct table *t, struct group *groups, size_t *ngroups, enum svc_kind kind,
           const uint8_t uuid[16], bool *created)
{
    uint8_t sid[17];
    size_t i;

    sid[0] = (uint8_t)kind;
    memcpy(sid + 1, uuid, 16);
    for (i = table_pos(t, sid);; i = (i + 1) & t->mask) {
        int32_t g = t->slot[i];

        if (g < 0)
            break;
        if (groups[g].kind == kind && memcmp(groups[g].uuid, uuid, 16) == 0) {
            *created = false;
            return (size_t)g;
        }
    }
    t->slot[i] = (int32_t)*ngroups;
    groups[*ngroups].kind = kind;
    memcpy(groups[*ngroups].uuid, uuid, 16);
    *created = true;
    return (*ngroups)++;
}

/*
 * prost's length-delimiter decoding: LEB128, at most 10 bytes, the value must fit in u32.
 * libsignal then skips length_delimiter_len(value) bytes, the *minimal* encoding's length, so
 * a padded varint (0x80 0x00 for 0) leaves its extra bytes to be read as what follows; *pos is
 * advanced the same way to split the message exactly where libsignal does.
 */
static enum cx_mrm_err
read_count(const uint8_t *p, size_t len, size_t *pos, uint32_t *out)
{
    uint64_t v = 0;
    size_t at = *pos;

    for (unsigned i = 0; i < 10; i++) {
        uint8_t b;

        if (at >= len)
            return CX_MRM_E_TRUNCATED;
        b = p[at++];
        if (i == 9 && b > 1)
            return CX_MRM_E_VARINT;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            size_t minimal = 1;

            if (v > UINT32_MAX)
                return CX_MRM_E_VARINT;
            for (uint64_t x = v >> 7; x != 0; x >>= 7)
                minimal++;
            *pos += minimal;
            *out = (uint32_t)v;
            return CX_MRM_OK;
        }
    }
    return CX_MRM_E_VARINT;
}

static enum cx_mrm_err
parse(struct arena *a, const uint8_t *msg, size_t len, struct cx_mrm *out)
{
    struct listing *listings;
    struct group *groups;
    struct table t;
    size_t pos = 1, sid_len, ngroups = 0, nrec = 0, nexc = 0, tsize = 16;
    uint32_t count;
    enum cx_mrm_err e;

    if (len == 0)
        return CX_MRM_E_EMPTY;
    if (msg[0] != CX_MRM_VERSION_UUID && msg[0] != CX_MRM_VERSION_SERVICE_ID)
        return CX_MRM_E_VERSION;
    e = read_count(msg, len, &pos, &count);
    if (e != CX_MRM_OK)
        return e;
    if (count > CX_MRM_MAX_RECIPIENTS)
        return CX_MRM_E_TOO_MANY;
    sid_len = msg[0] == CX_MRM_VERSION_UUID ? 16 : 17;
    /* every listing takes at least a service id and one device byte: bounds the allocations */
    if (count > (len - pos) / (sid_len + 1))
        return CX_MRM_E_TRUNCATED;

    listings = arena_alloc(a, (count + 1) * sizeof(*listings));
    groups = arena_alloc(a, (count + 1) * sizeof(*groups));
    while (tsize < 2 * (size_t)count)
        tsize <<= 1;
    t.slot = arena_alloc(a, tsize * sizeof(*t.slot));
    memset(t.slot, 0xff, tsize * sizeof(*t.slot));
    t.mask = tsize - 1;
    randombytes_buf(t.key, sizeof(t.key));

    for (uint32_t i = 0; i < count; i++) {
        struct listing *l = &listings[i];
        enum svc_kind kind = SVC_ACI;
        const uint8_t *uuid;
        bool created;
        size_t g;

        if (len - pos < sid_len)
            return CX_MRM_E_TRUNCATED;
        if (sid_len == 17) {
            if (msg[pos] > 1)
                return CX_MRM_E_SERVICE_ID;
            kind = msg[pos] == 0 ? SVC_ACI : SVC_PNI;
            pos++;
        }
        uuid = msg + pos;
        pos += 16;
        l->dev_off = pos;
        l->ndev = 0;
        for (;;) {
            uint8_t d;
            uint16_t v;

            if (pos >= len)
                return CX_MRM_E_TRUNCATED;
            d = msg[pos++];
            if (d == 0) {
                if (l->ndev != 0)       /* 0 after a has-more flag */
                    return CX_MRM_E_DEVICE_ID;
                break;
            }
            if (d > 127)
                return CX_MRM_E_DEVICE_ID;
            if (len - pos < 2)
                return CX_MRM_E_TRUNCATED;
            v = (uint16_t)(msg[pos] << 8 | msg[pos + 1]);
            pos += 2;
            l->ndev++;
            if ((v & 0x8000) == 0)
                break;
        }
        if (l->ndev != 0) {
            if (len - pos < CX_MRM_KEY_MATERIAL_LEN)
                return CX_MRM_E_TRUNCATED;
        }
        g = table_find(&t, groups, &ngroups, kind, uuid, &created);
        if (created) {
            groups[g].key_material_off = pos;
            if (l->ndev != 0)
                nrec++;
            else
                nexc++;
        } else if (groups[g].ndev == 0 || l->ndev == 0) {
            return CX_MRM_E_DUPLICATE;
        }
        /* a later listing's key material is ignored, as libsignal does */
        if (l->ndev != 0)
            pos += CX_MRM_KEY_MATERIAL_LEN;
        groups[g].ndev += l->ndev;
        l->group = g;
    }
    if (len - pos < CX_MRM_MIN_SHARED_LEN)
        return CX_MRM_E_SHARED_SHORT;

    out->recipients = arena_alloc(a, (nrec + 1) * sizeof(*out->recipients));
    out->excluded = arena_alloc(a, (nexc + 1) * sizeof(*out->excluded));
    for (size_t g = 0; g < ngroups; g++) {
        struct group *gr = &groups[g];

        if (gr->ndev == 0) {
            struct cx_mrm_excluded *x = &out->excluded[out->nexcluded++];

            x->kind = gr->kind;
            memcpy(x->uuid, gr->uuid, 16);
        } else {
            struct cx_mrm_recipient *r = &out->recipients[out->nrecipients];

            gr->out_index = out->nrecipients++;
            r->kind = gr->kind;
            memcpy(r->uuid, gr->uuid, 16);
            r->key_material_off = gr->key_material_off;
            r->devices = arena_alloc(a, gr->ndev * sizeof(*r->devices));
            r->ndevices = gr->ndev;
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        struct listing *l = &listings[i];
        struct group *gr = &groups[l->group];

        for (size_t k = 0; k < l->ndev; k++) {
            const uint8_t *d = msg + l->dev_off + 3 * k;
            struct cx_mrm_device *dev = &out->recipients[gr->out_index].devices[gr->filled++];
            uint64_t bit = (uint64_t)1 << (d[0] & 63);

            if (gr->seen[d[0] >> 6] & bit)
                return CX_MRM_E_DUPLICATE_DEVICE;
            gr->seen[d[0] >> 6] |= bit;
            dev->device_id = d[0];
            dev->registration_id = (uint16_t)((d[1] << 8 | d[2]) & 0x3fff);
        }
    }
    out->msg = msg;
    out->len = len;
    out->version = msg[0];
    out->shared_off = pos;
    return CX_MRM_OK;
}

enum cx_mrm_err
cx_mrm_parse(struct arena *a, const uint8_t *msg, size_t len, struct cx_mrm *out)
{
    enum cx_mrm_err e;

    memset(out, 0, sizeof(*out));
    if (msg == NULL)
        len = 0;
    e = parse(a, msg, len, out);
    if (e != CX_MRM_OK)
        memset(out, 0, sizeof(*out));
    return e;
}

const char *
cx_mrm_strerror(enum cx_mrm_err e)
{
    switch (e) {
    case CX_MRM_OK:
        return "ok";
    case CX_MRM_E_EMPTY:
        return "message is empty";
    case CX_MRM_E_VERSION:
        return "unsupported multi-recipient message version";
    case CX_MRM_E_TRUNCATED:
        return "message is truncated";
    case CX_MRM_E_VARINT:
        return "invalid recipient count";
    case CX_MRM_E_TOO_MANY:
        return "too many recipients";
    case CX_MRM_E_SERVICE_ID:
        return "invalid service id";
    case CX_MRM_E_DEVICE_ID:
        return "invalid device id";
    case CX_MRM_E_DUPLICATE:
        return "recipient redundantly encoded as empty";
    case CX_MRM_E_DUPLICATE_DEVICE:
        return "duplicate recipient device";
    case CX_MRM_E_SHARED_SHORT:
        return "shared part is too short";
    }
    return "unknown error";
}

size_t
cx_mrm_payload_len(const struct cx_mrm *m)
{
    return 1 + CX_MRM_KEY_MATERIAL_LEN + (m->len - m->shared_off);
}

void
cx_mrm_payload(const struct cx_mrm *m, const struct cx_mrm_recipient *r, uint8_t *out)
{
    /* the ReceivedMessage format has not changed since 0x22, whatever version was sent */
    out[0] = CX_MRM_VERSION_UUID;
    memcpy(out + 1, m->msg + r->key_material_off, CX_MRM_KEY_MATERIAL_LEN);
    memcpy(out + 1 + CX_MRM_KEY_MATERIAL_LEN, m->msg + m->shared_off, m->len - m->shared_off);
}

uint8_t *
cx_mrm_payload_new(struct arena *a, const struct cx_mrm *m, const struct cx_mrm_recipient *r)
{
    uint8_t *out = arena_alloc(a, cx_mrm_payload_len(m));

    cx_mrm_payload(m, r, out);
    return out;
}

void
cx_uak_xor(uint8_t acc[16], const uint8_t key[16])
{
    for (size_t i = 0; i < CX_UAK_LEN; i++)
        acc[i] ^= key[i];
}

bool
cx_uak_equal(const uint8_t a[16], const uint8_t b[16])
{
    return sodium_memcmp(a, b, CX_UAK_LEN) == 0;
}
