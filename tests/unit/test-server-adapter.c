/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/adapter/server-adapter: the command line of a server
 * adapter, run as the dispatcher runs one (a child with a pipe on stdin),
 * around a fake server whose config holds "HOST PORT SECRET" lines.
 */
#include "unit.h"

#include "exitcode.h"
#include "sandbox.h"
#include "server-adapter.h"

#define FAKE_CONFIG "/etc/fake/fake.cfg"

/* The config's text without HOST's line, into OUT; whether HOST had one with exactly SECRET in *SAME. */
static int fake_load(const struct server_request *req, struct buf *old, struct buf *out, bool *had, bool *same,
		     struct diag *d)
{
	int rc = safefs_read_file(&req->root, req->config, old, d);
	size_t n = strlen(req->host);

	*had = *same = false;
	for (const char *p = buf_str(old); rc == 0 && *p; p = strchr(p, '\n') + 1) {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, req->host, n) == 0 && p[n] == ' ') {
			const char *secret = strchr(p + n + 1, ' ') + 1;
			*had = true;
			*same = secret_equal(&req->secret, secret, (size_t)(p + len - secret));
		} else
			rc = buf_append(out, p, len + 1);
		if (!p[len])
			break;
	}
	return rc;
}

static int fake_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret, struct diag *d)
{
	struct buf old = BUF_INIT_SENSITIVE, text = BUF_INIT_SENSITIVE;
	bool had, same;
	int rc = fake_load(req, &old, &text, &had, &same, d);

	ret->result = !had ? RESULT_ADDED : same ? RESULT_UNCHANGED : RESULT_UPDATED;
	/* "noted.*" gets a note of its own and one said twice; "refused.*" a note, then a refusal */
	if (rc == 0 && (strncmp(req->host, "noted.", 6) == 0 || strncmp(req->host, "refused.", 8) == 0))
		rc = server_note("%s: a note of its own", req->host);
	for (int i = 0; rc == 0 && strncmp(req->host, "noted.", 6) == 0 && i < 2; i++)
		rc = server_note("said once");
	if (rc == 0 && strncmp(req->host, "refused.", 8) == 0)
		rc = diag_set(d, EINVAL, EXIT_DATAERR, "%s: refused", req->host);
	if (rc == 0 && !same)
		rc = buf_printf(&text, "%s %u %s\n", req->host, req->port, req->secret.data);
	if (rc == 0 && !same)
		rc = changeset_put(cs, req->config, &old, text.data, text.len, 0640);
	if (rc == 0)
		rc = changeset_redact_span(cs, req->secret.data, req->secret.len, "<secret>");
	buf_free(&old);
	buf_free(&text);
	return rc;
}

static int fake_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
		       struct diag *d)
{
	struct buf old = BUF_INIT_SENSITIVE, text = BUF_INIT_SENSITIVE;
	bool had, same;
	int rc = fake_load(req, &old, &text, &had, &same, d);

	ret->result = had ? RESULT_REMOVED : RESULT_ABSENT;
	if (rc == 0 && had)
		rc = changeset_put(cs, req->config, &old, buf_str(&text), text.len, 0640);
	buf_free(&old);
	buf_free(&text);
	return rc;
}

static int fake_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE;
	int rc = safefs_read_file(&req->root, req->config, &text, d);
	for (const char *p = buf_str(&text); rc == 0 && *p; p = strchr(p, '\n') + 1)
		rc = buf_printf(out, "managed %.*s\n", (int)strcspn(p, " "), p);
	buf_free(&text);
	return rc;
}

static int fake_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	(void)d;
	return buf_printf(out, "reloaded (%zu added, %zu removed)\n", req->added.n, req->removed.n);
}

static const struct server_ops fake_ops = { .name = "fake", .default_config = FAKE_CONFIG, .apply = fake_apply,
					    .remove = fake_remove, .list = fake_list, .reload = fake_reload };

struct call {
	struct sandbox *sb;
	const char *args[8];
};

static void run_fake(void *arg)
{
	struct call *c = arg;
	char root[128], *argv[12] = { (char *)"fake" };
	int argc = 1, code;

	snprintf(root, sizeof(root), "--root=%s", c->sb->top);
	argv[argc++] = root;
	/* writable, as a real argv: the framework wipes a --password= given there */
	for (size_t i = 0; i < 8 && c->args[i]; i++)
		argv[argc++] = strdup(c->args[i]);
	code = server_adapter_main(argc, argv, &fake_ops);
	/* a secret given in argv is wiped from it (and so from /proc/PID/cmdline) once read */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--password=", 11) == 0 && argv[i][11])
			code = 99;
	fflush(NULL); /* as exit() would; _exit() keeps cmocka's handlers out of the child */
	_exit(code);
}

/* Run the fake adapter in SB with ARGS and INPUT on stdin: its exit status; what it said in OUT and ERR. */
#define FAKE(sb, input, out, err, ...) unit_run(run_fake, &(struct call){ sb, { __VA_ARGS__ } }, input, out, err)

struct io {
	struct buf out, err;
};

static void io_free(struct io *io)
{
	buf_free(&io->out);
	buf_free(&io->err);
}

static void test_capabilities(void **state)
{
	struct io io = { BUF_INIT, BUF_INIT };
	struct sandbox host = { "/", ROOT_INIT };
	(void)state;

	assert_int_equal(FAKE(&host, "", &io.out, &io.err, "--capabilities"), 0);
	/* no --shared, no --listen: the fake has neither */
	assert_string_equal(buf_str(&io.out), "protocol=1 password-stdin remove list reload dry-run inputs\n");
	io_free(&io);
}

/* Apply, again, another secret, a dry run, remove: the result words, the file, and never the secret in a diff. */
static void test_life(void **state)
{
	struct sandbox *sb = *state;
	struct io io = { BUF_INIT, BUF_INIT };
	struct buf text = BUF_INIT;

	sandbox_put(sb, FAKE_CONFIG, "other.example.org 5348 Theirs\n", 0640);
	assert_int_equal(FAKE(sb, "Fake-s3cret\n", &io.out, &io.err, "--host=irc.example.org", "--port=5347", "--password-stdin"), 0);
	assert_string_equal(buf_str(&io.out), "added\n");
	assert_string_equal(buf_str(&io.err), "");
	sandbox_get(sb, FAKE_CONFIG, &text);
	assert_string_equal(buf_str(&text), "other.example.org 5348 Theirs\nirc.example.org 5347 Fake-s3cret\n");
	/* the secret compared in the operation: the same one, no change */
	assert_int_equal(FAKE(sb, "Fake-s3cret", &io.out, &io.err, "--host=irc.example.org", "--port=5347", "--password-stdin"), 0);
	assert_string_equal(buf_str(&io.out), "unchanged\n");

	/* a dry run: the word, a diff with the secret hidden, nothing written */
	assert_int_equal(FAKE(sb, "N3w-secret\n", &io.out, &io.err, "--host=irc.example.org", "--port=5347", "--password-stdin",
			      "--dry-run"),
			 0);
	assert_non_null(strstr(buf_str(&io.out), "updated\n--- a" FAKE_CONFIG "\n+++ b" FAKE_CONFIG "\n"));
	assert_non_null(strstr(buf_str(&io.out), "+irc.example.org 5347 <secret>\n"));
	assert_null(strstr(buf_str(&io.out), "N3w-secret"));
	sandbox_get(sb, FAKE_CONFIG, &text);
	assert_non_null(strstr(buf_str(&text), "Fake-s3cret"));

	assert_int_equal(FAKE(sb, "", &io.out, &io.err, "--list"), 0);
	assert_string_equal(buf_str(&io.out), "managed other.example.org\nmanaged irc.example.org\n");
	assert_int_equal(FAKE(sb, "", &io.out, &io.err, "--reload", "--added=irc.example.org"), 0);
	assert_string_equal(buf_str(&io.out), "reloaded (1 added, 0 removed)\n");
	assert_int_equal(FAKE(sb, "", &io.out, &io.err, "--remove", "--host=irc.example.org"), 0);
	assert_string_equal(buf_str(&io.out), "removed\n");
	assert_int_equal(FAKE(sb, "", &io.out, &io.err, "--remove", "--host=irc.example.org"), 0);
	assert_string_equal(buf_str(&io.out), "absent\n");
	sandbox_get(sb, FAKE_CONFIG, &text);
	assert_string_equal(buf_str(&text), "other.example.org 5348 Theirs\n");
	buf_free(&text);
	io_free(&io);
}

/* Refusals: exit 64 with one line saying why, the config byte-identical. */
static void expect_usage(struct sandbox *sb, const char *input, const char *why, const char *a1, const char *a2,
			 const char *a3)
{
	struct io io = { BUF_INIT, BUF_INIT };
	struct buf before = BUF_INIT, after = BUF_INIT;
	char want[512];

	sandbox_get(sb, FAKE_CONFIG, &before);
	assert_int_equal(FAKE(sb, input, &io.out, &io.err, a1, a2, a3), 64);
	snprintf(want, sizeof(want), "fake: %s\nfake: see --help\n", why);
	assert_string_equal(buf_str(&io.err), want);
	assert_string_equal(buf_str(&io.out), "");
	sandbox_get(sb, FAKE_CONFIG, &after);
	assert_true(buf_equal(&before, &after));
	io_free(&io);
	buf_free(&before);
	buf_free(&after);
}

static void test_refused(void **state)
{
	struct sandbox *sb = *state;

	sandbox_put(sb, FAKE_CONFIG, "", 0640);
	expect_usage(sb, "two\nlines\n", "the secret on stdin is unusable: contains a control character",
		     "--host=irc.example.org", "--port=5347", "--password-stdin");
	expect_usage(sb, "\n", "the secret on stdin is unusable: empty", "--host=irc.example.org", "--port=5347",
		     "--password-stdin");
	expect_usage(sb, "", "the secret given by --password= is unusable: starts or ends with a blank",
		     "--host=irc.example.org", "--port=5347", "--password= x");
	expect_usage(sb, "s\n", "--host=\"irc example.org\": not a domain name", "--host=irc example.org", "--port=5347",
		     "--password-stdin");
	expect_usage(sb, "s\n", "--port: not a port number (1-65535)", "--host=irc.example.org", "--port=0",
		     "--password-stdin");
	expect_usage(sb, "s\n", "the secret is required: --password-stdin", "--host=irc.example.org", "--port=5347",
		     NULL);
	expect_usage(sb, "", "unknown option \"--shared\" (see --help)", "--shared", NULL, NULL);
	expect_usage(sb, "", "--remove, --list, --reload, --shared, --listen and --batch exclude each other", "--remove", "--list",
		     "--host=irc.example.org");
}

/* The seed protocol's --password= still works where stdin is not used. */
static void test_seed_password(void **state)
{
	struct sandbox *sb = *state;
	struct io io = { BUF_INIT, BUF_INIT };

	sandbox_put(sb, FAKE_CONFIG, "", 0640);
	assert_int_equal(FAKE(sb, "", &io.out, &io.err, "--host=irc.example.org", "--port=5347", "--password=Seed-s3cret"), 0);
	assert_string_equal(buf_str(&io.out), "added\n");
	io_free(&io);
}

/* No config at all: the server is not installed here (exit 1), nothing created. */
static void test_not_installed(void **state)
{
	struct sandbox *sb = *state;
	struct io io = { BUF_INIT, BUF_INIT };

	assert_int_equal(FAKE(sb, "s3cret\n", &io.out, &io.err, "--host=irc.example.org", "--port=5347", "--password-stdin"), 1);
	assert_string_equal(buf_str(&io.err), "fake: " FAKE_CONFIG ": no such file: the server is not installed here\n");
	assert_int_equal(sandbox_mode(sb, FAKE_CONFIG), -1);
	io_free(&io);
}

/* Notes: after the answer, each line once, prefixed with the adapter's name; none when the call fails. */
static void test_notes(void **state)
{
	struct sandbox *sb = *state;
	struct io io = { BUF_INIT, BUF_INIT };

	sandbox_put(sb, FAKE_CONFIG, "", 0640);
	assert_int_equal(FAKE(sb, "s3cret\n", &io.out, &io.err, "--host=noted.example.org", "--port=5347", "--password-stdin"),
			 0);
	assert_string_equal(buf_str(&io.out), "added\n");
	assert_string_equal(buf_str(&io.err), "fake: noted.example.org: a note of its own\nfake: said once\n");
	assert_int_equal(FAKE(sb, "s3cret\n", &io.out, &io.err, "--host=refused.example.org", "--port=5347",
			      "--password-stdin"),
			 65);
	assert_string_equal(buf_str(&io.err), "fake: refused.example.org: refused\n");
	io_free(&io);
}

UNIT_TESTS(cmocka_unit_test(test_capabilities), UNIT_SANDBOX(test_life), UNIT_SANDBOX(test_refused),
	   UNIT_SANDBOX(test_seed_password), UNIT_SANDBOX(test_not_installed), UNIT_SANDBOX(test_notes))
