/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-erl: Erlang terms as file:consult/1 reads them (ejabberd 2.x's ejabberd.cfg), with byte offsets. */
#ifndef JD_CONF_ERL_H
#define JD_CONF_ERL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"

/*
 * A file of terms, each ended by a dot: the subset of Erlang a config
 * holds (atoms, quoted atoms, strings, numbers, characters, tuples, lists,
 * binaries).  Anything else file:consult/1 would refuse too (a variable, an
 * operator, an unfinished string) is refused with "PATH:LINE: reason".
 * Comments ('%' to the end of the line) are kept apart, with their places.
 */
enum erl_kind {
	ERL_ATOM,   /* foo, 'Foo bar': value holds the name */
	ERL_STRING, /* "..." (adjacent strings are one): value holds the bytes */
	ERL_NUMBER, /* 5222, 16#ff, 1.5, $a: value holds the text */
	ERL_TUPLE,
	ERL_LIST,
	ERL_BINARY, /* <<...>>: its contents are not read */
};

struct erl_term {
	enum erl_kind kind;
	size_t start, end; /* bytes [start, end) of the term's text */
	unsigned line;     /* 1-based, of start */
	char *value;       /* ATOM, STRING, NUMBER: decoded, NUL-terminated */
	size_t len;
	struct erl_term **kids; /* TUPLE and LIST elements (a list's tail after '|' is its last kid) */
	size_t nkids;
	bool improper; /* LIST: [a | T] */
};

struct erl_comment {
	size_t start, end; /* from the first '%' to the end of the line, line break excluded */
	unsigned line;
	bool whole_line;   /* nothing but blanks before it */
};

struct erl_file {
	const char *path; /* borrowed */
	const char *text; /* borrowed: must outlive the terms */
	size_t len;
	struct erl_term **terms; /* the top-level terms, in order */
	size_t nterms;
	size_t *dots; /* the offset of the dot that ends each term */
	struct erl_comment *comments;
	size_t ncomments;
};

#define ERL_FILE_INIT { NULL, NULL, 0, NULL, 0, NULL, NULL, 0 }
#define ERL_MAX_DEPTH 64

/* Parse TEXT.  -EBADMSG with "PATH:LINE: reason" in D; -ENOMEM.  *RET is left empty on failure. */
int erl_parse(const char *path, const char *text, size_t len, struct erl_file *ret, struct diag *d);
void erl_file_free(struct erl_file *f);

/* Whether T is the atom NAME; NULL-safe. */
bool erl_is_atom(const struct erl_term *t, const char *name);
/* T as a non-negative decimal integer; false otherwise. */
bool erl_uint(const struct erl_term *t, unsigned long *ret);
/* The first element of LIST that is a tuple whose first element is the atom KEY (proplists:lookup); NULL-safe. */
const struct erl_term *erl_lookup(const struct erl_term *list, const char *key);

/*
 * Append S as an Erlang string literal that reads back as the same bytes:
 * '"' and '\' escaped, printable ASCII as is, every other byte as a
 * three-digit octal escape.  A UTF-8 secret thus comes out as its bytes
 * whether the reader takes the file as Latin-1 (ejabberd 2.x: one byte,
 * one character) or as UTF-8 (file:consult since OTP 17): both see the
 * list of byte values, which ejabberd hashes in the handshake.
 */
int erl_quote(const char *s, size_t len, struct buf *out);

#endif
