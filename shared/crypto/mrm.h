/*
 * Sealed Sender v2 multi-recipient messages (body of PUT /v1/messages/multi_recipient,
 * Content-Type application/vnd.signal-messenger.mrm; crypto-spec.md §19).  The parser follows
 * libsignal's SealedSenderV2SentMessage::parse rule for rule and adds Signal-Server's limits
 * (recipient count, duplicate devices).  The parsed struct points into the caller's buffer,
 * which must outlive it.  Also the Unidentified-Access-Key XOR used to authorize such sends.
 */
#ifndef HG_CRYPTO_MRM_H
#define HG_CRYPTO_MRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

struct arena;

#define CX_MRM_VERSION_UUID 0x22        /* recipients as raw 16-byte ACIs */
#define CX_MRM_VERSION_SERVICE_ID 0x23  /* recipients as 17-byte kind || uuid */
#define CX_MRM_MAX_RECIPIENTS 5000      /* Signal-Server's cap on the encoded count */
#define CX_MRM_KEY_MATERIAL_LEN 48      /* C_i (32) || AT_i (16) */
#define CX_MRM_MIN_SHARED_LEN 32        /* e_pub, then the ciphertext */
#define CX_UAK_LEN 16

enum cx_mrm_err {
    CX_MRM_OK = 0,
    CX_MRM_E_EMPTY,             /* no bytes at all */
    CX_MRM_E_VERSION,           /* version byte other than 0x22 / 0x23 */
    CX_MRM_E_TRUNCATED,         /* a read went past the end (count larger than the content) */
    CX_MRM_E_VARINT,            /* recipient count is not a varint fitting 32 bits */
    CX_MRM_E_TOO_MANY,          /* count above CX_MRM_MAX_RECIPIENTS */
    CX_MRM_E_SERVICE_ID,        /* 0x23 service-id kind other than ACI (0) or PNI (1) */
    CX_MRM_E_DEVICE_ID,         /* device id above 127, or 0 after a has-more flag */
    CX_MRM_E_DUPLICATE,         /* recipient listed again where either listing has no devices */
    CX_MRM_E_DUPLICATE_DEVICE,  /* the same (service id, device id) twice (Signal-Server: 400) */
    CX_MRM_E_SHARED_SHORT,      /* fewer than 32 shared bytes after the recipients */
};

struct cx_mrm_device {
    uint8_t device_id;              /* 1..127 */
    uint16_t registration_id;       /* low 14 bits of the wire value */
};

struct cx_mrm_recipient {
    enum svc_kind kind;             /* SVC_ACI or SVC_PNI (always ACI for version 0x22) */
    uint8_t uuid[16];
    size_t ndevices;                /* >= 1; listings of the same service id are merged */
    struct cx_mrm_device *devices;  /* arena; in message order */
    size_t key_material_off;        /* offset of C_i || AT_i in the message (first listing) */
};

struct cx_mrm_excluded {
    enum svc_kind kind;
    uint8_t uuid[16];
};

struct cx_mrm {
    const uint8_t *msg;             /* the caller's buffer */
    size_t len;
    uint8_t version;
    size_t nrecipients;             /* may be 0: Signal-Server then answers 400 */
    struct cx_mrm_recipient *recipients;    /* order of first appearance */
    size_t nexcluded;               /* members deliberately not addressed (device byte 0) */
    struct cx_mrm_excluded *excluded;
    size_t shared_off;              /* offset of e_pub || ciphertext */
};

/**
 * Parse msg[0..len).  On CX_MRM_OK *out describes the message (arrays in arena a, pointers into
 * msg).  On error *out is zeroed.  Work and memory are linear in len.
 */
enum cx_mrm_err cx_mrm_parse(struct arena *a, const uint8_t *msg, size_t len, struct cx_mrm *out);

/** Short English text for an error code (for logs and 400 bodies). */
const char *cx_mrm_strerror(enum cx_mrm_err e);

/** Length of each recipient device's content: 1 + 48 + shared bytes. */
size_t cx_mrm_payload_len(const struct cx_mrm *m);

/**
 * Write recipient r's single-recipient message (the Envelope content, type UNIDENTIFIED_SENDER):
 * 0x22 || C_i || AT_i || shared bytes, always version 0x22 whatever the sent version.  out must
 * hold cx_mrm_payload_len(m) bytes.  All devices of a recipient get the same bytes.
 */
void cx_mrm_payload(const struct cx_mrm *m, const struct cx_mrm_recipient *r, uint8_t *out);

/** cx_mrm_payload into fresh arena memory; its length is cx_mrm_payload_len(m). */
uint8_t *cx_mrm_payload_new(struct arena *a, const struct cx_mrm *m,
                            const struct cx_mrm_recipient *r);

/** acc ^= key: fold one recipient's 16-byte unidentified access key into the combined key.
 *  Start from 16 zero bytes; skip recipients with unrestricted unidentified access. */
void cx_uak_xor(uint8_t acc[16], const uint8_t key[16]);

/** Constant-time comparison of the combined key with the one the sender presented. */
bool cx_uak_equal(const uint8_t a[16], const uint8_t b[16]);

#endif
