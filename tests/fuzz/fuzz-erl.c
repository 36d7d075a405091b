/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-erl: the Erlang-term reader on any bytes, and erl_quote read back unchanged. */
#include "fuzz.h"

#include <string.h>

#include "conf-erl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct erl_file f = ERL_FILE_INIT;
	struct diag d = DIAG_INIT;
	struct buf q = BUF_INIT;

	(void)erl_parse("/f", s, size, &f, &d);
	erl_file_free(&f);
	/* A quoted secret is one string term holding exactly its bytes. */
	if (buf_puts(&q, "{password, ") == 0 && erl_quote(s, size, &q) == 0 && buf_puts(&q, "}.\n") == 0) {
		FUZZ_ASSERT(erl_parse("/q", q.data, q.len, &f, &d) == 0);
		FUZZ_ASSERT(f.nterms == 1 && f.terms[0]->nkids == 2);
		FUZZ_ASSERT(f.terms[0]->kids[1]->kind == ERL_STRING && f.terms[0]->kids[1]->len == size &&
			    memcmp(f.terms[0]->kids[1]->value, s, size) == 0);
		erl_file_free(&f);
	}
	buf_free(&q);
	return 0;
}
