/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-kv: "key=value" files with '#' comments (biboumi.cfg and the like), read without loss. */
#ifndef JD_CONF_KV_H
#define JD_CONF_KV_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

struct kv_entry {
	char *key;
	char *value;   /* the bytes after '=' up to the end of the line, as they are */
	unsigned line; /* 1-based */
	size_t value_start, value_end; /* byte offsets of the value in the text */
};

struct kv_file {
	struct kv_entry *v;
	size_t n;
};

#define KV_FILE_INIT { NULL, 0 }

/*
 * Parse TEXT (PATH names it in messages).  Blank lines and lines whose first
 * character is '#' are comments.  Every other line must be KEY=VALUE with a
 * key of letters, digits, '_', '-' and '.', and no blank before '=': the
 * programs that read these files take a blank as part of the key, so
 * "hostname = x" sets nothing they know, and is refused here as a mistake.
 * A NUL byte anywhere is refused.  Errors: -EBADMSG with "PATH:LINE: reason".
 */
int kv_parse(const char *path, const char *text, size_t len, struct kv_file *ret, struct diag *d);
/* The last entry of KEY (the one the program uses), or NULL. */
const struct kv_entry *kv_get(const struct kv_file *f, const char *key);
/*
 * The text of F (parsed from TEXT) with KEY set to VALUE, appended to OUT:
 * the value of the entry that counts (the last) is replaced in place, every
 * other byte kept; a missing key is appended as a new last line.
 */
int kv_set(const char *text, size_t len, const struct kv_file *f, const char *key, const char *value,
	   struct buf *out);
/* Wipes values: they may be secrets. */
void kv_free(struct kv_file *f);

#endif
