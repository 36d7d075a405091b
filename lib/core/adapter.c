/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter: finding adapters and talking protocol 1 to them (the dispatcher's side). */
#include "grow.h"
#include "adapter.h"
#include "exitcode.h"
#include "remote.h"
#include "spawn.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ADAPTER_MAX_OUTPUT ((size_t)JD_OUTPUT_MAX)

const char *adapter_kind_dir(enum adapter_kind kind)
{
	return kind == ADAPTER_SERVER ? "servers" : "transports";
}

static const char *adapter_kind_word(enum adapter_kind kind)
{
	return kind == ADAPTER_SERVER ? "server" : "transport";
}

/* Names a package manager or an editor leaves behind, never adapters. */
static bool adapter_name_ignored(const char *name)
{
	static const char *const patterns[] = { ".*", "*~", "*.dpkg-*", "*.rpm*", "#*#", "*.ucf-*", "*.swp" };
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return true;
	return false;
}

/* Free *ANSWER, a child's result kept on its own (a->answer, a batch's), and forget it. */
static void answer_free(struct child **answer)
{
	if (*answer)
		child_free(*answer);
	free(*answer);
	*answer = NULL;
}

static void adapter_free(struct adapter *a)
{
	free(a->name);
	free(a->path);
	free(a->exec_path);
	free(a->script_path);
	free(a->skipped);
	free(a->caps_text);
	answer_free(&a->answer);
	if (a->inputs)
		strv_free(&a->inputs->paths);
	free(a->inputs);
}

void adapter_list_free(struct adapter_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		adapter_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool adapter_usable(const struct adapter *a)
{
	return !a->masked && !a->skipped;
}

static struct adapter *adapter_find(struct adapter_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

bool adapter_shebang(char *head, ssize_t n, char **interp)
{
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return false;
	head[n] = '\0';
	head[strcspn(head, "\n")] = '\0';
	for (*interp = head + 2; **interp == ' ' || **interp == '\t'; (*interp)++)
		;
	return true;
}

/*
 * The "#!" line of adapter A when it names an interpreter of ours
 * (PROTOCOL_VENDOR_DIR/...): into HEAD, the interpreter at *INTERP (its
 * argument, if any, left after it); false for any other file.
 */
static bool adapter_own_shebang(const struct root *r, const struct adapter *a, char head[256], char **interp)
{
	ssize_t n;
	int fd;

	if (safefs_open_read(r, a->path, O_RDONLY, &fd, &(struct diag)DIAG_INIT) < 0)
		return false; /* inspected a moment ago; a failure to run will say more */
	n = read(fd, head, 255);
	close(fd);
	return adapter_shebang(head, n, interp) && strncmp(*interp, PROTOCOL_VENDOR_DIR "/", strlen(PROTOCOL_VENDOR_DIR) + 1) == 0;
}

/*
 * Under a --root: an adapter that is a "#!" script for an interpreter of
 * ours, INTERP, runs with the root's interpreter, which must pass the same
 * checks as an adapter.  Any other "#!" (/bin/sh) stays the kernel's
 * business, as on the host.
 */
static int adapter_own_interpreter(const struct root *r, struct adapter *a, char *interp)
{
	char proc[64], target[PATH_MAX], *end = interp + strcspn(interp, " \t");
	struct stat st;
	ssize_t n;
	int fd, rc;

	if (*end)
		return asprintf(&a->skipped, "its \"#!\" line passes an argument, which is not supported") < 0 ? -ENOMEM
														: 0;
	rc = safefs_open_read(r, interp, O_PATH, &fd, &(struct diag)DIAG_INIT);
	if (rc < 0)
		return asprintf(&a->skipped, "its interpreter %s is not in the root: %s", interp, strerror(-rc)) < 0
			       ? -ENOMEM
			       : 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = fstat(fd, &st) < 0 ? -1 : readlink(proc, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return asprintf(&a->skipped, "its interpreter %s cannot be examined", interp) < 0 ? -ENOMEM : 0;
	target[n] = '\0';
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return asprintf(&a->skipped,
				"its interpreter %s is not a root-owned executable, unwritable by group and others",
				interp) < 0
			       ? -ENOMEM
			       : 0;
	a->script_path = a->exec_path;
	a->exec_path = strdup(target);
	return a->exec_path ? 0 : -ENOMEM;
}

/*
 * Look at one entry and decide whether it may be run: a regular executable,
 * owned by root (or by whoever runs us), not writable by group or others
 * (doas's rule: what runs as root must be changeable only by root).
 */
static int adapter_inspect(const struct root *r, struct adapter *a)
{
	char proc[64], target[PATH_MAX], head[256], *interp;
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	/* An admin symlink to /dev/null masks the vendor adapter (systemd's convention). */
	if (a->admin && safefs_open_read(r, a->dir, O_PATH | O_DIRECTORY, &fd, &(struct diag)DIAG_INIT) == 0) {
		n = readlinkat(fd, a->name, target, sizeof(target) - 1);
		close(fd);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, "/dev/null") == 0) {
				a->masked = true;
				return 0;
			}
		}
	}
	rc = safefs_open_read(r, a->path, O_PATH, &fd, &(struct diag)DIAG_INIT);
	if (rc < 0)
		return asprintf(&a->skipped, "cannot be opened: %s", strerror(-rc)) < 0 ? -ENOMEM : 0;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return asprintf(&a->skipped, "cannot be examined: %s", strerror(-rc)) < 0 ? -ENOMEM : 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return asprintf(&a->skipped, "cannot be located on the host") < 0 ? -ENOMEM : 0;
	target[n] = '\0';
	if (!S_ISREG(st.st_mode))
		return asprintf(&a->skipped, "not a regular file") < 0 ? -ENOMEM : 0;
	if (!(st.st_mode & S_IXUSR))
		return asprintf(&a->skipped, "not executable") < 0 ? -ENOMEM : 0;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return asprintf(&a->skipped, "owned by uid %u, not by root", (unsigned)st.st_uid) < 0 ? -ENOMEM
												       : 0;
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return asprintf(&a->skipped, "writable by group or others") < 0 ? -ENOMEM : 0;
	a->exec_path = strdup(target);
	if (!a->exec_path)
		return -ENOMEM;
	if (!adapter_own_shebang(r, a, head, &interp))
		return 0;
	a->described = strcmp(interp, PROTOCOL_VENDOR_DIR "/describe") == 0;
	return safefs_root_is_host(r) ? 0 : adapter_own_interpreter(r, a, interp);
}

enum adapter_dir_state { ADAPTER_DIR_LISTED, ADAPTER_DIR_ABSENT, ADAPTER_DIR_MASKED };

/*
 * What stands at adapter directory DIR: a directory to list, nothing, or
 * (admin directory only) a symlink to /dev/null, which masks every adapter
 * of its kind as systemd masks a unit.  Anything else where a directory of
 * programs run as root is expected (another symlink, a file, a FIFO) is
 * refused with its reason rather than ignored.
 */
static int adapter_dir_state(const struct root *r, const char *dir, bool admin, struct diag *d)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd, rc;

	rc = safefs_open_read(r, dir, O_PATH | O_NOFOLLOW, &fd, d);
	if (rc == -ENOENT)
		return ADAPTER_DIR_ABSENT;
	if (rc < 0)
		return rc;
	if (fstat(fd, &st) < 0) {
		rc = diag_set(d, errno, EXIT_OSERR, "%s: %s", dir, strerror(errno));
		close(fd);
		return rc;
	}
	if (S_ISLNK(st.st_mode))
		n = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (S_ISDIR(st.st_mode))
		return ADAPTER_DIR_LISTED;
	if (n >= 0) {
		target[n] = '\0';
		if (admin && strcmp(target, "/dev/null") == 0)
			return ADAPTER_DIR_MASKED;
		return diag_set(d, ELOOP, EXIT_DATAERR,
				"%s: is a symlink to \"%s\" where a directory of adapters is expected; refusing it%s", dir,
				target, admin ? " (a symlink to /dev/null masks every adapter of its kind)" : "");
	}
	return diag_set(d, ENOTDIR, EXIT_DATAERR, "%s: %s, where a directory of adapters is expected", dir,
			safefs_type_name(st.st_mode));
}

/* The admin directory of KIND is masked: so is every adapter of that kind found so far. */
static int adapter_mask_all(struct adapter_list *l, enum adapter_kind kind, const char *dir)
{
	for (size_t i = 0; i < l->n; i++) {
		struct adapter *a = &l->v[i];
		char *path;
		if (a->kind != kind)
			continue;
		path = strdup(dir);
		if (!path)
			return -ENOMEM;
		free(a->path);
		a->path = path;
		a->admin = a->masked = true;
	}
	return 0;
}

static int adapter_scan_dir(const struct root *r, enum adapter_kind kind, bool admin,
			    struct adapter_list *l, struct diag *d)
{
	struct strv names = STRV_INIT;
	char *dir = NULL;
	int rc;

	if (asprintf(&dir, "%s/%s", admin ? PROTOCOL_ADMIN_DIR : PROTOCOL_VENDOR_DIR,
		     adapter_kind_dir(kind)) < 0)
		return -ENOMEM;
	rc = adapter_dir_state(r, dir, admin, d);
	if (rc == ADAPTER_DIR_ABSENT)
		rc = 0;
	else if (rc == ADAPTER_DIR_MASKED)
		rc = adapter_mask_all(l, kind, dir);
	else if (rc == ADAPTER_DIR_LISTED)
		rc = safefs_list_dir(r, dir, &names, d);
	if (rc < 0 || names.n == 0)
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		struct adapter *a, *v;
		bool overrides;
		if (adapter_name_ignored(names.v[i]))
			continue;
		a = adapter_find(l, names.v[i]);
		overrides = a != NULL;
		if (a) {
			/* The admin's entry of the same name wins over the vendor's. */
			adapter_free(a);
		} else {
			v = grow_one(l->v, l->n, sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				goto out;
			}
			l->v = v;
			a = &l->v[l->n++];
		}
		*a = (struct adapter){ .kind = kind, .admin = admin, .overrides = overrides, .dir = dir };
		a->name = strdup(names.v[i]);
		a->path = safefs_join(dir, names.v[i]);
		a->inputs = calloc(1, sizeof(*a->inputs));
		if (!a->name || !a->path || !a->inputs) {
			rc = -ENOMEM;
			goto out;
		}
		if (!validate_adapter_name(a->name))
			rc = asprintf(&a->skipped, "the name is not a package name") < 0 ? -ENOMEM : 0;
		else
			rc = adapter_inspect(r, a);
		a->dir = NULL;
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	strv_free(&names);
	free(dir);
	return rc;
}

static int adapter_cmp(const void *x, const void *y)
{
	return strcmp(((const struct adapter *)x)->name, ((const struct adapter *)y)->name);
}

int adapter_discover(const struct root *r, enum adapter_kind kind, struct adapter_list *ret,
		     struct diag *d)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	int rc;

	rc = adapter_scan_dir(r, kind, false, &l, d);
	if (rc == 0)
		rc = adapter_scan_dir(r, kind, true, &l, d);
	if (rc < 0) {
		adapter_list_free(&l);
		return rc;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), adapter_cmp);
	*ret = l;
	return 0;
}

void component_free(struct component *c)
{
	buf_free(&c->secret);
}

void server_reply_free(struct server_reply *r)
{
	buf_free(&r->text);
	buf_free(&r->notes);
}

/* Build argv: what A runs, then FIRST (when not NULL), then --root when not the host, then ARGS. */
static int program_run(const struct adapter_call *call, const struct adapter *a, const char *first,
		       struct strv *args, const char *input, size_t input_len, struct child *c)
{
	struct strv argv = STRV_INIT;
	char *env[3] = { NULL, NULL, NULL };
	int rc;

	rc = strv_push(&argv, a->exec_path);
	if (rc == 0 && first)
		rc = strv_push(&argv, first);
	/* --capabilities does not depend on the root, and a seed-protocol adapter may not know --root. */
	if (rc == 0 && !safefs_root_is_host(call->root) &&
	    !(args->n == 1 && strcmp(args->v[0], JD_FLAG_CAPABILITIES) == 0)) {
		char *opt;
		rc = asprintf(&opt, JD_FLAG_ROOT "%s", call->root->path) < 0 ? -ENOMEM : strv_push_owned(&argv, opt);
	}
	for (size_t i = 0; rc == 0 && i < args->n; i++)
		rc = strv_push(&argv, args->v[i]);
	if (rc < 0)
		goto out;
	/* Lets an adapter know who calls it and with which protocol, without a flag it might not parse. */
	env[0] = (char *)"JABBER_DISPATCH_PROTOCOL=1";
	if (call->inputs)
		env[1] = (char *)PROTOCOL_INPUTS_ENV "=1";
	else if (!(args->n == 1 && strcmp(args->v[0], JD_FLAG_CAPABILITIES) == 0))
		a->inputs->state = -1; /* an answer whose files are not known: nothing can be taken as unchanged */
	c->path = a->exec_path;
	c->argv = argv.v;
	c->extra_env = env;
	c->input = input;
	c->input_len = input_len;
	c->timeout_ms = call->timeout_ms;
	c->max_output = call->max_output ? call->max_output : ADAPTER_MAX_OUTPUT;
	rc = spawn_run(c);
out:
	strv_free(&argv);
	return rc;
}

/* Run adapter A with ARGS; a "#!" script of ours is given to its interpreter, as the kernel would. */
static int adapter_run(const struct adapter_call *call, const struct adapter *a, struct strv *args,
		       const char *input, size_t input_len, struct child *c)
{
	return program_run(call, a, a->script_path, args, input, input_len, c);
}

/* First line of the child's stderr, quoted, for a message; "" when it said nothing. */
static void adapter_stderr_line(const struct child *c, char *out, size_t len)
{
	struct buf q = BUF_INIT;
	size_t n = strcspn(buf_str(&c->err), "\n");

	out[0] = '\0';
	if (n == 0)
		return;
	if (validate_quote(&q, c->err.data, n, 300) == 0)
		snprintf(out, len, ": %s", buf_str(&q));
	buf_free(&q);
}

static int adapter_failed(const struct adapter *a, const struct child *c, struct diag *d)
{
	char how[128], said[400];
	int code = EXIT_UNAVAILABLE;

	adapter_stderr_line(c, said, sizeof(said));
	/* A server adapter exits 1 where its server is not installed: not a failure, nothing to do there. */
	if (a->kind == ADAPTER_SERVER && !c->exec_errno && !c->timed_out && !c->overflow && WIFEXITED(c->status) &&
	    WEXITSTATUS(c->status) == EXIT_CHECK_FAILED)
		return diag_set(d, ENODEV, EXIT_OK, "server %s: not installed here%s", a->name, said);
	/* An adapter that failed for a reason our exit codes name (bad config, cannot write...) keeps it. */
	if (!c->exec_errno && !c->timed_out && !c->overflow && WIFEXITED(c->status)) {
		int st = WEXITSTATUS(c->status);
		if (st == EXIT_DATAERR || st == EXIT_NOINPUT || st == EXIT_CANTCREAT || st == EXIT_TEMPFAIL)
			code = st;
	}
	return diag_set(d, EPROTO, code, "%s %s: %s%s", adapter_kind_word(a->kind), a->name,
			spawn_describe(c, how, sizeof(how)), said);
}

int adapter_probe(const struct adapter_call *call, struct adapter *a)
{
	struct child c = CHILD_INIT;
	struct strv args = STRV_INIT;
	int rc;

	if (a->probed)
		return 0;
	a->probed = true;
	a->caps = 0;
	rc = a->caps_text ? 0 : strv_push(&args, JD_FLAG_CAPABILITIES);
	if (rc == 0 && !a->caps_text)
		rc = adapter_run(call, a, &args, NULL, 0, &c);
	/* An adapter written to the bare seed protocol fails here: it gets no capabilities. */
	if (rc == 0 && !a->caps_text)
		a->caps_text = strdup(spawn_succeeded(&c) ? buf_str(&c.out) : "");
	if (rc == 0 && a->caps_text) {
		a->caps = protocol_caps_parse(a->caps_text);
		a->secret_max = protocol_caps_secret_max(a->caps_text);
		if (!(a->caps & CAP_PROTOCOL1))
			a->caps = a->secret_max = 0;
	}
	strv_free(&args);
	child_free(&c);
	return rc;
}

/* Split OUT into at most N lines (without their '\n'); the lines point into OUT. */
static size_t split_lines(struct buf *out, char **lines, size_t n)
{
	size_t count = 0;
	char *p = out->data;

	if (!p)
		return 0;
	while (*p && count < n) {
		char *nl = strchr(p, '\n');
		lines[count++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return count;
}

/*
 * Validate a port line and a secret line printed by adapter A, into RET: the
 * one check of a secret coming from an adapter.  PORT_SAYS and SECRET_SAYS
 * name the lines in messages ("--port printed").
 */
static int take_port_secret(const struct adapter *a, const char *port_says, const char *secret_says, char *port,
			    char *secret, struct component *ret, struct diag *d)
{
	struct buf q = BUF_INIT;
	const char *why;
	int rc = 0;

	if ((why = validate_port(port, &ret->port))) {
		validate_quote(&q, port, strlen(port), 80);
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s %s: %s %s: %s", adapter_kind_word(a->kind), a->name,
			      port_says, buf_str(&q), why);
	} else if ((why = validate_secret(secret, strlen(secret)))) {
		/* Never quote a secret back, not even a bad one. */
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s %s: %s an unusable secret: %s", adapter_kind_word(a->kind),
			      a->name, secret_says, why);
	} else {
		buf_truncate(&ret->secret, 0);
		rc = buf_puts(&ret->secret, secret);
	}
	buf_free(&q);
	return rc;
}

/*
 * Take the "input PATH" lines that end OUT, after its first SKIP lines, into
 * A's inputs, and cut them off OUT.  An answer without them, or with one
 * without a path (the adapter knows its list is not whole), makes A's
 * inputs unknown for the run.
 */
static void take_inputs(const struct adapter *a, struct buf *out, size_t skip)
{
	struct adapter_inputs *in = a->inputs;
	const size_t pl = strlen(PROTOCOL_INPUT_LINE);
	char *p = out->data ? out->data : (char *)"", *start;
	bool whole = true;

	for (; skip && *p; skip--)
		p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
	start = p;
	for (char *q = p; *q && whole; q += strcspn(q, "\n") + (q[strcspn(q, "\n")] == '\n'))
		whole = strncmp(q, PROTOCOL_INPUT_LINE, pl) == 0 && q[pl] != '\n' && q[pl] != '\0';
	if (!whole || !*start) {
		in->state = -1;
		return;
	}
	for (char *q = start; *q;) {
		size_t n = strcspn(q, "\n");
		char *path = strndup(q + pl, n - pl);
		if (!path || strv_push_owned(&in->paths, path) < 0)
			in->state = -1;
		q += n + (q[n] == '\n');
	}
	if (in->state == 0)
		in->state = 1;
	buf_truncate(out, (size_t)(start - out->data));
}

int transport_query(const struct adapter_call *call, struct adapter *a, struct component *ret, struct diag *d)
{
	struct child c = CHILD_INIT;
	struct strv args = STRV_INIT;
	struct buf q = BUF_INIT;
	char *lines[5];
	const char *why = NULL;
	bool remote = a->caps & CAP_SERVER_ADDRESS;
	size_t n, want = remote ? 4 : 3;
	int rc;

	struct adapter_call with_inputs = *call;
	with_inputs.inputs = true;
	c.out = (struct buf)BUF_INIT_SENSITIVE; /* the third line is the secret */
	rc = strv_push(&args, JD_FLAG_QUERY_HOST);
	if (rc == 0)
		rc = strv_push(&args, JD_FLAG_QUERY_PORT);
	if (rc == 0)
		rc = strv_push(&args, JD_FLAG_QUERY_PASSWORD);
	if (rc == 0 && remote)
		rc = strv_push(&args, JD_FLAG_QUERY_SERVER_ADDRESS);
	if (rc == 0 && a->answer && !remote) {
		c = *a->answer; /* asked with the others already: taken, once */
		free(a->answer);
		a->answer = NULL;
	} else if (rc == 0) {
		rc = adapter_run(&with_inputs, a, &args, NULL, 0, &c);
	}
	answer_free(&a->answer); /* one not taken was not for this call */
	if (rc < 0) {
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "transport %s: cannot be run: %s", a->name, strerror(-rc));
		goto out;
	}
	if (!c.exec_errno && !c.timed_out && !c.overflow && WIFEXITED(c.status) &&
	    WEXITSTATUS(c.status) == EXIT_CHECK_FAILED) {
		char said[400];
		bool gone = c.out.len >= strlen(PROTOCOL_NOT_INSTALLED) &&
			    strncmp(c.out.data, PROTOCOL_NOT_INSTALLED, strlen(PROTOCOL_NOT_INSTALLED)) == 0 &&
			    strchr("\n", c.out.data[strlen(PROTOCOL_NOT_INSTALLED)]);
		adapter_stderr_line(&c, said, sizeof(said));
		take_inputs(a, &c.out, gone);
		if (gone)
			rc = diag_set(d, ENOENT, EXIT_OK, "transport %s: not installed%s", a->name, said);
		else
			rc = diag_set(d, ENODATA, EXIT_OK, "transport %s: not configured%s", a->name, said);
		goto out;
	}
	if (!spawn_succeeded(&c)) {
		rc = adapter_failed(a, &c, d);
		goto out;
	}
	if (memchr(c.out.data ? c.out.data : "", '\0', c.out.len)) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "transport %s: printed a NUL byte", a->name);
		goto out;
	}
	take_inputs(a, &c.out, want);
	n = split_lines(&c.out, lines, want + 1);
	if (n != want) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "transport %s: printed %zu lines for --host --port --password%s, expected %zu",
			      a->name, n, remote ? " --server-address" : "", want);
		goto out;
	}
	for (size_t i = 0; i < want; i++) {
		size_t len = strlen(lines[i]);
		if (len && lines[i][len - 1] == '\r')
			lines[i][len - 1] = '\0';
	}
	if (strlen(lines[0]) >= sizeof(ret->host) || (why = validate_host(lines[0]))) {
		validate_quote(&q, lines[0], strlen(lines[0]), 80);
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "transport %s: --host printed %s: %s", a->name,
			      buf_str(&q), why ? why : "longer than 253 bytes");
		goto out;
	}
	if (remote && (strlen(lines[3]) >= sizeof(ret->server_address) || remote_address_invalid(lines[3]))) {
		validate_quote(&q, lines[3], strlen(lines[3]), 80);
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "transport %s: --server-address printed %s: %s", a->name,
			      buf_str(&q), "not a numeric IPv4 or IPv6 address");
		goto out;
	}
	snprintf(ret->server_address, sizeof(ret->server_address), "%s", remote ? lines[3] : "");
	snprintf(ret->host, sizeof(ret->host), "%s", lines[0]);
	rc = take_port_secret(a, "--port printed", "--password printed", lines[1], lines[2], ret, d);
out:
	buf_free(&q);
	strv_free(&args);
	child_free(&c);
	return rc;
}

/* A decimal number of LEN bytes at P, at most MAX, into *RET. */
static bool frame_number(const char *p, size_t len, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(p[i] - '0');
	}
	*ret = v;
	return v <= max;
}

/* "STATUS OUTLEN ERRLEN\n" at *P (of END): one answer of `describe --batch`, into C; *P moves past it. */
static bool batch_frame(const char **p, const char *end, struct child *c)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p) < 64 ? (size_t)(end - *p) : 64), *f[3];
	unsigned long long v[3];
	size_t avail, len[3];

	if (!nl)
		return false;
	f[0] = *p;
	for (int i = 0; i < 3; i++) {
		const char *stop = i < 2 ? memchr(f[i], ' ', (size_t)(nl - f[i])) : nl;
		if (!stop)
			return false;
		len[i] = (size_t)(stop - f[i]);
		if (i < 2)
			f[i + 1] = stop + 1;
	}
	avail = (size_t)(end - nl - 1);
	if (!frame_number(f[0], len[0], 0xffff, &v[0]) || !frame_number(f[1], len[1], avail, &v[1]) ||
	    !frame_number(f[2], len[2], avail - v[1], &v[2]))
		return false;
	*p = nl + 1;
	c->status = (int)v[0];
	if (buf_append(&c->out, *p, v[1]) < 0 || buf_append(&c->err, *p + v[1], v[2]) < 0)
		return false;
	*p += v[1] + v[2];
	return true;
}

/* Whether A (NULL: none) is a descriptor that describe at FIRST's path runs (FIRST NULL: any describe). */
static bool described_by(const struct adapter *a, const struct adapter *first)
{
	return a && a->described && a->script_path && (!first || strcmp(a->exec_path, first->exec_path) == 0);
}

/*
 * Ask the descriptors among V[0..N) that one describe runs, with ARGS, in
 * one `describe --batch` (HEAD, when not NULL, on stdin before their
 * paths); ANSWERS[i] gets V[i]'s answer, malloc'd, or stays NULL for an
 * adapter not asked, or not answered whole by a batch that failed on the
 * way (an older describe, a timeout): the caller asks that one alone.
 * False unless every one was answered.
 */
static bool describe_batch(const struct adapter_call *call, struct adapter *const *v, size_t n, struct strv *args,
			   const struct buf *head, struct child **answers)
{
	struct adapter_call big = *call;
	struct child ch = CHILD_INIT;
	struct buf list = BUF_INIT_SENSITIVE; /* after HEAD, a secret */
	const struct adapter *first = NULL;
	size_t asked = 0;
	bool ok = true;

	if (head)
		ok = buf_append(&list, head->data, head->len) == 0;
	for (size_t i = 0; i < n; i++)
		if (described_by(v[i], first)) {
			first = first ? first : v[i];
			ok = ok && buf_printf(&list, "%s\n", v[i]->script_path) == 0;
			asked++;
		}
	if (asked < 2 || !ok) {
		buf_free(&list);
		return false; /* one alone gains nothing from a batch */
	}
	/* Time and room in proportion, as for a server's --batch. */
	big.timeout_ms = call->timeout_ms + (int)(asked < 10000 ? asked : 10000) * (call->timeout_ms / 100);
	big.max_output = ADAPTER_MAX_OUTPUT + asked * 4096;
	ch.out = (struct buf)BUF_INIT_SENSITIVE; /* secrets */
	ok = program_run(&big, first, "--batch", args, list.data, list.len, &ch) == 0;
	/* Each whole frame is an answer, also from a batch that failed on the way: what it wrote is written. */
	const char *p = ch.out.data ? ch.out.data : "", *end = p + ch.out.len;
	for (size_t i = 0; ok && i < n; i++) {
		if (!described_by(v[i], first))
			continue;
		ok = (answers[i] = malloc(sizeof(*answers[i]))) != NULL;
		if (ok) {
			*answers[i] = (struct child)CHILD_INIT;
			answers[i]->out = (struct buf)BUF_INIT_SENSITIVE;
			ok = batch_frame(&p, end, answers[i]);
		}
		if (!ok)
			answer_free(&answers[i]);
	}
	ok = ok && p == end && spawn_succeeded(&ch);
	child_free(&ch);
	buf_free(&list);
	return ok;
}

void transport_prefetch(const struct adapter_call *call, struct adapter_list *l, const char *only)
{
	const char *flags[] = { JD_FLAG_QUERY_HOST, JD_FLAG_QUERY_PORT, JD_FLAG_QUERY_PASSWORD };
	struct adapter_call with_inputs = *call;
	struct strv args = STRV_INIT;
	struct adapter **v = calloc(l->n + 1, sizeof(*v));
	struct child **answers = calloc(l->n + 1, sizeof(*answers));
	size_t n = 0;
	bool ok = v && answers;

	with_inputs.inputs = true;
	for (size_t i = 0; ok && i < l->n; i++)
		if (adapter_usable(&l->v[i]) && (!only || strcmp(only, l->v[i].name) == 0))
			v[n++] = &l->v[i];
	for (size_t i = 0; ok && i < 3; i++)
		ok = strv_push(&args, flags[i]) == 0;
	if (ok)
		(void)describe_batch(&with_inputs, v, n, &args, NULL, answers);
	for (size_t i = 0; ok && i < n; i++)
		if (answers[i]) {
			answer_free(&v[i]->answer);
			v[i]->answer = answers[i];
		}
	strv_free(&args);
	free(answers);
	free(v);
}

void adapter_probe_prefetch(const struct adapter_call *call, struct adapter *const *v, size_t n)
{
	struct strv args = STRV_INIT;
	struct child **answers = calloc(n + 1, sizeof(*answers));

	if (answers && strv_push(&args, JD_FLAG_CAPABILITIES) == 0)
		(void)describe_batch(call, v, n, &args, NULL, answers);
	for (size_t i = 0; answers && i < n; i++) {
		if (!answers[i])
			continue;
		if (!v[i]->probed && !v[i]->caps_text)
			v[i]->caps_text = strdup(spawn_succeeded(answers[i]) ? buf_str(&answers[i]->out) : "");
		answer_free(&answers[i]);
	}
	strv_free(&args);
	free(answers);
}

/*
 * Parse the first line of an adapter's answer: "WORD [restart]".  With
 * KEEP_REST the lines after it (a diff) go to ret->text.
 */
static int server_parse_reply(const struct adapter *a, struct child *c, struct server_reply *ret, bool keep_rest,
			      struct diag *d)
{
	struct buf q = BUF_INIT;
	size_t n = strcspn(buf_str(&c->out), "\n");
	char word[32], flag[32], extra[8];
	int rc = 0, fields;
	char line[80];

	if (n >= sizeof(line) || memchr(buf_str(&c->out), '\0', c->out.len)) {
		validate_quote(&q, buf_str(&c->out), n, 60);
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s %s: answered %s, not a result word",
			      adapter_kind_word(a->kind), a->name, buf_str(&q));
		goto out;
	}
	memcpy(line, buf_str(&c->out), n);
	line[n] = '\0';
	flag[0] = '\0';
	fields = sscanf(line, "%31s %31s %7s", word, flag, extra);
	ret->result = fields >= 1 ? protocol_result_parse(word) : RESULT_INVALID;
	if (ret->result == RESULT_INVALID || fields > 2 || (fields == 2 && strcmp(flag, JD_WORD_RESTART) != 0)) {
		validate_quote(&q, line, n, 60);
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s %s: answered %s, not a result word",
			      adapter_kind_word(a->kind), a->name, buf_str(&q));
		goto out;
	}
	ret->restart = fields == 2;
	/* A remark on stderr from an adapter that succeeded is for the admin: keep it. */
	if (c->err.len && (rc = buf_append(&ret->notes, c->err.data, c->err.len)) < 0)
		goto out;
	if (keep_rest && c->out.len > n + 1)
		rc = buf_append(&ret->text, c->out.data + n + 1, c->out.len - n - 1);
out:
	buf_free(&q);
	return rc;
}

int server_apply(const struct adapter_call *call, const struct adapter *a, const struct component *c,
		 bool dry_run, struct server_reply *ret, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	struct buf input = BUF_INIT_SENSITIVE;
	char *opt = NULL;
	int rc;

	rc = asprintf(&opt, JD_FLAG_HOST "%s", c->host) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	if (rc == 0)
		rc = asprintf(&opt, JD_FLAG_PORT "%u", c->port) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	if (rc == 0 && (a->caps & CAP_PASSWORD_STDIN)) {
		rc = strv_push(&args, JD_FLAG_PASSWORD_STDIN);
		if (rc == 0)
			rc = buf_append(&input, c->secret.data, c->secret.len);
		if (rc == 0)
			rc = buf_putc(&input, '\n');
	} else if (rc == 0 && a->caps) {
		/* Protocol 1 promises the secret on stdin: an adapter that announces it without is broken. */
		rc = diag_set(d, EPROTO, EXIT_UNAVAILABLE, "server %s: announces protocol 1 without password-stdin",
			      a->name);
		goto out;
	} else if (rc == 0) {
		/* The seed's bare protocol: the secret in argv, visible in ps.  Only for adapters that take nothing else. */
		struct buf arg = BUF_INIT_SENSITIVE;
		rc = buf_puts(&arg, JD_FLAG_PASSWORD);
		if (rc == 0)
			rc = buf_append(&arg, c->secret.data, c->secret.len);
		if (rc == 0)
			rc = strv_push(&args, arg.data);
		buf_free(&arg);
	}
	if (rc == 0 && dry_run) {
		if (!(a->caps & CAP_DRY_RUN)) {
			rc = diag_set(d, ENOTSUP, EXIT_UNAVAILABLE, "server %s: does not support --dry-run", a->name);
			goto out;
		}
		rc = strv_push(&args, JD_FLAG_DRY_RUN);
	}
	if (rc == 0 && c->server_address[0] && (a->caps & CAP_BIND_ADDRESS))
		rc = asprintf(&opt, JD_FLAG_BIND_ADDRESS "%s", c->server_address) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	if (rc < 0)
		goto out;
	rc = adapter_run(call, a, &args, input.data, input.len, &ch);
	if (rc < 0) {
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
		goto out;
	}
	if (!spawn_succeeded(&ch)) {
		rc = adapter_failed(a, &ch, d);
		goto out;
	}
	rc = server_parse_reply(a, &ch, ret, true, d);
out:
	/* argv may hold the secret (seed protocol): wipe before freeing. */
	for (size_t i = 0; i < args.n; i++)
		if (strncmp(args.v[i], JD_FLAG_PASSWORD, strlen(JD_FLAG_PASSWORD)) == 0)
			explicit_bzero(args.v[i], strlen(args.v[i]));
	strv_free(&args);
	buf_free(&input);
	child_free(&ch);
	return rc;
}

int server_shared(const struct adapter_call *call, const struct adapter *a, bool dry_run, unsigned secret_max,
		  struct component *ret, struct server_reply *reply, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	char *lines[4];
	size_t n;
	int rc;

	struct adapter_call with_inputs = *call;
	with_inputs.inputs = true;
	ch.out = (struct buf)BUF_INIT_SENSITIVE;
	if (dry_run && !(a->caps & CAP_DRY_RUN))
		return diag_set(d, ENOTSUP, EXIT_UNAVAILABLE, "server %s: does not support --dry-run", a->name);
	rc = strv_push(&args, JD_FLAG_SHARED);
	if (rc == 0 && dry_run)
		rc = strv_push(&args, JD_FLAG_DRY_RUN);
	if (rc == 0 && secret_max && (a->caps & CAP_SECRET_MAX)) {
		char *opt;
		rc = asprintf(&opt, JD_FLAG_SECRET_MAX "%u", secret_max) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	}
	if (rc == 0)
		rc = adapter_run(&with_inputs, a, &args, NULL, 0, &ch);
	if (rc < 0) {
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
		goto out;
	}
	take_inputs(a, &ch.out, spawn_succeeded(&ch) ? 3 : 0);
	if (!spawn_succeeded(&ch)) {
		rc = adapter_failed(a, &ch, d);
		goto out;
	}
	/* "WORD [restart]", then the port, then the secret (never copied out of the sensitive buffer). */
	rc = server_parse_reply(a, &ch, reply, false, d);
	if (rc < 0)
		goto out;
	if (memchr(buf_str(&ch.out), '\0', ch.out.len)) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --shared printed a NUL byte", a->name);
		goto out;
	}
	n = split_lines(&ch.out, lines, 4);
	if (n != 3) {
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --shared printed %zu lines, expected 3", a->name, n);
		goto out;
	}
	rc = take_port_secret(a, "--shared printed port", "--shared printed", lines[1], lines[2], ret, d);
out:
	strv_free(&args);
	child_free(&ch);
	return rc;
}

/* The options and standard input of a --set-* or --fill call. */
static int edit_args(const char *fill_host, unsigned port, const struct buf *secret, struct strv *args,
		     struct buf *input)
{
	char *opt;
	int rc = 0;

	if (fill_host) {
		rc = strv_push(args, JD_FLAG_FILL);
		if (rc == 0)
			rc = asprintf(&opt, JD_FLAG_SET_HOST "%s", fill_host) < 0 ? -ENOMEM : strv_push_owned(args, opt);
	}
	if (rc == 0 && port)
		rc = asprintf(&opt, JD_FLAG_SET_PORT "%u", port) < 0 ? -ENOMEM : strv_push_owned(args, opt);
	if (rc == 0 && secret) {
		rc = strv_push(args, JD_FLAG_SET_PASSWORD);
		if (rc == 0)
			rc = buf_append(input, secret->data, secret->len);
		if (rc == 0)
			rc = buf_putc(input, '\n');
	}
	return rc;
}

/* What transport A's --set-* or --fill call (RC: whether it ran) answered, into REPLY. */
static int edit_reply(const struct adapter *a, int rc, struct child *ch, struct server_reply *reply, struct diag *d)
{
	if (rc < 0)
		return diag_set(d, -rc, EXIT_UNAVAILABLE, "transport %s: cannot be run: %s", a->name, strerror(-rc));
	if (!spawn_succeeded(ch))
		return adapter_failed(a, ch, d);
	return server_parse_reply(a, ch, reply, false, d);
}

/* --set-port/--set-password, or with FILL_HOST: --fill --set-host=FILL_HOST and the same. */
static int transport_edit(const struct adapter_call *call, const struct adapter *a, const char *fill_host,
			  unsigned port, const struct buf *secret, struct server_reply *reply, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	struct buf input = BUF_INIT_SENSITIVE;
	int rc = edit_args(fill_host, port, secret, &args, &input);

	if (rc == 0)
		rc = adapter_run(call, a, &args, input.data, input.len, &ch);
	rc = edit_reply(a, rc, &ch, reply, d);
	strv_free(&args);
	buf_free(&input);
	child_free(&ch);
	return rc;
}

int transport_set(const struct adapter_call *call, const struct adapter *a, unsigned port,
		  const struct buf *secret, struct server_reply *reply, struct diag *d)
{
	return transport_edit(call, a, NULL, port, secret, reply, d);
}

void transport_set_all(const struct adapter_call *call, struct adapter *const *v, size_t n, unsigned port,
		       const struct buf *secret, struct server_reply *replies, struct diag *diags, int *rcs)
{
	struct strv args = STRV_INIT;
	struct buf head = BUF_INIT_SENSITIVE, input = BUF_INIT_SENSITIVE;
	struct child **answers = calloc(n + 1, sizeof(*answers));

	/* The secret after a word no path starts with: a describe that does not know it refuses the batch. */
	if (answers && edit_args(NULL, port, secret, &args, &input) == 0 &&
	    (!secret || (buf_puts(&head, "secret ") == 0 && buf_append(&head, input.data, input.len) == 0)))
		(void)describe_batch(call, v, n, &args, secret ? &head : NULL, answers);
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (answers && answers[i])
			rcs[i] = edit_reply(v[i], 0, answers[i], &replies[i], &diags[i]);
		else
			rcs[i] = transport_set(call, v[i], port, secret, &replies[i], &diags[i]);
		if (answers)
			answer_free(&answers[i]);
	}
	strv_free(&args);
	buf_free(&head);
	buf_free(&input);
	free(answers);
}

int transport_fill(const struct adapter_call *call, const struct adapter *a, const char *host, unsigned port,
		   const struct buf *secret, struct server_reply *reply, struct diag *d)
{
	if (!(a->caps & CAP_FILL))
		return diag_set(d, ENOTSUP, EXIT_UNAVAILABLE, "transport %s: cannot fill in its config (no \"fill\" capability)",
				a->name);
	return transport_edit(call, a, host, port, secret, reply, d);
}

int server_present(const struct adapter_call *call, const struct adapter *a, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	int rc = 0;

	/* --list only reads: its exit 1 is the adapter's way of saying "no server here". */
	if (!(a->caps & CAP_LIST))
		return 0;
	struct adapter_call with_inputs = *call;
	with_inputs.inputs = true;
	rc = strv_push(&args, JD_FLAG_LIST);
	if (rc == 0)
		rc = adapter_run(&with_inputs, a, &args, NULL, 0, &ch);
	if (rc == 0 && !spawn_succeeded(&ch))
		rc = adapter_failed(a, &ch, d) == -ENODEV ? -ENODEV : 0;
	/* Only the answer "not installed here" says what it depends on; its list does not. */
	if (rc == -ENODEV)
		take_inputs(a, &ch.out, 0);
	else
		a->inputs->state = -1;
	strv_free(&args);
	child_free(&ch);
	return rc == -ENODEV ? rc : 0;
}

int server_remove(const struct adapter_call *call, const struct adapter *a, const char *host, bool dry_run,
		  struct server_reply *ret, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	char *opt;
	int rc;

	if (!(a->caps & CAP_REMOVE) || (dry_run && !(a->caps & CAP_DRY_RUN)))
		return diag_set(d, ENOTSUP, EXIT_UNAVAILABLE, "server %s: cannot remove components; remove %s by hand",
				a->name, host);
	rc = strv_push(&args, JD_FLAG_REMOVE);
	if (rc == 0)
		rc = asprintf(&opt, JD_FLAG_HOST "%s", host) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	if (rc == 0 && dry_run)
		rc = strv_push(&args, JD_FLAG_DRY_RUN);
	if (rc == 0)
		rc = adapter_run(call, a, &args, NULL, 0, &ch);
	if (rc < 0)
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
	else if (!spawn_succeeded(&ch))
		rc = adapter_failed(a, &ch, d);
	else
		rc = server_parse_reply(a, &ch, ret, true, d);
	strv_free(&args);
	child_free(&ch);
	return rc;
}

/* The records of a --batch call: "apply HOST PORT SECRET" or "remove HOST", one a line. */
static int batch_input(const struct server_batch_item *items, size_t n, struct buf *in)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct component *c = items[i].comp;
		if (!c) {
			rc = buf_printf(in, PROTOCOL_BATCH_REMOVE " %s\n", items[i].host);
			continue;
		}
		rc = buf_printf(in, PROTOCOL_BATCH_APPLY " %s %u ", c->host, c->port);
		if (rc == 0)
			rc = buf_append(in, c->secret.data, c->secret.len);
		if (rc == 0)
			rc = buf_putc(in, '\n');
	}
	return rc;
}

/* Line I of a --batch answer, "HOST WORD [restart]", into ITEM's reply. */
static int batch_line(const struct adapter *a, char *line, size_t i, struct server_batch_item *item, struct diag *d)
{
	size_t hl = strlen(item->host);
	char *rest = line + hl + 1, *flag;

	if (strncmp(line, item->host, hl) != 0 || line[hl] != ' ')
		return diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --batch: line %zu is not about %s", a->name, i + 1,
				item->host);
	flag = strchr(rest, ' ');
	if (flag)
		*flag++ = '\0';
	item->reply.result = protocol_result_parse(rest);
	item->reply.restart = flag != NULL;
	if (item->reply.result == RESULT_INVALID || (flag && strcmp(flag, "restart") != 0))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --batch: line %zu: not a result word", a->name, i + 1);
	return 0;
}

int server_batch(const struct adapter_call *call, const struct adapter *a, struct server_batch_item *items, size_t n,
		 struct buf *notes, struct diag *d)
{
	struct adapter_call big = *call;
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	struct buf input = BUF_INIT_SENSITIVE;
	char **lines = calloc(n + 1, sizeof(*lines));
	int rc = lines ? strv_push(&args, "--batch") : -ENOMEM;

	/* Time and room in proportion: each component costs the adapter about what one call did. */
	big.timeout_ms = call->timeout_ms + (int)(n < 10000 ? n : 10000) * (call->timeout_ms / 100);
	big.max_output = ADAPTER_MAX_OUTPUT + n * 300;
	big.inputs = true;
	if (rc == 0)
		rc = batch_input(items, n, &input);
	if (rc == 0)
		rc = adapter_run(&big, a, &args, input.data, input.len, &ch);
	if (rc == 0)
		take_inputs(a, &ch.out, spawn_succeeded(&ch) ? n : 0);
	if (rc < 0)
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
	else if (!spawn_succeeded(&ch))
		rc = adapter_failed(a, &ch, d);
	else if (memchr(buf_str(&ch.out), '\0', ch.out.len) || split_lines(&ch.out, lines, n + 1) != n)
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --batch: not one line per component", a->name);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = batch_line(a, lines[i], i, &items[i], d);
	if (rc == 0)
		rc = buf_append(notes, buf_str(&ch.err), ch.err.len);
	free(lines);
	strv_free(&args);
	buf_free(&input);
	child_free(&ch);
	return rc;
}

int server_reload(const struct adapter_call *call, const struct adapter *a, const struct strv *added,
		  const struct strv *removed, struct server_reply *ret, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	char *opt;
	int rc;

	rc = strv_push(&args, JD_FLAG_RELOAD);
	for (size_t i = 0; rc == 0 && i < added->n; i++)
		rc = asprintf(&opt, JD_FLAG_ADDED "%s", added->v[i]) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	for (size_t i = 0; rc == 0 && i < removed->n; i++)
		rc = asprintf(&opt, JD_FLAG_REMOVED "%s", removed->v[i]) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	/* A reload may run several commands of the server's own (prosodyctl...): give it more time. */
	struct adapter_call slow = *call;
	slow.timeout_ms = call->timeout_ms * 4;
	if (rc == 0)
		rc = adapter_run(&slow, a, &args, NULL, 0, &ch);
	if (rc < 0)
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
	else if (!spawn_succeeded(&ch))
		rc = adapter_failed(a, &ch, d);
	else if ((rc = buf_append(&ret->text, buf_str(&ch.out), ch.out.len)) == 0)
		rc = buf_append(&ret->notes, buf_str(&ch.err), ch.err.len);
	strv_free(&args);
	child_free(&ch);
	return rc;
}

/* One "ADDRESS PORT MODE" line of a --listen answer into RET; false when it is not one. */
static bool server_listen_line_parse(char *line, struct server_listener *ret)
{
	char *ip = strtok(line, " \t\r"), *port = strtok(NULL, " \t\r"), *mode = strtok(NULL, " \t\r");
	unsigned char addr[16];

	if (!ip || !port || !mode || strtok(NULL, " \t\r") || strlen(ip) >= sizeof(ret->ip) ||
	    (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1) ||
	    validate_port(port, &ret->port) || (ret->mode = protocol_listen_mode_parse(mode)) == LISTEN_INVALID)
		return false;
	snprintf(ret->ip, sizeof(ret->ip), "%s", ip);
	return true;
}

int server_listen(const struct adapter_call *call, const struct adapter *a, const char *host,
		  struct server_listener *ret, size_t *n, struct diag *d)
{
	struct child ch = CHILD_INIT;
	struct strv args = STRV_INIT;
	char *lines[SERVER_MAX_LISTENERS + 1], *opt;
	size_t count;
	int rc;

	*n = 0;
	rc = strv_push(&args, JD_FLAG_LISTEN);
	if (rc == 0)
		rc = asprintf(&opt, JD_FLAG_HOST "%s", host) < 0 ? -ENOMEM : strv_push_owned(&args, opt);
	if (rc == 0)
		rc = adapter_run(call, a, &args, NULL, 0, &ch);
	if (rc < 0)
		rc = diag_set(d, -rc, EXIT_UNAVAILABLE, "server %s: cannot be run: %s", a->name, strerror(-rc));
	else if (!spawn_succeeded(&ch))
		rc = adapter_failed(a, &ch, d);
	if (rc < 0)
		goto out;
	count = split_lines(&ch.out, lines, SERVER_MAX_LISTENERS + 1);
	if (count == 1 && strcmp(lines[0], JD_WORD_UNDECLARED) == 0)
		goto out;
	if (count == 0 || count > SERVER_MAX_LISTENERS)
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "server %s: --listen --host=%s: %zu lines, expected 1 to %d",
			      a->name, host, count, SERVER_MAX_LISTENERS);
	for (size_t i = 0; rc == 0 && i < count; i++)
		if (!server_listen_line_parse(lines[i], &ret[(*n)++]))
			rc = diag_set(d, EBADMSG, EXIT_DATAERR,
				      "server %s: --listen --host=%s: line %zu is not \"ADDRESS PORT MODE\"", a->name,
				      host, i + 1);
out:
	strv_free(&args);
	child_free(&ch);
	return rc;
}
