/* Tests for shared/core/conf.c: keys, quoting, includes, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/conf.h"
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

void
suite_conf(void)
{
    CU_pSuite s = CU_add_suite("core/conf", NULL, NULL);

    CU_add_test(s, "load", test_load);
    CU_add_test(s, "errors", test_errors);
}
