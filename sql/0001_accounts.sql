-- Accounts, devices, phone-number identifiers, deleted-account records.
CREATE TABLE accounts (
    aci BINARY(16) NOT NULL PRIMARY KEY,
    pni BINARY(16) NOT NULL UNIQUE,
    e164 VARCHAR(20) NULL UNIQUE,
    identity_key VARBINARY(64) NULL,        -- ACI identity public key, 0x05 || u
    pni_identity_key VARBINARY(64) NULL,
    uak BINARY(16) NULL,                    -- unidentified access key
    unrestricted_ua TINYINT NOT NULL DEFAULT 0,
    discoverable TINYINT NOT NULL DEFAULT 1,
    reglock_hash VARCHAR(80) NULL,          -- SaltedTokenHash of the registration lock token
    reglock_salt VARCHAR(40) NULL,
    username_hash BINARY(32) NULL UNIQUE,
    link_handle BINARY(16) NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    version INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;

-- e164 -> PNI is permanent: a number keeps its PNI across re-registrations.
CREATE TABLE phone_number_identifiers (
    e164 VARCHAR(20) NOT NULL PRIMARY KEY,
    pni BINARY(16) NOT NULL UNIQUE
) ENGINE=InnoDB;

-- A deleted account's ACI is reused if the number registers again within 30 days.
CREATE TABLE deleted_accounts (
    e164 VARCHAR(20) NOT NULL PRIMARY KEY,
    aci BINARY(16) NOT NULL,
    expires_ms BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE devices (
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    auth_hash VARCHAR(80) NOT NULL,         -- "2." || hex(HKDF), "!" prefix when locked
    auth_salt VARCHAR(40) NOT NULL,
    registration_id INT NOT NULL,
    pni_registration_id INT NOT NULL DEFAULT 0,
    name VARBINARY(300) NULL,               -- encrypted device name
    fetches_messages TINYINT NOT NULL DEFAULT 0,
    capabilities VARCHAR(1024) NOT NULL DEFAULT '{}',
    apn_token VARCHAR(512) NULL,
    gcm_token VARCHAR(4096) NULL,
    user_agent VARCHAR(64) NULL,
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (aci, device_id)
) ENGINE=InnoDB;

-- Registration recovery passwords, keyed by PNI (SaltedTokenHash of the hex of 32 bytes).
CREATE TABLE recovery_passwords (
    pni BINARY(16) NOT NULL PRIMARY KEY,
    hash VARCHAR(80) NOT NULL,
    salt VARCHAR(40) NOT NULL,
    expires_ms BIGINT NOT NULL
) ENGINE=InnoDB;
