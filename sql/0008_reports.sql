-- Spam reports (POST /v1/messages/report/{source}/{messageGuid}, server-reference.md §2.5.4),
-- kept for operators: the reference hands them to its closed spam filter, which we do not have.
--
-- verified says the report came with a report-spam token that proves this server delivered
-- message_guid from source_aci to reporter_aci within the last 7 days (the reference's
-- SHA-256(guid || sender) lookup; our token carries the proof, shared/api/reports.c). A message
-- is reported at most once per reporter (the reference removes its hash on the first report).
-- Rows are kept until an operator deletes them.
CREATE TABLE message_reports (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    reporter_aci BINARY(16) NOT NULL,
    message_guid BINARY(16) NOT NULL,
    source_aci BINARY(16) NULL,             -- NULL when an E164 names no known account
    source_pni BINARY(16) NULL,
    source_e164 VARCHAR(20) NULL,
    source_deleted TINYINT NOT NULL DEFAULT 0,  -- no account for source when reported
    verified TINYINT NOT NULL DEFAULT 0,
    token VARBINARY(255) NULL,              -- the client's token as sent (non-empty)
    created_ms BIGINT NOT NULL,
    UNIQUE KEY once (reporter_aci, message_guid),
    KEY by_source (source_aci, created_ms)  -- "how often was this sender reported lately"
) ENGINE=InnoDB;
