/* heliograph-fcgi: the stateless FastCGI responder. Usage:
 *   heliograph-fcgi -f CONF [-t] [-s SOCKET] [-o key=value]... [-v]
 * Without -s it accepts on fd 0, as spawned by lighttpd (bin-path), spawn-fcgi or mod_fcgid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <sodium.h>

#include "core/conf.h"
#include "core/log.h"
#include "http/ctx.h"
#include "fcgi.h"

static void
usage(void)
{
    fprintf(stderr, "usage: heliograph-fcgi -f CONF [-t] [-s SOCKET] [-o key=value] [-v]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    struct conf conf;
    const char *path = NULL, *sock = NULL;
    char err[512];
    int check = 0, verbose = LOG_LVL_INFO, opt, fd = 0;

    conf_defaults(&conf);
    while ((opt = getopt(argc, argv, "f:ts:o:v")) != -1) {
        switch (opt) {
        case 'f':
            path = optarg;
            break;
        case 't':
            check = 1;
            break;
        case 's':
            sock = optarg;
            break;
        case 'o':
            break; /* applied after the file */
        case 'v':
            verbose = LOG_LVL_DEBUG;
            break;
        default:
            usage();
        }
    }
    log_init("heliograph-fcgi", verbose);
    if (path == NULL)
        usage();
    if (conf_load(&conf, path, err, sizeof(err)) != 0)
        fatalx("config: %s", err);
    optind = 1;
    while ((opt = getopt(argc, argv, "f:ts:o:v")) != -1)
        if (opt == 'o' && conf_set(&conf, optarg, err, sizeof(err)) != 0)
            fatalx("config: %s", err);
    if (sodium_init() < 0)
        fatalx("libsodium init failed");
    /* Parse the secrets once, here: a bad key stops the responder (and -t) with its name. */
    if (ctx_keys_init(&conf, err, sizeof(err)) != 0)
        fatalx("config: %s", err);
    if (check) {
        printf("configuration OK\n");
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mysql_library_init(0, NULL, NULL);
    if (FCGX_Init() != 0)
        fatalx("FCGX_Init failed");
    if (sock != NULL) {
        fd = FCGX_OpenSocket(sock, 1024);
        if (fd < 0)
            fatalx("cannot listen on %s", sock);
    }
    fcgi_workers_run(&conf, fd, conf.fcgi_threads > 0 ? conf.fcgi_threads : 4);
    ctx_keys_release();
    conf_free(&conf);
    return 0;
}
