-- Durable queue of wake-up pushes for devices that held no socket when a message arrived.
-- Written by senders (push_enqueue, in the same transaction as the envelope), consumed by the
-- push sender thread in heliograph-relay, which claims rows with SELECT ... FOR UPDATE SKIP LOCKED.
CREATE TABLE push_queue (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    urgent TINYINT NOT NULL DEFAULT 1,
    attempts INT NOT NULL DEFAULT 0,
    not_before_ms BIGINT NOT NULL,          -- retry back-off
    created_ms BIGINT NOT NULL,
    UNIQUE KEY one_per_device (aci, device_id),   -- pending pushes coalesce per device
    KEY due (not_before_ms)
) ENGINE=InnoDB;
