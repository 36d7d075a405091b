/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-kv: the key=value reader on any bytes, and kv_set's result read back with the value set. */
#include "fuzz.h"

#include <string.h>

#include "conf-kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kv_file f = KV_FILE_INIT, g = KV_FILE_INIT;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;

	if (kv_parse("/f", s, size, &f, &d) == 0 && kv_set(s, size, &f, "password", "n3w s3cret", &out) == 0) {
		const struct kv_entry *e;
		FUZZ_ASSERT(kv_parse("/g", out.data, out.len, &g, &d) == 0);
		e = kv_get(&g, "password");
		FUZZ_ASSERT(e && strcmp(e->value, "n3w s3cret") == 0);
	}
	kv_free(&f);
	kv_free(&g);
	buf_free(&out);
	return 0;
}
