/* Tests for shared/crypto/secrets.c: generation, the 0600 "key value" file, consistency checks
 * with public-value derivation, and import from Signal-Server style YAML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/b64.h"
#include "crypto/secrets.h"
#include "test_cx_util.h"

static char dir[64];

static int
suite_init(void)
{
    strcpy(dir, "/tmp/hg-secrets-XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
    char p[128];

    snprintf(p, sizeof(p), "%s/secrets.conf", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

static char *
unpadded(const char *s)
{
    char *c = strdup(s);
    size_t n = strlen(c);

    while (n > 0 && c[n - 1] == '=')
        c[--n] = '\0';
    return c;
}

static void
test_generate_write_read(void)
{
    struct arena *a = arena_new(16384);
    struct cx_secrets s, r;
    struct cx_secrets_public p1, p2;
    char path[128], err[256], line[8192];
    struct stat st;
    FILE *f;
    int lines = 0;

    cx_secrets_init(&s);
    cx_secrets_init(&r);
    CU_ASSERT_EQUAL(cx_secrets_generate(&s, 0xDEADC357u), -1);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_generate(&s, 1), 0);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_check(&s, a, &p1, err, sizeof(err)), 0);
    CU_ASSERT_PTR_NOT_NULL(p1.zk_public);
    CU_ASSERT_PTR_NOT_NULL(p1.backup_public);
    CU_ASSERT_PTR_NOT_NULL(p1.calling_public);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p1.trust_root);
    CU_ASSERT_EQUAL(p1.server_key_id, 1);
    CU_ASSERT_EQUAL(strlen(p1.trust_root), 44);         /* 33 bytes */
    CU_ASSERT_EQUAL(strlen(p1.zk_public), 900);         /* 673 bytes */
    CU_ASSERT_EQUAL(strlen(p1.backup_public), 300);     /* 225 bytes */
    CU_ASSERT_STRING_NOT_EQUAL(s.generic_backup_params, s.generic_calling_params);

    snprintf(path, sizeof(path), "%s/secrets.conf", dir);
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_write(&s, path, false, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(cx_secrets_write(&s, path, false, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "refusing"));
    chmod(path, 0644);
    CU_ASSERT_EQUAL(cx_secrets_write(&s, path, true, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

    /* exactly the seven documented keys, one "key value" line each */
    f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        static const char *const keys[] = {
            "zk_secret_params ", "generic_backup_params ", "generic_calling_params ",
            "cert_trust_root_public ", "cert_trust_root_private ", "cert_server_certificate ",
            "cert_server_private ",
        };

        if (line[0] == '#')
            continue;
        CU_ASSERT_EQUAL(strncmp(line, keys[lines], strlen(keys[lines])), 0);
        lines++;
        if (lines == 7)
            break;
    }
    fclose(f);
    CU_ASSERT_EQUAL(lines, 7);

    CU_ASSERT_EQUAL_FATAL(cx_secrets_read(&r, path, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(r.zk_secret_params, s.zk_secret_params);
    CU_ASSERT_STRING_EQUAL(r.cert_server_certificate, s.cert_server_certificate);
    CU_ASSERT_STRING_EQUAL(r.cert_trust_root_private, s.cert_trust_root_private);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_check(&r, a, &p2, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(p1.trust_root, p2.trust_root);
    CU_ASSERT_STRING_EQUAL(p1.zk_public, p2.zk_public);
    CU_ASSERT_STRING_EQUAL(p1.backup_public, p2.backup_public);
    CU_ASSERT_STRING_EQUAL(p1.calling_public, p2.calling_public);

    /* a trust-root private key alone yields the public key */
    free(r.cert_trust_root_public);
    r.cert_trust_root_public = NULL;
    CU_ASSERT_EQUAL(cx_secrets_check(&r, a, &p2, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(r.cert_trust_root_public, s.cert_trust_root_public);

    /* inconsistent material is refused */
    free(r.cert_server_private);
    r.cert_server_private = strdup(s.cert_trust_root_private);
    CU_ASSERT_EQUAL(cx_secrets_check(&r, a, &p2, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cert_server_private"));
    free(r.cert_server_private);
    r.cert_server_private = strdup(s.cert_server_private);
    free(r.generic_calling_params);
    r.generic_calling_params = strdup("AAAA");
    CU_ASSERT_EQUAL(cx_secrets_check(&r, a, &p2, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "generic_calling_params"));

    cx_secrets_free(&s);
    cx_secrets_free(&r);
    CU_ASSERT_PTR_NULL(s.zk_secret_params);
    arena_free(a);
}

static void
test_import_signal(void)
{
    struct arena *a = arena_new(65536);
    struct cx_secrets g, s;
    struct cx_secrets_public p, q;
    char err[256], *zk, *cfg, *bundle;
    int n;

    cx_secrets_init(&g);
    cx_secrets_init(&s);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_generate(&g, 7), 0);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_check(&g, a, &p, err, sizeof(err)), 0);
    zk = unpadded(g.zk_secret_params);     /* as Signal-Server's zkparams command prints it */

    cfg = arena_printf(a,
        "# Signal-Server config.yml (excerpt)\n"
        "logging:\n"
        "  level: INFO\n"
        "  appenders:\n"
        "    - type: console\n"
        "zkConfig:\n"
        "  serverPublic: %s\n"
        "  serverSecret: secret://zkConfig-libsignal-0.42.serverSecret\n"
        "callingZkConfig:\n"
        "  serverSecret: secret://callingZkConfig.serverSecret\n"
        "backupsZkConfig:\n"
        "  serverSecret: \"secret://backupsZkConfig.serverSecret\"   # quoted\n"
        "unidentifiedDelivery:\n"
        "  certificate: secret://unidentifiedDelivery.certificate\n"
        "  privateKey: secret://unidentifiedDelivery.privateKey\n"
        "  expiresDays: 7\n", p.zk_public);
    bundle = arena_printf(a,
        "datadog.apiKey: unset\n"
        "gcpAttachments.rsaSigningKey: |\n"
        "  -----BEGIN PRIVATE KEY-----\n"
        "  unidentifiedDelivery.privateKey: not-this-one\n"
        "  -----END PRIVATE KEY-----\n"
        "unidentifiedDelivery.certificate: %s\n"
        "unidentifiedDelivery.privateKey: %s # comment\n"
        "zkConfig-libsignal-0.42.serverSecret: %s\n"
        "callingZkConfig.serverSecret: '%s'\n"
        "backupsZkConfig.serverSecret: %s\n",
        g.cert_server_certificate, g.cert_server_private, zk, g.generic_calling_params,
        g.generic_backup_params);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_import_signal(&s, cfg, strlen(cfg), bundle, strlen(bundle),
                                                   err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(s.zk_secret_params, zk);
    s.cert_trust_root_public = strdup(g.cert_trust_root_public);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_check(&s, a, &q, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(s.zk_secret_params, g.zk_secret_params);    /* padded again */
    CU_ASSERT_STRING_EQUAL(s.generic_backup_params, g.generic_backup_params);
    CU_ASSERT_STRING_EQUAL(s.generic_calling_params, g.generic_calling_params);
    CU_ASSERT_STRING_EQUAL(s.cert_server_private, g.cert_server_private);
    CU_ASSERT_PTR_NULL(s.cert_trust_root_private);
    CU_ASSERT_STRING_EQUAL(q.zk_public, p.zk_public);
    CU_ASSERT_EQUAL(q.server_key_id, 7);

    /* the bundle alone (flat keys, values inline) also works */
    cx_secrets_free(&s);
    n = cx_secrets_import_signal(&s, bundle, strlen(bundle), NULL, 0, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(n, 0);
    CU_ASSERT_STRING_EQUAL(s.zk_secret_params, zk);
    CU_ASSERT_STRING_EQUAL(s.cert_server_private, g.cert_server_private);  /* not the block's */

    /* unresolved references and missing settings are errors naming the setting */
    cx_secrets_free(&s);
    CU_ASSERT_EQUAL(cx_secrets_import_signal(&s, cfg, strlen(cfg), NULL, 0, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "secrets bundle"));
    cx_secrets_free(&s);
    CU_ASSERT_EQUAL(cx_secrets_import_signal(&s, "a: b\n", 5, NULL, 0, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "zk_secret_params"));

    /* a trust root that did not sign the certificate is caught by the check */
    cx_secrets_free(&s);
    CU_ASSERT_EQUAL_FATAL(cx_secrets_import_signal(&s, cfg, strlen(cfg), bundle, strlen(bundle),
                                                   err, sizeof(err)), 0);
    {
        struct cx_secrets other;

        cx_secrets_init(&other);
        CU_ASSERT_EQUAL_FATAL(cx_secrets_generate(&other, 7), 0);
        s.cert_trust_root_public = strdup(other.cert_trust_root_public);
        cx_secrets_free(&other);
    }
    CU_ASSERT_EQUAL(cx_secrets_check(&s, a, &q, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cert_server_certificate"));

    free(zk);
    cx_secrets_free(&g);
    cx_secrets_free(&s);
    arena_free(a);
}

/* The sender-certificate.json server material passes the check as a Signal config would. */
static void
test_vector_material(void)
{
    struct json_object *v = tcx_load("sender-certificate.json");
    struct arena *a = arena_new(8192);
    struct cx_secrets s;
    struct cx_secrets_public p;
    uint8_t *b;
    size_t n;
    char err[256];

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    cx_secrets_init(&s);
    b = tcx_hex(v, "signal_server_format.server_certificate.serialized", &n);
    s.cert_server_certificate = strdup(b64_encode(a, b, n, B64_STD_NOPAD));
    free(b);
    b = tcx_hex(v, "signal_server_format.server_private_key", &n);
    s.cert_server_private = strdup(b64_encode(a, b, n, B64_STD_PAD));
    free(b);
    b = tcx_hex(v, "signal_server_format.trust_root_public_key", &n);
    s.cert_trust_root_public = strdup(b64_encode(a, b, n, B64_STD_PAD));
    CU_ASSERT_EQUAL(cx_secrets_check(&s, a, &p, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(p.server_key_id, 4660);
    CU_ASSERT_STRING_EQUAL(p.trust_root, b64_encode(a, b, n, B64_STD_PAD));
    CU_ASSERT_PTR_NULL(p.zk_public);
    free(b);
    cx_secrets_free(&s);
    arena_free(a);
    json_object_put(v);
}

void
tcx_register_secrets(void)
{
    CU_pSuite s = CU_add_suite("secrets", suite_init, suite_clean);

    CU_add_test(s, "generate_write_read", test_generate_write_read);
    CU_add_test(s, "import_signal", test_import_signal);
    CU_add_test(s, "vector_material", test_vector_material);
}
