/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock: one run at a time — parallel package scripts queue instead of racing. */
#ifndef JD_LOCK_H
#define JD_LOCK_H

#include "diag.h"
#include "safefs.h"

#define LOCK_PATH "/var/lib/jabber-dispatch/lock"

/*
 * Take an exclusive flock on LOCK_PATH inside the root, waiting up to
 * TIMEOUT_MS.  The lock dies with the process, so a crashed run never leaves
 * it stuck.  -EWOULDBLOCK (exit 75) when the wait runs out, naming the pid
 * of the holder when it is known.
 */
int lock_acquire(const struct root *r, int timeout_ms, int *ret_fd, struct diag *d);
void lock_release(int fd);

#endif
