/*
 * heliograph-admin: server key management.
 *   keygen -o FILE [-F] [-i KEY_ID]   generate every server secret into FILE (mode 0600)
 *   pubkeys -f FILE                   reprint the public values of an existing secrets file
 *   import-signal CONFIG.yml [-s SECRETS.yml] [-t TRUST_ROOT_PUBLIC] [-T TRUST_ROOT_PRIVATE]
 *                 -o FILE [-F]        convert a Signal-Server configuration (Appendix B)
 * The public values are printed as shell assignments for client builds and test harnesses.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "crypto/secrets.h"

static void
usage(void)
{
    fprintf(stderr,
            "usage: heliograph-admin keygen -o FILE [-F] [-i KEY_ID]\n"
            "       heliograph-admin pubkeys -f FILE\n"
            "       heliograph-admin import-signal CONFIG.yml [-s SECRETS.yml]\n"
            "                        [-t TRUST_ROOT_PUBLIC_B64] [-T TRUST_ROOT_PRIVATE_B64]\n"
            "                        -o FILE [-F]\n"
            "  -F  replace an existing FILE\n");
}

static void
print_publics(const struct cx_secrets_public *p)
{
    printf("HELIOGRAPH_TRUST_ROOT=%s\n", p->trust_root ? p->trust_root : "");
    printf("HELIOGRAPH_ZK_PUBLIC_PARAMS=%s\n", p->zk_public ? p->zk_public : "");
    printf("HELIOGRAPH_BACKUP_PUBLIC_PARAMS=%s\n", p->backup_public ? p->backup_public : "");
    printf("HELIOGRAPH_CALLING_PUBLIC_PARAMS=%s\n", p->calling_public ? p->calling_public : "");
}

/* Check s, optionally write it, print its public values.  Returns the exit status. */
static int
finish(struct cx_secrets *s, const char *out, bool force)
{
    struct arena *a = arena_new(16384);
    struct cx_secrets_public pub;
    char err[512];
    int rc = 0;

    if (cx_secrets_check(s, a, &pub, err, sizeof(err)) != 0) {
        fprintf(stderr, "heliograph-admin: %s\n", err);
        rc = 1;
    } else if (out != NULL && cx_secrets_write(s, out, force, err, sizeof(err)) != 0) {
        fprintf(stderr, "heliograph-admin: %s\n", err);
        rc = 1;
    } else {
        if (pub.trust_root == NULL)
            fprintf(stderr, "heliograph-admin: warning: no trust root (pass -t or -T); clients "
                            "cannot validate sender certificates without it\n");
        print_publics(&pub);
    }
    arena_free(a);
    return rc;
}

static int
cmd_keygen(int argc, char **argv)
{
    const char *out = NULL;
    bool force = false;
    unsigned long id = 1;
    struct cx_secrets s;
    int c, rc;

    while ((c = getopt(argc, argv, "o:Fi:")) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'F':
            force = true;
            break;
        case 'i': {
            char *end;

            id = strtoul(optarg, &end, 0);
            if (*end != '\0' || id > 0xffffffffUL) {
                usage();
                return 2;
            }
            break;
        }
        default:
            usage();
            return 2;
        }
    }
    if (out == NULL || optind != argc) {
        usage();
        return 2;
    }
    cx_secrets_init(&s);
    if (cx_secrets_generate(&s, (uint32_t)id) != 0) {
        fprintf(stderr, "heliograph-admin: key id %lu is reserved\n", id);
        return 1;
    }
    rc = finish(&s, out, force);
    cx_secrets_free(&s);
    return rc;
}

static int
cmd_pubkeys(int argc, char **argv)
{
    const char *in = NULL;
    struct cx_secrets s;
    char err[512];
    int c, rc;

    while ((c = getopt(argc, argv, "f:")) != -1) {
        if (c != 'f') {
            usage();
            return 2;
        }
        in = optarg;
    }
    if (in == NULL || optind != argc) {
        usage();
        return 2;
    }
    cx_secrets_init(&s);
    if (cx_secrets_read(&s, in, err, sizeof(err)) != 0) {
        fprintf(stderr, "heliograph-admin: %s\n", err);
        return 1;
    }
    rc = finish(&s, NULL, false);
    cx_secrets_free(&s);
    return rc;
}

/* Whole file as a NUL-terminated malloc'd string (NULL on error, message printed). */
static char *
read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL) {
        perror(path);
        return NULL;
    }
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            if (cap > (16u << 20)) {
                fprintf(stderr, "heliograph-admin: %s: too large\n", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = realloc(buf, cap);
            if (buf == NULL)
                abort();
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int
cmd_import(int argc, char **argv)
{
    const char *out = NULL, *secrets_path = NULL, *root_pub = NULL, *root_priv = NULL;
    char *cfg, *bundle = NULL, err[512];
    size_t cfg_len, bundle_len = 0;
    bool force = false;
    struct cx_secrets s;
    int c, rc;

    while ((c = getopt(argc, argv, "o:Fs:t:T:")) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'F':
            force = true;
            break;
        case 's':
            secrets_path = optarg;
            break;
        case 't':
            root_pub = optarg;
            break;
        case 'T':
            root_priv = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (out == NULL || optind + 1 != argc) {
        usage();
        return 2;
    }
    cfg = read_text(argv[optind], &cfg_len);
    if (cfg == NULL)
        return 1;
    if (secrets_path != NULL && (bundle = read_text(secrets_path, &bundle_len)) == NULL) {
        free(cfg);
        return 1;
    }
    cx_secrets_init(&s);
    rc = cx_secrets_import_signal(&s, cfg, cfg_len, bundle, bundle_len, err, sizeof(err));
    sodium_memzero(cfg, cfg_len);
    free(cfg);
    if (bundle != NULL) {
        sodium_memzero(bundle, bundle_len);
        free(bundle);
    }
    if (rc != 0) {
        fprintf(stderr, "heliograph-admin: %s\n", err);
        cx_secrets_free(&s);
        return 1;
    }
    if (root_pub != NULL)
        s.cert_trust_root_public = strdup(root_pub);
    if (root_priv != NULL)
        s.cert_trust_root_private = strdup(root_priv);
    rc = finish(&s, out, force);
    cx_secrets_free(&s);
    return rc;
}

int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "heliograph-admin: libsodium failed to initialize\n");
        return 1;
    }
    if (argc < 2) {
        usage();
        return 2;
    }
    /* each subcommand parses its own options from argv[1] on */
    if (strcmp(argv[1], "keygen") == 0)
        return cmd_keygen(argc - 1, argv + 1);
    if (strcmp(argv[1], "pubkeys") == 0)
        return cmd_pubkeys(argc - 1, argv + 1);
    if (strcmp(argv[1], "import-signal") == 0)
        return cmd_import(argc - 1, argv + 1);
    usage();
    return 2;
}
