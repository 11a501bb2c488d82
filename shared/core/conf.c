/* Config reader driven by one key table (lighttpd's config_values_t idea). */
#include "conf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "str.h"
#include "xmalloc.h"

enum ctype { CT_STR, CT_INT, CT_I64 };

static const struct key {
    const char *name;
    enum ctype type;
    size_t off;
} keys[] = {
#define K(n, t) { #n, t, offsetof(struct conf, n) }
    K(db_socket, CT_STR), K(db_host, CT_STR), K(db_port, CT_INT), K(db_name, CT_STR),
    K(db_user, CT_STR), K(db_password, CT_STR), K(memcached, CT_STR), K(state_dir, CT_STR),
    K(body_max, CT_I64), K(frame_max, CT_I64), K(ratelimit_messages, CT_INT),
    K(fcgi_threads, CT_INT), K(relay_listen, CT_STR),
    K(relay_port, CT_INT), K(relay_id, CT_STR), K(relay_workers, CT_INT), K(relay_expire_s, CT_I64),
    K(sms_sender, CT_STR),
    K(dev_code, CT_STR), K(twilio_base_url, CT_STR), K(twilio_account_sid, CT_STR),
    K(twilio_auth_token, CT_STR), K(twilio_from, CT_STR), K(session_ttl_s, CT_I64),
    K(zk_secret_params, CT_STR), K(generic_backup_params, CT_STR),
    K(generic_calling_params, CT_STR), K(cert_trust_root_public, CT_STR),
    K(cert_trust_root_private, CT_STR), K(cert_server_certificate, CT_STR), K(cert_server_private, CT_STR),
    K(cert_expires_days, CT_I64), K(link_device_secret, CT_STR), K(report_spam_secret, CT_STR),
    K(push_enabled, CT_INT), K(apns_base_url, CT_STR), K(apns_team_id, CT_STR),
    K(apns_key_id, CT_STR), K(apns_key_file, CT_STR), K(apns_bundle_id, CT_STR),
    K(fcm_base_url, CT_STR), K(fcm_service_account_file, CT_STR), K(push_ca_file, CT_STR),
#undef K
};

/* Values can be secrets (the include file heliograph-admin writes): wipe before release. */
static void
free_str(char *p)
{
    if (p != NULL) {
        explicit_bzero(p, strlen(p));
        free(p);
    }
}

static void
set_str(char **dst, const char *v)
{
    free_str(*dst);
    *dst = xstrdup(v);
}

void
conf_defaults(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].type == CT_STR)
            set_str((char **)((char *)c + keys[i].off), "");
    set_str(&c->db_name, "heliograph");
    set_str(&c->db_user, "root");
    set_str(&c->db_host, "127.0.0.1");
    c->db_port = 3306;
    set_str(&c->memcached, "127.0.0.1:11211");
    set_str(&c->state_dir, "var");
    c->body_max = 2 * 1024 * 1024;
    c->frame_max = 2 * 1024 * 1024;
    c->ratelimit_messages = 1;
    c->fcgi_threads = 4;
    set_str(&c->relay_listen, "127.0.0.1");
    c->relay_port = 8090;
    c->relay_workers = 4;
    c->relay_expire_s = 600;
    set_str(&c->sms_sender, "dev");
    set_str(&c->dev_code, "123456");
    c->session_ttl_s = 600;
    c->cert_expires_days = 7;
    c->push_enabled = 1;
    set_str(&c->apns_base_url, "https://api.push.apple.com");
    set_str(&c->fcm_base_url, "https://fcm.googleapis.com");
}

void
conf_free(struct conf *c)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].type == CT_STR) {
            char **p = (char **)((char *)c + keys[i].off);
            free_str(*p);
            *p = NULL;
        }
}

static int
apply(struct conf *c, const char *k, const char *v, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        int64_t n;
        if (strcmp(keys[i].name, k) != 0)
            continue;
        void *dst = (char *)c + keys[i].off;
        switch (keys[i].type) {
        case CT_STR:
            set_str(dst, v);
            return 0;
        case CT_INT:
            if (parse_i64(v, 0, 2147483647, &n) != 0)
                break;
            *(int *)dst = (int)n;
            return 0;
        case CT_I64:
            if (parse_i64(v, 0, INT64_MAX, &n) != 0)
                break;
            *(int64_t *)dst = n;
            return 0;
        }
        snprintf(err, errlen, "bad number for %s", k);
        return -1;
    }
    snprintf(err, errlen, "unknown key %s", k);
    return -1;
}

static int
load(struct conf *c, const char *path, int depth, char *err, size_t errlen)
{
    char line[8192], why[256];
    FILE *f;
    int lineno = 0, rc = 0;

    if (depth > 4) {
        snprintf(err, errlen, "%s: includes nested too deep", path);
        return -1;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *k = line, *v, *end;
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        while (isspace((unsigned char)*k))
            k++;
        if (*k == '#' || *k == '\0')
            continue;
        end = k + strlen(k);
        while (end > k && isspace((unsigned char)end[-1]))
            *--end = '\0';
        v = k;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v)
            *v++ = '\0';
        while (isspace((unsigned char)*v))
            v++;
        if (v[0] == '"' && end > v && end[-1] == '"' && end - v >= 2) {
            end[-1] = '\0';
            v++;
        }
        if (strcmp(k, "include") == 0) {
            rc = load(c, v, depth + 1, err, errlen);
            continue;
        }
        if (apply(c, k, v, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
        }
    }
    fclose(f);
    explicit_bzero(line, sizeof(line));
    return rc;
}

int
conf_load(struct conf *c, const char *path, char *errbuf, size_t errlen)
{
    return load(c, path, 0, errbuf, errlen);
}

int
conf_set(struct conf *c, const char *kv, char *errbuf, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    char key[64];

    if (eq == NULL || (size_t)(eq - kv) >= sizeof(key)) {
        snprintf(errbuf, errlen, "override %s: expected key=value", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    return apply(c, key, eq + 1, errbuf, errlen);
}
