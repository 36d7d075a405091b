/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit: what every cmocka unit test includes, and its main(). */
#ifndef JD_TEST_UNIT_H
#define JD_TEST_UNIT_H

/* cmocka.h needs these first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* The test program's main(): run the tests given, e.g. UNIT_TESTS(cmocka_unit_test(test_a), ...). */
#define UNIT_TESTS(...) \
	int main(void) \
	{ \
		const struct CMUnitTest tests[] = { __VA_ARGS__ }; \
		return cmocka_run_group_tests(tests, NULL, NULL); \
	}

/* A test run between the file's own setup() and teardown(). */
#define UNIT_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
