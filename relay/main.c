/* heliograph-relay: the WebSocket daemon (chat and provisioning sockets). Usage:
 *   heliograph-relay -f CONF [-t] [-o key=value]... [-v]
 * Several relays may share one MariaDB and memcached; relay_id tells them apart (default
 * "relay-<port>"). Runs in the foreground and logs to stderr; SIGTERM/SIGINT stop it cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>
#include <sodium.h>

#include "core/conf.h"
#include "core/log.h"
#include "relay.h"

static void
usage(void)
{
    fprintf(stderr, "usage: heliograph-relay -f CONF [-t] [-o key=value] [-v]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    struct conf conf;
    const char *path = NULL;
    char err[512], relay_id[RELAY_ID_MAX];
    int check = 0, verbose = LOG_LVL_INFO, opt;

    conf_defaults(&conf);
    while ((opt = getopt(argc, argv, "f:to:v")) != -1) {
        switch (opt) {
        case 'f':
            path = optarg;
            break;
        case 't':
            check = 1;
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
    log_init("heliograph-relay", verbose);
    if (path == NULL)
        usage();
    if (conf_load(&conf, path, err, sizeof(err)) != 0)
        fatalx("config: %s", err);
    optind = 1;
    while ((opt = getopt(argc, argv, "f:to:v")) != -1)
        if (opt == 'o' && conf_set(&conf, optarg, err, sizeof(err)) != 0)
            fatalx("config: %s", err);
    if (conf.relay_port <= 0 || conf.relay_port > 65535)
        fatalx("config: relay_port must be 1..65535");
    if (conf.relay_id != NULL && *conf.relay_id != '\0')
        snprintf(relay_id, sizeof(relay_id), "%s", conf.relay_id);
    else
        snprintf(relay_id, sizeof(relay_id), "relay-%d", conf.relay_port);
    /* The id is a memcached key part and a doorbell-line field: no spaces or control bytes. */
    for (const char *c = relay_id; *c != '\0'; c++)
        if (*c <= ' ' || *c == 0x7f)
            fatalx("config: relay_id must not contain spaces or control characters");
    if (conf.frame_max < 1024)
        fatalx("config: frame_max too small");
    if (check) {
        printf("configuration OK\n");
        return 0;
    }
    if (sodium_init() < 0)
        fatalx("libsodium init failed");
    curl_global_init(CURL_GLOBAL_DEFAULT);      /* handlers may send SMS or pushes */
    mysql_library_init(0, NULL, NULL);
    relay.conf = &conf;
    relay.relay_id = relay_id;
    jobs_start(&conf, conf.relay_workers > 0 ? conf.relay_workers : 4);
    session_run(&conf, relay_id);
    jobs_stop();                                /* finishes the presence_clear jobs */
    mysql_library_end();
    conf_free(&conf);
    log_info("stopped");
    return 0;
}
