// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser. The format is line based; '#' starts a comment:
 *
 *   default drop|pass        what happens to traffic no rule passes (drop)
 *   icmp pass|drop           ICMPv4 (pass)
 *   icmp6 pass|drop          ICMPv6 except neighbour discovery/MLD (pass)
 *   allow tcp|udp LIST [from PREFIXES]   LIST: ports and ranges, "22,25 6000-6010";
 *                            with from, only to those sources
 *   deny tcp|udp LIST        take ports out again (lines apply in order)
 *   deny from PREFIXES|@FILE the blocklist: dropped before any allow
 *   limit tcp|udp LIST N/second|minute|hour [burst B] [per-source]
 *   blocklist-replies pass|drop  replies of the host's connections from it
 *   conntrack-size N         flows the shared flow table holds (262144)
 *   timeout NAME DURATION    a flow timeout: 30, 30s, 2m, 1h, 5d
 *
 * Errors name file:line:column and what was expected there.
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "util.h"

/* Single-valued settings: "<word> <off>|<on>", where <on> sets <flag>. */
static const struct setting_def {
	const char *word, *off, *on;
	__u32 flag;
} settings[POLICY_SETTINGS] = {
	[POLICY_DEFAULT] = { "default", "drop", "pass", XDPFW_F_DEFAULT_PASS },
	[POLICY_ICMP] = { "icmp", "pass", "drop", XDPFW_F_ICMP_DROP },
	[POLICY_ICMP6] = { "icmp6", "pass", "drop", XDPFW_F_ICMP6_DROP },
	[POLICY_BLOCK_REPLIES] = { "blocklist-replies", "pass", "drop", XDPFW_F_BLOCK_REPLIES },
};

/* Numeric settings, each once: "<word> N" with N in [min, max]. */
static const struct number_def {
	const char *word, *what;
	unsigned long min, max;
	size_t offset; /* of the __u32 in struct policy */
} numbers[] = {
	{ "conntrack-size", "number of flows", POLICY_CT_SIZE_MIN, POLICY_CT_SIZE_MAX,
	  offsetof(struct policy, ct_size) },
	{ "log-rate", "number of records a second", 0, POLICY_LOG_RATE_MAX,
	  offsetof(struct policy, bpf.log_rate) },
};

struct parser {
	const char *pos;	/* next unread byte of the current line */
	const char *eol;	/* end of the current line (before '\n' or '\r\n') */
	const char *bol;	/* start of the current line, for columns */
	const char *name;	/* file name for messages */
	unsigned int line;	/* 1-based; 0 when parsing a command-line argument */
	unsigned int set_on[POLICY_SETTINGS]; /* line a single-valued setting was set on */
	unsigned int number_on[ARRAY_SIZE(numbers)]; /* line a numeric setting was set on */
	unsigned int timeout_on[XDPFW_CT_TO_MAX];
	struct policy *pol;
	struct policy_error *err;
	struct rules *rules; /* NULL: port lists only (policy_set_ports) */
	FILE *warn;	     /* policy_parse_checked */
};

/* A word: a maximal run of bytes that are not blanks, ',' or '#'. */
struct word {
	const char *s;
	size_t len;
};

#define XDPFW_CT_TIMEOUT_NAME(id, name, secs) [XDPFW_CT_TO_##id] = name,
static const char *const timeout_names[XDPFW_CT_TO_MAX] = {
	XDPFW_CT_TIMEOUTS(XDPFW_CT_TIMEOUT_NAME)
};
#undef XDPFW_CT_TIMEOUT_NAME

#define XDPFW_CT_TIMEOUT_SECS(id, name, secs) [XDPFW_CT_TO_##id] = secs,
static const __u32 timeout_defaults[XDPFW_CT_TO_MAX] = {
	XDPFW_CT_TIMEOUTS(XDPFW_CT_TIMEOUT_SECS)
};
#undef XDPFW_CT_TIMEOUT_SECS

/* Duration units: a number alone is seconds. */
static const struct {
	char unit;
	__u32 secs;
} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };

static const char *const l4_names[XDPFW_L4_MAX] = {
	[XDPFW_L4_TCP] = "tcp",
	[XDPFW_L4_UDP] = "udp",
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *ps, const char *at,
						      const char *fmt, ...)
{
	unsigned int col = at - ps->bol + 1;
	int n;
	va_list ap;

	if (ps->line)
		n = snprintf(ps->err->msg, sizeof(ps->err->msg), "%s:%u:%u: ", ps->name, ps->line,
			     col);
	else
		n = snprintf(ps->err->msg, sizeof(ps->err->msg), "%s, column %u: ", ps->name, col);
	if (n < 0 || (size_t)n >= sizeof(ps->err->msg))
		return -EINVAL; /* the location alone fills the message */
	va_start(ap, fmt);
	vsnprintf(ps->err->msg + n, sizeof(ps->err->msg) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A warning of policy_parse_checked: "name:line: ..." on ps->warn. */
__attribute__((format(printf, 2, 3))) static void warn_line(struct parser *ps, const char *fmt,
							    ...)
{
	va_list ap;

	if (!ps->warn)
		return;
	if (ps->line)
		fprintf(ps->warn, "%s:%u: ", ps->name, ps->line);
	else
		fprintf(ps->warn, "%s: ", ps->name);
	va_start(ap, fmt);
	vfprintf(ps->warn, fmt, ap);
	va_end(ap);
	fputc('\n', ps->warn);
}

/* Quote a word for a message: at most 32 bytes, unprintable bytes as '?'. */
static const char *shown(struct word w, char buf[40])
{
	size_t i, n = w.len < 32 ? w.len : 32;

	for (i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)w.s[i]) ? w.s[i] : '?';
	strcpy(buf + n, w.len > n ? "..." : "");
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->pos < ps->eol && is_blank(*ps->pos))
		ps->pos++;
}

static bool at_end(struct parser *ps)
{
	skip_blanks(ps);
	return ps->pos == ps->eol || *ps->pos == '#';
}

static struct word next_word(struct parser *ps)
{
	struct word w;

	skip_blanks(ps);
	w.s = ps->pos;
	while (ps->pos < ps->eol && !is_blank(*ps->pos) && *ps->pos != ',' && *ps->pos != '#')
		ps->pos++;
	w.len = ps->pos - w.s;
	return w;
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && !memcmp(w.s, s, w.len);
}

static int expect_end(struct parser *ps, const char *after)
{
	struct word w;
	char buf[40];

	if (at_end(ps))
		return 0;
	w = next_word(ps);
	if (!w.len)
		w.len = 1; /* a lone ',' */
	return fail(ps, w.s, "unexpected '%s' after '%s'", shown(w, buf), after);
}

/* One of two words; returns 0 for the first, 1 for the second. */
static int expect_choice(struct parser *ps, const char *after, const char *a, const char *b)
{
	struct word w = next_word(ps);
	char buf[40];

	if (word_is(w, a))
		return 0;
	if (word_is(w, b))
		return 1;
	if (!w.len)
		return fail(ps, w.s, "expected '%s' or '%s' after '%s'", a, b, after);
	return fail(ps, w.s, "expected '%s' or '%s' after '%s', got '%s'", a, b, after,
		    shown(w, buf));
}

/* A decimal port 1-65535 at the cursor. */
static int parse_port(struct parser *ps, unsigned int *port)
{
	const char *start = ps->pos;
	unsigned long v = 0;
	struct word w;
	char buf[40];

	while (ps->pos < ps->eol && isdigit((unsigned char)*ps->pos)) {
		if (v <= XDPFW_PORTS)
			v = v * 10 + (*ps->pos - '0');
		ps->pos++;
	}
	if (ps->pos == start) {
		w.s = start;
		w.len = 0;
		while (start + w.len < ps->eol && !is_blank(start[w.len]) && start[w.len] != ',')
			w.len++;
		if (!w.len)
			return fail(ps, start, "expected a port number (1-65535)");
		return fail(ps, start, "expected a port number (1-65535), got '%s'", shown(w, buf));
	}
	if (v < 1 || v > XDPFW_PORTS - 1) {
		w.s = start;
		w.len = ps->pos - start;
		return fail(ps, start, "port %s out of range (1-65535)", shown(w, buf));
	}
	*port = v;
	return 0;
}

/* The ports a line names, before the line's verb applies to them. */
struct port_set {
	__u64 bits[XDPFW_PORT_WORDS];
	unsigned int first; /* the lowest, for messages */
};

static bool in_set(const struct port_set *set, unsigned int p)
{
	return set->bits[xdpfw_port_word(p)] & xdpfw_port_bit(p);
}

static void add_range(struct port_set *set, unsigned int lo, unsigned int hi)
{
	unsigned int p;

	if (!set->first || lo < set->first)
		set->first = lo;
	for (p = lo; p <= hi; p++)
		set->bits[xdpfw_port_word(p)] |= xdpfw_port_bit(p);
}

/* Is the word at the cursor made of digits and '-' (a port or range, or a bad one)? */
static bool port_word(const struct parser *ps)
{
	const char *c;

	for (c = ps->pos; c < ps->eol && !is_blank(*c) && *c != ',' && *c != '#'; c++)
		if (!isdigit((unsigned char)*c) && *c != '-')
			return false;
	return true;
}

/* LIST: items "N" or "N-M", separated by ',' and/or blanks; at least one; stops at a word. */
static int parse_port_list(struct parser *ps, enum xdpfw_l4 l4, struct port_set *set)
{
	unsigned int lo, hi;
	const char *start;
	bool spaced;
	int err;

	memset(set, 0, sizeof(*set));
	skip_blanks(ps);
	if (at_end(ps))
		return fail(ps, ps->pos, "expected a port list after '%s'", l4_names[l4]);
	for (;;) {
		start = ps->pos;
		err = parse_port(ps, &lo);
		if (err)
			return err;
		hi = lo;
		if (ps->pos < ps->eol && *ps->pos == '-') {
			ps->pos++;
			err = parse_port(ps, &hi);
			if (err)
				return err;
			if (hi < lo)
				return fail(ps, start, "range %u-%u is reversed", lo, hi);
		}
		add_range(set, lo, hi);
		spaced = ps->pos < ps->eol && is_blank(*ps->pos);
		skip_blanks(ps);
		if (ps->pos < ps->eol && *ps->pos == ',') {
			ps->pos++;
			skip_blanks(ps);
			continue;
		}
		if (at_end(ps) || (spaced && !port_word(ps)))
			return 0;
		if (!isdigit((unsigned char)*ps->pos))
			return parse_port(ps, &lo);
	}
}

static bool port_open(const struct policy *pol, enum xdpfw_l4 l4, unsigned int p)
{
	return pol->bpf.ports[l4][xdpfw_port_word(p)] & xdpfw_port_bit(p);
}

static void set_open(struct policy *pol, enum xdpfw_l4 l4, unsigned int p, bool open)
{
	if (open)
		pol->bpf.ports[l4][xdpfw_port_word(p)] |= xdpfw_port_bit(p);
	else
		pol->bpf.ports[l4][xdpfw_port_word(p)] &= ~xdpfw_port_bit(p);
}

/* The rule {list, limit}: an existing one, or a free entry; 0 for none; -1 when full. */
static int rule_for(struct xdpfw_policy *b, __u8 list, __u8 limit)
{
	int i, free_at = -1;

	if (!list && !limit)
		return 0;
	for (i = 1; i < XDPFW_RULES; i++) {
		if (b->rules[i].list == list && b->rules[i].limit == limit)
			return i;
		if (free_at < 0 && !b->rules[i].list && !b->rules[i].limit)
			free_at = i;
	}
	if (free_at > 0) {
		b->rules[free_at].list = list;
		b->rules[free_at].limit = limit;
	}
	return free_at;
}

/* Sets each port of set to rule(old rule) (what fn makes of it); -1 when the rules ran out. */
static int remap_rules(struct policy *pol, enum xdpfw_l4 l4, const struct port_set *set,
		       int (*fn)(struct policy *pol, const struct xdpfw_port_rule *old, void *arg),
		       void *arg)
{
	int map[XDPFW_RULES], p;
	__u8 old;

	memset(map, 0xff, sizeof(map));
	for (p = 1; p < XDPFW_PORTS; p++) {
		if (!in_set(set, p))
			continue;
		old = pol->bpf.port_rule[l4][p];
		if (map[old] < 0)
			map[old] = fn(pol, &pol->bpf.rules[old], arg);
		if (map[old] < 0)
			return -1;
		pol->bpf.port_rule[l4][p] = map[old];
	}
	return 0;
}

/* The line's verdicts on a port, as the rule of each port changes. */
struct rule_change {
	int list;  /* the new list, -1: keep */
	int limit; /* 1 + limit index, -1: keep */
};

static int change_rule(struct policy *pol, const struct xdpfw_port_rule *old, void *arg)
{
	const struct rule_change *c = arg;

	return rule_for(&pol->bpf, c->list >= 0 ? c->list : old->list,
			c->limit >= 0 ? c->limit : old->limit);
}

static int fail_rules(struct parser *ps, const char *at)
{
	return fail(ps, at, "more than %d different combinations of from-list and limit",
		    XDPFW_RULES - 1);
}

/* deny tcp|udp LIST: closed, and without list or limit (a later allow starts afresh). */
static int apply_deny(struct parser *ps, enum xdpfw_l4 l4, const struct port_set *set)
{
	unsigned int p, was_open = 0;

	for (p = 1; p < XDPFW_PORTS; p++) {
		if (!in_set(set, p))
			continue;
		was_open += port_open(ps->pol, l4, p);
		set_open(ps->pol, l4, p, false);
		ps->pol->bpf.port_rule[l4][p] = 0;
	}
	if (!was_open)
		warn_line(ps, "deny %s %u...: none of these ports is open", l4_names[l4],
			  set->first);
	return 0;
}

static int parse_setting(struct parser *ps, enum policy_setting which, const char *at)
{
	const struct setting_def *def = &settings[which];
	int on;

	if (ps->set_on[which])
		return fail(ps, at, "'%s' already set on line %u", def->word,
			    ps->set_on[which]);
	on = expect_choice(ps, def->word, def->off, def->on);
	if (on < 0)
		return on;
	if (on)
		ps->pol->bpf.flags |= def->flag;
	else
		ps->pol->bpf.flags &= ~def->flag;
	ps->set_on[which] = ps->line;
	return expect_end(ps, def->word);
}

static int l4_from_name_n(const char *s, size_t len)
{
	int l4;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		if (len == strlen(l4_names[l4]) && !memcmp(s, l4_names[l4], len))
			return l4;
	return -EINVAL;
}

static int read_whole(const char *path, size_t max, char **text, size_t *len);
static int check_bytes(struct parser *ps);
static int parse_number(struct parser *ps, const char *after, const char *what,
			unsigned long min, unsigned long max, bool duration, unsigned long *out);

/* A prefix word: "198.18.0.0/24", "2001:db8::/32", an address. */
static int parse_prefix_word(struct parser *ps, struct word w, struct prefix *pfx)
{
	const char *why;
	char buf[40];

	if (prefix_parse(w.s, w.len, pfx, &why))
		return fail(ps, w.s, "%s, got '%s'", why, shown(w, buf));
	return 0;
}

/* PREFIXES: separated by ',' and/or blanks, to the end of the line; at least one. */
static int parse_prefixes(struct parser *ps, struct prefix_list *l, const char *after)
{
	struct prefix pfx;
	struct word w;
	int err;

	for (;;) {
		w = next_word(ps);
		if (!w.len)
			return fail(ps, w.s, "expected an address or a prefix after '%s'", after);
		err = parse_prefix_word(ps, w, &pfx);
		if (!err)
			err = prefix_list_add(l, &pfx);
		if (err)
			return err;
		skip_blanks(ps);
		if (ps->pos < ps->eol && *ps->pos == ',') {
			ps->pos++;
			continue;
		}
		if (at_end(ps))
			return 0;
	}
}

/* @FILE: one prefix a line, '#' comments, blank lines; relative to the policy's directory. */
static int read_list_file(struct parser *ps, struct word w, struct prefix_list *l)
{
	struct parser sub = { .name = NULL, .err = ps->err, .pol = ps->pol };
	char path[PATH_MAX], buf[40];
	const char *end, *nl, *slash;
	struct prefix pfx;
	struct word p;
	size_t len;
	char *text;
	int err;

	slash = ps->line ? strrchr(ps->name, '/') : NULL;
	if (w.len < 2)
		return fail(ps, w.s, "expected a file name after '@'");
	if (w.s[1] != '/' && slash)
		snprintf(path, sizeof(path), "%.*s/%.*s", (int)(slash - ps->name), ps->name,
			 (int)w.len - 1, w.s + 1);
	else
		snprintf(path, sizeof(path), "%.*s", (int)w.len - 1, w.s + 1);
	err = read_whole(path, POLICY_LIST_FILE_MAX, &text, &len);
	if (err)
		return fail(ps, w.s, "cannot read '%s': %s", shown(w, buf), strerror(-err));
	sub.name = path;
	end = text + len;
	for (sub.bol = text; sub.bol < end && !err; sub.bol = nl + 1) {
		nl = memchr(sub.bol, '\n', end - sub.bol);
		if (!nl)
			nl = end;
		sub.eol = nl > sub.bol && nl[-1] == '\r' ? nl - 1 : nl;
		sub.pos = sub.bol;
		sub.line++;
		err = check_bytes(&sub);
		if (err || at_end(&sub))
			continue;
		p = next_word(&sub);
		err = parse_prefix_word(&sub, p, &pfx);
		if (!err)
			err = prefix_list_add(l, &pfx);
		if (!err)
			err = expect_end(&sub, "a prefix");
	}
	free(text);
	return err;
}

/* deny from PREFIXES|@FILE: into the blocklist. */
static int parse_block(struct parser *ps)
{
	struct prefix_list *bl = &ps->pol->lists[XDPFW_LIST_BLOCK];
	size_t before = bl->n;
	struct word w;
	int err;

	skip_blanks(ps);
	if (ps->pos < ps->eol && *ps->pos == '@') {
		w = next_word(ps);
		err = read_list_file(ps, w, bl);
		if (!err)
			err = expect_end(ps, "the file name");
	} else {
		err = parse_prefixes(ps, bl, "from");
	}
	if (!err && bl->n == before)
		warn_line(ps, "deny from: no prefix in the list");
	return err;
}

/* The from-list equal to l (canonical): an existing one, or a free slot; -1 when full. */
static int list_for(struct policy *pol, struct prefix_list *l)
{
	int i, free_at = -1;

	for (i = 1; i < XDPFW_LISTS; i++) {
		if (pol->lists[i].n && prefix_list_equal(&pol->lists[i], l))
			return i;
		if (free_at < 0 && !pol->lists[i].n)
			free_at = i;
	}
	if (free_at > 0) {
		pol->lists[free_at] = *l;
		memset(l, 0, sizeof(*l));
	}
	return free_at;
}

/* What an allow with a from-list does to a port's rule: its list becomes the union. */
struct allow_from {
	const struct prefix_list *from; /* canonical; NULL: every source */
	int merged[XDPFW_LISTS];	/* old list -> new, per line */
	bool nomem;
};

static int allow_rule(struct policy *pol, const struct xdpfw_port_rule *old, void *arg)
{
	struct allow_from *a = arg;
	struct prefix_list u = {};
	size_t i;
	int id;

	if (!a->from)
		return rule_for(&pol->bpf, 0, old->limit);
	if (a->merged[old->list] < 0) {
		for (i = 0; old->list && i < pol->lists[old->list].n; i++)
			if (prefix_list_add(&u, &pol->lists[old->list].v[i]))
				a->nomem = true;
		for (i = 0; i < a->from->n; i++)
			if (prefix_list_add(&u, &a->from->v[i]))
				a->nomem = true;
		prefix_list_canon(&u);
		id = a->nomem ? -1 : list_for(pol, &u);
		prefix_list_free(&u);
		if (id < 0)
			return -1;
		a->merged[old->list] = id;
	}
	return rule_for(&pol->bpf, a->merged[old->list], old->limit);
}

/*
 * allow on the ports of set: open, to every source or to the union of their
 * from-lists and this one. A port open to every source stays so.
 */
static int apply_allow(struct parser *ps, enum xdpfw_l4 l4, struct port_set *set,
		       struct prefix_list *from, const char *at)
{
	struct allow_from a = { .from = from && from->n ? from : NULL };
	struct policy *pol = ps->pol;
	unsigned int p, fresh = 0, everyone = 0, restricted = 0;

	memset(a.merged, 0xff, sizeof(a.merged));
	for (p = 1; p < XDPFW_PORTS; p++) {
		if (!in_set(set, p))
			continue;
		if (!port_open(pol, l4, p)) {
			pol->bpf.port_rule[l4][p] = rule_for(&pol->bpf, 0,
				pol->bpf.rules[pol->bpf.port_rule[l4][p]].limit);
			set_open(pol, l4, p, true);
			fresh++;
		} else if (!pol->bpf.rules[pol->bpf.port_rule[l4][p]].list) {
			everyone++;
			set->bits[xdpfw_port_word(p)] &= ~xdpfw_port_bit(p); /* stays open to all */
		} else {
			restricted++;
		}
	}
	if (a.from && everyone)
		warn_line(ps, "allow %s ... from: %u of these ports are open to every source "
			      "already; the from-list does not restrict them",
			  l4_names[l4], everyone);
	else if (!a.from && !fresh && !restricted)
		warn_line(ps, "allow %s %u...: every one of these ports is open already",
			  l4_names[l4], set->first);
	if (!a.from && restricted)
		warn_line(ps, "allow %s %u...: opens %u port%s to every source, so the from-list "
			      "of an earlier allow no longer restricts %s",
			  l4_names[l4], set->first, restricted, restricted > 1 ? "s" : "",
			  restricted > 1 ? "them" : "it");
	if (remap_rules(pol, l4, set, allow_rule, &a))
		return a.nomem ? -ENOMEM : fail(ps, at, "more than %d different from-lists, or "
						   "%d combinations of from-list and limit",
						 XDPFW_LISTS - 1, XDPFW_RULES - 1);
	return 0;
}

/* allow|deny tcp|udp LIST [from PREFIXES]; deny from PREFIXES|@FILE. */
static int parse_rule(struct parser *ps, bool allow)
{
	struct word w = next_word(ps);
	const char *verb = allow ? "allow" : "deny";
	struct prefix_list from = {};
	struct port_set set;
	char buf[40];
	int l4, err;

	if (!allow && word_is(w, "from"))
		return parse_block(ps);
	if (!w.len)
		return fail(ps, w.s, "expected 'tcp' or 'udp' after '%s'", verb);
	l4 = l4_from_name_n(w.s, w.len);
	if (l4 < 0)
		return fail(ps, w.s, "expected 'tcp'%s 'udp'%s after '%s', got '%s'",
			    allow ? " or" : ",", allow ? "" : " or 'from'", verb, shown(w, buf));
	err = parse_port_list(ps, l4, &set);
	if (err)
		return err;
	if (!allow)
		return at_end(ps) ? apply_deny(ps, l4, &set) : parse_port(ps, &set.first);
	if (!at_end(ps)) {
		w = next_word(ps);
		if (!word_is(w, "from"))
			return fail(ps, w.s, "expected 'from' or the end of the line after the port "
					     "list, got '%s'",
				    shown(w, buf));
		err = parse_prefixes(ps, &from, "from");
		prefix_list_canon(&from);
	}
	if (!err)
		err = apply_allow(ps, l4, &set, &from, w.s);
	prefix_list_free(&from);
	return err;
}

static const struct {
	const char *word;
	__u32 secs;
} rate_units[] = { { "second", 1 }, { "minute", 60 }, { "hour", 3600 } };

/* N/second|minute|hour: 1 to POLICY_LIMIT_RATE_MAX a second. */
static int parse_rate(struct parser *ps, struct xdpfw_limit *lim)
{
	struct word w = next_word(ps);
	const char *slash = memchr(w.s, '/', w.len);
	unsigned long n = 0;
	const char *c;
	char buf[40];
	size_t i;

	for (c = w.s; slash && c < slash && isdigit((unsigned char)*c) && n <= 1000000000; c++)
		n = n * 10 + (*c - '0');
	for (i = 0; slash && c == slash && c > w.s && i < ARRAY_SIZE(rate_units); i++)
		if (w.len - (slash + 1 - w.s) == strlen(rate_units[i].word) &&
		    !memcmp(slash + 1, rate_units[i].word, strlen(rate_units[i].word)))
			break;
	if (!slash || c != slash || c == w.s || i == ARRAY_SIZE(rate_units))
		return fail(ps, w.s, "expected a rate (10/second, 10/minute, 10/hour) after the "
				     "port list, got '%s'",
			    w.len ? shown(w, buf) : "");
	if (!n || n > (unsigned long)POLICY_LIMIT_RATE_MAX * rate_units[i].secs)
		return fail(ps, w.s, "rate '%s' out of range (at least 1/hour, at most %d/second)",
			    shown(w, buf), POLICY_LIMIT_RATE_MAX);
	lim->rate = n;
	lim->per = rate_units[i].secs;
	return 0;
}

/* limit tcp|udp LIST N/UNIT [burst B] [per-source] */
static int parse_limit(struct parser *ps)
{
	struct xdpfw_limit lim = { .burst = POLICY_LIMIT_BURST_DEFAULT };
	struct rule_change c = { .list = -1 };
	struct word w = next_word(ps);
	struct port_set set;
	unsigned long burst;
	char buf[40];
	int l4, i, err;

	l4 = l4_from_name_n(w.s, w.len);
	if (l4 < 0)
		return fail(ps, w.s, "expected 'tcp' or 'udp' after 'limit'%s%s%s", w.len ? ", got '" : "",
			    w.len ? shown(w, buf) : "", w.len ? "'" : "");
	err = parse_port_list(ps, l4, &set) ?: parse_rate(ps, &lim);
	if (err)
		return err;
	w = next_word(ps);
	if (word_is(w, "burst")) {
		err = parse_number(ps, "burst", "number of connections", 1, POLICY_LIMIT_BURST_MAX,
				   false, &burst);
		if (err)
			return err;
		lim.burst = burst;
		w = next_word(ps);
	}
	if (w.len && !word_is(w, "per-source"))
		return fail(ps, w.s, "expected 'burst', 'per-source' or the end of the line, got "
				     "'%s'",
			    shown(w, buf));
	err = expect_end(ps, "the limit");
	if (err)
		return err;
	for (i = 0; i < XDPFW_LIMITS; i++)
		if (!ps->pol->bpf.limits[i].rate ||
		    (ps->pol->bpf.limits[i].rate == lim.rate && ps->pol->bpf.limits[i].per == lim.per &&
		     ps->pol->bpf.limits[i].burst == lim.burst))
			break;
	if (i == XDPFW_LIMITS)
		return fail(ps, ps->bol, "more than %d different limits", XDPFW_LIMITS);
	ps->pol->bpf.limits[i] = lim;
	c.limit = i + 1;
	return remap_rules(ps->pol, l4, &set, change_rule, &c) ? fail_rules(ps, ps->bol) : 0;
}

/* A decimal number in [min, max]; a duration may carry a unit (s, m, h, d). */
static int parse_number(struct parser *ps, const char *after, const char *what,
			unsigned long min, unsigned long max, bool duration, unsigned long *out)
{
	struct word w = next_word(ps);
	unsigned long v = 0, scale = 1;
	size_t i, n = 0;
	char buf[40];

	while (n < w.len && isdigit((unsigned char)w.s[n])) {
		if (v <= max)
			v = v * 10 + (w.s[n] - '0');
		n++;
	}
	if (duration && n && n + 1 == w.len) {
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (w.s[n] == units[i].unit)
				break;
		if (i < ARRAY_SIZE(units)) {
			scale = units[i].secs;
			n++;
		}
	}
	if (!w.len)
		return fail(ps, w.s, "expected a %s after '%s'", what, after);
	if (!n || n != w.len)
		return fail(ps, w.s, "expected a %s after '%s', got '%s'", what, after,
			    shown(w, buf));
	if (v > max / scale || v * scale < min)
		return fail(ps, w.s, "%s '%s' out of range (%lu-%lu%s)", what, shown(w, buf), min,
			    max, duration ? " seconds" : "");
	*out = v * scale;
	return 0;
}

static int parse_number_setting(struct parser *ps, size_t which, const char *at)
{
	const struct number_def *def = &numbers[which];
	unsigned long v;
	int err;

	if (ps->number_on[which])
		return fail(ps, at, "'%s' already set on line %u", def->word, ps->number_on[which]);
	err = parse_number(ps, def->word, def->what, def->min, def->max, false, &v);
	if (err)
		return err;
	*(__u32 *)((char *)ps->pol + def->offset) = v;
	ps->number_on[which] = ps->line;
	return expect_end(ps, def->word);
}

static int parse_timeout(struct parser *ps)
{
	struct word w = next_word(ps);
	unsigned long v;
	char buf[40];
	int t, err;

	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		if (word_is(w, timeout_names[t]))
			break;
	if (t == XDPFW_CT_TO_MAX) {
		if (!w.len && w.s < ps->eol && *w.s != '#')
			w.len = 1; /* a lone ',' */
		if (!w.len)
			return fail(ps, w.s, "expected a timeout name (tcp-syn-sent, tcp-established, "
					     "tcp-fin, tcp-close, udp, udp-stream, icmp) after 'timeout'");
		return fail(ps, w.s,
			    "expected a timeout name (tcp-syn-sent, tcp-established, tcp-fin, "
			    "tcp-close, udp, udp-stream, icmp) after 'timeout', got '%s'",
			    shown(w, buf));
	}
	if (ps->timeout_on[t])
		return fail(ps, w.s, "timeout '%s' already set on line %u", timeout_names[t],
			    ps->timeout_on[t]);
	err = parse_number(ps, timeout_names[t], "duration", 1, POLICY_TIMEOUT_MAX, true, &v);
	if (err)
		return err;
	ps->pol->bpf.timeouts[t] = v;
	ps->timeout_on[t] = ps->line;
	return expect_end(ps, timeout_names[t]);
}

static int parse_line(struct parser *ps)
{
	struct word w;
	char buf[40];
	int which;

	if (at_end(ps))
		return 0;
	w = next_word(ps);

	for (which = 0; which < POLICY_SETTINGS; which++)
		if (word_is(w, settings[which].word))
			return parse_setting(ps, which, w.s);
	if (word_is(w, "allow"))
		return parse_rule(ps, true);
	if (word_is(w, "deny"))
		return parse_rule(ps, false);
	if (word_is(w, "limit"))
		return parse_limit(ps);
	for (which = 0; which < (int)ARRAY_SIZE(numbers); which++)
		if (word_is(w, numbers[which].word))
			return parse_number_setting(ps, which, w.s);
	if (word_is(w, "timeout"))
		return parse_timeout(ps);
	if (!w.len)
		w.len = 1;
	return fail(ps, w.s,
		    "expected 'default', 'icmp', 'icmp6', 'allow', 'deny', 'limit', "
		    "'blocklist-replies', 'conntrack-size', 'log-rate' or 'timeout', got '%s'",
		    shown(w, buf));
}

/* Control bytes other than tab have no place in a policy, comments included. */
static int check_bytes(struct parser *ps)
{
	const char *c;

	for (c = ps->bol; c < ps->eol; c++) {
		if (*c == '\0')
			return fail(ps, c, "unexpected NUL byte (binary file?)");
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return fail(ps, c, "unexpected control character 0x%02x",
				    (unsigned char)*c);
	}
	return 0;
}

void policy_free(struct policy *pol)
{
	int i;

	for (i = 0; i < XDPFW_LISTS; i++)
		prefix_list_free(&pol->lists[i]);
}

int policy_copy(struct policy *dst, const struct policy *src)
{
	int i;

	memcpy(dst, src, sizeof(*dst));
	for (i = 0; i < XDPFW_LISTS; i++)
		if (prefix_list_copy(&dst->lists[i], &src->lists[i])) {
			while (i--)
				prefix_list_free(&dst->lists[i]);
			return -ENOMEM;
		}
	return 0;
}

bool policy_equal(const struct policy *a, const struct policy *b)
{
	int i;

	if (memcmp(&a->bpf, &b->bpf, sizeof(a->bpf)) || a->ct_size != b->ct_size)
		return false;
	for (i = 0; i < XDPFW_LISTS; i++)
		if (!prefix_list_equal(&a->lists[i], &b->lists[i]))
			return false;
	return true;
}

void policy_init(struct policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	memcpy(pol->bpf.timeouts, timeout_defaults, sizeof(timeout_defaults));
	pol->ct_size = XDPFW_CT_DEFAULT_SIZE;
	pol->bpf.log_rate = XDPFW_LOG_RATE_DEFAULT;
}

void policy_log_budget(struct xdpfw_policy *p, __u32 hz, long ncpu)
{
	__u64 cpu_micro = (__u64)p->log_rate * 1000000 / (ncpu > 0 ? ncpu : 1);

	p->log_micro_per_jiffy = cpu_micro / (hz ? hz : 100);
	/* A second's worth, and at least one record: a low rate still logs. */
	p->log_burst_micro = !p->log_rate ? 0 : cpu_micro > 1000000 ? cpu_micro : 1000000;
}

void policy_limit_budget(struct xdpfw_policy *p, __u32 hz)
{
	int i;

	for (i = 0; i < XDPFW_LIMITS && p->limits[i].rate; i++) {
		p->limits[i].nano_per_jiffy =
			(__u64)p->limits[i].rate * 1000000000 / p->limits[i].per / (hz ? hz : 100);
		p->limits[i].burst_nano = (__u64)p->limits[i].burst * 1000000000;
	}
}

const char *policy_timeout_name(enum xdpfw_ct_timeout t)
{
	return t < XDPFW_CT_TO_MAX ? timeout_names[t] : "?";
}

/*
 * The canonical form: closed ports hold no rule; rules, from-lists and
 * limits numbered in the order of the first port (TCP, then UDP) that uses
 * them, unused ones gone; the blocklist sorted without covered prefixes.
 * Two policies that judge alike are then equal byte for byte, lists aside.
 */
static void finalize(struct parser *ps)
{
	struct xdpfw_policy *b = &ps->pol->bpf;
	int rule_map[XDPFW_RULES], list_map[XDPFW_LISTS], limit_map[XDPFW_LIMITS + 1];
	struct xdpfw_port_rule rules[XDPFW_RULES] = {};
	struct xdpfw_limit limits[XDPFW_LIMITS] = {};
	struct prefix_list lists[XDPFW_LISTS] = {};
	int n_rules = 1, n_lists = 1, n_limits = 1, l4, p, i;
	unsigned int limited_closed = 0;
	struct xdpfw_port_rule *r;
	size_t before;

	memset(rule_map, 0xff, sizeof(rule_map));
	memset(list_map, 0xff, sizeof(list_map));
	memset(limit_map, 0xff, sizeof(limit_map));
	rule_map[0] = list_map[0] = limit_map[0] = 0;
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
		for (p = 1; p < XDPFW_PORTS; p++) {
			__u8 *pr = &b->port_rule[l4][p];

			if (*pr && !port_open(ps->pol, l4, p)) {
				limited_closed++;
				*pr = 0;
			}
			if (rule_map[*pr] < 0) {
				r = &b->rules[*pr];
				if (list_map[r->list] < 0) {
					list_map[r->list] = n_lists;
					lists[n_lists++] = ps->pol->lists[r->list];
				}
				if (limit_map[r->limit] < 0) {
					limit_map[r->limit] = n_limits;
					limits[n_limits++ - 1] = b->limits[r->limit - 1];
				}
				rule_map[*pr] = n_rules;
				rules[n_rules].list = list_map[r->list];
				rules[n_rules++].limit = limit_map[r->limit];
			}
			*pr = rule_map[*pr];
		}
	}
	if (limited_closed)
		warn_line(ps, "limit: %u limited port%s not open: the limit has no effect there",
			  limited_closed, limited_closed > 1 ? "s are" : " is");
	for (i = 1; i < XDPFW_LISTS; i++)
		if (list_map[i] < 0)
			prefix_list_free(&ps->pol->lists[i]);
	memcpy(ps->pol->lists + 1, lists + 1, sizeof(lists) - sizeof(lists[0]));
	memcpy(b->rules, rules, sizeof(rules));
	memcpy(b->limits, limits, sizeof(limits));
	before = ps->pol->lists[XDPFW_LIST_BLOCK].n;
	prefix_list_canon(&ps->pol->lists[XDPFW_LIST_BLOCK]);
	if (ps->pol->lists[XDPFW_LIST_BLOCK].n < before)
		warn_line(ps, "blocklist: %zu prefixes are repeated or inside another one",
			  before - ps->pol->lists[XDPFW_LIST_BLOCK].n);
	if (ps->pol->lists[XDPFW_LIST_BLOCK].n)
		b->flags |= XDPFW_F_BLOCKLIST;
	else
		b->flags &= ~XDPFW_F_BLOCKLIST;
}

/* A from-list entry inside the blocklist never passes: say so. */
static void check_lists(struct parser *ps)
{
	const struct prefix_list *bl = &ps->pol->lists[XDPFW_LIST_BLOCK];
	const struct prefix *cover;
	char a[PREFIX_TEXT_MAX], c[PREFIX_TEXT_MAX];
	size_t i, j;

	for (i = 1; i < XDPFW_LISTS; i++)
		for (j = 0; j < ps->pol->lists[i].n; j++) {
			cover = prefix_list_cover(bl, &ps->pol->lists[i].v[j]);
			if (!cover)
				continue;
			prefix_format(&ps->pol->lists[i].v[j], a, sizeof(a));
			prefix_format(cover, c, sizeof(c));
			warn_line(ps, "from %s: inside the blocklist's %s, it never passes", a, c);
		}
}

int policy_parse_checked(struct policy *pol, const char *text, size_t len, const char *name,
			 struct policy_error *err, FILE *warn)
{
	struct parser ps = { .name = name, .err = err, .warn = warn };
	const char *end = text + len, *nl;
	static struct policy tmp; /* 280 KiB */
	int ret = 0;

	/* Parse into a copy: a bad policy never touches the caller's. */
	policy_init(&tmp);
	ps.pol = &tmp;
	for (ps.bol = text; ps.bol < end && !ret; ps.bol = nl + 1) {
		nl = memchr(ps.bol, '\n', end - ps.bol);
		if (!nl)
			nl = end;
		ps.eol = nl;
		if (ps.eol > ps.bol && ps.eol[-1] == '\r')
			ps.eol--;
		ps.pos = ps.bol;
		ps.line++;
		ret = check_bytes(&ps);
		if (!ret)
			ret = parse_line(&ps);
	}
	if (ret) {
		policy_free(&tmp);
		return ret;
	}
	ps.line = 0;
	finalize(&ps);
	check_lists(&ps);
	memcpy(pol, &tmp, sizeof(tmp));
	return 0;
}

int policy_parse(struct policy *pol, const char *text, size_t len, const char *name,
		 struct policy_error *err)
{
	return policy_parse_checked(pol, text, len, name, err, NULL);
}

/*
 * A regular file whole, at most max bytes: 0 and a malloc()ed *text, or
 * -EINVAL (not a regular file), -EFBIG, -EAGAIN (it grew while being read),
 * -errno.
 */
static int read_whole(const char *path, size_t max, char **text, size_t *len)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, ret;

	/* O_NONBLOCK: open() on a FIFO would wait for a writer before fstat could refuse it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		/* A socket cannot be opened at all (ENXIO): say what it is. */
		return !stat(path, &st) && !S_ISREG(st.st_mode) ? -EINVAL : ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* Read one byte more than stat said, to notice a file that grew. */
	n = read(fd, buf, st.st_size + 1);
	ret = n < 0 ? -errno : n > st.st_size ? -EAGAIN : 0;
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = n;
	return 0;
}

int policy_parse_file_checked(struct policy *pol, const char *path, struct policy_error *err,
			      FILE *warn)
{
	struct stat st;
	size_t len;
	char *buf;
	int ret;

	ret = read_whole(path, POLICY_MAX_BYTES, &buf, &len);
	if (ret == -EINVAL)
		snprintf(err->msg, sizeof(err->msg), "%s: not a regular file", path);
	else if (ret == -EFBIG)
		snprintf(err->msg, sizeof(err->msg), "%s: too large (%lld bytes, limit %d)", path,
			 stat(path, &st) ? -1LL : (long long)st.st_size, POLICY_MAX_BYTES);
	else if (ret == -EAGAIN)
		snprintf(err->msg, sizeof(err->msg), "%s: changed while being read", path);
	else if (ret)
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-ret));
	if (ret)
		return ret;
	ret = policy_parse_checked(pol, buf, len, path, err, warn);
	free(buf);
	return ret;
}

int policy_parse_file(struct policy *pol, const char *path, struct policy_error *err)
{
	return policy_parse_file_checked(pol, path, err, NULL);
}

int policy_parse_default(struct policy *pol)
{
	struct policy_error err;

	return policy_parse(pol, xdpfw_default_policy, strlen(xdpfw_default_policy),
			    "built-in policy", &err);
}

/*
 * allow|deny on the command line: as the policy file's lines without from.
 * The copy shares pol's lists; finalize frees those no port uses any more
 * (an allow opened their ports to every source), on success only.
 */
int policy_set_ports(struct policy *pol, enum xdpfw_l4 l4, const char *list, bool allow,
		     struct policy_error *err)
{
	static struct policy tmp;
	struct parser ps = {
		.pos = list,
		.bol = list,
		.eol = list + strlen(list),
		.name = "port list",
		.pol = &tmp,
		.err = err,
	};
	struct port_set set;
	int ret;

	memcpy(&tmp, pol, sizeof(tmp));
	ret = check_bytes(&ps);
	/* No comments on a command line: "22#25" is a typo, not port 22. */
	if (!ret && strchr(list, '#'))
		ret = fail(&ps, strchr(list, '#'), "unexpected '#' in a port list");
	if (!ret && at_end(&ps))
		ret = fail(&ps, ps.pos, "expected a port list");
	if (!ret)
		ret = parse_port_list(&ps, l4, &set);
	if (!ret && !at_end(&ps))
		ret = parse_port(&ps, &set.first); /* a word: not a port */
	if (!ret)
		ret = allow ? apply_allow(&ps, l4, &set, NULL, list) : apply_deny(&ps, l4, &set);
	if (ret)
		return ret;
	finalize(&ps);
	memcpy(pol, &tmp, sizeof(tmp));
	return 0;
}

int policy_l4_from_name(const char *name)
{
	return l4_from_name_n(name, strlen(name));
}

const char *policy_l4_name(enum xdpfw_l4 l4)
{
	return l4 < XDPFW_L4_MAX ? l4_names[l4] : "?";
}

bool policy_port_allowed(const struct policy *pol, enum xdpfw_l4 l4, unsigned int port)
{
	return port < XDPFW_PORTS && (pol->bpf.ports[l4][xdpfw_port_word(port)] & xdpfw_port_bit(port));
}

const struct prefix_list *policy_port_from(const struct policy *pol, enum xdpfw_l4 l4,
					   unsigned int port)
{
	__u8 list;

	if (!policy_port_allowed(pol, l4, port))
		return NULL;
	list = pol->bpf.rules[pol->bpf.port_rule[l4][port]].list;
	return list ? &pol->lists[list] : NULL;
}

bool policy_passes(const struct policy *pol, enum xdpfw_l4 l4, unsigned int port, int family,
		   const __be32 addr[4])
{
	const struct prefix_list *from = policy_port_from(pol, l4, port);

	if (prefix_list_has_addr(&pol->lists[XDPFW_LIST_BLOCK], family, addr))
		return false;
	if (!policy_port_allowed(pol, l4, port))
		return pol->bpf.flags & XDPFW_F_DEFAULT_PASS;
	return !from || prefix_list_has_addr(from, family, addr);
}

unsigned int policy_port_count(const struct policy *pol, enum xdpfw_l4 l4)
{
	unsigned int i, n = 0;

	for (i = 0; i < XDPFW_PORT_WORDS; i++)
		n += __builtin_popcountll(pol->bpf.ports[l4][i]);
	return n;
}

bool policy_next_range(const struct policy *pol, enum xdpfw_l4 l4, unsigned int *next,
		       unsigned int *lo, unsigned int *hi)
{
	unsigned int p = *next;

	while (p < XDPFW_PORTS && !policy_port_allowed(pol, l4, p))
		p++;
	if (p >= XDPFW_PORTS)
		return false;
	*lo = p;
	while (p + 1 < XDPFW_PORTS && policy_port_allowed(pol, l4, p + 1))
		p++;
	*hi = p;
	*next = p + 1;
	return true;
}

const char *policy_setting_name(enum policy_setting s)
{
	return s < POLICY_SETTINGS ? settings[s].word : "?";
}

const char *policy_setting_value(const struct policy *pol, enum policy_setting s)
{
	if (s >= POLICY_SETTINGS)
		return "?";
	return pol->bpf.flags & settings[s].flag ? settings[s].on : settings[s].off;
}

/* Which open ports a line of the normalised form covers: by from-list or by limit. */
struct port_pick {
	int list;  /* rules[].list, -1: any */
	int limit; /* rules[].limit, -1: any */
};

static bool picked(const struct policy *pol, enum xdpfw_l4 l4, unsigned int p,
		   const struct port_pick *k)
{
	const struct xdpfw_port_rule *r = &pol->bpf.rules[pol->bpf.port_rule[l4][p]];

	return port_open(pol, l4, p) && (k->list < 0 || r->list == k->list) &&
	       (k->limit < 0 || r->limit == k->limit);
}

/* The ports as "a,b,c-d" items, at most 62 columns a line: each chunk ends with a NUL. */
static size_t port_chunks(const struct policy *pol, enum xdpfw_l4 l4, const struct port_pick *k,
			  char *buf, size_t size)
{
	unsigned int p, lo, col = 0;
	size_t len = 0, n;
	char item[16];

	for (p = 1; p < XDPFW_PORTS; p++) {
		if (!picked(pol, l4, p, k))
			continue;
		for (lo = p; p + 1 < XDPFW_PORTS && picked(pol, l4, p + 1, k); p++)
			;
		n = lo == p ? snprintf(item, sizeof(item), "%u", lo)
			    : snprintf(item, sizeof(item), "%u-%u", lo, p);
		/* As "allow tcp " + 62 columns: the lines of earlier versions. */
		if (col && col + 1 + n > 62) {
			buf[len++] = 0;
			col = 0;
		}
		if (len + n + 2 >= size)
			break; /* cannot happen: 65535 ports take less than the buffer */
		len += sprintf(buf + len, "%s%s", col ? "," : "", item);
		col += n + !!col;
	}
	if (col)
		buf[len++] = 0;
	return len;
}

/* "VERB tcp PORTS SUFFIX" for every chunk of the picked ports. */
static void format_picked(const struct policy *pol, enum xdpfw_l4 l4, const struct port_pick *k,
			  const char *verb, const char *suffix, FILE *out)
{
	static char buf[65536 * 7];
	size_t len = port_chunks(pol, l4, k, buf, sizeof(buf)), off;

	for (off = 0; off < len; off += strlen(buf + off) + 1)
		fprintf(out, "%s %s %s%s\n", verb, l4_names[l4], buf + off, suffix);
}

/* " from a, b, ..." eight prefixes at a time: lines that repeat ports add up (a union). */
static void format_from(const struct policy *pol, int list, FILE *out)
{
	const struct prefix_list *l = &pol->lists[list];
	struct port_pick k = { .list = list, .limit = -1 };
	char suffix[8 * (PREFIX_TEXT_MAX + 2) + 8], a[PREFIX_TEXT_MAX];
	size_t i, len;
	int l4;

	for (i = 0; i < l->n;) {
		len = snprintf(suffix, sizeof(suffix), " from");
		do {
			prefix_format(&l->v[i], a, sizeof(a));
			len += snprintf(suffix + len, sizeof(suffix) - len, "%s %s",
					len > 5 ? "," : "", a);
		} while (++i < l->n && i % 8);
		for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
			format_picked(pol, l4, &k, "allow", suffix, out);
	}
}

static void format_blocklist(const struct policy *pol, FILE *out)
{
	const struct prefix_list *l = &pol->lists[XDPFW_LIST_BLOCK];
	char a[PREFIX_TEXT_MAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		prefix_format(&l->v[i], a, sizeof(a));
		fprintf(out, "%s%s%s", i % 8 ? ", " : "deny from ", a,
			i % 8 == 7 || i + 1 == l->n ? "\n" : "");
	}
}

static void format_limit(const struct policy *pol, int limit, FILE *out)
{
	const struct xdpfw_limit *lim = &pol->bpf.limits[limit - 1];
	struct port_pick k = { .list = -1, .limit = limit };
	char suffix[64];
	size_t i;
	int l4;

	for (i = 0; i + 1 < ARRAY_SIZE(rate_units) && rate_units[i].secs != lim->per; i++)
		;
	snprintf(suffix, sizeof(suffix), " %u/%s burst %u", lim->rate, rate_units[i].word,
		 lim->burst);
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		format_picked(pol, l4, &k, "limit", suffix, out);
}

void policy_format(const struct policy *pol, FILE *out)
{
	struct port_pick everyone = { .list = 0, .limit = -1 };
	int l4, t, i;

	for (i = 0; i < POLICY_SETTINGS; i++)
		if (i <= POLICY_ICMP6 || pol->bpf.flags & settings[i].flag)
			fprintf(out, "%s %s\n", settings[i].word, policy_setting_value(pol, i));
	if (pol->ct_size != XDPFW_CT_DEFAULT_SIZE)
		fprintf(out, "conntrack-size %u\n", pol->ct_size);
	if (pol->bpf.log_rate != XDPFW_LOG_RATE_DEFAULT)
		fprintf(out, "log-rate %u\n", pol->bpf.log_rate);
	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		if (pol->bpf.timeouts[t] != timeout_defaults[t])
			fprintf(out, "timeout %s %us\n", timeout_names[t], pol->bpf.timeouts[t]);
	format_blocklist(pol, out);
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		format_picked(pol, l4, &everyone, "allow", "", out);
	for (i = 1; i < XDPFW_LISTS && pol->lists[i].n; i++)
		format_from(pol, i, out);
	for (i = 1; i <= XDPFW_LIMITS && pol->bpf.limits[i - 1].rate; i++)
		format_limit(pol, i, out);
}
