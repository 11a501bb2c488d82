/* shared/push/apns.c, fcm.c, sender.c: request bodies and headers as Signal's APNSender and
 * FcmSender build them, response classification, and the retry back-off. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/conf.h"
#include "push/apns.h"
#include "push/fcm.h"
#include "push/sender.h"
#include "suites.h"

static void
test_apns_notes(void)
{
    struct apns_note n;

    apns_note_build(true, &n);
    CU_ASSERT_STRING_EQUAL(n.payload, "{\"aps\":{\"alert\":{\"loc-key\":\"APN_Message\"},"
                                      "\"mutable-content\":1}}");
    CU_ASSERT_STRING_EQUAL(n.push_type, "alert");
    CU_ASSERT_EQUAL(n.priority, 10);
    CU_ASSERT_STRING_EQUAL(n.collapse_id, "incoming-message");
    apns_note_build(false, &n);
    CU_ASSERT_STRING_EQUAL(n.payload, "{\"aps\":{\"content-available\":1}}");
    CU_ASSERT_STRING_EQUAL(n.push_type, "background");
    CU_ASSERT_EQUAL(n.priority, 5);
    CU_ASSERT_PTR_NULL(n.collapse_id);
}

static void
test_apns_jwt_parts(void)
{
    struct arena *a = arena_new(1024);
    char *h, *c;

    apns_jwt_parts(a, "KEY123", "TEAM45", 1700000000, &h, &c);
    CU_ASSERT_STRING_EQUAL(h, "{\"alg\":\"ES256\",\"kid\":\"KEY123\"}");
    CU_ASSERT_STRING_EQUAL(c, "{\"iss\":\"TEAM45\",\"iat\":1700000000}");
    arena_free(a);
}

static enum push_verdict
apns_v(struct arena *a, long status, const char *body, char *reason)
{
    struct push_outcome o;

    apns_classify(a, status, body, body ? strlen(body) : 0, 7, &o);
    if (reason != NULL)
        strcpy(reason, o.reason);
    CU_ASSERT_EQUAL(o.status, status);
    CU_ASSERT_EQUAL(o.retry_after_s, 7);
    return o.v;
}

static void
test_apns_classify(void)
{
    struct arena *a = arena_new(4096);
    char r[64];

    CU_ASSERT_EQUAL(apns_v(a, 200, "", NULL), PV_SENT);
    CU_ASSERT_EQUAL(apns_v(a, 410, "{\"reason\":\"Unregistered\",\"timestamp\":1}", r),
                    PV_BAD_TOKEN);
    CU_ASSERT_STRING_EQUAL(r, "Unregistered");
    CU_ASSERT_EQUAL(apns_v(a, 400, "{\"reason\":\"BadDeviceToken\"}", NULL), PV_BAD_TOKEN);
    CU_ASSERT_EQUAL(apns_v(a, 400, "{\"reason\":\"ExpiredToken\"}", NULL), PV_BAD_TOKEN);
    CU_ASSERT_EQUAL(apns_v(a, 400, "{\"reason\":\"BadTopic\"}", r), PV_REJECTED);
    CU_ASSERT_STRING_EQUAL(r, "BadTopic");
    CU_ASSERT_EQUAL(apns_v(a, 403, "{\"reason\":\"ExpiredProviderToken\"}", NULL), PV_AUTH);
    CU_ASSERT_EQUAL(apns_v(a, 403, "{\"reason\":\"InvalidProviderToken\"}", NULL), PV_AUTH);
    CU_ASSERT_EQUAL(apns_v(a, 403, "{\"reason\":\"BadCertificate\"}", NULL), PV_REJECTED);
    CU_ASSERT_EQUAL(apns_v(a, 429, "{\"reason\":\"TooManyRequests\"}", NULL), PV_RETRY);
    CU_ASSERT_EQUAL(apns_v(a, 503, "{\"reason\":\"ServiceUnavailable\"}", NULL), PV_RETRY);
    CU_ASSERT_EQUAL(apns_v(a, 500, "not json", r), PV_RETRY);
    CU_ASSERT_STRING_EQUAL(r, "");
    CU_ASSERT_EQUAL(apns_v(a, 0, NULL, NULL), PV_RETRY);
    arena_free(a);
}

static void
test_apns_token(void)
{
    CU_ASSERT_TRUE(apns_token_valid("0123456789abcdefABCDEF"));
    CU_ASSERT_FALSE(apns_token_valid(""));
    CU_ASSERT_FALSE(apns_token_valid("abc/../x"));
    CU_ASSERT_FALSE(apns_token_valid("abcd?x=1"));
}

static void
test_fcm_message(void)
{
    struct arena *a = arena_new(1024);

    CU_ASSERT_STRING_EQUAL(fcm_message_build(a, "tok:A-b_c", true),
                           "{\"message\":{\"token\":\"tok:A-b_c\",\"android\":{"
                           "\"priority\":\"high\",\"ttl\":\"2419200s\"},"
                           "\"data\":{\"newMessageAlert\":\"\"}}}");
    CU_ASSERT_STRING_EQUAL(fcm_message_build(a, "t\"x", false),
                           "{\"message\":{\"token\":\"t\\\"x\",\"android\":{"
                           "\"priority\":\"normal\",\"ttl\":\"2419200s\"},"
                           "\"data\":{\"newMessageAlert\":\"\"}}}");
    arena_free(a);
}

static void
test_fcm_assertion(void)
{
    struct arena *a = arena_new(1024);
    char *h, *c;

    fcm_assertion_parts(a, "sa@p.iam.gserviceaccount.com", "kid1",
                        "https://oauth2.googleapis.com/token", 1700000000, &h, &c);
    CU_ASSERT_STRING_EQUAL(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"kid1\"}");
    CU_ASSERT_STRING_EQUAL(c, "{\"iss\":\"sa@p.iam.gserviceaccount.com\",\"scope\":"
                              "\"https://www.googleapis.com/auth/firebase.messaging\",\"aud\":"
                              "\"https://oauth2.googleapis.com/token\",\"iat\":1700000000,"
                              "\"exp\":1700003600}");
    fcm_assertion_parts(a, "e", NULL, "u", 1, &h, &c);
    CU_ASSERT_STRING_EQUAL(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    arena_free(a);
}

static enum push_verdict
fcm_v(struct arena *a, long status, const char *body, char *reason)
{
    struct push_outcome o;

    fcm_classify(a, status, body, body ? strlen(body) : 0, 0, &o);
    if (reason != NULL)
        strcpy(reason, o.reason);
    return o.v;
}

static void
test_fcm_classify(void)
{
    struct arena *a = arena_new(4096);
    char r[64];

    CU_ASSERT_EQUAL(fcm_v(a, 200, "{\"name\":\"projects/p/messages/1\"}", NULL), PV_SENT);
    CU_ASSERT_EQUAL(
        fcm_v(a, 404,
              "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
              "\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":"
              "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":"
              "\"UNREGISTERED\"}]}}",
              r),
        PV_BAD_TOKEN);
    CU_ASSERT_STRING_EQUAL(r, "UNREGISTERED");
    CU_ASSERT_EQUAL(
        fcm_v(a, 400,
              "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
              "\"type.googleapis.com/google.rpc.BadRequest\"},{\"@type\":"
              "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":"
              "\"INVALID_ARGUMENT\"}]}}",
              r),
        PV_REJECTED);
    CU_ASSERT_STRING_EQUAL(r, "INVALID_ARGUMENT");
    CU_ASSERT_EQUAL(fcm_v(a, 401, "{\"error\":{\"status\":\"UNAUTHENTICATED\"}}", r), PV_AUTH);
    CU_ASSERT_STRING_EQUAL(r, "UNAUTHENTICATED");
    CU_ASSERT_EQUAL(fcm_v(a, 429, "{\"error\":{\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL),
                    PV_RETRY);
    CU_ASSERT_EQUAL(fcm_v(a, 503, "<html>", r), PV_RETRY);
    CU_ASSERT_STRING_EQUAL(r, "");
    CU_ASSERT_EQUAL(fcm_v(a, 0, NULL, NULL), PV_RETRY);
    arena_free(a);
}

static void
test_backoff(void)
{
    CU_ASSERT_EQUAL(push_backoff_ms(1, 0), 1000);
    CU_ASSERT_EQUAL(push_backoff_ms(2, 0), 2000);
    CU_ASSERT_EQUAL(push_backoff_ms(4, 0), 8000);
    CU_ASSERT_EQUAL(push_backoff_ms(30, 0), PUSH_RETRY_CAP_MS);
    CU_ASSERT_EQUAL(push_backoff_ms(1, 10), 10000);        /* Retry-After wins when longer */
    CU_ASSERT_EQUAL(push_backoff_ms(4, 1), 8000);
    CU_ASSERT_EQUAL(push_backoff_ms(1, 999999), PUSH_RETRY_AFTER_CAP_S * 1000LL);
}

static void
test_conf_keys(void)
{
    struct conf c;
    char err[128];
    struct apns *ap = NULL;
    struct fcm *f = NULL;

    conf_defaults(&c);
    CU_ASSERT_EQUAL(c.push_enabled, 1);
    CU_ASSERT_STRING_EQUAL(c.apns_base_url, "https://api.push.apple.com");
    CU_ASSERT_STRING_EQUAL(c.fcm_base_url, "https://fcm.googleapis.com");
    CU_ASSERT_STRING_EQUAL(c.apns_key_file, "");
    /* unconfigured providers are "not found", not errors */
    CU_ASSERT_EQUAL(apns_new(&c, NULL, &ap), E_NOT_FOUND);
    CU_ASSERT_EQUAL(fcm_new(&c, NULL, &f), E_NOT_FOUND);
    CU_ASSERT_EQUAL(conf_set(&c, "apns_team_id=T", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(conf_set(&c, "apns_key_id=K", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(conf_set(&c, "apns_bundle_id=org.example", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(conf_set(&c, "apns_key_file=/nonexistent/key.p8", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(apns_new(&c, NULL, &ap), E_UNPROCESSABLE);
    CU_ASSERT_EQUAL(conf_set(&c, "fcm_service_account_file=/nonexistent/sa.json", err,
                             sizeof(err)), 0);
    CU_ASSERT_EQUAL(fcm_new(&c, NULL, &f), E_UNPROCESSABLE);
    CU_ASSERT_PTR_NULL(ap);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_EQUAL(conf_set(&c, "push_enabled=0", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.push_enabled, 0);
    CU_ASSERT_EQUAL(conf_set(&c, "push_ca_file=/etc/ssl/apns.pem", err, sizeof(err)), 0);
    conf_free(&c);
}

void
suite_push_payload(void)
{
    CU_pSuite s = CU_add_suite("push/payload", NULL, NULL);

    CU_add_test(s, "apns notifications", test_apns_notes);
    CU_add_test(s, "apns provider token parts", test_apns_jwt_parts);
    CU_add_test(s, "apns classify", test_apns_classify);
    CU_add_test(s, "apns token check", test_apns_token);
    CU_add_test(s, "fcm message", test_fcm_message);
    CU_add_test(s, "fcm assertion parts", test_fcm_assertion);
    CU_add_test(s, "fcm classify", test_fcm_classify);
    CU_add_test(s, "retry back-off", test_backoff);
    CU_add_test(s, "config keys", test_conf_keys);
}
