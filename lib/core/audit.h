/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit: one log line per change, tagged with the run's UUID, never a secret. */
#ifndef JD_AUDIT_H
#define JD_AUDIT_H

#include "diag.h"
#include "safefs.h"

#define AUDIT_PATH "/var/log/jabber-dispatch/jabber-dispatch.log"

struct audit {
	const struct root *root;
	char run_id[37];
	int fd; /* opened on the first line, so a run that changes nothing creates nothing */
	struct diag failure; /* the first line that could not be written, for audit_finish */
};

/* Start a run: a fresh UUID (libuuid), nothing opened yet. */
void audit_init(struct audit *a, const struct root *r);
/*
 * Append "TIME run=UUID MESSAGE" to AUDIT_PATH (directory 0750, file 0640,
 * O_APPEND so parallel writers never interleave within a line).  MESSAGE
 * must hold no secret; callers pass names, hosts and result words only.
 */
int audit_log(struct audit *a, struct diag *d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * End of the run's logging: 0, or the first failure to log (-errno, D says
 * which file and why, exit 73), so a change that went unlogged is never
 * silent, whatever the callers of audit_log did with its result.
 */
int audit_finish(struct audit *a, struct diag *d);
void audit_close(struct audit *a);

#endif
