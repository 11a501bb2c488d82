/* Tests for shared/crypto/username.c against usernames.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/sho.h"
#include "crypto/username.h"
#include "test_zk_util.h"

static void
test_username_generators(void)
{
    /* the table in username.c must equal the SHO derivation; check via a valid proof below and
     * directly against the spec's published encodings here */
    struct sho s;
    uint8_t g[32];

    sho_new(&s, "Signal_Username_20230130_Constant_Points_Generate", "", 0);
    sho_get_point(&s, g);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(g, 32),
        "60b993663a3daecc4c852f533547e305388c2a50a58393ea277de4abf3de543a");
    sho_get_point(&s, g);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(g, 32),
        "f2b6f1c826fa3640206f3b58b2286bdefdfda6a54ff902f204a72de737d26157");
    sho_get_point(&s, g);
    CU_ASSERT_STRING_EQUAL(tzk_tohex(g, 32),
        "0606bd3abfce4e9617d448fb2caeb6cc028ec9a2b62b10b3d9eb2948da6f3f53");
}

static void
test_username_proof_verdicts(void)
{
    struct json_object *v = tzk_load("usernames.json");
    struct json_object *cases = tzk_get(v, "proof_verification_cases");
    size_t n, passed = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cases);
    n = json_object_array_length(cases);
    CU_ASSERT_EQUAL(n, 11);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cases, i);
        size_t hl, pl;
        uint8_t *h = tzk_hex(c, "hash", &hl), *p = tzk_hex(c, "proof", &pl);
        bool want = strcmp(tzk_str(c, "expected"), "valid") == 0;
        enum err e = zk_verify_username_proof(h, hl, p, pl);

        if ((e == E_OK) == want)
            passed++;
        else
            fprintf(stderr, "\nusername case failed: %s\n", tzk_str(c, "name"));
        free(h);
        free(p);
    }
    CU_ASSERT_EQUAL(passed, n);
    /* the proofs list: each proof verifies for its own hash */
    for (int i = 0; i < 3; i++) {
        char path[48];
        size_t hl, pl;
        uint8_t *h, *p;

        snprintf(path, sizeof path, "proofs.%d.hash", i);
        h = tzk_hex(v, path, &hl);
        snprintf(path, sizeof path, "proofs.%d.proof", i);
        p = tzk_hex(v, path, &pl);
        CU_ASSERT_EQUAL(zk_verify_username_proof(h, hl, p, pl), E_OK);
        free(h);
        free(p);
    }
    json_object_put(v);
}

void
tzk_register_username(void)
{
    CU_pSuite s = CU_add_suite("zk_username", NULL, NULL);

    CU_add_test(s, "username_generators", test_username_generators);
    CU_add_test(s, "username_proof_verdicts", test_username_proof_verdicts);
}
