/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-yaml: the YAML tree on any bytes, and yconf_quote read back by libyaml unchanged. */
#include "fuzz.h"

#include <string.h>

#include "conf-yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct yconf y = YCONF_INIT;
	struct diag d = DIAG_INIT;
	struct buf q = BUF_INIT;

	if (yconf_parse("/f", s, size, &y, &d) == 0 && y.root)
		FUZZ_ASSERT(y.root->start <= y.root->end && y.root->end <= size);
	yconf_free(&y);
	/* A secret that is valid UTF-8, quoted, is one scalar that decodes back to exactly it. */
	if (buf_puts(&q, "k: ") == 0 && yconf_quote(s, size, &q) == 0) {
		const struct yconf_node *v;
		FUZZ_ASSERT(yconf_parse("/q", q.data, q.len, &y, &d) == 0);
		v = yconf_map_get(y.root, "k");
		FUZZ_ASSERT(v && v->kind == YCONF_SCALAR && v->len == size && memcmp(v->value, s, size) == 0);
		yconf_free(&y);
	}
	buf_free(&q);
	return 0;
}
