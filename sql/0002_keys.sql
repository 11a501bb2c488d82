-- Pre-keys. identity: 0 = ACI, 1 = PNI. kem: 0 = EC (Curve25519), 1 = KEM (Kyber).
-- One signed key per (device, identity, kind): the EC signed prekey or the KEM last-resort key.
CREATE TABLE signed_prekeys (
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    identity TINYINT NOT NULL,
    kem TINYINT NOT NULL,
    key_id BIGINT NOT NULL,
    public_key VARBINARY(1700) NOT NULL,
    signature VARBINARY(64) NOT NULL,
    PRIMARY KEY (aci, device_id, identity, kem)
) ENGINE=InnoDB;

-- One-time keys are taken (SELECT ... FOR UPDATE SKIP LOCKED, then DELETE) exactly once.
CREATE TABLE onetime_prekeys (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    identity TINYINT NOT NULL,
    kem TINYINT NOT NULL,
    key_id BIGINT NOT NULL,
    public_key VARBINARY(1700) NOT NULL,
    signature VARBINARY(64) NULL,
    KEY by_device (aci, device_id, identity, kem, id)
) ENGINE=InnoDB;
