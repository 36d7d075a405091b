/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-kv: "key=value" files with '#' comments (biboumi.cfg and the like), read without loss. */
#include "grow.h"
#include "conf-kv.h"
#include "exitcode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static bool kv_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

void kv_free(struct kv_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		if (f->v[i].value) {
			sodium_memzero(f->v[i].value, strlen(f->v[i].value));
			free(f->v[i].value);
		}
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

int kv_parse(const char *path, const char *text, size_t len, struct kv_file *ret, struct diag *d)
{
	struct kv_file f = KV_FILE_INIT;
	unsigned line = 0;
	size_t pos = 0;
	int rc = 0;

	if (memchr(text, '\0', len)) {
		const char *nul = memchr(text, '\0', len);
		unsigned at = 1;
		for (const char *p = text; p < nul; p++)
			at += *p == '\n';
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: contains a NUL byte", path, at);
	}
	while (pos < len) {
		const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos, k = 0;
		struct kv_entry *v;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && start[n - 1] == '\r')
			n--;
		if (n == 0 || start[0] == '#')
			continue;
		while (k < n && kv_key_char(start[k]))
			k++;
		if (k == 0 || k == n || start[k] != '=') {
			bool has_eq = memchr(start, '=', n) != NULL;
			bool blank = k < n && (start[k] == ' ' || start[k] == '\t');
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: %s", path, line,
				      k == 0 && blank	  ? "a line may not start with a blank"
				      : !has_eq		  ? "no '=' on this line"
				      : k == 0		  ? "a line must start with a key"
				      : blank		  ? "no blank is allowed before '='"
							  : "not a key=value line");
			goto out;
		}
		v = grow_one(f.v, f.n, sizeof(*v));
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		f.v = v;
		v = &f.v[f.n];
		v->key = strndup(start, k);
		v->value = strndup(start + k + 1, n - k - 1);
		v->line = line;
		v->value_start = (size_t)(start - text) + k + 1;
		v->value_end = (size_t)(start - text) + n;
		f.n++;
		if (!v->key || !v->value) {
			rc = -ENOMEM;
			goto out;
		}
	}
	*ret = f;
	return 0;
out:
	kv_free(&f);
	return rc;
}

const struct kv_entry *kv_get(const struct kv_file *f, const char *key)
{
	for (size_t i = f->n; i-- > 0;)
		if (strcmp(f->v[i].key, key) == 0)
			return &f->v[i];
	return NULL;
}

int kv_set(const char *text, size_t len, const struct kv_file *f, const char *key, const char *value,
	   struct buf *out)
{
	const struct kv_entry *e = kv_get(f, key);
	int rc;

	if (e) {
		rc = buf_append(out, text, e->value_start);
		if (rc == 0)
			rc = buf_puts(out, value);
		if (rc == 0)
			rc = buf_append(out, text + e->value_end, len - e->value_end);
		return rc;
	}
	rc = buf_append(out, text, len);
	if (rc == 0 && len && text[len - 1] != '\n')
		rc = buf_putc(out, '\n');
	if (rc == 0)
		rc = buf_printf(out, "%s=%s\n", key, value);
	return rc;
}
