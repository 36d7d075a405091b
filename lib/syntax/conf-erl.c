/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-erl: Erlang terms as file:consult/1 reads them (ejabberd 2.x's ejabberd.cfg), with byte offsets. */
#include "grow.h"
#include "conf-erl.h"
#include "exitcode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

enum erl_tok { TOK_EOF, TOK_ATOM, TOK_STRING, TOK_NUMBER, TOK_VAR, TOK_PUNCT, TOK_DOT };

struct erl_token {
	enum erl_tok type;
	size_t start, end;
	unsigned line;
	char punct[3];
	struct buf value; /* ATOM, STRING, NUMBER, VAR */
};

struct erl_lexer {
	struct erl_file *f;
	size_t pos;
	unsigned line;
	struct diag *d;
	struct erl_token ahead;
	bool have_ahead;
	size_t capcomments;
};

static bool erl_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static bool erl_upper(int c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool erl_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool erl_namechar(int c)
{
	return erl_lower(c) || erl_upper(c) || erl_digit(c) || c == '@';
}

static int erl_peekc(const struct erl_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->f->len ? (unsigned char)lx->f->text[lx->pos + ahead] : -1;
}

static int erl_error(struct erl_lexer *lx, unsigned line, const char *why)
{
	return diag_set(lx->d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", lx->f->path, line, why);
}

static int erl_add_comment(struct erl_lexer *lx, size_t start)
{
	struct erl_file *f = lx->f;
	size_t end = start, ls = start;

	while (end < f->len && f->text[end] != '\n')
		end++;
	if (end > start && f->text[end - 1] == '\r')
		end--;
	while (ls > 0 && (f->text[ls - 1] == ' ' || f->text[ls - 1] == '\t'))
		ls--;
	if (f->ncomments == lx->capcomments) {
		size_t cap = lx->capcomments ? 2 * lx->capcomments : 32;
		struct erl_comment *v = realloc(f->comments, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->comments = v;
		lx->capcomments = cap;
	}
	f->comments[f->ncomments++] =
		(struct erl_comment){ start, end, lx->line, ls == 0 || f->text[ls - 1] == '\n' };
	lx->pos = end;
	return 0;
}

/* One escape after '\' in a string or quoted atom; the decoded byte(s) go to OUT. */
static int erl_escape(struct erl_lexer *lx, struct buf *out)
{
	static const char simple[] = "b\bd\x7f" "e\x1b" "f\f" "n\n" "r\r" "s " "t\t" "v\v";
	int c = erl_peekc(lx, 0);
	unsigned long v = 0;

	if (c < 0)
		return -EBADMSG;
	lx->pos++;
	for (size_t i = 0; simple[i]; i += 2)
		if (c == simple[i])
			return buf_putc(out, simple[i + 1]);
	if (c >= '0' && c <= '7') {
		v = (unsigned long)(c - '0');
		for (int k = 0; k < 2 && erl_peekc(lx, 0) >= '0' && erl_peekc(lx, 0) <= '7'; k++)
			v = v * 8 + (unsigned long)(erl_peekc(lx, 0) - '0'), lx->pos++;
	} else if (c == 'x') {
		bool brace = erl_peekc(lx, 0) == '{';
		int n = 0;
		lx->pos += brace;
		for (;;) {
			int h = erl_peekc(lx, 0);
			int dv = erl_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
			if (dv < 0 || (!brace && n == 2) || v > 0x10ffff)
				break;
			v = v * 16 + (unsigned long)dv, lx->pos++, n++;
		}
		if (n == 0 || (brace && erl_peekc(lx, 0) != '}') || v > 0x10ffff)
			return -EBADMSG;
		lx->pos += brace;
	} else if (c == '^') {
		c = erl_peekc(lx, 0);
		if (c < 0)
			return -EBADMSG;
		lx->pos++;
		v = (unsigned long)c & 31;
	} else {
		if (c == '\n')
			lx->line++;
		v = (unsigned long)c; /* \" \' \\ and any other character stand for themselves */
	}
	if (v < 256)
		return buf_putc(out, (char)v);
	/* a code point beyond Latin-1: its UTF-8 bytes */
	char u[4];
	size_t n = v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
	for (size_t i = n - 1; i > 0; i--, v >>= 6)
		u[i] = (char)(0x80 | (v & 0x3f));
	u[0] = (char)((n == 2 ? 0xc0 : n == 3 ? 0xe0 : 0xf0) | v);
	return buf_append(out, u, n);
}

static int erl_quoted(struct erl_lexer *lx, struct erl_token *t)
{
	int q = erl_peekc(lx, 0), rc = 0;
	lx->pos++;
	for (;;) {
		int c = erl_peekc(lx, 0);
		if (c < 0)
			return erl_error(lx, t->line, q == '"' ? "a string that never ends" : "a quoted atom that never ends");
		lx->pos++;
		if (c == q)
			break;
		if (c == '\\') {
			rc = erl_escape(lx, &t->value);
			if (rc == -EBADMSG)
				return erl_error(lx, lx->line, "a bad escape sequence");
		} else {
			if (c == '\n')
				lx->line++;
			rc = buf_putc(&t->value, (char)c);
		}
		if (rc < 0)
			return rc;
	}
	t->type = q == '"' ? TOK_STRING : TOK_ATOM;
	return 0;
}

static int erl_number(struct erl_lexer *lx, struct erl_token *t)
{
	size_t s = lx->pos;
	while (erl_digit(erl_peekc(lx, 0)) || erl_peekc(lx, 0) == '_')
		lx->pos++;
	if (erl_peekc(lx, 0) == '#') {
		lx->pos++;
		while (erl_namechar(erl_peekc(lx, 0)))
			lx->pos++;
	} else if (erl_peekc(lx, 0) == '.' && erl_digit(erl_peekc(lx, 1))) {
		lx->pos++;
		while (erl_digit(erl_peekc(lx, 0)))
			lx->pos++;
		if ((erl_peekc(lx, 0) == 'e' || erl_peekc(lx, 0) == 'E') &&
		    (erl_digit(erl_peekc(lx, 1)) || ((erl_peekc(lx, 1) == '-' || erl_peekc(lx, 1) == '+') && erl_digit(erl_peekc(lx, 2)))))
			for (lx->pos += 2; erl_digit(erl_peekc(lx, 0));)
				lx->pos++;
	}
	t->type = TOK_NUMBER;
	return buf_append(&t->value, lx->f->text + s, lx->pos - s);
}

static int erl_lex(struct erl_lexer *lx, struct erl_token *t)
{
	const char *text = lx->f->text;
	int c, rc;

	buf_truncate(&t->value, 0);
	for (;;) {
		c = erl_peekc(lx, 0);
		if (c == '\n')
			lx->line++;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
			lx->pos++;
			continue;
		}
		if (c == '%') {
			rc = erl_add_comment(lx, lx->pos);
			if (rc < 0)
				return rc;
			continue;
		}
		break;
	}
	t->start = lx->pos;
	t->line = lx->line;
	if (c < 0) {
		t->type = TOK_EOF;
	} else if (c == '"' || c == '\'') {
		rc = erl_quoted(lx, t);
		if (rc < 0)
			return rc;
	} else if (erl_digit(c)) {
		rc = erl_number(lx, t);
		if (rc < 0)
			return rc;
	} else if (c == '$') {
		/* a character: $a, $\n */
		lx->pos++;
		if (erl_peekc(lx, 0) < 0)
			return erl_error(lx, t->line, "a '$' with no character after it");
		if (erl_peekc(lx, 0) == '\\') {
			lx->pos++;
			rc = erl_escape(lx, &t->value);
			if (rc == -EBADMSG)
				return erl_error(lx, t->line, "a bad escape sequence");
		} else {
			lx->pos++;
		}
		buf_truncate(&t->value, 0);
		t->type = TOK_NUMBER;
		rc = buf_append(&t->value, text + t->start, lx->pos - t->start);
		if (rc < 0)
			return rc;
	} else if (erl_lower(c) || erl_upper(c)) {
		while (erl_namechar(erl_peekc(lx, 0)))
			lx->pos++;
		t->type = erl_lower(c) ? TOK_ATOM : TOK_VAR;
		rc = buf_append(&t->value, text + t->start, lx->pos - t->start);
		if (rc < 0)
			return rc;
	} else if (c == '.' && (erl_peekc(lx, 1) < 0 || strchr(" \t\r\n%", erl_peekc(lx, 1)))) {
		lx->pos++;
		t->type = TOK_DOT;
	} else if ((c == '<' && erl_peekc(lx, 1) == '<') || (c == '>' && erl_peekc(lx, 1) == '>')) {
		t->type = TOK_PUNCT;
		t->punct[0] = t->punct[1] = (char)c;
		t->punct[2] = '\0';
		lx->pos += 2;
	} else if (c >= 0x20 && c < 0x7f) {
		t->type = TOK_PUNCT;
		t->punct[0] = (char)c;
		t->punct[1] = '\0';
		lx->pos++;
	} else {
		return erl_error(lx, t->line, "a byte that starts no Erlang token (outside strings and comments)");
	}
	t->end = lx->pos;
	return 0;
}

static int erl_next(struct erl_lexer *lx, struct erl_token *t)
{
	if (lx->have_ahead) {
		struct buf keep = t->value;
		*t = lx->ahead;
		lx->ahead.value = keep;
		lx->have_ahead = false;
		return 0;
	}
	return erl_lex(lx, t);
}

static int erl_peek(struct erl_lexer *lx, const struct erl_token **ret)
{
	if (!lx->have_ahead) {
		int rc = erl_lex(lx, &lx->ahead);
		if (rc < 0)
			return rc;
		lx->have_ahead = true;
	}
	*ret = &lx->ahead;
	return 0;
}

static bool erl_punct(const struct erl_token *t, const char *p)
{
	return t->type == TOK_PUNCT && strcmp(t->punct, p) == 0;
}

static void erl_term_free(struct erl_term *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nkids; i++)
		erl_term_free(t->kids[i]);
	free(t->kids);
	/* a string may be a secret (a listener's password): wiped, like the kv and ini values */
	if (t->value)
		sodium_memzero(t->value, strlen(t->value));
	free(t->value);
	free(t);
}

void erl_file_free(struct erl_file *f)
{
	for (size_t i = 0; i < f->nterms; i++)
		erl_term_free(f->terms[i]);
	free(f->terms);
	free(f->dots);
	free(f->comments);
	*f = (struct erl_file)ERL_FILE_INIT;
}

static int erl_push(struct erl_term ***v, size_t *n, struct erl_term *t)
{
	struct erl_term **nv = grow_one(*v, *n, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = t;
	*v = nv;
	return 0;
}

static const char *erl_what(const struct erl_token *t)
{
	switch (t->type) {
	case TOK_EOF:
		return "the end of the file";
	case TOK_DOT:
		return "a dot";
	case TOK_VAR:
		return "a variable (file:consult takes no variables)";
	default:
		return "something that is no term here";
	}
}

static int erl_term(struct erl_lexer *lx, unsigned depth, struct erl_term **ret);

/* The elements of a tuple or list up to CLOSE; the opening bracket is read. */
static int erl_elements(struct erl_lexer *lx, unsigned depth, struct erl_term *t, const char *close)
{
	const struct erl_token *p;
	struct erl_token tok = { .value = BUF_INIT };
	int rc = erl_peek(lx, &p);

	if (rc == 0 && erl_punct(p, close)) {
		rc = erl_next(lx, &tok);
		goto out;
	}
	while (rc == 0) {
		struct erl_term *k = NULL;
		rc = erl_term(lx, depth + 1, &k);
		if (rc == 0 && (rc = erl_push(&t->kids, &t->nkids, k)) < 0)
			erl_term_free(k);
		if (rc == 0)
			rc = erl_next(lx, &tok);
		if (rc < 0)
			break;
		if (erl_punct(&tok, close))
			break;
		if (erl_punct(&tok, "|") && close[0] == ']' && !t->improper) {
			t->improper = true;
			continue;
		}
		if (!erl_punct(&tok, ",") || t->improper) {
			rc = diag_set(lx->d, EBADMSG, EXIT_DATAERR, "%s:%u: expected ',' or '%s' in the %s opened at line %u, found %s",
				      lx->f->path, tok.line, close, close[0] == ']' ? "list" : "tuple", t->line,
				      tok.type == TOK_PUNCT ? tok.punct : erl_what(&tok));
			break;
		}
	}
out:
	t->end = tok.end;
	buf_free(&tok.value);
	return rc;
}

static int erl_term(struct erl_lexer *lx, unsigned depth, struct erl_term **ret)
{
	struct erl_token tok = { .value = BUF_INIT };
	struct erl_term *t = NULL;
	const struct erl_token *p;
	int rc;

	rc = erl_next(lx, &tok);
	if (rc < 0)
		goto out;
	if (depth > ERL_MAX_DEPTH) {
		rc = erl_error(lx, tok.line, "terms nested too deep");
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	t->start = tok.start;
	t->end = tok.end;
	t->line = tok.line;
	if (tok.type == TOK_PUNCT && tok.punct[0] == '-' && (rc = erl_peek(lx, &p)) == 0 && p->type == TOK_NUMBER) {
		rc = erl_next(lx, &tok);
		t->end = tok.end;
		tok.type = TOK_NUMBER;
		buf_truncate(&tok.value, 0);
		if (rc == 0)
			rc = buf_append(&tok.value, lx->f->text + t->start, t->end - t->start);
	}
	if (rc < 0)
		goto out;
	if (tok.type == TOK_ATOM || tok.type == TOK_STRING || tok.type == TOK_NUMBER) {
		t->kind = tok.type == TOK_ATOM ? ERL_ATOM : tok.type == TOK_STRING ? ERL_STRING : ERL_NUMBER;
		/* "ab" "cd" is one string */
		while (rc == 0 && tok.type == TOK_STRING && (rc = erl_peek(lx, &p)) == 0 && p->type == TOK_STRING) {
			struct erl_token more = { .value = BUF_INIT };
			rc = erl_next(lx, &more);
			if (rc == 0)
				rc = buf_append(&tok.value, buf_str(&more.value), more.value.len);
			t->end = more.end;
			buf_free(&more.value);
		}
		if (rc == 0) {
			t->len = tok.value.len;
			t->value = malloc(t->len + 1);
			if (!t->value)
				rc = -ENOMEM;
			else
				memcpy(t->value, buf_str(&tok.value), t->len + 1);
		}
	} else if (erl_punct(&tok, "{") || erl_punct(&tok, "[")) {
		t->kind = tok.punct[0] == '{' ? ERL_TUPLE : ERL_LIST;
		rc = erl_elements(lx, depth, t, tok.punct[0] == '{' ? "}" : "]");
	} else if (erl_punct(&tok, "<<")) {
		t->kind = ERL_BINARY;
		do {
			rc = erl_next(lx, &tok);
		} while (rc == 0 && !erl_punct(&tok, ">>") && tok.type != TOK_EOF && tok.type != TOK_DOT);
		if (rc == 0 && !erl_punct(&tok, ">>"))
			rc = erl_error(lx, t->line, "a binary (<<...) that never ends");
		t->end = tok.end;
	} else {
		rc = diag_set(lx->d, EBADMSG, EXIT_DATAERR, "%s:%u: expected a term, found %s%s%s", lx->f->path, tok.line,
			      tok.type == TOK_PUNCT ? "'" : "", tok.type == TOK_PUNCT ? tok.punct : erl_what(&tok),
			      tok.type == TOK_PUNCT ? "'" : "");
	}
out:
	buf_free(&tok.value);
	if (rc < 0)
		erl_term_free(t);
	else
		*ret = t;
	return rc;
}

int erl_parse(const char *path, const char *text, size_t len, struct erl_file *ret, struct diag *d)
{
	struct erl_file f = { .path = path, .text = text, .len = len };
	struct erl_lexer lx = { .f = &f, .line = 1, .d = d, .ahead = { .value = BUF_INIT } };
	struct erl_token tok = { .value = BUF_INIT };
	int rc = 0;

	for (size_t i = 0, line = 1; i < len; i++) {
		if (text[i] == '\0') {
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: contains a NUL byte", path, line);
			goto out;
		}
		line += text[i] == '\n';
	}
	for (;;) {
		const struct erl_token *p;
		struct erl_term *t = NULL;
		size_t *dots;
		rc = erl_peek(&lx, &p);
		if (rc < 0 || p->type == TOK_EOF)
			break;
		rc = erl_term(&lx, 0, &t);
		if (rc == 0 && (rc = erl_push(&f.terms, &f.nterms, t)) < 0)
			erl_term_free(t);
		if (rc == 0)
			rc = erl_next(&lx, &tok);
		if (rc == 0 && tok.type != TOK_DOT)
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: expected the dot that ends the term of line %u, found %s%s%s",
				      path, tok.line, t->line, tok.type == TOK_PUNCT ? "'" : "",
				      tok.type == TOK_PUNCT ? tok.punct : erl_what(&tok), tok.type == TOK_PUNCT ? "'" : "");
		if (rc < 0)
			break;
		dots = realloc(f.dots, f.nterms * sizeof(*dots));
		if (!dots) {
			rc = -ENOMEM;
			break;
		}
		f.dots = dots;
		f.dots[f.nterms - 1] = tok.start;
	}
out:
	buf_free(&tok.value);
	buf_free(&lx.ahead.value);
	if (rc < 0)
		erl_file_free(&f);
	else
		*ret = f;
	return rc;
}

bool erl_is_atom(const struct erl_term *t, const char *name)
{
	return t && t->kind == ERL_ATOM && strcmp(t->value, name) == 0;
}

bool erl_uint(const struct erl_term *t, unsigned long *ret)
{
	unsigned long v = 0;
	if (!t || t->kind != ERL_NUMBER || t->len == 0 || t->len > 9)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (!erl_digit(t->value[i]))
			return false;
		v = v * 10 + (unsigned long)(t->value[i] - '0');
	}
	*ret = v;
	return true;
}

const struct erl_term *erl_lookup(const struct erl_term *list, const char *key)
{
	for (size_t i = 0; list && list->kind == ERL_LIST && i < list->nkids; i++) {
		const struct erl_term *e = list->kids[i];
		if (e->kind == ERL_TUPLE && e->nkids && erl_is_atom(e->kids[0], key))
			return e;
	}
	return NULL;
}

int erl_quote(const char *s, size_t len, struct buf *out)
{
	size_t mark = out->len;
	int rc = buf_putc(out, '"');

	for (size_t i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			rc = buf_putc(out, (char)c);
		else
			rc = buf_printf(out, "\\%03o", c);
	}
	if (rc == 0)
		rc = buf_putc(out, '"');
	if (rc < 0)
		buf_truncate(out, mark);
	return rc;
}
