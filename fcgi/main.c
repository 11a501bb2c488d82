/* heliograph-fcgi: the stateless FastCGI responder. Usage:
 *   heliograph-fcgi -f CONF [-t] [-s SOCKET] [-o key=value]... [-v]
 * Without -s it accepts on fd 0, as spawned by lighttpd (bin-path), spawn-fcgi or mod_fcgid. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <mysql.h>

#include "core/conf.h"
#include "core/log.h"
#include "http/ctx.h"
#include "http/startup.h"
#include "fcgi.h"

static int
on_opt(int opt, const char *arg, void *u)
{
    if (opt != 's')
        return -1;
    *(const char **)u = arg;
    return 0;
}

int
main(int argc, char **argv)
{
    struct conf conf;
    const char *sock = NULL;
    int fd = 0;
    const struct startup st = {
        .name = "heliograph-fcgi",
        .usage = "heliograph-fcgi -f CONF [-t] [-s SOCKET] [-o key=value] [-v]",
        .extra_opts = "s:",
        .on_opt = on_opt,
        .u = &sock,
    };

    if (startup(&st, argc, argv, &conf)) {
        printf("configuration OK\n");
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mysql_library_init(0, NULL, NULL);
    if (FCGX_Init() != 0)
        fatalx("FCGX_Init failed");
    /* libfcgi turns SIGTERM into a "shutdown pending" flag that blocked accepts never see, so
     * mod_fcgid had to wait and SIGKILL us. A responder holds no state outside transactions:
     * dying at once is the clean stop. */
    signal(SIGTERM, SIG_DFL);
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
