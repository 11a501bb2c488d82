/*
 * Sealed-sender certificates (crypto-spec.md §18): the ServerCertificate a trust root signs,
 * and the SenderCertificate the server signs for GET /v1/certificate/delivery, in Signal-Server's
 * layout (fields in number order 1, 2, 3, 4, 5, 7 with the signer embedded).  Validation mirrors
 * libsignal's SenderCertificate.validate so tests and tools can check what clients will accept.
 */
#ifndef HG_CRYPTO_CERT_H
#define HG_CRYPTO_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

#define CX_CERT_REVOKED_ID 0xDEADC357u  /* hard-coded as revoked in libsignal */
#define CX_CERT_TEST_ID 0x7357C357u     /* reserved by Signal-Server's certificate tool */
#define CX_CERT_MAX_DEVICE_ID 127u

/** Outcome of checking a certificate the way a client does. */
enum cx_cert_verdict {
    CX_CERT_VALID = 0,
    CX_CERT_INVALID,        /* well formed, but a signature, the signer, the expiry or a revoked
                             * id makes clients reject it */
    CX_CERT_MALFORMED,      /* libsignal's deserializer already rejects it */
};

/** What cx_cert_sender_new signs.  Every pointer is borrowed for the duration of the call. */
struct cx_sender_cert_req {
    const uint8_t *server_cert;     /* serialized ServerCertificate to embed (field 5) */
    size_t server_cert_len;
    const uint8_t *server_private;  /* 32 bytes: private half of the key in server_cert */
    uint8_t aci[16];                /* the sender's ACI */
    const char *e164;               /* NULL: field 1 omitted (includeE164=false) */
    uint32_t device_id;             /* 1..127 */
    uint64_t expires_ms;            /* now + expiresDays * 86400000 */
    uint8_t identity_key[33];       /* the account's ACI identity key, 0x05 || u */
    bool uuid_as_string;            /* write the UUID as text in field 6 (clients predating the
                                     * binary field 7 know only that form) instead of 16 bytes */
    const uint8_t *nonce;           /* NULL in production; 64 bytes of XEdDSA Z for tests */
};

/** Fields of a parsed SenderCertificate (strings in the arena given to the validator). */
struct cx_sender_cert_info {
    const char *sender_uuid;        /* as libsignal reports it: field 6 text, or field 7 formatted */
    const char *sender_e164;        /* NULL if absent */
    uint32_t device_id;
    uint64_t expires_ms;
    uint8_t identity_key[33];
    bool signer_embedded;           /* false: signer given by id (field 8), see signer_id */
    uint32_t signer_id;
    uint32_t server_key_id;         /* of the embedded ServerCertificate */
    uint8_t server_key[33];
};

/**
 * Serialize a ServerCertificate {1: Certificate{1: key_id, 2: server_pub33}, 2: signature by
 * trust_root_private}.  nonce: NULL (random) or 64 bytes for reproducible tests.  *out is arena
 * memory.  E_BAD_REQUEST if key_id is one of the reserved ids or server_pub33 is not a 0x05 key.
 */
enum err cx_cert_server_new(struct arena *a, uint32_t key_id, const uint8_t server_pub33[33],
                            const uint8_t trust_root_private[32], const uint8_t *nonce,
                            uint8_t **out, size_t *out_len) HG_MUST_CHECK;

/**
 * Parse a serialized ServerCertificate as libsignal does and, if trust_root33 is not NULL, check
 * its signature and the revoked id.  key_id / key33 receive the certified key when the
 * certificate is well formed (either may be NULL).
 */
enum cx_cert_verdict cx_cert_server_check(const uint8_t *p, size_t n, const uint8_t *trust_root33,
                                          uint32_t *key_id, uint8_t *key33);

/**
 * Build and sign a SenderCertificate (see struct cx_sender_cert_req).  *out is arena memory.
 * E_BAD_REQUEST for a device id outside 1..127, an identity key that is not a 0x05 key, or a
 * server certificate that does not parse; E_INTERNAL if server_private is not the private half
 * of the certified key (a configuration error: clients would reject every certificate).
 */
enum err cx_cert_sender_new(struct arena *a, const struct cx_sender_cert_req *r, uint8_t **out,
                            size_t *out_len) HG_MUST_CHECK;

/**
 * Client-side check of a serialized SenderCertificate: structure as libsignal's deserializer
 * demands, then the embedded signer against trust_root33, the sender signature against the
 * signer's key, and now_ms <= expires_ms (the expiry instant itself is still valid).  A signer
 * referenced only by id is CX_CERT_INVALID (only Signal's own certificates resolve that way).
 * info (may be NULL) is filled whenever the certificate is well formed; its strings are in a.
 */
enum cx_cert_verdict cx_cert_sender_validate(struct arena *a, const uint8_t *p, size_t n,
                                             const uint8_t trust_root33[33], uint64_t now_ms,
                                             struct cx_sender_cert_info *info);

#endif
