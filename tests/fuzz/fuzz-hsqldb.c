/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-hsqldb: the HSQLDB script reader on any bytes. */
#include "fuzz.h"

#include "conf-hsqldb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keep[] = { "OFEXTCOMPONENTCONF", "OFPROPERTY", NULL };
	const char *s = (const char *)data;
	struct hsqldb_script sc = HSQLDB_SCRIPT_INIT;
	struct diag d = DIAG_INIT;

	(void)hsqldb_parse("/f", s, size, keep, &sc, &d);
	hsqldb_free(&sc);
	return 0;
}
