/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock: one run at a time — parallel package scripts queue instead of racing. */
#include "lock.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int lock_acquire(const struct root *r, int timeout_ms, int *ret_fd, struct diag *d)
{
	struct timespec step = { 0, 50 * 1000 * 1000 };
	const char *name;
	char pid[32] = "";
	int dirfd, fd, waited = 0, rc;

	rc = safefs_open_parent(r, LOCK_PATH, 0755, &dirfd, &name, d);
	if (rc < 0)
		return rc;
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	rc = fd < 0 ? -errno : 0;
	close(dirfd);
	if (rc < 0)
		return diag_set(d, -rc, EXIT_CANTCREAT, "%s: %s", LOCK_PATH, strerror(-rc));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", LOCK_PATH, strerror(errno));
			close(fd);
			return rc;
		}
		if (waited >= timeout_ms) {
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			close(fd);
			return diag_set(d, EWOULDBLOCK, EXIT_TEMPFAIL,
					"%s: another run%s%.20s%s holds the lock; gave up after %d s", LOCK_PATH,
					pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", timeout_ms / 1000);
		}
		nanosleep(&step, NULL);
		waited += 50;
	}
	/* For the message of the next run that has to wait. */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, strlen(pid), 0);
	*ret_fd = fd;
	return 0;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
