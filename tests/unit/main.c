/* CUnit runner for the shared library, the FastCGI adapter and the DB-backed handler tests.
 * Usage: unit_tests [suite-name-filter] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <sodium.h>

#include "suites.h"

int
main(int argc, char **argv)
{
    static void (*const all[])(void) = {
        suite_b64, suite_str, suite_arena, suite_conf, suite_req, suite_router,
        suite_jx, suite_token, suite_fcgi_adapt, suite_api_db, suite_ratelimit,
        suite_certs_db, suite_push_jwt, suite_push_payload, suite_messages_db, suite_devices_db,
        suite_relay_frame, suite_relay_head, suite_relay_jobs,
    };
    unsigned failed;

    if (sodium_init() < 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        all[i]();
    if (argc > 1) {
        /* keep only suites whose name contains argv[1] */
        for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext)
            if (strstr(s->pName, argv[1]) == NULL)
                CU_set_suite_active(s, CU_FALSE);
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    printf("unit_tests: %u tests run, %u asserts, %u failures\n",
           CU_get_number_of_tests_run(), CU_get_number_of_asserts(), failed);
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
}
