/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/core/adapter, the dispatcher's side of the protocol, against
 * small shell adapters in a sandbox root: discovery skips what is no adapter,
 * capabilities are parsed word by word, and hostile answers are refused with a
 * one-line reason that never quotes a secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include "adapter.h"
#include "sandbox.h"

/* A shell adapter NAME of KIND ("transports" or "servers") in the vendor directory, with MODE. */
static void put_adapter(struct sandbox *sb, const char *kind, const char *name, const char *body, mode_t mode)
{
	char path[256], text[4096];
	snprintf(path, sizeof(path), PROTOCOL_VENDOR_DIR "/%s/%s", kind, name);
	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	sandbox_put(sb, path, text, mode);
}

/* Discover KIND and return adapter NAME from L (which the caller frees), probed. */
static struct adapter *find(struct sandbox *sb, enum adapter_kind kind, const char *name, struct adapter_list *l)
{
	struct adapter_call call = { .root = &sb->r, .timeout_ms = 5000 };
	struct diag d = DIAG_INIT;

	assert_int_equal(adapter_discover(&sb->r, kind, l, &d), 0);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0) {
			if (adapter_usable(&l->v[i]))
				assert_int_equal(adapter_probe(&call, &l->v[i]), 0);
			return &l->v[i];
		}
	fail_msg("no adapter %s", name);
	return NULL;
}

/* Discovery: sorted; editor and dpkg leftovers never listed; unsafe files listed as skipped, with why. */
static void test_discover(void **state)
{
	struct sandbox *sb = *state;
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct diag d = DIAG_INIT;

	put_adapter(sb, "transports", "zeta", "exit 0", 0755);
	put_adapter(sb, "transports", "alpha", "exit 0", 0755);
	put_adapter(sb, "transports", "alpha.dpkg-old", "exit 0", 0755);
	put_adapter(sb, "transports", "alpha~", "exit 0", 0755);
	put_adapter(sb, "transports", ".hidden", "exit 0", 0755);
	put_adapter(sb, "transports", "writable", "exit 0", 0775);
	put_adapter(sb, "transports", "plain", "exit 0", 0644);
	assert_int_equal(adapter_discover(&sb->r, ADAPTER_TRANSPORT, &l, &d), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].name, "alpha");
	assert_string_equal(l.v[1].name, "plain");
	assert_string_equal(l.v[2].name, "writable");
	assert_string_equal(l.v[3].name, "zeta");
	assert_true(adapter_usable(&l.v[0]));
	assert_false(adapter_usable(&l.v[1]));
	assert_string_equal(l.v[1].skipped, "not executable");
	assert_false(adapter_usable(&l.v[2]));
	assert_string_equal(l.v[2].skipped, "writable by group or others");
	adapter_list_free(&l);
	/* No directory at all: nothing, and no error. */
	assert_int_equal(adapter_discover(&sb->r, ADAPTER_SERVER, &l, &d), 0);
	assert_int_equal(l.n, 0);
	adapter_list_free(&l);
}

/* Capabilities: known words set their bit, unknown ones are ignored, no protocol=1 means none at all. */
static void test_capabilities(void **state)
{
	struct sandbox *sb = *state;
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct adapter *a;

	put_adapter(sb, "servers", "full", "echo 'protocol=1 password-stdin dry-run reload remove list frobnicate'", 0755);
	put_adapter(sb, "transports", "muc", "echo 'protocol=1 set-password set-port secret-max=15'", 0755);
	put_adapter(sb, "transports", "lying", "echo 'password-stdin set-port secret-max=15'", 0755);
	put_adapter(sb, "transports", "seed", "echo 'usage: seed --host --port --password' >&2; exit 2", 0755);
	a = find(sb, ADAPTER_SERVER, "full", &l);
	assert_int_equal(a->caps, CAP_PROTOCOL1 | CAP_PASSWORD_STDIN | CAP_DRY_RUN | CAP_RELOAD | CAP_REMOVE | CAP_LIST);
	adapter_list_free(&l);
	a = find(sb, ADAPTER_TRANSPORT, "muc", &l);
	/* "secret-max=N" is a transport's limit, not the server word "secret-max" (it takes --secret-max) */
	assert_int_equal(a->caps, CAP_PROTOCOL1 | CAP_SET_PASSWORD | CAP_SET_PORT);
	assert_int_equal(a->secret_max, 15);
	adapter_list_free(&l);
	a = find(sb, ADAPTER_TRANSPORT, "lying", &l);
	assert_int_equal(a->caps, 0);
	assert_int_equal(a->secret_max, 0);
	adapter_list_free(&l);
	a = find(sb, ADAPTER_TRANSPORT, "seed", &l);
	assert_int_equal(a->caps, 0);
	adapter_list_free(&l);
}

/* Run transport NAME printing BODY's output; its answer, and the reason when it is refused. */
static int query(struct sandbox *sb, const char *name, const char *body, struct component *c, struct diag *d)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct adapter_call call = { .root = &sb->r, .timeout_ms = 5000 };
	struct adapter *a;
	int rc;

	put_adapter(sb, "transports", name, body, 0755);
	a = find(sb, ADAPTER_TRANSPORT, name, &l);
	rc = transport_query(&call, a, c, d);
	adapter_list_free(&l);
	return rc;
}

static void expect_liar(struct sandbox *sb, const char *body, const char *msg)
{
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(query(sb, "liar", body, &c, &d), -EBADMSG);
	assert_string_equal(d.msg, msg);
	assert_int_equal(d.exit_code, 65);
	/* never a secret kept from a refused answer */
	assert_int_equal(c.secret.len, 0);
	component_free(&c);
}

static void test_query(void **state)
{
	struct sandbox *sb = *state;
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;

	/* CRLF line ends are taken; upper case in the host is folded. */
	assert_int_equal(query(sb, "good", "printf 'IRC.Example.org\\r\\n5347\\r\\ns3cr\\303\\251t x\\r\\n'", &c, &d), 0);
	assert_string_equal(c.host, "irc.example.org");
	assert_int_equal(c.port, 5347);
	assert_string_equal(buf_str(&c.secret), "s3cré\x74 x");
	assert_true(c.secret.sensitive);
	component_free(&c);
}

/* Hostile answers: each refused with a reason; the secret is never quoted back. */
static void test_hostile(void **state)
{
	struct sandbox *sb = *state;

	expect_liar(sb, "printf 'irc.example.org\\n5347\\n'", "transport liar: printed 2 lines for --host --port --password, expected 3");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\ns\\nmore\\n'",
		    "transport liar: printed 4 lines for --host --port --password, expected 3");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\nse\\0cret\\n'", "transport liar: printed a NUL byte");
	expect_liar(sb, "printf 'irc example.org\\n5347\\nsecret1\\n'",
		    "transport liar: --host printed \"irc example.org\": not a domain name");
	expect_liar(sb, "printf 'irc.example.org\\n70000\\nsecret1\\n'",
		    "transport liar: --port printed \"70000\": not a port number (1-65535)");
	expect_liar(sb, "printf 'irc.example.org\\n+5347\\nsecret1\\n'",
		    "transport liar: --port printed \"+5347\": not a port number (1-65535)");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\nsec\\033ret-X9\\n'",
		    "transport liar: --password printed an unusable secret: contains a control character");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\n\\377\\376-X9\\n'",
		    "transport liar: --password printed an unusable secret: not valid UTF-8");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\n secret-X9\\n'",
		    "transport liar: --password printed an unusable secret: starts or ends with a blank");
	expect_liar(sb, "printf 'irc.example.org\\n5347\\n\\n'", "transport liar: --password printed an unusable secret: empty");
}

/* Exit 1: not configured, or not installed as the protocol's word says; either is no error of the run. */
static void test_not_configured(void **state)
{
	struct sandbox *sb = *state;
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;

	assert_int_equal(query(sb, "later", "echo 'password is not set' >&2; exit 1", &c, &d), -ENODATA);
	assert_int_equal(d.exit_code, 0);
	diag_clear(&d);
	assert_int_equal(query(sb, "absent", "echo " PROTOCOL_NOT_INSTALLED "; exit 1", &c, &d), -ENOENT);
	component_free(&c);
}

/* Run server NAME's apply with a fixed component; its reply. */
static int apply(struct sandbox *sb, const char *body, struct server_reply *r, struct diag *d)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct adapter_call call = { .root = &sb->r, .timeout_ms = 5000 };
	struct component c = COMPONENT_INIT;
	struct adapter *a;
	char text[2048];
	int rc;

	snprintf(text, sizeof(text),
		 "case \"$1\" in --capabilities) echo 'protocol=1 password-stdin dry-run'; exit 0 ;; esac\n"
		 "read -r secret\n[ \"$secret\" = 'Srv-s3cret' ] || { echo 'wrong secret on stdin' >&2; exit 70; }\n%s",
		 body);
	put_adapter(sb, "servers", "srv", text, 0755);
	a = find(sb, ADAPTER_SERVER, "srv", &l);
	snprintf(c.host, sizeof(c.host), "irc.example.org");
	c.port = 5347;
	assert_int_equal(buf_puts(&c.secret, "Srv-s3cret"), 0);
	rc = server_apply(&call, a, &c, false, r, d);
	component_free(&c);
	adapter_list_free(&l);
	return rc;
}

static void test_server_answers(void **state)
{
	struct sandbox *sb = *state;
	struct server_reply r = SERVER_REPLY_INIT;
	struct diag d = DIAG_INIT;

	/* The secret came on stdin, the result word and a remark came back. */
	assert_int_equal(apply(sb, "echo 'added restart'; echo 'a remark' >&2", &r, &d), 0);
	assert_int_equal(r.result, RESULT_ADDED);
	assert_true(r.restart);
	assert_string_equal(buf_str(&r.notes), "a remark\n");
	server_reply_free(&r);
	r = (struct server_reply)SERVER_REPLY_INIT;
	assert_int_equal(apply(sb, "echo unchanged", &r, &d), 0);
	assert_int_equal(r.result, RESULT_UNCHANGED);
	assert_false(r.restart);
	server_reply_free(&r);

	r = (struct server_reply)SERVER_REPLY_INIT;
	assert_int_equal(apply(sb, "echo 'added now'", &r, &d), -EBADMSG);
	assert_string_equal(d.msg, "server srv: answered \"added now\", not a result word");
	server_reply_free(&r);
	diag_clear(&d);
	r = (struct server_reply)SERVER_REPLY_INIT;
	assert_int_equal(apply(sb, "echo 'added restart please'", &r, &d), -EBADMSG);
	server_reply_free(&r);
	diag_clear(&d);
	r = (struct server_reply)SERVER_REPLY_INIT;
	assert_int_equal(apply(sb, "printf 'add\\033[2Jed\\n'", &r, &d), -EBADMSG);
	assert_string_equal(d.msg, "server srv: answered \"add\\x1b[2Jed\", not a result word");
	server_reply_free(&r);
}

UNIT_TESTS(UNIT_SANDBOX(test_discover), UNIT_SANDBOX(test_capabilities), UNIT_SANDBOX(test_query),
	   UNIT_SANDBOX(test_hostile), UNIT_SANDBOX(test_not_configured), UNIT_SANDBOX(test_server_answers))
