-- Phone-number verification sessions (the registration-service role, done in-house).
CREATE TABLE verification_sessions (
    id BINARY(16) NOT NULL PRIMARY KEY,
    e164 VARCHAR(20) NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    push_token VARCHAR(4096) NULL,
    push_token_type VARCHAR(8) NULL,
    push_challenge VARCHAR(64) NULL,
    need_push_challenge TINYINT NOT NULL DEFAULT 0,
    need_captcha TINYINT NOT NULL DEFAULT 1,
    mcc VARCHAR(8) NULL,
    mnc VARCHAR(8) NULL,
    code VARCHAR(16) NULL,
    code_transport VARCHAR(8) NULL,
    sms_count INT NOT NULL DEFAULT 0,
    voice_count INT NOT NULL DEFAULT 0,
    attempts INT NOT NULL DEFAULT 0,
    last_sms_ms BIGINT NOT NULL DEFAULT 0,
    last_voice_ms BIGINT NOT NULL DEFAULT 0,
    last_attempt_ms BIGINT NOT NULL DEFAULT 0,
    verified TINYINT NOT NULL DEFAULT 0,
    KEY by_expiry (expires_ms)
) ENGINE=InnoDB;
