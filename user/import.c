// SPDX-License-Identifier: GPL-2.0
/*
 * From a ruleset (import_model.h) to an xdpfw policy, judged by what the ruleset does rather
 * than by how it is written.
 *
 * The source prefixes the rules name split each family's address space into atoms (a prefix
 * minus the named prefixes inside it: every address of an atom meets the same rules); the
 * destination ports they name split 1-65535 into segments; the protocols they name split the
 * rest into classes. A cell is a protocol with a segment (TCP, UDP), ICMP, neighbour discovery
 * or a protocol class. Every chain is evaluated, first match wins, for each atom and each cell:
 * that gives the ruleset's verdict for every new packet there is, and the rule deciding it.
 * The policy is built from those verdicts in xdpfw's terms (a blocklist, one icmp verdict a
 * family, a default, open ports with from-lists), and every cell where xdpfw's fixed order
 * cannot give the same verdict is a difference, named by the rule that decided it. Replies
 * (conntrack ESTABLISHED, RELATED) and loopback packets are evaluated the same way and must
 * pass, as xdpfw passes them. Finally the policy text goes through the real parser and every
 * TCP/UDP cell is judged by it again against the ruleset's verdict.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "import_model.h"
#include "policy.h"
#include "util.h"

/* ---- building the model --------------------------------------------------- */

static int grow(void **v, unsigned int *cap, unsigned int n, size_t size)
{
	unsigned int c = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

void imp_init(struct imp_ruleset *rs, enum imp_kind kind, const char *name)
{
	memset(rs, 0, sizeof(*rs));
	rs->kind = kind;
	rs->name = name;
}

static void origin_free(struct imp_origin *o)
{
	free(o->loc);
	free(o->label);
	free(o->comment);
}

void imp_free(struct imp_ruleset *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n_rules; i++) {
		origin_free(&rs->rules[i].o);
		prefix_list_free(&rs->rules[i].src);
		free(rs->rules[i].dports);
		free(rs->rules[i].unsupported);
		free(rs->rules[i].iface_name);
	}
	for (i = 0; i < rs->n_chains; i++) {
		free(rs->chains[i].name);
		free(rs->chains[i].table);
		free(rs->chains[i].rules);
		origin_free(&rs->chains[i].po);
	}
	for (i = 0; i < rs->n_diags; i++)
		free(rs->diags[i].text);
	free(rs->rules);
	free(rs->chains);
	free(rs->diags);
	free(rs->iface);
	free(rs->notes);
	memset(rs, 0, sizeof(*rs));
}

int imp_chain_find(const struct imp_ruleset *rs, const char *table, const char *name,
		   unsigned int fams)
{
	unsigned int i;

	for (i = 0; i < rs->n_chains; i++)
		if (rs->chains[i].fams == fams && !strcmp(rs->chains[i].table, table) &&
		    !strcmp(rs->chains[i].name, name))
			return i;
	return -1;
}

int imp_chain_add(struct imp_ruleset *rs, const char *table, const char *name, unsigned int fams,
		  enum imp_hook hook, bool filter)
{
	struct imp_chain *c;

	if (grow((void **)&rs->chains, &rs->cap_chains, rs->n_chains, sizeof(*c)))
		return -ENOMEM;
	c = &rs->chains[rs->n_chains];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->table = strdup(table);
	if (!c->name || !c->table) {
		free(c->name);
		free(c->table);
		return -ENOMEM;
	}
	c->fams = fams;
	c->hook = hook;
	c->filter = filter;
	c->policy = IMP_T_ACCEPT;
	return rs->n_chains++;
}

int imp_rule_new(struct imp_ruleset *rs, int chain)
{
	struct imp_rule *r;

	if (grow((void **)&rs->rules, &rs->cap_rules, rs->n_rules, sizeof(*r)))
		return -ENOMEM;
	r = &rs->rules[rs->n_rules];
	memset(r, 0, sizeof(*r));
	r->chain = chain;
	r->fams = rs->chains[chain].fams;
	imp_proto_all(r->proto);
	r->state = IMP_ST_ALL;
	r->iface = IMP_IF_ANY;
	r->jump = -1;
	return rs->n_rules++;
}

int imp_rule_insert(struct imp_ruleset *rs, int r, unsigned int pos)
{
	struct imp_chain *c = &rs->chains[rs->rules[r].chain];

	if (grow((void **)&c->rules, &c->cap_rules, c->n_rules, sizeof(*c->rules)))
		return -ENOMEM;
	if (pos > c->n_rules)
		pos = c->n_rules;
	memmove(c->rules + pos + 1, c->rules + pos, (c->n_rules - pos) * sizeof(*c->rules));
	c->rules[pos] = r;
	c->n_rules++;
	return 0;
}

void imp_chain_flush(struct imp_ruleset *rs, int chain)
{
	rs->chains[chain].n_rules = 0;
}

int imp_origin_set(struct imp_origin *o, unsigned int order, const char *loc, const char *label)
{
	o->order = order;
	o->loc = strdup(loc);
	o->label = strdup(label);
	return o->loc && o->label ? 0 : -ENOMEM;
}

/* Comments end up in the policy file, which takes printable bytes only. */
int imp_set_comment(struct imp_origin *o, const char *comment)
{
	char *s;

	free(o->comment);
	o->comment = strdup(comment);
	if (!o->comment)
		return -ENOMEM;
	for (s = o->comment; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
	return 0;
}

static char *vjoin(char *old, const char *sep, const char *fmt, va_list ap)
{
	char *add, *res;

	if (vasprintf(&add, fmt, ap) < 0)
		return NULL;
	if (!old)
		return add;
	if (asprintf(&res, "%s%s%s", old, sep, add) < 0)
		res = NULL;
	free(add);
	if (res)
		free(old);
	return res;
}

int imp_unsupported(struct imp_rule *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vjoin(r->unsupported, ", ", fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	r->unsupported = s;
	return 0;
}

int imp_note(struct imp_ruleset *rs, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vjoin(rs->notes, "\n", fmt, ap);
	va_end(ap);
	if (!s)
		return -ENOMEM;
	rs->notes = s;
	return 0;
}

int imp_diag(struct imp_ruleset *rs, bool loss, const struct imp_origin *o, const char *fmt, ...)
{
	struct imp_diag *d;
	char *msg;
	va_list ap;
	int n;

	if (grow((void **)&rs->diags, &rs->cap_diags, rs->n_diags, sizeof(*d)))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	d = &rs->diags[rs->n_diags];
	d->loss = loss;
	d->order = o ? o->order : 0;
	d->seq = rs->n_diags;
	n = asprintf(&d->text, "%s: %s", o && o->loc ? o->loc : rs->name, msg);
	free(msg);
	if (n < 0)
		return -ENOMEM;
	rs->n_diags++;
	return 0;
}

int imp_rule_add_src(struct imp_rule *r, const struct prefix *p)
{
	return prefix_list_add(&r->src, p);
}

static unsigned int fam_bits(const struct prefix *p)
{
	return p->family == AF_INET ? 32 : 128;
}

static bool addr_bit(const __be32 a[4], unsigned int i)
{
	return (ntohl(a[i / 32]) >> (31 - i % 32)) & 1;
}

static void addr_set_bit(__be32 a[4], unsigned int i, bool v)
{
	__u32 w = ntohl(a[i / 32]), m = 1U << (31 - i % 32);

	a[i / 32] = htonl(v ? w | m : w & ~m);
}

/* The two halves of p (p->len below the family's bits). */
static void split(const struct prefix *p, struct prefix *lo, struct prefix *hi)
{
	*lo = *p;
	lo->len++;
	*hi = *lo;
	addr_set_bit(hi->addr, p->len, true);
}

static int cmp_addr(const __be32 *a, const __be32 *b)
{
	unsigned int w;

	for (w = 0; w < 4; w++)
		if (a[w] != b[w])
			return ntohl(a[w]) < ntohl(b[w]) ? -1 : 1;
	return 0;
}

/* The last address of p. */
static void prefix_last(const struct prefix *p, __be32 out[4])
{
	unsigned int i;

	memcpy(out, p->addr, sizeof(p->addr));
	for (i = p->len; i < fam_bits(p); i++)
		addr_set_bit(out, i, true);
}

/* The prefixes covering [lo, hi] inside p, largest first. */
static int add_range_in(struct imp_rule *r, const struct prefix *p, const __be32 lo[4],
			const __be32 hi[4])
{
	struct prefix a, b;
	__be32 last[4];
	int err;

	prefix_last(p, last);
	if (cmp_addr(last, lo) < 0 || cmp_addr(p->addr, hi) > 0)
		return 0;
	if (cmp_addr(p->addr, lo) >= 0 && cmp_addr(last, hi) <= 0)
		return imp_rule_add_src(r, p);
	split(p, &a, &b);
	err = add_range_in(r, &a, lo, hi);
	return err ? err : add_range_in(r, &b, lo, hi);
}

int imp_rule_add_src_range(struct imp_rule *r, const struct prefix *first,
			   const struct prefix *last)
{
	struct prefix all = { .family = first->family };

	if (first->family != last->family || cmp_addr(first->addr, last->addr) > 0)
		return -EINVAL;
	return add_range_in(r, &all, first->addr, last->addr);
}

int imp_rule_add_dports(struct imp_rule *r, unsigned int lo, unsigned int hi)
{
	if (lo < 1)
		lo = 1;
	if (hi > 65535)
		hi = 65535;
	if (lo > hi)
		return 0;
	if (grow((void **)&r->dports, &r->cap_dports, r->n_dports, sizeof(*r->dports)))
		return -ENOMEM;
	r->dports[r->n_dports].lo = lo;
	r->dports[r->n_dports++].hi = hi;
	return 0;
}

void imp_proto_set(__u64 proto[4], unsigned int p)
{
	proto[p / 64] |= 1ULL << (p % 64);
}

bool imp_proto_has(const __u64 proto[4], unsigned int p)
{
	return (proto[p / 64] >> (p % 64)) & 1;
}

void imp_proto_all(__u64 proto[4])
{
	memset(proto, 0xff, 4 * sizeof(*proto));
}

enum imp_family imp_family_of(const struct prefix *p)
{
	return p->family == AF_INET ? IMP_V4 : IMP_V6;
}

int imp_parse_prefix(const char *s, struct prefix *p)
{
	const char *slash = strchr(s, '/'), *why;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct prefix mask;
	unsigned long len;
	unsigned int i;
	char *end;

	if (prefix_parse(s, alen, p, &why))
		return -EINVAL;
	len = fam_bits(p);
	if (slash && isdigit((unsigned char)slash[1]) && strlen(slash + 1) <= 3) {
		len = strtoul(slash + 1, &end, 10);
		if (*end || len > fam_bits(p))
			return -EINVAL;
	} else if (slash) {
		/* A mask: 255.255.255.0, ffff:ffff::, its ones contiguous. */
		if (prefix_parse(slash + 1, strlen(slash + 1), &mask, &why) ||
		    mask.family != p->family)
			return -EINVAL;
		for (len = 0; len < fam_bits(p) && addr_bit(mask.addr, len); len++)
			;
		for (i = len; i < fam_bits(p); i++)
			if (addr_bit(mask.addr, i))
				return -EINVAL;
	}
	p->len = len;
	for (i = len; i < fam_bits(p); i++)
		addr_set_bit(p->addr, i, false);
	return 0;
}

/* ---- names ---------------------------------------------------------------- */

static const struct {
	const char *name;
	int proto;
} protos[] = {
	{ "all", IMP_PROTO_ALL },
	{ "icmp", 1 },
	{ "igmp", 2 },
	{ "ipencap", 4 },
	{ "ipip", 4 },
	{ "tcp", 6 },
	{ "udp", 17 },
	{ "dccp", 33 },
	{ "ipv6", 41 },
	{ "gre", 47 },
	{ "esp", 50 },
	{ "ah", 51 },
	{ "ipv6-icmp", 58 },
	{ "icmpv6", 58 },
	{ "icmp6", 58 },
	{ "ospf", 89 },
	{ "pim", 103 },
	{ "vrrp", 112 },
	{ "l2tp", 115 },
	{ "sctp", 132 },
	{ "udplite", 136 },
	{ "mpls-in-ip", 137 },
};

int imp_proto_from_name(const char *s)
{
	unsigned long v;
	unsigned int i;
	char *end;

	if (isdigit((unsigned char)*s)) {
		v = strtoul(s, &end, 10);
		if (*end || v > 255)
			return -1;
		return v ? (int)v : IMP_PROTO_ALL; /* iptables: protocol 0 is "all" */
	}
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (!strcasecmp(s, protos[i].name))
			return protos[i].proto;
	return -1;
}

static const char *proto_name(unsigned int p)
{
	unsigned int i;

	for (i = 1; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == (int)p)
			return protos[i].name;
	return NULL;
}

/* ip6tables' names, then nft's. */
static const struct {
	const char *name;
	int type;
} icmp6_types[] = {
	{ "destination-unreachable", 1 },
	{ "packet-too-big", 2 },
	{ "time-exceeded", 3 },
	{ "ttl-exceeded", 3 },
	{ "parameter-problem", 4 },
	{ "echo-request", 128 },
	{ "echo-reply", 129 },
	{ "router-solicitation", 133 },
	{ "router-advertisement", 134 },
	{ "neighbour-solicitation", 135 },
	{ "neighbor-solicitation", 135 },
	{ "neighbour-advertisement", 136 },
	{ "neighbor-advertisement", 136 },
	{ "redirect", 137 },
	{ "mld-listener-query", 130 },
	{ "mld-listener-report", 131 },
	{ "mld-listener-done", 132 },
	{ "mld-listener-reduction", 132 },
	{ "nd-router-solicit", 133 },
	{ "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 },
	{ "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 },
	{ "mld2-listener-report", 143 },
};

int imp_icmp6_type_from_name(const char *s)
{
	unsigned long v;
	unsigned int i;
	char *end;

	if (isdigit((unsigned char)*s)) {
		v = strtoul(s, &end, 10);
		return *end || v > 255 ? -1 : (int)v;
	}
	for (i = 0; i < ARRAY_SIZE(icmp6_types); i++)
		if (!strcmp(s, icmp6_types[i].name))
			return icmp6_types[i].type;
	return -1;
}

bool imp_icmp6_type_is_nd(int type)
{
	return (type >= 130 && type <= 137) || type == 143;
}

/* ---- a growing string ----------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *s;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		cap = (b->cap + n + 1) * 2;
		s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* ---- analysis ------------------------------------------------------------- */

#define MAX_DEPTH 32

/* Deciders: a rule's index, a chain's policy, or nothing (no chain: everything passes). */
#define DEC_NONE	 (-1)
#define DEC_POLICY(c)	 (-2 - (int)(c))
#define DEC_IS_POLICY(d) ((d) <= -2)
#define DEC_CHAIN(d)	 (-2 - (d))

/* Atom flags: no address of its own, or a loopback source (xdpfw and the kernel drop those). */
#define ATOM_EMPTY   0x1
#define ATOM_MARTIAN 0x2
#define ATOM_DC	     (ATOM_EMPTY | ATOM_MARTIAN)

/* Which contexts a rule decided a cell in: for the notes about rules with no line. */
#define USED_NEW 0x1
#define USED_EST 0x2
#define USED_REL 0x4
#define USED_LO	 0x8

#define REACH(h) (1U << (h))

/* A protocol class stands for the numbers no rule tells apart; this one is rarely named. */
#define PROTO_UNNAMED 253

struct fam {
	bool mirror; /* no rules of its own: takes the other family's world */
	/* The tree: prefixes in preorder (prefix_cmp order); node i's subtree is [i, i + size). */
	struct prefix *node;
	unsigned int *size;
	__u8 *flags;
	__be32 (*rep)[4]; /* an address of the atom */
	unsigned int n;
	unsigned int icmp_proto;
	unsigned int cross_icmp; /* the class of the other version's ICMP: its own, not compared */
	unsigned int n_other;
	unsigned int other_rep[256]; /* a protocol number of each class */
	__u8 class_of[256];
	unsigned int ncells;
	__u64 **rule_cells;	 /* per rule: the cells its protocol and port matches cover */
	unsigned int **rule_src; /* per rule: its source prefixes' nodes */
	unsigned int *n_rule_src;
	__u8 *v; /* INPUT, new packets, not loopback: [atom * ncells + cell] */
	int *d;
	bool *blocked;
};

struct analysis {
	struct imp_ruleset *rs;
	unsigned int *reach; /* per chain: REACH(hook) of the base chains reaching it */
	unsigned int nseg;
	unsigned int *seg_lo; /* first port of each segment; segments end where the next starts */
	struct fam f[IMP_FAMILIES];
	unsigned int words; /* of a cell bitmap, the larger family's */
	__u64 *scratch;	    /* 3 bitmaps a depth: active, matched, decided below */
	__u8 *tv;	    /* a chain's verdicts before the hook's chains are combined */
	int *td;
	__u8 *used;	/* per rule: USED_* */
	bool *in_chain; /* per rule: in its chain still (not flushed, not a verdict map's) */
	int *base[IMP_H_OTHER]; /* per hook: base filter chains, by priority; -1 ends */
	/* The policy */
	bool dpass; /* default pass */
	bool icmp_pass[IMP_FAMILIES];
	bool replies_drop;
	bool any_blocked;
	bool *rule_ref;	     /* per rule: named by a line of the policy */
	bool *rule_differs; /* per rule: decides cells where the policy differs */
};

static unsigned int cell_tcp(const struct analysis *a, unsigned int s)
{
	return s;
}

static unsigned int cell_udp(const struct analysis *a, unsigned int s)
{
	return a->nseg + s;
}

static unsigned int cell_icmp(const struct analysis *a)
{
	return 2 * a->nseg;
}

static unsigned int cell_nd(const struct analysis *a)
{
	return 2 * a->nseg + 1;
}

static unsigned int cell_other(const struct analysis *a, unsigned int k)
{
	return 2 * a->nseg + 2 + k;
}

/*
 * Cells that are compared: not neighbour discovery in IPv4 (an unused cell), nor ICMP of the
 * other IP version (protocol 58 in IPv4, 1 in IPv6), which no stack sends: an inet table's
 * "meta l4proto { icmp, ipv6-icmp } accept" passes it, xdpfw gives it the default verdict.
 */
static bool cell_real(const struct analysis *a, enum imp_family f, unsigned int k)
{
	return (f == IMP_V6 || k != cell_nd(a)) && k != cell_other(a, a->f[f].cross_icmp);
}

static unsigned int seg_hi(const struct analysis *a, unsigned int s)
{
	return s + 1 < a->nseg ? a->seg_lo[s + 1] - 1 : 65535;
}

static void bit_set(__u64 *m, unsigned int i)
{
	m[i / 64] |= 1ULL << (i % 64);
}

static bool bit_test(const __u64 *m, unsigned int i)
{
	return (m[i / 64] >> (i % 64)) & 1;
}

static bool port_in(const struct imp_rule *r, unsigned int port)
{
	unsigned int i;

	for (i = 0; i < r->n_dports; i++)
		if (port >= r->dports[i].lo && port <= r->dports[i].hi)
			return !r->dport_neg;
	return r->dport_neg;
}

static bool rule_live(const struct analysis *a, int ri)
{
	const struct imp_rule *r = &a->rs->rules[ri];

	return a->in_chain[ri] && !r->ignored &&
	       (a->reach[r->chain] & (REACH(IMP_H_INPUT) | REACH(IMP_H_FORWARD)));
}

/*
 * The longest path of jumps from chain c (1 for a chain without jumps), each chain's once:
 * state[] 0 unseen, 1 being walked (seen again: a loop), 2 done. A loop, or jumps nested
 * deeper than the evaluation goes, is an error (iptables and nft refuse both).
 */
static int chain_height(struct analysis *a, int c, __u8 *state, unsigned int *height, FILE *err)
{
	const struct imp_chain *ch = &a->rs->chains[c];
	const struct imp_rule *r;
	unsigned int i;
	int h;

	if (state[c] == 1) {
		fprintf(err, "xdpfw: %s: chain %s: a loop of jumps\n", a->rs->name, ch->name);
		return -EINVAL;
	}
	if (state[c] == 2)
		return height[c];
	state[c] = 1;
	height[c] = 1;
	for (i = 0; i < ch->n_rules; i++) {
		r = &a->rs->rules[ch->rules[i]];
		if (r->target != IMP_T_JUMP || r->ignored)
			continue;
		h = chain_height(a, r->jump, state, height, err);
		if (h < 0)
			return h;
		if ((unsigned int)h + 1 > height[c])
			height[c] = h + 1;
	}
	state[c] = 2;
	if (height[c] > MAX_DEPTH) {
		fprintf(err, "xdpfw: %s: chain %s: jumps nested deeper than %d\n", a->rs->name,
			ch->name, MAX_DEPTH);
		return -EINVAL;
	}
	return height[c];
}

/* Marks the chains that chain c reaches through jumps (c included) with bit. */
static void reach_from(struct analysis *a, int c, unsigned int bit)
{
	const struct imp_chain *ch = &a->rs->chains[c];
	const struct imp_rule *r;
	unsigned int i;

	if (a->reach[c] & bit)
		return;
	a->reach[c] |= bit;
	for (i = 0; i < ch->n_rules; i++) {
		r = &a->rs->rules[ch->rules[i]];
		if (r->target == IMP_T_JUMP && !r->ignored)
			reach_from(a, r->jump, bit);
	}
}

static int cmp_prefix(const void *x, const void *y)
{
	return prefix_cmp(x, y);
}

static int fam_af(enum imp_family f)
{
	return f == IMP_V4 ? AF_INET : AF_INET6;
}

/* An address of p outside every kid (sorted, inside p); false when the kids fill p. */
static bool free_addr(const struct prefix *p, const struct prefix *const *kids, unsigned int nk,
		      __be32 out[4])
{
	const struct prefix **sub;
	struct prefix half[2];
	unsigned int h, i, n;
	bool found = false;

	if (!nk) {
		memcpy(out, p->addr, sizeof(p->addr));
		return true;
	}
	if (p->len == fam_bits(p))
		return false;
	sub = malloc(nk * sizeof(*sub));
	if (!sub)
		return false;
	split(p, &half[0], &half[1]);
	for (h = 0; h < 2 && !found; h++) {
		for (i = n = 0; i < nk; i++)
			if (prefix_covers(&half[h], kids[i]))
				sub[n++] = kids[i];
		if (n == 1 && !prefix_cmp(sub[0], &half[h]))
			continue;
		found = free_addr(&half[h], sub, n, out);
	}
	free(sub);
	return found;
}

static int build_tree(struct analysis *a, enum imp_family f)
{
	struct prefix root = { .family = fam_af(f) }, martian[IMP_FAMILIES] = {
		{ .addr = { htonl(0x7f000000) }, .family = AF_INET, .len = 8 },
		{ .addr = { 0, 0, 0, htonl(1) }, .family = AF_INET6, .len = 128 },
	};
	struct prefix_list all = {};
	const struct prefix **kids;
	struct fam *fd = &a->f[f];
	unsigned int i, j, n, top, *stack;
	int err = 0;

	err = prefix_list_add(&all, &root);
	if (!err)
		err = prefix_list_add(&all, &martian[f]);
	for (i = 0; i < a->rs->n_rules && !err && !fd->mirror; i++)
		for (j = 0; j < a->rs->rules[i].src.n && !err; j++)
			if (rule_live(a, i) && imp_family_of(&a->rs->rules[i].src.v[j]) == f)
				err = prefix_list_add(&all, &a->rs->rules[i].src.v[j]);
	if (err)
		goto out;
	qsort(all.v, all.n, sizeof(*all.v), cmp_prefix);
	for (i = n = 0; i < all.n; i++)
		if (!n || prefix_cmp(&all.v[n - 1], &all.v[i]))
			all.v[n++] = all.v[i];
	fd->n = n;
	fd->node = all.v;
	all.v = NULL;
	fd->size = calloc(n, sizeof(*fd->size));
	fd->flags = calloc(n, 1);
	fd->rep = calloc(n, sizeof(*fd->rep));
	stack = calloc(n, sizeof(*stack));
	kids = calloc(n, sizeof(*kids));
	if (!fd->size || !fd->flags || !fd->rep || !stack || !kids) {
		err = -ENOMEM;
		goto free_tmp;
	}
	/* Sorted, a prefix comes right after the one that covers it and before its siblings. */
	for (i = top = 0; i < n; i++) {
		while (top && !prefix_covers(&fd->node[stack[top - 1]], &fd->node[i])) {
			top--;
			fd->size[stack[top]] = i - stack[top];
		}
		stack[top++] = i;
	}
	while (top--)
		fd->size[stack[top]] = n - stack[top];
	for (i = 0; i < n; i++) {
		if (!prefix_cmp(&fd->node[i], &martian[f]))
			for (j = i; j < i + fd->size[i]; j++)
				fd->flags[j] |= ATOM_MARTIAN;
		top = 0;
		for (j = i + 1; j < i + fd->size[i]; j += fd->size[j])
			kids[top++] = &fd->node[j];
		if (!free_addr(&fd->node[i], kids, top, fd->rep[i]))
			fd->flags[i] |= ATOM_EMPTY;
	}
free_tmp:
	free(stack);
	free(kids);
out:
	prefix_list_free(&all);
	return err;
}

static int cmp_uint(const void *x, const void *y)
{
	unsigned int a = *(const unsigned int *)x, b = *(const unsigned int *)y;

	return a < b ? -1 : a > b;
}

/* Port segments: every first port of a rule's range, and the port after its last. */
static int build_segments(struct analysis *a)
{
	const struct imp_rule *r;
	unsigned int i, j, n = 1, cap = 1;

	for (i = 0; i < a->rs->n_rules; i++)
		if (rule_live(a, i))
			cap += 2 * a->rs->rules[i].n_dports;
	a->seg_lo = malloc(cap * sizeof(*a->seg_lo));
	if (!a->seg_lo)
		return -ENOMEM;
	a->seg_lo[0] = 1;
	for (i = 0; i < a->rs->n_rules; i++) {
		r = &a->rs->rules[i];
		for (j = 0; rule_live(a, i) && j < r->n_dports; j++) {
			a->seg_lo[n++] = r->dports[j].lo;
			if (r->dports[j].hi < 65535)
				a->seg_lo[n++] = r->dports[j].hi + 1;
		}
	}
	qsort(a->seg_lo, n, sizeof(*a->seg_lo), cmp_uint);
	for (i = j = 0; i < n; i++)
		if (!j || a->seg_lo[j - 1] != a->seg_lo[i])
			a->seg_lo[j++] = a->seg_lo[i];
	a->nseg = j;
	return 0;
}

static bool rule_in_fam(const struct analysis *a, int ri, enum imp_family f)
{
	return rule_live(a, ri) && (a->rs->rules[ri].fams & IMP_FAM_BIT(f));
}

/* Protocol classes: the numbers that every rule of the family matches alike. */
static void build_classes(struct analysis *a, enum imp_family f)
{
	struct fam *fd = &a->f[f];
	unsigned int p, k, i;

	unsigned int cross = f == IMP_V4 ? IMP_PROTO_ICMP6 : IMP_PROTO_ICMP;

	fd->icmp_proto = f == IMP_V4 ? IMP_PROTO_ICMP : IMP_PROTO_ICMP6;
	fd->cross_icmp = 0;
	fd->other_rep[0] = cross;
	fd->class_of[cross] = 0;
	fd->n_other = 1;
	for (p = 0; p < 256; p++) {
		if (p == IMP_PROTO_TCP || p == IMP_PROTO_UDP || p == fd->icmp_proto || p == cross)
			continue;
		for (k = 1; k < fd->n_other; k++) {
			for (i = 0; i < a->rs->n_rules; i++)
				if (rule_in_fam(a, i, f) &&
				    imp_proto_has(a->rs->rules[i].proto, p) !=
					    imp_proto_has(a->rs->rules[i].proto, fd->other_rep[k]))
					break;
			if (i == a->rs->n_rules)
				break;
		}
		if (k == fd->n_other)
			fd->other_rep[fd->n_other++] = p;
		fd->class_of[p] = k;
	}
	fd->ncells = 2 * a->nseg + 2 + fd->n_other;
}

static int build_rule_cells(struct analysis *a, enum imp_family f)
{
	struct fam *fd = &a->f[f];
	unsigned int words = (fd->ncells + 63) / 64, i, s, k, j, lo, hi;
	const struct imp_rule *r;
	bool tcp, udp, in;
	__u64 *m;

	fd->rule_cells = calloc(a->rs->n_rules, sizeof(*fd->rule_cells));
	fd->rule_src = calloc(a->rs->n_rules, sizeof(*fd->rule_src));
	fd->n_rule_src = calloc(a->rs->n_rules, sizeof(*fd->n_rule_src));
	if (!fd->rule_cells || !fd->rule_src || !fd->n_rule_src)
		return -ENOMEM;
	for (i = 0; i < a->rs->n_rules; i++) {
		r = &a->rs->rules[i];
		if (!rule_in_fam(a, i, f))
			continue;
		m = fd->rule_cells[i] = calloc(words, sizeof(*m));
		fd->rule_src[i] = calloc(r->src.n + 1, sizeof(**fd->rule_src));
		if (!m || !fd->rule_src[i])
			return -ENOMEM;
		tcp = imp_proto_has(r->proto, IMP_PROTO_TCP);
		udp = imp_proto_has(r->proto, IMP_PROTO_UDP);
		for (s = 0; s < a->nseg; s++) {
			in = !r->n_dports || port_in(r, a->seg_lo[s]);
			if (tcp && in)
				bit_set(m, cell_tcp(a, s));
			if (udp && in)
				bit_set(m, cell_udp(a, s));
		}
		if (!r->n_dports) {
			if (imp_proto_has(r->proto, fd->icmp_proto) && !r->nd_only)
				bit_set(m, cell_icmp(a));
			if (f == IMP_V6 && imp_proto_has(r->proto, IMP_PROTO_ICMP6))
				bit_set(m, cell_nd(a));
			for (k = 0; k < fd->n_other; k++)
				if (imp_proto_has(r->proto, fd->other_rep[k]))
					bit_set(m, cell_other(a, k));
		}
		/* Its prefixes' nodes: found by binary search in the sorted tree. */
		for (j = 0; j < r->src.n; j++) {
			if (imp_family_of(&r->src.v[j]) != f)
				continue;
			lo = 0;
			hi = fd->n;
			while (lo < hi) {
				k = (lo + hi) / 2;
				if (prefix_cmp(&fd->node[k], &r->src.v[j]) < 0)
					lo = k + 1;
				else
					hi = k;
			}
			fd->rule_src[i][fd->n_rule_src[i]++] = lo;
		}
	}
	return 0;
}

/* Base filter chains of each hook, in priority order (then in order of definition). */
static int build_bases(struct analysis *a)
{
	const struct imp_chain *c;
	unsigned int h, i, j, n;
	int t;

	for (h = IMP_H_INPUT; h <= IMP_H_OUTPUT; h++) {
		a->base[h] = malloc((a->rs->n_chains + 1) * sizeof(int));
		if (!a->base[h])
			return -ENOMEM;
		for (i = n = 0; i < a->rs->n_chains; i++) {
			c = &a->rs->chains[i];
			if (c->hook != h || !c->filter)
				continue;
			for (j = n++; j > 0 && a->rs->chains[a->base[h][j - 1]].prio > c->prio;
			     j--) {
				t = a->base[h][j - 1];
				a->base[h][j] = t;
			}
			a->base[h][j] = i;
		}
		a->base[h][n] = -1;
	}
	return 0;
}

/* ---- evaluation ------------------------------------------------------------ */

struct ctx {
	struct analysis *a;
	enum imp_family f;
	enum imp_hook hook;
	__u8 state; /* IMP_ST_NEW, IMP_ST_EST or IMP_ST_REL */
	bool lo;
	unsigned int atom;
	__u8 used; /* USED_* to mark rules that decide something; 0: none */
	__u8 *v;   /* the row being written */
	int *d;
};

static bool src_match(const struct ctx *c, int ri)
{
	const struct imp_rule *r = &c->a->rs->rules[ri];
	const struct fam *fd = &c->a->f[c->f];
	unsigned int i, k;

	if (!r->src.n)
		return true;
	for (i = 0; i < fd->n_rule_src[ri]; i++) {
		k = fd->rule_src[ri][i];
		if (k <= c->atom && c->atom < k + fd->size[k])
			return !r->src_neg;
	}
	return r->src_neg;
}

static bool rule_applies(const struct ctx *c, int ri)
{
	const struct imp_rule *r = &c->a->rs->rules[ri];

	if (r->ignored || !(r->fams & IMP_FAM_BIT(c->f)) || !(r->state & c->state))
		return false;
	if ((r->syn > 0 && c->state != IMP_ST_NEW) || (r->syn < 0 && c->state == IMP_ST_NEW))
		return false;
	if ((r->iface == IMP_IF_LO && !c->lo) || (r->iface == IMP_IF_EXT && c->lo) ||
	    r->iface == IMP_IF_NEVER)
		return false;
	return src_match(c, ri);
}

static __u64 *scratch(const struct ctx *c, unsigned int depth, unsigned int which)
{
	return c->a->scratch + ((size_t)depth * 3 + which) * c->a->words;
}

static void decide(struct ctx *c, const __u64 *m, bool pass, int dec, __u64 *decided)
{
	unsigned int i, words = (c->a->f[c->f].ncells + 63) / 64;

	for (i = 0; i < c->a->f[c->f].ncells; i++)
		if (bit_test(m, i)) {
			c->v[i] = pass;
			c->d[i] = dec;
		}
	for (i = 0; i < words; i++)
		decided[i] |= m[i];
}

/* Packets of in (cells) through chain ci; those it decides are added to decided. */
static void eval_chain(struct ctx *c, int ci, const __u64 *in, __u64 *decided, unsigned int depth)
{
	const struct imp_chain *ch = &c->a->rs->chains[ci];
	unsigned int words = (c->a->f[c->f].ncells + 63) / 64, i, w;
	__u64 *active = scratch(c, depth, 0), *m = scratch(c, depth, 1);
	__u64 *below = scratch(c, depth, 2), any;
	const struct imp_rule *r;
	int ri;

	memcpy(active, in, words * sizeof(*active));
	for (i = 0; i < ch->n_rules; i++) {
		ri = ch->rules[i];
		r = &c->a->rs->rules[ri];
		if (!rule_applies(c, ri))
			continue;
		for (w = 0, any = 0; w < words; w++)
			any |= m[w] = active[w] & c->a->f[c->f].rule_cells[ri][w];
		if (!any)
			continue;
		if (r->target != IMP_T_NONE)
			c->a->used[ri] |= c->used;
		switch (r->target) {
		case IMP_T_ACCEPT:
		case IMP_T_DROP:
			decide(c, m, r->target == IMP_T_ACCEPT, ri, decided);
			for (w = 0; w < words; w++)
				active[w] &= ~m[w];
			break;
		case IMP_T_RETURN:
			for (w = 0; w < words; w++)
				active[w] &= ~m[w];
			break;
		case IMP_T_JUMP:
			memset(below, 0, words * sizeof(*below));
			eval_chain(c, r->jump, m, below, depth + 1);
			for (w = 0; w < words; w++) {
				active[w] &= ~below[w];
				decided[w] |= below[w];
			}
			break;
		case IMP_T_NONE:
			break;
		}
	}
	if (ch->hook != IMP_H_NONE)
		decide(c, active, ch->policy == IMP_T_ACCEPT, DEC_POLICY(ci), decided);
}

/*
 * One atom's row through every base chain of the hook: a packet passes when each chain
 * accepts it. The decider of a pass is the first rule that accepted it, else a policy.
 */
static void eval_atom(struct ctx *c)
{
	const struct fam *fd = &c->a->f[c->f];
	unsigned int i, words = (fd->ncells + 63) / 64;
	__u8 *out_v = c->v;
	int *out_d = c->d, j, ci;
	__u64 *all = scratch(c, MAX_DEPTH + 1, 0), *decided = scratch(c, MAX_DEPTH + 1, 1);

	for (i = 0; i < fd->ncells; i++) {
		out_v[i] = 1;
		out_d[i] = DEC_NONE;
	}
	memset(all, 0xff, words * sizeof(*all));
	c->v = c->a->tv;
	c->d = c->a->td;
	for (j = 0; (ci = c->a->base[c->hook][j]) >= 0; j++) {
		if (!(c->a->rs->chains[ci].fams & IMP_FAM_BIT(c->f)))
			continue;
		memset(decided, 0, words * sizeof(*decided));
		eval_chain(c, ci, all, decided, 0);
		for (i = 0; i < fd->ncells; i++) {
			if (!out_v[i])
				continue;
			if (!c->v[i] || out_d[i] == DEC_NONE ||
			    (DEC_IS_POLICY(out_d[i]) && c->d[i] >= 0)) {
				out_v[i] = c->v[i];
				out_d[i] = c->d[i];
			}
		}
	}
	c->v = out_v;
	c->d = out_d;
}

static void ctx_init(struct ctx *c, struct analysis *a, enum imp_family f, enum imp_hook hook,
		     __u8 state, bool lo, __u8 used)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->f = f;
	c->hook = hook;
	c->state = state;
	c->lo = lo;
	c->used = used;
}

/* The stored rows (INPUT, new, not loopback) of every atom. */
static void eval_rows(struct analysis *a, enum imp_family f)
{
	struct fam *fd = &a->f[f];
	unsigned int i;
	struct ctx c;

	ctx_init(&c, a, f, IMP_H_INPUT, IMP_ST_NEW, false, USED_NEW);
	for (i = 0; i < fd->n; i++) {
		c.atom = i;
		c.v = fd->v + (size_t)i * fd->ncells;
		c.d = fd->d + (size_t)i * fd->ncells;
		eval_atom(&c);
	}
}

static __u8 *row_v(const struct analysis *a, enum imp_family f, unsigned int atom)
{
	return a->f[f].v + (size_t)atom * a->f[f].ncells;
}

static int *row_d(const struct analysis *a, enum imp_family f, unsigned int atom)
{
	return a->f[f].d + (size_t)atom * a->f[f].ncells;
}

/* ---- texts for messages and comments -------------------------------------- */

static void add_ports(struct sbuf *b, const struct analysis *a, const __u8 *cells,
		      unsigned int first, const char *l4, size_t start)
{
	unsigned int s, lo, hi, n = 0, set = 0;

	for (s = 0; s < a->nseg; s++)
		set += cells[first + s];
	if (!set)
		return;
	sb_addf(b, "%s%s", b->len > start ? ", " : "", l4);
	if (set == a->nseg)
		return;
	for (s = 0; s < a->nseg; s++) {
		if (!cells[first + s])
			continue;
		lo = a->seg_lo[s];
		while (s + 1 < a->nseg && cells[first + s + 1])
			s++;
		hi = seg_hi(a, s);
		if (n++ == 8) {
			sb_addf(b, ",...");
			return;
		}
		if (lo == hi)
			sb_addf(b, "%c%u", n > 1 ? ',' : '/', lo);
		else
			sb_addf(b, "%c%u-%u", n > 1 ? ',' : '/', lo, hi);
	}
}

/* "tcp/22,80-90, udp, icmp, protocol 47 (gre)" for the cells set in cells[]. */
static void add_cells(struct sbuf *b, const struct analysis *a, enum imp_family f,
		      const __u8 *cells)
{
	const struct fam *fd = &a->f[f];
	size_t start = b->len;
	unsigned int k, n = 0;
	const char *name;

	add_ports(b, a, cells, cell_tcp(a, 0), "tcp", start);
	add_ports(b, a, cells, cell_udp(a, 0), "udp", start);
	if (cells[cell_icmp(a)])
		sb_addf(b, "%s%s", b->len > start ? ", " : "", f == IMP_V4 ? "icmp" : "icmpv6");
	if (f == IMP_V6 && cells[cell_nd(a)])
		sb_addf(b, "%sneighbour discovery", b->len > start ? ", " : "");
	for (k = 0; k < fd->n_other; k++)
		n += cells[cell_other(a, k)];
	for (k = 0; k < fd->n_other && n; k++) {
		if (!cells[cell_other(a, k)])
			continue;
		if (k == fd->class_of[PROTO_UNNAMED]) {
			sb_addf(b, "%sother protocols", b->len > start ? ", " : "");
			continue;
		}
		name = proto_name(fd->other_rep[k]);
		sb_addf(b, "%sprotocol %u%s%s%s", b->len > start ? ", " : "", fd->other_rep[k],
			name ? " (" : "", name ? name : "", name ? ")" : "");
	}
}

/* The cells of both families: once when they read the same, "...(IPv4); ...(IPv6)" if not. */
static void add_both(struct sbuf *b, const struct analysis *a, __u8 *const cells[IMP_FAMILIES])
{
	struct sbuf t[IMP_FAMILIES] = {};
	unsigned int f;

	for (f = 0; f < IMP_FAMILIES; f++)
		if (cells[f])
			add_cells(&t[f], a, f, cells[f]);
	if (t[IMP_V4].len && t[IMP_V6].len && strcmp(t[IMP_V4].s, t[IMP_V6].s))
		sb_addf(b, "%s (IPv4); %s (IPv6)", t[IMP_V4].s, t[IMP_V6].s);
	else
		sb_addf(b, "%s", t[IMP_V4].len ? t[IMP_V4].s : t[IMP_V6].len ? t[IMP_V6].s : "");
	b->oom |= t[IMP_V4].oom || t[IMP_V6].oom;
	free(t[IMP_V4].s);
	free(t[IMP_V6].s);
}

/* "198.18.0.3, 2001:db8::/32" for the atoms set; the world of a family as "any IPv4 source". */
static void add_atoms(struct sbuf *b, const struct analysis *a, __u8 *const atoms[IMP_FAMILIES])
{
	char text[PREFIX_TEXT_MAX];
	unsigned int f, i, n = 0, more = 0;
	bool whole;

	for (f = 0; f < IMP_FAMILIES; f++) {
		for (i = 0, whole = atoms[f]; whole && i < a->f[f].n; i++)
			whole = atoms[f][i] || (a->f[f].flags[i] & ATOM_DC);
		if (whole) {
			sb_addf(b, "%sany %s source", n++ ? ", " : "", f ? "IPv6" : "IPv4");
			continue;
		}
		for (i = 0; atoms[f] && i < a->f[f].n; i++) {
			if (!atoms[f][i])
				continue;
			if (n++ >= 4) {
				more++;
				continue;
			}
			if (i == 0 && a->f[f].n > 2)
				snprintf(text, sizeof(text), "other %s sources",
					 f ? "IPv6" : "IPv4");
			else if (i == 0)
				snprintf(text, sizeof(text), "any %s source", f ? "IPv6" : "IPv4");
			else
				prefix_format(&a->f[f].node[i], text, sizeof(text));
			sb_addf(b, "%s%s", n > 1 ? ", " : "", text);
		}
	}
	if (more)
		sb_addf(b, " and %u more", more);
}

static const char *chain_verdict(const struct imp_chain *c)
{
	if (c->po.loc || c->hook == IMP_H_NONE)
		return c->policy == IMP_T_ACCEPT ? "ACCEPT" : "DROP";
	return c->policy == IMP_T_ACCEPT ? "ACCEPT, not set" : "DROP, not set";
}

/* Does a rule of decs[0..i) carry this comment (v4 and v6 twins often do)? */
static bool said_before(const struct analysis *a, const int *decs, unsigned int i,
			const char *comment)
{
	const char *c;

	while (i--)
		if (decs[i] >= 0 && (c = a->rs->rules[decs[i]].o.comment) && !strcmp(c, comment))
			return true;
	return false;
}

/*
 * The rules and policies of decs[] for a comment: "lines 11, 30: mail; imap",
 * "line 44: INPUT policy DROP"; every rule, the first 3 comments.
 */
static void add_deciders(struct sbuf *b, const struct analysis *a, const int *decs, unsigned int n)
{
	const struct imp_origin *o;
	const struct imp_chain *c;
	unsigned int i, shown = 0, comments = 0, rules = 0;
	bool lines = a->rs->kind == IMP_IPTABLES;

	for (i = 0; i < n; i++)
		rules += decs[i] >= 0;
	for (i = 0; i < n; i++) {
		if (decs[i] < 0)
			continue;
		shown++;
		o = &a->rs->rules[decs[i]].o;
		if (lines)
			sb_addf(b, "%s%s", shown == 1 ? (rules > 1 ? "lines " : "line ") : ", ",
				o->label + strlen("line "));
		else
			sb_addf(b, "%s%s", shown == 1 ? "" : ", ", o->label);
	}
	for (i = 0; i < n; i++) {
		if (decs[i] == DEC_NONE)
			sb_addf(b, "%sno input chain: nothing is filtered", shown++ ? "; " : "");
		if (!DEC_IS_POLICY(decs[i]))
			continue;
		c = &a->rs->chains[DEC_CHAIN(decs[i])];
		sb_addf(b, "%s%s%s%s policy %s", shown++ ? "; " : "",
			c->po.label ? c->po.label : "", c->po.label ? ": " : "", c->name,
			chain_verdict(c));
	}
	for (i = 0; i < n && comments < 3; i++) {
		if (decs[i] < 0 || !(o = &a->rs->rules[decs[i]].o)->comment ||
		    said_before(a, decs, i, o->comment))
			continue;
		sb_addf(b, "%s%s", comments++ ? "; " : ": ", o->comment);
	}
}

/* The rules that a line of the policy names: the others are listed at its end. */
static void mark_named(struct analysis *a, const int *decs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (decs[i] >= 0)
			a->rule_ref[decs[i]] = true;
}

/* ---- differences ------------------------------------------------------------ */

enum mm_kind {
	MM_ICMP,    /* the icmp verdict of a source differs from the family's */
	MM_OTHER,   /* another protocol's verdict differs from the default */
	MM_ND,	    /* neighbour discovery dropped: a warning, xdpfw always passes it */
	MM_EST,	    /* replies or related packets dropped, which xdpfw passes first */
	MM_REPLIES, /* a blocklisted source's replies differ from blocklist-replies */
	MM_LO,	    /* loopback traffic dropped, which xdpfw never sees */
};

/* The cells and atoms where one rule's verdict cannot be had: one message. */
struct mismatch {
	enum mm_kind kind;
	int dec;
	bool pass;		   /* the ruleset's verdict there */
	__u8 *cells[IMP_FAMILIES]; /* per cell */
	__u8 *atoms[IMP_FAMILIES]; /* per atom */
};

struct mismatches {
	struct mismatch *v;
	unsigned int n, cap;
	bool oom;
};

static void mm_add(struct mismatches *mm, struct analysis *a, enum mm_kind kind, int dec, bool pass,
		   enum imp_family f, unsigned int atom, unsigned int cell)
{
	struct mismatch *m;
	unsigned int i;

	for (i = 0; i < mm->n; i++)
		if (mm->v[i].kind == kind && mm->v[i].dec == dec && mm->v[i].pass == pass)
			break;
	if (i == mm->n) {
		if (grow((void **)&mm->v, &mm->cap, mm->n, sizeof(*m))) {
			mm->oom = true;
			return;
		}
		m = &mm->v[mm->n++];
		memset(m, 0, sizeof(*m));
		m->kind = kind;
		m->dec = dec;
		m->pass = pass;
	}
	m = &mm->v[i];
	if (!m->cells[f]) {
		m->cells[f] = calloc(a->f[f].ncells, 1);
		m->atoms[f] = calloc(a->f[f].n, 1);
		if (!m->cells[f] || !m->atoms[f]) {
			mm->oom = true;
			return;
		}
	}
	m->cells[f][cell] = 1;
	m->atoms[f][atom] = 1;
}

static void mm_free(struct mismatches *mm)
{
	unsigned int i, f;

	for (i = 0; i < mm->n; i++)
		for (f = 0; f < IMP_FAMILIES; f++) {
			free(mm->v[i].cells[f]);
			free(mm->v[i].atoms[f]);
		}
	free(mm->v);
}

static const struct imp_origin *dec_origin(const struct analysis *a, int dec)
{
	if (dec >= 0)
		return &a->rs->rules[dec].o;
	if (DEC_IS_POLICY(dec))
		return &a->rs->chains[DEC_CHAIN(dec)].po;
	return NULL;
}

/* Are the atoms every atom of the families they touch (then "from" is left out)? */
static bool all_atoms(const struct analysis *a, __u8 *const atoms[IMP_FAMILIES])
{
	unsigned int f, i;

	for (f = 0; f < IMP_FAMILIES; f++)
		for (i = 0; i < a->f[f].n; i++)
			if (!a->f[f].mirror && !(a->f[f].flags[i] & ATOM_DC) &&
			    !a->f[f].blocked[i] && (!atoms[f] || !atoms[f][i]))
				return false;
	return true;
}

static int mm_report(struct analysis *a, const struct mismatch *m)
{
	struct sbuf cells = {}, srcs = {};
	const char *v = m->pass ? "passes" : "drops", *xv = m->pass ? "drops" : "passes";
	const char *by = DEC_IS_POLICY(m->dec) ? "the policy " : "";
	const struct imp_origin *o = dec_origin(a, m->dec);
	int err = 0;

	if (m->dec >= 0 && m->kind != MM_ND)
		a->rule_differs[m->dec] = true;
	add_both(&cells, a, m->cells);
	add_atoms(&srcs, a, m->atoms);
	if (cells.oom || srcs.oom) {
		err = -ENOMEM;
		goto out;
	}
	switch (m->kind) {
	case MM_ICMP:
		err = imp_diag(a->rs, true, o,
			       "%s%s %s from %s, which xdpfw %s: its icmp%s setting is one for "
			       "every source",
			       by, v, cells.s, srcs.s, xv, m->cells[IMP_V6] ? "6" : "");
		break;
	case MM_OTHER:
		err = imp_diag(a->rs, true, o,
			       "%s%s %s%s%s, which xdpfw %s: protocols but tcp, udp and icmp get "
			       "its default verdict (default %s)",
			       by, v, cells.s, all_atoms(a, m->atoms) ? "" : " from ",
			       all_atoms(a, m->atoms) ? "" : srcs.s, xv,
			       a->dpass ? "pass" : "drop");
		break;
	case MM_ND:
		err = imp_diag(a->rs, false, o,
			       "%sdrops neighbour discovery/MLD from %s, which xdpfw always passes",
			       by, srcs.s);
		break;
	case MM_EST:
		err = imp_diag(
			a->rs, true, o,
			"%sdrops replies to the host's connections or ICMP errors about them "
			"(%s) from %s, which xdpfw passes before any rule (as an "
			"ESTABLISHED,RELATED ACCEPT first)",
			by, cells.s, srcs.s);
		break;
	case MM_REPLIES:
		err = imp_diag(a->rs, true, o,
			       "%s%s replies to the host's connections from blocklisted %s, which "
			       "xdpfw %s: blocklist-replies is one setting",
			       by, v, srcs.s, xv);
		break;
	case MM_LO:
		err = imp_diag(a->rs, true, o,
			       "%sdrops loopback traffic (%s), which never reaches xdpfw (as an "
			       "-i lo ACCEPT first)",
			       by, cells.s);
		break;
	}
out:
	free(cells.s);
	free(srcs.s);
	return err;
}

/* ---- synthesis ------------------------------------------------------------- */

enum want { W_NO, W_YES, W_ANY };

/* p cut around the prefixes out[] (inside it, sorted): the prefixes of what is left. */
static int cover_cut(struct prefix_list *l, const struct prefix *p, const struct prefix *const *out,
		     unsigned int nout)
{
	const struct prefix **sub;
	struct prefix half[2];
	unsigned int h, i, n;
	int err = 0;

	if (!nout)
		return prefix_list_add(l, p);
	sub = malloc(nout * sizeof(*sub));
	if (!sub)
		return -ENOMEM;
	split(p, &half[0], &half[1]);
	for (h = 0; h < 2 && !err; h++) {
		for (i = n = 0; i < nout; i++)
			if (prefix_covers(&half[h], out[i]))
				sub[n++] = out[i];
		if (n != 1 || prefix_cmp(sub[0], &half[h]))
			err = cover_cut(l, &half[h], sub, n);
	}
	free(sub);
	return err;
}

/* Is some atom of node i's subtree wanted, and may all of it be covered? */
static void subtree_want(const struct fam *fd, const __u8 *want, unsigned int i, bool *full,
			 bool *any)
{
	unsigned int j;

	*full = true;
	*any = false;
	for (j = i; j < i + fd->size[i]; j++) {
		if (want[j] == W_NO)
			*full = false;
		if (want[j] == W_YES)
			*any = true;
	}
}

/*
 * Prefixes covering every W_YES atom of node i's subtree and no W_NO one: a subtree that may
 * be covered whole is its node's prefix, else a wanted atom is its prefix cut around the
 * subtrees that may not be.
 */
static int cover(struct prefix_list *l, const struct fam *fd, const __u8 *want, unsigned int i)
{
	const struct prefix **out;
	unsigned int j, n = 0;
	bool full, any;
	int err = 0;

	subtree_want(fd, want, i, &full, &any);
	if (!any)
		return 0;
	if (full)
		return prefix_list_add(l, &fd->node[i]);
	if (want[i] != W_YES) {
		for (j = i + 1; j < i + fd->size[i] && !err; j += fd->size[j])
			err = cover(l, fd, want, j);
		return err;
	}
	out = calloc(fd->size[i], sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (j = i + 1; j < i + fd->size[i]; j += fd->size[j]) {
		subtree_want(fd, want, j, &full, &any);
		if (!full)
			out[n++] = &fd->node[j];
	}
	err = cover_cut(l, &fd->node[i], out, n);
	for (j = 0; j < n && !err; j++)
		err = cover(l, fd, want, out[j] - fd->node);
	free(out);
	return err;
}

static void add_prefixes(struct sbuf *b, const struct prefix_list *l)
{
	char text[PREFIX_TEXT_MAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		prefix_format(&l->v[i], text, sizeof(text));
		sb_addf(b, "%s%s", i ? ", " : "", text);
	}
}

/* A line group of the policy: ports of one protocol, one from-list, the same rules. */
struct group {
	int l4;	    /* XDPFW_L4_*; -1: a blocklist group */
	char *from; /* the prefixes; NULL: every source */
	int *decs;  /* sorted */
	unsigned int n_decs;
	__u8 *segs;		/* per segment (allow groups); NULL for a blocklist group */
	struct prefix_list pfx; /* a blocklist group's prefixes */
	unsigned int first;	/* the first segment, for the order of allow lines */
	unsigned int order;
};

struct groups {
	struct group *v;
	unsigned int n, cap;
};

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return a < b ? -1 : a > b;
}

/* decs sorted and unique, in place; returns the count. */
static unsigned int uniq(int *decs, unsigned int n)
{
	unsigned int i, k = 0;

	qsort(decs, n, sizeof(*decs), cmp_int);
	for (i = 0; i < n; i++)
		if (!k || decs[k - 1] != decs[i])
			decs[k++] = decs[i];
	return k;
}

static unsigned int decs_order(const struct analysis *a, const int *decs, unsigned int n)
{
	const struct imp_origin *o;
	unsigned int i, best = ~0U;

	for (i = 0; i < n; i++) {
		o = dec_origin(a, decs[i]);
		if (o && o->loc && o->order < best)
			best = o->order;
	}
	return best;
}

/* The group with these keys, made when new; NULL when out of memory. */
static struct group *group_for(struct groups *g, const struct analysis *a, int l4, const char *from,
			       const int *decs, unsigned int n, unsigned int first)
{
	struct group *x;
	unsigned int i;

	for (i = 0; i < g->n; i++) {
		x = &g->v[i];
		if (x->l4 == l4 && x->n_decs == n && !memcmp(x->decs, decs, n * sizeof(*decs)) &&
		    (x->from == from || (x->from && from && !strcmp(x->from, from))))
			return x;
	}
	if (grow((void **)&g->v, &g->cap, g->n, sizeof(*x)))
		return NULL;
	x = &g->v[g->n];
	memset(x, 0, sizeof(*x));
	x->l4 = l4;
	x->from = from ? strdup(from) : NULL;
	x->decs = malloc((n + 1) * sizeof(*decs));
	x->segs = l4 >= 0 ? calloc(a->nseg, 1) : NULL;
	if ((from && !x->from) || !x->decs || (l4 >= 0 && !x->segs)) {
		free(x->from);
		free(x->decs);
		free(x->segs);
		return NULL;
	}
	memcpy(x->decs, decs, n * sizeof(*decs));
	x->n_decs = n;
	x->first = first;
	x->order = decs_order(a, decs, n);
	g->n++;
	return x;
}

static void groups_free(struct groups *g)
{
	unsigned int i;

	for (i = 0; i < g->n; i++) {
		free(g->v[i].from);
		free(g->v[i].decs);
		free(g->v[i].segs);
		prefix_list_free(&g->v[i].pfx);
	}
	free(g->v);
}

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (a->l4 != b->l4)
		return a->l4 - b->l4;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->from && b->from ? strcmp(a->from, b->from) : 0;
}

static bool blocked_or_dc(const struct fam *fd, unsigned int i)
{
	return fd->blocked[i] || (fd->flags[i] & ATOM_DC);
}

/* The want of each atom for one cell: pass, drop, or any (blocklisted, empty, loopback). */
static void want_cell(const struct analysis *a, enum imp_family f, unsigned int cell, __u8 *want)
{
	const struct fam *fd = &a->f[f];
	unsigned int i;

	for (i = 0; i < fd->n; i++)
		want[i] = blocked_or_dc(fd, i) ? W_ANY : row_v(a, f, i)[cell] ? W_YES : W_NO;
}

/* The from-list of a cell: NULL for every source; "" when no source passes. */
static char *from_list(const struct analysis *a, unsigned int cell[IMP_FAMILIES], bool *oom)
{
	struct prefix_list l = {};
	struct sbuf b = {};
	unsigned int f, i;
	bool any = false, no = false;
	__u8 *want;

	for (f = 0; f < IMP_FAMILIES && !*oom; f++) {
		want = malloc(a->f[f].n);
		if (!want) {
			*oom = true;
			break;
		}
		want_cell(a, f, cell[f], want);
		for (i = 0; i < a->f[f].n; i++) {
			any |= want[i] == W_YES;
			no |= want[i] == W_NO;
		}
		*oom = cover(&l, &a->f[f], want, 0) < 0;
		free(want);
	}
	if (!*oom && no)
		sb_addf(&b, "%s", "");
	if (!*oom && no && any)
		add_prefixes(&b, &l);
	prefix_list_free(&l);
	*oom |= b.oom;
	if (*oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static int allow_groups(struct analysis *a, struct groups *g)
{
	unsigned int l4, s, f, i, n, cell[IMP_FAMILIES];
	struct group *x;
	bool oom = false;
	char *from;
	int *decs;

	decs = malloc((a->f[IMP_V4].n + a->f[IMP_V6].n) * sizeof(*decs));
	if (!decs)
		return -ENOMEM;
	for (l4 = 0; l4 < 2 && !a->dpass; l4++)
		for (s = 0; s < a->nseg; s++) {
			for (f = 0; f < IMP_FAMILIES; f++)
				cell[f] = l4 ? cell_udp(a, s) : cell_tcp(a, s);
			from = from_list(a, cell, &oom);
			if (oom)
				break;
			if (from && !*from) {
				free(from);
				continue;
			}
			for (f = n = 0; f < IMP_FAMILIES; f++)
				for (i = 0; i < a->f[f].n; i++)
					if (!(a->f[f].flags[i] & ATOM_DC) && !a->f[f].blocked[i] &&
					    row_v(a, f, i)[cell[f]])
						decs[n++] = row_d(a, f, i)[cell[f]];
			n = uniq(decs, n);
			x = group_for(g, a, l4, from, decs, n, s);
			free(from);
			if (!x) {
				oom = true;
				break;
			}
			x->segs[s] = 1;
		}
	free(decs);
	return oom ? -ENOMEM : 0;
}

/* The rules deciding a blocklisted atom (all its cells but neighbour discovery), sorted. */
static unsigned int atom_decs(const struct analysis *a, enum imp_family f, unsigned int i,
			      int *decs)
{
	unsigned int k, n = 0;

	for (k = 0; k < a->f[f].ncells; k++)
		if (k != cell_nd(a) && cell_real(a, f, k))
			decs[n++] = row_d(a, f, i)[k];
	return uniq(decs, n);
}

/* Does prefix p hold addresses of atom i (not only of the prefixes inside it)? */
static bool touches(const struct fam *fd, unsigned int i, const struct prefix *p)
{
	unsigned int j;

	if (prefix_covers(p, &fd->node[i]))
		return true;
	if (!prefix_covers(&fd->node[i], p))
		return false;
	for (j = i + 1; j < i + fd->size[i]; j += fd->size[j])
		if (prefix_covers(&fd->node[j], p))
			return false;
	return true;
}

/*
 * The blocklist: the fewest prefixes covering every blocklisted atom, a group of them by the
 * rules deciding the atoms they hold, so that no two lines overlap.
 */
static int block_groups(struct analysis *a, struct groups *g)
{
	struct prefix_list all = {};
	unsigned int f, i, j, n, cap;
	struct group *x = NULL;
	__u8 *want = NULL;
	int *decs = NULL, err = 0;
	struct sbuf b = {};

	for (f = 0; f < IMP_FAMILIES && !err; f++) {
		const struct fam *fd = &a->f[f];

		all.n = 0;
		free(want);
		free(decs);
		cap = 0;
		for (i = 0; i < fd->n; i++)
			cap += fd->blocked[i];
		want = malloc(fd->n);
		decs = malloc((cap * fd->ncells + 1) * sizeof(*decs));
		if (!want || !decs) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < fd->n; i++)
			want[i] = fd->blocked[i] ? W_YES : (fd->flags[i] & ATOM_DC) ? W_ANY : W_NO;
		err = cover(&all, fd, want, 0);
		for (j = 0; j < all.n && !err; j++) {
			for (i = n = 0; i < fd->n; i++)
				if (fd->blocked[i] && touches(fd, i, &all.v[j]))
					n += atom_decs(a, f, i, decs + n);
			n = uniq(decs, n);
			x = group_for(g, a, -1, NULL, decs, n, 0);
			err = x ? prefix_list_add(&x->pfx, &all.v[j]) : -ENOMEM;
		}
	}
	for (j = 0; j < g->n && !err; j++) {
		memset(&b, 0, sizeof(b));
		sb_addf(&b, "%s", "");
		add_prefixes(&b, &g->v[j].pfx);
		g->v[j].from = b.s;
		err = b.oom ? -ENOMEM : 0;
	}
	prefix_list_free(&all);
	free(want);
	free(decs);
	return err;
}

/* ---- the checks ------------------------------------------------------------ */

/* The blocklist: atoms (not the world) that the ruleset drops whatever the packet. */
static void find_blocked(struct analysis *a)
{
	unsigned int f, i, k;

	for (f = 0; f < IMP_FAMILIES; f++) {
		const struct fam *fd = &a->f[f];

		for (i = 1; i < fd->n && !fd->mirror; i++) {
			if (fd->flags[i] & ATOM_DC)
				continue;
			for (k = 0; k < fd->ncells; k++)
				if (k != cell_nd(a) && cell_real(a, f, k) && row_v(a, f, i)[k])
					break;
			fd->blocked[i] = k == fd->ncells;
			a->any_blocked |= fd->blocked[i];
		}
	}
}

/* The atom whose verdicts stand for a family: the world, unless it has no address. */
static unsigned int world(const struct analysis *a, enum imp_family f)
{
	const struct fam *fd = &a->f[f];
	unsigned int i;

	for (i = 0; i < fd->n; i++)
		if (!blocked_or_dc(fd, i))
			return i;
	return 0;
}

/* A family without rules takes the other's world: same ports, icmp6 as icmp, same default. */
static void mirror_rows(struct analysis *a, enum imp_family f)
{
	unsigned int i, k, w = world(a, !f),
			   other = cell_other(a, a->f[!f].class_of[PROTO_UNNAMED]);
	const __u8 *ov = row_v(a, !f, w);
	const int *od = row_d(a, !f, w);
	const struct fam *fd = &a->f[f];

	for (i = 0; i < fd->n; i++) {
		__u8 *v = row_v(a, f, i);
		int *d = row_d(a, f, i);

		for (k = 0; k < 2 * a->nseg + 1; k++) {
			v[k] = ov[k];
			d[k] = od[k];
		}
		v[cell_nd(a)] = 1;
		d[cell_nd(a)] = DEC_NONE;
		for (k = 0; k < fd->n_other; k++) {
			v[cell_other(a, k)] = ov[other];
			d[cell_other(a, k)] = od[other];
		}
	}
}

static void choose_settings(struct analysis *a)
{
	enum imp_family rf = a->f[IMP_V4].mirror ? IMP_V6 : IMP_V4;
	unsigned int f, i, s, w = world(a, rf);
	bool tcpudp = true;

	for (f = 0; f < IMP_FAMILIES; f++)
		for (i = 0; i < a->f[f].n && !a->f[f].mirror; i++)
			for (s = 0; s < 2 * a->nseg && !blocked_or_dc(&a->f[f], i); s++)
				tcpudp &= row_v(a, f, i)[s];
	/* Default pass cannot drop a port: only when every port passes, not by the world alone. */
	a->dpass = tcpudp && row_v(a, rf, w)[cell_other(a, a->f[rf].class_of[PROTO_UNNAMED])];
	for (f = 0; f < IMP_FAMILIES; f++)
		a->icmp_pass[f] = row_v(a, f, world(a, f))[cell_icmp(a)];
}

/* New packets: icmp, other protocols, neighbour discovery. */
static void check_new(struct analysis *a, struct mismatches *mm)
{
	unsigned int f, i, k;

	for (f = 0; f < IMP_FAMILIES; f++) {
		const struct fam *fd = &a->f[f];

		for (i = 0; i < fd->n && !fd->mirror; i++) {
			const __u8 *v = row_v(a, f, i);
			const int *d = row_d(a, f, i);

			if (fd->flags[i] & ATOM_DC)
				continue;
			if (f == IMP_V6 && !v[cell_nd(a)])
				mm_add(mm, a, MM_ND, d[cell_nd(a)], false, f, i, cell_nd(a));
			if (fd->blocked[i])
				continue;
			if (v[cell_icmp(a)] != a->icmp_pass[f])
				mm_add(mm, a, MM_ICMP, d[cell_icmp(a)], v[cell_icmp(a)], f, i,
				       cell_icmp(a));
			for (k = 0; k < fd->n_other; k++)
				if (v[cell_other(a, k)] != a->dpass &&
				    cell_real(a, f, cell_other(a, k)))
					mm_add(mm, a, MM_OTHER, d[cell_other(a, k)],
					       v[cell_other(a, k)], f, i, cell_other(a, k));
		}
	}
}

/* One atom's row through a hook, for a conntrack state, on loopback or not. */
static void eval_one(struct analysis *a, enum imp_family f, enum imp_hook hook, __u8 state, bool lo,
		     __u8 used, unsigned int atom, __u8 *v, int *d)
{
	struct ctx c;

	ctx_init(&c, a, f, hook, state, lo, used);
	c.atom = atom;
	c.v = v;
	c.d = d;
	eval_atom(&c);
}

/*
 * blocklist-replies: what most blocklisted sources' replies get (a TCP, UDP and ICMP reply
 * meets the ESTABLISHED,RELATED ACCEPT, or their DROP first).
 */
static void choose_replies(struct analysis *a, __u8 *v, int *d)
{
	unsigned int f, i, k, pass, n_pass = 0, n_drop = 0;

	for (f = 0; f < IMP_FAMILIES; f++)
		for (i = 0; i < a->f[f].n; i++) {
			if (!a->f[f].blocked[i])
				continue;
			eval_one(a, f, IMP_H_INPUT, IMP_ST_EST, false, 0, i, v, d);
			for (k = pass = 0; k <= cell_icmp(a); k++)
				pass += v[k];
			n_pass += pass == cell_icmp(a) + 1;
			n_drop += !pass;
		}
	a->replies_drop = n_drop > n_pass;
}

/*
 * Replies (ESTABLISHED: TCP, UDP, ICMP) and ICMP errors about them (RELATED) must pass, as
 * xdpfw passes them before any rule, but from blocklisted sources under blocklist-replies
 * drop; loopback traffic must pass, xdpfw never sees it.
 */
static int check_states(struct analysis *a, struct mismatches *mm)
{
	unsigned int f, i, k, st, cells = a->words * 64;
	__u8 *v = malloc(cells);
	int *d = malloc(cells * sizeof(*d));
	bool want;

	if (!v || !d) {
		free(v);
		free(d);
		return -ENOMEM;
	}
	choose_replies(a, v, d);
	for (f = 0; f < IMP_FAMILIES; f++) {
		const struct fam *fd = &a->f[f];

		for (i = 0; i < fd->n && !fd->mirror; i++) {
			if (fd->flags[i] & ATOM_EMPTY)
				continue;
			want = !fd->blocked[i] || !a->replies_drop;
			for (st = IMP_ST_EST; st <= IMP_ST_REL && !(fd->flags[i] & ATOM_MARTIAN);
			     st <<= 1) {
				eval_one(a, f, IMP_H_INPUT, st, false,
					 st == IMP_ST_EST ? USED_EST : USED_REL, i, v, d);
				for (k = st == IMP_ST_EST ? 0 : cell_icmp(a); k <= cell_icmp(a);
				     k++)
					if (v[k] != want)
						mm_add(mm, a, fd->blocked[i] ? MM_REPLIES : MM_EST,
						       d[k], v[k], f, i, k);
			}
			/*
			 * Loopback traffic comes from 127.0.0.0/8, ::1 and the host's own
			 * addresses: any address, as far as the ruleset says, not one it
			 * names (a host does not block itself).
			 */
			if (i && !(fd->flags[i] & ATOM_MARTIAN))
				continue;
			eval_one(a, f, IMP_H_INPUT, IMP_ST_NEW, true, USED_LO, i, v, d);
			for (k = 0; k < fd->ncells; k++)
				if (!v[k] && cell_real(a, f, k))
					mm_add(mm, a, MM_LO, d[k], false, f, i, k);
		}
	}
	free(v);
	free(d);
	return 0;
}

/* ---- FORWARD ---------------------------------------------------------------- */

static bool same_origin_free(const struct imp_rule *x, const struct imp_rule *y)
{
	return x->fams == y->fams && x->src_neg == y->src_neg &&
	       prefix_list_equal(&x->src, &y->src) &&
	       !memcmp(x->proto, y->proto, sizeof(x->proto)) && x->n_dports == y->n_dports &&
	       (!x->n_dports || !memcmp(x->dports, y->dports, x->n_dports * sizeof(*x->dports))) &&
	       x->dport_neg == y->dport_neg && x->nd_only == y->nd_only && x->state == y->state &&
	       x->syn == y->syn && x->iface == y->iface && x->target == y->target &&
	       x->jump == y->jump && x->ignored == y->ignored;
}

/* The rules of the hook's chains for family f, in order; NULL-terminated chain list. */
static bool hooks_same(const struct analysis *a, enum imp_family f)
{
	const struct imp_chain *in = NULL, *fw = NULL;
	unsigned int i, n_in = 0, n_fw = 0;
	int ci;

	for (i = 0; (ci = a->base[IMP_H_INPUT][i]) >= 0; i++)
		if (a->rs->chains[ci].fams & IMP_FAM_BIT(f)) {
			in = &a->rs->chains[ci];
			n_in++;
		}
	for (i = 0; (ci = a->base[IMP_H_FORWARD][i]) >= 0; i++)
		if (a->rs->chains[ci].fams & IMP_FAM_BIT(f)) {
			fw = &a->rs->chains[ci];
			n_fw++;
		}
	if (n_in != 1 || n_fw != 1 || in->policy != fw->policy || in->n_rules != fw->n_rules)
		return false;
	for (i = 0; i < in->n_rules; i++)
		if (!same_origin_free(&a->rs->rules[in->rules[i]], &a->rs->rules[fw->rules[i]]))
			return false;
	return true;
}

/* The lines of the hook's chains and their rules: " (lines 23-38)", " (lines 4, 26)". */
static void add_span(struct sbuf *b, const struct analysis *a, enum imp_hook hook)
{
	unsigned int i, j, lo, hi, o, n = 0;
	const struct imp_chain *c;
	struct sbuf t = {};
	int ci;

	if (a->rs->kind != IMP_IPTABLES)
		return;
	for (i = 0; (ci = a->base[hook][i]) >= 0; i++) {
		c = &a->rs->chains[ci];
		lo = c->po.loc ? c->po.order : ~0U;
		hi = c->po.loc ? c->po.order : 0;
		for (j = 0; j < c->n_rules; j++) {
			o = a->rs->rules[c->rules[j]].o.order;
			lo = o < lo ? o : lo;
			hi = o > hi ? o : hi;
		}
		if (lo > hi)
			continue;
		n += 1 + (lo != hi);
		sb_addf(&t, lo == hi ? "%s%u" : "%s%u-%u", t.len ? ", " : "", lo, hi);
	}
	if (n)
		sb_addf(b, " (line%s %s)", n > 1 ? "s" : "", t.s);
	b->oom |= t.oom;
	free(t.s);
}

static void add_example(struct sbuf *b, const struct analysis *a, enum imp_family f,
			unsigned int atom, unsigned int cell, __u8 st, bool lo)
{
	__u8 *cells = calloc(a->f[f].ncells, 1);
	__u8 *atoms[IMP_FAMILIES] = {};

	if (!cells) {
		b->oom = true;
		return;
	}
	cells[cell] = 1;
	atoms[f] = calloc(a->f[f].n, 1);
	if (!atoms[f]) {
		free(cells);
		b->oom = true;
		return;
	}
	atoms[f][atom] = 1;
	sb_addf(b, "%s",
		st == IMP_ST_EST ? "replies, " :
		st == IMP_ST_REL ? "related, " :
		lo		 ? "loopback, " :
				   "");
	add_cells(b, a, f, cells);
	sb_addf(b, " from ");
	add_atoms(b, a, atoms);
	free(cells);
	free(atoms[f]);
}

static const struct imp_origin *hook_origin(const struct analysis *a, enum imp_hook hook,
					    enum imp_family f)
{
	const struct imp_chain *c;
	int ci, i;

	for (i = 0; (ci = a->base[hook][i]) >= 0; i++) {
		c = &a->rs->chains[ci];
		if (!(c->fams & IMP_FAM_BIT(f)))
			continue;
		if (c->n_rules)
			return &a->rs->rules[c->rules[0]].o;
		if (c->po.loc)
			return &c->po;
	}
	return NULL;
}

/*
 * FORWARD: xdpfw judges every packet at the interface alike, so a FORWARD that gives other
 * verdicts than INPUT is a difference; one without rules is left out with a note (a host that
 * does not route never uses it).
 */
static int check_forward(struct analysis *a)
{
	static const struct {
		__u8 st;
		bool lo;
	} ctxs[] = { { IMP_ST_NEW, false },
		     { IMP_ST_EST, false },
		     { IMP_ST_REL, false },
		     { IMP_ST_NEW, true } };
	unsigned int f, i, k, x, rules = 0, chains = 0;
	struct sbuf b = {}, span = {};
	__u8 *v1 = NULL, *v2 = NULL;
	int *d1 = NULL, *d2 = NULL, ci, err = 0;
	const struct imp_chain *c;
	bool differs = false;
	bool rules_same = true;
	struct ctx cx;

	for (i = 0; (ci = a->base[IMP_H_FORWARD][i]) >= 0; i++) {
		rules += a->rs->chains[ci].n_rules;
		chains++;
	}
	if (!chains)
		return 0;
	add_span(&span, a, IMP_H_FORWARD);
	if (!rules) {
		c = &a->rs->chains[a->base[IMP_H_FORWARD][0]];
		err = imp_note(a->rs,
			       "FORWARD%s: policy %s, no rules: not imported; xdpfw judges packets "
			       "the host routes by the INPUT rules.",
			       span.s ? span.s : "", chain_verdict(c));
		goto out;
	}
	for (f = 0; f < IMP_FAMILIES && !differs && !err; f++) {
		const struct fam *fd = &a->f[f];

		if (fd->mirror || !hook_origin(a, IMP_H_FORWARD, f) || hooks_same(a, f))
			continue;
		rules_same = false;
		free(v1);
		free(v2);
		free(d1);
		free(d2);
		v1 = malloc(fd->ncells);
		v2 = malloc(fd->ncells);
		d1 = malloc(fd->ncells * sizeof(int));
		d2 = malloc(fd->ncells * sizeof(int));
		if (!v1 || !v2 || !d1 || !d2) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < fd->n && !differs; i++) {
			if (fd->flags[i] & ATOM_DC)
				continue;
			for (x = 0; x < ARRAY_SIZE(ctxs) && !differs; x++) {
				ctx_init(&cx, a, f, IMP_H_INPUT, ctxs[x].st, ctxs[x].lo, 0);
				cx.atom = i;
				cx.v = v1;
				cx.d = d1;
				eval_atom(&cx);
				cx.hook = IMP_H_FORWARD;
				cx.v = v2;
				cx.d = d2;
				eval_atom(&cx);
				for (k = 0; k < fd->ncells; k++)
					if (v1[k] != v2[k] && cell_real(a, f, k))
						break;
				if (k == fd->ncells)
					continue;
				differs = true;
				add_example(&b, a, f, i, k, ctxs[x].st, ctxs[x].lo);
				sb_addf(&b, ": FORWARD %s it (", v2[k] ? "passes" : "drops");
				add_deciders(&b, a, &d2[k], 1);
				sb_addf(&b, "), INPUT %s it (", v1[k] ? "passes" : "drops");
				add_deciders(&b, a, &d1[k], 1);
				sb_addf(&b, ")");
				if (b.oom) {
					err = -ENOMEM;
					break;
				}
				err = imp_diag(a->rs, true, hook_origin(a, IMP_H_FORWARD, f),
					       "FORWARD differs from INPUT (%s): xdpfw cannot tell "
					       "packets the host routes from its own; the policy "
					       "follows INPUT",
					       b.s);
			}
		}
	}
	if (!differs && !err)
		err = imp_note(a->rs,
			       "FORWARD%s: the same %s as INPUT; xdpfw judges packets the host "
			       "routes and its own alike.",
			       span.s ? span.s : "", rules_same ? "rules" : "verdicts");
out:
	free(v1);
	free(v2);
	free(d1);
	free(d2);
	free(b.s);
	free(span.s);
	return err;
}

/* ---- rules that are not (all) imported ------------------------------------ */

/*
 * Per rule, before the evaluation: what no evaluation shows (unsupported conditions,
 * REJECT, LOG, states xdpfw has not) and the chains that are not imported at all.
 */
static int check_rules(struct analysis *a)
{
	const struct imp_chain *c;
	struct imp_rule *r;
	unsigned int i, reach;
	bool iface_said = false;
	int err = 0;

	for (i = 0; i < a->rs->n_rules && !err; i++) {
		if (!a->in_chain[i])
			continue;
		r = &a->rs->rules[i];
		c = &a->rs->chains[r->chain];
		reach = a->reach[r->chain];
		if (!c->filter && r->target != IMP_T_NONE)
			err = imp_diag(a->rs, true, &r->o,
				       "table %s: not expressible in xdpfw (rule left out)",
				       c->table);
		else if (c->filter && (reach & REACH(IMP_H_OTHER)) && r->target != IMP_T_NONE)
			err = imp_diag(a->rs, true, &r->o,
				       "chain %s at %s: not expressible in xdpfw (rule left out)",
				       c->name, c->hook_name ? c->hook_name : "another hook");
		if (!c->filter || (reach & REACH(IMP_H_OTHER)))
			continue;
		if (!(reach & REACH(IMP_H_INPUT)) && (reach & REACH(IMP_H_OUTPUT))) {
			if (r->target == IMP_T_DROP && !r->ignored)
				err = imp_diag(a->rs, true, &r->o,
					       "OUTPUT: xdpfw does not filter what the host sends "
					       "(rule left out)");
			continue;
		}
		if (!(reach & REACH(IMP_H_INPUT)))
			continue;
		/* Conditions of a rule without a verdict change no verdict. */
		if (r->unsupported && r->target != IMP_T_NONE)
			err = imp_diag(a->rs, true, &r->o, "%s: not expressible in xdpfw (%s)",
				       r->unsupported,
				       r->ignored		   ? "rule left out" :
				       strchr(r->unsupported, ',') ? "imported without them" :
								     "imported without it");
		if (!err && r->reject && !r->ignored)
			err = imp_diag(a->rs, false, &r->o,
				       "REJECT imported as a drop: xdpfw answers nothing (no ICMP "
				       "error, no TCP reset)");
		if (!err && r->nonterm && !r->ignored)
			err = imp_diag(a->rs, false, &r->o,
				       "%s: not imported: xdpfw keeps its own log of dropped "
				       "packets (xdpfw log)",
				       r->nonterm);
		if (!err && !r->ignored && r->target != IMP_T_NONE &&
		    (!(r->state & (IMP_ST_NEW | IMP_ST_EST | IMP_ST_REL)) ||
		     (r->syn < 0 && !(r->state & (IMP_ST_EST | IMP_ST_REL)))))
			err = imp_diag(a->rs, false, &r->o,
				       "matches only packets xdpfw does not tell apart (INVALID, "
				       "UNTRACKED, or new without SYN): not imported");
		if (!err && r->iface == IMP_IF_EXT && r->iface_name && !iface_said) {
			iface_said = true;
			err = imp_diag(a->rs, false, &r->o,
				       "-i %s: imported as the interface the policy is loaded on",
				       r->iface_name);
		}
	}
	for (i = 0; i < a->rs->n_chains && !err; i++) {
		c = &a->rs->chains[i];
		if (c->hook == IMP_H_NONE || c->policy != IMP_T_DROP)
			continue;
		if (!c->filter || c->hook == IMP_H_OTHER || c->hook == IMP_H_OUTPUT)
			err = imp_diag(a->rs, true, c->po.loc ? &c->po : NULL,
				       "%s%s%schain %s policy DROP: not expressible in xdpfw, which "
				       "filters what arrives at an interface only",
				       c->filter ? "" : "table ", c->filter ? "" : c->table,
				       c->filter ? "" : ": ", c->name);
	}
	return err;
}

/* What the header says of the families and of the chains that are not imported. */
static int chain_notes(struct analysis *a)
{
	const struct imp_ruleset *rs = a->rs;
	struct sbuf span = {}, tables = {};
	bool said = false;
	unsigned int i;
	int err = 0, ci;

	for (i = 0; i < IMP_FAMILIES && !err; i++)
		if (a->f[i].mirror)
			err = imp_note(
				a->rs,
				"The ruleset has %s rules only: %s sources get what %s sources "
				"outside every source match get (the same open ports), and %s "
				"follows %s.",
				i ? "IPv4" : "IPv6", i ? "IPv6" : "IPv4", i ? "IPv4" : "IPv6",
				i ? "icmp6" : "icmp", i ? "icmp" : "icmp6");
	add_span(&span, a, IMP_H_OUTPUT);
	for (i = 0; (ci = a->base[IMP_H_OUTPUT][i]) >= 0; i++)
		said |= rs->chains[ci].n_rules || rs->chains[ci].po.loc;
	if (!err && said)
		err = imp_note(a->rs,
			       "OUTPUT%s: not imported; xdpfw does not filter what the host "
			       "sends.",
			       span.s ? span.s : "");
	for (i = 0; i < rs->n_chains && !err; i++) {
		const struct imp_chain *c = &rs->chains[i];

		if (c->filter || c->hook == IMP_H_NONE || (tables.s && strstr(tables.s, c->table)))
			continue;
		sb_addf(&tables, "%s%s", tables.len ? ", " : "", c->table);
	}
	if (!err && tables.len)
		err = imp_note(a->rs, "Table%s %s: not imported; xdpfw only filters.",
			       strchr(tables.s, ',') ? "s" : "", tables.s);
	if (span.oom || tables.oom)
		err = -ENOMEM;
	free(span.s);
	free(tables.s);
	return err;
}

/*
 * The rules deciding the new packets a rule with no effect matches, at most 3 (decs has
 * room): those before it in the order the packets meet them.
 */
static unsigned int shadowers(const struct analysis *a, int ri, int *decs)
{
	const struct imp_rule *r = &a->rs->rules[ri];
	unsigned int f, i, k, j, n = 0;
	struct ctx c;

	for (f = 0; f < IMP_FAMILIES && n < 3; f++) {
		const struct fam *fd = &a->f[f];

		if (fd->mirror || !fd->rule_cells[ri] || r->iface == IMP_IF_LO ||
		    !(r->state & IMP_ST_NEW))
			continue;
		ctx_init(&c, (struct analysis *)a, f, IMP_H_INPUT, IMP_ST_NEW, false, 0);
		for (i = 0; i < fd->n && n < 3; i++) {
			c.atom = i;
			if ((fd->flags[i] & ATOM_EMPTY) || !src_match(&c, ri))
				continue;
			for (k = 0; k < fd->ncells && n < 3; k++) {
				int d = row_d(a, f, i)[k];

				if (!bit_test(fd->rule_cells[ri], k) || d < 0 || d == ri)
					continue;
				for (j = 0; j < n && decs[j] != d; j++)
					;
				if (j == n)
					decs[n++] = d;
			}
		}
	}
	return n ? uniq(decs, n) : 0;
}

/*
 * Is the rule really without effect, or only as imported: an ICMPv6 type of neighbour
 * discovery (one cell for all of them), or after a rule imported without conditions?
 */
static bool shadow_known(const struct analysis *a, int ri, const int *decs, unsigned int n)
{
	unsigned int i;

	if (a->rs->rules[ri].nd_only)
		return false;
	for (i = 0; i < n; i++)
		if (a->rs->rules[decs[i]].unsupported)
			return false;
	return true;
}

/* Rules that decide nothing at all: a warning, they may be a mistake. */
static int check_unused(struct analysis *a)
{
	const struct imp_rule *r;
	struct sbuf by = {};
	unsigned int i, n;
	int err = 0, decs[3];

	for (i = 0; i < a->rs->n_rules && !err; i++) {
		r = &a->rs->rules[i];
		if (!a->in_chain[i] || a->used[i] || r->ignored || r->target == IMP_T_NONE ||
		    !(a->reach[r->chain] & REACH(IMP_H_INPUT)) || !a->rs->chains[r->chain].filter ||
		    !(r->state & (IMP_ST_NEW | IMP_ST_EST | IMP_ST_REL)) ||
		    (r->syn < 0 && !(r->state & (IMP_ST_EST | IMP_ST_REL))))
			continue;
		if (!(r->fams & ((a->f[IMP_V4].mirror ? 0 : IMP_FAM_BIT(IMP_V4)) |
				 (a->f[IMP_V6].mirror ? 0 : IMP_FAM_BIT(IMP_V6)))))
			continue;
		by.len = 0;
		if (by.s)
			by.s[0] = 0;
		n = shadowers(a, i, decs);
		if (!shadow_known(a, i, decs, n))
			continue;
		if (n) {
			sb_addf(&by, " (");
			add_deciders(&by, a, decs, n);
			sb_addf(&by, ")");
		}
		if (by.oom) {
			err = -ENOMEM;
			break;
		}
		err = imp_diag(a->rs, false, &r->o,
			       "no effect: every packet it matches is decided before it%s",
			       by.s ? by.s : "");
	}
	free(by.s);
	return err;
}

/* Why a rule has no line of its own in the policy, for the list at its end. */
static void why_not(struct sbuf *b, struct analysis *a, int ri)
{
	const struct imp_rule *r = &a->rs->rules[ri];
	const struct imp_chain *c = &a->rs->chains[r->chain];
	unsigned int reach = a->reach[r->chain], f, i, k, n = 0;
	__u8 *cells[IMP_FAMILIES] = {};
	bool martian = false;

	if (!c->filter) {
		sb_addf(b, "table %s: left out, xdpfw only filters", c->table);
		return;
	}
	if (reach & REACH(IMP_H_OTHER)) {
		sb_addf(b, "chain %s at %s: left out", c->name, c->hook_name ? c->hook_name : "?");
		return;
	}
	if (!(reach & REACH(IMP_H_INPUT)) && (reach & REACH(IMP_H_OUTPUT))) {
		sb_addf(b, "OUTPUT: xdpfw does not filter what the host sends");
		return;
	}
	if (!reach) {
		sb_addf(b, "chain %s: no jump reaches it", c->name);
		return;
	}
	if (r->ignored) {
		sb_addf(b, "left out: %s", r->unsupported ? r->unsupported : "not expressible");
		return;
	}
	if (r->target == IMP_T_NONE) {
		sb_addf(b, "%s: no verdict", r->nonterm ? r->nonterm : "no target");
		return;
	}
	if (!(r->state & (IMP_ST_NEW | IMP_ST_EST | IMP_ST_REL)) ||
	    (r->syn < 0 && !(r->state & (IMP_ST_EST | IMP_ST_REL)))) {
		sb_addf(b, "matches only packets xdpfw does not tell apart");
		return;
	}
	if (!a->used[ri]) {
		sb_addf(b, "no effect: every packet it matches is decided before it");
		return;
	}
	if (r->target == IMP_T_JUMP) {
		sb_addf(b, "jumps to %s", a->rs->chains[r->jump].name);
		return;
	}
	if (r->target == IMP_T_RETURN) {
		sb_addf(b, "returns from %s", c->name);
		return;
	}
	if (!(a->used[ri] & USED_NEW) && (a->used[ri] & (USED_EST | USED_REL))) {
		sb_addf(b, "replies and related ICMP errors: xdpfw passes them itself, before any "
			   "rule");
		return;
	}
	if (a->used[ri] == USED_LO) {
		sb_addf(b, "loopback traffic never reaches xdpfw");
		return;
	}
	/* What it decides among new packets, outside blocklisted and loopback sources. */
	for (f = 0; f < IMP_FAMILIES; f++) {
		const struct fam *fd = &a->f[f];

		if (fd->mirror)
			continue;
		cells[f] = calloc(fd->ncells, 1);
		if (!cells[f]) {
			b->oom = true;
			goto out;
		}
		for (i = 0; i < fd->n; i++)
			for (k = 0; k < fd->ncells; k++) {
				if (row_d(a, f, i)[k] != ri || !cell_real(a, f, k))
					continue;
				if (fd->flags[i] & ATOM_MARTIAN)
					martian = true;
				else if (!blocked_or_dc(fd, i) && !cells[f][k]) {
					cells[f][k] = 1;
					n++;
				}
			}
	}
	if (!n && martian) {
		sb_addf(b, "loopback sources: xdpfw drops them itself");
	} else if (!n) {
		sb_addf(b, "replies, related and loopback packets: xdpfw passes them itself");
	} else {
		sb_addf(b, "%s ", r->target == IMP_T_ACCEPT ? "passes" : "drops");
		add_both(b, a, cells);
		sb_addf(b, a->rule_differs[ri] || r->unsupported ? ": see the differences above"
								  : ", as the lines above do");
	}
out:
	free(cells[IMP_V4]);
	free(cells[IMP_V6]);
}

/* ---- output --------------------------------------------------------------- */

#define COMMENT_COL 32

static void put_line(struct sbuf *b, const char *directive, const char *comment)
{
	size_t n = strlen(directive);

	if (!comment || !*comment) {
		sb_addf(b, "%s\n", directive);
		return;
	}
	sb_addf(b, "%s%*s# %s\n", directive, n < COMMENT_COL - 2 ? (int)(COMMENT_COL - n) : 2, "",
		comment);
}

/* "a,b,c-d" items of the group's segments, '\n' every 62 columns at most. */
static void group_ports(struct sbuf *b, const struct analysis *a, const struct group *g)
{
	unsigned int s, lo, hi, n, col = 0;
	char item[16];

	for (s = 0; s < a->nseg; s++) {
		if (!g->segs[s])
			continue;
		lo = a->seg_lo[s];
		while (s + 1 < a->nseg && g->segs[s + 1])
			s++;
		hi = seg_hi(a, s);
		n = lo == hi ? snprintf(item, sizeof(item), "%u", lo) :
			       snprintf(item, sizeof(item), "%u-%u", lo, hi);
		if (col && col + 1 + n > 62) {
			sb_addf(b, "\n");
			col = 0;
		}
		sb_addf(b, "%s%s", col ? "," : "", item);
		col += n + !!col;
	}
}

/* The end of the first n prefixes of a ", " separated list. */
static const char *prefixes_end(const char *p, unsigned int n)
{
	for (; *p; p++)
		if (p[0] == ',' && p[1] == ' ' && !--n)
			break;
	return p;
}

/*
 * "allow tcp PORTS[ from ...]" lines, as the parser's normal form has them: 62 columns of
 * ports, 8 prefixes a line (lines that repeat ports add up). The comment goes on the first.
 */
static void put_group(struct sbuf *b, const struct analysis *a, const struct group *g,
		      const char *comment)
{
	const char *from = g->from, *end = "", *p, *nl;
	struct sbuf ports = {}, line = {};

	group_ports(&ports, a, g);
	do {
		if (from)
			end = prefixes_end(from, 8);
		for (p = ports.s; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			line.len = 0;
			sb_addf(&line, "allow %s %.*s", g->l4 ? "udp" : "tcp",
				nl ? (int)(nl - p) : (int)strlen(p), p);
			if (from)
				sb_addf(&line, " from %.*s", (int)(end - from), from);
			if (line.oom)
				break;
			put_line(b, line.s, comment);
			comment = NULL;
		}
		if (from)
			from = *end ? end + 2 : end;
	} while (from && *from && !line.oom);
	b->oom |= ports.oom || line.oom;
	free(line.s);
	free(ports.s);
}

static void put_block_group(struct sbuf *b, const struct group *g, const char *comment)
{
	const char *p = g->from, *end;
	struct sbuf line = {};

	while (p && *p && !line.oom) {
		end = prefixes_end(p, 8);
		line.len = 0;
		sb_addf(&line, "deny from %.*s", (int)(end - p), p);
		if (!line.oom)
			put_line(b, line.s, comment);
		comment = NULL;
		p = *end ? end + 2 : end;
	}
	b->oom |= line.oom;
	free(line.s);
}

static int cmp_diag(const void *x, const void *y)
{
	const struct imp_diag *a = x, *b = y;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

#define COMMENT_WIDTH 98

/*
 * "# TEXT" lines for each line of text, wrapped at blanks to COMMENT_WIDTH columns, a wrapped
 * line indented by two more; bytes a policy file refuses become '?'.
 */
static void put_comment(struct sbuf *b, const char *text)
{
	const char *p, *eol, *cut, *sp;
	size_t indent, lead, width;

	for (p = text; p; p = *eol ? eol + 1 : NULL) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		for (indent = 0; p + indent < eol && p[indent] == ' '; indent++)
			;
		lead = 0;
		do {
			width = COMMENT_WIDTH - 2 - lead;
			cut = eol;
			if ((size_t)(eol - p) > width) {
				for (sp = p + width; sp > p && *sp != ' '; sp--)
					;
				if (sp > p + indent)
					cut = sp;
			}
			sb_addf(b, "#%s%*s", cut > p ? " " : "", (int)lead, "");
			for (; p < cut; p++)
				sb_addf(b, "%c", isprint((unsigned char)*p) ? *p : '?');
			sb_addf(b, "\n");
			while (p < eol && *p == ' ')
				p++;
			lead = indent + 2;
		} while (p < eol);
	}
}

static int cmp_rule_order(const void *x, const void *y, void *arg)
{
	const struct imp_ruleset *rs = arg;
	unsigned int a = rs->rules[*(const int *)x].o.order, b = rs->rules[*(const int *)y].o.order;

	return a < b ? -1 : a > b;
}

static void put_header(struct sbuf *b, const struct analysis *a)
{
	const struct imp_ruleset *rs = a->rs;
	unsigned int i, n;
	struct sbuf t = {};

	sb_addf(&t,
		"xdpfw policy imported by `xdpfw import %s` from %s.\n"
		"Each line names the %s it comes from (see docs/import.md).",
		rs->kind == IMP_IPTABLES ? "iptables" : "nft", rs->name,
		rs->kind == IMP_IPTABLES ? "lines of rules" : "rules");
	if (rs->notes)
		sb_addf(&t, "\n%s", rs->notes);
	for (i = n = 0; i < rs->n_diags; i++)
		if (rs->diags[i].loss)
			sb_addf(&t, "%s  %s",
				n++ ? "\n" : "\n\nNot exact (imported with --lossy):\n",
				rs->diags[i].text);
	for (i = n = 0; i < rs->n_diags; i++)
		if (!rs->diags[i].loss)
			sb_addf(&t, "%s  %s", n++ ? "\n" : "\n\nWarnings:\n", rs->diags[i].text);
	put_comment(b, t.s);
	b->oom |= t.oom;
	free(t.s);
}

/* The settings: default, icmp, icmp6, blocklist-replies. */
static void put_settings(struct sbuf *b, struct analysis *a)
{
	enum imp_family rf = a->f[IMP_V4].mirror ? IMP_V6 : IMP_V4, f;
	unsigned int w = world(a, rf), other = cell_other(a, a->f[rf].class_of[PROTO_UNNAMED]);
	struct sbuf com = {};
	int dec;

	dec = row_d(a, rf, w)[other];
	if (row_v(a, rf, w)[other] == a->dpass) {
		add_deciders(&com, a, &dec, 1);
		mark_named(a, &dec, 1);
	} else
		sb_addf(&com, "not the ruleset's: see the differences above");
	put_line(b, a->dpass ? "default pass" : "default drop", com.s);
	for (f = 0; f < IMP_FAMILIES; f++) {
		com.len = 0;
		if (com.s)
			com.s[0] = 0;
		if (a->f[f].mirror) {
			sb_addf(&com, "as %s: the ruleset has %s rules only", f ? "icmp" : "icmp6",
				f ? "IPv4" : "IPv6");
		} else {
			dec = row_d(a, f, world(a, f))[cell_icmp(a)];
			add_deciders(&com, a, &dec, 1);
			mark_named(a, &dec, 1);
		}
		put_line(b,
			 f ? (a->icmp_pass[f] ? "icmp6 pass" : "icmp6 drop") :
			     (a->icmp_pass[f] ? "icmp pass" : "icmp drop"),
			 com.s);
	}
	if (a->any_blocked)
		put_line(b, a->replies_drop ? "blocklist-replies drop" : "blocklist-replies pass",
			 a->replies_drop ? "replies from these sources meet their DROP first" :
					   "replies pass before these sources are dropped");
	b->oom |= com.oom;
	free(com.s);
}

/* Every rule no line of the policy names, and why (FORWARD's are said of in the header). */
static int put_others(struct sbuf *b, struct analysis *a)
{
	const struct imp_rule *r;
	struct sbuf why = {};
	unsigned int i, n, reach;
	int *order;

	order = malloc((a->rs->n_rules + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (i = n = 0; i < a->rs->n_rules; i++) {
		r = &a->rs->rules[i];
		reach = a->reach[r->chain];
		if (a->in_chain[i] && !a->rule_ref[i] &&
		    !(a->rs->chains[r->chain].filter && (reach & REACH(IMP_H_FORWARD)) &&
		      !(reach & REACH(IMP_H_INPUT))))
			order[n++] = i;
	}
	if (n)
		qsort_r(order, n, sizeof(*order), cmp_rule_order, a->rs);
	for (i = 0; i < n; i++) {
		r = &a->rs->rules[order[i]];
		why.len = 0;
		sb_addf(&why, "%s%s%s%s: ", r->o.label, r->o.comment ? " (" : "",
			r->o.comment ? r->o.comment : "", r->o.comment ? ")" : "");
		why_not(&why, a, order[i]);
		if (!i)
			sb_addf(b, "\n# Rules without a line of their own:\n");
		put_comment(b, why.s);
	}
	b->oom |= why.oom;
	free(why.s);
	free(order);
	return b->oom ? -ENOMEM : 0;
}

/* The policy text: header, settings, blocklist, allows, then the rules without a line. */
static int write_policy(struct analysis *a, struct groups *allow, struct groups *block,
			struct sbuf *b)
{
	struct sbuf com = {};
	unsigned int i;

	put_header(b, a);
	sb_addf(b, "\n");
	put_settings(b, a);
	if (block->n || allow->n)
		sb_addf(b, "\n");
	for (i = 0; i < block->n + allow->n; i++) {
		const struct group *g = i < block->n ? &block->v[i] : &allow->v[i - block->n];

		com.len = 0;
		if (com.s)
			com.s[0] = 0;
		add_deciders(&com, a, g->decs, g->n_decs);
		mark_named(a, g->decs, g->n_decs);
		if (g->l4 < 0)
			put_block_group(b, g, com.s);
		else
			put_group(b, a, g, com.s);
	}
	b->oom |= com.oom;
	free(com.s);
	return put_others(b, a);
}

/*
 * The backstop: the policy as the real parser reads it must pass exactly the TCP/UDP cells
 * the ruleset passes (the translation claims these are always exact), and blocklisted sources
 * nothing.
 */
static int verify(struct analysis *a, const char *text, size_t len, struct policy *pol)
{
	struct policy_error perr;
	unsigned int f, i, s, l4, cell;
	bool want, got;
	int ret;

	ret = policy_parse(pol, text, len, a->rs->name, &perr);
	if (ret) {
		imp_diag(a->rs, true, NULL, "the policy does not fit in xdpfw: %s", perr.msg);
		return -EINVAL;
	}
	for (f = 0; f < IMP_FAMILIES; f++) {
		const struct fam *fd = &a->f[f];

		for (i = 0; i < fd->n; i++) {
			if (fd->flags[i] & ATOM_DC)
				continue;
			for (l4 = 0; l4 < 2; l4++)
				for (s = 0; s < a->nseg; s++) {
					cell = l4 ? cell_udp(a, s) : cell_tcp(a, s);
					want = !fd->blocked[i] && row_v(a, f, i)[cell];
					got = policy_passes(pol, l4, a->seg_lo[s], fam_af(f),
							    fd->rep[i]);
					if (want == got)
						continue;
					ret = imp_diag(
						a->rs, true, dec_origin(a, row_d(a, f, i)[cell]),
						"%s %u from an address of %s: the policy %s "
						"it, the ruleset %s it (an xdpfw import bug)",
						l4 ? "udp" : "tcp", a->seg_lo[s],
						i ? "a listed prefix" : "the rest",
						got ? "passes" : "drops",
						want ? "passes" : "drops");
					return ret ? ret : -EINVAL;
				}
		}
	}
	return 0;
}

static void analysis_free(struct analysis *a)
{
	unsigned int f, i;

	for (f = 0; f < IMP_FAMILIES; f++) {
		struct fam *fd = &a->f[f];

		for (i = 0; fd->rule_cells && i < a->rs->n_rules; i++) {
			free(fd->rule_cells[i]);
			free(fd->rule_src[i]);
		}
		free(fd->rule_cells);
		free(fd->rule_src);
		free(fd->n_rule_src);
		free(fd->node);
		free(fd->size);
		free(fd->flags);
		free(fd->rep);
		free(fd->v);
		free(fd->d);
		free(fd->blocked);
	}
	for (i = 0; i < IMP_H_OTHER; i++)
		free(a->base[i]);
	free(a->reach);
	free(a->seg_lo);
	free(a->scratch);
	free(a->tv);
	free(a->td);
	free(a->used);
	free(a->in_chain);
	free(a->rule_ref);
	free(a->rule_differs);
}

static int prepare(struct analysis *a, FILE *err)
{
	struct imp_ruleset *rs = a->rs;
	unsigned int f, i, j, maxc = 0, *height;
	__u8 *state;
	int ret;

	a->in_chain = calloc(rs->n_rules + 1, sizeof(*a->in_chain));
	for (i = 0; a->in_chain && i < rs->n_chains; i++)
		for (j = 0; j < rs->chains[i].n_rules; j++)
			a->in_chain[rs->chains[i].rules[j]] = true;
	a->reach = calloc(rs->n_chains + 1, sizeof(*a->reach));
	a->used = calloc(rs->n_rules + 1, 1);
	a->rule_ref = calloc(rs->n_rules + 1, sizeof(*a->rule_ref));
	a->rule_differs = calloc(rs->n_rules + 1, sizeof(*a->rule_differs));
	if (!a->in_chain || !a->reach || !a->used || !a->rule_ref || !a->rule_differs)
		return -ENOMEM;
	state = calloc(rs->n_chains + 1, 1);
	height = calloc(rs->n_chains + 1, sizeof(*height));
	if (!state || !height) {
		free(state);
		free(height);
		return -ENOMEM;
	}
	for (i = 0, ret = 0; i < rs->n_chains && ret >= 0; i++) {
		enum imp_hook h = rs->chains[i].hook;

		if (h == IMP_H_NONE)
			continue;
		ret = chain_height(a, i, state, height, err);
		reach_from(a, i, REACH(rs->chains[i].filter ? h : IMP_H_OTHER));
	}
	free(state);
	free(height);
	if (ret < 0)
		return ret;
	ret = build_bases(a);
	if (!ret)
		ret = build_segments(a);
	for (f = 0; f < IMP_FAMILIES && !ret; f++) {
		a->f[f].mirror = !rs->present[f];
		ret = build_tree(a, f);
		if (!ret) {
			build_classes(a, f);
			ret = build_rule_cells(a, f);
		}
		if (ret)
			break;
		maxc = a->f[f].ncells > maxc ? a->f[f].ncells : maxc;
		a->f[f].v = malloc((size_t)a->f[f].n * a->f[f].ncells);
		a->f[f].d = malloc((size_t)a->f[f].n * a->f[f].ncells * sizeof(int));
		a->f[f].blocked = calloc(a->f[f].n, sizeof(bool));
		if (!a->f[f].v || !a->f[f].d || !a->f[f].blocked)
			ret = -ENOMEM;
	}
	if (ret)
		return ret;
	a->words = (maxc + 63) / 64;
	a->scratch = calloc((size_t)(MAX_DEPTH + 2) * 3 * a->words, sizeof(*a->scratch));
	a->tv = malloc(maxc);
	a->td = malloc(maxc * sizeof(*a->td));
	return a->scratch && a->tv && a->td ? 0 : -ENOMEM;
}

/* In the order of the input; said once (a verdict map's rules share their origin). */
static void sort_diags(struct imp_ruleset *rs)
{
	unsigned int i, n = 0;

	if (rs->n_diags)
		qsort(rs->diags, rs->n_diags, sizeof(*rs->diags), cmp_diag);
	for (i = 0; i < rs->n_diags; i++) {
		if (n && rs->diags[n - 1].loss == rs->diags[i].loss &&
		    !strcmp(rs->diags[n - 1].text, rs->diags[i].text)) {
			free(rs->diags[i].text);
			continue;
		}
		rs->diags[n++] = rs->diags[i];
	}
	rs->n_diags = n;
}

static void print_diags(struct imp_ruleset *rs, bool lossy, FILE *err)
{
	unsigned int i;

	sort_diags(rs);
	for (i = 0; i < rs->n_diags; i++)
		fprintf(err, "xdpfw: %s%s\n",
			rs->diags[i].loss && !lossy ? "" : "warning: ", rs->diags[i].text);
}

int imp_translate(struct imp_ruleset *rs, bool lossy, FILE *out, FILE *err)
{
	struct analysis a = { .rs = rs };
	struct groups allow = {}, block = {};
	struct mismatches mm = {};
	struct sbuf text = {};
	static struct policy pol; /* 280 KiB: not on the stack */
	unsigned int i, losses = 0;
	enum imp_family f;
	int ret;

	if (!rs->present[IMP_V4] && !rs->present[IMP_V6]) {
		fprintf(err, "xdpfw: %s: no rules and no chains found\n", rs->name);
		return -EINVAL;
	}
	ret = prepare(&a, err);
	if (!ret)
		ret = check_rules(&a);
	if (!ret)
		ret = chain_notes(&a);
	if (ret)
		goto out;
	for (f = 0; f < IMP_FAMILIES; f++)
		if (!a.f[f].mirror)
			eval_rows(&a, f);
	find_blocked(&a);
	for (f = 0; f < IMP_FAMILIES; f++)
		if (a.f[f].mirror)
			mirror_rows(&a, f);
	choose_settings(&a);
	check_new(&a, &mm);
	ret = check_states(&a, &mm);
	for (i = 0; i < mm.n && !ret; i++)
		ret = mm_report(&a, &mm.v[i]);
	if (!ret && mm.oom)
		ret = -ENOMEM;
	if (!ret)
		ret = check_forward(&a);
	if (!ret)
		ret = check_unused(&a);
	if (!ret)
		ret = allow_groups(&a, &allow);
	if (!ret)
		ret = block_groups(&a, &block);
	if (ret)
		goto out;
	if (allow.n)
		qsort(allow.v, allow.n, sizeof(*allow.v), cmp_group);
	if (block.n)
		qsort(block.v, block.n, sizeof(*block.v), cmp_group);
	sort_diags(rs);
	ret = write_policy(&a, &allow, &block, &text);
	if (!ret)
		ret = verify(&a, text.s, text.len, &pol);
	policy_free(&pol);
	if (ret && ret != -EINVAL)
		goto out;
	print_diags(rs, lossy, err);
	for (i = 0; i < rs->n_diags; i++)
		losses += rs->diags[i].loss;
	if (ret || (losses && !lossy)) {
		fprintf(err, "xdpfw: %s: not imported: %u difference%s from the ruleset%s\n",
			rs->name, losses, losses == 1 ? "" : "s",
			ret ? "" : " (--lossy imports the closest policy)");
		ret = -EINVAL;
		goto out;
	}
	fwrite(text.s, 1, text.len, out);
out:
	if (ret == -ENOMEM)
		fprintf(err, "xdpfw: %s: %s\n", rs->name, strerror(ENOMEM));
	free(text.s);
	groups_free(&allow);
	groups_free(&block);
	mm_free(&mm);
	analysis_free(&a);
	return ret;
}
