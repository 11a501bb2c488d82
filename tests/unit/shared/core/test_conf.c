/* Tests for shared/core/conf.c: keys, quoting, includes, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/conf.h"
#include "crypto/secrets.h"
#include "suites.h"

static char *
write_tmp(const char *text)
{
    static char paths[4][64];
    static int n;
    char *p = paths[n++ % 4];
    FILE *f;
    int fd;

    snprintf(p, 64, "/tmp/hg-conf-XXXXXX");
    fd = mkstemp(p);
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static void
test_load(void)
{
    struct conf c;
    char err[256], inc[200], *sec = write_tmp("zk_secret_params QUJD\n");

    snprintf(inc, sizeof(inc), "# comment\n  db_name  test_db \nrelay_port 9999\n"
                               "dev_code \"654321\"\ninclude %s\n", sec);
    conf_defaults(&c);
    CU_ASSERT_EQUAL(conf_load(&c, write_tmp(inc), err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.db_name, "test_db");
    CU_ASSERT_EQUAL(c.relay_port, 9999);
    CU_ASSERT_STRING_EQUAL(c.dev_code, "654321");
    CU_ASSERT_STRING_EQUAL(c.zk_secret_params, "QUJD");
    CU_ASSERT_EQUAL(conf_set(&c, "relay_port=1234", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.relay_port, 1234);
    conf_free(&c);
}

static void
test_errors(void)
{
    struct conf c;
    char err[256];

    conf_defaults(&c);
    CU_ASSERT_EQUAL(conf_load(&c, write_tmp("no_such_key 1\n"), err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key no_such_key"));
    CU_ASSERT_EQUAL(conf_load(&c, write_tmp("relay_port abc\n"), err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(conf_load(&c, "/nonexistent/x.conf", err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(conf_set(&c, "relay_port", err, sizeof(err)), -1);
    conf_free(&c);
}

/* Every key heliograph-admin keygen writes must be a config key (heliograph-fcgi -t once
 * rejected cert_trust_root_private). */
static void
test_keygen_file(void)
{
    struct cx_secrets s;
    struct conf c;
    char err[256], path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/hg-secrets-XXXXXX");
    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    cx_secrets_init(&s);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_generate(&s, 1), 0);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_write(&s, path, true, err, sizeof(err)), 0);
    conf_defaults(&c);
    CU_ASSERT_EQUAL(conf_load(&c, path, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.zk_secret_params, s.zk_secret_params);
    CU_ASSERT_STRING_EQUAL(c.generic_backup_params, s.generic_backup_params);
    CU_ASSERT_STRING_EQUAL(c.generic_calling_params, s.generic_calling_params);
    CU_ASSERT_STRING_EQUAL(c.cert_trust_root_public, s.cert_trust_root_public);
    CU_ASSERT_STRING_EQUAL(c.cert_trust_root_private, s.cert_trust_root_private);
    CU_ASSERT_STRING_EQUAL(c.cert_server_certificate, s.cert_server_certificate);
    CU_ASSERT_STRING_EQUAL(c.cert_server_private, s.cert_server_private);
    conf_free(&c);
    cx_secrets_free(&s);
    unlink(path);
}

void
suite_conf(void)
{
    CU_pSuite s = CU_add_suite("core/conf", NULL, NULL);

    CU_add_test(s, "load", test_load);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "keygen file", test_keygen_file);
}
