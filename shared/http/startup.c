/* Daemon start-up (see startup.h). */
#include "startup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/conf.h"
#include "core/log.h"
#include "http/ctx.h"

static void
usage(const struct startup *st)
{
    fprintf(stderr, "usage: %s\n", st->usage);
    exit(2);
}

bool
startup(const struct startup *st, int argc, char **argv, struct conf *conf)
{
    char optstring[64], err[512];
    const char *path = NULL;
    int check = 0, verbose = LOG_LVL_INFO, opt;

    snprintf(optstring, sizeof(optstring), "f:to:v%s", st->extra_opts ? st->extra_opts : "");
    conf_defaults(conf);
    while ((opt = getopt(argc, argv, optstring)) != -1) {
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
            if (opt == '?' || st->on_opt == NULL || st->on_opt(opt, optarg, st->u) != 0)
                usage(st);
        }
    }
    log_init(st->name, verbose);
    if (path == NULL)
        usage(st);
    if (conf_load(conf, path, err, sizeof(err)) != 0)
        fatalx("config: %s", err);
    optind = 1;
    while ((opt = getopt(argc, argv, optstring)) != -1)
        if (opt == 'o' && conf_set(conf, optarg, err, sizeof(err)) != 0)
            fatalx("config: %s", err);
    if (sodium_init() < 0)
        fatalx("libsodium init failed");
    /* Parse the secrets once, here: a bad key stops the daemon (and -t) with its name. */
    if (ctx_keys_init(conf, err, sizeof(err)) != 0)
        fatalx("config: %s", err);
    return check;
}
