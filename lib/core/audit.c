/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit: one log line per change, tagged with the run's UUID, never a secret. */
#include "audit.h"
#include "buf.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

void audit_init(struct audit *a, const struct root *r)
{
	uuid_t id;
	uuid_generate(id);
	uuid_unparse_lower(id, a->run_id);
	a->root = r;
	a->fd = -1;
}

int audit_log(struct audit *a, struct diag *d, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int rc;

	if (a->fd < 0) {
		const char *name;
		int dirfd;
		rc = safefs_open_parent(a->root, AUDIT_PATH, 0750, &dirfd, &name, d);
		if (rc < 0)
			return rc;
		a->fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
		rc = a->fd < 0 ? -errno : 0;
		close(dirfd);
		if (rc < 0)
			return diag_set(d, -rc, EXIT_CANTCREAT, "%s: %s", AUDIT_PATH, strerror(-rc));
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = buf_printf(&line, "%s run=%s ", stamp, a->run_id);
	if (rc == 0) {
		va_start(ap, fmt);
		rc = buf_vprintf(&line, fmt, ap);
		va_end(ap);
	}
	if (rc == 0)
		rc = buf_putc(&line, '\n');
	/* One write() per line: with O_APPEND, lines of parallel writers never mix. */
	if (rc == 0 && write(a->fd, line.data, line.len) != (ssize_t)line.len)
		rc = diag_set(d, errno ? errno : EIO, EXIT_CANTCREAT, "%s: %s", AUDIT_PATH, strerror(errno ? errno : EIO));
	buf_free(&line);
	return rc;
}

void audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}
