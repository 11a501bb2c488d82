/* Message logic the relay calls from its worker threads (the relay never builds envelopes or
 * touches SQL itself). */
#ifndef HG_DELIVERY_H
#define HG_DELIVERY_H

#include <stdint.h>

#include "core/err.h"

struct arena;
struct ctx;

/**
 * The device acknowledged (2xx) the envelope with this GUID: delete it and, when it came from an
 * identified sender and was not a receipt itself, queue a SERVER_DELIVERY_RECEIPT envelope to the
 * sender's device (and notify it). E_NOT_FOUND when already gone (not an error for the relay).
 */
enum err delivery_ack(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                      const uint8_t guid[16]) HG_MUST_CHECK;

#endif
