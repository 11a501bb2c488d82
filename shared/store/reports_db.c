/* Spam reports for operators (sql/0008_reports.sql): one row per (reporter, message). */
#include <string.h>

#include "core/str.h"
#include "db.h"
#include "store.h"

static const char SQL_REPORT_ADD[] =
    "INSERT IGNORE INTO message_reports (reporter_aci, message_guid, source_aci, source_pni, "
    "source_e164, source_deleted, verified, token, created_ms) VALUES (?,?,?,?,?,?,?,?,?)";

enum err
store_report_add(struct store *s, const struct report_rec *r)
{
    struct dbv p[] = {
        V_BLOB(r->reporter_aci, 16),
        V_BLOB(r->message_guid, 16),
        r->has_source_aci ? V_BLOB(r->source_aci, 16) : V_NULL,
        r->has_source_pni ? V_BLOB(r->source_pni, 16) : V_NULL,
        V_STRN(r->source_e164),
        V_I64(r->source_deleted),
        V_I64(r->verified),
        r->token_len > 0 ? V_BLOB(r->token, r->token_len) : V_NULL,
        V_I64(now_ms()),
    };

    return db_exec(s, NULL, SQL_REPORT_ADD, p, DB_NPARAMS(p), NULL);
}
