/* Report-spam tokens: what the server attaches to envelopes from identified senders
 * (Envelope.report_spam_token, field 17) and takes back with a spam report. The reference gets
 * its tokens from a closed spam filter; ours are a MAC the server can check without state. */
#ifndef HG_REPORTS_H
#define HG_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server_keys;

#define REPORT_TOKEN_LEN 25                         /* 0x01 || server_ts_ms (8) || mac (16) */
#define REPORT_TOKEN_TTL_MS (7LL * 86400 * 1000)    /* reference: reportMessage.reportTtl */

/**
 * Token for the envelope with this server GUID and timestamp, sent by source_aci to the account
 * reporter_aci. False (nothing written) when report_spam_secret is not configured.
 */
bool reports_token_new(const struct server_keys *k, const uint8_t source_aci[16],
                       const uint8_t reporter_aci[16], const uint8_t guid[16], int64_t server_ts_ms,
                       uint8_t out[REPORT_TOKEN_LEN]);

/** True when tok is a token this server made for exactly (source, reporter, guid), no older
 *  than REPORT_TOKEN_TTL_MS at now_ms. */
bool reports_token_check(const struct server_keys *k, const uint8_t *tok, size_t len,
                         const uint8_t source_aci[16], const uint8_t reporter_aci[16],
                         const uint8_t guid[16], int64_t now_ms);

#endif
