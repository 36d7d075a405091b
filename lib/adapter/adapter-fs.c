/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-fs: telling "absent" from "there, but unreachable" for the files that decide what a server reads. */
#include "adapter-fs.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool adapter_entry_exists(const struct root *r, const char *path)
{
	char *dir = safefs_dirname(path);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct stat st;
	int fd;
	bool found = false;

	if (r->view)
		safefs_view_note(r->view, path); /* the answer depends on it, there or not */
	if (dir && safefs_open_read(r, dir, O_PATH | O_DIRECTORY, &fd, &(struct diag)DIAG_INIT) == 0) {
		found = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
		close(fd);
	}
	free(dir);
	return found;
}

int adapter_fs_probe(const struct root *r, const char *path, int flags, const char *what, struct diag *d)
{
	struct diag why = DIAG_INIT;
	/* a FIFO must not hang us: O_NONBLOCK, except with O_PATH, which takes no other flag */
	int fd, rc = safefs_open_read(r, path, (flags & O_PATH) ? flags : flags | O_NONBLOCK, &fd, &why);

	if (r->view)
		safefs_view_note(r->view, path); /* the answer depends on it, there or not */
	if (rc == 0) {
		close(fd);
		return 0;
	}
	if (rc == -ENOENT && !adapter_entry_exists(r, path))
		return -ENOENT;
	if (rc == -ENOENT)
		return diag_set(d, ENOLINK, EXIT_DATAERR, "%s: a symlink that leads nowhere inside the root; cannot tell %s",
				path, what);
	if (diag_is_set(&why)) /* already "PATH: reason" */
		return diag_set(d, -rc, EXIT_DATAERR, "%s; cannot tell %s", why.msg, what);
	return diag_set(d, -rc, EXIT_DATAERR, "%s: %s; cannot tell %s", path, strerror(-rc), what);
}
