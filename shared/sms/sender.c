/* Code delivery (see sender.h). The Twilio call is
 *   POST {base}/2010-04-01/Accounts/{sid}/Messages.json   (SMS)
 *   POST {base}/2010-04-01/Accounts/{sid}/Calls.json      (voice, TwiML <Say>)
 * with HTTP Basic sid:token and a form body; 2xx means accepted. 4xx is a permanent refusal
 * (bad number), 5xx and transport errors are temporary. */
#include "sender.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/conf.h"
#include "core/log.h"

static enum err
dev_send(const struct conf *conf, const char *e164, const char *transport, char code[7])
{
    char path[1024];
    FILE *f;

    snprintf(code, 7, "%s", conf->dev_code);
    snprintf(path, sizeof(path), "%s/verification-codes.log", conf->state_dir);
    f = fopen(path, "a");
    if (f == NULL) {
        log_warn("sender: cannot append to %s", path);
        return E_OK; /* the fixed code still works */
    }
    /* Dev mode only: the operator reads the number and code here. */
    fprintf(f, "%lld %s %s %s\n", (long long)time(NULL), transport, e164, code);
    fclose(f);
    return E_OK;
}

static size_t
discard(void *p, size_t sz, size_t n, void *u)
{
    (void)p;
    (void)u;
    return sz * n;
}

static enum err
twilio_send(const struct conf *conf, const char *e164, const char *transport, char code[7],
            int *permanent)
{
    CURL *h = curl_easy_init();
    char url[1024], body[1024], text[128], *to, *from, *msg;
    long status = 0;
    CURLcode rc;
    int voice = strcmp(transport, "voice") == 0;

    if (h == NULL)
        return E_UNAVAILABLE;
    snprintf(code, 7, "%06u", randombytes_uniform(1000000));
    snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/%s.json", conf->twilio_base_url,
             conf->twilio_account_sid, voice ? "Calls" : "Messages");
    if (voice)
        snprintf(text, sizeof(text), "<Response><Say>Your Signal code is %c %c %c %c %c %c</Say></Response>",
                 code[0], code[1], code[2], code[3], code[4], code[5]);
    else
        snprintf(text, sizeof(text), "Your Signal code: %s", code);
    to = curl_easy_escape(h, e164, 0);
    from = curl_easy_escape(h, conf->twilio_from, 0);
    msg = curl_easy_escape(h, text, 0);
    snprintf(body, sizeof(body), "To=%s&From=%s&%s=%s", to, from, voice ? "Twiml" : "Body", msg);
    curl_free(to);
    curl_free(from);
    curl_free(msg);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, conf->twilio_account_sid);
    curl_easy_setopt(h, CURLOPT_PASSWORD, conf->twilio_auth_token);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        log_warnx("sender: provider unreachable: %s", curl_easy_strerror(rc));
        return E_UNAVAILABLE;
    }
    if (status >= 200 && status < 300)
        return E_OK;
    log_warnx("sender: provider answered %ld", status);
    *permanent = status >= 400 && status < 500;
    return E_PROVIDER;
}

enum err
sender_send(const struct conf *conf, const char *e164, const char *transport, const char *lang,
            char code[7], int *permanent)
{
    (void)lang;
    *permanent = 0;
    if (strcmp(conf->sms_sender, "twilio") == 0)
        return twilio_send(conf, e164, transport, code, permanent);
    return dev_send(conf, e164, transport, code);
}
