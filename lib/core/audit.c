/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit: one log line per change, tagged with the run's UUID, never a secret. */
#include "audit.h"
#include "buf.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
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
	diag_clear(&a->failure);
}

/* Open the log for appending, creating it and its directory as needed. */
static int audit_open(struct audit *a, struct diag *d)
{
	const char *name;
	struct stat st;
	int dirfd, rc;

	rc = safefs_open_parent(a->root, AUDIT_PATH, 0750, &dirfd, &name, d);
	if (rc < 0)
		return rc;
	a->fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0640);
	rc = a->fd < 0 ? -errno : 0;
	close(dirfd);
	if (rc < 0)
		return diag_set(d, -rc, EXIT_CANTCREAT, "%s: cannot open the audit log: %s", AUDIT_PATH, strerror(-rc));
	if (fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = diag_set(d, EINVAL, EXIT_CANTCREAT, "%s: the audit log is not a regular file", AUDIT_PATH);
		close(a->fd);
		a->fd = -1;
	}
	return rc;
}

/* Log LINE: one write(), so with O_APPEND lines of parallel writers never mix. */
static int audit_write(struct audit *a, const struct buf *line, struct diag *d)
{
	ssize_t n;
	int rc = a->fd < 0 ? audit_open(a, d) : 0;

	if (rc < 0)
		return rc;
	do
		n = write(a->fd, line->data, line->len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)line->len)
		return 0;
	/* A short write is what a full disk looks like before it says ENOSPC. */
	rc = n < 0 ? errno : ENOSPC;
	return diag_set(d, rc, EXIT_CANTCREAT, "%s: cannot write the audit log: %s", AUDIT_PATH, strerror(rc));
}

int audit_log(struct audit *a, struct diag *d, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	struct diag why = DIAG_INIT;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int rc;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = buf_printf(&line, "%s run=%s ", stamp, a->run_id);
	if (rc == 0) {
		va_start(ap, fmt);
		rc = buf_vprintf(&line, fmt, ap);
		va_end(ap);
	}
	/* One line per call: a name in MESSAGE must not forge a line of its own. */
	for (size_t i = 0; rc == 0 && i < line.len; i++)
		if (line.data[i] == '\n' || line.data[i] == '\r')
			line.data[i] = ' ';
	if (rc == 0)
		rc = buf_putc(&line, '\n');
	if (rc == 0)
		rc = audit_write(a, &line, &why);
	else
		diag_set(&why, -rc, EXIT_CANTCREAT, "%s: cannot write the audit log: %s", AUDIT_PATH, strerror(-rc));
	if (rc < 0) {
		diag_set(&a->failure, EIO, why.exit_code, "%s", why.msg);
		diag_set(d, EIO, why.exit_code, "%s", why.msg);
	}
	buf_free(&line);
	return rc;
}

int audit_finish(struct audit *a, struct diag *d)
{
	audit_close(a);
	if (!diag_is_set(&a->failure))
		return 0;
	return diag_set(d, EIO, EXIT_CANTCREAT, "%s", a->failure.msg);
}

void audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}
