/* Verification-code senders: "dev" (fixed code from config, appended to a log in the state
 * folder) and "twilio" (Twilio-compatible Messages API at a configurable base URL, via libcurl). */
#ifndef HG_SENDER_H
#define HG_SENDER_H

#include <stddef.h>

#include "core/err.h"

struct conf;

/**
 * Choose the code for a new verification (dev: the configured code; otherwise 6 random digits)
 * into code[7] and deliver it to e164 by transport ("sms" or "voice").
 * E_PROVIDER when the provider refused (permanent tells whether retrying can help),
 * E_UNAVAILABLE when it could not be reached.
 */
enum err sender_send(const struct conf *conf, const char *e164, const char *transport,
                     const char *lang, char code[7], int *permanent) HG_MUST_CHECK;

#endif
