/* CUnit runner for the zkgroup / poksho / SHO tests; argv[1] optionally names one suite. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <sodium.h>

#include "test_zk_util.h"

int
main(int argc, char **argv)
{
    unsigned failed;

    if (sodium_init() < 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    tzk_register_sho();
    tzk_register_params();
    tzk_register_auth();
    tzk_register_calllink();
    tzk_register_groupsend();
    tzk_register_profile();
    tzk_register_receipt();
    tzk_register_backup();
    tzk_register_donation();
    tzk_register_username();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(argv[1]);

        if (s == NULL) {
            fprintf(stderr, "no suite %s\n", argv[1]);
            CU_cleanup_registry();
            return 1;
        }
        CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
}
