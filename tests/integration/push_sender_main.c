/* hg_push_sender: runs push_sender_run (the relay's push thread) on its own, for
 * tests/integration/push_test.sh. Usage: hg_push_sender -f CONF [-o key=value]... [-v]
 * Stops cleanly on SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/log.h"
#include "push/push.h"

static volatile int stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int
main(int argc, char **argv)
{
    struct conf conf;
    struct sigaction sa;
    char err[512];
    const char *path = NULL;
    int opt, verbosity = LOG_LVL_INFO;

    conf_defaults(&conf);
    while ((opt = getopt(argc, argv, "f:o:v")) != -1) {
        switch (opt) {
        case 'f':
            path = optarg;
            if (conf_load(&conf, path, err, sizeof(err)) != 0) {
                fprintf(stderr, "hg_push_sender: %s\n", err);
                return 1;
            }
            break;
        case 'o':
            if (conf_set(&conf, optarg, err, sizeof(err)) != 0) {
                fprintf(stderr, "hg_push_sender: %s\n", err);
                return 1;
            }
            break;
        case 'v':
            verbosity = LOG_LVL_DEBUG;
            break;
        default:
            fprintf(stderr, "usage: hg_push_sender -f CONF [-o key=value]... [-v]\n");
            return 2;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "usage: hg_push_sender -f CONF [-o key=value]... [-v]\n");
        return 2;
    }
    log_init("hg_push_sender", verbosity);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    push_sender_run(&conf, &stop);
    conf_free(&conf);
    return 0;
}
