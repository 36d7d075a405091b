/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of registry: the shipped list has no collision; layers, overrides and refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "registry.h"

static int parse(struct registry *reg, const char *path, const char *text, bool admin, struct diag *d)
{
	return registry_parse(reg, path, text, strlen(text), admin, d);
}

/* The registry the project ships parses, and no two of its entries collide. */
static void test_shipped(void **state)
{
	struct registry reg = REGISTRY_INIT;
	struct diag d = DIAG_INIT;
	char text[16384];
	size_t n;
	FILE *fp = fopen(JD_SOURCE_DIR "/share/registry/transports", "r");
	(void)state;

	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	assert_int_equal(registry_parse(&reg, "transports", text, n, false, &d), 0);
	assert_int_equal(registry_check(&reg, &d), 0);
	assert_true(reg.n >= 10);
	assert_non_null(registry_find(&reg, "jabber-mrim"));
	assert_string_equal(registry_find(&reg, "jabber-mrim")->prefix, "mrim");
	assert_non_null(registry_find(&reg, "jabber-muc"));
	for (size_t i = 0; i < reg.n; i++)
		assert_null(registry_port_refused(reg.v[i].port));
	registry_free(&reg);
}

static void test_lines(void **state)
{
	struct registry reg = REGISTRY_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse(&reg, "f", "# c\n\n  jabber-x\t6000  x   # trailing\n", false, &d), 0);
	assert_int_equal(reg.n, 1);
	assert_int_equal(reg.v[0].port, 6000);
	assert_int_equal(reg.v[0].line, 3);
	assert_string_equal(reg.v[0].prefix, "x");
	/* Prefixes are domain labels, folded to lower case. */
	assert_int_equal(parse(&reg, "g", "jabber-y 6001 SMS.Icq\n", false, &d), 0);
	assert_string_equal(registry_find(&reg, "jabber-y")->prefix, "sms.icq");
	registry_free(&reg);
}

static void expect_refused(const char *text, const char *msg)
{
	struct registry reg = REGISTRY_INIT;
	struct diag d = DIAG_INIT;
	assert_int_equal(parse(&reg, "f", text, false, &d), -EBADMSG);
	assert_string_equal(d.msg, msg);
	registry_free(&reg);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("jabber-x 6000\n", "f:1: expected \"PACKAGE PORT PREFIX\", found 2 fields");
	expect_refused("a b c d\n", "f:1: expected \"PACKAGE PORT PREFIX\", found more fields");
	expect_refused("Jabber 6000 x\n", "f:1: \"Jabber\" is not a package name ([a-z0-9][a-z0-9+.-]+)");
	expect_refused("jabber-x 0x10 x\n", "f:1: jabber-x: port \"0x10\" is not a port number (1-65535)");
	expect_refused("jabber-x 5347 x\n",
		       "f:1: jabber-x: port 5347 is the shared component port of jabberd2, Prosody and every "
		       "component's default");
	expect_refused("jabber-x 443 x\n", "f:1: jabber-x: port 443 is a privileged port");
	expect_refused("jabber-x 40000 x\n", "f:1: jabber-x: port 40000 is in the ephemeral port range (32768-60999)");
	expect_refused("jabber-x 6000 -x\n", "f:1: jabber-x: prefix \"-x\" is not a domain name (a label starts with '-')");
	expect_refused("jabber-x 6000 x\njabber-x 6001 y\n", "f:2: jabber-x is already registered at f:1");
}

static void test_collisions(void **state)
{
	struct registry reg = REGISTRY_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse(&reg, "vendor", "jabber-a 6000 a\njabber-b 6001 b\n", false, &d), 0);
	assert_int_equal(registry_check(&reg, &d), 0);
	assert_int_equal(parse(&reg, "dropin", "jabber-c 6001 c\n", false, &d), 0);
	assert_int_equal(registry_check(&reg, &d), -EEXIST);
	assert_string_equal(d.msg, "dropin:1: port 6001 of jabber-c is already assigned to jabber-b (vendor:2)");
	registry_free(&reg);

	diag_clear(&d);
	assert_int_equal(parse(&reg, "vendor", "jabber-a 6000 a\njabber-b 6001 A\n", false, &d), 0);
	assert_int_equal(registry_check(&reg, &d), -EEXIST);
	assert_string_equal(d.msg, "vendor:2: prefix \"a\" of jabber-b is already assigned to jabber-a (vendor:1)");
	registry_free(&reg);
}

static void test_admin_override(void **state)
{
	struct registry reg = REGISTRY_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_int_equal(parse(&reg, "vendor", "jabber-a 6000 a\njabber-b 6001 b\n", false, &d), 0);
	/* The admin moves jabber-a: replaced in place, no collision with its old self. */
	assert_int_equal(parse(&reg, "admin", "jabber-a 6002 chat\n", true, &d), 0);
	assert_int_equal(registry_check(&reg, &d), 0);
	assert_int_equal(reg.n, 2);
	assert_int_equal(registry_find(&reg, "jabber-a")->port, 6002);
	assert_true(registry_find(&reg, "jabber-a")->overrides);
	/* An admin entry onto another package's port is reported at the admin's line. */
	assert_int_equal(parse(&reg, "admin2", "jabber-b 6002 b\n", true, &d), 0);
	assert_int_equal(registry_check(&reg, &d), -EEXIST);
	assert_string_equal(d.msg, "admin2:1: port 6002 of jabber-b is already assigned to jabber-a (admin:1)");
	/* Twice in the admin layer: refused like twice anywhere else. */
	diag_clear(&d);
	assert_int_equal(parse(&reg, "admin3", "jabber-b 6003 b\n", true, &d), -EBADMSG);
	assert_string_equal(d.msg, "admin3:1: jabber-b is already registered at admin2:1");
	registry_free(&reg);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *fp;
	snprintf(path, sizeof(path), "%s%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The three layers inside a root: a drop-in adds, an admin file of the same name hides it. */
static void test_load(void **state)
{
	char dir[] = "/tmp/test-registry.XXXXXX", cmd[600];
	struct registry reg = REGISTRY_INIT;
	struct root r = ROOT_INIT;
	struct diag d = DIAG_INIT;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(safefs_root_open(dir, &r, &d), 0);
	/* Nothing installed: an empty registry, no error. */
	assert_int_equal(registry_load(&r, &reg, &d), 0);
	assert_int_equal(reg.n, 0);
	put(dir, REGISTRY_VENDOR_FILE, "jabber-a 6000 a\n");
	put(dir, REGISTRY_VENDOR_DIR "/jabber-z", "jabber-z 6009 z\n");
	put(dir, REGISTRY_VENDOR_DIR "/jabber-z.dpkg-new", "jabber-q 6000 q\n");
	put(dir, REGISTRY_VENDOR_DIR "/clash", "jabber-c 6000 c\n");
	assert_int_equal(registry_load(&r, &reg, &d), -EEXIST);
	assert_string_equal(d.msg, REGISTRY_VENDOR_DIR "/clash:1: port 6000 of jabber-c is already assigned to "
						       "jabber-a (" REGISTRY_VENDOR_FILE ":1)");
	/* The admin hides the clashing drop-in with a file of the same name. */
	put(dir, REGISTRY_ADMIN_DIR "/clash", "jabber-c 6010 c\n");
	assert_int_equal(registry_load(&r, &reg, &d), 0);
	assert_int_equal(reg.n, 3);
	assert_int_equal(registry_find(&reg, "jabber-c")->port, 6010);
	assert_false(registry_find(&reg, "jabber-c")->overrides);
	assert_null(registry_find(&reg, "jabber-q"));
	registry_free(&reg);
	safefs_root_close(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

UNIT_TESTS(cmocka_unit_test(test_shipped), cmocka_unit_test(test_lines), cmocka_unit_test(test_refused),
	   cmocka_unit_test(test_collisions), cmocka_unit_test(test_admin_override), cmocka_unit_test(test_load))
