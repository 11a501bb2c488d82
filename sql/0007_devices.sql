-- Device-link tokens already spent (server-reference.md §2.4): SHA-256 of the token text, kept
-- until the token would have expired anyway (10 minutes after issue). The INSERT happens in the
-- transaction that adds the device, so a token links at most one device.
CREATE TABLE used_link_tokens (
    token_hash BINARY(32) NOT NULL PRIMARY KEY,
    expires_ms BIGINT NOT NULL,
    KEY by_expiry (expires_ms)
) ENGINE=InnoDB;
