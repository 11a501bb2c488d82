/* Start-up shared by the daemons (heliograph-fcgi, heliograph-relay): the common command line
 * (-f CONF, -t, -o key=value, -v, plus daemon-specific options), the config file and its
 * overrides, libsodium, and the server keys parsed once. */
#ifndef HG_STARTUP_H
#define HG_STARTUP_H

#include <stdbool.h>

struct conf;

struct startup {
    const char *name;          /* program name for logs and usage */
    const char *usage;         /* the usage line */
    const char *extra_opts;    /* getopt letters beyond "f:to:v", e.g. "s:" */
    /* called for each extra option; returns 0, or -1 for a usage error */
    int (*on_opt)(int opt, const char *arg, void *u);
    void *u;
};

/**
 * Parse argv, load the config (file, then -o overrides), init libsodium and the server keys.
 * Exits with a message on any error. Returns true when -t asked for a config check only (the
 * caller adds its own checks, prints "configuration OK" and exits).
 */
bool startup(const struct startup *st, int argc, char **argv, struct conf *conf);

#endif
