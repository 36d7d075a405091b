/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn: the one way a program is run — bounded in time and output, secrets on stdin only. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_GRACE_MS 2000
#define SPAWN_MAX_ENV 32
#define SPAWN_STACK (64u << 10)
/* Children run side by side at most: enough for a few cores, far from the fd limit (4 fds each). */
#define SPAWN_TOGETHER 8

/* What the parent hands the child across clone(); the child writes exec_errno back (shared memory). */
struct start {
	const struct child *c;
	char *const *envp;
	int fd[3]; /* become 0, 1, 2 */
	pid_t parent;
	volatile int exec_errno;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void close_pair(int p[2])
{
	close_fd(&p[0]);
	close_fd(&p[1]);
}

/*
 * The child, between clone() and execve().  It runs on its own stack in our
 * address space while we are suspended (CLONE_VM | CLONE_VFORK, as
 * posix_spawn does): no copy of our mappings, however many there are.  Only
 * system calls here, no allocation, nothing the sanitizers would track.
 *
 * PR_SET_PDEATHSIG is why this is not posix_spawn(): an adapter must not
 * outlive a dispatcher killed with -9, or its write races the next run that
 * got the lock (the lock dies with us).  Holding the lock in the adapter
 * instead would also pass it to whatever the adapter leaves running (a
 * server it restarts), which could then block every later run.
 */
__attribute__((no_sanitize("address", "undefined"))) static int child_main(void *arg)
{
	struct start *s = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_DFL)
			sigaction(sig, &dfl, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != s->parent)
		goto fail; /* our parent is already gone: nobody would read the answer */
	/* Its own process group, so a timeout kills what it started too. */
	if (setpgid(0, 0) < 0)
		goto fail;
	for (int i = 0; i < 3; i++)
		if (dup2(s->fd[i], i) < 0) /* fd[i] >= 3 (see move_up): dup2 always clears close-on-exec */
			goto fail;
	close_range(3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(s->c->path, s->c->argv, s->envp);
fail:
	s->exec_errno = errno ? errno : EINVAL;
	_exit(127);
}

/*
 * Start the child; RET_PIDFD gets a pidfd (readable when it exits) or -1 on
 * a kernel without CLONE_PIDFD.  Every signal is blocked meanwhile: no
 * handler of ours may run on the child's stack.
 */
static pid_t child_start(struct start *s, int *ret_pidfd)
{
	char stack[SPAWN_STACK] __attribute__((aligned(64)));
	sigset_t all, old;
	pid_t pid;

	*ret_pidfd = -1;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	s->parent = getpid();
	s->exec_errno = 0;
	pid = clone(child_main, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, s,
		    ret_pidfd);
	if (pid < 0 && errno == EINVAL) {
		*ret_pidfd = -1;
		pid = clone(child_main, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, s);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
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

/* A pipe whose ends are both >= 3 (a parent started with 0-2 closed), close-on-exec. */
static int pipe_up(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	for (int i = 0; i < 2; i++)
		if (p[i] < 3) {
			int fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				return -errno;
			close(p[i]);
			p[i] = fd;
		}
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
	if (b->len + (size_t)n > c->max_output || buf_append(b, chunk, (size_t)n) < 0) {
		c->overflow = true;
		return false;
	}
	return true;
}

/* After the child exited: take what it wrote (all of it is in the pipe by now), up to EAGAIN. */
static void drain_rest(int *fd, struct buf *b, struct child *c)
{
	if (*fd < 0)
		return;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(*fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* held open by something the child left behind */
		if (n <= 0 || b->len + (size_t)n > c->max_output || buf_append(b, chunk, (size_t)n) < 0) {
			c->overflow = c->overflow || n > 0;
			close_fd(fd);
			return;
		}
	}
}

/* The pipes and the child, while it runs. */
struct run {
	struct child *c;
	int in, out, err, pidfd;
	pid_t pid;
	size_t written;
	bool exited, gave_up, done; /* done: reaped, or never started */
	long long deadline, kill_at;
	int rc; /* what spawn_run returns for it */
};

static void feed(struct run *r)
{
	const struct child *c = r->c;
	ssize_t n = write(r->in, c->input + r->written, c->input_len - r->written);
	if (n > 0)
		r->written += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || r->written == c->input_len)
		close_fd(&r->in); /* EOF tells the child the input is complete */
}

/* Whether R still runs: not exited, not given up on (SIGKILLed after its grace), not failed to start. */
static bool running(const struct run *r)
{
	return r->pid > 0 && !r->exited && !r->gave_up; /* reap() sets pid 0 */
}

/* R's timeout and flood handling at time T: SIGTERM at the deadline, SIGKILL after the grace. */
static void police(struct run *r, long long t)
{
	struct child *c = r->c;

	if (!r->kill_at && (t >= r->deadline || c->overflow)) {
		c->timed_out = !c->overflow;
		kill(-r->pid, SIGTERM);
		r->kill_at = t + SPAWN_GRACE_MS;
	}
	if (r->kill_at && t >= r->kill_at) {
		kill(-r->pid, SIGKILL);
		r->gave_up = true;
	}
	if (c->overflow) {
		/* Stop reading; closing our ends gives a writer EPIPE. */
		close_fd(&r->in);
		close_fd(&r->out);
		close_fd(&r->err);
	}
}

/* R's pipes and pidfd into PFD (room for 4), their owner into WHO; how many. */
static int watch(struct run *r, struct pollfd *pfd, struct run **who)
{
	int fds[4] = { r->in, r->out, r->err, r->pidfd }, n = 0;

	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0) {
			pfd[n] = (struct pollfd){ .fd = fds[i], .events = i == 0 ? POLLOUT : POLLIN };
			who[n++] = r;
		}
	return n;
}

/* What poll() said of FD, one of R's. */
static void serve(struct run *r, int fd)
{
	if (fd == r->in)
		feed(r);
	else if (fd == r->out && !drain(r->out, &r->c->out, r->c))
		close_fd(&r->out);
	else if (fd == r->err && !drain(r->err, &r->c->err, r->c))
		close_fd(&r->err);
	else if (fd == r->pidfd)
		r->exited = true;
}

/* One poll() round over every child still running (PFD and WHO: room for 4 each); -errno when poll fails. */
static int step(struct run *r, size_t n, long long t, struct pollfd *pfd, struct run **who)
{
	long long wake = -1;
	int nfd = 0, wait_ms;

	for (size_t i = 0; i < n; i++) {
		if (!running(&r[i]))
			continue;
		nfd += watch(&r[i], pfd + nfd, who + nfd);
		long long at = r[i].kill_at ? r[i].kill_at : r[i].deadline;
		if (wake < 0 || at < wake)
			wake = at;
		if (r[i].pidfd < 0 && (wake < 0 || t + 10 < wake))
			wake = t + 10; /* no pidfd (old kernel): look for the exit now and then */
	}
	wait_ms = wake < t ? 0 : (int)(wake - t);
	if (poll(pfd, (nfds_t)nfd, wait_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < nfd; i++)
		if (pfd[i].revents)
			serve(who[i], pfd[i].fd);
	for (size_t i = 0; i < n; i++)
		if (running(&r[i]) && r[i].pidfd < 0)
			r[i].exited = waitpid(r[i].pid, &r[i].c->status, WNOHANG) == r[i].pid ? (r[i].pid = 0, true) : false;
	return 0;
}

/*
 * After R's child exited or was given up on.  The answer is complete when
 * the child has exited, not when its pipes reach EOF: a child it forked may
 * hold them open for ever.  Such a leftover, still holding the pipes, is
 * killed with the child's process group.
 */
static void reap(struct run *r)
{
	drain_rest(&r->out, &r->c->out, r->c);
	drain_rest(&r->err, &r->c->err, r->c);
	if (r->pid > 0 && (r->out >= 0 || r->err >= 0))
		kill(-r->pid, SIGKILL);
	/* Exited or SIGKILLed: this wait is short. */
	while (r->pid > 0 && waitpid(r->pid, &r->c->status, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
	r->done = true;
}

/*
 * Until every child exits or is killed: on a timeout or a flood, everything
 * in the child's process group is killed too.  Each is reaped as soon as it
 * stops, whatever the others do: a leftover of its own holding its pipes
 * must not go on writing into its answer.  Should poll() itself fail, every
 * child still running is killed, and that is its result.
 */
static int supervise(struct run *r, size_t n)
{
	struct pollfd pfd[4 * SPAWN_TOGETHER];
	struct run *who[4 * SPAWN_TOGETHER];
	int rc = 0;

	for (;;) {
		long long t = now_ms();
		size_t live = 0;
		for (size_t i = 0; i < n; i++) {
			if (running(&r[i]))
				police(&r[i], t);
			if (!r[i].done && !running(&r[i]))
				reap(&r[i]);
			live += running(&r[i]);
		}
		if (!live || (rc = step(r, n, t, pfd, who)) < 0)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (rc < 0 && running(&r[i])) {
			kill(-r[i].pid, SIGKILL);
			r[i].rc = rc;
		}
		if (!r[i].done)
			reap(&r[i]);
	}
	return rc;
}

/* Start R's child: its pipes, then the clone; r->rc says why not. */
static void start(struct run *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	char *envp[SPAWN_MAX_ENV];
	struct child *c = r->c;
	struct start s = { .c = c, .envp = envp };

	c->timed_out = c->overflow = false;
	c->exec_errno = 0;
	c->status = 0;
	if ((r->rc = build_env(c, envp)) < 0 || (r->rc = pipe_up(in)) < 0 || (r->rc = pipe_up(out)) < 0 ||
	    (r->rc = pipe_up(err)) < 0)
		goto out;
	s.fd[0] = in[0];
	s.fd[1] = out[1];
	s.fd[2] = err[1];
	r->pid = child_start(&s, &r->pidfd);
	if (r->pid < 0) {
		r->rc = -errno;
		r->pid = 0;
		goto out;
	}
	if (s.exec_errno) {
		c->exec_errno = s.exec_errno;
		while (waitpid(r->pid, &c->status, 0) < 0 && errno == EINTR)
			;
		r->pid = 0;
		goto out;
	}
	r->in = in[1], r->out = out[0], r->err = err[0];
	in[1] = out[0] = err[0] = -1;
	/* A child that never reads its stdin must not block us: writes are non-blocking. */
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->err, F_SETFL, O_NONBLOCK);
	if (!c->input || c->input_len == 0)
		close_fd(&r->in);
	r->deadline = now_ms() + c->timeout_ms;
out:
	close_pair(in);
	close_pair(out);
	close_pair(err);
}

/* At most SPAWN_TOGETHER children of V side by side, as spawn_run_all says. */
static int run_together(struct child *const *v, size_t n, int *rcs)
{
	struct run r[SPAWN_TOGETHER];
	int rc;

	for (size_t i = 0; i < n; i++) {
		r[i] = (struct run){ .c = v[i], .in = -1, .out = -1, .err = -1, .pidfd = -1 };
		start(&r[i]);
	}
	rc = supervise(r, n);
	for (size_t i = 0; i < n; i++) {
		close_fd(&r[i].in);
		close_fd(&r[i].out);
		close_fd(&r[i].err);
		close_fd(&r[i].pidfd);
		rcs[i] = r[i].rc;
	}
	return rc;
}

int spawn_run_all(struct child *const *v, size_t n, int *rcs)
{
	struct sigaction old_pipe;
	int rc = 0;

	/* A child that exits before reading its input must not kill us with SIGPIPE. */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);
	for (size_t i = 0; i < n; i += SPAWN_TOGETHER) {
		int k = run_together(v + i, n - i < SPAWN_TOGETHER ? n - i : SPAWN_TOGETHER, rcs + i);
		rc = rc ? rc : k;
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

int spawn_run(struct child *c)
{
	int rc;

	spawn_run_all(&c, 1, &rc);
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
