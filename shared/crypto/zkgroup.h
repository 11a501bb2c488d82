/*
 * zkgroup server operations for the chat server: credential issuance, request/presentation
 * verification, group-send tokens, donation permits and username proofs (crypto-spec.md §10–§16).
 * This is the header handlers include; parameter sets come from crypto/zkparams.h.
 *
 * Conventions for every function here:
 *  - inputs are the raw wire bytes (already base64/hex-decoded by the caller);
 *  - issuance functions return a buffer allocated with malloc in *out (caller frees with free())
 *    and its length in *out_len; *out is NULL on error;
 *  - randomness is 32 bytes from the caller (randombytes_buf in production, fixed in tests);
 *  - E_BAD_REQUEST: the input does not parse (wrong length, version byte, invalid point,
 *    non-canonical scalar, trailing bytes, unknown enum value);
 *  - E_UNAUTHORIZED: it parses but the proof, token or time window does not verify (handlers map
 *    this to the status Signal-Server uses for that endpoint: 400, 401, 403 or 422);
 *  - times are seconds since the epoch.
 */
#ifndef HG_CRYPTO_ZKGROUP_H
#define HG_CRYPTO_ZKGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "crypto/zkparams.h"

#define ZK_AUTH_CREDENTIAL_RESPONSE_LEN 425

/**
 * AuthCredentialWithPni (zkc, version byte 0x03) for one redemption day, for
 * GET /v1/certificate/auth/group.  Uses the generic key inside ServerSecretParams.  Validating
 * the redemption range is the handler's job.  Always E_OK; *out is 425 bytes.
 */
enum err zk_issue_auth_credential_with_pni(const struct zk_server_secret *sp,
                                           const uint8_t aci[16], const uint8_t pni[16],
                                           uint64_t redemption_time, const uint8_t randomness[32],
                                           uint8_t **out, size_t *out_len) HG_MUST_CHECK;
/**
 * Same for an account without a PNI: the PNI attribute is the false PNI derived from the
 * account's authCredentialSalt (issueAuthCredentialZkcWithoutPni).
 */
enum err zk_issue_auth_credential_without_pni(const struct zk_server_secret *sp,
                                              const uint8_t aci[16], const uint8_t *salt,
                                              size_t salt_len, uint64_t redemption_time,
                                              const uint8_t randomness[32], uint8_t **out,
                                              size_t *out_len) HG_MUST_CHECK;

#define ZK_CALL_LINK_AUTH_RESPONSE_LEN 361
#define ZK_CREATE_CALL_LINK_REQUEST_LEN 97
#define ZK_CREATE_CALL_LINK_RESPONSE_LEN 465

/**
 * CallLinkAuthCredentialResponse for one redemption day (GET /v1/certificate/auth/group, list
 * callLinkAuthCredentials), with the calling GenericServerSecretParams; the version byte and the
 * zkcredential mode follow the params.  Always E_OK; *out is 361 bytes.
 */
enum err zk_issue_call_link_auth_credential(const struct zk_generic_secret *gp,
                                            const uint8_t aci[16], uint64_t redemption_time,
                                            const uint8_t randomness[32], uint8_t **out,
                                            size_t *out_len) HG_MUST_CHECK;
/**
 * CreateCallLinkCredentialResponse (POST /v1/call-link/create-auth) for a 97-byte
 * CreateCallLinkCredentialRequest, timestamp = now truncated to the day (caller's choice).
 * E_BAD_REQUEST if the request does not parse; otherwise E_OK and 465 bytes in *out.
 */
enum err zk_issue_create_call_link_credential(const struct zk_generic_secret *gp,
                                              const uint8_t *request, size_t request_len,
                                              const uint8_t aci[16], uint64_t timestamp,
                                              const uint8_t randomness[32], uint8_t **out,
                                              size_t *out_len) HG_MUST_CHECK;

#define ZK_GROUP_SEND_TOKEN_LEN 33

/* A service id in fixed-width form: kind 0 = ACI, 1 = PNI, then the 16 UUID bytes. */
struct zk_service_id {
    uint8_t kind;
    uint8_t uuid[16];
};

/**
 * Verify a GroupSendFullToken (Group-Send-Token header, after base64 decoding) for exactly the
 * given recipients (order irrelevant; duplicates count twice, so reject them first) at time now.
 * E_BAD_REQUEST if the token does not parse, E_UNAUTHORIZED if it is expired (now > expiration)
 * or does not match; E_OK if valid.  An empty recipient list never verifies.
 */
enum err zk_verify_group_send_token(const struct zk_server_secret *sp, const uint8_t *token,
                                    size_t token_len, const struct zk_service_id *recipients,
                                    size_t n_recipients, uint64_t now) HG_MUST_CHECK;

#define ZK_PROFILE_KEY_COMMITMENT_LEN 97
#define ZK_PROFILE_KEY_CREDENTIAL_REQUEST_LEN 329
#define ZK_EXPIRING_PROFILE_KEY_RESPONSE_LEN 497

/**
 * Check that a stored ProfileKeyCommitment (PUT /v1/profile) deserializes: E_OK or E_BAD_REQUEST.
 */
enum err zk_check_profile_key_commitment(const uint8_t *commitment, size_t len) HG_MUST_CHECK;
/**
 * GET /v1/profile/{aci}/{version}/{request}?credentialType=expiringProfileKey: verify the
 * ProfileKeyCredentialRequest proof against the stored commitment, then issue an
 * ExpiringProfileKeyCredentialResponse for aci expiring at expiration (day-aligned, caller's
 * choice: now + 7 days truncated to the day).  E_BAD_REQUEST if request or commitment does not
 * parse, E_UNAUTHORIZED if the proof does not verify (Signal-Server answers 400 for both);
 * E_OK and 497 bytes in *out otherwise.  The proof does not bind the ACI.
 */
enum err zk_issue_expiring_profile_key_credential(const struct zk_server_secret *sp,
                                                  const uint8_t *request, size_t request_len,
                                                  const uint8_t *commitment,
                                                  size_t commitment_len, const uint8_t aci[16],
                                                  uint64_t expiration,
                                                  const uint8_t randomness[32], uint8_t **out,
                                                  size_t *out_len) HG_MUST_CHECK;

#define ZK_RECEIPT_CREDENTIAL_REQUEST_LEN 97
#define ZK_RECEIPT_CREDENTIAL_RESPONSE_LEN 409
#define ZK_RECEIPT_PRESENTATION_LEN 329

/**
 * ReceiptCredentialResponse for a 97-byte ReceiptCredentialRequest (POST
 * /v1/subscription/.../receipt_credentials and friends).  expiration must be day-aligned for
 * clients to accept it (caller's job).  E_BAD_REQUEST if the request does not parse; E_OK and
 * 409 bytes in *out otherwise.
 */
enum err zk_issue_receipt_credential(const struct zk_server_secret *sp, const uint8_t *request,
                                     size_t request_len, uint64_t expiration, uint64_t level,
                                     const uint8_t randomness[32], uint8_t **out,
                                     size_t *out_len) HG_MUST_CHECK;
/**
 * Verify a ReceiptCredentialPresentation.  On E_OK the receipt's expiration, level and 16-byte
 * serial are written out for the caller's checks (expiry, level, double-spend).  E_BAD_REQUEST if
 * it does not parse, E_UNAUTHORIZED if the proof fails.  Output parameters may not be NULL.
 */
enum err zk_verify_receipt_presentation(const struct zk_server_secret *sp,
                                        const uint8_t *presentation, size_t len,
                                        uint64_t *expiration, uint64_t *level,
                                        uint8_t serial[16]) HG_MUST_CHECK;

#define ZK_BACKUP_AUTH_REQUEST_LEN 97
#define ZK_BACKUP_AUTH_RESPONSE_LEN 417

/* BackupLevel and BackupCredentialType values libsignal accepts. */
#define ZK_BACKUP_LEVEL_FREE 200
#define ZK_BACKUP_LEVEL_PAID 201
#define ZK_BACKUP_TYPE_MESSAGES 1
#define ZK_BACKUP_TYPE_MEDIA 2

/** Check that a stored BackupAuthCredentialRequest (PUT /v1/archives/backupid) deserializes. */
enum err zk_check_backup_auth_request(const uint8_t *request, size_t len) HG_MUST_CHECK;
/**
 * BackupAuthCredentialResponse (GET /v1/archives/auth) for a stored request, one per
 * (credential type, day), with the chat GenericServerSecretParams.  E_BAD_REQUEST if the request
 * does not parse or level/type are not known values; E_OK and 417 bytes in *out otherwise.
 */
enum err zk_issue_backup_auth_credential(const struct zk_generic_secret *gp,
                                         const uint8_t *request, size_t request_len,
                                         uint64_t redemption_time, uint64_t level,
                                         uint64_t credential_type, const uint8_t randomness[32],
                                         uint8_t **out, size_t *out_len) HG_MUST_CHECK;

/* What a verified backup presentation proves. */
struct zk_backup_auth {
    uint64_t level;
    uint64_t credential_type;
    uint64_t redemption_time;
    uint8_t backup_id[16];
};

/**
 * Verify a BackupAuthCredentialPresentation (X-Signal-ZK-Auth, decoded) at time now: the window
 * redemption − 1 day ≤ now ≤ redemption + 2 days (inclusive), then the proof.  E_BAD_REQUEST if it
 * does not parse (including unknown level/type), E_UNAUTHORIZED if outside the window or the proof
 * fails; on E_OK *auth is filled.
 */
enum err zk_verify_backup_presentation(const struct zk_generic_secret *gp,
                                       const uint8_t *presentation, size_t len, uint64_t now,
                                       struct zk_backup_auth *auth) HG_MUST_CHECK;
/**
 * X-Signal-ZK-Auth-Signature: the XEdDSA signature by the backup id's key (33 bytes, 0x05 || u)
 * over the entire serialized presentation.  E_OK if valid, else E_UNAUTHORIZED.  Signal-Server
 * verifies the presentation first, then this.
 */
enum err zk_verify_backup_signature(const uint8_t public_key[33], const uint8_t *presentation,
                                    size_t len, const uint8_t *signature, size_t sig_len)
    HG_MUST_CHECK;

#define ZK_DONATION_PERMIT_LEN 65
#define ZK_DONATION_MAX_PERMITS 256

/** Default donation-permit expiration for now: start of day + 2 days, + 1 more day if that is
 *  less than 25 hours away (endorsement_expiration.rs). */
uint64_t zk_donation_default_expiration(uint64_t now);
/**
 * POST /v1/donation/permit: endorse the request's n blinded points (1 ≤ n ≤
 * ZK_DONATION_MAX_PERMITS) with the donation key derived for expiration.  E_BAD_REQUEST if the
 * request does not parse or is empty (libsignal panics on n = 0); E_OK and the
 * DonationPermitResponse in *out otherwise.
 */
enum err zk_issue_donation_permits(const struct zk_server_secret *sp, const uint8_t *request,
                                   size_t request_len, uint64_t expiration,
                                   const uint8_t randomness[32], uint8_t **out, size_t *out_len)
    HG_MUST_CHECK;
/**
 * Verify a DonationPermit (Donation-Permit header, decoded; 65 bytes) at now: expiration
 * day-aligned and 2 h ≤ expiration − now ≤ 7 days, token matching.  On E_OK the 32-byte spend id
 * (the nonce) is copied to spend_id for the caller's spend-once record.  E_BAD_REQUEST if it does
 * not parse, E_UNAUTHORIZED otherwise.
 */
enum err zk_verify_donation_permit(const struct zk_server_secret *sp, const uint8_t *permit,
                                   size_t len, uint64_t now, uint8_t spend_id[32]) HG_MUST_CHECK;

#endif
