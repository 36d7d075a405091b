/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-lua: the Lua tokenizer on any bytes, and lua_quote read back by it unchanged. */
#include "fuzz.h"

#include <string.h>

#include "conf-lua.h"

static void lex_all(const char *text, size_t len)
{
	struct lua_lexer lx;
	struct lua_token t;
	struct diag d = DIAG_INIT;

	lua_lexer_init(&lx, "/f", text, len);
	while (lua_next(&lx, &t, &d) == 0 && t.type != LUA_EOF) {
		struct buf v = BUF_INIT;
		FUZZ_ASSERT(t.start <= t.end && t.end <= len);
		if (t.type == LUA_STRING)
			(void)lua_string_value(text, &t, &v);
		buf_free(&v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf q = BUF_INIT, v = BUF_INIT;
	struct lua_lexer lx;
	struct lua_token t;
	struct diag d = DIAG_INIT;

	lex_all(s, size);
	/* A secret of any bytes, quoted, is one string token that decodes back to exactly it. */
	if (lua_quote(s, size, &q) == 0) {
		lua_lexer_init(&lx, "/q", q.data, q.len);
		FUZZ_ASSERT(lua_next(&lx, &t, &d) == 0 && t.type == LUA_STRING && t.end == q.len);
		FUZZ_ASSERT(lua_string_value(q.data, &t, &v) == 0);
		FUZZ_ASSERT(v.len == size && (size == 0 || memcmp(v.data, s, size) == 0));
	}
	buf_free(&q);
	buf_free(&v);
	return 0;
}
