/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote: a transport's link data as a file that travels to the machine of its server (docs/link-descriptor.md). */
#include "remote.h"
#include "exitcode.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define REMOTE_SUM_PREFIX "sha256:"

/* The keys of format 1, in the order they must come; only server-address may be left out. */
enum remote_key { K_FORMAT, K_TRANSPORT, K_HOST, K_PORT, K_ADDRESS, K_SECRET, K_CHECKSUM, K_COUNT };
static const char *const remote_keys[K_COUNT] = { "format", "transport", "host", "port",
						  "server-address", "secret", "checksum" };

/* A value as found in the text: not NUL-terminated, and the secret's must never be copied but to a sensitive buffer. */
struct remote_span {
	const char *v;
	size_t len;
	size_t line;
};

void remote_link_free(struct remote_link *l)
{
	buf_free(&l->secret);
}

const char *remote_address_invalid(const char *s)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1)
		return NULL;
	return "not a numeric IPv4 or IPv6 address";
}

static void remote_sum_hex(const char *from, size_t len, char hex[2 * crypto_hash_sha256_BYTES + 1])
{
	unsigned char sum[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(sum, (const unsigned char *)from, len);
	sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, sum, sizeof(sum));
}

int remote_format(const struct remote_link *l, struct buf *out)
{
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	size_t from = out->len;
	int rc;

	rc = buf_printf(out, "%s\nformat=%d\ntransport=%s\nhost=%s\nport=%u\n", REMOTE_FIRST_LINE, REMOTE_FORMAT,
			l->transport, l->host, l->port);
	if (rc == 0 && l->server_address[0])
		rc = buf_printf(out, "server-address=%s\n", l->server_address);
	if (rc == 0)
		rc = buf_puts(out, "secret=");
	if (rc == 0)
		rc = buf_append(out, l->secret.data, l->secret.len);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	if (rc < 0)
		return rc;
	remote_sum_hex(out->data + from, out->len - from, hex);
	return buf_printf(out, "checksum=" REMOTE_SUM_PREFIX "%s\n", hex);
}

/* The line at P (before END) is exactly WANT, followed by a newline: then the start of the next line, else NULL. */
static const char *remote_line_is(const char *p, const char *end, const char *want)
{
	size_t n = strlen(want);

	if ((size_t)(end - p) <= n || memcmp(p, want, n) != 0 || p[n] != '\n')
		return NULL;
	return p + n + 1;
}

static int remote_key_of(const char *p, size_t len)
{
	for (int k = 0; k < K_COUNT; k++) {
		size_t n = strlen(remote_keys[k]);
		if (len > n && memcmp(p, remote_keys[k], n) == 0 && p[n] == '=')
			return k;
	}
	return -1;
}

/*
 * One "key=value" line at LINE, of key K, where NEXT is the first key that
 * may come.  The line itself is never quoted: a cut secret may be on it.
 */
static int remote_take_line(const char *path, size_t line, int k, int next, struct diag *d)
{
	if (k < 0)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: not a \"key=value\" line of link descriptor format %d",
				path, line, REMOTE_FORMAT);
	if (k < next)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: \"%s=\" given twice or out of order", path, line,
				remote_keys[k]);
	for (int m = next; m < k; m++)
		if (m != K_ADDRESS)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: \"%s=\" is missing before this line", path,
					line, remote_keys[m]);
	return 0;
}

/* Split the text after the first line into its values; checks their order and the format. */
static int remote_split(const char *path, const char *start, const char *end, size_t line,
			struct remote_span span[K_COUNT], struct diag *d)
{
	const char *p = start;
	int next = K_FORMAT;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int k = nl ? remote_key_of(p, (size_t)(nl - p)) : -1;
		if (!nl)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: truncated: the last line has no end", path,
					line);
		if (remote_take_line(path, line, k, next, d) < 0)
			return -EBADMSG;
		span[k].v = p + strlen(remote_keys[k]) + 1;
		span[k].len = (size_t)(nl - span[k].v);
		span[k].line = line;
		if (k == K_FORMAT && (span[k].len != 1 || span[k].v[0] != '0' + REMOTE_FORMAT))
			return diag_set(d, EBADMSG, EXIT_DATAERR,
					"%s:%zu: format %.*s: this jabber-dispatch reads link descriptor format %d only",
					path, line, (int)(span[k].len < 20 ? span[k].len : 20), span[k].v, REMOTE_FORMAT);
		if (k == K_CHECKSUM)
			return nl + 1 == end ? 0
					     : diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: more after the checksum line",
							path, line + 1);
		next = k + 1;
		p = nl + 1;
		line++;
	}
	return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: truncated: it ends before its checksum line", path);
}

/* The checksum line holds the SHA-256 of every byte from FROM (the first line) to it. */
static int remote_check_sum(const char *path, const char *from, const struct remote_span *sum, struct diag *d)
{
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	const char *line_start = sum->v - strlen(remote_keys[K_CHECKSUM]) - 1;
	size_t plen = strlen(REMOTE_SUM_PREFIX);

	remote_sum_hex(from, (size_t)(line_start - from), hex);
	if (sum->len != plen + strlen(hex) || memcmp(sum->v, REMOTE_SUM_PREFIX, plen) != 0 ||
	    memcmp(sum->v + plen, hex, strlen(hex)) != 0)
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%zu: the checksum does not match: the file was changed or damaged on the way", path,
				sum->line);
	return 0;
}

/* Copy a span into a NUL-terminated field of SIZE bytes; false when it does not fit or holds a NUL. */
static bool remote_copy(char *to, size_t size, const struct remote_span *s)
{
	if (s->len >= size || memchr(s->v, '\0', s->len))
		return false;
	memcpy(to, s->v, s->len);
	to[s->len] = '\0';
	return true;
}

/* A value refused: "PATH:LINE: KEY "VALUE": WHY", the value quoted safely (never the secret). */
static int remote_bad(const char *path, const struct remote_span *s, const char *key, const char *why,
		      struct diag *d)
{
	struct buf q = BUF_INIT;
	int rc;

	validate_quote(&q, s->v, s->len, 80);
	rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: %s %s: %s", path, s->line, key, buf_str(&q), why);
	buf_free(&q);
	return rc;
}

static int remote_values(const char *path, const struct remote_span span[K_COUNT], struct remote_link *l,
			 struct diag *d)
{
	char port[16];
	const char *why;

	if (!remote_copy(l->transport, sizeof(l->transport), &span[K_TRANSPORT]) || !validate_adapter_name(l->transport))
		return remote_bad(path, &span[K_TRANSPORT], "transport", "not an adapter name", d);
	if (!remote_copy(l->host, sizeof(l->host), &span[K_HOST]))
		return remote_bad(path, &span[K_HOST], "host", "not a domain name", d);
	if ((why = validate_host(l->host)))
		return remote_bad(path, &span[K_HOST], "host", why, d);
	if (!remote_copy(port, sizeof(port), &span[K_PORT]) || (why = validate_port(port, &l->port)))
		return remote_bad(path, &span[K_PORT], "port", why ? why : "not a port number", d);
	if (span[K_ADDRESS].v && (!remote_copy(l->server_address, sizeof(l->server_address), &span[K_ADDRESS]) ||
				  (why = remote_address_invalid(l->server_address))))
		return remote_bad(path, &span[K_ADDRESS], "server-address", "not a numeric IPv4 or IPv6 address", d);
	if (buf_append(&l->secret, span[K_SECRET].v, span[K_SECRET].len) < 0)
		return -ENOMEM;
	if ((why = validate_secret(buf_str(&l->secret), l->secret.len)))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%zu: the secret is unusable: %s", path,
				span[K_SECRET].line, why);
	return 0;
}

int remote_parse(const char *path, const char *text, size_t len, struct remote_link *ret, struct diag *d)
{
	struct remote_span span[K_COUNT] = { { NULL, 0, 0 } };
	struct remote_link l = REMOTE_LINK_INIT;
	const char *p = text, *end = text + len, *from;
	size_t line = 1;
	int rc;

	if (len > REMOTE_MAX_SIZE)
		return diag_set(d, EFBIG, EXIT_DATAERR, "%s: %zu bytes: too large for a link descriptor", path, len);
	if (memchr(text, '\0', len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: holds a NUL byte: not a link descriptor", path);
	if (len >= 2 && text[0] == '#' && text[1] == '!') {
		if (!(p = remote_line_is(text, end, "#!" REMOTE_INTERPRETER)))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:1: its \"#!\" line does not name %s", path,
					REMOTE_INTERPRETER);
		line++;
	}
	from = p;
	if (!(p = remote_line_is(p, end, REMOTE_FIRST_LINE)))
		return diag_set(d, EBADMSG, EXIT_DATAERR,
				"%s:%zu: not a link descriptor (its first line must say that it holds a secret)", path,
				line);
	rc = remote_split(path, p, end, line + 1, span, d);
	if (rc == 0)
		rc = remote_check_sum(path, from, &span[K_CHECKSUM], d);
	if (rc == 0)
		rc = remote_values(path, span, &l, d);
	if (rc == 0) {
		remote_link_free(ret);
		*ret = l;
	} else {
		remote_link_free(&l);
	}
	return rc;
}

int remote_load(int fd, const char *path, struct remote_link *ret, struct diag *d)
{
	struct buf text = BUF_INIT_SENSITIVE;
	int rc = buf_read_fd(&text, fd, REMOTE_MAX_SIZE);

	if (rc == -EFBIG)
		rc = diag_set(d, EFBIG, EXIT_DATAERR, "%s: larger than %u bytes: not a link descriptor", path,
			      REMOTE_MAX_SIZE);
	else if (rc < 0)
		rc = diag_set(d, -rc, EXIT_NOINPUT, "%s: %s", path, strerror(-rc));
	if (rc == 0)
		rc = remote_parse(path, buf_str(&text), text.len, ret, d);
	buf_free(&text);
	return rc;
}

char *remote_entry_path(const char *name)
{
	return safefs_join(PROTOCOL_ADMIN_DIR "/transports", name);
}

/* What stands at NAME in directory DIRFD, which must be an entry of ours, into OLD. */
static int remote_entry_take(int dirfd, const char *name, const char *path, struct buf *old, struct diag *d)
{
	static const char head[] = "#!" REMOTE_INTERPRETER "\n";
	struct stat st;
	int fd, rc;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? -ENOENT : diag_set(d, errno, EXIT_OSERR, "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return diag_set(d, ELOOP, EXIT_CANTCREAT, "%s: a symlink (a mask, or planted there): left alone", path);
	if (!S_ISREG(st.st_mode))
		return diag_set(d, EINVAL, EXIT_CANTCREAT, "%s: %s, not a file: left alone", path,
				safefs_type_name(st.st_mode));
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return diag_set(d, errno, EXIT_OSERR, "%s: %s", path, strerror(errno));
	rc = buf_read_fd(old, fd, REMOTE_MAX_SIZE);
	if (rc < 0)
		rc = diag_set(d, -rc, EXIT_OSERR, "%s: %s", path, strerror(-rc));
	close(fd);
	if (rc == 0 && (old->len < sizeof(head) - 1 || memcmp(old->data, head, sizeof(head) - 1) != 0))
		rc = diag_set(d, EEXIST, EXIT_CANTCREAT,
			      "%s: an admin adapter that `jabber-dispatch import` did not install: left alone", path);
	return rc;
}

int remote_entry_read(const struct root *r, const char *path, struct buf *old, struct diag *d)
{
	struct diag ignored = DIAG_INIT;
	const char *name;
	int dirfd, rc;

	rc = safefs_open_parent(r, path, 0, &dirfd, &name, &ignored);
	if (rc == -ENOENT)
		return -ENOENT;
	if (rc < 0)
		return diag_set(d, -rc, ignored.exit_code ? ignored.exit_code : EXIT_CANTCREAT, "%s", ignored.msg);
	rc = remote_entry_take(dirfd, name, path, old, d);
	close(dirfd);
	return rc;
}
