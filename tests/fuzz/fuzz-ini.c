/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-ini: the INI reader in every dialect on any bytes. */
#include "fuzz.h"

#include "conf-ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ini_dialect dialects[] = { INI_CONFIGPARSER, INI_BOOST, INI_CONFIGARGPARSE };
	/* the first byte picks the dialect, so one corpus covers them all */
	enum ini_dialect dialect = dialects[size ? data[0] % 3 : 0];
	struct ini_file f = INI_FILE_INIT;
	struct diag d = DIAG_INIT;

	if (size)
		data++, size--;
	if (ini_parse("/f", (const char *)data, size, dialect, &f, &d) == 0)
		for (size_t i = 0; i < f.n; i++)
			FUZZ_ASSERT(f.v[i].value_start <= f.v[i].value_end && f.v[i].value_end <= size);
	ini_free(&f);
	return 0;
}
