/* SPDX-License-Identifier: GPL-2.0-or-later */
/* syntax-check: a config text judged by the parser its server uses (liblua), and a whole changeset re-checked. */
#include "syntax-check.h"
#include "exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <sodium.h>

/* Compiling is linear in the text; this bounds a hostile one (16 MB at most is read) all the same. */
#define LUA_CHECK_MEM_MAX (512u << 20)

struct lua_budget {
	size_t used;
};

static void *lua_check_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lua_budget *b = ud;
	size_t old = ptr ? osize : 0;

	if (nsize == 0) {
		free(ptr);
		b->used -= old;
		return NULL;
	}
	if (nsize > old && b->used + (nsize - old) > LUA_CHECK_MEM_MAX)
		return NULL;
	void *p = realloc(ptr, nsize);
	if (p)
		b->used = b->used - old + nsize;
	return p;
}

/* "c:LINE: what near 'x'" -> LINE and "what", control bytes made visible. */
static void lua_check_message(const char *msg, unsigned *line, char *what, size_t len)
{
	const char *p = msg, *near;
	size_t n;

	*line = 0;
	if (strncmp(p, "c:", 2) == 0) {
		*line = (unsigned)strtoul(p + 2, (char **)&p, 10);
		if (strncmp(p, ": ", 2) == 0)
			p += 2;
	}
	near = strstr(p, " near ");
	n = near ? (size_t)(near - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	for (size_t i = 0; i < n; i++)
		what[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
	what[n] = '\0';
}

/*
 * Texts Lua compiled already in this process, by their BLAKE2b digest: a
 * batch of components has the same drop-ins checked once per component, and
 * a new Lua state for each would make it quadratic.  Only successes are
 * kept (a failure is rare and its message is wanted again).
 */
#define LUA_MEMO_DIGEST 16
static struct {
	unsigned char (*v)[LUA_MEMO_DIGEST]; /* open addressing, all-zero = empty */
	size_t n, cap;
} lua_memo;

static size_t lua_memo_slot(unsigned char (*v)[LUA_MEMO_DIGEST], size_t cap, const unsigned char *key)
{
	size_t i;
	memcpy(&i, key, sizeof(i));
	for (i &= cap - 1; memcmp(v[i], key, LUA_MEMO_DIGEST) != 0; i = (i + 1) & (cap - 1)) {
		static const unsigned char zero[LUA_MEMO_DIGEST];
		if (memcmp(v[i], zero, LUA_MEMO_DIGEST) == 0)
			break;
	}
	return i;
}

/* Whether TEXT compiled before; with ADD, remember that it did (best effort: no memory, no memo). */
static bool lua_memo_has(const char *text, size_t len, bool add)
{
	unsigned char key[LUA_MEMO_DIGEST];

	crypto_generichash(key, sizeof(key), (const unsigned char *)text, len, NULL, 0);
	key[0] |= 1; /* never the empty slot */
	if (!add)
		return lua_memo.cap && memcmp(lua_memo.v[lua_memo_slot(lua_memo.v, lua_memo.cap, key)], key, sizeof(key)) == 0;
	if (2 * (lua_memo.n + 1) > lua_memo.cap) {
		size_t cap = lua_memo.cap ? 2 * lua_memo.cap : 256;
		unsigned char (*v)[LUA_MEMO_DIGEST] = calloc(cap, LUA_MEMO_DIGEST);
		if (!v)
			return false;
		for (size_t i = 0; i < lua_memo.cap; i++)
			if (lua_memo.v[i][0])
				memcpy(v[lua_memo_slot(v, cap, lua_memo.v[i])], lua_memo.v[i], LUA_MEMO_DIGEST);
		free(lua_memo.v);
		lua_memo.v = v;
		lua_memo.cap = cap;
	}
	size_t i = lua_memo_slot(lua_memo.v, lua_memo.cap, key);
	if (!lua_memo.v[i][0])
		lua_memo.n++;
	memcpy(lua_memo.v[i], key, sizeof(key));
	return true;
}

int lua_compile_check(const char *path, const char *text, size_t len, struct diag *d)
{
	struct lua_budget budget = { 0 };
	lua_State *L;
	char what[300];
	unsigned line;
	int rc, st;

	if (lua_memo_has(text, len, false))
		return 0;
	L = lua_newstate(lua_check_alloc, &budget);
	if (!L)
		return diag_set(d, ENOMEM, EXIT_OSERR, "%s: cannot start the Lua compiler", path);
	/* Prosody: load(text, "@" .. file, "t", env) — text chunks only, never run here */
	st = luaL_loadbufferx(L, text, len, "=c", "t");
	if (st == LUA_OK) {
		rc = 0;
		lua_memo_has(text, len, true);
	} else if (st == LUA_ERRMEM) {
		rc = diag_set(d, EFBIG, EXIT_DATAERR, "%s: too large for the Lua compiler to check", path);
	} else {
		lua_check_message(lua_tostring(L, -1) ? lua_tostring(L, -1) : "", &line, what, sizeof(what));
		if (line)
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: Lua does not compile it: %s", path, line, what);
		else /* "C stack overflow": nesting too deep, no line given */
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s: Lua does not compile it: %s", path, what);
	}
	lua_close(L);
	return rc;
}

int syntax_verify_changes(struct changeset *cs, syntax_check_fn check, struct diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct change *c = &cs->v[i];
		struct diag why = DIAG_INIT;
		/* A content that passed is not checked again (a batch verifies after every component). */
		if (c->remove || c->verified_by == (void (*)(void))check)
			continue;
		if (check(c->path, c->data.data ? c->data.data : "", c->data.len, &why) == 0) {
			c->verified_by = (void (*)(void))check;
			continue;
		}
		return diag_set(d, EPROTO, EXIT_SOFTWARE, "%s: our edit would not be read by the server (%s); nothing written",
				c->path, why.msg);
	}
	return 0;
}
