/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/core/secmem: many secrets in few mappings, wiped when freed, unmapped when empty. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "secmem.h"

/* Mappings of this process (lines of /proc/self/maps). */
static size_t mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n = 0;
	int ch;

	if (!f)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* A thousand secrets as a thousand transports bring them: a few chunks, not a thousand mappings. */
static void test_thousand_secrets(void **state)
{
	static struct buf secrets[1000];
	size_t before = mappings();
	(void)state;

	for (size_t i = 0; i < 1000; i++) {
		secrets[i] = (struct buf)BUF_INIT_SENSITIVE;
		assert_int_equal(buf_printf(&secrets[i], "secret-number-%zu-of-the-run", i), 0);
	}
	assert_true(secmem_chunks() <= 3);
	assert_true(mappings() < before + 20);
	for (size_t i = 0; i < 1000; i++) {
		char want[64];
		snprintf(want, sizeof(want), "secret-number-%zu-of-the-run", i);
		assert_string_equal(buf_str(&secrets[i]), want);
	}
	for (size_t i = 0; i < 1000; i++)
		buf_free(&secrets[i]);
	assert_true(secmem_chunks() <= 3); /* kept empty for the next secrets */
}

/*
 * Records of a batch, each growing a few sensitive buffers (a config read,
 * edited, written) and freeing them all: the chunks are taken again, not
 * mapped anew each time.
 */
static void test_no_churn(void **state)
{
	size_t settled = 0;
	(void)state;

	for (int record = 0; record < 200; record++) {
		struct buf b[6];
		for (size_t k = 0; k < 6; k++) {
			b[k] = (struct buf)BUF_INIT_SENSITIVE;
			for (int i = 0; i < 12000; i++)
				assert_int_equal(buf_putc(&b[k], 'x'), 0);
		}
		for (size_t k = 0; k < 6; k++)
			buf_free(&b[k]);
		if (record == 10)
			settled = secmem_mapped();
		if (record > 10)
			assert_int_equal(secmem_mapped(), settled);
	}
	assert_true(secmem_chunks() <= 8 + 1);
}

/*
 * A batch: each record keeps a little (the view keeps each file read) and
 * grows a text that goes: the room those free in the middle of chunks
 * still in use is taken again, and the mappings stay few.
 */
static void test_holes_reused(void **state)
{
	static struct buf kept[1000];
	size_t before = secmem_mapped();
	(void)state;

	for (int record = 0; record < 1000; record++) {
		struct buf text = BUF_INIT_SENSITIVE;
		for (int i = 0; i < 4000; i++)
			assert_int_equal(buf_putc(&text, (char)('a' + i % 26)), 0);
		kept[record] = (struct buf)BUF_INIT_SENSITIVE;
		assert_int_equal(buf_printf(&kept[record], "kept-%d", record), 0);
		assert_int_equal(text.data[3999], (char)('a' + 3999 % 26));
		buf_free(&text);
	}
	assert_true(secmem_mapped() - before <= 3);
	for (int record = 0; record < 1000; record++) {
		char want[32];
		snprintf(want, sizeof(want), "kept-%d", record);
		assert_string_equal(buf_str(&kept[record]), want);
		buf_free(&kept[record]);
	}
}

/* A freed block is wiped at once, while its chunk stays mapped for the others. */
static void test_wiped_on_free(void **state)
{
	char *keep = secmem_alloc(32), *p = secmem_alloc(48);
	(void)state;

	assert_non_null(keep);
	assert_non_null(p);
	assert_true(((uintptr_t)p % 16) == 0);
	memcpy(p, "hunter2-hunter2-hunter2-hunter2-hunter2-hunter2", 48);
	secmem_free(p, 48);
	for (size_t i = 0; i < 48; i++)
		assert_int_equal(p[i], 0); /* still mapped: KEEP lives in the same chunk */
	/* The last block's room is used again. */
	assert_ptr_equal(secmem_alloc(48), p);
	secmem_free(p, 48);
	secmem_free(keep, 32);
	secmem_free(NULL, 10);
}

/* A big secret gets a chunk of its own, unmapped when freed; growing a sensitive buffer keeps its bytes. */
static void test_big_and_growing(void **state)
{
	struct buf b = BUF_INIT_SENSITIVE;
	size_t chunks;
	char *big;
	(void)state;

	chunks = secmem_chunks();
	big = secmem_alloc(300000);
	assert_non_null(big);
	memset(big, 'x', 300000);
	assert_int_equal(secmem_chunks(), chunks + 1);
	secmem_free(big, 300000);
	assert_true(secmem_chunks() <= chunks + 1);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 20000);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(b.data[i], (char)('a' + i % 26));
	buf_free(&b);
	assert_null(secmem_alloc(0));
}

/* Two big blocks in one reused big chunk, the first freed while the second lives: both stay whole. */
static void test_big_blocks_share_a_chunk(void **state)
{
	unsigned char *spare = secmem_alloc(300000), *a, *b;
	(void)state;

	assert_non_null(spare);
	secmem_free(spare, 300000); /* its chunk stays mapped, empty, for the next big block */
	a = secmem_alloc(70000);
	b = secmem_alloc(70000);
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 'a', 70000);
	memset(b, 'b', 70000);
	secmem_free(a, 70000);
	for (size_t i = 0; i < 70000; i++)
		assert_int_equal(b[i], 'b');
	secmem_free(b, 70000);
}

/* Blocks freed in the middle come back for the same size: a thousand records map nothing new. */
static void test_same_size_reused(void **state)
{
	static void *p[2000];
	size_t before;
	(void)state;

	for (size_t i = 0; i < 2000; i++)
		assert_non_null(p[i] = secmem_alloc(100));
	before = secmem_mapped();
	for (size_t i = 0; i < 2000; i += 2)
		secmem_free(p[i], 100);
	for (size_t i = 0; i < 2000; i += 2)
		assert_non_null(p[i] = secmem_alloc(128));
	assert_int_equal(secmem_mapped(), before);
	for (size_t i = 0; i < 2000; i++)
		secmem_free(p[i], i % 2 ? 100 : 128);
}

UNIT_TESTS(cmocka_unit_test(test_thousand_secrets), cmocka_unit_test(test_no_churn), cmocka_unit_test(test_holes_reused), cmocka_unit_test(test_wiped_on_free),
	   cmocka_unit_test(test_big_and_growing), cmocka_unit_test(test_big_blocks_share_a_chunk),
	   cmocka_unit_test(test_same_size_reused))
