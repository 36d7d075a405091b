/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/diff: hunk shapes, newline markers, NUL bytes, and byte-for-byte agreement with GNU diff -u. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "diff.h"

/* A literal and its length, so embedded NULs count. */
#define S(lit) lit, sizeof(lit) - 1

static void check_diff(const char *old, size_t old_len, const char *new, size_t new_len, const char *want,
		       size_t want_len)
{
	struct buf out = BUF_INIT;

	assert_int_equal(diff_unified(old, old_len, new, new_len, "L1", "L2", &out), 0);
	if (out.len != want_len || (want_len && memcmp(out.data, want, want_len) != 0)) {
		print_message("got:\n%.*s\nwanted:\n%.*s\n", (int)out.len, buf_str(&out), (int)want_len, want);
		fail_msg("diff output differs");
	}
	buf_free(&out);
}

static void test_identical(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(diff_unified(S("a\nb\n"), S("a\nb\n"), "L1", "L2", &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(diff_unified(S("x\0y"), S("x\0y"), "L1", "L2", &out), 0);
	assert_int_equal(out.len, 0);
	/* Two empty sides, NULL allowed for an empty side. */
	assert_int_equal(diff_unified(NULL, 0, "", 0, "L1", "L2", &out), 0);
	assert_int_equal(out.len, 0);
	/* Appends nothing to what is already there either. */
	assert_int_equal(buf_puts(&out, "keep"), 0);
	assert_int_equal(diff_unified(S("same\n"), S("same\n"), "L1", "L2", &out), 0);
	assert_string_equal(buf_str(&out), "keep");
	buf_free(&out);
}

static void test_appends_with_labels(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(buf_puts(&out, "earlier\n"), 0);
	assert_int_equal(diff_unified(S("a\n"), S("b\n"), "a/etc/x", "b/etc/x", &out), 0);
	assert_string_equal(buf_str(&out), "earlier\n--- a/etc/x\n+++ b/etc/x\n@@ -1 +1 @@\n-a\n+b\n");
	buf_free(&out);
}

static void test_insert(void **state)
{
	(void)state;

	check_diff(S("b\nc\nd\ne\nf\n"), S("a\nb\nc\nd\ne\nf\n"),
		   S("--- L1\n+++ L2\n@@ -1,3 +1,4 @@\n+a\n b\n c\n d\n"));
	check_diff(S("1\n2\n3\n4\n5\n6\n7\n8\n9\n"), S("1\n2\n3\n4\n5\nnew\n6\n7\n8\n9\n"),
		   S("--- L1\n+++ L2\n@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+new\n 6\n 7\n 8\n"));
	check_diff(S("a\nb\nc\nd\ne\n"), S("a\nb\nc\nd\ne\nf\n"),
		   S("--- L1\n+++ L2\n@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n"));
	/* Which of two equal lines is the new one: the later, as GNU diff says. */
	check_diff(S("a\nb\nc\n"), S("a\nb\nb\nc\n"), S("--- L1\n+++ L2\n@@ -1,3 +1,4 @@\n a\n b\n+b\n c\n"));
}

static void test_delete(void **state)
{
	(void)state;

	check_diff(S("1\n2\n3\n4\n5\n6\n7\n8\n9\n"), S("1\n2\n3\n4\n6\n7\n8\n9\n"),
		   S("--- L1\n+++ L2\n@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n"));
	check_diff(S("a\nb\n"), S("b\n"), S("--- L1\n+++ L2\n@@ -1,2 +1 @@\n-a\n b\n"));
	/* A count of one goes unsaid on either side. */
	check_diff(S("a\n"), S("b\n"), S("--- L1\n+++ L2\n@@ -1 +1 @@\n-a\n+b\n"));
}

static void test_create_and_remove(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	assert_int_equal(diff_unified(NULL, 0, S("x\ny\n"), "/dev/null", "b/etc/x", &out), 0);
	assert_string_equal(buf_str(&out), "--- /dev/null\n+++ b/etc/x\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	buf_truncate(&out, 0);
	assert_int_equal(diff_unified(S("x\ny\n"), "", 0, "a/etc/x", "/dev/null", &out), 0);
	assert_string_equal(buf_str(&out), "--- a/etc/x\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n");
	buf_free(&out);

	check_diff(S(""), S("x"), S("--- L1\n+++ L2\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n"));
	check_diff(S("x"), S(""), S("--- L1\n+++ L2\n@@ -1 +0,0 @@\n-x\n\\ No newline at end of file\n"));
}

static void test_missing_final_newline(void **state)
{
	(void)state;

	/* Only the newline differs: the line itself changes. */
	check_diff(S("a\nb"), S("a\nb\n"),
		   S("--- L1\n+++ L2\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"));
	check_diff(S("a\nb\n"), S("a\nb"),
		   S("--- L1\n+++ L2\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n"));
	check_diff(S("a\nb"), S("a\nc"),
		   S("--- L1\n+++ L2\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
		     "\\ No newline at end of file\n"));
	/* An unterminated line common to both is context, marked once. */
	check_diff(S("a\nb"), S("x\nb"), S("--- L1\n+++ L2\n@@ -1,2 +1,2 @@\n-a\n+x\n b\n\\ No newline at end of file\n"));
}

#define LINES_1_20 "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"

static void test_hunks_split_and_merge(void **state)
{
	(void)state;

	/* Far apart: two hunks. */
	check_diff(S(LINES_1_20), S("1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\nEIGHTEEN\n19\n20\n"),
		   S("--- L1\n+++ L2\n@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n"
		     "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+EIGHTEEN\n 19\n 20\n"));
	/* Four lines apart: the contexts overlap, one hunk. */
	check_diff(S(LINES_1_20), S("1\n2\n3\n4\nFIVE\n6\n7\n8\nNINE\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"),
		   S("--- L1\n+++ L2\n@@ -2,11 +2,11 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n-9\n+NINE\n 10\n 11\n 12\n"));
	/* Six common lines between: the contexts just touch, still one hunk. */
	check_diff(S(LINES_1_20),
		   S("1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n10\n11\nTWELVE\n13\n14\n15\n16\n17\n18\n19\n20\n"),
		   S("--- L1\n+++ L2\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+TWELVE\n"
		     " 13\n 14\n 15\n"));
	/* Seven: one line would go unshown, so two hunks. */
	check_diff(S(LINES_1_20),
		   S("1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n10\n11\n12\nTHIRTEEN\n14\n15\n16\n17\n18\n19\n20\n"),
		   S("--- L1\n+++ L2\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"
		     "@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+THIRTEEN\n 14\n 15\n 16\n"));
}

static void test_nul_bytes(void **state)
{
	(void)state;

	check_diff(S("a\nx\0y\nb\n"), S("a\nx\0z\nb\n"), S("--- L1\n+++ L2\n@@ -1,3 +1,3 @@\n a\n-x\0y\n+x\0z\n b\n"));
	/* Lines equal up to a NUL are still different lines. */
	check_diff(S("k\0a\n"), S("k\0b\n"), S("--- L1\n+++ L2\n@@ -1 +1 @@\n-k\0a\n+k\0b\n"));
}

/* A 20,000-line file with a three-line edit: only the edited middle gets searched. */
static void test_large_file_small_edit(void **state)
{
	struct buf old = BUF_INIT, new = BUF_INIT, out = BUF_INIT;
	(void)state;

	for (int i = 1; i <= 20000; i++) {
		assert_int_equal(buf_printf(&old, "option_%d = %d\n", i, i), 0);
		if (i == 10000)
			assert_int_equal(buf_puts(&new, "option_10000 = changed\n"), 0);
		else if (i != 10001)
			assert_int_equal(buf_printf(&new, "option_%d = %d\n", i, i), 0);
		if (i == 10002)
			assert_int_equal(buf_puts(&new, "option_new = 1\n"), 0);
	}
	assert_int_equal(diff_unified(old.data, old.len, new.data, new.len, "L1", "L2", &out), 0);
	assert_string_equal(buf_str(&out), "--- L1\n+++ L2\n@@ -9997,9 +9997,9 @@\n"
					   " option_9997 = 9997\n option_9998 = 9998\n option_9999 = 9999\n"
					   "-option_10000 = 10000\n-option_10001 = 10001\n+option_10000 = changed\n"
					   " option_10002 = 10002\n+option_new = 1\n"
					   " option_10003 = 10003\n option_10004 = 10004\n option_10005 = 10005\n");
	buf_free(&old);
	buf_free(&new);
	buf_free(&out);
}

/* ---- cross-check against GNU diff ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rng(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state >> 33) % n;
}

/* Config-shaped lines: many repeats (blank lines, braces) so that placement choices matter. */
static int gen_line(struct buf *b)
{
	static const char *const fixed[] = {
		"",	"}",  "modules_enabled = {", "\t\"roster\";", "\t\"ping\";", "\tenabled = true",
		"-- comment", "  - port: 5347",	"    module: ejabberd_service", "    hosts:",
	};
	switch (rng(4)) {
	case 0:
		return buf_printf(b, "Component \"t%u.example.org\"\n", rng(6));
	case 1:
		return buf_printf(b, "\tcomponent_secret = \"s%u\"\n", rng(3));
	default:
		return buf_printf(b, "%s\n", fixed[rng(sizeof(fixed) / sizeof(fixed[0]))]);
	}
}

/* Split TEXT into lines (offsets into it), the last possibly unterminated. */
static size_t split_lines(const struct buf *text, size_t *start, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < text->len && n < max; n++) {
		start[n] = i;
		const char *nl = memchr(text->data + i, '\n', text->len - i);
		i = nl ? (size_t)(nl - text->data) + 1 : text->len;
	}
	start[n] = text->len;
	return n;
}

/* NEW := OLD with a few lines inserted, deleted or replaced. */
static void gen_edit(const struct buf *old, struct buf *new)
{
	size_t start[200], n = split_lines(old, start, 199);
	unsigned edits = 1 + rng(4);
	unsigned char op[200] = { 0 }; /* per line: 0 keep, 1 delete, 2 replace, 3 insert before */

	for (unsigned e = 0; e < edits && n; e++)
		op[rng((unsigned)n)] = (unsigned char)(1 + rng(3));
	for (size_t i = 0; i <= n; i++) {
		if (i == n ? rng(3) == 0 : op[i] >= 2)
			for (unsigned k = 1 + rng(3); k; k--)
				assert_int_equal(gen_line(new), 0);
		if (i < n && op[i] != 1 && op[i] != 2)
			assert_int_equal(buf_append(new, old->data + start[i], start[i + 1] - start[i]), 0);
	}
}

static void write_file(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->len ? b->data : "", b->len), (ssize_t)b->len);
	assert_int_equal(close(fd), 0);
}

/* Run diff(1) on two files; returns its wait status, its output in OUT. */
static int run_gnu_diff(const char *old_path, const char *new_path, struct buf *out)
{
	char chunk[4096];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		/* -a: a line with a NUL must not make GNU diff call the file binary. */
		execlp("diff", "diff", "-u", "-a", "--label", "L1", "--label", "L2", old_path, new_path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(out, chunk, (size_t)n), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_against_gnu_diff(void **state)
{
	char dir[] = "/tmp/ut-diff.XXXXXX", old_path[64], new_path[64];
	const unsigned cases = 60;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(old_path, sizeof(old_path), "%s/old", dir);
	snprintf(new_path, sizeof(new_path), "%s/new", dir);

	for (unsigned c = 0; c < cases; c++) {
		struct buf old = BUF_INIT, new = BUF_INIT, mine = BUF_INIT, gnu = BUF_INIT;
		unsigned lines = c % 11 == 0 ? 0 : rng(60);
		int status;

		for (unsigned i = 0; i < lines; i++)
			assert_int_equal(gen_line(&old), 0);
		if (c % 13 != 5) /* else the whole file goes */
			gen_edit(&old, &new);
		/* Now and then an unterminated last line, on either side, or a NUL inside one. */
		if (rng(6) == 0 && old.len)
			buf_truncate(&old, old.len - 1);
		if (rng(6) == 0 && new.len)
			buf_truncate(&new, new.len - 1);
		if (c == 7)
			assert_int_equal(buf_append(&new, S("x\0y\n")), 0);

		write_file(old_path, &old);
		write_file(new_path, &new);
		status = run_gnu_diff(old_path, new_path, &gnu);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			unlink(old_path);
			unlink(new_path);
			rmdir(dir);
			print_message("no diff(1) on this machine: the cross-check is skipped\n");
			skip();
		}
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
		assert_int_equal(diff_unified(old.data, old.len, new.data, new.len, "L1", "L2", &mine), 0);
		if (!buf_equal(&mine, &gnu)) {
			print_message("case %u\n--- ours:\n%.*s--- GNU diff:\n%.*s", c, (int)mine.len, buf_str(&mine),
				      (int)gnu.len, buf_str(&gnu));
			fail_msg("case %u: output differs from diff -u", c);
		}
		buf_free(&old);
		buf_free(&new);
		buf_free(&mine);
		buf_free(&gnu);
	}
	unlink(old_path);
	unlink(new_path);
	rmdir(dir);
}

UNIT_TESTS(cmocka_unit_test(test_identical), cmocka_unit_test(test_appends_with_labels),
	   cmocka_unit_test(test_insert), cmocka_unit_test(test_delete), cmocka_unit_test(test_create_and_remove),
	   cmocka_unit_test(test_missing_final_newline), cmocka_unit_test(test_hunks_split_and_merge),
	   cmocka_unit_test(test_nul_bytes), cmocka_unit_test(test_large_file_small_edit),
	   cmocka_unit_test(test_against_gnu_diff))
