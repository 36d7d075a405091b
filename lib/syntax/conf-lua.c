/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-lua: a Lua 5.x tokenizer for Prosody's config, keeping byte offsets for positional edits. */
#include "conf-lua.h"
#include "exitcode.h"

#include <errno.h>
#include <string.h>

void lua_lexer_init(struct lua_lexer *lx, const char *path, const char *text, size_t len)
{
	*lx = (struct lua_lexer){ .path = path, .text = text, .len = len, .pos = 0, .line = 1 };
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int peek(const struct lua_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->text[lx->pos + ahead] : -1;
}

/* At "[" "="* "[": the level (count of '='), or -1 when this is no long bracket. */
static int long_bracket_level(const struct lua_lexer *lx)
{
	int level = 0;
	if (peek(lx, 0) != '[')
		return -1;
	while (peek(lx, 1 + (size_t)level) == '=')
		level++;
	return peek(lx, 1 + (size_t)level) == '[' ? level : -1;
}

/* Skip a long bracket of LEVEL starting at pos; sets the body range.  0 or -EBADMSG at EOF. */
static int skip_long(struct lua_lexer *lx, int level, size_t *body_start, size_t *body_end)
{
	lx->pos += (size_t)level + 2;
	/* A newline right after the opening bracket is not part of the string. */
	if (peek(lx, 0) == '\r' && peek(lx, 1) == '\n')
		lx->pos += 2, lx->line++;
	else if (peek(lx, 0) == '\n')
		lx->pos++, lx->line++;
	*body_start = lx->pos;
	while (lx->pos < lx->len) {
		int c = peek(lx, 0);
		if (c == ']') {
			int l = 0;
			while (peek(lx, 1 + (size_t)l) == '=')
				l++;
			if (l == level && peek(lx, 1 + (size_t)l) == ']') {
				*body_end = lx->pos;
				lx->pos += (size_t)level + 2;
				return 0;
			}
		}
		if (c == '\n')
			lx->line++;
		lx->pos++;
	}
	return -EBADMSG;
}

/* Skip a quoted string starting at pos (the quote); checks escapes. */
static int skip_quoted(struct lua_lexer *lx, const char **why)
{
	int q = peek(lx, 0);
	lx->pos++;
	while (lx->pos < lx->len) {
		int c = peek(lx, 0);
		if (c == q) {
			lx->pos++;
			return 0;
		}
		if (c == '\n' || c == '\r') {
			*why = "unfinished string";
			return -EBADMSG;
		}
		if (c == '\\') {
			int e = peek(lx, 1);
			lx->pos += 2;
			switch (e) {
			case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v':
			case '\\': case '"': case '\'':
				break;
			case '\n':
			case '\r':
				/* Lua takes "\r\n" and "\n\r" after a backslash as one line end. */
				if ((peek(lx, 0) == '\n' || peek(lx, 0) == '\r') && peek(lx, 0) != e)
					lx->pos++;
				lx->line++;
				break;
			case 'z':
				while (lx->pos < lx->len && peek(lx, 0) && strchr(" \t\r\n\v\f", peek(lx, 0))) {
					if (peek(lx, 0) == '\n')
						lx->line++;
					lx->pos++;
				}
				break;
			case 'x':
				if (!is_xdigit((unsigned char)peek(lx, 0)) || !is_xdigit((unsigned char)peek(lx, 1))) {
					*why = "invalid \\x escape in a string";
					return -EBADMSG;
				}
				lx->pos += 2;
				break;
			case 'u':
				if (peek(lx, 0) != '{') {
					*why = "invalid \\u escape in a string";
					return -EBADMSG;
				}
				lx->pos++;
				if (!is_xdigit((unsigned char)peek(lx, 0))) {
					*why = "invalid \\u escape in a string";
					return -EBADMSG;
				}
				while (is_xdigit((unsigned char)peek(lx, 0)))
					lx->pos++;
				if (peek(lx, 0) != '}') {
					*why = "invalid \\u escape in a string";
					return -EBADMSG;
				}
				lx->pos++;
				break;
			default:
				if (e >= 0 && is_digit((unsigned char)e)) {
					int v = e - '0';
					for (int i = 0; i < 2 && is_digit((unsigned char)peek(lx, 0)); i++)
						v = v * 10 + (peek(lx, 0) - '0'), lx->pos++;
					if (v > 255) {
						*why = "decimal escape too large in a string";
						return -EBADMSG;
					}
					break;
				}
				*why = e < 0 ? "unfinished string" : "invalid escape sequence in a string";
				return -EBADMSG;
			}
			continue;
		}
		lx->pos++;
	}
	*why = "unfinished string";
	return -EBADMSG;
}

int lua_next(struct lua_lexer *lx, struct lua_token *tok, struct diag *d)
{
	const char *why = NULL;
	int c, level, rc;

	for (;;) {
		c = peek(lx, 0);
		if (c == '\n')
			lx->line++;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
			lx->pos++;
		else
			break;
	}
	*tok = (struct lua_token){ .type = LUA_EOF, .start = lx->pos, .end = lx->pos, .line = lx->line };
	if (c < 0)
		goto done;

	if (c == '-' && peek(lx, 1) == '-') {
		tok->type = LUA_COMMENT;
		lx->pos += 2;
		level = long_bracket_level(lx);
		if (level >= 0) {
			if (skip_long(lx, level, &tok->body_start, &tok->body_end) < 0) {
				why = "unfinished long comment";
				goto fail;
			}
		} else {
			tok->body_start = lx->pos;
			while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
				lx->pos++;
			tok->body_end = lx->pos;
		}
	} else if (c == '"' || c == '\'') {
		tok->type = LUA_STRING;
		if (skip_quoted(lx, &why) < 0)
			goto fail;
	} else if ((level = long_bracket_level(lx)) >= 0) {
		size_t bs, be;
		tok->type = LUA_STRING;
		if (skip_long(lx, level, &bs, &be) < 0) {
			why = "unfinished long string";
			goto fail;
		}
	} else if (is_alpha((unsigned char)c)) {
		tok->type = LUA_NAME;
		while (lx->pos < lx->len &&
		       (is_alpha((unsigned char)lx->text[lx->pos]) || is_digit((unsigned char)lx->text[lx->pos])))
			lx->pos++;
	} else if (is_digit((unsigned char)c) || (c == '.' && is_digit((unsigned char)peek(lx, 1)))) {
		tok->type = LUA_NUMBER;
		while (lx->pos < lx->len) {
			int n = peek(lx, 0);
			if ((n == '+' || n == '-') && strchr("eEpP", lx->text[lx->pos - 1]) &&
			    !(lx->text[tok->start] == '0' && strchr("xX", lx->text[tok->start + 1]) &&
			      strchr("eE", lx->text[lx->pos - 1])))
				lx->pos++;
			else if (is_alpha((unsigned char)n) || is_digit((unsigned char)n) || n == '.')
				lx->pos++;
			else
				break;
		}
	} else if (c && strchr("=~<>{}()[];:,.+-*/%^#&|", c)) {
		tok->type = LUA_PUNCT;
		lx->pos++;
	} else {
		why = c >= 0x80 ? "unexpected non-ASCII byte outside a string" : "unexpected symbol";
		goto fail;
	}
done:
	tok->end = lx->pos;
	tok->end_line = lx->line;
	return 0;
fail:
	if (lx->lenient)
		return -EBADMSG;
	rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", lx->path, tok->line, why);
	return rc;
}

bool lua_is_name(const char *text, const struct lua_token *tok, const char *word)
{
	size_t n = strlen(word);
	return tok->type == LUA_NAME && tok->end - tok->start == n && memcmp(text + tok->start, word, n) == 0;
}

bool lua_is_punct(const char *text, const struct lua_token *tok, char c)
{
	return tok->type == LUA_PUNCT && text[tok->start] == c;
}

static int hexval(char c)
{
	return is_digit((unsigned char)c) ? c - '0' : (c | 0x20) - 'a' + 10;
}


int lua_string_value(const char *text, const struct lua_token *tok, struct buf *out)
{
	const char *p = text + tok->start, *end = text + tok->end;
	int rc = 0;

	if (tok->type != LUA_STRING)
		return -EINVAL;
	if (*p == '[') {
		/* Long string: raw bytes, minus the brackets and a leading newline. */
		struct lua_lexer lx;
		size_t bs, be;
		lua_lexer_init(&lx, "", text, tok->end);
		lx.pos = tok->start;
		if (skip_long(&lx, long_bracket_level(&lx), &bs, &be) < 0)
			return -EBADMSG;
		return buf_append(out, text + bs, be - bs);
	}
	p++;
	end--; /* the closing quote */
	while (p < end && rc == 0) {
		if (*p != '\\') {
			rc = buf_putc(out, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case 'a': rc = buf_putc(out, '\a'); p++; break;
		case 'b': rc = buf_putc(out, '\b'); p++; break;
		case 'f': rc = buf_putc(out, '\f'); p++; break;
		case 'n': rc = buf_putc(out, '\n'); p++; break;
		case 'r': rc = buf_putc(out, '\r'); p++; break;
		case 't': rc = buf_putc(out, '\t'); p++; break;
		case 'v': rc = buf_putc(out, '\v'); p++; break;
		case '\n':
		case '\r':
			rc = buf_putc(out, '\n');
			p++;
			if (p < end && (*p == '\n' || *p == '\r') && *p != p[-1])
				p++;
			break;
		case 'z':
			p++;
			while (p < end && *p && strchr(" \t\r\n\v\f", *p))
				p++;
			break;
		case 'x':
			rc = buf_putc(out, (char)(hexval(p[1]) * 16 + hexval(p[2])));
			p += 3;
			break;
		case 'u': {
			unsigned long cp = 0;
			for (p += 2; *p != '}'; p++) {
				cp = cp * 16 + (unsigned long)hexval(*p);
				if (cp > 0x7fffffffUL)
					return -EBADMSG;
			}
			p++;
			rc = buf_put_utf8(out, cp) < 0 ? -EBADMSG : 0; /* Lua goes to 2^31; UTF-8 stops here */
			break;
		}
		default:
			if (is_digit((unsigned char)*p)) {
				int v = 0;
				for (int i = 0; i < 3 && p < end && is_digit((unsigned char)*p); i++)
					v = v * 10 + (*p++ - '0');
				rc = buf_putc(out, (char)v);
			} else {
				rc = buf_putc(out, *p++); /* \\ \" \' */
			}
		}
	}
	return rc;
}

int lua_quote(const char *s, size_t len, struct buf *out)
{
	int rc = buf_putc(out, '"');
	for (size_t i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			rc = buf_append(out, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			/* Three digits always: a digit after the escape cannot extend it. */
			rc = buf_printf(out, "\\%03u", c);
		} else {
			rc = buf_putc(out, (char)c); /* UTF-8 passes through: Lua strings are bytes */
		}
	}
	if (rc == 0)
		rc = buf_putc(out, '"');
	return rc;
}
