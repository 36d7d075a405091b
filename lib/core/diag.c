/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag: the one-line reason a lib/ function failed, for the command layer to print. */
#include "diag.h"
#include "exitcode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int diag_set(struct diag *d, int err, int exit_code, const char *fmt, ...)
{
	va_list ap;

	if (d && !d->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		/* One line only: a value quoted into a message must not forge a second. */
		for (char *p = d->msg; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		d->exit_code = exit_code;
	}
	return -err;
}

bool diag_is_set(const struct diag *d)
{
	return d && d->msg[0];
}

void diag_clear(struct diag *d)
{
	d->msg[0] = '\0';
	d->exit_code = 0;
}

int exitcode_from_errno(int negerrno)
{
	switch (-negerrno) {
	case 0:
		return EXIT_OK;
	case EINVAL:
	case EBADMSG:
	case ERANGE:
		return EXIT_DATAERR;
	case ENOENT:
		return EXIT_NOINPUT;
	case EWOULDBLOCK:
		return EXIT_TEMPFAIL;
	case EROFS:
	case ENOSPC:
	case EDQUOT:
	case EACCES:
	case EPERM:
	case ELOOP:
	case ENOTDIR:
		return EXIT_CANTCREAT;
	case ENOMEM:
		return EXIT_OSERR;
	default:
		return EXIT_SOFTWARE;
	}
}
