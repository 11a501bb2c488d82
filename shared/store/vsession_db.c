/* Verification sessions in MariaDB. Expired sessions read as absent; a purge is not needed for
 * correctness (rows carry expires_ms). */
#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "db.h"
#include "store.h"

static const char SQL_VS_INSERT[] =
    "INSERT INTO verification_sessions (id, e164, created_ms, expires_ms, push_token, "
    "push_token_type, push_challenge, need_push_challenge, need_captcha, mcc, mnc) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_VS_GET[] =
    "SELECT e164, created_ms, expires_ms, push_token, push_token_type, push_challenge, "
    "need_push_challenge, need_captcha, mcc, mnc, code, code_transport, sms_count, voice_count, "
    "attempts, last_sms_ms, last_voice_ms, last_attempt_ms, verified FROM verification_sessions "
    "WHERE id = ? AND expires_ms > ?";
static const char SQL_VS_UPDATE[] =
    "UPDATE verification_sessions SET expires_ms = ?, push_token = ?, push_token_type = ?, "
    "push_challenge = ?, need_push_challenge = ?, need_captcha = ?, mcc = ?, mnc = ?, code = ?, "
    "code_transport = ?, sms_count = ?, voice_count = ?, attempts = ?, last_sms_ms = ?, "
    "last_voice_ms = ?, last_attempt_ms = ?, verified = ? WHERE id = ?";

enum err
store_vsession_create(struct store *s, const struct vsession *v)
{
    struct dbv p[] = { V_BLOB(v->id, 16),
                       V_STR(v->e164),
                       V_I64(v->created_ms),
                       V_I64(v->expires_ms),
                       V_STRN(v->push_token),
                       V_STRN(v->push_token_type),
                       V_STRN(v->push_challenge),
                       V_I64(v->need_push_challenge),
                       V_I64(v->need_captcha),
                       V_STRN(v->mcc),
                       V_STRN(v->mnc) };

    return db_exec(s, NULL, SQL_VS_INSERT, p, DB_NPARAMS(p), NULL);
}

static char *
str_or_null(const struct dbv *v)
{
    return v->t == DBV_NULL ? NULL : (char *)v->p;
}

enum err
store_vsession_get(struct store *s, struct arena *a, const uint8_t id[16], struct vsession *out)
{
    struct dbres r;
    struct dbv p[] = { V_BLOB(id, 16), V_I64(now_ms()) };
    enum err e = db_exec(s, a, SQL_VS_GET, p, DB_NPARAMS(p), &r);

    if (e != E_OK)
        return e;
    if (r.nrows == 0)
        return E_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    memcpy(out->id, id, 16);
    out->e164 = str_or_null(DBCELL(&r, 0, 0));
    out->created_ms = DBCELL(&r, 0, 1)->i;
    out->expires_ms = DBCELL(&r, 0, 2)->i;
    out->push_token = str_or_null(DBCELL(&r, 0, 3));
    out->push_token_type = str_or_null(DBCELL(&r, 0, 4));
    out->push_challenge = str_or_null(DBCELL(&r, 0, 5));
    out->need_push_challenge = DBCELL(&r, 0, 6)->i != 0;
    out->need_captcha = DBCELL(&r, 0, 7)->i != 0;
    out->mcc = str_or_null(DBCELL(&r, 0, 8));
    out->mnc = str_or_null(DBCELL(&r, 0, 9));
    out->code = str_or_null(DBCELL(&r, 0, 10));
    out->code_transport = str_or_null(DBCELL(&r, 0, 11));
    out->sms_count = (int)DBCELL(&r, 0, 12)->i;
    out->voice_count = (int)DBCELL(&r, 0, 13)->i;
    out->attempts = (int)DBCELL(&r, 0, 14)->i;
    out->last_sms_ms = DBCELL(&r, 0, 15)->i;
    out->last_voice_ms = DBCELL(&r, 0, 16)->i;
    out->last_attempt_ms = DBCELL(&r, 0, 17)->i;
    out->verified = DBCELL(&r, 0, 18)->i != 0;
    return E_OK;
}

enum err
store_vsession_update(struct store *s, const struct vsession *v)
{
    struct dbv p[] = { V_I64(v->expires_ms),
                       V_STRN(v->push_token),
                       V_STRN(v->push_token_type),
                       V_STRN(v->push_challenge),
                       V_I64(v->need_push_challenge),
                       V_I64(v->need_captcha),
                       V_STRN(v->mcc),
                       V_STRN(v->mnc),
                       V_STRN(v->code),
                       V_STRN(v->code_transport),
                       V_I64(v->sms_count),
                       V_I64(v->voice_count),
                       V_I64(v->attempts),
                       V_I64(v->last_sms_ms),
                       V_I64(v->last_voice_ms),
                       V_I64(v->last_attempt_ms),
                       V_I64(v->verified),
                       V_BLOB(v->id, 16) };

    return db_exec(s, NULL, SQL_VS_UPDATE, p, DB_NPARAMS(p), NULL);
}
