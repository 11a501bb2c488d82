/* Tests for shared/crypto/zkparams.c against zkgroup-params.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/zkparams.h"
#include "test_zk_util.h"

static void
test_server_params_vectors(void)
{
    struct json_object *v = tzk_load("zkgroup-params.json");
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 2; i++) {
        char path[128];
        uint8_t seed[32], sec[ZK_SERVER_SECRET_LEN], pub[ZK_SERVER_PUBLIC_LEN];
        uint8_t *want_sec;
        size_t want_len;
        struct zk_server_secret *sp, *loaded = NULL;

        snprintf(path, sizeof path, "server_params.%d.randomness", i);
        CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, seed, 32));
        sp = zk_server_secret_from_seed(seed);
        zk_server_secret_serialize(sp, sec);
        zk_server_public_serialize(sp, pub);
        snprintf(path, sizeof path, "server_params.%d.server_secret_params", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, sec, sizeof sec));
        want_sec = tzk_hex(v, path, &want_len);
        snprintf(path, sizeof path, "server_params.%d.server_public_params", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, pub, sizeof pub));
        {
            uint8_t api[33] = {0};

            memcpy(api + 1, sp->endorse_pk, 32);
            snprintf(path, sizeof path, "server_params.%d.endorsement_public_key_api", i);
            CU_ASSERT_TRUE(tzk_eq_hex(v, path, api, sizeof api));
        }

        /* load the vector's bytes and re-derive */
        CU_ASSERT_EQUAL_FATAL(zk_server_secret_load(want_sec, want_len, &loaded), E_OK);
        memset(sec, 0, sizeof sec);
        memset(pub, 0, sizeof pub);
        zk_server_secret_serialize(loaded, sec);
        zk_server_public_serialize(loaded, pub);
        CU_ASSERT_EQUAL(memcmp(sec, want_sec, sizeof sec), 0);
        snprintf(path, sizeof path, "server_params.%d.server_public_params", i);
        CU_ASSERT_TRUE(tzk_eq_hex(v, path, pub, sizeof pub));
        zk_server_secret_free(loaded);
        zk_server_secret_free(sp);

        /* strict parsing */
        CU_ASSERT_EQUAL(zk_server_secret_load(want_sec, want_len - 1, &loaded), E_BAD_REQUEST);
        CU_ASSERT_PTR_NULL(loaded);
        want_sec[0] = 1;
        CU_ASSERT_EQUAL(zk_server_secret_load(want_sec, want_len, &loaded), E_BAD_REQUEST);
        want_sec[0] = 0;
        want_sec[2720] = 0xff;      /* endorsement scalar made non-canonical */
        CU_ASSERT_EQUAL(zk_server_secret_load(want_sec, want_len, &loaded), E_BAD_REQUEST);
        free(want_sec);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 2);
    json_object_put(v);
}

static void
test_generic_params_vectors(void)
{
    struct json_object *v = tzk_load("zkgroup-params.json");
    int checked = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 2; i++) {
        for (int mode = 0; mode < 2; mode++) {
            char path[160], base[96];
            uint8_t seed[32], sec[ZK_GENERIC_SECRET_LEN], pub[ZK_GENERIC_PUBLIC_LEN];
            uint8_t *want;
            size_t want_len;
            struct zk_generic_secret *gp, *loaded = NULL;

            snprintf(path, sizeof path, "generic_server_params.%d.randomness", i);
            CU_ASSERT_TRUE_FATAL(tzk_hex_fixed(v, path, seed, 32));
            if (mode == 0)
                snprintf(base, sizeof base, "generic_server_params.%d", i);
            else
                snprintf(base, sizeof base, "generic_server_params.%d.standard_mode_variant", i);
            gp = zk_generic_secret_from_seed(seed, (enum zk_generic_mode)mode);
            zk_generic_secret_serialize(gp, sec);
            zk_generic_public_serialize(gp, pub);
            snprintf(path, sizeof path, "%s.generic_server_secret_params", base);
            CU_ASSERT_TRUE(tzk_eq_hex(v, path, sec, sizeof sec));
            want = tzk_hex(v, path, &want_len);
            snprintf(path, sizeof path, "%s.generic_server_public_params", base);
            CU_ASSERT_TRUE(tzk_eq_hex(v, path, pub, sizeof pub));

            CU_ASSERT_EQUAL_FATAL(zk_generic_secret_load(want, want_len, &loaded), E_OK);
            memset(pub, 0, sizeof pub);
            zk_generic_public_serialize(loaded, pub);
            CU_ASSERT_TRUE(tzk_eq_hex(v, path, pub, sizeof pub));
            zk_generic_secret_free(loaded);
            zk_generic_secret_free(gp);

            want[0] = 2;
            CU_ASSERT_EQUAL(zk_generic_secret_load(want, want_len, &loaded), E_BAD_REQUEST);
            want[0] = (uint8_t)mode;
            CU_ASSERT_EQUAL(zk_generic_secret_load(want, want_len - 1, &loaded), E_BAD_REQUEST);
            memset(want + 65, 0xff, 32);   /* W: not a point encoding */
            CU_ASSERT_EQUAL(zk_generic_secret_load(want, want_len, &loaded), E_BAD_REQUEST);
            CU_ASSERT_PTR_NULL(loaded);
            free(want);
            checked++;
        }
    }
    CU_ASSERT_EQUAL(checked, 4);
    json_object_put(v);
}

static void
test_random_generation_roundtrip(void)
{
    struct zk_server_secret *sp = zk_server_secret_generate(), *loaded = NULL;
    struct zk_generic_secret *gp = zk_generic_secret_generate(ZK_MODE_LEGACY), *gl = NULL;
    uint8_t a[ZK_SERVER_SECRET_LEN], b[ZK_SERVER_SECRET_LEN];
    uint8_t pa[ZK_SERVER_PUBLIC_LEN], pb[ZK_SERVER_PUBLIC_LEN];
    uint8_t ga[ZK_GENERIC_SECRET_LEN], gb[ZK_GENERIC_SECRET_LEN];

    zk_server_secret_serialize(sp, a);
    zk_server_public_serialize(sp, pa);
    CU_ASSERT_EQUAL_FATAL(zk_server_secret_load(a, sizeof a, &loaded), E_OK);
    zk_server_secret_serialize(loaded, b);
    zk_server_public_serialize(loaded, pb);
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof pa), 0);
    zk_generic_secret_serialize(gp, ga);
    CU_ASSERT_EQUAL_FATAL(zk_generic_secret_load(ga, sizeof ga, &gl), E_OK);
    zk_generic_secret_serialize(gl, gb);
    CU_ASSERT_EQUAL(memcmp(ga, gb, sizeof ga), 0);
    zk_server_secret_free(sp);
    zk_server_secret_free(loaded);
    zk_generic_secret_free(gp);
    zk_generic_secret_free(gl);
}

void
tzk_register_params(void)
{
    CU_pSuite s = CU_add_suite("zk_params", NULL, NULL);

    CU_add_test(s, "server_params_vectors", test_server_params_vectors);
    CU_add_test(s, "generic_params_vectors", test_generic_params_vectors);
    CU_add_test(s, "random_generation_roundtrip", test_random_generation_roundtrip);
}
