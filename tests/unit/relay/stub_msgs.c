/* Test scaffolding: weak stand-ins for the message store and delivery_ack, so the relay's unit
 * tests (and a local relay build) link before shared/store/messages_db.c and
 * shared/api/delivery.c are in the library. The real definitions win whenever they are linked. */
#include "api/delivery.h"
#include "store/store.h"

__attribute__((weak)) enum err
store_msgs_fetch(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                 int64_t after_seq, size_t limit, struct msg_rec **out, size_t *n)
{
    (void)s, (void)a, (void)aci, (void)device_id, (void)after_seq, (void)limit;
    *out = NULL;
    *n = 0;
    return E_OK;
}

__attribute__((weak)) enum err
store_msgs_delete(struct store *s, struct arena *a, const uint8_t aci[16], uint8_t device_id,
                  const uint8_t guid[16], struct msg_rec *gone)
{
    (void)s, (void)a, (void)aci, (void)device_id, (void)guid, (void)gone;
    return E_NOT_FOUND;
}

__attribute__((weak)) enum err
delivery_ack(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
             const uint8_t guid[16])
{
    (void)ctx, (void)a, (void)aci, (void)device_id, (void)guid;
    return E_NOT_FOUND;
}
