// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfw command line: a table of verbs, each a do_<verb>() that gets its
 * positional arguments and the options the table allows it.
 * Exit status: 0 success, 1 failure, 2 usage error, 3 load --config loaded
 * the last good policy (the configured one does not parse).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "apply.h"
#include "cli.h"
#include "guard.h"
#include "import.h"
#include "loader.h"
#include "output.h"
#include "policy.h"
#include "state.h"
#include "util.h"

#ifndef XDPFW_VERSION
#define XDPFW_VERSION "unknown" /* the Makefile passes debian/changelog's */
#endif

#define EXIT_HELP (-2) /* parse_args: --help printed the usage, nothing to run */

enum opt_bits {
	OPT_POLICY = 1 << 0,
	OPT_MODE = 1 << 1,
	OPT_JSON = 1 << 2,
	OPT_PROMETHEUS = 1 << 3,
	OPT_INTERVAL = 1 << 4,
	OPT_COUNT = 1 << 5,
	OPT_TOP = 1 << 6,
	OPT_RESET = 1 << 7,
	OPT_SECONDS = 1 << 8,
	OPT_OUTPUT = 1 << 9,
	OPT_CONFIG = 1 << 10,
	OPT_FORCE = 1 << 11,
	OPT_REPLACE = 1 << 12,
	OPT_CONFIRM = 1 << 13,
	OPT_MULTIPROG = 1 << 14,
	OPT_LOSSY = 1 << 15,
};

/* Longest --interval and --seconds: a day. */
#define MAX_SECONDS 86400.0

struct verb {
	const char *name;
	int (*fn)(const struct args *a);
	unsigned int opts;
	int min_pos, max_pos;
	bool needs_root;
	bool iface; /* the first argument is an interface name */
	const char *usage;
	const char *about;
};

static const struct verb *find_verb(const char *name);

/* A --policy FILE, or the built-in policy when none is given. */
static int policy_from_args(const struct args *a, struct policy *pol)
{
	struct policy_error perr;

	if (!a->policy_file)
		return policy_parse_default(pol);
	if (policy_parse_file(pol, a->policy_file, &perr)) {
		pr_err("%s", perr.msg);
		return -EINVAL;
	}
	return 0;
}

static unsigned int edit_flags(const struct args *a)
{
	return (a->force ? XDPFW_FORCE : 0) | (a->replace ? XDPFW_REPLACE : 0) |
	       (a->multiprog ? XDPFW_MULTIPROG : 0);
}

static int do_load(const struct args *a)
{
	static struct policy pol;
	bool fallback = false;
	int err;

	if (a->config_dir)
		err = state_config_policy(a->config_dir, a->pos[0], &pol, &fallback);
	else
		err = policy_from_args(a, &pol);
	if (err)
		return EXIT_FAIL;
	err = xdpfw_load(a->pos[0], &pol, a->mode, edit_flags(a));
	if (err)
		return EXIT_FAIL;
	return fallback ? EXIT_FALLBACK : EXIT_OK;
}

static int do_unload(const struct args *a)
{
	return from_err(xdpfw_unload(a->pos[0]));
}

/* reload: the policy of --policy FILE, or of --config DIR (no fallback: the live one stays). */
static int do_reload(const struct args *a)
{
	static struct policy pol;
	struct policy_error perr;
	char path[PATH_MAX];

	if (!a->policy_file && !a->config_dir) {
		pr_err("reload: --policy FILE or --config DIR is required");
		return EXIT_USAGE;
	}
	if (a->config_dir) {
		state_config_path(a->config_dir, a->pos[0], path);
		if (policy_parse_file(&pol, path, &perr)) {
			pr_err("%s", perr.msg);
			return EXIT_FAIL;
		}
	} else if (policy_from_args(a, &pol)) {
		return EXIT_FAIL;
	}
	return from_err(xdpfw_edit_policy(a->pos[0], edit_replace, &pol, edit_flags(a)));
}

static int do_apply(const struct args *a)
{
	static struct policy pol;

	if (!a->policy_file) {
		pr_err("apply: --policy FILE is required");
		return EXIT_USAGE;
	}
	if (policy_from_args(a, &pol))
		return EXIT_FAIL;
	return from_err(xdpfw_apply(a->pos[0], &pol, a->confirm ? a->confirm : APPLY_CONFIRM_DEFAULT,
				    edit_flags(a)));
}

static int do_confirm(const struct args *a)
{
	return from_err(xdpfw_confirm(a->pos[0]));
}

struct port_edit {
	enum xdpfw_l4 l4;
	char list[4096];
	bool allow;
};

static int edit_ports(struct policy *live, void *arg)
{
	const struct port_edit *e = arg;
	struct policy_error perr;
	int err;

	err = policy_set_ports(live, e->l4, e->list, e->allow, &perr);
	if (err)
		pr_err("%s", perr.msg);
	return err;
}

/* allow|deny IFACE tcp|udp PORTS...: the ports may come as one list or several words. */
static int do_ports(const struct args *a, bool allow)
{
	struct port_edit e = { .allow = allow };
	size_t len = 0;
	int l4, i;

	l4 = policy_l4_from_name(a->pos[1]);
	if (l4 < 0) {
		pr_err("%s: expected 'tcp' or 'udp', got '%s'", allow ? "allow" : "deny",
		       a->pos[1]);
		return EXIT_USAGE;
	}
	e.l4 = l4;
	for (i = 2; i < a->n_pos; i++) {
		len += snprintf(e.list + len, sizeof(e.list) - len, "%s%s", i > 2 ? "," : "",
				a->pos[i]);
		if (len >= sizeof(e.list)) {
			pr_err("port list too long");
			return EXIT_USAGE;
		}
	}
	return from_err(xdpfw_edit_policy(a->pos[0], edit_ports, &e, edit_flags(a)));
}

static int do_allow(const struct args *a)
{
	return do_ports(a, true);
}

static int do_deny(const struct args *a)
{
	return do_ports(a, false);
}

/* block IFACE add|del PREFIX... | block IFACE list */
static int do_block(const struct args *a)
{
	struct prefix_list l = {};
	struct prefix pfx;
	const char *why;
	bool add;
	int i, err = 0;

	if (!strcmp(a->pos[1], "list")) {
		if (a->n_pos > 2) {
			pr_err("block: nothing after 'list', got '%s'", a->pos[2]);
			return EXIT_USAGE;
		}
		err = xdpfw_block_list(a->pos[0], &l);
		if (!err)
			output_prefixes(a->pos[0], &l, json_output, stdout);
		prefix_list_free(&l);
		return from_err(err);
	}
	add = !strcmp(a->pos[1], "add");
	if (!add && strcmp(a->pos[1], "del")) {
		pr_err("block: expected 'add', 'del' or 'list' after the interface, got '%s'",
		       a->pos[1]);
		return EXIT_USAGE;
	}
	if (a->n_pos < 3) {
		pr_err("block: %s what? (block IFACE %s PREFIX...)", a->pos[1], a->pos[1]);
		return EXIT_USAGE;
	}
	for (i = 2; i < a->n_pos && !err; i++) {
		if (prefix_parse(a->pos[i], strlen(a->pos[i]), &pfx, &why)) {
			pr_err("block: '%s': %s", a->pos[i], why);
			prefix_list_free(&l);
			return EXIT_USAGE;
		}
		err = prefix_list_add(&l, &pfx);
	}
	if (!err && add)
		err = guard_check_block(a->pos[0], &l, a->force);
	if (!err)
		err = xdpfw_block(a->pos[0], &l, add);
	prefix_list_free(&l);
	return from_err(err);
}

/* The whole of FILE, or of standard input for "-": at most max bytes. */
static int read_input(const char *path, size_t max, char **text, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t n = 0, cap = 0;
	char *buf = NULL, *tmp;
	int err = 0;

	if (!f) {
		err = -errno;
		pr_err("%s: %s", path, strerror(-err));
		return err;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			tmp = cap > max + 1 ? NULL : realloc(buf, cap);
			if (!tmp) {
				pr_err("%s: larger than %zu bytes", path, max);
				err = -EFBIG;
				break;
			}
			buf = tmp;
		}
		n += fread(buf + n, 1, cap - n, f);
	} while (!ferror(f) && !feof(f));
	if (!err && ferror(f)) {
		err = -EIO;
		pr_err("%s: read error", path);
	}
	if (f != stdin)
		fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* import iptables|nft [FILE|-]: the policy on stdout, what it cannot express on stderr. */
static int do_import(const struct args *a)
{
	const char *path = a->n_pos > 1 ? a->pos[1] : "-";
	int (*fn)(const char *, size_t, const char *, bool, FILE *, FILE *);
	char *text = NULL;
	size_t len = 0;
	int err;

	if (!strcmp(a->pos[0], "iptables")) {
		fn = import_iptables;
	} else if (!strcmp(a->pos[0], "nft")) {
		fn = import_nft;
	} else {
		pr_err("import: expected 'iptables' or 'nft', got '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	if (read_input(path, IMPORT_MAX_BYTES, &text, &len))
		return EXIT_FAIL;
	err = fn(text, len, strcmp(path, "-") ? path : "stdin", a->lossy, stdout, stderr);
	free(text);
	return from_err(err);
}

/* check FILE: the normalised policy on stdout, what looks like a mistake as warnings. */
static int do_check(const struct args *a)
{
	static struct policy pol;
	struct policy_error perr;
	char *warn = NULL, *line, *next;
	size_t len = 0;
	FILE *w;
	int err;

	w = open_memstream(&warn, &len);
	if (!w)
		return EXIT_FAIL;
	err = policy_parse_file_checked(&pol, a->pos[0], &perr, w);
	fclose(w);
	for (line = warn; !err && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		pr_warn("%s", line);
	}
	free(warn);
	if (err) {
		pr_err("%s", perr.msg);
		return EXIT_FAIL;
	}
	if (json_output)
		output_policy_json(&pol, stdout);
	else
		policy_format(&pol, stdout);
	policy_free(&pol);
	return EXIT_OK;
}

static int do_status(const struct args *a)
{
	struct iface_status *st = NULL;
	size_t n;

	if (xdpfw_status(&st, &n))
		return EXIT_FAIL;
	if (json_output)
		output_status_json(st, n, stdout);
	else
		output_status_table(st, n, stdout);
	free(st);
	return EXIT_OK;
}

static int do_help(const struct args *a);

static int do_version(const struct args *a)
{
	if (json_output)
		output_version_json(XDPFW_VERSION, libbpf_version_string(), stdout);
	else
		printf("xdpfw %s (libbpf %s)\n", XDPFW_VERSION, libbpf_version_string());
	return EXIT_OK;
}

static const struct verb verbs[] = {
	{ "load", do_load,
	  OPT_POLICY | OPT_CONFIG | OPT_MODE | OPT_MULTIPROG | OPT_FORCE | OPT_REPLACE, 1, 1, true,
	  true,
	  "load IFACE [--policy FILE | --config DIR] [--mode auto|native|skb] [--multiprog] "
	  "[--force] [--replace]",
	  "Attach the filter with the built-in policy, FILE's, or the configured one of DIR\n"
	  "(DIR/IFACE.conf, else DIR/xdpfw.conf; when it does not parse, the interface's last\n"
	  "good policy and exit status 3). --replace: when loaded, switch the policy instead.\n"
	  "--multiprog: through libxdp's dispatcher, beside other XDP programs." },
	{ "unload", do_unload, 0, 1, 1, true, true, "unload IFACE",
	  "Detach the filter and remove its pins." },
	{ "reload", do_reload, OPT_POLICY | OPT_CONFIG | OPT_FORCE, 1, 1, true, true,
	  "reload IFACE (--policy FILE | --config DIR) [--force]",
	  "Switch the live policy atomically: every packet sees the old or the new one." },
	{ "apply", do_apply, OPT_POLICY | OPT_CONFIRM | OPT_FORCE, 1, 1, true, true,
	  "apply IFACE --policy FILE [--confirm SECONDS] [--force]",
	  "Switch to FILE's policy; unless 'xdpfw confirm IFACE' comes within SECONDS (30),\n"
	  "a detached process switches back to the previous one." },
	{ "confirm", do_confirm, 0, 1, 1, true, true, "confirm IFACE",
	  "Keep the policy of a pending apply." },
	{ "allow", do_allow, OPT_FORCE, 3, MAX_POS, true, true,
	  "allow IFACE tcp|udp PORTS [--force]", "Open ports on the live policy." },
	{ "deny", do_deny, OPT_FORCE, 3, MAX_POS, true, true, "deny IFACE tcp|udp PORTS [--force]",
	  "Close ports on the live policy; their open connections stay." },
	{ "block", do_block, OPT_JSON | OPT_FORCE, 2, MAX_POS, true, true,
	  "block IFACE add|del PREFIX... [--force] | block IFACE list [--json]",
	  "Change the runtime blocklist, live at once (fail2ban, CrowdSec): kept across\n"
	  "reloads, gone with unload. PREFIX: 198.51.100.7, 203.0.113.0/24, 2001:db8::/32." },
	{ "import", do_import, OPT_LOSSY, 1, 2, false, false, "import iptables|nft [FILE|-] [--lossy]",
	  "Print the policy of an iptables-save / iptables command-line ruleset, or of\n"
	  "'nft -j list ruleset'; what it cannot express exactly is listed with its line,\n"
	  "and the import fails unless --lossy." },
	{ "check", do_check, OPT_JSON, 1, 1, false, false, "check FILE [--json]",
	  "Validate a policy file and print it normalised; warn about rules that are\n"
	  "redundant or shadowed, from-list entries inside the blocklist." },
	{ "status", do_status, OPT_JSON, 0, 0, true, false, "status [--json]",
	  "Every interface with xdpfw: program, mode, policy, a pending apply." },
	{ "stats", do_stats,
	  OPT_JSON | OPT_PROMETHEUS | OPT_INTERVAL | OPT_COUNT | OPT_TOP | OPT_RESET | OPT_OUTPUT, 0,
	  1, true, true,
	  "stats [IFACE] [--json|--prometheus] [--interval SECONDS [--count N]] [--top N] "
	  "[--reset] [--output FILE]",
	  "Counters per open port, service, closed port and reason; rates with --interval." },
	{ "log", do_log, OPT_JSON | OPT_COUNT | OPT_SECONDS, 0, 1, true, true,
	  "log [IFACE] [--json] [--count N] [--seconds SECONDS]",
	  "Follow the rate-limited log of dropped packets." },
	{ "suggest", do_suggest, 0, 1, 1, true, true, "suggest IFACE",
	  "Closed ports knocked on most, as policy lines to consider." },
	{ "conntrack", do_conntrack, OPT_JSON, 1, 2, true, true,
	  "conntrack IFACE [flush] [--json]", "List (or flush) the tracked flows." },
	{ "help", do_help, 0, 0, 1, false, false, "help [VERB]", "Usage of every verb, or of one." },
	{ "version", do_version, OPT_JSON, 0, 0, false, false, "version [--json]",
	  "The version of xdpfw and of libbpf." },
};

#define N_VERBS ARRAY_SIZE(verbs)

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < N_VERBS; i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: xdpfw [-v] VERB [ARGS]\n\nVerbs:\n");
	for (i = 0; i < N_VERBS; i++)
		fprintf(out, "  xdpfw %s\n", verbs[i].usage);
	fprintf(out, "\nPORTS: comma-separated ports and ranges, e.g. 22,25,6000-6010.\n"
		     "'xdpfw help VERB' or 'xdpfw VERB --help' says more; man xdpfw, man xdpfw.conf.\n"
		     "-v shows libbpf messages. Exit status: 0 ok, 1 failure, 2 usage error,\n"
		     "3 load --config fell back to the last good policy.\n");
}

static int do_help(const struct args *a)
{
	const struct verb *v = a->n_pos ? find_verb(a->pos[0]) : NULL;

	if (a->n_pos && !v) {
		pr_err("help: no verb '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	if (v)
		printf("Usage: xdpfw %s\n\n%s\n", v->usage, v->about);
	else
		usage(stdout);
	return EXIT_OK;
}

static int usage_error(const struct verb *v, const char *fmt, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, what);
	pr_err("%s: %s (usage: xdpfw %s)", v->name, msg, v->usage);
	return EXIT_USAGE;
}

static int parse_mode(const char *s, enum attach_mode *mode)
{
	static const char *const names[] = { "auto", "native", "skb" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Seconds in (0, MAX_SECONDS], fractions allowed: "1", "0.5". */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > MAX_SECONDS)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A count in [1, ULONG_MAX / 2]: digits only. */
static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > ULONG_MAX / 2)
		return -EINVAL;
	*out = v;
	return 0;
}

static const struct option long_opts[] = {
	{ "policy", required_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ "json", no_argument, NULL, 'j' },
	{ "prometheus", no_argument, NULL, 'P' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "top", required_argument, NULL, 't' },
	{ "reset", no_argument, NULL, 'r' },
	{ "seconds", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, 'C' },
	{ "force", no_argument, NULL, 'f' },
	{ "replace", no_argument, NULL, 'R' },
	{ "confirm", required_argument, NULL, 'n' },
	{ "multiprog", no_argument, NULL, 'M' },
	{ "help", no_argument, NULL, 'h' },
	{ "lossy", no_argument, NULL, 'L' },
	{ NULL, 0, NULL, 0 },
};

/* The option bit of each short option of long_opts. */
static unsigned int opt_bit(int c)
{
	switch (c) {
	case 'p': return OPT_POLICY;
	case 'm': return OPT_MODE;
	case 'j': return OPT_JSON;
	case 'P': return OPT_PROMETHEUS;
	case 'i': return OPT_INTERVAL;
	case 'c': return OPT_COUNT;
	case 't': return OPT_TOP;
	case 'r': return OPT_RESET;
	case 's': return OPT_SECONDS;
	case 'o': return OPT_OUTPUT;
	case 'C': return OPT_CONFIG;
	case 'f': return OPT_FORCE;
	case 'R': return OPT_REPLACE;
	case 'n': return OPT_CONFIRM;
	case 'M': return OPT_MULTIPROG;
	case 'L': return OPT_LOSSY;
	default: return 0;
	}
}

static const char *opt_name(int c)
{
	size_t i;

	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == c)
			return long_opts[i].name;
	return "?";
}

/* One option's value into a; -1 when it is not one (usage_error said why). */
static int take_opt(const struct verb *v, int c, const char *arg, struct args *a)
{
	char what[64];

	snprintf(what, sizeof(what), "--%s", opt_name(c));
	switch (c) {
	case 'p':
		a->policy_file = arg;
		return 0;
	case 'o':
		a->output = arg;
		return 0;
	case 'C':
		a->config_dir = arg;
		return 0;
	case 'f':
		a->force = true;
		return 0;
	case 'R':
		a->replace = true;
		return 0;
	case 'M':
		a->multiprog = true;
		return 0;
	case 'L':
		a->lossy = true;
		return 0;
	case 'n':
		if (!parse_count(arg, &a->confirm) && a->confirm <= MAX_SECONDS)
			return 0;
		usage_error(v, "%s wants whole seconds, from 1 to a day", what);
		return -1;
	case 'm':
		if (!parse_mode(arg, &a->mode))
			return 0;
		usage_error(v, "--mode must be auto, native or skb, not '%s'", arg);
		return -1;
	case 'j':
		json_output = true;
		return 0;
	case 'P':
		a->prometheus = true;
		return 0;
	case 'r':
		a->reset = true;
		return 0;
	case 'i':
	case 's':
		if (!parse_seconds(arg, c == 'i' ? &a->interval : &a->seconds))
			return 0;
		break;
	default:
		if (!parse_count(arg, c == 'c' ? &a->count : &a->top))
			return 0;
	}
	usage_error(v, c == 'i' || c == 's' ? "%s wants seconds, more than 0 and at most a day"
					    : "%s wants a whole number of at least 1",
		    what);
	return -1;
}

/* Options that make no sense together. */
static int check_combinations(const struct verb *v, const struct args *a)
{
	if (a->prometheus && json_output)
		return usage_error(v, "%s: choose one output format", "--json or --prometheus");
	if (a->prometheus && a->interval > 0)
		return usage_error(v, "%s: Prometheus computes its own rates",
				   "no --interval with --prometheus");
	if (a->reset && a->interval > 0)
		return usage_error(v, "%s", "no --reset with --interval");
	if (a->output && a->interval > 0)
		return usage_error(v, "%s", "no --output with --interval");
	if (a->policy_file && a->config_dir)
		return usage_error(v, "%s", "--policy or --config, not both");
	if ((v->opts & OPT_INTERVAL) && a->count && a->interval <= 0)
		return usage_error(v, "%s", "--count needs --interval");
	return EXIT_OK;
}

static int parse_args(const struct verb *v, int argc, char **argv, struct args *a)
{
	char what[64];
	int c;

	memset(a, 0, sizeof(*a));
	a->mode = ATTACH_AUTO;
	opterr = 0;
	optind = 0; /* glibc: start over, also after an earlier parse of other arguments */
	while ((c = getopt_long(argc, argv, "p:m:jh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: xdpfw %s\n\n%s\n", v->usage, v->about);
			return EXIT_HELP;
		}
		if (!opt_bit(c))
			return usage_error(v, "unknown option or missing argument '%s'",
					   argv[optind - 1]);
		snprintf(what, sizeof(what), "--%s", opt_name(c));
		if (!(v->opts & opt_bit(c)))
			return usage_error(v, "no option %s here", what);
		if (take_opt(v, c, optarg, a))
			return EXIT_USAGE;
	}
	for (; optind < argc; optind++) {
		if (a->n_pos == v->max_pos)
			return usage_error(v, "unexpected argument '%s'", argv[optind]);
		a->pos[a->n_pos++] = argv[optind];
	}
	if (a->n_pos < v->min_pos)
		return usage_error(v, "missing argument%s", "");
	/* Every verb, not only load: the name becomes a path under the pin root. */
	if (v->iface && a->n_pos && !iface_name_valid(a->pos[0]))
		return usage_error(v, "'%s' is not a valid interface name", a->pos[0]);
	return check_combinations(v, a);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

int cli_parse(int argc, char **argv, const struct verb **out, struct args *a)
{
	const struct verb *v;
	int ret;

	while (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	v = find_verb(argv[1]);
	if (!v) {
		pr_err("unknown verb '%s' (xdpfw help lists them)", argv[1]);
		return EXIT_USAGE;
	}
	ret = parse_args(v, argc - 1, argv + 1, a);
	if (ret == EXIT_HELP)
		return EXIT_OK;
	if (ret)
		return ret;
	*out = v;
	return -1;
}

int cli_main(int argc, char **argv)
{
	const struct verb *v;
	struct args a;
	int ret = cli_parse(argc, argv, &v, &a);

	if (ret >= 0)
		return ret;
	if (v->needs_root && require_root())
		return EXIT_FAIL;
	libbpf_set_print(libbpf_print);
	return v->fn(&a);
}
