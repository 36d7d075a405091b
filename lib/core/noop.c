/* SPDX-License-Identifier: GPL-2.0-or-later */
/* noop: what a sync that changed nothing depended on, so the next one can tell, like make, that nothing changed. */
#include "grow.h"
#include "noop.h"
#include "atomic.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOOP_MAGIC "jabber-dispatch-noop 2"

struct timespec noop_now(void)
{
	struct timespec t = { 0, 0 };
	/* File times come from the coarse clock: a time from the fine one could be ahead of them. */
	clock_gettime(CLOCK_REALTIME_COARSE, &t);
	return t;
}

static void noop_format_id(const struct stat *st, char id[NOOP_ID_MAX])
{
	snprintf(id, NOOP_ID_MAX, "%" PRIu64 ":%" PRIu64 ":%" PRId64 ":%" PRId64 ".%09ld:%" PRId64 ".%09ld",
		 (uint64_t)st->st_dev, (uint64_t)st->st_ino, (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
		 st->st_mtim.tv_nsec, (int64_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

int noop_id(const struct root *r, const char *path, char id[NOOP_ID_MAX])
{
	struct diag d = DIAG_INIT;
	struct stat st;
	int fd, rc = safefs_open_read(r, path, O_PATH, &fd, &d);

	if (rc == -ENOENT) {
		snprintf(id, NOOP_ID_MAX, "-");
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (rc == 0)
		noop_format_id(&st, id);
	return rc;
}

int noop_id_host(const char *path, char id[NOOP_ID_MAX])
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		snprintf(id, NOOP_ID_MAX, "-");
		return 0;
	}
	noop_format_id(&st, id);
	return 0;
}

static const char *const noop_where_words[] = { [NOOP_ROOT] = "root", [NOOP_LINK] = "link", [NOOP_HOST] = "host" };

const char *noop_where_word(enum noop_where w)
{
	return noop_where_words[w];
}

int noop_where_parse(const char *word)
{
	for (size_t i = 0; i < sizeof(noop_where_words) / sizeof(*noop_where_words); i++)
		if (strcmp(word, noop_where_words[i]) == 0)
			return (int)i;
	return -1;
}

void noop_dir_close(struct noop_dir *dir)
{
	if (dir->fd >= 0)
		close(dir->fd);
	free(dir->path);
	*dir = (struct noop_dir)NOOP_DIR_INIT;
}

/* DIR at the directory of LEN bytes at PATH, opened inside the root unless it is already. */
static int noop_dir_enter(const struct root *r, struct noop_dir *dir, const char *path, size_t len)
{
	if (dir->path && strlen(dir->path) == len && memcmp(dir->path, path, len) == 0)
		return dir->err;
	noop_dir_close(dir);
	dir->path = strndup(path, len);
	if (!dir->path)
		return -ENOMEM;
	dir->err = safefs_open_read(r, dir->path, O_PATH | O_DIRECTORY, &dir->fd, &(struct diag)DIAG_INIT);
	return dir->err;
}

int noop_file_id(const struct root *r, struct noop_dir *dir, enum noop_where w, const char *path,
		 char id[NOOP_ID_MAX])
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : "";
	struct stat st;
	int rc;

	if (w == NOOP_HOST)
		return noop_id_host(path, id);
	/* The directory walked in the root once; only its last component is looked at here. */
	if (path[0] != '/' || !*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return w == NOOP_ROOT ? noop_id(r, path, id) : -EINVAL;
	rc = noop_dir_enter(r, dir, path, slash == path ? 1 : (size_t)(slash - path));
	if (rc == 0 && fstatat(dir->fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	if (rc == -ENOENT) {
		snprintf(id, NOOP_ID_MAX, "-");
		return 0;
	}
	if (rc < 0)
		return rc;
	if (S_ISLNK(st.st_mode) && w == NOOP_ROOT)
		return noop_id(r, path, id); /* where it leads, resolved inside the root */
	noop_format_id(&st, id);
	return 0;
}

/* "SEC.NSEC" at P into T; P past it. */
static bool noop_parse_time(const char **p, struct timespec *t)
{
	char *end;
	long long sec = strtoll(*p, &end, 10);
	long nsec;

	if (*end != '.')
		return false;
	nsec = strtol(end + 1, &end, 10);
	t->tv_sec = (time_t)sec;
	t->tv_nsec = nsec;
	*p = end;
	return true;
}

static bool noop_before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

bool noop_id_racy(const char *id, struct timespec at)
{
	const char *p = id;
	struct timespec mt, ct;

	if (strcmp(id, "-") == 0)
		return false;
	for (int i = 0; i < 3 && p; i++)
		p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
	if (!p || !noop_parse_time(&p, &mt) || *p++ != ':' || !noop_parse_time(&p, &ct))
		return true; /* not an identity: doubt */
	return !noop_before(mt, at) || !noop_before(ct, at);
}

/* Split LINE at tabs into at most N fields; the number found. */
static size_t noop_fields(char *line, char **f, size_t n)
{
	size_t k = 0;
	while (k < n) {
		f[k++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return k;
}

static int noop_parse_line(struct noop *n, char *line, bool with_caps)
{
	char *f[8];
	size_t k;

	if (strncmp(line, "id ", 3) == 0)
		return strv_push(&n->ids, line + 3);
	if (strcmp(line, "outcome") == 0) {
		n->outcome = true;
		return 0;
	}
	if (strncmp(line, "at ", 3) == 0) {
		const char *p = line + 3;
		return noop_parse_time(&p, &n->at) && !*p ? 0 : -EBADMSG;
	}
	if (!with_caps && strncmp(line, "caps\t", 5) == 0)
		return 0;
	k = noop_fields(line, f, 8);
	if (k == 4 && strcmp(f[0], "caps") == 0) {
		int rc = strv_push(&n->caps, f[1]);
		rc = rc < 0 ? rc : strv_push(&n->caps, f[2]);
		return rc < 0 ? rc : strv_push(&n->caps, f[3]);
	}
	if (k == 7 && strcmp(f[0], "pair") == 0) {
		struct noop_pair p = { f[1], f[2], f[3], f[5], *f[6] ? f[6] : NULL, (unsigned)strtoul(f[4], NULL, 10) };
		return noop_add_pair(n, &p);
	}
	return -EBADMSG;
}

int noop_load(const struct root *r, struct noop *n, bool with_caps, struct diag *d)
{
	struct buf text = BUF_INIT;
	char *line, *next;
	int rc = safefs_read_file(r, NOOP_PATH, &text, d);

	if (rc < 0)
		return rc;
	line = text.data ? text.data : (char *)"";
	next = strchr(line, '\n');
	if (!next || strncmp(line, NOOP_MAGIC "\n", strlen(NOOP_MAGIC) + 1) != 0)
		rc = -EBADMSG;
	for (line = next ? next + 1 : NULL; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			rc = -EBADMSG; /* cut short */
			break;
		}
		*next++ = '\0';
		rc = noop_parse_line(n, line, with_caps);
	}
	buf_free(&text);
	if (rc < 0)
		noop_free(n); /* nothing half-read stays */
	return rc;
}

/* S with tabs and line ends made blanks, so it stays one field of one line. */
static char *noop_field(const char *s)
{
	char *c = strdup(s ? s : "");
	for (char *p = c; p && *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return c;
}

int noop_add_pair(struct noop *n, const struct noop_pair *p)
{
	struct noop_pair *v = grow_one(n->pairs, n->npairs, sizeof(*v)), *q;

	if (!v)
		return -ENOMEM;
	n->pairs = v;
	q = &v[n->npairs];
	*q = (struct noop_pair){ noop_field(p->transport), noop_field(p->server), noop_field(p->host),
				 noop_field(p->word),	   p->reason ? noop_field(p->reason) : NULL, p->port };
	if (!q->transport || !q->server || !q->host || !q->word || (p->reason && !q->reason)) {
		n->npairs++;
		return -ENOMEM;
	}
	n->npairs++;
	return 0;
}

const char *noop_caps(const struct noop *n, const char *key, const char **ret_adapter)
{
	/* Recorded sorted by key: a binary search over the triples; an unsorted record only misses. */
	size_t lo = 0, hi = n->caps.n / 3;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, n->caps.v[3 * mid]);
		if (c == 0) {
			*ret_adapter = n->caps.v[3 * mid + 1];
			return n->caps.v[3 * mid + 2];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int noop_format(const struct noop *n, struct buf *out)
{
	int rc = buf_printf(out, NOOP_MAGIC "\nat %lld.%09ld\n", (long long)n->at.tv_sec, n->at.tv_nsec);

	for (size_t i = 0; rc == 0 && i < n->ids.n; i++)
		rc = buf_printf(out, "id %s\n", n->ids.v[i]);
	for (size_t i = 0; rc == 0 && i + 2 < n->caps.n; i += 3) {
		char *text = noop_field(n->caps.v[i + 2]);
		rc = text ? buf_printf(out, "caps\t%s\t%s\t%s\n", n->caps.v[i], n->caps.v[i + 1], text) : -ENOMEM;
		free(text);
	}
	for (size_t i = 0; rc == 0 && i < n->npairs; i++) {
		const struct noop_pair *p = &n->pairs[i];
		rc = buf_printf(out, "pair\t%s\t%s\t%s\t%u\t%s\t%s\n", p->transport, p->server, p->host, p->port, p->word,
				p->reason ? p->reason : "");
	}
	if (rc == 0 && n->outcome)
		rc = buf_puts(out, "outcome\n");
	return rc;
}

int noop_save(const struct noop *n, const struct root *r, struct diag *d)
{
	struct changeset cs = CHANGESET_INIT;
	struct buf old = BUF_INIT, out = BUF_INIT;
	int rc = safefs_read_file(r, NOOP_PATH, &old, d);
	bool existed = rc == 0;

	if (rc == 0 || rc == -ENOENT)
		rc = noop_format(n, &out);
	if (rc == 0)
		rc = changeset_put_mkdir(&cs, NOOP_PATH, existed ? &old : NULL, out.data, out.len, 0600, 0755);
	if (rc == 0)
		rc = changeset_commit(&cs, r, d);
	changeset_free(&cs);
	buf_free(&old);
	buf_free(&out);
	return rc;
}

void noop_free(struct noop *n)
{
	for (size_t i = 0; i < n->npairs; i++) {
		free(n->pairs[i].transport);
		free(n->pairs[i].server);
		free(n->pairs[i].host);
		free(n->pairs[i].word);
		free(n->pairs[i].reason);
	}
	free(n->pairs);
	strv_free(&n->ids);
	strv_free(&n->caps);
	*n = (struct noop)NOOP_INIT;
}
