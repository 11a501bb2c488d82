/* libFuzzer target: base64 decoding in both alphabets (b64_decode, which accepts the padded and
 * unpadded forms of each flavour in core/b64.h), checked by re-encoding: a string the decoder
 * accepts is canonical, so encoding its bytes in the same flavour gives the string back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(struct arena *a, const char *s, size_t n, int url)
{
    uint8_t *raw;
    size_t len;
    int padded = n > 0 && s[n - 1] == '=';
    enum b64_flavour f = url ? (padded ? B64_URL_PAD : B64_URL_NOPAD)
                             : (padded ? B64_STD_PAD : B64_STD_NOPAD);
    char *enc;

    if (b64_decode(a, s, n, url, &raw, &len) != 0)
        return;
    if (len > n)
        abort();
    enc = b64_encode(a, raw, len, f);
    if (strlen(enc) != b64_encoded_len(len, f) || strlen(enc) != n || memcmp(enc, s, n) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(1024);
    /* an exact-size copy so that ASan sees any read past the end (the input is not a C string) */
    char *s = malloc(size ? size : 1);

    memcpy(s, data, size);
    check(a, s, size, 0);
    check(a, s, size, 1);
    free(s);
    arena_free(a);
    return 0;
}
