/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/core/linkcheck: what a server adapter's --listen answer
 * leads to, short of a real server (tests/live/check-matrix.sh has those):
 * not declared, another port, no safe way, nothing listening, a bad answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "linkcheck.h"
#include "sandbox.h"

/* The admin's server adapter "fake": it announces what /caps and answers --listen with what /answer in the root hold. */
#define FAKE_ADAPTER \
	"#!/bin/sh\n" \
	"r=$(cd \"$(dirname \"$0\")/../../..\" && pwd) # the root: --capabilities comes without --root\n" \
	"for a; do case $a in\n" \
	"--capabilities) echo \"protocol=1 password-stdin $(cat \"$r/caps\")\"; exit 0 ;;\n" \
	"--listen) cat \"$r/answer\"; exit 0 ;;\n" \
	"esac; done; exit 64\n"

struct fixture {
	struct sandbox sb;
	struct component c;
	unsigned free_port; /* a loopback port nothing listens on */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	assert_non_null(f);
	sandbox_open(&f->sb, "linkcheck");
	sandbox_put(&f->sb, PROTOCOL_ADMIN_DIR "/servers/fake", FAKE_ADAPTER, 0755);
	f->c = (struct component)COMPONENT_INIT;
	snprintf(f->c.host, sizeof(f->c.host), "irc.example.org");
	assert_int_equal(buf_puts(&f->c.secret, "Check-s3cret"), 0);
	/* bound, never listening, closed: connections to it are refused */
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	f->free_port = ntohs(sa.sin_port);
	close(s);
	f->c.port = f->free_port;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	component_free(&f->c);
	sandbox_close(&f->sb);
	free(f);
	return 0;
}

/* Check f->c with the fake adapter announcing CAPS and answering ANSWER. */
static struct link_result check(struct fixture *f, const char *caps, const char *answer)
{
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct adapter_call call = { .root = &f->sb.r, .timeout_ms = 5000 };
	struct link_result r;
	struct diag d = DIAG_INIT;

	sandbox_put(&f->sb, "/caps", caps, 0644);
	sandbox_put(&f->sb, "/answer", answer, 0644);
	assert_int_equal(adapter_discover(&f->sb.r, ADAPTER_SERVER, &l, &d), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(adapter_probe(&call, &l.v[0]), 0);
	assert_int_equal(linkcheck(&call, &l.v[0], &f->c, 2000, &r), 0);
	adapter_list_free(&l);
	return r;
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(linkcheck_word(LINK_OK), "ok");
	assert_string_equal(linkcheck_word(LINK_OK_NOT_CONNECTED), "ok-not-connected");
	assert_string_equal(linkcheck_word(LINK_WRONG_SECRET), "wrong-secret");
	assert_string_equal(linkcheck_word(LINK_ERROR), "error");
	assert_string_equal(linkcheck_word((enum link_status)99), "error");
	/* `check` exits 1 for these, 0 for what works or cannot be asked */
	assert_false(linkcheck_bad(LINK_OK));
	assert_false(linkcheck_bad(LINK_OK_NOT_CONNECTED));
	assert_false(linkcheck_bad(LINK_NOT_WIRED));
	assert_false(linkcheck_bad(LINK_UNCHECKED));
	assert_true(linkcheck_bad(LINK_WRONG_SECRET));
	assert_true(linkcheck_bad(LINK_WRONG_PORT));
	assert_true(linkcheck_bad(LINK_SERVER_DOWN));
	assert_true(linkcheck_bad(LINK_TIMEOUT));
	assert_true(linkcheck_bad(LINK_ERROR));
}

static void test_answers(void **state)
{
	struct fixture *f = *state;
	struct link_result r;
	char line[80];

	r = check(f, "", "undeclared\n");
	assert_int_equal(r.status, LINK_UNCHECKED);
	assert_string_equal(r.text, "the adapter of server fake cannot say where its server listens");

	r = check(f, "listen", "undeclared\n");
	assert_int_equal(r.status, LINK_NOT_WIRED);
	assert_string_equal(r.text, "the config of server fake does not declare it");

	snprintf(line, sizeof(line), "127.0.0.1 %u kick-new\n", f->free_port == 5999 ? 5998 : 5999);
	r = check(f, "listen", line);
	assert_int_equal(r.status, LINK_WRONG_PORT);
	assert_non_null(strstr(r.text, "server fake takes it on port 599"));

	snprintf(line, sizeof(line), "127.0.0.1 %u unknown\n", f->free_port);
	r = check(f, "listen", line);
	assert_int_equal(r.status, LINK_UNCHECKED);
	assert_string_equal(r.ip, "127.0.0.1");
	assert_int_equal(r.port, f->free_port);

	/* Nothing listens where the server should: server-down, found without a login anyone could see. */
	snprintf(line, sizeof(line), "127.0.0.1 %u not-connected\n", f->free_port);
	r = check(f, "listen", line);
	assert_int_equal(r.status, LINK_SERVER_DOWN);
	snprintf(line, sizeof(line), "127.0.0.1 %u connected\n", f->free_port);
	r = check(f, "listen", line);
	assert_int_equal(r.status, LINK_SERVER_DOWN);

	/* A bad answer: error, with the reason, never a guess. */
	r = check(f, "listen", "somewhere over there\n");
	assert_int_equal(r.status, LINK_ERROR);
	assert_string_equal(r.text, "server fake: --listen --host=irc.example.org: line 1 is not \"ADDRESS PORT MODE\"");
	r = check(f, "listen", "");
	assert_int_equal(r.status, LINK_ERROR);
}

UNIT_TESTS(cmocka_unit_test(test_words), UNIT_FIXTURE(test_answers))
