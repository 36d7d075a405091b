/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn: the one way a program is run — bounded in time and output, secrets on stdin only. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_GRACE_MS 2000
#define SPAWN_MAX_ENV 32

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

/* Runs in the child after fork(): only async-signal-safe calls until execve. */
static void child_exec(const struct child *c, int in_fd, int out_fd, int err_fd, int report_fd,
		       char *const *envp)
{
	sigset_t none;
	int e;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/*
	 * Our pipes may have been given fds 0-3 (a parent started with stdin
	 * closed): move them all out of the way first, so no dup2 below
	 * clobbers another or is a no-op that leaves close-on-exec set.
	 */
	in_fd = fcntl(in_fd, F_DUPFD, 10);
	out_fd = fcntl(out_fd, F_DUPFD, 10);
	err_fd = fcntl(err_fd, F_DUPFD, 10);
	report_fd = fcntl(report_fd, F_DUPFD, 10);
	if (in_fd < 0 || out_fd < 0 || err_fd < 0 || report_fd < 0)
		goto fail;
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		goto fail;
	/* report_fd is close-on-exec: it closes by itself when execve succeeds. */
	if (dup2(report_fd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	close_range(4, ~0U, 0);
	execve(c->path, c->argv, envp);
fail:
	e = errno;
	(void)!write(3, &e, sizeof(e));
	_exit(127);
}

static int build_env(const struct child *c, char **envp)
{
	size_t n = 0;
	envp[n++] = (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	envp[n++] = (char *)"LC_ALL=C.UTF-8";
	for (size_t i = 0; c->extra_env && c->extra_env[i]; i++) {
		if (n + 1 >= SPAWN_MAX_ENV)
			return -E2BIG;
		envp[n++] = c->extra_env[i];
	}
	envp[n] = NULL;
	return 0;
}

/* Read what is there from FD into B; returns false at EOF or error. */
static bool drain(int fd, struct buf *b, struct child *c)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (b->len + (size_t)n > c->max_output) {
		c->overflow = true;
		return false;
	}
	if (buf_append(b, chunk, (size_t)n) < 0) {
		c->overflow = true;
		return false;
	}
	return true;
}

int spawn_run(struct child *c)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 };
	char *envp[SPAWN_MAX_ENV];
	size_t written = 0;
	long long deadline, kill_at = 0;
	struct sigaction old_pipe;
	bool pipe_saved = false;
	pid_t pid;
	int rc;
	ssize_t n;

	c->timed_out = c->overflow = false;
	c->exec_errno = 0;
	c->status = 0;
	rc = build_env(c, envp);
	if (rc < 0)
		return rc;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    pipe2(rep, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	/* A child that exits before reading its input must not kill us with SIGPIPE. */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);
	pipe_saved = true;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		child_exec(c, in[0], out[1], err[1], rep[1], envp);

	close(in[0]);
	in[0] = -1;
	close(out[1]);
	out[1] = -1;
	close(err[1]);
	err[1] = -1;
	close(rep[1]);
	rep[1] = -1;
	/* A child that never reads its stdin must not block us: writes are non-blocking. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (!c->input || c->input_len == 0) {
		close(in[1]);
		in[1] = -1;
	}

	deadline = now_ms() + c->timeout_ms;
	while (out[0] >= 0 || err[0] >= 0 || in[1] >= 0) {
		struct pollfd pfd[3];
		int nfd = 0, wait_ms;
		long long t = now_ms();

		if (!kill_at && (t >= deadline || c->overflow)) {
			c->timed_out = !c->overflow;
			kill(pid, SIGTERM);
			kill_at = t + SPAWN_GRACE_MS;
		}
		if (kill_at && t >= kill_at) {
			kill(pid, SIGKILL);
			break;
		}
		if (c->overflow) {
			/* Stop reading; closing our ends gives a writer EPIPE. */
			close_pair(out);
			close_pair(err);
			close_pair(in);
			break;
		}
		if (in[1] >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (out[0] >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (err[0] >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = err[0], .events = POLLIN };
		wait_ms = (int)((kill_at ? kill_at : deadline) - t);
		if (wait_ms < 0)
			wait_ms = 0;
		if (poll(pfd, (nfds_t)nfd, wait_ms) < 0 && errno != EINTR) {
			rc = -errno;
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < nfd; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == in[1]) {
				n = write(in[1], c->input + written, c->input_len - written);
				if (n > 0)
					written += (size_t)n;
				if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == c->input_len) {
					close(in[1]); /* EOF tells the child the input is complete */
					in[1] = -1;
				}
			} else if (pfd[i].fd == out[0]) {
				if (!drain(out[0], &c->out, c)) {
					close(out[0]);
					out[0] = -1;
				}
			} else if (pfd[i].fd == err[0]) {
				if (!drain(err[0], &c->err, c)) {
					close(err[0]);
					err[0] = -1;
				}
			}
		}
	}
	/* Reap, still bounded: a child that closed its pipes may keep running. */
	for (;;) {
		struct timespec ts = { 0, 1000 * 1000 };
		pid_t w = waitpid(pid, &c->status, WNOHANG);
		long long t;

		if (w == pid)
			break;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = rc ? rc : -errno;
			break;
		}
		t = now_ms();
		if (!kill_at && t >= deadline) {
			c->timed_out = true;
			kill(pid, SIGTERM);
			kill_at = t + SPAWN_GRACE_MS;
		} else if (kill_at && t >= kill_at) {
			kill(pid, SIGKILL);
		}
		nanosleep(&ts, NULL);
	}
	n = read(rep[0], &c->exec_errno, sizeof(c->exec_errno));
	if (n != (ssize_t)sizeof(c->exec_errno))
		c->exec_errno = 0;
out:
	if (pipe_saved)
		sigaction(SIGPIPE, &old_pipe, NULL);
	close_pair(in);
	close_pair(out);
	close_pair(err);
	close_pair(rep);
	return rc;
}

bool spawn_succeeded(const struct child *c)
{
	return !c->timed_out && !c->overflow && !c->exec_errno && WIFEXITED(c->status) &&
	       WEXITSTATUS(c->status) == 0;
}

const char *spawn_describe(const struct child *c, char *scratch, size_t len)
{
	if (c->exec_errno)
		snprintf(scratch, len, "cannot be run: %s", strerror(c->exec_errno));
	else if (c->timed_out && c->timeout_ms < 1000)
		snprintf(scratch, len, "timed out after %d ms", c->timeout_ms);
	else if (c->timed_out)
		snprintf(scratch, len, "timed out after %d s", c->timeout_ms / 1000);
	else if (c->overflow)
		snprintf(scratch, len, "printed more than %zu bytes", c->max_output);
	else if (WIFSIGNALED(c->status))
		snprintf(scratch, len, "killed by signal %d", WTERMSIG(c->status));
	else
		snprintf(scratch, len, "exit status %d", WEXITSTATUS(c->status));
	return scratch;
}

void child_free(struct child *c)
{
	buf_free(&c->out);
	buf_free(&c->err);
}
