/* Tests for shared/crypto/mrm.c against multi-recipient.json (all 21 messages: recipients,
 * devices, registration ids, excluded recipients, per-recipient payloads, every rejection) plus
 * Signal-Server's extra limits and the UAK XOR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/str.h"
#include "crypto/mrm.h"
#include "test_cx_util.h"

static struct json_object *vec;

static int
suite_init(void)
{
    vec = tcx_load("multi-recipient.json");
    return vec == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    json_object_put(vec);
    return 0;
}

/* The error each rejected vector must produce, by case name. */
static const struct {
    const char *name;
    enum cx_mrm_err err;
} rejections[] = {
    { "empty input", CX_MRM_E_EMPTY },
    { "version byte 0x11", CX_MRM_E_VERSION },
    { "version byte 0x21", CX_MRM_E_VERSION },
    { "version byte 0x24", CX_MRM_E_VERSION },
    { "version byte 0x32", CX_MRM_E_VERSION },
    { "version byte 0x33", CX_MRM_E_VERSION },
    { "shared part 31 bytes", CX_MRM_E_SHARED_SHORT },
    /* the parser then reads the shared part as a second recipient: its first byte (0x36) is no
     * service-id kind.  libsignal reports both as InvalidProtobufEncoding. */
    { "count larger than encoded recipients", CX_MRM_E_SERVICE_ID },
    { "device id 128", CX_MRM_E_DEVICE_ID },
    { "device id 0 after has_more", CX_MRM_E_DEVICE_ID },
    { "service id kind byte 0x02", CX_MRM_E_SERVICE_ID },
    { "excluded recipient later listed with devices", CX_MRM_E_DUPLICATE },
    { "truncated inside key material", CX_MRM_E_TRUNCATED },
};

static int
expected_error(const char *name)
{
    for (size_t i = 0; i < sizeof(rejections) / sizeof(rejections[0]); i++)
        if (strcmp(rejections[i].name, name) == 0)
            return (int)rejections[i].err;
    return -1;
}

static const char *
service_id(struct arena *a, enum svc_kind kind, const uint8_t uuid[16])
{
    char u[37];

    uuid_format(uuid, u);
    return kind == SVC_PNI ? arena_printf(a, "PNI:%s", u) : arena_strdup(a, u);
}

static void
check_accepted(struct arena *a, size_t i, const struct cx_mrm *m)
{
    char p[160];
    size_t nr, nx;

    snprintf(p, sizeof(p), "cases.%zu.recipients", i);
    nr = tcx_len(vec, p);
    CU_ASSERT_EQUAL_FATAL(m->nrecipients, nr);
    for (size_t r = 0; r < nr; r++) {
        const struct cx_mrm_recipient *rc = &m->recipients[r];
        size_t nd;
        uint8_t *pl;

        snprintf(p, sizeof(p), "cases.%zu.recipients.%zu.service_id", i, r);
        CU_ASSERT_STRING_EQUAL(service_id(a, rc->kind, rc->uuid), tcx_str(vec, p));
        snprintf(p, sizeof(p), "cases.%zu.recipients.%zu.device_ids", i, r);
        nd = tcx_len(vec, p);
        CU_ASSERT_EQUAL_FATAL(rc->ndevices, nd);
        for (size_t d = 0; d < nd; d++) {
            snprintf(p, sizeof(p), "cases.%zu.recipients.%zu.device_ids.%zu", i, r, d);
            CU_ASSERT_EQUAL(rc->devices[d].device_id, tcx_int(vec, p));
            snprintf(p, sizeof(p), "cases.%zu.recipients.%zu.registration_ids.%zu", i, r, d);
            CU_ASSERT_EQUAL(rc->devices[d].registration_id, tcx_int(vec, p));
        }
        pl = cx_mrm_payload_new(a, m, rc);
        snprintf(p, sizeof(p), "cases.%zu.recipients.%zu.message_for_recipient", i, r);
        CU_ASSERT_TRUE(tcx_eq_hex(vec, p, pl, cx_mrm_payload_len(m)));
    }
    snprintf(p, sizeof(p), "cases.%zu.excluded_recipients", i);
    nx = tcx_len(vec, p);
    CU_ASSERT_EQUAL_FATAL(m->nexcluded, nx);
    for (size_t x = 0; x < nx; x++) {
        snprintf(p, sizeof(p), "cases.%zu.excluded_recipients.%zu", i, x);
        CU_ASSERT_STRING_EQUAL(service_id(a, m->excluded[x].kind, m->excluded[x].uuid),
                               tcx_str(vec, p));
    }
    snprintf(p, sizeof(p), "cases.%zu.offset_of_shared_data", i);
    CU_ASSERT_EQUAL(m->shared_off, (size_t)tcx_int(vec, p));
}

static void
test_vector_cases(void)
{
    size_t n = tcx_len(vec, "cases");
    int accepted = 0, rejected = 0;
    char p[96];

    CU_ASSERT_EQUAL(n, 21);
    for (size_t i = 0; i < n; i++) {
        struct arena *a = arena_new(4096);
        struct cx_mrm m;
        const char *name;
        uint8_t *msg;
        size_t len;
        enum cx_mrm_err e;

        snprintf(p, sizeof(p), "cases.%zu.name", i);
        name = tcx_str(vec, p);
        snprintf(p, sizeof(p), "cases.%zu.message", i);
        msg = tcx_hex(vec, p, &len);
        snprintf(p, sizeof(p), "cases.%zu.length", i);
        CU_ASSERT_EQUAL(len, (size_t)tcx_int(vec, p));
        e = cx_mrm_parse(a, len == 0 ? NULL : msg, len, &m);
        snprintf(p, sizeof(p), "cases.%zu.accepted", i);
        if (tcx_bool(vec, p)) {
            if (e != CX_MRM_OK)
                fprintf(stderr, "\n%s: %s\n", name, cx_mrm_strerror(e));
            CU_ASSERT_EQUAL_FATAL(e, CX_MRM_OK);
            check_accepted(a, i, &m);
            accepted++;
        } else {
            if ((int)e != expected_error(name))
                fprintf(stderr, "\n%s: got %s\n", name, cx_mrm_strerror(e));
            CU_ASSERT_EQUAL((int)e, expected_error(name));
            CU_ASSERT_EQUAL(m.nrecipients, 0);
            CU_ASSERT_PTR_NULL(m.recipients);
            rejected++;
        }
        free(msg);
        arena_free(a);
    }
    CU_ASSERT_EQUAL(accepted, 8);
    CU_ASSERT_EQUAL(rejected, 13);
}

/*
 * Every prefix of a valid message that cuts into the recipient table or the first 32 shared
 * bytes is rejected; longer prefixes only shorten the ciphertext and still parse.  Each prefix
 * sits in its own allocation, so ASan catches any read past its end.
 */
static void
test_prefixes(void)
{
    uint8_t *msg;
    size_t len, shared_off;
    int checked = 0;

    msg = tcx_hex(vec, "cases.0.message", &len);
    shared_off = (size_t)tcx_int(vec, "cases.0.offset_of_shared_data");
    CU_ASSERT_TRUE_FATAL(len > shared_off + 32);
    for (size_t k = 0; k < len; k++) {
        struct arena *a = arena_new(1024);
        struct cx_mrm m;
        uint8_t *copy = malloc(k + 1);
        enum cx_mrm_err e;

        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, msg, k);
        e = cx_mrm_parse(a, copy, k, &m);
        if (k < shared_off + 32) {
            CU_ASSERT_NOT_EQUAL(e, CX_MRM_OK);
        } else {
            CU_ASSERT_EQUAL(e, CX_MRM_OK);
            CU_ASSERT_EQUAL(m.shared_off, shared_off);
            CU_ASSERT_EQUAL(cx_mrm_payload_len(&m), 1 + 48 + k - shared_off);
        }
        free(copy);
        arena_free(a);
        checked++;
    }
    CU_ASSERT_EQUAL((size_t)checked, len);
    free(msg);
}

/* Builds 0x23, count, then n ACI listings with one device each, then 32 shared bytes. */
static uint8_t *
build(size_t n, bool same_uuid, size_t *len)
{
    size_t cap = 8 + n * (17 + 3 + 48) + 32, o = 0;
    uint8_t *b = calloc(1, cap);
    size_t c = n;

    if (b == NULL)
        abort();
    b[o++] = 0x23;
    do {
        b[o++] = (uint8_t)((c & 0x7f) | (c > 0x7f ? 0x80 : 0));
        c >>= 7;
    } while (c != 0);
    for (size_t i = 0; i < n; i++) {
        b[o++] = 0;                                 /* ACI */
        b[o + 14] = same_uuid ? 0 : (uint8_t)(i >> 8);
        b[o + 15] = same_uuid ? 7 : (uint8_t)i;
        o += 16;
        b[o++] = 1;                                 /* device 1, registration id 5, no more */
        b[o++] = 0;
        b[o++] = 5;
        o += 48;
    }
    o += 32;
    *len = o;
    return b;
}

static void
test_server_limits(void)
{
    struct arena *a = arena_new(1 << 16);
    struct cx_mrm m;
    uint8_t *b, big[8] = { 0x23, 0xff, 0xff, 0xff, 0xff, 0x10 }, uak[16] = { 0 };
    size_t len;

    b = build(CX_MRM_MAX_RECIPIENTS, false, &len);
    CU_ASSERT_EQUAL(cx_mrm_parse(a, b, len, &m), CX_MRM_OK);
    CU_ASSERT_EQUAL(m.nrecipients, CX_MRM_MAX_RECIPIENTS);
    CU_ASSERT_EQUAL(cx_mrm_payload_len(&m), 1 + 48 + 32);
    free(b);
    b = build(CX_MRM_MAX_RECIPIENTS + 1, false, &len);
    CU_ASSERT_EQUAL(cx_mrm_parse(a, b, len, &m), CX_MRM_E_TOO_MANY);
    free(b);

    /* the same ACI listed twice with device 1 each time: merged by libsignal, 400 here */
    b = build(2, true, &len);
    CU_ASSERT_EQUAL(cx_mrm_parse(a, b, len, &m), CX_MRM_E_DUPLICATE_DEVICE);
    b[1 + 1 + 68 + 17] = 2; /* second listing's device -> 2: two devices of one recipient */
    CU_ASSERT_EQUAL_FATAL(cx_mrm_parse(a, b, len, &m), CX_MRM_OK);
    CU_ASSERT_EQUAL(m.nrecipients, 1);
    CU_ASSERT_EQUAL(m.recipients[0].ndevices, 2);
    CU_ASSERT_EQUAL(m.recipients[0].devices[1].device_id, 2);
    CU_ASSERT_EQUAL(m.recipients[0].key_material_off, 1 + 1 + 17 + 3);
    free(b);

    /* count 2^32 + ... (5-byte varint above u32) and an unterminated 10-byte varint */
    CU_ASSERT_EQUAL(cx_mrm_parse(a, big, 6, &m), CX_MRM_E_VARINT);
    memset(big + 1, 0x80, 7);
    CU_ASSERT_EQUAL(cx_mrm_parse(a, big, 8, &m), CX_MRM_E_TRUNCATED);
    /* a non-minimal varint for 0 is accepted as prost accepts it, and libsignal resumes after
     * the minimal length (1 byte), so the padding byte starts the shared part */
    {
        uint8_t z[3 + 31] = { 0x22, 0x80, 0x00 };

        CU_ASSERT_EQUAL(cx_mrm_parse(a, z, sizeof(z), &m), CX_MRM_OK);
        CU_ASSERT_EQUAL(m.shared_off, 2);
        CU_ASSERT_EQUAL(cx_mrm_parse(a, z, sizeof(z) - 1, &m), CX_MRM_E_SHARED_SHORT);
    }

    /* UAK: XOR over recipients, constant-time compare */
    {
        uint8_t k1[16], k2[16], want[16];

        for (int i = 0; i < 16; i++) {
            k1[i] = (uint8_t)(i * 17);
            k2[i] = (uint8_t)(0xa5 ^ i);
            want[i] = k1[i] ^ k2[i];
        }
        cx_uak_xor(uak, k1);
        cx_uak_xor(uak, k2);
        CU_ASSERT_TRUE(cx_uak_equal(uak, want));
        cx_uak_xor(uak, k2);
        CU_ASSERT_TRUE(cx_uak_equal(uak, k1));
        CU_ASSERT_FALSE(cx_uak_equal(uak, want));
    }
    CU_ASSERT_STRING_EQUAL(cx_mrm_strerror(CX_MRM_E_TOO_MANY), "too many recipients");
    arena_free(a);
}

void
tcx_register_mrm(void)
{
    CU_pSuite s = CU_add_suite("mrm", suite_init, suite_clean);

    CU_add_test(s, "vector_cases", test_vector_cases);
    CU_add_test(s, "prefixes", test_prefixes);
    CU_add_test(s, "server_limits", test_server_limits);
}
