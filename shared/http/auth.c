/* Basic device credentials. The password is checked against the device's SaltedTokenHash in
 * constant time; every failure looks the same to the caller (401). */
#include "auth.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/b64.h"
#include "core/str.h"
#include "crypto/token.h"
#include "ctx.h"
#include "store/store.h"

int
auth_basic_parse(struct arena *a, const char *header, char **user, char **password)
{
    uint8_t *raw;
    size_t n;
    char *colon;

    if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
        return -1;
    header += 6;
    while (*header == ' ')
        header++;
    if (b64_decode(a, header, strlen(header), 0, &raw, &n) != 0 || n == 0)
        return -1;
    raw[n] = '\0'; /* b64_decode leaves room for one more byte */
    if (memchr(raw, '\0', n) != NULL)
        return -1;
    colon = strchr((char *)raw, ':');
    if (colon == NULL)
        return -1;
    *colon = '\0';
    *user = (char *)raw;
    *password = colon + 1;
    return 0;
}

/* "<aci>" (device 1) or "<aci>.<deviceId>" */
static int
parse_user(const char *user, uint8_t aci[16], uint8_t *device_id)
{
    char buf[40];
    const char *dot = strchr(user, '.');
    int64_t dev = 1;

    if (dot == NULL)
        return uuid_parse(user, aci);
    if ((size_t)(dot - user) != 36)
        return -1;
    memcpy(buf, user, 36);
    buf[36] = '\0';
    if (uuid_parse(buf, aci) != 0 || parse_i64(dot + 1, 1, 127, &dev) != 0)
        return -1;
    *device_id = (uint8_t)dev;
    return 0;
}

enum err
auth_load(struct ctx *ctx, struct arena *a, const uint8_t aci[16], uint8_t device_id,
          struct principal *out)
{
    struct account_rec *acct = arena_alloc(a, sizeof(*acct));
    enum err e = store_account_get(ctx->store, a, aci, acct);

    if (e == E_NOT_FOUND)
        return E_UNAUTHORIZED;
    if (e != E_OK)
        return e;
    if (account_device(acct, device_id) == NULL)
        return E_UNAUTHORIZED;
    memcpy(out->aci, aci, 16);
    out->device_id = device_id;
    out->acct = acct;
    return E_OK;
}

enum err
auth_basic_verify(struct ctx *ctx, struct arena *a, const char *header, struct principal *out)
{
    char *user, *password;
    uint8_t aci[16];
    uint8_t dev = 1;
    const struct device_rec *d;
    enum err e;

    arena_set_wipe(a);
    if (auth_basic_parse(a, header, &user, &password) != 0 || parse_user(user, aci, &dev) != 0)
        return E_UNAUTHORIZED;
    e = auth_load(ctx, a, aci, dev, out);
    if (e != E_OK)
        return e;
    d = account_device(out->acct, dev);
    if (!token_verify(password, strlen(password), d->auth_hash, d->auth_salt))
        return E_UNAUTHORIZED;
    return E_OK;
}
