-- Durable per-device message queues (server-reference.md §1.4, §1.6.8).
--
-- One row per recipient device, clustered by queue so a device's drain reads contiguous pages.
-- seq is a table-wide AUTO_INCREMENT; senders hold the recipient's device rows FOR UPDATE while
-- they insert, so within one device seq order is commit order and a reader paging with
-- "seq > last seen" never skips a row that commits late (messages_db.c).
--
-- envelope is the serialized textsecure.Envelope ready to send. A multi-recipient (sealed sender
-- v2) row instead stores an Envelope without content plus content_prefix (0x22 || C_i || AT_i);
-- the store appends content = content_prefix || message_payloads.data when it reads the row.
--
-- Retention follows the reference: 30 days after the server timestamp for queued envelopes
-- (messages.expiration), 7 days for a shared multi-recipient payload; a stub whose payload has
-- expired is discarded on read.
CREATE TABLE message_payloads (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    data MEDIUMBLOB NOT NULL,               -- e_pub || AES-GCM-SIV ciphertext, shared by all rows
    refs INT NOT NULL,                      -- queued rows still pointing here
    expires_ms BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE messages (
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    guid BINARY(16) NOT NULL,               -- Envelope.server_guid, random v4 per device
    server_ts_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    story TINYINT NOT NULL DEFAULT 0,
    urgent TINYINT NOT NULL DEFAULT 1,
    shared_id BIGINT UNSIGNED NULL,         -- message_payloads.id for multi-recipient rows
    content_prefix VARBINARY(64) NULL,
    envelope MEDIUMBLOB NOT NULL,           -- content up to 96 KiB plus envelope fields
    PRIMARY KEY (aci, device_id, seq),      -- fetch: WHERE aci = ? AND device_id = ? AND seq > ?
    UNIQUE KEY by_guid (guid),              -- ack / DELETE /v1/messages/uuid/{guid}
    KEY by_seq (seq)                        -- AUTO_INCREMENT needs it; expiry sweep walks it
) ENGINE=InnoDB;
