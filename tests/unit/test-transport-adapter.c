/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/adapter/transport-adapter: the command line of a
 * transport adapter around a fake transport whose config is one line,
 * "HOST PORT SECRET": answers in the order asked, the secret checked where
 * it is found, --set-password from stdin, and the config made unreadable
 * by others once it holds a secret.
 */
#include "unit.h"

#include "sandbox.h"
#include "transport-adapter.h"

#define FAKE_CONFIG "/etc/fake.cfg"

static int fake_read(const struct root *r, const char *config, struct component *ret, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE;
	char *port, *secret;
	int rc = safefs_read_file(r, config, &text, d);

	if (rc == -ENOENT)
		return diag_set(d, ENOENT, 1, "%s: no such file", config);
	buf_chomp(&text);
	port = rc == 0 ? strchr(buf_str(&text), ' ') : NULL;
	secret = port ? strchr(port + 1, ' ') : NULL;
	if (rc == 0 && !secret)
		rc = diag_set(d, ENODATA, 1, "%s: not configured yet", config);
	if (rc == 0) {
		*port++ = *secret++ = '\0';
		snprintf(ret->host, sizeof(ret->host), "%s", text.data);
		ret->port = (unsigned)atoi(port);
		rc = transport_secret(ret, secret, strlen(secret), config, 1, "secret", d);
	}
	buf_free(&text);
	return rc;
}

static int fake_set(const struct root *r, const char *config, unsigned port, const struct secret *secret,
		    struct changeset *cs, enum result *ret_result, struct diag *d)
{
	struct buf old = BUF_INIT_SENSITIVE, text = BUF_INIT_SENSITIVE;
	int rc = safefs_read_file(r, config, &old, d);

	if (rc == 0)
		rc = buf_printf(&text, "gw.example.org %u %s\n", port ? port : 5347, secret ? secret->data : "kept");
	if (rc == 0)
		rc = changeset_put(cs, config, &old, text.data, text.len, 0644);
	if (rc == 0 && secret)
		rc = changeset_redact_span(cs, secret->data, secret->len, "<secret>");
	*ret_result = buf_equal(&old, &text) ? RESULT_UNCHANGED : RESULT_UPDATED;
	buf_free(&old);
	buf_free(&text);
	return rc;
}

static const struct transport_ops fake_ops = { .name = "fake", .default_config = FAKE_CONFIG, .read = fake_read,
					       .set = fake_set, .reader_group = "fakegw", .secret_max = 40 };

/* The argument vector of one run, writable as a real one. */
struct run {
	char *argv[8];
	int argc;
};

static void child(void *arg)
{
	struct run *r = arg;
	int code = transport_adapter_main(r->argc, r->argv, &fake_ops);
	fflush(NULL);
	_exit(code);
}

/* Run the fake with "--root=SANDBOX" and the flags in FLAGS (space-separated), INPUT on stdin. */
static int fake(const struct sandbox *sb, const char *flags, const char *input, struct buf *out, struct buf *err)
{
	static char words[256], root[128];
	struct run r = { { (char *)"fake", root }, 2 };

	snprintf(root, sizeof(root), "--root=%s", sb->top);
	snprintf(words, sizeof(words), "%s", flags);
	for (char *w = strtok(words, " "); w && r.argc < 7; w = strtok(NULL, " "))
		r.argv[r.argc++] = w;
	return unit_run(child, &r, input, out, err);
}

static void test_read(void **state)
{
	struct sandbox *sb = *state;
	struct buf out = BUF_INIT, err = BUF_INIT;

	sandbox_put(sb, FAKE_CONFIG, "gw.example.org 5348 Gw-s3cret\n", 0640);
	assert_int_equal(fake(sb, "--password --host --port", "", &out, &err), 0);
	assert_string_equal(buf_str(&out), "Gw-s3cret\ngw.example.org\n5348\n");
	assert_int_equal(fake(sb, "--capabilities", "", &out, &err), 0);
	assert_string_equal(buf_str(&out), "protocol=1 inputs set-password set-port secret-max=40\n");
	/* not configured: exit 1 and why, nothing on stdout */
	sandbox_put(sb, FAKE_CONFIG, "gw.example.org\n", 0640);
	assert_int_equal(fake(sb, "--host", "", &out, &err), 1);
	assert_string_equal(buf_str(&out), "");
	assert_string_equal(buf_str(&err), "fake: " FAKE_CONFIG ": not configured yet\n");
	buf_free(&out);
	buf_free(&err);
}

/* What the config says is checked where it is read, with file and line, and never printed when bad. */
static void test_read_refused(void **state)
{
	static const struct {
		const char *config, *flags;
		int code;
		const char *err; /* NULL: any reason */
	} cases[] = {
		{ "gw.example.org 5348 bad\x01secret\n", "--host --port --password", 65,
		  "fake: " FAKE_CONFIG ":1: secret is unusable: contains a control character\n" },
		{ "gw..example.org 5348 Gw-s3cret\n", "--host", 65, NULL },
		{ "gw.example.org 0 Gw-s3cret\n", "--port", 65, NULL },
		{ "gw.example.org 5348 Gw-s3cret\n", "--colour", 64, "fake: unknown option \"--colour\" (see --help)\n" },
		{ "gw.example.org 5348 Gw-s3cret\n", "", 64, "fake: nothing asked: give --host, --port and/or --password\n" },
		{ "gw.example.org 5348 Gw-s3cret\n", "--set-port=5349 --host", 64, NULL },
	};
	struct sandbox *sb = *state;
	struct buf out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		sandbox_put(sb, FAKE_CONFIG, cases[i].config, 0640);
		assert_int_equal(fake(sb, cases[i].flags, "", &out, &err), cases[i].code);
		assert_string_equal(buf_str(&out), "");
		if (cases[i].err)
			assert_string_equal(buf_str(&err), cases[i].err);
	}
	buf_free(&out);
	buf_free(&err);
}

/* --set-password: the secret from stdin; the config made unreadable by others, the daemon's group reading it. */
static void test_set(void **state)
{
	struct sandbox *sb = *state;
	struct buf out = BUF_INIT, err = BUF_INIT, text = BUF_INIT;
	struct stat st;

	sandbox_put(sb, "/etc/group", "root:x:0:\nfakegw:x:4712:\n", 0644);
	sandbox_put(sb, FAKE_CONFIG, "gw.example.org 5347 Old-s3cret\n", 0644);
	assert_int_equal(chown(sandbox_path(sb, FAKE_CONFIG), 0, 0), 0);
	assert_int_equal(fake(sb, "--set-password --set-port=5400 --dry-run", "N3w-s3cret\n", &out, &err), 0);
	assert_non_null(strstr(buf_str(&out), "updated restart\n"));
	assert_non_null(strstr(buf_str(&out), "+gw.example.org 5400 <secret>\n"));
	assert_null(strstr(buf_str(&out), "N3w-s3cret"));
	assert_int_equal(sandbox_mode(sb, FAKE_CONFIG), 0644);

	assert_int_equal(fake(sb, "--set-password --set-port=5400", "N3w-s3cret\n", &out, &err), 0);
	assert_string_equal(buf_str(&out), "updated restart\n");
	sandbox_get(sb, FAKE_CONFIG, &text);
	assert_string_equal(buf_str(&text), "gw.example.org 5400 N3w-s3cret\n");
	assert_int_equal(stat(sandbox_path(sb, FAKE_CONFIG), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, 4712);
	assert_non_null(strstr(buf_str(&err), "fake: " FAKE_CONFIG ": holds a secret: made unreadable by others"));

	/* a bad secret on stdin: exit 64, nothing written */
	assert_int_equal(fake(sb, "--set-password", "two\nlines\n", &out, &err), 64);
	assert_string_equal(buf_str(&err), "fake: the secret on stdin is unusable: contains a control character\n");
	sandbox_get(sb, FAKE_CONFIG, &text);
	assert_string_equal(buf_str(&text), "gw.example.org 5400 N3w-s3cret\n");
	buf_free(&text);
	buf_free(&out);
	buf_free(&err);
}

UNIT_TESTS(UNIT_SANDBOX(test_read), UNIT_SANDBOX(test_read_refused), UNIT_SANDBOX(test_set))
