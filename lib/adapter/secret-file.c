/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret-file: a config that receives a secret ends up unreadable by others, and the adapter says so. */
#include "secret-file.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gid_t secret_file_group(const struct root *r, const char *name)
{
	struct buf text = BUF_INIT;
	gid_t gid = (gid_t)-1;
	size_t n = strlen(name);
	const char *line;
	int rc = safefs_read_file(r, "/etc/group", &text, &(struct diag)DIAG_INIT);

	if (rc == -ENOENT) {
		struct group gr, *res = NULL;
		char scratch[4096];
		if (getgrnam_r(name, &gr, scratch, sizeof(scratch), &res) == 0 && res)
			gid = res->gr_gid;
	}
	if (rc < 0)
		return gid;
	/* "name:password:gid:members" */
	for (line = buf_str(&text); *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != '\0')) {
		const char *field = strncmp(line, name, n) == 0 && line[n] == ':' ? strchr(line + n + 1, ':') : NULL;
		char *end;
		unsigned long v;
		if (!field)
			continue;
		v = strtoul(field + 1, &end, 10);
		if (end > field + 1 && *end == ':')
			gid = (gid_t)v;
		break;
	}
	buf_free(&text);
	return gid;
}

int secret_file_mark(const char *adapter, const struct root *r, struct changeset *cs, const char *path,
		     const char *group)
{
	gid_t gid = secret_file_group(r, group);

	if (!changeset_find(cs, path))
		return -ENOENT;
	if (gid != (gid_t)-1)
		return changeset_mark_secret(cs, path, gid);
	fprintf(stderr, "%s: %s: receives a secret, but group %s is not in /etc/group: its mode is left as it is\n",
		adapter, path, group);
	return 0;
}

void secret_file_say(const char *adapter, const struct changeset *cs)
{
	struct buf notes = BUF_INIT;
	if (changeset_secured_notes(cs, &notes) == 0)
		for (char *line = strtok(notes.data ? notes.data : (char *)"", "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "%s: %s\n", adapter, line);
	buf_free(&notes);
}
