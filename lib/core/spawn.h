/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn: the one way a program is run — bounded in time and output, secrets on stdin only. */
#ifndef JD_SPAWN_H
#define JD_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Run PATH (absolute) with ARGV, feed it INPUT on stdin (an empty pipe when NULL) and collect stdout
 * and stderr, all in one poll() loop against a CLOCK_MONOTONIC deadline.
 *
 * The child gets a fixed environment (PATH, LC_ALL=C.UTF-8, and the
 * variables in EXTRA_ENV) and nothing else from ours: no secret can leak in
 * through the environment, and an adapter behaves the same from a package
 * script as from a shell.  Every fd >= 3 is closed and signal handling is
 * reset.  A secret is passed only in INPUT: argv is readable by everyone in
 * /proc/PID/cmdline, a pipe is not.
 *
 * On timeout the child gets SIGTERM, then SIGKILL after a grace period; it
 * is always reaped.  Output beyond MAX_OUTPUT bytes per stream is dropped
 * and flagged, and the child is killed (a flood is a failure, not data).
 */
struct child {
	const char *path;        /* absolute path to execute */
	char *const *argv;       /* argv[0] included, NULL-terminated */
	char *const *extra_env;  /* "NAME=value" entries, NULL-terminated, may be NULL */
	const char *input;       /* stdin bytes (may be a secret), NULL for /dev/null */
	size_t input_len;
	int timeout_ms;
	size_t max_output;
	/* results */
	struct buf out;          /* stdout; make it BUF_INIT_SENSITIVE if it may carry a secret */
	struct buf err;          /* stderr */
	int status;              /* as from waitpid */
	bool timed_out;
	bool overflow;
	int exec_errno;          /* != 0: the program could not be started at all */
};

#define CHILD_INIT { .timeout_ms = 10000, .max_output = 1 << 20, .out = BUF_INIT, .err = BUF_INIT }

/*
 * Returns 0 when the child was started and reaped (look at status, timed_out,
 * overflow and exec_errno), or -errno when it could not be run at all.
 */
int spawn_run(struct child *c);
/*
 * The N children of V side by side (a few at a time), each as spawn_run runs
 * one, with RCS[I] what spawn_run would return for V[I]: one poll() loop
 * over them, each with its own deadline, each reaped as soon as it stops.
 * Returns the first failure of the loop itself (the children still running
 * then are killed, and get it as their result), else 0.
 */
int spawn_run_all(struct child *const *v, size_t n, int *rcs);
/* True when the child ran to completion and exited with 0. */
bool spawn_succeeded(const struct child *c);
/* Short description of how the child ended: "exit status 3", "killed by signal 9", "timed out after 10 s"... */
const char *spawn_describe(const struct child *c, char *scratch, size_t len);
void child_free(struct child *c);

#endif
