/* SPDX-License-Identifier: GPL-2.0-or-later */
/* describe: the interpreter of declarative transport adapters ("#!/usr/lib/jabber-dispatch/describe"). */
#include "buf.h"
#include "descriptor.h"
#include "exitcode.h"
#include "secmem.h"
#include "transport-adapter.h"

#include <jabber-dispatch/adapter.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The kernel runs a descriptor DESC whose first line is "#!.../describe" as
 * `describe DESC ARGS...`.  From then on this is the transport adapter DESC
 * stands for: the protocol is the framework's, the config knowledge the
 * descriptor's.  The framework's callbacks take no context pointer, hence
 * the one file-local descriptor.
 */
static struct descriptor describe_desc = DESCRIPTOR_INIT;

static int describe_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	return descriptor_read(&describe_desc, r, config, ret, d);
}

static int describe_set(const struct root *r, const char *config, unsigned port, const struct secret *secret,
			struct changeset *cs, enum result *ret_result, struct diag *d)
{
	return descriptor_set(&describe_desc, r, config, port, secret, cs, ret_result, d);
}

/* `describe DESC ARGS...`: ARGV[1] is the descriptor. */
static int describe_one(int argc, char **argv)
{
	struct transport_ops ops = { .read = describe_read, .set = describe_set };
	struct diag d = DIAG_INIT;
	int code;

	describe_desc = (struct descriptor)DESCRIPTOR_INIT; /* a batch loads one after the other */
	if (descriptor_load(argv[1], &describe_desc, &d) < 0) {
		fprintf(stderr, "describe: %s\n", d.msg);
		return d.exit_code ? d.exit_code : EXIT_DATAERR;
	}
	ops.name = describe_desc.name;
	ops.default_config = describe_desc.config;
	ops.reader_group = describe_desc.reader_group;
	ops.secret_max = describe_desc.secret_max;
	code = transport_adapter_main(argc - 1, argv + 1, &ops);
	descriptor_free(&describe_desc);
	return code;
}

/* Write LEN bytes of DATA to standard output. */
static int put_all(const char *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(STDOUT_FILENO, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* The room each answer of a batch is written into: one more byte than an adapter may print tells a flood. */
#define BATCH_ROOM (JD_OUTPUT_MAX + 2)

/* An unbuffered stream into ROOM (no copy of what is written lies in a stdio buffer: it holds a secret). */
static FILE *room_stream(char *room)
{
	FILE *f = fmemopen(room, BATCH_ROOM, "w");
	if (f)
		setvbuf(f, NULL, _IONBF, 0);
	return f;
}

/*
 * Standard input from now on: a pipe holding SECRET (the secret and its
 * newline, far less than a pipe holds); the descriptor it replaced, to be
 * put back, or -1.
 */
static int stdin_from(const struct buf *secret)
{
	int p[2], saved;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	saved = write(p[1], secret->data, secret->len) == (ssize_t)secret->len ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
									     : -1;
	if (saved >= 0 && dup2(p[0], STDIN_FILENO) < 0) {
		close(saved);
		saved = -1;
	}
	close(p[0]);
	close(p[1]);
	return saved;
}

/*
 * One descriptor of a batch: `describe ARGV[1] ARGV[2]...` run here, what it
 * prints taken into OUT (locked memory: the secret) and ERR, with SECRET
 * (when not empty) on its stdin, then its frame written:
 * "STATUS OUTLEN ERRLEN\n", the output, the error; STATUS as from waitpid.
 * The GNU C library lets stdout and stderr be assigned (its manual says
 * so): the adapter framework prints as it does in a process of its own.
 */
static int batch_one(int argc, char **argv, const struct buf *secret, char *out, char *err)
{
	FILE *o = room_stream(out), *e = room_stream(err), *saved_out = stdout, *saved_err = stderr;
	long olen = -1, elen = -1;
	int saved_in = -1;
	char head[64];
	int code;

	if (!o || !e || (secret->len && (saved_in = stdin_from(secret)) < 0)) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		return -1;
	}
	fflush(NULL);
	stdout = o;
	stderr = e;
	code = describe_one(argc, argv);
	stdout = saved_out;
	stderr = saved_err;
	if (saved_in >= 0 && dup2(saved_in, STDIN_FILENO) < 0)
		code = EXIT_OSERR;
	if (saved_in >= 0)
		close(saved_in);
	olen = ftell(o);
	elen = ftell(e);
	fclose(o);
	fclose(e);
	if (olen < 0 || elen < 0)
		return -1;
	if (olen > JD_OUTPUT_MAX || elen > JD_OUTPUT_MAX) {
		/* A flood is a failure, as it is for an adapter of its own. */
		olen = 0;
		elen = snprintf(err, BATCH_ROOM, "describe: more output than an adapter may print\n");
		code = EXIT_OSERR;
	}
	snprintf(head, sizeof(head), "%d %ld %ld\n", W_EXITCODE(code, 0), olen, elen);
	return put_all(head, strlen(head)) == 0 && put_all(out, (size_t)olen) == 0 && put_all(err, (size_t)elen) == 0
		       ? 0
		       : -1;
}

/*
 * With --set-password, the first line of stdin: "secret SECRET", into SECRET
 * (locked memory) as a run reads it: the secret and its newline.  Read a
 * byte at a time, so that nothing after it lands in unlocked memory; a line
 * that is no such line (an older dispatcher) is refused.
 */
static int read_secret_line(struct buf *secret)
{
	static const char word[] = "secret ";
	char c;
	ssize_t n;

	while ((n = read(STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (buf_putc(secret, c) < 0 || secret->len > sizeof(word) - 1 + JD_SECRET_MAX + 1)
			return -1;
		if (c == '\n')
			break;
	}
	if (secret->len <= sizeof(word) - 1 || memcmp(secret->data, word, sizeof(word) - 1) != 0 ||
	    secret->data[secret->len - 1] != '\n')
		return -1;
	memmove(secret->data, secret->data + sizeof(word) - 1, secret->len - (sizeof(word) - 1));
	buf_truncate(secret, secret->len - (sizeof(word) - 1));
	return 0;
}

/*
 * `describe --batch ARGS... < DESCRIPTORS`: `describe DESC ARGS...` for each
 * descriptor path on standard input (absolute, one a line), in that order,
 * each answer framed (batch_one).  With --set-password, the line "secret
 * SECRET" comes first: each run reads SECRET on its standard input.  All in
 * this one process: a process per descriptor cost more than the reading of
 * its files.  Should this process fail, the dispatcher asks alone each
 * descriptor it has no whole answer for.
 */
static int describe_batch(int argc, char **argv)
{
	struct buf list = BUF_INIT, secret = BUF_INIT_SENSITIVE;
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	char *out = secmem_alloc(BATCH_ROOM), *err = malloc(BATCH_ROOM);
	bool set_password = false;
	int code = EXIT_OK;

	for (int i = 2; i < argc; i++)
		set_password |= strcmp(argv[i], JD_FLAG_SET_PASSWORD) == 0;
	if (set_password && read_secret_line(&secret) < 0) {
		fprintf(stderr, "describe: --batch --set-password: the first line must be \"secret\" and the secret\n");
		code = EXIT_USAGE;
		goto out;
	}
	if (!args || !out || !err || buf_read_fd(&list, STDIN_FILENO, 4u << 20) < 0) {
		fprintf(stderr, "describe: --batch: cannot read the descriptors on stdin\n");
		code = EXIT_OSERR;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN); /* a reader gone is a failed write, said below */
	args[0] = argv[0];
	for (int i = 2; i < argc; i++)
		args[i] = argv[i]; /* after the descriptor: the options given to the batch */
	for (char *p = list.len ? list.data : NULL, *nl; code == EXIT_OK && p && *p; p = nl + 1) {
		if (!(nl = strchr(p, '\n')) || p[0] != '/' || memchr(p, '\0', (size_t)(nl - p))) {
			fprintf(stderr, "describe: --batch: stdin must be absolute paths, one a line\n");
			code = EXIT_USAGE;
			break;
		}
		*nl = '\0';
		args[1] = p;
		if (batch_one(argc, args, &secret, out, err) < 0) {
			fprintf(stderr, "describe: --batch: %s: cannot run or report it: %s\n", p, strerror(errno));
			code = EXIT_OSERR;
		}
	}
out:
	secmem_free(out, BATCH_ROOM);
	free(err);
	free(args);
	buf_free(&list);
	buf_free(&secret);
	return code;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--batch") == 0)
		return describe_batch(argc, argv);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "describe: usage: describe DESCRIPTOR [ADAPTER OPTIONS...]\n"
				"       describe --batch [ADAPTER OPTIONS...] < DESCRIPTORS\n"
				"the interpreter of a descriptor file whose first line is \"#!%s\"\n",
			argv[0]);
		return EXIT_USAGE;
	}
	return describe_one(argc, argv);
}
