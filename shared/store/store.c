/* Opening and closing a thread's store: one MariaDB connection + one memcached handle. */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include <mysql.h>

#include <libmemcached/memcached.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "store_int.h"

enum err
store_open(const struct conf *conf, struct store **out)
{
    struct store *s = xcalloc(1, sizeof(*s));
    const char *sock = conf->db_socket[0] ? conf->db_socket : NULL;
    const char *host = sock ? "localhost" : conf->db_host;
    char mcconf[300];
    my_bool reconnect = 1;

    s->conf = conf;
    s->my = mysql_init(NULL);
    if (s->my == NULL)
        xfatal_oom();
    mysql_optionsv(s->my, MYSQL_OPT_RECONNECT, &reconnect);
    mysql_optionsv(s->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* READ COMMITTED: no gap locks, so concurrent registrations of different numbers (each
     * probing "SELECT ... WHERE e164 = ? FOR UPDATE" for a row that is not there) cannot
     * deadlock; every invariant is held by row locks and unique keys. Re-run on reconnect. */
    mysql_optionsv(s->my, MYSQL_INIT_COMMAND,
                   "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    if (mysql_real_connect(s->my, host, conf->db_user, conf->db_password, conf->db_name,
                           (unsigned)conf->db_port, sock, 0) == NULL) {
        log_warnx("store: cannot connect to MariaDB (%s): %s", sock ? sock : host,
                  mysql_error(s->my));
        mysql_close(s->my);
        free(s);
        return E_UNAVAILABLE;
    }
    snprintf(mcconf, sizeof(mcconf), "--SERVER=%s --TCP-NODELAY --SUPPORT-CAS --CONNECT-TIMEOUT=500",
             conf->memcached);
    s->mc = memcached(mcconf, strlen(mcconf));
    if (s->mc == NULL)
        log_warnx("store: bad memcached address %s", conf->memcached);
    *out = s;
    return E_OK;
}

void
store_close(struct store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
        if (s->stmts[i].stmt != NULL)
            mysql_stmt_close(s->stmts[i].stmt);
    mysql_close(s->my);
    if (s->mc != NULL)
        memcached_free(s->mc);
    free(s);
}

struct memcached_st *
store_memcached(struct store *s)
{
    return s->mc;
}
