/* libFuzzer target: service ids from URLs and bodies ("<uuid>", "ACI:<uuid>", "PNI:<uuid>",
 * service_id_parse), checked against the canonical form, plus the other strict string parsers
 * fed untrusted text (parse_i64 for device ids, e164_valid). */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), canon[37];
    enum svc_kind kind;
    uint8_t uuid[16];
    int64_t n;

    memcpy(s, data, size);
    s[size] = '\0';
    if (service_id_parse(s, &kind, uuid) == 0) {
        const char *u = s;

        if (kind == SVC_PNI || strncmp(s, "ACI:", 4) == 0)
            u += 4;
        uuid_format(uuid, canon);
        if (strlen(u) != 36 || strcasecmp(u, canon) != 0)
            abort();
    }
    if (parse_i64(s, 1, 127, &n) == 0 && (n < 1 || n > 127))
        abort();
    if (e164_valid(s) && (s[0] != '+' || strlen(s) < 8 || strlen(s) > 16))
        abort();
    free(s);
    return 0;
}
