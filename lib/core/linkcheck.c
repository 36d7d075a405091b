/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linkcheck: prove over the network that a running server takes a transport, without disturbing it. */
#include "linkcheck.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "xep0114.h"

#define LC_DISCO_INFO "http://jabber.org/protocol/disco#info"

static long lc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a login under the component's own name said, as a link status. */
static void lc_from_login(const struct xep0114_result *r, struct link_result *ret)
{
	const char *said = r->text[0] ? r->text : r->condition;
	switch (r->status) {
	case XEP0114_CONFLICT:
		/* kick_new checks the secret before it refuses a second login. */
		ret->status = LINK_OK;
		snprintf(ret->text, sizeof(ret->text), "connected; a second login was refused: %s", said);
		return;
	case XEP0114_ACCEPTED:
		ret->status = LINK_OK_NOT_CONNECTED;
		snprintf(ret->text, sizeof(ret->text), "the server takes the secret; the transport is not connected");
		return;
	case XEP0114_NOT_AUTHORIZED:
		ret->status = LINK_WRONG_SECRET;
		break;
	case XEP0114_HOST_UNKNOWN:
		ret->status = LINK_UNKNOWN_HOST;
		break;
	case XEP0114_REFUSED:
		ret->status = LINK_SERVER_DOWN;
		break;
	case XEP0114_TIMEOUT:
		ret->status = LINK_TIMEOUT;
		break;
	default:
		ret->status = LINK_ERROR;
		break;
	}
	snprintf(ret->text, sizeof(ret->text), "%s%s%s", r->condition[0] && r->text[0] ? r->condition : "",
		 r->condition[0] && r->text[0] ? ": " : "", said[0] ? said : xep0114_status_word(r->status));
}

/*
 * A server that takes any name with the secret (jabberd2): log in under a
 * throwaway name, then ask the component by disco#info through the router.
 */
static void lc_probe(const struct server_listener *l, const struct component *c, int timeout_ms,
		     struct link_result *ret)
{
	struct xep0114_result r;
	struct xep0114 *conn = NULL;
	struct xmlstream_elem *answer = NULL;
	unsigned char rnd[6];
	char probe[80], stanza[600], hex[13];
	int rc;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(probe, sizeof(probe), "check-%s.jabber-dispatch.invalid", hex);
	rc = xep0114_connect(l->ip, l->port, probe, &c->secret, timeout_ms, &r, &conn);
	if (rc < 0 || r.status != XEP0114_ACCEPTED) {
		if (rc < 0) {
			r.status = XEP0114_BROKEN;
			snprintf(r.text, sizeof(r.text), "%s", strerror(-rc));
		}
		lc_from_login(&r, ret);
		if (ret->status == LINK_OK || ret->status == LINK_OK_NOT_CONNECTED)
			ret->status = LINK_ERROR; /* a conflict for a random name: not what this server does */
		return;
	}
	snprintf(stanza, sizeof(stanza), "<iq type='get' id='jd-check' from='%s' to='%s'><query xmlns='" LC_DISCO_INFO "'/></iq>",
		 probe, c->host);
	rc = xep0114_request(conn, stanza, "jd-check", timeout_ms, &answer, &r);
	if (rc == 0 && strcmp(xmlstream_attr_get(answer, "type") ? xmlstream_attr_get(answer, "type") : "", "result") == 0) {
		const struct xmlstream_elem *id = xmlstream_child(xmlstream_child(answer, LC_DISCO_INFO, "query"), NULL, "identity");
		const char *name = xmlstream_attr_get(id, "name");
		ret->status = LINK_OK;
		snprintf(ret->text, sizeof(ret->text), "connected; it answered disco#info%s%.200s%s", name ? " as \"" : "",
			 name ? name : "", name ? "\"" : "");
	} else if (rc == 0) {
		const struct xmlstream_elem *err = xmlstream_child(answer, NULL, "error"), *cond = err ? err->children : NULL;
		ret->status = LINK_OK_NOT_CONNECTED;
		snprintf(ret->text, sizeof(ret->text), "the server takes the secret; the transport is not connected (%s)",
			 cond ? cond->name : "error");
	} else {
		ret->status = rc == -ETIMEDOUT ? LINK_TIMEOUT : LINK_ERROR;
		snprintf(ret->text, sizeof(ret->text), "logged in as %s, then %s", probe,
			 r.text[0] ? r.text : "no answer to disco#info");
	}
	xmlstream_elem_free(answer);
	xep0114_close(conn);
}

static void lc_run(const struct server_listener *l, const struct component *c, int timeout_ms, struct link_result *ret)
{
	struct xep0114_result r;
	int rc;

	switch (l->mode) {
	case LISTEN_ANY_NAME:
		lc_probe(l, c, timeout_ms, ret);
		return;
	case LISTEN_CONNECTED:
		/* No login; but a listener a reload left closed would refuse the transport's next login. */
		rc = xep0114_listening(l->ip, l->port, timeout_ms, &r);
		if (rc == 0 && r.status != XEP0114_ACCEPTED) {
			ret->status = r.status == XEP0114_TIMEOUT ? LINK_TIMEOUT : LINK_SERVER_DOWN;
			snprintf(ret->text, sizeof(ret->text), "connected, but nothing takes a new login on %s port %u: %s",
				 l->ip, l->port, r.text);
			return;
		}
		ret->status = LINK_OK;
		snprintf(ret->text, sizeof(ret->text),
			 "connected (the server routes to it); the secret is not tried again: a second login would share its traffic");
		return;
	case LISTEN_UNKNOWN:
		ret->status = LINK_UNCHECKED;
		snprintf(ret->text, sizeof(ret->text),
			 "the server adapter knows no way to check it that cannot take the transport's traffic");
		return;
	case LISTEN_KICK_NEW:
	case LISTEN_NOT_CONNECTED:
	default:
		break;
	}
	rc = xep0114_connect(l->ip, l->port, c->host, &c->secret, timeout_ms, &r, NULL);
	if (rc < 0) {
		ret->status = LINK_ERROR;
		snprintf(ret->text, sizeof(ret->text), "cannot try: %s", strerror(-rc));
		return;
	}
	lc_from_login(&r, ret);
	/* <conflict/> means "connected" only where the server said so (kick_new); elsewhere it is a refusal. */
	if (l->mode != LISTEN_KICK_NEW && r.status == XEP0114_CONFLICT)
		ret->status = LINK_UNKNOWN_HOST;
}

int linkcheck(const struct adapter_call *call, const struct adapter *a, const struct component *c,
	      int net_timeout_ms, struct link_result *ret)
{
	struct server_listener ls[SERVER_MAX_LISTENERS];
	struct diag d = DIAG_INIT;
	long t0 = lc_now_ms();
	size_t n = 0, used = 0;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (!(a->caps & CAP_LISTEN)) {
		ret->status = LINK_UNCHECKED;
		snprintf(ret->text, sizeof(ret->text), "the adapter of server %s cannot say where its server listens", a->name);
		return 0;
	}
	rc = server_listen(call, a, c->host, ls, &n, &d);
	if (rc == -ENODEV)
		return rc;
	if (rc < 0) {
		ret->status = LINK_ERROR;
		snprintf(ret->text, sizeof(ret->text), "%.399s", d.msg);
	} else if (n == 0) {
		ret->status = LINK_NOT_WIRED;
		snprintf(ret->text, sizeof(ret->text), "the config of server %s does not declare it", a->name);
	} else {
		for (size_t i = 0; i < n && !ret->port; i++)
			if (ls[i].port == c->port)
				used = i, ret->port = ls[i].port;
		if (!ret->port) {
			ret->status = LINK_WRONG_PORT;
			snprintf(ret->text, sizeof(ret->text), "the transport connects to port %u; server %s takes it on port %u",
				 c->port, a->name, ls[0].port);
		} else {
			snprintf(ret->ip, sizeof(ret->ip), "%s", ls[used].ip);
			lc_run(&ls[used], c, net_timeout_ms, ret);
		}
	}
	ret->ms = lc_now_ms() - t0;
	return 0;
}

const char *linkcheck_word(enum link_status s)
{
	static const char *const words[] = { "ok",	      "ok-not-connected", "wrong-secret", "unknown-host",
					     "wrong-port",  "server-down",	  "timeout",	  "not-wired",
					     "unchecked",   "error" };
	return (unsigned)s < sizeof(words) / sizeof(*words) ? words[s] : "error";
}

bool linkcheck_bad(enum link_status s)
{
	return s != LINK_OK && s != LINK_OK_NOT_CONNECTED && s != LINK_NOT_WIRED && s != LINK_UNCHECKED;
}
