/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state: which component each transport got into each server, so a removed transport can be taken out again. */
#include "grow.h"
#include "state.h"
#include "atomic.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void entry_free(struct state_entry *e)
{
	free(e->server);
	free(e->host);
	free(e->transport);
}

void state_free(struct state_file *st)
{
	for (size_t i = 0; i < st->n; i++)
		entry_free(&st->v[i]);
	free(st->v);
	buf_free(&st->text);
	*st = (struct state_file)STATE_INIT;
}

static int state_add(struct state_file *st, const char *server, const char *host, const char *transport)
{
	struct state_entry *v = grow_one(st->v, st->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	st->v = v;
	v = &st->v[st->n];
	v->server = strdup(server);
	v->host = strdup(host);
	v->transport = strdup(transport);
	v->dropped = false;
	if (!v->server || !v->host || !v->transport) {
		entry_free(v);
		return -ENOMEM;
	}
	st->n++;
	return 0;
}

int state_load(const struct root *r, struct state_file *st, struct diag *d)
{
	unsigned line = 0;
	char *p, *save = NULL;
	int rc;

	rc = safefs_read_file(r, STATE_PATH, &st->text, d);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	st->existed = true;
	if (memchr(buf_str(&st->text), '\0', st->text.len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: contains a NUL byte", STATE_PATH);
	char *copy = strdup(buf_str(&st->text));
	if (!copy)
		return -ENOMEM;
	for (p = copy; rc == 0 && p && *p; p = save) {
		char *nl = strchr(p, '\n'), server[128], host[256], transport[128], extra[2];
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line++;
		if (*p == '\0' || *p == '#')
			continue;
		if (sscanf(p, "%127s %255s %127s %1s", server, host, transport, extra) != 3 || validate_host(host))
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: not \"SERVER HOST TRANSPORT\"", STATE_PATH, line);
		else
			rc = state_add(st, server, host, transport);
	}
	free(copy);
	return rc;
}

int state_set(struct state_file *st, const char *server, const char *host, const char *transport)
{
	for (size_t i = 0; i < st->n; i++) {
		struct state_entry *e = &st->v[i];
		if (strcmp(e->server, server) == 0 && strcmp(e->host, host) == 0) {
			char *t;
			e->dropped = false;
			if (strcmp(e->transport, transport) == 0)
				return 0;
			t = strdup(transport);
			if (!t)
				return -ENOMEM;
			free(e->transport);
			e->transport = t;
			return 0;
		}
	}
	return state_add(st, server, host, transport);
}

void state_drop(struct state_file *st, const char *server, const char *host)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].server, server) == 0 && strcmp(st->v[i].host, host) == 0)
			st->v[i].dropped = true;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct state_entry *a = *(const struct state_entry *const *)x, *b = *(const struct state_entry *const *)y;
	int c = strcmp(a->server, b->server);
	return c ? c : strcmp(a->host, b->host);
}

int state_save(const struct state_file *st, const struct root *r, struct diag *d)
{
	struct changeset cs = CHANGESET_INIT;
	struct buf out = BUF_INIT;
	const struct state_entry **live;
	size_t n = 0;
	int rc;

	live = calloc(st->n + 1, sizeof(*live));
	if (!live)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++)
		if (!st->v[i].dropped)
			live[n++] = &st->v[i];
	if (!st->existed && n == 0) {
		free(live);
		return 0;
	}
	/* Sorted: the file says what is kept, whatever order the runs that made it took. */
	qsort(live, n, sizeof(*live), entry_cmp);
	rc = buf_puts(&out, "# jabber-dispatch: SERVER HOST TRANSPORT, one line per component it keeps\n");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(&out, "%s %s %s\n", live[i]->server, live[i]->host, live[i]->transport);
	free(live);
	if (rc == 0)
		rc = changeset_put_mkdir(&cs, STATE_PATH, st->existed ? &st->text : NULL, out.data, out.len, 0644, 0755);
	if (rc == 0)
		rc = changeset_commit(&cs, r, d);
	changeset_free(&cs);
	buf_free(&out);
	return rc;
}
