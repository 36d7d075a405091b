/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter: running adapters and talking protocol 1 to them (the dispatcher's side, transports). */
#include "adapter.h"
#include "adapter-run.h"
#include "exitcode.h"
#include "remote.h"
#include "spawn.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Who calls (protocol 1, said without a flag the adapter might not parse); whether its inputs are asked. */
static char *const env_plain[] = { (char *)"JABBER_DISPATCH_PROTOCOL=1", NULL };
static char *const env_inputs[] = { (char *)"JABBER_DISPATCH_PROTOCOL=1", (char *)PROTOCOL_INPUTS_ENV "=1", NULL };

/*
 * J's child, ready to run: its argv into ARGV (what A runs, then J's FIRST
 * or else A's script when a "#!" script of ours, then --root when not the
 * host, then the arguments), its environment, input and bounds.
 */
static int job_prepare(const struct adapter_job *j, struct strv *argv)
{
	const struct adapter_call *call = j->call;
	const struct adapter *a = j->a;
	bool caps_only = j->args->n == 1 && strcmp(j->args->v[0], JD_FLAG_CAPABILITIES) == 0;
	struct child *c = j->c;
	const char *first = j->first ? j->first : a->script_path;
	int rc = strv_push(argv, a->exec_path);

	if (rc == 0 && first)
		rc = strv_push(argv, first);
	/* --capabilities does not depend on the root, and a seed-protocol adapter may not know --root. */
	if (rc == 0 && !safefs_root_is_host(call->root) && !caps_only) {
		char *opt;
		rc = asprintf(&opt, JD_FLAG_ROOT "%s", call->root->path) < 0 ? -ENOMEM : strv_push_owned(argv, opt);
	}
	for (size_t i = 0; rc == 0 && i < j->args->n; i++)
		rc = strv_push(argv, j->args->v[i]);
	if (rc < 0)
		return rc;
	if (!call->inputs && !caps_only)
		a->inputs->state = -1; /* an answer whose files are not known: nothing can be taken as unchanged */
	c->path = a->exec_path;
	c->argv = argv->v;
	c->extra_env = call->inputs ? env_inputs : env_plain;
	c->input = j->input;
	c->input_len = j->input_len;
	c->timeout_ms = call->timeout_ms;
	c->max_output = call->max_output ? call->max_output : ADAPTER_MAX_OUTPUT;
	return 0;
}

void adapter_run_all(struct adapter_job *jobs, size_t n)
{
	struct strv *argv = calloc(n ? n : 1, sizeof(*argv));
	struct child **ready = calloc(n ? n : 1, sizeof(*ready));
	size_t *which = calloc(n ? n : 1, sizeof(*which));
	int *rcs = calloc(n ? n : 1, sizeof(*rcs));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		jobs[i].rc = argv && ready && which && rcs ? job_prepare(&jobs[i], &argv[i]) : -ENOMEM;
		if (jobs[i].rc == 0) {
			ready[k] = jobs[i].c;
			which[k++] = i;
		}
	}
	if (k)
		spawn_run_all(ready, k, rcs);
	for (size_t i = 0; i < k; i++)
		jobs[which[i]].rc = rcs[i];
	for (size_t i = 0; argv && i < n; i++)
		strv_free(&argv[i]);
	free(argv);
	free(ready);
	free(which);
	free(rcs);
}

/* Run adapter A with ARGS; a "#!" script of ours is given to its interpreter, as the kernel would. */
int adapter_run(const struct adapter_call *call, const struct adapter *a, struct strv *args,
		const char *input, size_t input_len, struct child *c)
{
	struct adapter_job j = { .call = call, .a = a, .args = args, .input = input, .input_len = input_len, .c = c };

	adapter_run_all(&j, 1);
	return j.rc;
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

int adapter_failed(const struct adapter *a, const struct child *c, struct diag *d)
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

int adapter_outcome(const struct adapter *a, int rc, const struct child *c, struct diag *d)
{
	if (rc < 0)
		return diag_set(d, -rc, EXIT_UNAVAILABLE, "%s %s: cannot be run: %s", adapter_kind_word(a->kind), a->name,
				strerror(-rc));
	return spawn_succeeded(c) ? 0 : adapter_failed(a, c, d);
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
size_t split_lines(struct buf *out, char **lines, size_t n)
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
int take_port_secret(const struct adapter *a, const char *port_says, const char *secret_says, char *port,
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
void take_inputs(const struct adapter *a, struct buf *out, size_t skip)
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
	struct adapter_job j = { .call = &big, .a = first, .first = "--batch", .args = args, .input = list.data,
				 .input_len = list.len, .c = &ch };
	adapter_run_all(&j, 1);
	ok = j.rc == 0;
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

/* The --capabilities of the adapters among V[0..N) not known yet, each a process of its own, side by side. */
static void probe_side_by_side(const struct adapter_call *call, struct adapter *const *v, size_t n)
{
	struct strv args = STRV_INIT;
	struct adapter_job *jobs = calloc(n + 1, sizeof(*jobs));
	struct adapter **asked = calloc(n + 1, sizeof(*asked));
	struct child *c = calloc(n + 1, sizeof(*c));
	size_t k = 0;

	for (size_t i = 0; jobs && asked && c && i < n; i++)
		if (v[i] && !v[i]->probed && !v[i]->caps_text) {
			c[k] = (struct child)CHILD_INIT;
			jobs[k] = (struct adapter_job){ .call = call, .a = v[i], .args = &args, .c = &c[k] };
			asked[k++] = v[i];
		}
	if (k && strv_push(&args, JD_FLAG_CAPABILITIES) == 0)
		adapter_run_all(jobs, k);
	for (size_t i = 0; i < k; i++) {
		/* What adapter_probe would take; one that could not be run at all is asked again there. */
		if (args.n && jobs[i].rc == 0)
			asked[i]->caps_text = strdup(spawn_succeeded(&c[i]) ? buf_str(&c[i].out) : "");
		child_free(&c[i]);
	}
	strv_free(&args);
	free(jobs);
	free(asked);
	free(c);
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
	probe_side_by_side(call, v, n);
	strv_free(&args);
	free(answers);
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
	rc = adapter_outcome(a, rc, ch, d);
	return rc < 0 ? rc : server_parse_reply(a, ch, reply, false, d);
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
