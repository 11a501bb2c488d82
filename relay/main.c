/* heliograph-relay: the WebSocket daemon (chat and provisioning sockets). Usage:
 *   heliograph-relay -f CONF [-t] [-o key=value]... [-v]
 * Several relays may share one MariaDB and memcached; relay_id tells them apart (default
 * "relay-<port>"). Runs in the foreground and logs to stderr; SIGTERM/SIGINT stop it cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <curl/curl.h>
#include <mysql.h>

#include "core/conf.h"
#include "core/log.h"
#include "http/ctx.h"
#include "http/startup.h"
#include "push/push.h"
#include "relay.h"

static volatile int push_stop;

/* The push sender (wake-ups for offline devices) runs beside the relay on its own connection. */
static void *
push_main(void *arg)
{
    push_sender_run(arg, &push_stop);
    return NULL;
}

int
main(int argc, char **argv)
{
    struct conf conf;
    char relay_id[RELAY_ID_MAX];
    pthread_t push_tid;
    const struct startup st = {
        .name = "heliograph-relay",
        .usage = "heliograph-relay -f CONF [-t] [-o key=value] [-v]",
    };
    bool check = startup(&st, argc, argv, &conf);

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
    curl_global_init(CURL_GLOBAL_DEFAULT);      /* handlers may send SMS or pushes */
    mysql_library_init(0, NULL, NULL);
    relay.conf = &conf;
    relay.relay_id = relay_id;
    jobs_start(&conf, conf.relay_workers > 0 ? conf.relay_workers : 4);
    if (pthread_create(&push_tid, NULL, push_main, &conf) != 0)
        fatal("pthread_create (push sender)");
    session_run(&conf, relay_id);
    push_stop = 1;
    pthread_join(push_tid, NULL);
    jobs_stop();                                /* finishes the presence_clear jobs */
    mysql_library_end();
    ctx_keys_release();
    conf_free(&conf);
    log_info("stopped");
    return 0;
}
