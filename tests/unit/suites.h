/* Every CUnit suite of the unit_tests program; main.c registers them in this order. */
#ifndef HG_TEST_SUITES_H
#define HG_TEST_SUITES_H

void suite_b64(void);
void suite_str(void);
void suite_arena(void);
void suite_conf(void);
void suite_req(void);
void suite_router(void);
void suite_jx(void);
void suite_token(void);
void suite_fcgi_adapt(void);
void suite_api_db(void);
void suite_ratelimit(void);
void suite_certs_db(void);
void suite_push_jwt(void);
void suite_push_payload(void);

void suite_messages_db(void);
void suite_devices_db(void);
void suite_relay_frame(void);
void suite_relay_head(void);
void suite_relay_jobs(void);
#endif
