/* Message logic the relay calls from its worker threads (the relay never builds envelopes or
 * touches SQL itself). */
#ifndef HG_DELIVERY_H
#define HG_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct arena;
struct ctx;
struct Textsecure__Envelope;

/**
 * The device acknowledged (2xx) the envelope with this GUID: delete it and, when it came from an
 * identified sender and was not a receipt itself, queue a SERVER_DELIVERY_RECEIPT envelope to the
 * sender (every device of the sender's account, as the reference's ReceiptSender does) and
 * notify those devices. A failed receipt is logged, not returned: the ack itself succeeded.
 * E_NOT_FOUND when already gone (not an error for the relay).
 */
enum err delivery_ack(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                      const uint8_t guid[16]) HG_MUST_CHECK;

struct msg_key;

/**
 * delivery_ack for many (device, GUID) pairs at once: the envelopes are deleted in one
 * transaction and every receipt they call for goes out as ONE delivery_send batch. *acked =
 * envelopes removed (the others were already gone). A failed receipt is logged, not returned.
 */
enum err delivery_ack_many(struct ctx *ctx, struct arena *a, const struct msg_key *keys,
                           size_t n, size_t *acked) HG_MUST_CHECK;

/* ---- queueing envelopes (messages.c sends, receipts) ---- */

/** One envelope for one device. */
struct delivery_item {
    uint8_t aci[16];
    uint8_t device_id;
    struct Textsecure__Envelope *env;   /* every field but the server GUID (delivery sets it) */
    const uint8_t *content_prefix;      /* multi-recipient only: content = prefix || shared */
    size_t content_prefix_len;
    bool online;                        /* out: the device held a socket when notified */
};

struct delivery_batch {
    struct delivery_item *items;
    size_t n;
    bool ephemeral;                     /* online-only: never stored, never pushed */
    const uint8_t *shared;              /* multi-recipient payload stored once, or NULL */
    size_t shared_len;
    const uint8_t *report_source;       /* identified sender to another account: attach a
                                         * report-spam token naming this ACI, or NULL */
};

/**
 * Give every item a fresh server GUID and deliver: durable batches are stored in one transaction,
 * then each device's relay is rung (BELL_NEW) and offline devices get a push queued; ephemeral
 * batches are only rung (BELL_EPHEMERAL, envelope attached) to devices that are connected.
 * Errors after the commit (doorbell, push queue) are logged, not returned: the envelopes are
 * safely queued and the relay's periodic check finds them.
 */
enum err delivery_send(struct ctx *ctx, struct arena *a, struct delivery_batch *b) HG_MUST_CHECK;

/** Compact binary service id (16 bytes ACI, 0x01 || uuid for PNI) in arena memory. */
uint8_t *delivery_service_id(struct arena *a, enum svc_kind kind, const uint8_t uuid[16],
                             size_t *len);
/** "uuid" or "PNI:uuid" in arena memory. */
char *delivery_service_id_str(struct arena *a, enum svc_kind kind, const uint8_t uuid[16]);
/** Parse a compact (or 17-byte fixed-width) binary service id. Returns 0 or -1. */
int delivery_service_id_parse(const uint8_t *p, size_t n, enum svc_kind *kind, uint8_t uuid[16]);
/** Set the envelope's destination (binary field 20 and string field 13). */
void delivery_env_destination(struct arena *a, struct Textsecure__Envelope *env,
                              enum svc_kind kind, const uint8_t uuid[16]);
/** Set an identified sender (fields 19 and 11, and source_device). */
void delivery_env_source(struct arena *a, struct Textsecure__Envelope *env, enum svc_kind kind,
                         const uint8_t uuid[16], uint8_t device_id);
/** Decode a stored Envelope into arena memory (NULL if malformed). */
struct Textsecure__Envelope *delivery_env_decode(struct arena *a, const uint8_t *p, size_t n);

#endif
