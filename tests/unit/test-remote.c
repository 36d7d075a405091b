/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/remote: link descriptors written and read back, and every cut of one refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "remote.h"

static void make(struct remote_link *l, const char *address, const char *secret)
{
	snprintf(l->transport, sizeof(l->transport), "biboumi");
	snprintf(l->host, sizeof(l->host), "irc.example.org");
	l->port = 5347;
	snprintf(l->server_address, sizeof(l->server_address), "%s", address);
	assert_int_equal(buf_puts(&l->secret, secret), 0);
}

static void roundtrip(const char *address, const char *secret, bool installed)
{
	struct remote_link l = REMOTE_LINK_INIT, back = REMOTE_LINK_INIT;
	struct buf text = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;

	make(&l, address, secret);
	if (installed)
		assert_int_equal(buf_puts(&text, "#!" REMOTE_INTERPRETER "\n"), 0);
	assert_int_equal(remote_format(&l, &text), 0);
	if (remote_parse("t", text.data, text.len, &back, &d) != 0)
		fail_msg("refused: %s", d.msg);
	assert_string_equal(back.transport, "biboumi");
	assert_string_equal(back.host, "irc.example.org");
	assert_int_equal(back.port, 5347);
	assert_string_equal(back.server_address, address);
	assert_true(back.secret.sensitive);
	assert_string_equal(buf_str(&back.secret), secret);
	remote_link_free(&l);
	remote_link_free(&back);
	buf_free(&text);
}

static void test_roundtrip(void **state)
{
	(void)state;
	roundtrip("10.231.0.1", "s3cret", false);
	roundtrip("fd00::1", "a secret with = and # and \"quotes\"", true);
	roundtrip("", "ünïcode", false);
}

/* Every proper prefix of a descriptor is refused, and so is every one-byte change. */
static void test_cuts_and_flips(void **state)
{
	struct remote_link l = REMOTE_LINK_INIT, back = REMOTE_LINK_INIT;
	struct buf text = BUF_INIT_SENSITIVE;

	(void)state;
	make(&l, "10.231.0.1", "s3cret");
	assert_int_equal(remote_format(&l, &text), 0);
	for (size_t n = 0; n < text.len; n++) {
		struct diag d = DIAG_INIT;
		if (remote_parse("t", text.data, n, &back, &d) == 0)
			fail_msg("a descriptor cut at %zu bytes was taken", n);
		assert_non_null(strstr(d.msg, "t:") == d.msg ? d.msg : NULL);
	}
	for (size_t i = 0; i < text.len; i++) {
		struct diag d = DIAG_INIT;
		text.data[i] ^= 0x01;
		if (remote_parse("t", text.data, text.len, &back, &d) == 0)
			fail_msg("a descriptor with byte %zu changed was taken", i);
		assert_null(strstr(d.msg, "s3cret"));
		text.data[i] ^= 0x01;
	}
	remote_link_free(&l);
	remote_link_free(&back);
	buf_free(&text);
}

static void test_address(void **state)
{
	(void)state;
	assert_null(remote_address_invalid("192.0.2.1"));
	assert_null(remote_address_invalid("2001:db8::1"));
	assert_non_null(remote_address_invalid("example.org"));
	assert_non_null(remote_address_invalid("10.0.0.1 "));
	assert_non_null(remote_address_invalid(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_cuts_and_flips),
		cmocka_unit_test(test_address),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
