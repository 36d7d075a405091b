/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ejabberd-yml: the model of ejabberd.yml and the files ejabberd merges with it, and positional edits of them. */
#include "grow.h"
#include "ejabberd-yml.h"
#include "adapter-fs.h"
#include "exitcode.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What ejabberd 23.01 does (read in the Debian package, LAB_FACTS §3, §4, §8, §9):
 *  - ejabberd_config:read_file/2 parses, after a *.yml main file, every
 *    *.yml and *.yaml in $CONTRIB_MODULES_CONF_DIR (ext_mod:modules_configs/0) as
 *    more top-level options, and appends their listen: lists to the main
 *    one.  Debian sets CONTRIB_MODULES_CONF_DIR=/etc/ejabberd/modules.d in
 *    /etc/default/ejabberd (= /etc/ejabberd/ejabberdctl.cfg).  The README
 *    there says "mod_foo.yml", the code takes any name.
 *  - include_config_file names more files, literally, optionally keeping
 *    only some options (allow_only, disallow).
 *  - two listeners on one ip:port are refused; one on a wildcard address
 *    and one on 127.0.0.1 with the same port pass the check but the second
 *    fails to bind, silently on a reload.
 *  - with global_routes left at true a component that logs in as one host
 *    of a listener gets the traffic of all its hosts.
 */

/*
 * The trees of the texts this process read or checked last: a --batch
 * reads back, for each record, the files the record before it wrote and
 * checked, and parses none of them again (a parse is the cost of a record).
 */
static struct parse_memo ejyml_memo = PARSE_MEMO_INIT(sizeof(struct yconf), yconf_free_tree);

void ejyml_forget(void)
{
	parse_memo_clear(&ejyml_memo);
}

int ejyml_parse_check(const char *path, const char *text, size_t len, struct diag *d)
{
	struct yconf y = YCONF_INIT;
	int rc = yconf_parse_kept(&ejyml_memo, path, text, len, &y, d);

	/* kept for the next record, which reads this text back */
	yconf_keep(&ejyml_memo, &y);
	return rc;
}

void ejyml_free(struct ejyml_conf *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		yconf_keep(&ejyml_memo, &c->files[i].y);
		buf_free(&c->files[i].text);
		free(c->files[i].path);
	}
	free(c->files);
	free(c->ls);
	free(c->hs);
	free(c->ex);
	free(c->dropin_path);
	*c = (struct ejyml_conf)EJYML_CONF_INIT;
}

/* Whether the line holding OFF ends with our marker comment. */
bool ejyml_marked(const struct ejyml_file *f, size_t off)
{
	const struct yconf_comment *cm = yconf_comment_after(&f->y, yconf_line_start(f->text.data, off));
	const char *p;
	if (!cm)
		return false;
	p = f->text.data + cm->start;
	while (p < f->text.data + cm->end && (*p == '#' || *p == ' ' || *p == '\t'))
		p++;
	return (size_t)(f->text.data + cm->end - p) >= strlen(EJABBERD_MARK) &&
	       strncmp(p, EJABBERD_MARK, strlen(EJABBERD_MARK)) == 0;
}

/* Read and parse one file; -ENOENT (no message) when it does not exist. */
static int ejyml_add_file(struct ejyml_conf *c, const struct root *r, const char *path, bool listen,
			  struct diag *d)
{
	struct ejyml_file *f = grow_one(c->files, c->nfiles, sizeof(*f));
	int rc;

	if (!f)
		return -ENOMEM;
	c->files = f;
	f = &c->files[c->nfiles];
	*f = (struct ejyml_file){ .path = strdup(path), .text = BUF_INIT_SENSITIVE, .y = YCONF_INIT, .listen = listen };
	if (!f->path)
		return -ENOMEM;
	rc = safefs_read_file(r, path, &f->text, d);
	if (rc < 0) {
		free(f->path);
		return rc;
	}
	c->nfiles++;
	rc = yconf_parse_kept(&ejyml_memo, f->path, buf_str(&f->text), f->text.len, &f->y, d);
	if (rc < 0)
		return rc;
	if (f->y.root && f->y.root->kind != YCONF_MAP)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: the top level is not a mapping of options", path,
				f->y.root->line);
	f->ours = strncmp(buf_str(&f->text), EJYML_DROPIN_MARK, strlen(EJYML_DROPIN_MARK)) == 0;
	return 0;
}

/* Whether LIST (a scalar or a sequence of scalars) names WORD. */
static bool ejyml_names(const struct yconf_node *list, const char *word)
{
	if (!list)
		return false;
	if (list->kind == YCONF_SCALAR)
		return yconf_is(list, word);
	for (size_t i = 0; list->kind == YCONF_SEQ && i < list->nkids; i++)
		if (yconf_is(list->kids[i], word))
			return true;
	return false;
}

static int ejyml_include(struct ejyml_conf *c, const struct server_request *req, const struct yconf_node *name,
			 const struct yconf_node *opts, struct diag *d)
{
	const struct yconf_node *allow = yconf_map_get(opts, "allow_only");
	bool listen = !ejyml_names(yconf_map_get(opts, "disallow"), "listen") && (!allow || ejyml_names(allow, "listen"));
	char *dir = NULL, *path;
	int rc;

	if (!name || name->kind != YCONF_SCALAR || name->len == 0 || memchr(name->value, '\0', name->len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: include_config_file does not name a file",
				c->files[0].path, name ? name->line : 0);
	if (name->value[0] == '/') {
		path = strdup(name->value);
	} else {
		dir = safefs_dirname(req->config);
		path = dir ? safefs_join(dir, name->value) : NULL;
	}
	free(dir);
	if (!path)
		return -ENOMEM;
	rc = ejyml_add_file(c, &req->root, path, listen, d);
	if (rc == -ENOENT)
		rc = diag_set(d, ENOENT, EXIT_DATAERR,
			      "%s:%u: include_config_file names %s, which does not exist (ejabberd would not start)",
			      c->files[0].path, name->line, path);
	free(path);
	return rc;
}

/* The files include_config_file names: a path, a list of them, or a mapping of path to options. */
static int ejyml_includes(struct ejyml_conf *c, const struct server_request *req, struct diag *d)
{
	const struct yconf_node *inc = yconf_map_get(c->files[0].y.root, "include_config_file");
	int rc = 0;

	if (!inc || (inc->kind == YCONF_SCALAR && inc->len == 0))
		return 0;
	if (inc->kind == YCONF_SCALAR)
		return ejyml_include(c, req, inc, NULL, d);
	for (size_t i = 0; rc == 0 && inc->kind == YCONF_SEQ && i < inc->nkids; i++)
		rc = ejyml_include(c, req, inc->kids[i], NULL, d);
	for (size_t i = 0; rc == 0 && inc->kind == YCONF_MAP && i + 1 < inc->nkids; i += 2)
		rc = ejyml_include(c, req, inc->kids[i], inc->kids[i + 1], d);
	if (inc->kind == YCONF_ALIAS)
		rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: include_config_file is an alias; cannot follow it",
			      c->files[0].path, inc->line);
	return rc;
}

/* The value of "CONTRIB_MODULES_CONF_DIR=..." on the line [l, eol), or NULL; *set tells whether the line sets it. */
static char *ejyml_conf_dir_line(const char *l, const char *eol, bool *set)
{
	static const char var[] = "CONTRIB_MODULES_CONF_DIR=";
	const char *p = l + strspn(l, " \t"), *q;
	size_t n;

	*set = false;
	if (strncmp(p, "export ", 7) == 0)
		p += 7 + strspn(p + 7, " \t");
	if ((size_t)(eol - p) < sizeof(var) - 1 || strncmp(p, var, sizeof(var) - 1) != 0)
		return NULL;
	*set = true;
	p += sizeof(var) - 1;
	if (*p == '"' || *p == '\'') {
		q = memchr(p + 1, *p, (size_t)(eol - p - 1));
		if (!q)
			return NULL;
		n = (size_t)(q - p - 1);
		p++;
	} else {
		n = strcspn(p, " \t\n#;");
		if (p + n > eol)
			n = (size_t)(eol - p);
	}
	/* Only a plain absolute path: a shell expansion is not ours to guess. */
	if (n == 0 || p[0] != '/' || memchr(p, '$', n) || memchr(p, '`', n) || memchr(p, '\\', n))
		return NULL;
	return strndup(p, n);
}

#define EJYML_WHAT_DROPINS "which drop-in files ejabberd reads"

/*
 * CONTRIB_MODULES_CONF_DIR as ejabberdctl sets it from ejabberdctl.cfg beside
 * the config: *RET is NULL when it is unset or the file is absent.  A file
 * there that cannot be read, or a value that is not a plain path, is refused:
 * guessing "no drop-ins" would declare every port twice.
 */
static int ejyml_modules_dir(const struct server_request *req, char **ret, struct diag *d)
{
	struct buf cfg = BUF_INIT;
	char *dir = safefs_dirname(req->config), *path = dir ? safefs_join(dir, "ejabberdctl.cfg") : NULL;
	unsigned line = 0, bad = 0;
	int rc;

	*ret = NULL;
	rc = path ? adapter_fs_probe(&req->root, path, O_RDONLY, EJYML_WHAT_DROPINS, d) : -ENOMEM;
	if (rc == 0)
		rc = safefs_read_file(&req->root, path, &cfg, d);
	for (const char *l = buf_str(&cfg); rc == 0 && *l;) {
		const char *eol = strchrnul(l, '\n');
		bool set;
		char *v = ejyml_conf_dir_line(l, eol, &set);
		line++;
		if (set) {
			/* the last assignment wins, as in the shell */
			free(*ret);
			*ret = v;
			bad = v ? 0 : line;
		}
		l = *eol ? eol + 1 : eol;
	}
	if (rc == 0 && bad)
		rc = diag_set(d, EINVAL, EXIT_DATAERR,
			      "%s:%u: CONTRIB_MODULES_CONF_DIR is not a plain absolute path; cannot tell " EJYML_WHAT_DROPINS,
			      path, bad);
	if (rc == -ENOENT)
		rc = 0;
	if (rc < 0) {
		free(*ret);
		*ret = NULL;
	}
	buf_free(&cfg);
	free(path);
	free(dir);
	return rc;
}

static bool ejyml_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* The drop-in directory ejabberd reads, and every YAML file in it. */
static int ejyml_dropins(struct ejyml_conf *c, const struct server_request *req, struct diag *d)
{
	struct strv names = STRV_INIT;
	char *dir = NULL;
	int rc = 0;

	c->dropin = SIZE_MAX;
	/* ejabberd reads the drop-ins only after a YAML main file (read_file/2) */
	if (!ejyml_has_suffix(req->config, ".yml") && !ejyml_has_suffix(req->config, ".yaml"))
		return 0;
	rc = ejyml_modules_dir(req, &dir, d);
	/* A directory that is not there is read as empty by ejabberd; one we cannot reach is refused. */
	if (rc == 0 && dir)
		rc = adapter_fs_probe(&req->root, dir, O_PATH | O_DIRECTORY, EJYML_WHAT_DROPINS, d);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0 || !dir)
		goto out;
	/* One file for every listener of ours: each port in it once, so no two files share an ip:port. */
	c->dropin_path = safefs_join(dir, EJYML_DROPIN_NAME);
	rc = c->dropin_path ? safefs_list_dir(&req->root, dir, &names, d) : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *path;
		if (names.v[i][0] == '.' || (!ejyml_has_suffix(names.v[i], ".yml") && !ejyml_has_suffix(names.v[i], ".yaml")))
			continue;
		path = safefs_join(dir, names.v[i]);
		rc = path ? ejyml_add_file(c, &req->root, path, true, d) : -ENOMEM;
		if (rc == 0 && strcmp(path, c->dropin_path) == 0)
			c->dropin = c->nfiles - 1;
		else if (rc == 0)
			c->files[c->nfiles - 1].ours = false; /* our marker counts in our file only */
		free(path);
	}
out:
	strv_free(&names);
	free(dir);
	return rc;
}

/* A port or ip value, through define_macro when it names a macro. */
static const struct yconf_node *ejyml_macro(const struct ejyml_conf *c, const struct yconf_node *n)
{
	const struct yconf_node *m = yconf_map_get(yconf_map_get(c->files[0].y.root, "define_macro"), n ? n->value : "");
	return n && n->kind == YCONF_SCALAR && n->style == YCONF_PLAIN && m && m->kind == YCONF_SCALAR ? m : n;
}

/* Does the listener's address take EJABBERD_IP's port too?  An address that is no literal counts as yes. */
static void ejyml_address(struct ejyml_listener *l, const struct yconf_node *ip)
{
	unsigned char a[16];
	const char *v = ip && ip->kind == YCONF_SCALAR ? ip->value : NULL;
	bool v4 = v && inet_pton(AF_INET, v, a) == 1, v6 = v && inet_pton(AF_INET6, v, a) == 1;

	l->overlaps = !v || !(v4 || v6) || strcmp(v, "0.0.0.0") == 0 || strcmp(v, "::") == 0 ||
		      strcmp(v, EJABBERD_IP) == 0 || strcmp(v, "::ffff:127.0.0.1") == 0;
	snprintf(l->ip, sizeof(l->ip), "%s", (v4 || v6) && strcmp(v, "0.0.0.0") != 0 && strcmp(v, "::") != 0 ? v : "");
	if (v && strcmp(v, "::") == 0)
		snprintf(l->connect_ip, sizeof(l->connect_ip), "::1");
	else if (v && (v4 || v6) && strcmp(v, "0.0.0.0") != 0)
		snprintf(l->connect_ip, sizeof(l->connect_ip), "%s", v);
	else
		snprintf(l->connect_ip, sizeof(l->connect_ip), EJABBERD_IP);
}

static int ejyml_add_host(struct ejyml_conf *c, size_t li, const struct yconf_node *key,
			  const struct yconf_node *value, struct diag *d)
{
	const struct ejyml_listener *l = &c->ls[li];
	const struct ejyml_file *f = &c->files[l->file];
	struct ejyml_host *h;
	char name[254];

	if (!key || key->kind != YCONF_SCALAR || key->len == 0 || key->len >= sizeof(name) ||
	    memchr(key->value, '\0', key->len))
		return 0;
	memcpy(name, key->value, key->len + 1);
	/* no domain holds these: a host written so is not one we can tell apart from another */
	for (size_t i = 0; i < key->len; i++)
		if ((unsigned char)name[i] <= ' ' || name[i] == 0x7f || strchr("\"'\\", name[i]))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a component host with a blank, a quote, a "
				      "backslash or a control character", f->path, key->line);
	if (validate_host(name))
		return 0; /* "push.@HOST@" and the like: the admin's, never one of ours */
	h = grow_one(c->hs, c->nhs, sizeof(*h));
	if (!h)
		return -ENOMEM;
	c->hs = h;
	h = &c->hs[c->nhs++];
	*h = (struct ejyml_host){ .listener = li, .key = key, .value = value };
	memcpy(h->name, name, sizeof(name));
	h->password = value && value->kind == YCONF_MAP ? yconf_map_get(value, "password") : NULL;
	h->ours = f->ours || l->ours || ejyml_marked(f, key->start);
	return 0;
}

static int ejyml_listener(struct ejyml_conf *c, size_t fi, const struct yconf_node *lkey,
			  const struct yconf_node *seq, const struct yconf_node *item, struct diag *d)
{
	const struct ejyml_file *f = &c->files[fi];
	const struct yconf_node *port, *mod, *tr;
	struct ejyml_listener *l;
	size_t li;
	int rc = 0;

	if (item->kind != YCONF_MAP)
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: a listen item that is not a mapping of options",
				f->path, item->line);
	l = grow_one(c->ls, c->nls, sizeof(*l));
	if (!l)
		return -ENOMEM;
	c->ls = l;
	li = c->nls++;
	l = &c->ls[li];
	*l = (struct ejyml_listener){ .file = fi, .key = lkey, .seq = seq, .item = item };
	port = ejyml_macro(c, yconf_map_get(item, "port"));
	tr = ejyml_macro(c, yconf_map_get(item, "transport"));
	mod = yconf_map_get(item, "module");
	l->port_known = yconf_uint(port, &l->port) && l->port > 0 && l->port < 65536;
	/* a unix socket or a UDP port never collides with a TCP port of ours */
	l->tcp = !yconf_is(tr, "udp") && !(port && port->kind == YCONF_SCALAR && strncmp(port->value, "unix:", 5) == 0);
	ejyml_address(l, ejyml_macro(c, yconf_map_get(item, "ip")));
	l->module = mod && mod->kind == YCONF_SCALAR ? mod->value : "";
	l->service = strcmp(l->module, "ejabberd_service") == 0;
	l->ours = f->ours || ejyml_marked(f, item->start);
	l->hosts = yconf_map_get(item, "hosts");
	l->global_routes = yconf_map_get(item, "global_routes");
	if (!l->service || !l->hosts)
		return 0;
	const struct yconf_node *hosts = l->hosts;
	for (size_t i = 0; rc == 0 && hosts->kind == YCONF_MAP && i + 1 < hosts->nkids; i += 2)
		rc = ejyml_add_host(c, li, hosts->kids[i], hosts->kids[i + 1], d);
	/* The list-of-maps form (refused by ejabberd 23.01: "Expected map"): still the admin's hosts. */
	for (size_t i = 0; rc == 0 && hosts->kind == YCONF_SEQ && i < hosts->nkids; i++)
		if (hosts->kids[i]->kind == YCONF_MAP && hosts->kids[i]->nkids == 2)
			rc = ejyml_add_host(c, li, hosts->kids[i]->kids[0], hosts->kids[i]->kids[1], d);
	return rc;
}

static int ejyml_listeners(struct ejyml_conf *c, size_t fi, struct diag *d)
{
	const struct ejyml_file *f = &c->files[fi];
	const struct yconf_node *root = f->y.root;
	int rc = 0;

	for (size_t i = 0; rc == 0 && f->listen && root && i + 1 < root->nkids; i += 2) {
		const struct yconf_node *v = root->kids[i + 1];
		if (!yconf_is(root->kids[i], "listen") || (v->kind == YCONF_SCALAR && v->len == 0 && v->style == YCONF_PLAIN))
			continue;
		if (v->kind != YCONF_SEQ)
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: listen is not a list of listeners", f->path,
					v->line);
		for (size_t k = 0; rc == 0 && k < v->nkids; k++)
			rc = ejyml_listener(c, fi, root->kids[i], v, v->kids[k], d);
	}
	return rc;
}

/* Commented-out host keys ("#      irc.example.org:") in whole-line comments: the admin's exclusions. */
static int ejyml_exclusions(struct ejyml_conf *c, size_t fi)
{
	const struct ejyml_file *f = &c->files[fi];

	for (size_t i = 0; i < f->y.ncomments; i++) {
		const struct yconf_comment *cm = &f->y.comments[i];
		const char *p = f->text.data + cm->start, *e = f->text.data + cm->end, *h;
		char name[254], q = 0;
		struct ejyml_excl *x;
		size_t n;

		if (!cm->whole_line)
			continue;
		while (p < e && (*p == '#' || *p == ' ' || *p == '\t'))
			p++;
		if (e - p > 2 && p[0] == '-' && p[1] == ' ')
			p += 2 + strspn(p + 2, " ");
		if (p < e && (*p == '"' || *p == '\''))
			q = *p++;
		h = p;
		while (p < e && (strchr(".-", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				 (*p >= '0' && *p <= '9')))
			p++;
		n = (size_t)(p - h);
		if (q && p < e && *p == q)
			p++;
		/* a key with a dot: "# loglevel: info" and "# hosts: Domains served" are prose, not exclusions */
		if (n == 0 || n >= sizeof(name) || !memchr(h, '.', n) || p >= e || *p != ':' ||
		    (p + 1 < e && p[1] != ' ' && p[1] != '\t'))
			continue;
		memcpy(name, h, n);
		name[n] = '\0';
		if (validate_host(name))
			continue;
		x = grow_one(c->ex, c->nex, sizeof(*x));
		if (!x)
			return -ENOMEM;
		c->ex = x;
		x = &c->ex[c->nex++];
		*x = (struct ejyml_excl){ .file = fi, .line = cm->line };
		memcpy(x->name, name, sizeof(name));
		x->ours = f->ours || memmem(p, (size_t)(e - p), EJABBERD_MARK, strlen(EJABBERD_MARK)) != NULL;
	}
	return 0;
}

int ejyml_load(const struct server_request *req, const char *path, struct ejyml_conf *c, struct diag *d)
{
	int rc = ejyml_add_file(c, &req->root, path, true, d);

	if (rc == -ENOENT)
		return diag_set(d, ENOENT, EXIT_NOINPUT, "%s: no such file", path);
	if (rc == 0)
		c->files[0].ours = false;
	if (rc == 0)
		rc = ejyml_includes(c, req, d);
	if (rc == 0)
		rc = ejyml_dropins(c, req, d);
	for (size_t i = 0; rc == 0 && i < c->nfiles; i++)
		rc = ejyml_listeners(c, i, d);
	for (size_t i = 0; rc == 0 && i < c->nfiles; i++)
		rc = ejyml_exclusions(c, i);
	return rc;
}

/* ---------------------------------------------------------------- edits */

int ejyml_edit(struct ejyml_edits *e, size_t file, size_t start, size_t end, const char *text, size_t len)
{
	struct ejyml_edit *v = grow_one(e->v, e->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->v = v;
	v = &e->v[e->n];
	*v = (struct ejyml_edit){ .file = file, .start = start, .end = end, .seq = e->n, .text = BUF_INIT };
	if (buf_append(&v->text, text ? text : "", len) < 0)
		return -ENOMEM;
	e->n++;
	return 0;
}

void ejyml_edits_free(struct ejyml_edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		buf_free(&e->v[i].text);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* Remove the lines of [start, end) but the whole-line comments among them: they may hold exclusions. */
int ejyml_cut_lines(struct ejyml_edits *e, const struct ejyml_file *f, size_t fi, size_t start, size_t end)
{
	size_t ci = 0, from = start;
	int rc = 0;

	for (size_t ls = start; ls < end && rc == 0;) {
		size_t le = yconf_line_end(f->text.data, f->text.len, ls);
		while (ci < f->y.ncomments && f->y.comments[ci].start < ls)
			ci++;
		if (ci < f->y.ncomments && f->y.comments[ci].whole_line && f->y.comments[ci].start < le) {
			if (from < ls)
				rc = ejyml_edit(e, fi, from, ls, "", 0);
			from = le;
		}
		ls = le;
	}
	if (rc == 0 && from < end)
		rc = ejyml_edit(e, fi, from, end, "", 0);
	return rc;
}

static int ejyml_edit_cmp(const void *a, const void *b)
{
	const struct ejyml_edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The text of file FI with its edits applied.  Removals that overlap or
 * touch merge into one (a listener's cut takes in its hosts' cuts); an
 * insertion inside a removal is a bug, never a guess: -EINVAL.
 */
int ejyml_apply_edits(struct ejyml_edits *e, const struct ejyml_file *f, size_t fi, struct buf *out)
{
	struct ejyml_edit *v = NULL;
	size_t n = 0, pos = 0;
	int rc = 0;

	qsort(e->v, e->n, sizeof(*e->v), ejyml_edit_cmp);
	v = calloc(e->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < e->n; i++) {
		const struct ejyml_edit *x = &e->v[i];
		if (x->file != fi)
			continue;
		bool cuts = n && !x->text.len && !v[n - 1].text.len;
		if (n && (x->start < v[n - 1].end || (cuts && x->start == v[n - 1].end))) {
			if (!cuts) {
				rc = -EINVAL;
				goto out;
			}
			if (x->end > v[n - 1].end)
				v[n - 1].end = x->end;
			continue;
		}
		v[n++] = *x; /* borrows the text */
	}
	/*
	 * Our lines at the end of a file without a final newline came after a
	 * line break of ours (ejops_insert): it goes with them.
	 */
	if (n && v[n - 1].end == f->text.len && !v[n - 1].text.len && f->text.len && f->text.data[f->text.len - 1] != '\n' &&
	    v[n - 1].start > 0 && f->text.data[v[n - 1].start - 1] == '\n' && (n == 1 || v[n - 2].end < v[n - 1].start - 1)) {
		v[n - 1].start--;
		if (v[n - 1].start > 0 && f->text.data[v[n - 1].start - 1] == '\r' && (n == 1 || v[n - 2].end < v[n - 1].start - 1))
			v[n - 1].start--;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (v[i].start < pos || v[i].end > f->text.len) {
			rc = -EINVAL;
			break;
		}
		rc = buf_append(out, f->text.data + pos, v[i].start - pos);
		if (rc == 0)
			rc = buf_append(out, buf_str(&v[i].text), v[i].text.len);
		pos = v[i].end;
	}
	if (rc == 0)
		rc = buf_append(out, f->text.data + pos, f->text.len - pos);
out:
	free(v);
	return rc;
}
