/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff: a line-based Myers diff, rendered the way GNU `diff -u` renders it. */
#include "diff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 3

/*
 * Common lines kept on each side of the edited middle when choosing among
 * equally short diffs.  GNU diff looks exactly this far (its "horizon" is
 * the context size); doing the same keeps our hunks identical to its.
 */
#define DIFF_HORIZON DIFF_CONTEXT

/*
 * Past this many edit steps in one search a minimal diff is not worth its
 * quadratic time: settle for the cut that got furthest.  GNU diff's floor
 * for the same trade-off, so ordinary edits still come out minimal.
 */
#define DIFF_COST_LIMIT 4096

/* Marks a diagonal no edit path can usefully reach at this cost. */
#define DIFF_DEAD_FWD ((ptrdiff_t)-1)
#define DIFF_DEAD_BWD PTRDIFF_MAX

struct diff_line {
	const char *p;
	size_t len; /* including the '\n', so an unterminated last line differs from a terminated one */
	uint64_t hash;
};

struct diff_side {
	struct diff_line *line;
	size_t n;
	bool *changed; /* per line: deleted (old side) or inserted (new side) */
};

/*
 * The search runs over the lines that might match at all: position x stands
 * for line ia[x] of a, y for line ib[y] of b.  fv and bv hold the
 * furthest-reaching x per diagonal k = x - y, for each search direction.
 */
struct diff_search {
	const struct diff_line *a, *b;
	const size_t *ia, *ib;
	bool *ca, *cb;
	ptrdiff_t *fv, *bv;
};

static bool diff_line_eq(const struct diff_line *x, const struct diff_line *y)
{
	return x->hash == y->hash && x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static bool diff_search_eq(const struct diff_search *s, ptrdiff_t x, ptrdiff_t y)
{
	return diff_line_eq(&s->a[s->ia[x]], &s->b[s->ib[y]]);
}

static uint64_t diff_hash(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static int diff_side_init(struct diff_side *s, const char *text, size_t len)
{
	const char *q, *end, *nl;
	size_t n = 0;

	/* Offsets only, never strlen(): lines may hold NUL bytes. */
	if (len) {
		for (q = text, end = text + len; q < end; n++) {
			nl = memchr(q, '\n', (size_t)(end - q));
			q = nl ? nl + 1 : end;
		}
	}
	s->n = n;
	s->line = calloc(n ? n : 1, sizeof(*s->line));
	s->changed = calloc(n ? n : 1, sizeof(*s->changed));
	if (!s->line || !s->changed)
		return -ENOMEM;
	n = 0;
	if (len) {
		for (q = text, end = text + len; q < end; n++) {
			nl = memchr(q, '\n', (size_t)(end - q));
			s->line[n].p = q;
			s->line[n].len = nl ? (size_t)(nl + 1 - q) : (size_t)(end - q);
			s->line[n].hash = diff_hash(q, s->line[n].len);
			q += s->line[n].len;
		}
	}
	return 0;
}

static void diff_side_free(struct diff_side *s)
{
	free(s->line);
	free(s->changed);
}

static int diff_cmp_hash(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;
	return (p > q) - (p < q);
}

/* The hashes of lines [from, to) of S, sorted for bsearch(). */
static uint64_t *diff_sorted_hashes(const struct diff_side *s, size_t from, size_t to)
{
	uint64_t *h = calloc(to > from ? to - from : 1, sizeof(*h));
	if (!h)
		return NULL;
	for (size_t i = from; i < to; i++)
		h[i - from] = s->line[i].hash;
	qsort(h, to - from, sizeof(*h), diff_cmp_hash);
	return h;
}

/*
 * A line of S's middle [from, to) that appears nowhere in the other side's
 * window (hashes OH) can never match: mark it changed now and keep it out of
 * the search, whose cost grows with the lines it has to step over.  The
 * indices of the other lines go to IDX; returns their count.
 */
static size_t diff_prune(struct diff_side *s, size_t from, size_t to, const uint64_t *oh, size_t on,
			 size_t *idx)
{
	size_t k = 0;

	for (size_t i = from; i < to; i++) {
		if (bsearch(&s->line[i].hash, oh, on, sizeof(*oh), diff_cmp_hash))
			idx[k++] = i;
		else
			s->changed[i] = true;
	}
	return k;
}

/* Where to cut a search box, and whether each half must be searched to the end. */
struct diff_cut {
	ptrdiff_t x, y;
	bool lo_exact, hi_exact;
};

/*
 * An edit too costly to search to the end: cut at whichever frontier point
 * covered the most ground (ties to the backward one, highest diagonal first,
 * as GNU diff does).  The half that frontier came from was searched through,
 * so it can be searched exactly again; the other half may still be costly.
 */
static bool diff_split_best(const struct diff_search *s, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff,
			    ptrdiff_t ylim, ptrdiff_t flo, ptrdiff_t fhi, ptrdiff_t blo, ptrdiff_t bhi,
			    struct diff_cut *cut)
{
	ptrdiff_t fbest = -1, fk = 0, bbest = PTRDIFF_MAX, bk = 0, k;

	for (k = fhi; k >= flo; k -= 2) {
		if (s->fv[k] != DIFF_DEAD_FWD && 2 * s->fv[k] - k > fbest) {
			fbest = 2 * s->fv[k] - k;
			fk = k;
		}
	}
	for (k = bhi; k >= blo; k -= 2) {
		if (s->bv[k] != DIFF_DEAD_BWD && 2 * s->bv[k] - k < bbest) {
			bbest = 2 * s->bv[k] - k;
			bk = k;
		}
	}
	if (fbest >= 0 && (bbest == PTRDIFF_MAX || (xlim + ylim) - bbest < fbest - (xoff + yoff))) {
		*cut = (struct diff_cut){ s->fv[fk], s->fv[fk] - fk, true, false };
		return true;
	}
	if (bbest != PTRDIFF_MAX) {
		*cut = (struct diff_cut){ s->bv[bk], s->bv[bk] - bk, false, true };
		return true;
	}
	return false;
}

/*
 * Myers' middle snake: grow edit paths from both corners one edit at a time
 * until they meet; the meeting point lies on a shortest edit path.  Unlike
 * the textbook version, a move that would leave the box kills the diagonal
 * instead of inventing a point outside it: such a path is beaten by the one
 * that reached the edge, and an outside point could fake an overlap.
 * Unless EXACT, gives up on minimality past DIFF_COST_LIMIT steps.
 */
static bool diff_split(const struct diff_search *s, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff,
		       ptrdiff_t ylim, bool exact, struct diff_cut *cut)
{
	ptrdiff_t *fv = s->fv, *bv = s->bv;
	const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
	const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
	const bool odd = (bmid - fmid) & 1;
	ptrdiff_t flo = fmid, fhi = fmid, blo = bmid, bhi = bmid;
	ptrdiff_t c, k, lo, hi, x, y;

	fv[fmid] = xoff;
	bv[bmid] = xlim;
	for (c = 1;; c++) {
		/* Each step reaches one more diagonal each way, keeping the parity of c. */
		lo = flo > dmin ? flo - 1 : flo + 1;
		hi = fhi < dmax ? fhi + 1 : fhi - 1;
		for (k = hi; k >= lo; k -= 2) {
			x = DIFF_DEAD_FWD;
			if (k > flo && fv[k - 1] != DIFF_DEAD_FWD && fv[k - 1] < xlim)
				x = fv[k - 1] + 1; /* delete a line */
			if (k < fhi && fv[k + 1] > x && fv[k + 1] - (k + 1) < ylim)
				x = fv[k + 1]; /* insert a line */
			if (x == DIFF_DEAD_FWD) {
				fv[k] = x;
				continue;
			}
			for (y = x - k; x < xlim && y < ylim && diff_search_eq(s, x, y); x++, y++)
				;
			fv[k] = x;
			if (odd && k >= blo && k <= bhi && bv[k] <= x) {
				*cut = (struct diff_cut){ x, y, true, true };
				return true;
			}
		}
		flo = lo;
		fhi = hi;

		lo = blo > dmin ? blo - 1 : blo + 1;
		hi = bhi < dmax ? bhi + 1 : bhi - 1;
		for (k = hi; k >= lo; k -= 2) {
			x = DIFF_DEAD_BWD;
			if (k < bhi && bv[k + 1] != DIFF_DEAD_BWD && bv[k + 1] > xoff)
				x = bv[k + 1] - 1; /* delete a line */
			if (k > blo && bv[k - 1] < x && bv[k - 1] - (k - 1) > yoff)
				x = bv[k - 1]; /* insert a line */
			if (x == DIFF_DEAD_BWD) {
				bv[k] = x;
				continue;
			}
			for (y = x - k; x > xoff && y > yoff && diff_search_eq(s, x - 1, y - 1); x--, y--)
				;
			bv[k] = x;
			if (!odd && k >= flo && k <= fhi && fv[k] >= x) {
				*cut = (struct diff_cut){ x, y, true, true };
				return true;
			}
		}
		blo = lo;
		bhi = hi;

		if (!exact && c >= DIFF_COST_LIMIT)
			return diff_split_best(s, xoff, xlim, yoff, ylim, flo, fhi, blo, bhi, cut);
	}
}

/* Mark the lines of a[xoff, xlim) and b[yoff, ylim) that a shortest edit script changes. */
static void diff_compare(const struct diff_search *s, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff,
			 ptrdiff_t ylim, bool exact)
{
	struct diff_cut cut;

	while (xoff < xlim && yoff < ylim && diff_search_eq(s, xoff, yoff))
		xoff++, yoff++;
	while (xlim > xoff && ylim > yoff && diff_search_eq(s, xlim - 1, ylim - 1))
		xlim--, ylim--;

	if (xoff == xlim || yoff == ylim || !diff_split(s, xoff, xlim, yoff, ylim, exact, &cut) ||
	    (cut.x == xoff && cut.y == yoff) || (cut.x == xlim && cut.y == ylim)) {
		/* Nothing in common, or no progress possible: changing it all is still a correct diff. */
		while (xoff < xlim)
			s->ca[s->ia[xoff++]] = true;
		while (yoff < ylim)
			s->cb[s->ib[yoff++]] = true;
		return;
	}
	diff_compare(s, xoff, cut.x, yoff, cut.y, cut.lo_exact);
	diff_compare(s, cut.x, xlim, cut.y, ylim, cut.hi_exact);
}

/* Does the other side change anything between its (u-1)th and uth unchanged lines? */
static bool diff_gap_changed(const size_t *uidx, size_t u)
{
	return uidx[u] > (u ? uidx[u - 1] + 1 : 0);
}

/*
 * A run of changed lines between equal lines can sit in several places with
 * the same cost ("a b" -> "a b b": which b is new?).  Settle it as GNU diff
 * does, so --dry-run reads like `diff -u`: slide each run of F up to merge
 * with earlier runs, then down as far as it goes, then back up to the last
 * place where it faces a change on the other side, making one hunk of it.
 * Runs stay within F's window [lo, hi), as GNU's do.  UIDX has room for one
 * more entry than the other side has lines.
 */
static void diff_shift(struct diff_side *f, const struct diff_side *o, size_t *uidx, size_t lo, size_t hi)
{
	const struct diff_line *l = f->line;
	bool *ch = f->changed;
	size_t n = f->n, cnt = 0, i = 0, u = 0, s, e, len, corr;

	for (size_t k = 0; k < o->n; k++)
		if (!o->changed[k])
			uidx[cnt++] = k;
	uidx[cnt] = o->n;

	for (;;) {
		/* u counts the unchanged lines before i: they pair with the other side's. */
		for (; i < n && !ch[i]; i++)
			u++;
		if (i == n)
			break;
		s = i;
		for (e = s; e < n && ch[e]; e++)
			;
		do {
			len = e - s;
			while (s > lo && diff_line_eq(&l[s - 1], &l[e - 1])) {
				ch[--s] = true;
				ch[--e] = false;
				u--;
				while (s > lo && ch[s - 1])
					s--;
			}
			corr = diff_gap_changed(uidx, u) ? e : SIZE_MAX;
			while (e < hi && diff_line_eq(&l[s], &l[e])) {
				ch[s++] = false;
				ch[e++] = true;
				u++;
				while (e < hi && ch[e])
					e++;
				if (diff_gap_changed(uidx, u))
					corr = e;
			}
		} while (len != e - s); /* merging grew the run: it may slide further */
		if (corr != SIZE_MAX) {
			while (e > corr) {
				ch[--s] = true;
				ch[--e] = false;
				u--;
			}
		}
		i = e;
	}
}

static int diff_put_range(struct buf *out, size_t start, size_t count)
{
	/* GNU's conventions: an empty range names the line before it, and ",1" goes unsaid. */
	if (count == 0)
		return buf_printf(out, "%zu,0", start);
	if (count == 1)
		return buf_printf(out, "%zu", start + 1);
	return buf_printf(out, "%zu,%zu", start + 1, count);
}

static int diff_put_line(struct buf *out, char tag, const struct diff_line *l)
{
	int r = buf_putc(out, tag);
	if (r == 0)
		r = buf_append(out, l->p, l->len);
	if (r == 0 && l->p[l->len - 1] != '\n')
		r = buf_puts(out, "\n\\ No newline at end of file\n");
	return r;
}

/* Lines a[i0, end0) and b[i1, end1): common ones as context, each change as its deletions then insertions. */
static int diff_put_hunk_body(const struct diff_side *a, const struct diff_side *b, size_t i0, size_t end0,
			      size_t i1, size_t end1, struct buf *out)
{
	int r = 0;

	while (r == 0 && (i0 < end0 || i1 < end1)) {
		if ((i0 < end0 && a->changed[i0]) || (i1 < end1 && b->changed[i1])) {
			for (; r == 0 && i0 < end0 && a->changed[i0]; i0++)
				r = diff_put_line(out, '-', &a->line[i0]);
			for (; r == 0 && i1 < end1 && b->changed[i1]; i1++)
				r = diff_put_line(out, '+', &b->line[i1]);
		} else {
			r = diff_put_line(out, ' ', &a->line[i0]);
			i0++;
			i1++;
		}
	}
	return r;
}

static int diff_emit(const struct diff_side *a, const struct diff_side *b, const char *old_label,
		     const char *new_label, struct buf *out)
{
	size_t i = 0, j = 0, e0, e1, p0, p1, gap, before, after;
	int r;

	r = buf_printf(out, "--- %s\n+++ %s\n", old_label, new_label);
	while (r == 0) {
		/* Unchanged lines pair up one to one, so both sides reach a change together. */
		while (i < a->n && j < b->n && !a->changed[i] && !b->changed[j])
			i++, j++;
		if (i == a->n && j == b->n)
			break;

		/* Gather changes into one hunk while their contexts would touch or overlap. */
		e0 = i;
		e1 = j;
		for (;;) {
			while (e0 < a->n && a->changed[e0])
				e0++;
			while (e1 < b->n && b->changed[e1])
				e1++;
			for (p0 = e0, p1 = e1, gap = 0; p0 < a->n && p1 < b->n && !a->changed[p0] && !b->changed[p1];
			     p0++, p1++)
				gap++;
			if ((p0 == a->n && p1 == b->n) || gap > 2 * DIFF_CONTEXT)
				break;
			e0 = p0;
			e1 = p1;
		}
		/* The previous hunk ended more than 2 * DIFF_CONTEXT lines back, or there is none. */
		before = i < DIFF_CONTEXT ? i : DIFF_CONTEXT;
		after = gap < DIFF_CONTEXT ? gap : DIFF_CONTEXT;
		i -= before;
		j -= before;
		e0 += after;
		e1 += after;

		r = buf_puts(out, "@@ -");
		if (r == 0)
			r = diff_put_range(out, i, e0 - i);
		if (r == 0)
			r = buf_puts(out, " +");
		if (r == 0)
			r = diff_put_range(out, j, e1 - j);
		if (r == 0)
			r = buf_puts(out, " @@\n");
		if (r == 0)
			r = diff_put_hunk_body(a, b, i, e0, j, e1, out);
		i = e0;
		j = e1;
	}
	return r;
}

int diff_unified(const char *old, size_t old_len, const char *new, size_t new_len,
		 const char *old_label, const char *new_label, struct buf *out)
{
	struct diff_side a = { 0 }, b = { 0 };
	struct diff_search s;
	uint64_t *ha = NULL, *hb = NULL;
	size_t *ia = NULL, *ib = NULL, *uidx = NULL;
	ptrdiff_t *v = NULL;
	size_t mark = out->len, pre, suf, lo, hia, hib, na, nb, span;
	int r = -ENOMEM;

	if (old_len == new_len && (old_len == 0 || memcmp(old, new, old_len) == 0))
		return 0;
	if (diff_side_init(&a, old, old_len) < 0 || diff_side_init(&b, new, new_len) < 0)
		goto out;

	/* Common leading and trailing lines need no search: only the middle costs
	 * time and memory, however big the file. */
	for (pre = 0; pre < a.n && pre < b.n && diff_line_eq(&a.line[pre], &b.line[pre]); pre++)
		;
	for (suf = 0; suf < a.n - pre && suf < b.n - pre &&
		      diff_line_eq(&a.line[a.n - 1 - suf], &b.line[b.n - 1 - suf]);
	     suf++)
		;
	lo = pre - (pre < DIFF_HORIZON ? pre : DIFF_HORIZON);
	hia = a.n - suf + (suf < DIFF_HORIZON ? suf : DIFF_HORIZON);
	hib = b.n - suf + (suf < DIFF_HORIZON ? suf : DIFF_HORIZON);

	ha = diff_sorted_hashes(&a, lo, hia);
	hb = diff_sorted_hashes(&b, lo, hib);
	ia = calloc(a.n - suf - pre + 1, sizeof(*ia));
	ib = calloc(b.n - suf - pre + 1, sizeof(*ib));
	uidx = calloc((a.n > b.n ? a.n : b.n) + 1, sizeof(*uidx));
	if (!ha || !hb || !ia || !ib || !uidx)
		goto out;
	na = diff_prune(&a, pre, a.n - suf, hb, hib - lo, ia);
	nb = diff_prune(&b, pre, b.n - suf, ha, hia - lo, ib);

	/* Diagonals k = x - y of the search run from -nb to na. */
	span = na + nb + 3;
	v = calloc(span, 2 * sizeof(*v));
	if (!v)
		goto out;
	s = (struct diff_search){
		.a = a.line,
		.b = b.line,
		.ia = ia,
		.ib = ib,
		.ca = a.changed,
		.cb = b.changed,
		.fv = v + nb + 1,
		.bv = v + span + nb + 1,
	};
	diff_compare(&s, 0, (ptrdiff_t)na, 0, (ptrdiff_t)nb, false);
	diff_shift(&a, &b, uidx, lo, hia);
	diff_shift(&b, &a, uidx, lo, hib);
	r = diff_emit(&a, &b, old_label, new_label, out);
out:
	if (r < 0)
		buf_truncate(out, mark);
	free(v);
	free(uidx);
	free(ib);
	free(ia);
	free(hb);
	free(ha);
	diff_side_free(&a);
	diff_side_free(&b);
	return r;
}
