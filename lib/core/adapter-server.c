/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapter-server: the dispatcher's side of protocol 1 with server adapters (apply, remove, reload...). */
#include "adapter.h"
#include "adapter-run.h"
#include "exitcode.h"
#include "spawn.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void server_reply_free(struct server_reply *r)
{
	buf_free(&r->text);
	buf_free(&r->notes);
}

/*
 * Parse the first line of an adapter's answer: "WORD [restart]".  With
 * KEEP_REST the lines after it (a diff) go to ret->text.
 */
int server_parse_reply(const struct adapter *a, struct child *c, struct server_reply *ret, bool keep_rest,
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
	rc = adapter_outcome(a, adapter_run(call, a, &args, input.data, input.len, &ch), &ch, d);
	if (rc == 0)
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
	if (rc == 0)
		take_inputs(a, &ch.out, spawn_succeeded(&ch) ? 3 : 0);
	rc = adapter_outcome(a, rc, &ch, d);
	if (rc < 0)
		goto out;
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
	rc = adapter_outcome(a, rc, &ch, d);
	if (rc == 0)
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

/* One --batch call in the making: its own bounds, arguments, input, answer and the answer's lines. */
struct batch_call {
	struct adapter_call call;
	struct strv args;
	struct buf input;
	struct child ch;
	char **lines;
};

static int batch_prepare(const struct adapter_call *call, const struct server_batch *b, struct batch_call *bc)
{
	bc->call = *call;
	/* Time and room in proportion: each component costs the adapter about what one call did. */
	bc->call.timeout_ms = call->timeout_ms + (int)(b->n < 10000 ? b->n : 10000) * (call->timeout_ms / 100);
	bc->call.max_output = ADAPTER_MAX_OUTPUT + b->n * 300;
	bc->call.inputs = true;
	bc->input = (struct buf)BUF_INIT_SENSITIVE;
	bc->ch = (struct child)CHILD_INIT;
	bc->lines = calloc(b->n + 1, sizeof(*bc->lines));
	if (!bc->lines)
		return -ENOMEM;
	int rc = strv_push(&bc->args, "--batch");
	return rc < 0 ? rc : batch_input(b->items, b->n, &bc->input);
}

/* B's answer, the call having returned RC. */
static int batch_finish(struct server_batch *b, struct batch_call *bc, int rc)
{
	const struct adapter *a = b->a;
	struct child *ch = &bc->ch;

	if (rc == 0)
		take_inputs(a, &ch->out, spawn_succeeded(ch) ? b->n : 0);
	rc = adapter_outcome(a, rc, ch, b->d);
	if (rc == 0 && (memchr(buf_str(&ch->out), '\0', ch->out.len) || split_lines(&ch->out, bc->lines, b->n + 1) != b->n))
		rc = diag_set(b->d, EBADMSG, EXIT_DATAERR, "server %s: --batch: not one line per component", a->name);
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		rc = batch_line(a, bc->lines[i], i, &b->items[i], b->d);
	if (rc == 0)
		rc = buf_append(b->notes, buf_str(&ch->err), ch->err.len);
	return rc;
}

void server_batch_all(const struct adapter_call *call, struct server_batch *v, size_t n)
{
	struct batch_call *bc = calloc(n ? n : 1, sizeof(*bc));
	struct adapter_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	size_t *which = calloc(n ? n : 1, sizeof(*which)), k = 0;

	for (size_t i = 0; i < n; i++) {
		v[i].rc = bc && jobs && which ? batch_prepare(call, &v[i], &bc[i]) : -ENOMEM;
		if (v[i].rc < 0) {
			v[i].rc = diag_set(v[i].d, -v[i].rc, EXIT_OSERR, "server %s: --batch cannot be run: %s", v[i].a->name,
					   strerror(-v[i].rc));
			continue;
		}
		jobs[k] = (struct adapter_job){ .call = &bc[i].call, .a = v[i].a, .args = &bc[i].args,
						.input = bc[i].input.data, .input_len = bc[i].input.len, .c = &bc[i].ch };
		which[k++] = i;
	}
	adapter_run_all(jobs, k);
	for (size_t j = 0; j < k; j++)
		v[which[j]].rc = batch_finish(&v[which[j]], &bc[which[j]], jobs[j].rc);
	for (size_t i = 0; bc && i < n; i++) {
		free(bc[i].lines);
		strv_free(&bc[i].args);
		buf_free(&bc[i].input);
		child_free(&bc[i].ch);
	}
	free(bc);
	free(jobs);
	free(which);
}

int server_batch(const struct adapter_call *call, const struct adapter *a, struct server_batch_item *items, size_t n,
		 struct buf *notes, struct diag *d)
{
	struct server_batch b = { .a = a, .items = items, .n = n, .notes = notes, .d = d };

	server_batch_all(call, &b, 1);
	return b.rc;
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
	rc = adapter_outcome(a, rc, &ch, d);
	if (rc == 0 && (rc = buf_append(&ret->text, buf_str(&ch.out), ch.out.len)) == 0)
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
	rc = adapter_outcome(a, rc, &ch, d);
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
