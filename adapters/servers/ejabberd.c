/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd: server adapter for ejabberd — ejabberd.yml with a managed drop-in, or a 2.x ejabberd.cfg. */
#include "ejabberd.h"
#include "conf-erl.h"
#include "conf-yaml.h"
#include "exitcode.h"
#include "spawn.h"
#include "syntax-check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EJABBERD_DEFAULT_CONFIG "/etc/ejabberd/ejabberd.yml"
/* ejabberd 2.x, still read by today's ejabberd when named so */
#define EJABBERD_LEGACY_CONFIG "/etc/ejabberd/ejabberd.cfg"
#define EJABBERDCTL "/usr/sbin/ejabberdctl"
/* A listener restarted by reload_config is back within a few tens of ms; give it 2 s. */
#define EJABBERD_LISTEN_TRIES 20
#define EJABBERD_LISTEN_WAIT_MS 100

/* ejabberd picks the syntax by the file name: .yml and .yaml are YAML, anything else Erlang terms. */
static bool ejabberd_is_yaml(const char *path)
{
	size_t n = strlen(path);
	return (n > 4 && strcmp(path + n - 4, ".yml") == 0) || (n > 5 && strcmp(path + n - 5, ".yaml") == 0);
}

/*
 * Our result, read back as ejabberd reads it before anything is written:
 * YAML by libyaml (which ejabberd's fast_yaml wraps), Erlang terms by our
 * own parser, there being no library of ejabberd's for them.
 */
static int ejabberd_check(const char *path, const char *text, size_t len, struct diag *d)
{
	struct erl_file e = ERL_FILE_INIT;
	int rc;

	if (ejabberd_is_yaml(path)) {
		rc = ejyml_parse_check(path, text, len, d);
	} else {
		rc = erl_parse(path, text, len, &e, d);
		erl_file_free(&e);
	}
	return rc;
}

static int ejabberd_apply(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			  struct diag *d)
{
	const char *path = req->config;
	int rc;

	if (req->bind_address[0] && !ejabberd_is_yaml(path))
		return diag_set(d, ENOTSUP, EXIT_DATAERR,
				"%s: an ejabberd 2.x config: give the listener of port %u the address %s by hand (a "
				"transport on another machine connects there)",
				path, req->port, req->bind_address);
	rc = ejabberd_is_yaml(path) ? ejyml_apply(req, path, cs, ret, d) : ejcfg_apply(req, path, cs, ret, d);
	return rc < 0 ? rc : syntax_verify_changes(cs, ejabberd_check, d);
}

static int ejabberd_remove(const struct server_request *req, struct changeset *cs, struct server_outcome *ret,
			   struct diag *d)
{
	const char *path = req->config;
	int rc = ejabberd_is_yaml(path) ? ejyml_remove(req, path, cs, ret, d) : ejcfg_remove(req, path, cs, ret, d);
	return rc < 0 ? rc : syntax_verify_changes(cs, ejabberd_check, d);
}

static int ejabberd_list(const struct server_request *req, struct buf *out, struct diag *d)
{
	const char *path = req->config;
	return ejabberd_is_yaml(path) ? ejyml_list(req, path, out, d) : ejcfg_list(req, path, out, d);
}

/*
 * Run ejabberdctl COMMAND for the node of this config: under another root
 * or config, --config-dir makes it source that directory's ejabberdctl.cfg
 * (node name, cookie user, addresses), as Debian's own --config alone does
 * not (LAB_FACTS, lab/start_ejabberd.sh).  *STATUS: its exit status.
 */
static int ejabberd_ctl(const struct server_request *req, const char *const *command, int *status, struct buf *said)
{
	struct child ch = CHILD_INIT;
	struct strv argv = STRV_INIT;
	char *dir = NULL, *hostdir = NULL;
	int rc;

	rc = strv_push(&argv, "ejabberdctl");
	if (rc == 0 && (!safefs_root_is_host(&req->root) || strcmp(req->config, EJABBERD_DEFAULT_CONFIG) != 0)) {
		dir = safefs_dirname(req->config);
		hostdir = dir ? safefs_host_path(&req->root, dir) : NULL;
		rc = hostdir ? strv_push(&argv, "--config-dir") : -ENOMEM;
		if (rc == 0)
			rc = strv_push(&argv, hostdir);
	}
	for (size_t i = 0; rc == 0 && command[i]; i++)
		rc = strv_push(&argv, command[i]);
	if (rc == 0) {
		ch.path = EJABBERDCTL;
		ch.argv = argv.v;
		ch.timeout_ms = 60000;
		rc = spawn_run(&ch);
	}
	if (rc == 0) {
		*status = ch.exec_errno ? -ch.exec_errno
			  : spawn_succeeded(&ch) ? 0
			  : WIFEXITED(ch.status) ? WEXITSTATUS(ch.status)
						 : 128;
		buf_append(said, buf_str(&ch.out), ch.out.len);
		buf_append(said, buf_str(&ch.err), ch.err.len);
	}
	child_free(&ch);
	strv_free(&argv);
	free(hostdir);
	free(dir);
	return rc;
}

/* Whether something accepts TCP connections at IP:PORT now. */
static bool ejabberd_listening(const struct ejabberd_endpoint *ep)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ep->port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)ep->port) };
	bool v6 = inet_pton(AF_INET6, ep->ip, &a6.sin6_addr) == 1;
	struct pollfd p;
	int fd, err = 0;
	socklen_t len = sizeof(err);
	bool ok = false;

	if (!v6 && inet_pton(AF_INET, ep->ip, &a4.sin_addr) != 1)
		return false;
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (connect(fd, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4, v6 ? sizeof(a6) : sizeof(a4)) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		ok = poll(&p, 1, 1000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
	}
	close(fd);
	return ok;
}

/* The first endpoint that stays closed for the whole wait, or NULL when all listen. */
static const struct ejabberd_endpoint *ejabberd_closed(const struct ejabberd_endpoint *eps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool up = false;
		for (int t = 0; t < EJABBERD_LISTEN_TRIES && !up; t++) {
			up = ejabberd_listening(&eps[i]);
			if (!up)
				nanosleep(&(struct timespec){ 0, EJABBERD_LISTEN_WAIT_MS * 1000000L }, NULL);
		}
		if (!up)
			return &eps[i];
	}
	return NULL;
}

static int ejabberd_reload_config(const struct server_request *req, struct buf *said, struct diag *d)
{
	int status, rc;

	buf_truncate(said, 0);
	rc = ejabberd_ctl(req, (const char *[]){ "reload_config", NULL }, &status, said);
	if (rc == 0 && status < 0)
		rc = diag_set(d, -status, EXIT_UNAVAILABLE, "cannot run %s: %s", EJABBERDCTL, strerror(-status));
	else if (rc == 0 && status != 0) {
		buf_chomp(said);
		/* ejabberd keeps the old config when the new one is refused: say why it refused */
		rc = diag_set(d, EIO, EXIT_UNAVAILABLE, "ejabberdctl reload_config failed (status %d): %.300s", status,
			      buf_str(said));
	}
	return rc;
}

/*
 * reload_config restarts every ejabberd_service listener whose options
 * changed, and the new listen() loses a race with the old socket in about
 * one reload of four, leaving the port closed while the command says 0
 * (LAB_FACTS §3: 17 of 60).  ejabberd then forgets that listener, so one
 * more reload_config starts it again (17 of 17): check, and do that once.
 */
static int ejabberd_reload(const struct server_request *req, struct buf *out, struct diag *d)
{
	const char *path = req->config;
	struct ejabberd_endpoint eps[EJABBERD_MAX_PORTS];
	const struct ejabberd_endpoint *down;
	struct buf said = BUF_INIT;
	size_t n = 0;
	int status, rc;

	if (!ejabberd_is_yaml(path))
		return buf_printf(out, "%s: ejabberd 2.x reads it at start only: restart ejabberd\n", path);
	rc = ejyml_endpoints(req, path, NULL, eps, EJABBERD_MAX_PORTS, &n, d);
	if (rc < 0)
		goto out;
	rc = ejabberd_ctl(req, (const char *[]){ "status", NULL }, &status, &said);
	if (rc < 0 || status < 0) {
		rc = diag_set(d, rc < 0 ? -rc : -status, EXIT_UNAVAILABLE, "cannot run %s", EJABBERDCTL);
		goto out;
	}
	if (status != 0) {
		rc = buf_puts(out, "not running: nothing to reload\n");
		goto out;
	}
	rc = ejabberd_reload_config(req, &said, d);
	if (rc == 0)
		rc = buf_puts(out, "reloaded\n");
	if (rc == 0 && (down = ejabberd_closed(eps, n))) {
		rc = buf_printf(out, "port %s:%u closed after reload_config: reloading again\n", down->ip, down->port);
		if (rc == 0)
			rc = ejabberd_reload_config(req, &said, d);
		if (rc == 0 && (down = ejabberd_closed(eps, n)))
			rc = diag_set(d, EIO, EXIT_UNAVAILABLE,
				      "port %s:%u of an ejabberd_service listener stays closed after two reload_config; "
				      "see ejabberd's log, restart ejabberd",
				      down->ip, down->port);
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(out, "listening %s:%u\n", eps[i].ip, eps[i].port);
out:
	buf_free(&said);
	return rc;
}

/*
 * Whether HOST is connected to the running ejabberd now.  No ejabberdctl
 * command lists routes, but `dump_table FILE route` has the node write its
 * route table, connected components included, to FILE, as the node's user:
 * into a directory of ours given to that user, read with O_NOFOLLOW.  Not
 * running: nothing is connected.  Unknown when the dump cannot be had.
 */
static enum listen_mode ejabberd_connected(const struct server_request *req, const char *host)
{
	char dir[] = "/tmp/jabber-dispatch-routes.XXXXXX", file[64], needle[300];
	struct buf said = BUF_INIT, table = BUF_INIT;
	enum listen_mode mode = LISTEN_UNKNOWN;
	struct passwd *pw = getpwnam("ejabberd");
	int status = -1, fd;
	ssize_t n = -1;

	if (!pw || !mkdtemp(dir))
		return mode;
	snprintf(file, sizeof(file), "%s/route", dir);
	if (chown(dir, pw->pw_uid, pw->pw_gid) == 0 &&
	    ejabberd_ctl(req, (const char *[]){ "dump_table", file, "route", NULL }, &status, &said) == 0 && status == 0 &&
	    (fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		char chunk[4096];
		while ((n = read(fd, chunk, sizeof(chunk))) > 0 && table.len < (1u << 24))
			if (buf_append(&table, chunk, (size_t)n) < 0)
				break;
		close(fd);
	}
	unlink(file);
	rmdir(dir);
	/* {route,<<"irc.localhost">>,<<"localhost">>,<0.586.0>,undefined}. */
	snprintf(needle, sizeof(needle), "{route,<<\"%s\">>,", host);
	if (n == 0 && strstr(buf_str(&table), "{tables,"))
		mode = strstr(buf_str(&table), needle) ? LISTEN_CONNECTED : LISTEN_NOT_CONNECTED;
	else if (ejabberd_ctl(req, (const char *[]){ "status", NULL }, &status, &said) == 0 && status > 0)
		mode = LISTEN_NOT_CONNECTED; /* not running: nothing is connected (the dump fails first, so ask once) */
	buf_free(&said);
	buf_free(&table);
	return mode;
}

/*
 * ejabberd takes a second login under a connected component's name and
 * spreads its traffic over both (LAB_FACTS §2): so a check may log in as
 * HOST only once ejabberd said HOST is not connected.
 */
static int ejabberd_listen(const struct server_request *req, struct buf *out, struct diag *d)
{
	const char *path = req->config;
	struct ejabberd_endpoint eps[EJABBERD_MAX_PORTS];
	enum listen_mode mode;
	size_t n = 0;
	int rc;

	if (!ejabberd_is_yaml(path))
		return diag_set(d, ENOTSUP, EXIT_UNAVAILABLE, "%s: --listen reads ejabberd.yml only", path);
	rc = ejyml_endpoints(req, path, req->host, eps, EJABBERD_MAX_PORTS, &n, d);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : buf_puts(out, "undeclared\n");
	mode = ejabberd_connected(req, req->host);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = server_listen_line(out, eps[i].ip, eps[i].port, mode);
	return rc;
}

static const struct server_ops ejabberd_ops = {
	.name = "ejabberd",
	.default_config = EJABBERD_DEFAULT_CONFIG,
	.legacy_config = EJABBERD_LEGACY_CONFIG,
	.apply = ejabberd_apply,
	.remove = ejabberd_remove,
	.list = ejabberd_list,
	.reload = ejabberd_reload,
	.listen = ejabberd_listen,
	.bind_address = true,
	.batch = true,
	.forget = ejyml_forget,
};

int main(int argc, char **argv)
{
	return server_adapter_main(argc, argv, &ejabberd_ops);
}
