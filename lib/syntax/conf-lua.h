/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-lua: a Lua 5.x tokenizer for Prosody's config, keeping byte offsets for positional edits. */
#ifndef JD_CONF_LUA_H
#define JD_CONF_LUA_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"

enum lua_tok {
	LUA_EOF,
	LUA_NAME,    /* identifier or keyword */
	LUA_STRING,  /* '...', "..." or [[...]]: decode with lua_string_value() */
	LUA_NUMBER,
	LUA_PUNCT,   /* one character: = { } ( ) , ; . [ ] and the rest */
	LUA_COMMENT, /* -- to end of line, or --[[ ... ]] */
};

struct lua_token {
	enum lua_tok type;
	size_t start, end;  /* bytes [start, end) of the text */
	unsigned line;      /* line of the first byte, 1-based */
	unsigned end_line;  /* line of the last byte */
	/* LUA_COMMENT: the comment's text without "--" and brackets */
	size_t body_start, body_end;
};

struct lua_lexer {
	const char *path; /* for messages */
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;
	bool lenient; /* inside a comment body: stop quietly at what is not Lua */
};

void lua_lexer_init(struct lua_lexer *lx, const char *path, const char *text, size_t len);
/*
 * The next token, comments included.  Returns 0, or -EBADMSG with
 * "PATH:LINE: reason" in D for what Lua itself would refuse: an unfinished
 * string or long comment, an invalid escape, a stray byte.
 */
int lua_next(struct lua_lexer *lx, struct lua_token *tok, struct diag *d);
/* Decode a LUA_STRING token into OUT (appended).  -EBADMSG on a bad escape. */
int lua_string_value(const char *text, const struct lua_token *tok, struct buf *out);
/* Append S as a double-quoted Lua string literal that decodes back to exactly S. */
int lua_quote(const char *s, size_t len, struct buf *out);
/* Whether the token is the name WORD. */
bool lua_is_name(const char *text, const struct lua_token *tok, const char *word);
/* Whether the token is the one-character punctuation C. */
bool lua_is_punct(const char *text, const struct lua_token *tok, char c);

#endif
