/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/xep0114 and lib/xmlstream: SHA-1 vectors, and a scripted fake server on loopback for every outcome. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "xep0114.h"
#include "xmlstream.h"

#define HEADER_OPEN "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept'"
#define ERR_NS "xmlns='urn:ietf:params:xml:ns:xmpp-streams'"

/* What the fake server does, in order: answer the client's header, then (unless 0) its handshake. */
struct script {
	const char *header;    /* sent once the client's stream header has arrived; NULL: send nothing */
	const char *answer;    /* sent once the handshake has arrived; "CHECK" verifies the token first */
	int delay_ms;          /* before every write */
	bool drip;             /* one byte per write */
	size_t flood;          /* this many 'a' bytes inside an attribute of the header */
	bool close_after;      /* close after writing the header (without reading the handshake) */
	const char *after;     /* sent after the answer once a stanza arrives */
};

static const char *const secret_text = "s3cret";

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void fake_write(int fd, const struct script *s, const char *text)
{
	size_t len = strlen(text);
	for (size_t i = 0; i < len; i += s->drip ? 1 : len) {
		if (s->delay_ms)
			sleep_ms(s->delay_ms);
		if (send(fd, text + i, s->drip ? 1 : len - i, MSG_NOSIGNAL) < 0)
			return;
	}
}

/* Read until NEEDLE has arrived (or EOF): what the client sent so far, in BUF. */
static void fake_read_until(int fd, char *buf, size_t cap, const char *needle)
{
	size_t len = strlen(buf);
	while (!strstr(buf, needle) && len + 1 < cap) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
	}
}

static void fake_serve(int fd, const struct script *s)
{
	char in[4096] = "";
	fake_read_until(fd, in, sizeof(in), "'>");
	if (s->flood) {
		char *big = malloc(s->flood + 1);
		memset(big, 'a', s->flood);
		big[s->flood] = '\0';
		fake_write(fd, s, HEADER_OPEN " from='x' padding='");
		fake_write(fd, s, big);
		free(big);
	}
	if (s->header)
		fake_write(fd, s, s->header);
	if (s->close_after || !s->answer) {
		if (!s->close_after)
			sleep_ms(3000); /* a server that says nothing more: the client must give up first */
		return;
	}
	fake_read_until(fd, in, sizeof(in), "</handshake>");
	if (strcmp(s->answer, "CHECK") == 0) {
		char expect[64];
		struct buf sec = BUF_INIT;
		buf_puts(&sec, secret_text);
		xep0114_token("abc123", &sec, expect);
		buf_free(&sec);
		fake_write(fd, s, strstr(in, expect) ? "<handshake/>" : "<stream:error><not-authorized " ERR_NS "/></stream:error>");
	} else
		fake_write(fd, s, s->answer);
	if (s->after) {
		fake_read_until(fd, in, sizeof(in), "</iq>");
		fake_write(fd, s, s->after);
		sleep_ms(500);
	}
}

/* Start a fake server for one connection on a loopback port; its pid in *PID. */
static unsigned fake_server(const struct script *s, pid_t *pid)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(ls >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		int fd = accept(ls, NULL, NULL);
		if (fd >= 0)
			fake_serve(fd, s);
		_exit(0);
	}
	close(ls);
	return ntohs(a.sin_port);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the client against script S with SECRET and TIMEOUT_MS; the result, and how long it took. */
static struct xep0114_result run(const struct script *s, const char *secret, int timeout_ms, long long *took)
{
	struct xep0114_result r;
	struct buf sec = BUF_INIT_SENSITIVE;
	long long t0;
	pid_t pid;
	unsigned port = fake_server(s, &pid);

	assert_int_equal(buf_puts(&sec, secret), 0);
	t0 = now_ms();
	assert_int_equal(xep0114_connect("127.0.0.1", port, "irc.localhost", &sec, timeout_ms, &r, NULL), 0);
	if (took)
		*took = now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	buf_free(&sec);
	return r;
}

static void test_sha1_fips180_vectors(void **state)
{
	/* FIPS 180-2 appendix A: "abc", the 448-bit message, a million 'a'; and the empty message. */
	struct { const char *id, *secret, *hex; } v[] = {
		{ "", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "ab", "c", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijk", "ijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	struct buf sec = BUF_INIT_SENSITIVE;
	char out[41];
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		buf_truncate(&sec, 0);
		assert_int_equal(buf_puts(&sec, v[i].secret), 0);
		assert_int_equal(xep0114_token(v[i].id, &sec, out), 0);
		assert_string_equal(out, v[i].hex);
	}
	buf_truncate(&sec, 0);
	for (int i = 0; i < 1000000; i++)
		assert_int_equal(buf_putc(&sec, 'a'), 0);
	xep0114_token("", &sec, out);
	assert_string_equal(out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	buf_truncate(&sec, 0);
	sec.len = 0;
	xep0114_token("", &sec, out);
	assert_string_equal(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	buf_free(&sec);
}

static void test_accepted_and_wrong_secret(void **state)
{
	struct script s = { .header = HEADER_OPEN " from='irc.localhost' id='abc123'>", .answer = "CHECK" };
	struct xep0114_result r;
	(void)state;

	r = run(&s, secret_text, 3000, NULL);
	assert_int_equal(r.status, XEP0114_ACCEPTED);
	r = run(&s, "wrong", 3000, NULL);
	assert_int_equal(r.status, XEP0114_NOT_AUTHORIZED);
	assert_string_equal(r.condition, "not-authorized");
	/* Every split of the stream gives the same answer: one byte per write. */
	s.drip = true;
	r = run(&s, secret_text, 3000, NULL);
	assert_int_equal(r.status, XEP0114_ACCEPTED);
	/* jabberd2 answers with an explicit, non-empty element. */
	s = (struct script){ .header = HEADER_OPEN " id=\"x\">", .answer = "<handshake xmlns='jabber:component:accept'></handshake>" };
	assert_int_equal(run(&s, secret_text, 3000, NULL).status, XEP0114_ACCEPTED);
}

static void test_stream_errors(void **state)
{
	struct {
		const char *answer;
		enum xep0114_status status;
		const char *condition, *text;
	} v[] = {
		{ "<stream:error><not-authorized " ERR_NS "/><text " ERR_NS ">Given token does not match calculated token</text></stream:error></stream:stream>",
		  XEP0114_NOT_AUTHORIZED, "not-authorized", "Given token does not match calculated token" },
		{ "<stream:error><conflict " ERR_NS "/><text " ERR_NS ">Component already connected</text></stream:error>",
		  XEP0114_CONFLICT, "conflict", "Component already connected" },
		{ "<stream:error><host-unknown " ERR_NS "/><text " ERR_NS ">irc.localhost does not match any configured external components</text></stream:error>",
		  XEP0114_HOST_UNKNOWN, "host-unknown", "irc.localhost does not match any configured external components" },
		{ "<stream:error><invalid-namespace " ERR_NS "/><text " ERR_NS ">support for legacy components not available</text></stream:error>",
		  XEP0114_STREAM_ERROR, "invalid-namespace", "support for legacy components not available" },
		/* Entities decoded, line breaks made blanks, the text in front of the condition. */
		{ "<stream:error xmlns:e='urn:ietf:params:xml:ns:xmpp-streams'><e:text>a &amp; b\n&#x41;&#66;&#9;.</e:text><e:system-shutdown/></stream:error>",
		  XEP0114_STREAM_ERROR, "system-shutdown", "a & b AB ." },
		{ "<stream:error/>", XEP0114_STREAM_ERROR, "undefined-condition", "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		struct script s = { .header = HEADER_OPEN " id='abc123'>", .answer = v[i].answer };
		struct xep0114_result r = run(&s, secret_text, 3000, NULL);
		assert_int_equal(r.status, v[i].status);
		assert_string_equal(r.condition, v[i].condition);
		assert_string_equal(r.text, v[i].text);
	}
}

static void test_broken_servers(void **state)
{
	struct {
		struct script s;
		enum xep0114_status status;
		const char *text;
	} v[] = {
		{ { .header = HEADER_OPEN " id='abc", .close_after = true }, XEP0114_BROKEN, "the server closed the connection before its stream header" },
		{ { .header = HEADER_OPEN " from='x'>" }, XEP0114_BROKEN, "the server's stream header has no id" },
		/* Prosody-style: a header without id, and the refusal right behind it. */
		{ { .header = HEADER_OPEN "><stream:error><host-unknown " ERR_NS "/></stream:error>" }, XEP0114_HOST_UNKNOWN, "" },
		{ { .flood = 200000 }, XEP0114_BROKEN, "more than 65536 bytes without a complete stream header" },
		{ { .header = "HTTP/1.0 400 Bad Request\r\n\r\n", .close_after = true }, XEP0114_BROKEN, "not an XML stream: it starts with something other than a tag" },
		{ { .header = "<?xml version='1.0'?><html>", .close_after = true }, XEP0114_BROKEN, "not an XMPP stream: the first tag is <html>" },
		{ { .header = HEADER_OPEN " id='abc123'><!DOCTYPE x [<!ENTITY a 'b'>]>", .answer = "" }, XEP0114_BROKEN, "a DTD or processing instruction inside the stream" },
		{ { .header = HEADER_OPEN " id='abc123'>", .answer = "<stream:error><x:y/></stream:error>" }, XEP0114_BROKEN, "tag <x:y> uses an undeclared prefix" },
		{ { .header = HEADER_OPEN " id='abc123'>", .answer = "<message/>" }, XEP0114_BROKEN, "<message> instead of an answer to the handshake" },
		{ { .header = HEADER_OPEN " id='abc123'>", .answer = "</stream:stream>" }, XEP0114_BROKEN, "the server closed the connection before its answer to the handshake" },
		{ { .header = HEADER_OPEN " id='abc123'>", .answer = "<handshake>&foo;</handshake>" }, XEP0114_BROKEN, "an entity reference XMPP forbids (&foo;)" },
		/* A control character XML forbids, in the server's text. */
		{ { .header = HEADER_OPEN " id='abc123'>", .answer = "<stream:error><text " ERR_NS ">\x1b[2J</text></stream:error>" }, XEP0114_BROKEN, "a control character (0x1b)" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		long long took;
		struct xep0114_result r = run(&v[i].s, secret_text, 2000, &took);
		assert_int_equal(r.status, v[i].status);
		assert_string_equal(r.text, v[i].text);
		assert_true(took < 1500); /* none of these waits for the timeout */
	}
}

static void test_slow_server_and_refused(void **state)
{
	struct script silent = { .header = NULL };
	struct script slow = { .header = HEADER_OPEN " id='abc123'>", .answer = "<handshake/>", .delay_ms = 150, .drip = true };
	struct xep0114_result r;
	struct buf sec = BUF_INIT;
	long long took;
	int fd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	(void)state;

	r = run(&silent, secret_text, 400, &took);
	assert_int_equal(r.status, XEP0114_TIMEOUT);
	assert_string_equal(r.text, "no stream header within 400 ms");
	assert_true(took >= 390 && took < 1000);
	/* A server that drips bytes slowly does not stretch the deadline: it is for the whole exchange. */
	r = run(&slow, secret_text, 500, &took);
	assert_int_equal(r.status, XEP0114_TIMEOUT);
	assert_true(took >= 490 && took < 1100);

	/* A port nobody listens on. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	buf_puts(&sec, "x");
	assert_int_equal(xep0114_connect("127.0.0.1", ntohs(a.sin_port), "irc.localhost", &sec, 1000, &r, NULL), 0);
	assert_int_equal(r.status, XEP0114_REFUSED);
	assert_string_equal(r.text, "Connection refused");
	assert_int_equal(xep0114_listening("127.0.0.1", ntohs(a.sin_port), 1000, &r), 0);
	assert_int_equal(r.status, XEP0114_REFUSED);
	assert_int_equal(xep0114_connect("localhost", 5347, "irc.localhost", &sec, 1000, &r, NULL), 0);
	assert_int_equal(r.status, XEP0114_BROKEN);
	assert_int_equal(xep0114_connect("127.0.0.1", 5347, "irc'.localhost", &sec, 1000, &r, NULL), -EINVAL);
	buf_free(&sec);
}

static void test_request_after_handshake(void **state)
{
	struct script s = { .header = HEADER_OPEN " id='abc123'>", .answer = "<handshake/>",
			    .after = "<message from='a' id='q1'/><iq type='result' id='other'/>"
				     "<iq type='result' from='irc.localhost' id='q1'><query xmlns='http://jabber.org/protocol/disco#info'>"
				     "<identity category='conference' type='irc' name='Biboumi'/></query></iq>" };
	struct xep0114 *c = NULL;
	struct xep0114_result r;
	struct xmlstream_elem *answer = NULL;
	struct buf sec = BUF_INIT;
	const struct xmlstream_elem *q;
	pid_t pid;
	unsigned port = fake_server(&s, &pid);
	(void)state;

	buf_puts(&sec, secret_text);
	assert_int_equal(xep0114_connect("127.0.0.1", port, "probe.localhost", &sec, 2000, &r, &c), 0);
	assert_int_equal(r.status, XEP0114_ACCEPTED);
	assert_non_null(c);
	/* A message with the same id and an iq with another id are skipped. */
	assert_int_equal(xep0114_request(c, "<iq type='get' id='q1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>", "q1",
					 2000, &answer, &r), 0);
	assert_string_equal(answer->name, "iq");
	q = xmlstream_child(answer, "http://jabber.org/protocol/disco#info", "query");
	assert_non_null(q);
	assert_string_equal(xmlstream_attr_get(xmlstream_child(q, NULL, "identity"), "name"), "Biboumi");
	xmlstream_elem_free(answer);
	/* Then the server goes away: the request says so. */
	assert_int_equal(xep0114_request(c, "", "q2", 2000, &answer, &r), -ECONNRESET);
	xep0114_close(c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	buf_free(&sec);
}

/* The reader alone: namespaces, references, limits, and every split point of one stream. */
static void test_reader(void **state)
{
	const char *stream = "<?xml version='1.0'?>\n<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='i&amp;d'>"
			     " <!-- hello --> <iq id='1'><q xmlns='urn:x' xmlns:p='urn:p'><p:a b=\"&lt;&#233;\">t<![CDATA[<raw>]]>x</p:a></q></iq>"
			     "\n</s:stream>";
	size_t len = strlen(stream);
	char err[160];
	(void)state;

	for (size_t cut = 0; cut <= len; cut++) {
		struct xmlstream s = XMLSTREAM_INIT;
		struct xmlstream_elem *e = NULL;
		size_t pos = 0, avail = cut;
		int units[3], n = 0;
		while (n < 3) {
			int rc = xmlstream_next(&s, stream, avail, &pos, &e, err, sizeof(err));
			assert_true(rc >= 0);
			if (rc == XMLSTREAM_MORE) {
				assert_true(avail < len);
				avail = len; /* the rest arrives */
				continue;
			}
			units[n++] = rc;
			if (rc == XMLSTREAM_HEADER)
				assert_string_equal(xmlstream_attr_get(e, "id"), "i&d");
			if (rc == XMLSTREAM_ELEMENT) {
				const struct xmlstream_elem *a = xmlstream_child(xmlstream_child(e, "urn:x", "q"), "urn:p", "a");
				assert_non_null(a);
				assert_string_equal(xmlstream_attr_get(a, "b"), "<\xc3\xa9");
				assert_string_equal(buf_str(&a->text), "t<raw>x");
				assert_string_equal(e->ns, "jabber:component:accept");
			}
			xmlstream_elem_free(e);
			e = NULL;
		}
		assert_int_equal(units[0], XMLSTREAM_HEADER);
		assert_int_equal(units[1], XMLSTREAM_ELEMENT);
		assert_int_equal(units[2], XMLSTREAM_END);
		xmlstream_free(&s);
	}
}

static void test_reader_limits(void **state)
{
	struct buf deep = BUF_INIT;
	struct xmlstream s = XMLSTREAM_INIT;
	struct xmlstream_elem *e = NULL;
	char err[160];
	size_t pos = 0;
	(void)state;

	buf_puts(&deep, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='1'>");
	for (int i = 0; i < XMLSTREAM_MAX_DEPTH + 1; i++)
		buf_puts(&deep, "<a>");
	assert_int_equal(xmlstream_next(&s, deep.data, deep.len, &pos, &e, err, sizeof(err)), XMLSTREAM_HEADER);
	xmlstream_elem_free(e);
	assert_int_equal(xmlstream_next(&s, deep.data, deep.len, &pos, &e, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "elements nested deeper than 16");
	xmlstream_free(&s);
	buf_free(&deep);

	{
		const char *bad[] = { "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='\x01'>",
				      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='\xff\xfe\xfd\xfc'>",
				      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id=1>",
				      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
				      "<stream:stream id='&#0;' xmlns:stream='http://etherx.jabber.org/streams'>" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
			struct xmlstream t = XMLSTREAM_INIT;
			pos = 0;
			assert_int_equal(xmlstream_next(&t, bad[i], strlen(bad[i]), &pos, &e, err, sizeof(err)), -EBADMSG);
			xmlstream_free(&t);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_fips180_vectors),
		cmocka_unit_test(test_accepted_and_wrong_secret),
		cmocka_unit_test(test_stream_errors),
		cmocka_unit_test(test_broken_servers),
		cmocka_unit_test(test_slow_server_and_refused),
		cmocka_unit_test(test_request_after_handshake),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_limits),
	};
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
