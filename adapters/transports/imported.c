/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imported: the interpreter of a transport imported from another machine ("#!/usr/lib/jabber-dispatch/imported"). */
#include "exitcode.h"
#include "remote.h"
#include "transport-adapter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/*
 * `jabber-dispatch import` installs a link descriptor behind a "#!" line
 * naming this program, as an admin transport adapter: the kernel then runs
 * `imported ENTRY ARGS...`.  The values are the entry's own, there is no
 * config of the transport on this machine to read; the framework's read()
 * takes no context pointer, hence the one file-local link.
 */
static struct remote_link imported_link = REMOTE_LINK_INIT;

static int imported_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	(void)r;
	(void)config;
	memcpy(ret->host, imported_link.host, sizeof(ret->host));
	ret->port = imported_link.port;
	buf_truncate(&ret->secret, 0);
	return buf_append(&ret->secret, imported_link.secret.data, imported_link.secret.len) < 0
		       ? diag_set(d, ENOMEM, EXIT_OSERR, "out of memory")
		       : 0;
}

/* The entry as the kernel named it: a regular file holding a link descriptor. */
static int imported_load(const char *path, struct diag *d)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return diag_set(d, errno, EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: not a regular file", path);
	else
		rc = remote_load(fd, path, &imported_link, d);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct transport_ops ops = { .read = imported_read };
	struct diag d = DIAG_INIT;
	int code;

	if (sodium_init() < 0)
		return EXIT_SOFTWARE;
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "imported: usage: imported ENTRY [ADAPTER OPTIONS...]\n"
				"the interpreter of a transport that `jabber-dispatch import` installed (\"#!%s\")\n",
			REMOTE_INTERPRETER);
		return EXIT_USAGE;
	}
	if (imported_load(argv[1], &d) < 0) {
		fprintf(stderr, "imported: %s\n", d.msg);
		return d.exit_code ? d.exit_code : EXIT_DATAERR;
	}
	ops.name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	ops.default_config = argv[1];
	ops.server_address = imported_link.server_address[0] ? imported_link.server_address : NULL;
	code = transport_adapter_main(argc - 1, argv + 1, &ops);
	remote_link_free(&imported_link);
	return code;
}
