/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport-init: a transport's first config, from its package's template, at postinstall. */
#include "atomic.h"
#include "audit.h"
#include "ctx.h"
#include "exitcode.h"
#include "ids.h"
#include "layout.h"
#include "registry.h"
#include "report.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/*
 * The secret is drawn uniformly from [A-Za-z0-9] (randombytes_uniform, no
 * modulo bias): no character needs quoting or escaping in any syntax a
 * template may use (XML, Lua, YAML, INI with configparser's %-interpolation,
 * Spectrum's $-expansion, kamailio strings), and each carries log2(62) = 5.95
 * bits.  32 characters: 190 bits.  Below 22 characters (128 bits) a warning
 * is printed: only for a transport that cannot handle longer ones
 * (mu-conference 0.8 hashes stream id + secret wrongly beyond 55 bytes).
 */
#define TINIT_SECRET_DEFAULT 32
#define TINIT_SECRET_MIN 16
#define TINIT_SECRET_MAX 128
#define TINIT_SECRET_128 22
#define TINIT_SECRET_FLOOR 12 /* below it not even a transport's own limit makes a generated secret acceptable */

#define TINIT_FILE_MODE 0640
#define TINIT_DIR_MODE 0750

struct tinit_opts {
	const char *package;
	const char *template_path, *output;
	const char *host, *domain, *server;
	const char *group, *dirs;
	const char *secret_length_arg;
	unsigned secret_length;
	bool print_secret, dry_run, registry;
};

/* The values a template's placeholders stand for. */
struct tinit_values {
	char host[254];
	char domain[254];
	char port[8];
	const char *server;
	const char *package;
	struct buf secret; /* sensitive */
};

static const struct cli_option tinit_options[] = {
	{ "template", 0, CLI_VALUE, offsetof(struct tinit_opts, template_path), 0, "FILE", "the package's config template (absolute); without it, the adapter fills in the stock config" },
	{ "output", 0, CLI_VALUE, offsetof(struct tinit_opts, output), 0, "FILE", "the config to generate (absolute); kept if it exists" },
	{ "host", 0, CLI_VALUE, offsetof(struct tinit_opts, host), 0, "HOST", "the component's domain (default: registry prefix + domain)" },
	{ "domain", 0, CLI_VALUE, offsetof(struct tinit_opts, domain), 0, "DOMAIN", "the server's domain (default: the machine's name)" },
	{ "server", 0, CLI_VALUE, offsetof(struct tinit_opts, server), 0, "ADDRESS", "the server's address for @SERVER@ (127.0.0.1)" },
	{ "group", 0, CLI_VALUE, offsetof(struct tinit_opts, group), 0, "GROUP", "the group of the generated file" },
	{ "dirs", 0, CLI_VALUE, offsetof(struct tinit_opts, dirs), 0, "USER:GROUP", "create /var/{log,lib,spool}/PACKAGE owned so" },
	{ "secret-length", 0, CLI_VALUE, offsetof(struct tinit_opts, secret_length_arg), 0, "N", "characters of the secret (32)" },
	{ "print-secret", 0, CLI_FLAG, offsetof(struct tinit_opts, print_secret), 0, NULL, "print the secret last, alone on its line" },
	{ "registry", 0, CLI_FLAG, offsetof(struct tinit_opts, registry), 0, NULL, "list the transport registry instead" },
	{ NULL },
};

/* What getopt cannot check: which options go together. */
static int tinit_check(struct tinit_opts *o)
{
	if (o->registry)
		return 0;
	if (!o->package || !o->template_path != !o->output) {
		ctx_error("transport-init: PACKAGE is required, and --template goes with --output; see jabber-dispatch "
			  "transport-init --help");
		return -EINVAL;
	}
	if (!o->template_path && (o->dirs || o->group || o->dry_run || o->print_secret)) {
		ctx_error("transport-init: --dirs, --group, --dry-run and --print-secret go with --template");
		return -EINVAL;
	}
	if (o->template_path && (o->template_path[0] != '/' || o->output[0] != '/')) {
		ctx_error("transport-init: --template and --output take absolute paths");
		return -EINVAL;
	}
	if (o->host && o->domain) {
		ctx_error("transport-init: --host and --domain exclude each other");
		return -EINVAL;
	}
	o->secret_length = TINIT_SECRET_DEFAULT;
	if (o->secret_length_arg) {
		char *end;
		unsigned long n = strtoul(o->secret_length_arg, &end, 10);
		if (*end || !*o->secret_length_arg || n < TINIT_SECRET_MIN || n > TINIT_SECRET_MAX) {
			ctx_error("transport-init: --secret-length takes a number of characters from %d to %d",
				  TINIT_SECRET_MIN, TINIT_SECRET_MAX);
			return -EINVAL;
		}
		o->secret_length = (unsigned)n;
		if (n < TINIT_SECRET_128)
			ctx_error("warning: a secret of %lu characters holds %lu bits, less than 128: use it only for a "
				  "transport that cannot take a longer one",
				  n, n * 595 / 100);
	}
	return 0;
}

/*
 * The machine's fully qualified name, as `hostname -f` finds it: the node
 * name, canonicalised by the resolver when it knows a longer one.  Under
 * --root this is still the running machine's: a root is a tree of files,
 * not a machine with a name of its own.
 */
static int tinit_fqdn(char *out, size_t len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_CANONNAME }, *res = NULL;
	char node[256];

	if (gethostname(node, sizeof(node)) < 0)
		return -errno;
	node[sizeof(node) - 1] = '\0';
	if (strlen(node) >= len)
		return -ENAMETOOLONG;
	memcpy(out, node, strlen(node) + 1);
	if (getaddrinfo(node, NULL, &hints, &res) == 0) {
		if (res && res->ai_canonname && strchr(res->ai_canonname, '.') && strlen(res->ai_canonname) < len)
			snprintf(out, len, "%s", res->ai_canonname);
		freeaddrinfo(res);
	}
	return 0;
}

static int tinit_values(const struct tinit_opts *o, const struct registry_entry *e, struct tinit_values *v)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	const char *why;
	int rc;

	v->server = o->server ? o->server : "127.0.0.1";
	v->package = o->package;
	snprintf(v->port, sizeof(v->port), "%u", e->port);
	if (o->domain && strlen(o->domain) < sizeof(v->domain))
		snprintf(v->domain, sizeof(v->domain), "%s", o->domain);
	else if (!o->domain && (rc = tinit_fqdn(v->domain, sizeof(v->domain))) < 0) {
		ctx_error("transport-init: cannot get the machine's name: %s", strerror(-rc));
		return EXIT_OSERR;
	}
	if ((why = validate_host(v->domain))) {
		ctx_error("transport-init: the domain \"%.60s\" is %s%s", v->domain, why,
			  o->domain ? "" : " (the machine's name; pass --domain or --host)");
		return EXIT_USAGE;
	}
	if (o->host) {
		if (strlen(o->host) >= sizeof(v->host)) {
			ctx_error("transport-init: --host is longer than 253 bytes");
			return EXIT_USAGE;
		}
		snprintf(v->host, sizeof(v->host), "%s", o->host);
	} else if ((size_t)snprintf(v->host, sizeof(v->host), "%s.%s", e->prefix, v->domain) >= sizeof(v->host)) {
		ctx_error("transport-init: %s.%s is longer than 253 bytes", e->prefix, v->domain);
		return EXIT_USAGE;
	}
	if ((why = validate_host(v->host))) {
		ctx_error("transport-init: the component domain \"%.60s\" is %s", v->host, why);
		return EXIT_USAGE;
	}
	if (buf_reserve(&v->secret, o->secret_length) < 0)
		return EXIT_OSERR;
	for (unsigned i = 0; i < o->secret_length; i++)
		v->secret.data[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	v->secret.len = o->secret_length;
	v->secret.data[v->secret.len] = '\0';
	return EXIT_OK;
}

/*
 * Fill in TEXT's placeholders into OUT.  @HOST@, @PORT@ and @SECRET@ must
 * each occur: a config without them would not be what the seed promises.  An
 * unknown @WORD@ in capitals is refused, so a typo never reaches a config.
 */
static int tinit_fill(const char *path, const char *text, size_t len, const struct tinit_values *v, struct buf *out,
		      struct diag *d)
{
	const struct {
		const char *word;
		const char *value;
	} subst[] = {
		{ "@HOST@", v->host },	     { "@PORT@", v->port },	  { "@SECRET@", buf_str(&v->secret) },
		{ "@SERVER@", v->server }, { "@DOMAIN@", v->domain }, { "@PACKAGE@", v->package },
	};
	unsigned used = 0, line = 1;
	size_t i = 0;
	int rc = 0;

	if (memchr(text, '\0', len))
		return diag_set(d, EBADMSG, EXIT_DATAERR, "%s: contains a NUL byte", path);
	while (i < len && rc == 0) {
		size_t k, w = 1;
		if (text[i] == '\n')
			line++;
		if (text[i] != '@') {
			rc = buf_putc(out, text[i++]);
			continue;
		}
		while (i + w < len && ((text[i + w] >= 'A' && text[i + w] <= 'Z') || text[i + w] == '_'))
			w++;
		if (w == 1 || i + w >= len || text[i + w] != '@') {
			rc = buf_putc(out, text[i++]); /* an '@' of an address, not a placeholder */
			continue;
		}
		w++;
		for (k = 0; k < sizeof(subst) / sizeof(*subst); k++)
			if (strlen(subst[k].word) == w && memcmp(text + i, subst[k].word, w) == 0)
				break;
		if (k == sizeof(subst) / sizeof(*subst))
			return diag_set(d, EBADMSG, EXIT_DATAERR, "%s:%u: unknown placeholder %.*s", path, line, (int)w,
					text + i);
		used |= 1u << k;
		rc = buf_puts(out, subst[k].value);
		i += w;
	}
	for (size_t k = 0; rc == 0 && k < 3; k++)
		if (!(used & (1u << k)))
			rc = diag_set(d, EBADMSG, EXIT_DATAERR, "%s: the template has no %s placeholder", path,
				      subst[k].word);
	return rc;
}

/*
 * The seed's per-package directories, /var/{log,lib,spool}/PACKAGE, created
 * USER:GROUP 0750 when missing.  One that exists is left as it is: its owner
 * and mode are the admin's or the package's business from then on.  Made by
 * `layout` (lib/core/layout.c): no symlink followed, no unsafe ownership
 * transition, the owner set on the opened directory.
 */
static int tinit_dirs(struct ctx *ctx, const char *package, const char *spec, bool dry_run)
{
	struct layout_spec spec_l;
	struct layout_report rep;
	struct diag d = DIAG_INIT;
	char user[64];
	int rc;
	const char *colon = strchr(spec, ':');
	uid_t uid;
	gid_t gid;

	if (!colon || (size_t)(colon - spec) >= sizeof(user) || colon == spec || !colon[1]) {
		ctx_error("transport-init: --dirs takes USER:GROUP");
		return EXIT_USAGE;
	}
	snprintf(user, sizeof(user), "%.*s", (int)(colon - spec), spec);
	if (ids_resolve_user(user, &uid, NULL) < 0 || ids_resolve_group(colon + 1, &gid) < 0) {
		ctx_error("transport-init: --dirs=%.100s: no such user or group on this machine", spec);
		return EXIT_USAGE;
	}
	spec_l = (struct layout_spec){ .uid = uid, .gid = gid, .mode = TINIT_DIR_MODE, .keep_existing = true };
	memset(&rep, 0, sizeof(rep));
	rc = layout_apply(&ctx->root, package, &spec_l, dry_run, &rep, &d);
	for (size_t i = 0; i < LAYOUT_NDIRS; i++) {
		if (!rep.v[i].path[0])
			continue;
		if (rep.v[i].action == LAYOUT_CREATED)
			printf("%s: %s (%s:%s %o)\n", rep.v[i].path, dry_run ? "would be created" : "created", user,
			       colon + 1, TINIT_DIR_MODE);
		else
			printf("%s: exists, kept\n", rep.v[i].path);
	}
	if (rc < 0) {
		ctx_error("%s", diag_is_set(&d) ? d.msg : strerror(-rc));
		return d.exit_code ? d.exit_code : EXIT_CANTCREAT;
	}
	return EXIT_OK;
}

static void tinit_registry_json(const struct registry *reg, struct buf *out)
{
	report_json_begin(out, "transport-init");
	buf_puts(out, ",\"registry\":[");
	for (size_t i = 0; i < reg->n; i++) {
		const struct registry_entry *e = &reg->v[i];
		buf_puts(out, i ? ",{\"package\":" : "{\"package\":");
		report_json_str(out, e->package);
		buf_printf(out, ",\"port\":%u,\"prefix\":", e->port);
		report_json_str(out, e->prefix);
		buf_puts(out, ",\"file\":");
		report_json_str(out, e->file);
		buf_printf(out, ",\"line\":%u,\"override\":%s}", e->line, e->overrides ? "true" : "false");
	}
	buf_puts(out, "]}\n");
}

static void tinit_registry_text(const struct registry *reg, struct buf *out)
{
	static const size_t min[] = { 24, 14 };
	struct report_columns c;

	report_columns_init(&c, 2, min);
	for (size_t i = 0; i < reg->n; i++) {
		report_columns_see(&c, 0, reg->v[i].package);
		report_columns_see(&c, 1, reg->v[i].prefix);
	}
	for (size_t i = 0; i < reg->n; i++)
		buf_printf(out, "%-*s %5u  %-*s %s:%u%s\n", (int)c.width[0], reg->v[i].package, reg->v[i].port,
			   (int)c.width[1], reg->v[i].prefix, reg->v[i].file, reg->v[i].line,
			   reg->v[i].overrides ? " (override)" : "");
}

static int tinit_list_registry(struct ctx *ctx)
{
	struct registry reg = REGISTRY_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	if (registry_load(&ctx->root, &reg, &d) < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_DATAERR;
	}
	if (ctx->json)
		tinit_registry_json(&reg, &out);
	else
		tinit_registry_text(&reg, &out);
	report_flush(&out);
	registry_free(&reg);
	return EXIT_OK;
}

/* After the commit: the group asked for must really be the file's (an unprivileged chown fails quietly). */
static int tinit_check_group(struct ctx *ctx, const char *path, gid_t gid)
{
	struct diag d = DIAG_INIT;
	struct stat st;
	int fd, rc;

	rc = safefs_open_read(&ctx->root, path, O_PATH | O_NOFOLLOW, &fd, &d);
	if (rc < 0)
		return rc;
	rc = fstat(fd, &st) < 0 ? -errno : st.st_gid == gid ? 0 : -EPERM;
	close(fd);
	return rc;
}

/* The usable transport adapter named after PACKAGE, probed; NULL when there is none. */
static struct adapter *tinit_find_adapter(struct ctx *ctx, struct adapter_list *l, const char *package)
{
	struct adapter_call call = ctx_call(ctx);
	struct diag d = DIAG_INIT;

	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, l, &d) < 0) {
		ctx_error("%s", d.msg);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, package) == 0 && adapter_usable(&l->v[i])) {
			adapter_probe(&call, &l->v[i]);
			return &l->v[i];
		}
	return NULL;
}

/*
 * No template: the package shipped its config unfinished (Debian's biboumi:
 * "hostname=" and "password=" empty).  Its adapter fills in what is unset,
 * every other line kept, then one sync wires it into every server.  Only
 * ever run by the admin: the file is the transport package's conffile.
 */
static int tinit_fill_stock(struct ctx *ctx, const struct tinit_opts *o, const struct registry_entry *e,
			    struct tinit_values *v)
{
	struct audit au;
	struct adapter_list l = ADAPTER_LIST_INIT;
	struct adapter_call call = ctx_call(ctx);
	struct server_reply reply = SERVER_REPLY_INIT;
	struct component c = COMPONENT_INIT;
	struct diag d = DIAG_INIT;
	struct adapter *a;
	void *sync_opts = NULL;
	int rc, code;

	audit_init(&au, &ctx->root);
	a = tinit_find_adapter(ctx, &l, o->package);
	if (!a) {
		ctx_error("transport-init: no usable transport adapter %.100s (see jabber-dispatch adapters); give "
			  "--template and --output",
			  o->package);
		code = EXIT_NOINPUT;
		goto out;
	}
	if (!(a->caps & CAP_FILL)) {
		ctx_error("transport-init: the adapter of %s cannot fill in its config (no \"fill\" capability); give "
			  "--template and --output",
			  o->package);
		code = EXIT_USAGE;
		goto out;
	}
	if ((code = tinit_values(o, e, v)) != EXIT_OK)
		goto out;
	rc = transport_fill(&call, a, v->host, e->port, &v->secret, &reply, &d);
	if (rc == 0)
		rc = transport_query(&call, a, &c, &d);
	if (rc < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_UNAVAILABLE;
		goto out;
	}
	printf("%s: %s (%s, port %u)%s\n", o->package,
	       reply.result == RESULT_UPDATED ? "config filled in" : "already configured, kept", c.host, c.port,
	       reply.restart ? "; restart it to use it" : "");
	if (reply.result == RESULT_UPDATED &&
	    audit_log(&au, &d, "transport-init package=%s host=%s port=%u result=filled", o->package, c.host, c.port) < 0)
		ctx_error("%s", d.msg);
	fflush(stdout);
	/* The sync's own options, all defaults: every transport, every server. */
	sync_opts = calloc(1, command_sync.opts_size);
	code = sync_opts ? command_sync.run(ctx, sync_opts, 0, NULL) : EXIT_OSERR;
out:
	free(sync_opts);
	audit_close(&au);
	server_reply_free(&reply);
	component_free(&c);
	adapter_list_free(&l);
	return code;
}

/* Never regenerate: the admin's edits and the secret every server already holds are kept. */
static int tinit_existing(struct ctx *ctx, const char *output, bool *kept)
{
	struct diag d = DIAG_INIT;
	int fd, rc = safefs_open_read(&ctx->root, output, O_PATH | O_NOFOLLOW, &fd, &d);

	*kept = rc == 0;
	if (rc == 0) {
		close(fd);
		printf("%s: exists, kept\n", output);
		return EXIT_OK;
	}
	if (rc != -ENOENT) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_NOINPUT;
	}
	return EXIT_OK;
}

static int tinit_read_template(struct ctx *ctx, const char *path, struct buf *tmpl)
{
	struct diag d = DIAG_INIT;
	int rc = safefs_read_file(&ctx->root, path, tmpl, &d);

	if (rc == -ENOENT) {
		ctx_error("%s: no such template", path);
		return EXIT_NOINPUT;
	}
	if (rc < 0) {
		ctx_error("%s", d.msg);
		return d.exit_code ? d.exit_code : EXIT_NOINPUT;
	}
	return EXIT_OK;
}

/* Write TEXT to the output atomically, 0640 (or show it, secret hidden, with --dry-run), and log it. */
static int tinit_write(struct ctx *ctx, const struct tinit_opts *o, const struct tinit_values *v, unsigned port,
		       const struct buf *text, gid_t gid)
{
	struct changeset cs = CHANGESET_INIT;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	struct audit au;
	int rc, code = EXIT_OK;

	audit_init(&au, &ctx->root);
	rc = changeset_put_mkdir(&cs, o->output, NULL, text->data, text->len, TINIT_FILE_MODE, 0755);
	if (rc == 0 && o->group)
		rc = changeset_set_owner(&cs, o->output, geteuid(), gid);
	if (rc == 0)
		rc = changeset_redact(&cs, buf_str(&v->secret), "<secret>");
	if (rc == 0 && o->dry_run) {
		rc = changeset_diff(&cs, &out);
		if (rc == 0)
			printf("%s: would be generated for %s, port %u\n%s", o->output, v->host, port, buf_str(&out));
		goto out;
	}
	if (rc == 0)
		rc = changeset_commit(&cs, &ctx->root, &d);
	if (rc == 0 && o->group && tinit_check_group(ctx, o->output, gid) < 0) {
		ctx_error("%s: written, but its group could not be set to %s (not running as root?)", o->output, o->group);
		code = EXIT_CANTCREAT;
	}
	if (rc == 0 && audit_log(&au, &d, "transport-init package=%s output=%s host=%s port=%u result=generated",
				 o->package, o->output, v->host, port) < 0)
		ctx_error("%s", d.msg); /* logged or not, the config is there: not a failure */
	if (rc == 0) {
		printf("%s: generated for %s, port %u\n", o->output, v->host, port);
		/* Last, alone on its line: `tail -n 1` in a package script gets it. */
		if (o->print_secret)
			printf("%s\n", buf_str(&v->secret));
	}
out:
	if (rc < 0) {
		ctx_error("%s", diag_is_set(&d) ? d.msg : strerror(-rc));
		code = d.exit_code ? d.exit_code : exitcode_from_errno(rc);
	}
	audit_close(&au);
	changeset_free(&cs);
	buf_free(&out);
	return code;
}

/*
 * The package's own transport adapter may say it takes only short secrets
 * ("secret-max=N": mu-conference's handshake breaks past 55 bytes of stream
 * id + secret).  Without --secret-length the secret then has N characters;
 * a longer --secret-length is the admin's choice, with a warning.
 */
static int tinit_secret_max(struct ctx *ctx, struct tinit_opts *o)
{
	struct adapter_list ts = ADAPTER_LIST_INIT;
	struct adapter_call call = ctx_call(ctx);
	struct diag d = DIAG_INIT;
	unsigned max = 0;

	if (adapter_discover(&ctx->root, ADAPTER_TRANSPORT, &ts, &d) == 0)
		for (size_t i = 0; i < ts.n; i++)
			if (strcmp(ts.v[i].name, o->package) == 0 && adapter_usable(&ts.v[i]) &&
			    adapter_probe(&call, &ts.v[i]) == 0)
				max = ts.v[i].secret_max;
	adapter_list_free(&ts);
	if (!max || o->secret_length <= max)
		return 0;
	if (o->secret_length_arg) {
		ctx_error("warning: transport %s says it takes secrets of at most %u bytes; one of %u may not authenticate "
			  "with every server",
			  o->package, max, o->secret_length);
		return 0;
	}
	if (max < TINIT_SECRET_FLOOR) {
		ctx_error("transport-init: transport %s takes secrets of at most %u bytes: too short to generate a safe one "
			  "(%d at least); write its secret by hand",
			  o->package, max, TINIT_SECRET_FLOOR);
		return -EINVAL;
	}
	o->secret_length = max;
	ctx_error("warning: transport %s takes secrets of at most %u bytes: the generated one holds %u bits", o->package,
		  max, max * 595 / 100);
	return 0;
}

static int run_transport_init(struct ctx *ctx, void *opts, int nargs, char **args)
{
	struct tinit_opts o = *(struct tinit_opts *)opts;
	struct tinit_values v = { .secret = BUF_INIT_SENSITIVE };
	struct registry reg = REGISTRY_INIT;
	struct buf tmpl = BUF_INIT, text = BUF_INIT_SENSITIVE;
	struct diag d = DIAG_INIT;
	const struct registry_entry *e;
	gid_t gid = 0;
	bool kept = false;
	int rc, code = EXIT_OK;

	o.package = nargs > 0 ? args[0] : NULL;
	o.dry_run = ctx->dry_run;
	if (tinit_check(&o) < 0)
		return EXIT_USAGE;
	if (o.registry)
		return tinit_list_registry(ctx);
	if (o.group && ids_resolve_group(o.group, &gid) < 0) {
		ctx_error("transport-init: --group=%.60s: no such group on this machine", o.group);
		return EXIT_USAGE;
	}
	if (registry_load(&ctx->root, &reg, &d) < 0) {
		ctx_error("%s", d.msg);
		code = d.exit_code ? d.exit_code : EXIT_DATAERR;
		goto out;
	}
	e = registry_find(&reg, o.package);
	if (!e) {
		ctx_error("transport-init: %.100s is not in the transport registry (%s, %s/, %s/): it has no port "
			  "or prefix assigned",
			  o.package, REGISTRY_VENDOR_FILE, REGISTRY_VENDOR_DIR, REGISTRY_ADMIN_DIR);
		code = EXIT_DATAERR;
		goto out;
	}
	if (tinit_secret_max(ctx, &o) < 0) {
		code = EXIT_DATAERR;
		goto out;
	}
	if (!o.template_path) {
		code = tinit_fill_stock(ctx, &o, e, &v);
		goto out;
	}
	/* The directories first: a config that names them is then never there without them. */
	if (o.dirs && (code = tinit_dirs(ctx, o.package, o.dirs, o.dry_run)) != EXIT_OK)
		goto out;
	if ((code = tinit_existing(ctx, o.output, &kept)) != EXIT_OK || kept)
		goto out;
	if ((code = tinit_read_template(ctx, o.template_path, &tmpl)) != EXIT_OK)
		goto out;
	if ((code = tinit_values(&o, e, &v)) != EXIT_OK)
		goto out;
	if ((rc = tinit_fill(o.template_path, buf_str(&tmpl), tmpl.len, &v, &text, &d)) < 0) {
		ctx_error("%s", diag_is_set(&d) ? d.msg : strerror(-rc));
		code = d.exit_code ? d.exit_code : exitcode_from_errno(rc);
		goto out;
	}
	code = tinit_write(ctx, &o, &v, e->port, &text, gid);
out:
	registry_free(&reg);
	buf_free(&tmpl);
	buf_free(&text);
	buf_free(&v.secret);
	return code;
}

const struct command command_transport_init = {
	.name = "transport-init",
	.args = "PACKAGE",
	.min_args = 0,
	.max_args = 1,
	.flags = CMD_ROOT | CMD_LOCK,
	.summary = "a transport's first config: from its package's template, or its stock config filled in",
	.options = tinit_options,
	.opts_size = sizeof(struct tinit_opts),
	.run = run_transport_init,
};
