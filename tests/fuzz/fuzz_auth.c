/* libFuzzer target: "Authorization: Basic ..." header parsing (auth_basic_parse). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1024);
    char *header = malloc(size + 1), *user, *password;

    memcpy(header, data, size);
    header[size] = '\0';
    if (auth_basic_parse(a, header, &user, &password) == 0) {
        /* user ':' password came out of the base64 after "Basic ", so it is shorter than it */
        if (strchr(user, ':') != NULL || strlen(user) + 1 + strlen(password) > strlen(header))
            abort();
    }
    free(header);
    arena_free(a);
    return 0;
}
