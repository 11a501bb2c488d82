/* A memcached copy of account records (account + devices), in front of the account-by-ACI
 * load that authenticates every request. Safe against racing writers by a generation counter:
 *
 *   ag:<aci-hex>  generation (random start, incremented by every writer after its commit)
 *   ac:<aci-hex>  "<generation>" || serialized record
 *
 * A reader fetches both keys in one mget and uses the record only when its generation is the
 * current one; on a miss it loads from MariaDB and stores the record under the generation it
 * read BEFORE the load, so a write that commits meanwhile makes that copy unusable. */
#ifndef HG_ACCOUNT_CACHE_H
#define HG_ACCOUNT_CACHE_H

#include <stdint.h>

#include "core/err.h"

struct arena;
struct account_rec;
struct store;

/** E_OK on a valid hit; E_NOT_FOUND otherwise, with *gen the generation to store under (0 =
 * do not store). */
enum err acct_cache_get(struct store *s, struct arena *a, const uint8_t aci[16],
                        struct account_rec *out, uint64_t *gen);
void acct_cache_put(struct store *s, const uint8_t aci[16], uint64_t gen,
                    const struct account_rec *r);
/** The account changed: invalidate now, and again after the open transaction commits. */
void store_account_changed(struct store *s, const uint8_t aci[16]);
/** Called by db_commit after a successful COMMIT. */
void acct_cache_after_commit(struct store *s);

#endif
