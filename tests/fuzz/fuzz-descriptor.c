/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-descriptor: the descriptor reader on any bytes. */
#include "fuzz.h"

#include "descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct descriptor dsc = DESCRIPTOR_INIT;
	struct diag d = DIAG_INIT;

	(void)descriptor_parse("/f", (const char *)data, size, &dsc, &d);
	descriptor_free(&dsc);
	return 0;
}
