/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcode: the exit statuses of jabber-dispatch and of the adapters it ships (sysexits spirit). */
#ifndef JD_EXITCODE_H
#define JD_EXITCODE_H

enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1, /* transport adapter: not configured */
	EXIT_USAGE = 64,       /* bad command line */
	EXIT_DATAERR = 65,     /* bad config file or bad adapter output */
	EXIT_NOINPUT = 66,     /* a config file that must exist does not */
	EXIT_UNAVAILABLE = 69, /* an adapter failed, crashed or timed out */
	EXIT_SOFTWARE = 70,    /* internal error */
	EXIT_OSERR = 71,       /* a system call failed (other than writing) */
	EXIT_CANTCREAT = 73,   /* cannot write a file */
	EXIT_TEMPFAIL = 75,    /* lock busy: another run holds it */
};

/* Map a negative errno from lib/ to the exit status that describes it best. */
int exitcode_from_errno(int negerrno);

#endif
