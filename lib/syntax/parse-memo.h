/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse-memo: parsed trees kept with the exact text they came from, so a text read again is not parsed again. */
#ifndef JD_PARSE_MEMO_H
#define JD_PARSE_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * A batch applies one record after another to the same files: each record
 * reads back the text the record before it produced and checked.  Parsing
 * that text again made a batch quadratic; a memo hands back the tree the
 * check built instead.  A tree is reused only for a text equal byte for
 * byte (and the same path): a parser is a function of its text, so the
 * result is the one a new parse would give.  Only successful parses are
 * kept.  The texts kept may hold secrets: they live in sensitive buffers,
 * and every one is wiped when taken, evicted or cleared.
 */
#define PARSE_MEMO_SLOTS 16

struct parse_memo_slot {
	char *path;      /* NULL: the slot is free */
	struct buf text; /* sensitive; kept allocated across uses */
	void *tree;      /* tree_size bytes: the parser's result struct, moved here */
	unsigned long age;
};

struct parse_memo {
	size_t tree_size;
	void (*free_tree)(void *tree); /* frees what the struct holds, not the struct */
	struct parse_memo_slot v[PARSE_MEMO_SLOTS];
	unsigned long clock;
};

#define PARSE_MEMO_INIT(size, free_fn) { .tree_size = (size), .free_tree = (free_fn) }

/* When a tree parsed from exactly TEXT (LEN bytes) for PATH is kept: moved into RET (tree_size bytes), true. */
bool parse_memo_take(struct parse_memo *m, const char *path, const char *text, size_t len, void *ret);
/*
 * Keep TREE, the parse of TEXT for PATH: its tree_size bytes are moved into
 * the memo, and the caller must forget them.  Best effort: when there is no
 * memory, the tree is freed and nothing is kept.
 */
void parse_memo_keep(struct parse_memo *m, const char *path, const char *text, size_t len, void *tree);
/* Free and wipe everything kept. */
void parse_memo_clear(struct parse_memo *m);

#endif
