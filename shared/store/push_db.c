/* The sender side of the wake-up push queue (sql/0005_push.sql): one pending row per device,
 * coalesced, urgent wins. The relay's push sender consumes the rows. */
#include "push/push.h"

#include <string.h>

#include "core/str.h"
#include "db.h"
#include "store.h"

/* One statement: the SELECT yields a row only when the device has an APNs or FCM token, so a
 * WebSocket-only device (Desktop) costs no write. A pending row is upgraded to urgent and
 * re-armed (not_before_ms = now): that also voids a lease a sender holds on it while its push is
 * in flight, so the device is pushed again for the newer message (push_store.h). */
static const char SQL_PUSH_ENQUEUE[] =
    "INSERT INTO push_queue (aci, device_id, urgent, attempts, not_before_ms, created_ms) "
    "SELECT d.aci, d.device_id, ?, 0, ?, ? FROM devices d WHERE d.aci = ? AND d.device_id = ? "
    "AND (d.apn_token IS NOT NULL OR d.gcm_token IS NOT NULL) "
    "ON DUPLICATE KEY UPDATE urgent = GREATEST(push_queue.urgent, VALUES(urgent)), "
    "not_before_ms = VALUES(not_before_ms)";

enum err
push_enqueue(struct store *s, const uint8_t aci[16], uint8_t device_id, bool urgent)
{
    int64_t now = now_ms();
    struct dbv p[] = { V_I64(urgent ? 1 : 0), V_I64(now), V_I64(now), V_BLOB(aci, 16),
                       V_I64(device_id) };

    return db_exec(s, NULL, SQL_PUSH_ENQUEUE, p, DB_NPARAMS(p), NULL);
}
