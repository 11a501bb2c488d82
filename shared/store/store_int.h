/* The store handle's insides, shared by shared/store/ (*.c) only. */
#ifndef HG_STORE_INT_H
#define HG_STORE_INT_H

#include <stdint.h>

#include <mysql.h>

#include <libmemcached/memcached.h>

#include "core/err.h"

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

struct signed_key;

/* keys_db.c: store one signed EC prekey (kem 0) or last-resort KEM key (kem 1). */
enum err keys_signed_put(struct store *s, const uint8_t aci[16], uint8_t dev, int id, int kem,
                         const struct signed_key *k);
/* devices_db.c: delete what hangs off a device besides its row (keys, queue, pending pushes);
 * dev < 0 means every device of the account. */
enum err device_data_purge(struct store *s, const uint8_t aci[16], int dev);
/* devices_db.c: insert a device row with its signed prekeys (pni_* may be NULL). */
struct device_rec;
enum err device_insert(struct store *s, const uint8_t aci[16], uint8_t id,
                       const struct device_rec *d, int64_t created_ms, int64_t last_seen_ms,
                       const struct signed_key *aci_signed,
                       const struct signed_key *aci_last_resort,
                       const struct signed_key *pni_signed,
                       const struct signed_key *pni_last_resort);

#endif
