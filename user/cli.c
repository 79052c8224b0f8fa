// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfw command line: a table of verbs, each a do_<verb>() that gets its
 * positional arguments and the options the table allows it.
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "clock.h"
#include "conntrack.h"
#include "loader.h"
#include "output.h"
#include "policy.h"
#include "stats.h"
#include "util.h"

#define XDPFW_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

enum opt_bits {
	OPT_POLICY = 1 << 0,
	OPT_MODE = 1 << 1,
	OPT_JSON = 1 << 2,
};

struct verb {
	const char *name;
	int (*fn)(const struct args *a);
	unsigned int opts;
	int min_pos, max_pos;
	bool needs_root;
	bool iface; /* the first argument is an interface name */
	const char *usage;
};

static const struct verb *find_verb(const char *name);

static int from_err(int err)
{
	return err ? EXIT_FAIL : EXIT_OK;
}

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

static int do_load(const struct args *a)
{
	struct policy pol;

	if (policy_from_args(a, &pol))
		return EXIT_FAIL;
	return from_err(xdpfw_load(a->pos[0], &pol, a->mode));
}

static int do_unload(const struct args *a)
{
	return from_err(xdpfw_unload(a->pos[0]));
}

static int replace_policy(struct policy *live, void *arg)
{
	*live = *(const struct policy *)arg;
	return 0;
}

static int do_reload(const struct args *a)
{
	struct policy pol;

	if (!a->policy_file) {
		pr_err("reload: --policy FILE is required");
		return EXIT_USAGE;
	}
	if (policy_from_args(a, &pol))
		return EXIT_FAIL;
	return from_err(xdpfw_edit_policy(a->pos[0], replace_policy, &pol));
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
	return from_err(xdpfw_edit_policy(a->pos[0], edit_ports, &e));
}

static int do_allow(const struct args *a)
{
	return do_ports(a, true);
}

static int do_deny(const struct args *a)
{
	return do_ports(a, false);
}

static int do_check(const struct args *a)
{
	struct policy_error perr;
	struct policy pol;

	if (policy_parse_file(&pol, a->pos[0], &perr)) {
		pr_err("%s", perr.msg);
		return EXIT_FAIL;
	}
	if (json_output)
		output_policy_json(&pol, stdout);
	else
		policy_format(&pol, stdout);
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

static int do_stats(const struct args *a)
{
	struct stats st;

	if (stats_read(a->pos[0], &st))
		return EXIT_FAIL;
	if (json_output)
		output_stats_json(a->pos[0], &st, stdout);
	else
		output_stats_table(&st, stdout);
	stats_free(&st);
	return EXIT_OK;
}

/* conntrack IFACE [flush]: the table is shared, IFACE says which load to look through. */
static int do_conntrack(const struct args *a)
{
	struct flow_printer p = { .out = stdout, .json = json_output };
	struct xdpfw_config cfg;
	struct ct_maps m;
	unsigned int n_del;
	int err;

	if (a->n_pos == 2 && strcmp(a->pos[1], "flush")) {
		pr_err("conntrack: expected 'flush' or nothing after the interface, got '%s'",
		       a->pos[1]);
		return EXIT_USAGE;
	}
	if (xdpfw_read_config(a->pos[0], &cfg) || ct_open(&m))
		return EXIT_FAIL;
	if (a->n_pos == 2) {
		err = ct_flush(&m, &n_del);
		if (!err && json_output)
			output_flushed_json(n_del, stdout);
		else if (!err)
			printf("%u flows flushed\n", n_del);
	} else {
		p.hz = cfg.hz;
		err = clock_jiffies(&p.now);
		if (!err) {
			output_flows_begin(&p, a->pos[0]);
			err = ct_each(&m, p.now, output_flow, &p);
			output_flows_end(&p);
		}
		if (err)
			pr_err("cannot read the flow tables: %s", strerror(-err));
	}
	ct_close(&m);
	return from_err(err);
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
	{ "load", do_load, OPT_POLICY | OPT_MODE, 1, 1, true, true,
	  "load IFACE [--policy FILE] [--mode auto|native|skb]" },
	{ "unload", do_unload, 0, 1, 1, true, true, "unload IFACE" },
	{ "reload", do_reload, OPT_POLICY, 1, 1, true, true, "reload IFACE --policy FILE" },
	{ "allow", do_allow, 0, 3, MAX_POS, true, true, "allow IFACE tcp|udp PORTS" },
	{ "deny", do_deny, 0, 3, MAX_POS, true, true, "deny IFACE tcp|udp PORTS" },
	{ "check", do_check, OPT_JSON, 1, 1, false, false, "check FILE [--json]" },
	{ "status", do_status, OPT_JSON, 0, 0, true, false, "status [--json]" },
	{ "stats", do_stats, OPT_JSON, 1, 1, true, true, "stats IFACE [--json]" },
	{ "conntrack", do_conntrack, OPT_JSON, 1, 2, true, true,
	  "conntrack IFACE [flush] [--json]" },
	{ "help", do_help, 0, 0, 1, false, false, "help [VERB]" },
	{ "version", do_version, OPT_JSON, 0, 0, false, false, "version [--json]" },
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
		     "Policy file format: docs/policy.md. -v shows libbpf messages.\n");
}

static int do_help(const struct args *a)
{
	const struct verb *v = a->n_pos ? find_verb(a->pos[0]) : NULL;

	if (a->n_pos && !v) {
		pr_err("help: no verb '%s'", a->pos[0]);
		return EXIT_USAGE;
	}
	if (v)
		printf("Usage: xdpfw %s\n", v->usage);
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

static int parse_args(const struct verb *v, int argc, char **argv, struct args *a)
{
	static const struct option long_opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->mode = ATTACH_AUTO;
	opterr = 0;
	optind = 0; /* glibc: start over, also after an earlier parse of other arguments */
	while ((c = getopt_long(argc, argv, "p:m:j", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!(v->opts & OPT_POLICY))
				return usage_error(v, "no option %s here", "--policy");
			a->policy_file = optarg;
			break;
		case 'm':
			if (!(v->opts & OPT_MODE))
				return usage_error(v, "no option %s here", "--mode");
			if (parse_mode(optarg, &a->mode))
				return usage_error(v, "--mode must be auto, native or skb, not '%s'",
						   optarg);
			break;
		case 'j':
			if (!(v->opts & OPT_JSON))
				return usage_error(v, "no option %s here", "--json");
			json_output = true;
			break;
		default:
			return usage_error(v, "unknown option or missing argument '%s'",
					   argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (a->n_pos == v->max_pos)
			return usage_error(v, "unexpected argument '%s'", argv[optind]);
		a->pos[a->n_pos++] = argv[optind];
	}
	if (a->n_pos < v->min_pos)
		return usage_error(v, "missing argument%s", "");
	/* Every verb, not only load: the name becomes a path under the pin root. */
	if (v->iface && !iface_name_valid(a->pos[0]))
		return usage_error(v, "'%s' is not a valid interface name", a->pos[0]);
	return EXIT_OK;
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
	v = find_verb(argv[1]);
	if (!v) {
		pr_err("unknown verb '%s' (xdpfw help lists them)", argv[1]);
		return EXIT_USAGE;
	}
	ret = parse_args(v, argc - 1, argv + 1, a);
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
