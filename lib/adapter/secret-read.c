/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secret-read: the one reader of a secret handed to an adapter on stdin. */
#include "secret-read.h"
#include "exitcode.h"
#include "validate.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The secret and its newline, plus one byte to tell "too long" from "just fits". */
#define SECRET_READ_LIMIT (VALIDATE_SECRET_MAX + 2)

int secret_accept(struct buf *secret, const char *origin, struct diag *d)
{
	const char *why;
	int rc = 0;

	if (secret->len > VALIDATE_SECRET_MAX)
		rc = diag_set(d, E2BIG, EXIT_USAGE, "the secret %s is longer than %d bytes", origin, VALIDATE_SECRET_MAX);
	/* Never quoted back, not even a bad one. */
	else if ((why = validate_secret(buf_str(secret), secret->len)))
		rc = diag_set(d, EINVAL, EXIT_USAGE, "the secret %s is unusable: %s", origin, why);
	if (rc < 0)
		buf_free(secret);
	return rc;
}

int secret_read(int fd, struct buf *ret, struct diag *d)
{
	int rc;

	while (ret->len < SECRET_READ_LIMIT) {
		ssize_t n;
		/* Straight into secmem memory: no stack copy of the secret to wipe. */
		if (buf_reserve(ret, SECRET_READ_LIMIT - ret->len) < 0) {
			rc = diag_set(d, ENOMEM, EXIT_OSERR, "cannot read the secret on stdin: %s", strerror(ENOMEM));
			goto out;
		}
		n = read(fd, ret->data + ret->len, SECRET_READ_LIMIT - ret->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = diag_set(d, errno, EXIT_OSERR, "cannot read the secret on stdin: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		ret->len += (size_t)n;
		ret->data[ret->len] = '\0';
	}
	if (ret->len && ret->data[ret->len - 1] == '\n')
		buf_truncate(ret, ret->len - 1);
	return secret_accept(ret, "on stdin", d);
out:
	buf_free(ret);
	return rc;
}
