/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcode: the exit statuses of jabber-dispatch and of its adapters, by the numbers of <jabber-dispatch/adapter.h>. */
#ifndef JD_EXITCODE_H
#define JD_EXITCODE_H

#include <jabber-dispatch/adapter.h>

enum {
	EXIT_OK = JD_EXIT_OK,
	EXIT_CHECK_FAILED = JD_EXIT_NOT_HERE,    /* transport adapter: not configured */
	EXIT_USAGE = JD_EXIT_USAGE,              /* bad command line */
	EXIT_DATAERR = JD_EXIT_DATAERR,          /* bad config file or bad adapter output */
	EXIT_NOINPUT = JD_EXIT_NOINPUT,          /* a config file that must exist does not */
	EXIT_UNAVAILABLE = JD_EXIT_UNAVAILABLE,  /* an adapter failed, crashed or timed out */
	EXIT_SOFTWARE = JD_EXIT_SOFTWARE,        /* internal error */
	EXIT_OSERR = JD_EXIT_OSERR,              /* a system call failed (other than writing) */
	EXIT_CANTCREAT = JD_EXIT_CANTCREAT,      /* cannot write a file */
	EXIT_TEMPFAIL = JD_EXIT_TEMPFAIL,        /* lock busy: another run holds it */
};

/* Map a negative errno from lib/ to the exit status that describes it best. */
int exitcode_from_errno(int negerrno);

#endif
