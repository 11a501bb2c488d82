/* The store handle's insides, shared by shared/store/ (*.c) only. */
#ifndef HG_STORE_INT_H
#define HG_STORE_INT_H

#include <mysql.h>

#include <libmemcached/memcached.h>

#define STMT_CACHE_SIZE 128

struct stmt_slot {
    const char *sql;
    MYSQL_STMT *stmt;
};

struct store {
    MYSQL *my;
    memcached_st *mc;
    const struct conf *conf;
    struct stmt_slot stmts[STMT_CACHE_SIZE];
    unsigned last_errno;
    int in_tx;
    /* ACIs written in the open transaction: their cache generation is bumped after COMMIT. */
    uint8_t dirty[16][16];
    int ndirty;
};

#endif
