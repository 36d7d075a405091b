/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz: what every fuzz target shares — the libFuzzer entry point, and a loud stop on a broken promise. */
#ifndef JD_FUZZ_H
#define JD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the library promises did not hold: a crash for the fuzzer to keep. */
#define FUZZ_ASSERT(cond)                                                                   \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                            \
		}                                                                           \
	} while (0)

#endif
