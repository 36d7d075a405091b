/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse-memo: parsed trees kept with the exact text they came from, so a text read again is not parsed again. */
#include "parse-memo.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Empty slot S, its text wiped; its buffer stays for the next text kept. */
static void memo_release(struct parse_memo *m, struct parse_memo_slot *s, bool free_tree)
{
	if (s->tree && free_tree)
		m->free_tree(s->tree);
	if (s->tree)
		sodium_memzero(s->tree, m->tree_size);
	free(s->tree);
	free(s->path);
	s->tree = NULL;
	s->path = NULL;
	buf_truncate(&s->text, 0);
}

bool parse_memo_take(struct parse_memo *m, const char *path, const char *text, size_t len, void *ret)
{
	for (size_t i = 0; i < PARSE_MEMO_SLOTS; i++) {
		struct parse_memo_slot *s = &m->v[i];
		if (!s->path || s->text.len != len || strcmp(s->path, path) != 0 || memcmp(s->text.data, text, len) != 0)
			continue;
		memcpy(ret, s->tree, m->tree_size);
		memo_release(m, s, false);
		return true;
	}
	return false;
}

/* A free slot, else the one kept longest ago (emptied). */
static struct parse_memo_slot *memo_slot(struct parse_memo *m)
{
	struct parse_memo_slot *oldest = &m->v[0];

	for (size_t i = 0; i < PARSE_MEMO_SLOTS; i++) {
		if (!m->v[i].path)
			return &m->v[i];
		if (m->v[i].age < oldest->age)
			oldest = &m->v[i];
	}
	memo_release(m, oldest, true);
	return oldest;
}

void parse_memo_keep(struct parse_memo *m, const char *path, const char *text, size_t len, void *tree)
{
	struct parse_memo_slot *s;
	void *copy = malloc(m->tree_size);

	/* The same text kept twice: the older copy goes. */
	if (copy && parse_memo_take(m, path, text, len, copy))
		m->free_tree(copy);
	s = memo_slot(m);
	if (!s->text.sensitive)
		s->text = (struct buf)BUF_INIT_SENSITIVE;
	s->path = copy ? strdup(path) : NULL;
	if (!s->path || buf_append(&s->text, text, len) < 0) {
		free(copy);
		memo_release(m, s, false);
		m->free_tree(tree);
		return;
	}
	memcpy(copy, tree, m->tree_size);
	s->tree = copy;
	s->age = ++m->clock;
}

void parse_memo_clear(struct parse_memo *m)
{
	for (size_t i = 0; i < PARSE_MEMO_SLOTS; i++) {
		memo_release(m, &m->v[i], true);
		buf_free(&m->v[i].text);
	}
}
