/* CUnit runner for the non-zkgroup crypto tests (xeddsa, kem, cert, mrm, hpke, secrets,
 * digest); argv[1] optionally names one suite. */
#include <stdio.h>

#include <CUnit/Basic.h>
#include <sodium.h>

#include "test_cx_util.h"

int
main(int argc, char **argv)
{
    unsigned failed;

    if (sodium_init() < 0)
        return 1;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    tcx_register_xeddsa();
    tcx_register_kem();
    tcx_register_cert();
    tcx_register_mrm();
    tcx_register_hpke();
    tcx_register_secrets();
    tcx_register_digest();
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
