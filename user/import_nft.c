// SPDX-License-Identifier: GPL-2.0
/*
 * `xdpfw import nft`: the JSON of `nft -j list ruleset` into the import model
 * (import_model.h). Tables of family ip, ip6 and inet are read; base chains by their hook,
 * type, priority and policy; rules by their match expressions (ct state, iifname, meta l4proto,
 * ip protocol, ip6 nexthdr, tcp/udp/th dport, ip/ip6 saddr with single values, prefixes, ranges,
 * anonymous and named sets, icmpv6 type), verdicts (accept, drop, reject, jump, return),
 * verdict maps and comments. What xdpfw cannot express is kept on the rule for the
 * translation to report (import.c); a rule is named by its table, chain and handle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "import.h"
#include "import_model.h"
#include "util.h"

struct nreader {
	struct imp_ruleset *rs;
	FILE *err;
	json_object *items; /* the "nftables" array */
	unsigned int order; /* of the item being read, for messages */
};

__attribute__((format(printf, 2, 3))) static int fail(struct nreader *nr, const char *fmt, ...)
{
	va_list ap;

	fprintf(nr->err, "xdpfw: %s: ", nr->rs->name);
	va_start(ap, fmt);
	vfprintf(nr->err, fmt, ap);
	va_end(ap);
	fputc('\n', nr->err);
	return -EINVAL;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A string value, "" for anything else (a number, an object, nothing). */
static const char *sval(json_object *v)
{
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ?
		       v :
		       NULL;
}

/* The single key of an expression object ({"match": ...}) and its value. */
static const char *expr_kind(json_object *o, json_object **val)
{
	struct json_object_iterator it, end;

	if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) != 1)
		return NULL;
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	if (json_object_iter_equal(&it, &end))
		return NULL;
	*val = json_object_iter_peek_value(&it);
	return json_object_iter_peek_name(&it);
}

static unsigned int table_fams(const char *family)
{
	if (!strcmp(family, "ip"))
		return IMP_FAM_BIT(IMP_V4);
	if (!strcmp(family, "ip6"))
		return IMP_FAM_BIT(IMP_V6);
	return IMP_FAM_BOTH; /* inet; arp, bridge and netdev are never imported */
}

static bool ip_family(const char *family)
{
	return !strcmp(family, "ip") || !strcmp(family, "ip6") || !strcmp(family, "inet");
}

/* "inet filter": how a table is named in chains and messages. */
static void table_name(char *buf, size_t size, json_object *o)
{
	const char *f = str(o, "family"), *t = str(o, "table") ?: str(o, "name");

	snprintf(buf, size, "%s %s", f ? f : "?", t ? t : "?");
}

static enum imp_hook hook_of(const char *hook)
{
	if (!strcmp(hook, "input"))
		return IMP_H_INPUT;
	if (!strcmp(hook, "forward"))
		return IMP_H_FORWARD;
	if (!strcmp(hook, "output"))
		return IMP_H_OUTPUT;
	return IMP_H_OTHER;
}

static int read_chain(struct nreader *nr, json_object *o)
{
	const char *family = str(o, "family"), *name = str(o, "name"), *hook = str(o, "hook");
	const char *type = str(o, "type"), *policy = str(o, "policy");
	char table[128], loc[256];
	struct imp_chain *c;
	unsigned int fams;
	json_object *prio;
	int ci, err;

	if (!family || !name || !str(o, "table"))
		return fail(nr, "a chain without family, table or name");
	table_name(table, sizeof(table), o);
	fams = table_fams(family);
	if (imp_chain_find(nr->rs, table, name, fams) >= 0)
		return fail(nr, "chain %s %s listed twice", table, name);
	ci = imp_chain_add(nr->rs, table, name, fams, hook ? hook_of(hook) : IMP_H_NONE,
			   ip_family(family) && (!type || !strcmp(type, "filter")));
	if (ci < 0)
		return ci;
	c = &nr->rs->chains[ci];
	if (!hook)
		return 0;
	/* The name of a hook other than input, forward, output: the chain points to it. */
	if (c->hook == IMP_H_OTHER)
		c->hook_name = !strcmp(hook, "prerouting")  ? "prerouting" :
			       !strcmp(hook, "postrouting") ? "postrouting" :
			       !strcmp(hook, "ingress")	    ? "ingress" :
							      "egress";
	prio = get(o, "prio");
	c->prio = prio && json_object_is_type(prio, json_type_int) ? json_object_get_int(prio) : 0;
	c->policy = policy && !strcmp(policy, "drop") ? IMP_T_DROP : IMP_T_ACCEPT;
	snprintf(loc, sizeof(loc), "%s: %s %s", nr->rs->name, table, name);
	err = imp_origin_set(&c->po, nr->order, loc, table);
	return err;
}

/* ---- values ------------------------------------------------------------------- */

/* A set element: plain, or {"elem": {"val": ...}} when it has a timeout or a comment. */
static json_object *elem_val(json_object *e)
{
	json_object *inner = get(e, "elem");

	return inner && get(inner, "val") ? get(inner, "val") : e;
}

/* Elements of a list: an empty or absent one has none. */
static size_t count(json_object *list)
{
	return list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) :
								    0;
}

/*
 * The elements of a right-hand side: an anonymous set, a named set ("@name", its elements
 * as listed), or the value itself (*single).
 */
static int values(struct nreader *nr, json_object *rule, json_object *right, json_object **list,
		  bool *single)
{
	const char *s = sval(right);
	char table[128], want[128];
	json_object *it, *v;
	size_t i;

	*single = false;
	v = get(right, "set");
	if (v && json_object_is_type(v, json_type_array)) {
		*list = v;
		return 0;
	}
	if (json_object_is_type(right, json_type_string) && s[0] == '@') {
		table_name(table, sizeof(table), rule);
		for (i = 0; i < count(nr->items); i++) {
			it = get(json_object_array_get_idx(nr->items, i), "set");
			if (!it || !str(it, "name") || strcmp(str(it, "name"), s + 1))
				continue;
			table_name(want, sizeof(want), it);
			if (strcmp(want, table))
				continue;
			*list = get(it, "elem");
			return 0;
		}
		return fail(nr, "no set %s in table %s", s, table);
	}
	*list = right;
	*single = true;
	return 0;
}

/* An address, a prefix or an address range, into r's sources. */
static int add_prefix_value(struct nreader *nr, struct imp_rule *r, json_object *v,
			    enum imp_family f)
{
	json_object *pfx, *range;
	struct prefix p, q;
	char text[64];
	int err;

	v = elem_val(v);
	pfx = get(v, "prefix");
	range = get(v, "range");
	if (pfx) {
		snprintf(text, sizeof(text), "%s/%d", str(pfx, "addr") ?: "?",
			 json_object_get_int(get(pfx, "len")));
		err = imp_parse_prefix(text, &p);
	} else if (count(range) == 2) {
		err = imp_parse_prefix(sval(json_object_array_get_idx(range, 0)), &p) ?:
			      imp_parse_prefix(sval(json_object_array_get_idx(range, 1)), &q);
		if (!err && imp_family_of(&p) == f && imp_family_of(&q) == f) {
			err = imp_rule_add_src_range(r, &p, &q);
			return err == -EINVAL ? fail(nr, "%s: address range %s is reversed",
						     r->o.loc, json_object_to_json_string(range)) :
						err;
		}
	} else {
		err = imp_parse_prefix(sval(v), &p);
	}
	if (err || imp_family_of(&p) != f)
		return fail(nr, "%s: '%s' is no %s address or prefix", r->o.loc,
			    json_object_to_json_string(v), f == IMP_V4 ? "IPv4" : "IPv6");
	return imp_rule_add_src(r, &p);
}

/* ip saddr / ip6 saddr: == or != a value, a set of them, a named set. */
static int match_saddr(struct nreader *nr, json_object *rule, struct imp_rule *r, enum imp_family f,
		       bool neg, json_object *right)
{
	json_object *list;
	bool single;
	size_t i;
	int err;

	if (r->src.n)
		return imp_unsupported(r, "a second source match");
	err = values(nr, rule, right, &list, &single);
	if (!err && single)
		err = add_prefix_value(nr, r, list, f);
	for (i = 0; !single && !err && i < count(list); i++)
		err = add_prefix_value(nr, r, json_object_array_get_idx(list, i), f);
	if (!r->src.n && !err) {
		/* An empty set matches nothing; "!=" it, everything. */
		if (!neg)
			r->iface = IMP_IF_NEVER;
		return 0;
	}
	r->src_neg = neg;
	r->fams &= IMP_FAM_BIT(f);
	return err;
}

static int add_port_value(struct nreader *nr, struct imp_rule *r, json_object *v)
{
	json_object *range;
	int lo, hi;

	v = elem_val(v);
	range = get(v, "range");
	if (count(range) == 2) {
		lo = json_object_get_int(json_object_array_get_idx(range, 0));
		hi = json_object_get_int(json_object_array_get_idx(range, 1));
	} else if (json_object_is_type(v, json_type_int)) {
		lo = hi = json_object_get_int(v);
	} else {
		return fail(nr, "%s: '%s' is no port or port range (names are not resolved)",
			    r->o.loc, json_object_to_json_string(v));
	}
	if (lo < 0 || hi > 65535 || lo > hi)
		return fail(nr, "%s: port range %d-%d out of order or range", r->o.loc, lo, hi);
	return imp_rule_add_dports(r, lo, hi);
}

static void proto_only(struct imp_rule *r, const __u64 keep[4])
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		r->proto[i] &= keep[i];
}

/* tcp dport, udp dport, th dport (after meta l4proto { tcp, udp }). */
static int match_dport(struct nreader *nr, json_object *rule, struct imp_rule *r, const char *proto,
		       bool neg, json_object *right)
{
	__u64 keep[4] = {};
	json_object *list;
	bool single;
	size_t i;
	int err;

	if (r->n_dports)
		return imp_unsupported(r, "a second port match");
	if (!strcmp(proto, "tcp") || !strcmp(proto, "udp")) {
		imp_proto_set(keep, !strcmp(proto, "tcp") ? IMP_PROTO_TCP : IMP_PROTO_UDP);
		proto_only(r, keep);
	} else {
		imp_proto_set(keep, IMP_PROTO_TCP);
		imp_proto_set(keep, IMP_PROTO_UDP);
		for (i = 0; i < 4; i++)
			if (r->proto[i] & ~keep[i])
				return imp_unsupported(r,
						       "%s dport of a protocol other than tcp "
						       "and udp",
						       proto);
	}
	err = values(nr, rule, right, &list, &single);
	if (!err && single)
		err = add_port_value(nr, r, list);
	for (i = 0; !single && !err && i < count(list); i++)
		err = add_port_value(nr, r, json_object_array_get_idx(list, i));
	if (err)
		return err;
	if (!r->n_dports) /* an empty set: nothing matches it */
		r->iface = neg ? r->iface : IMP_IF_NEVER;
	r->dport_neg = neg;
	return 0;
}

static int proto_value(json_object *v)
{
	v = elem_val(v);
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int(v) >= 0 && json_object_get_int(v) < 256 ?
			       json_object_get_int(v) :
			       -1;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	return imp_proto_from_name(sval(v));
}

/* meta l4proto, ip protocol, ip6 nexthdr: a protocol or a set of them. */
static int match_proto(struct nreader *nr, json_object *rule, struct imp_rule *r, bool neg,
		       json_object *right)
{
	__u64 set[4] = {};
	json_object *list;
	bool single;
	size_t i, n;
	int err, p;

	err = values(nr, rule, right, &list, &single);
	if (err)
		return err;
	n = single ? 1 : count(list);
	for (i = 0; i < n; i++) {
		p = proto_value(single ? list : json_object_array_get_idx(list, i));
		if (p < 0 || p == IMP_PROTO_ALL)
			return fail(nr, "%s: unknown protocol %s", r->o.loc,
				    json_object_to_json_string(list));
		imp_proto_set(set, p);
	}
	for (i = 0; i < 4; i++)
		set[i] = neg ? ~set[i] : set[i];
	proto_only(r, set);
	return 0;
}

static int match_state(struct nreader *nr, json_object *rule, struct imp_rule *r, bool neg,
		       json_object *right)
{
	static const struct {
		const char *name;
		__u8 bit;
	} states[] = { { "new", IMP_ST_NEW },
		       { "established", IMP_ST_EST },
		       { "related", IMP_ST_REL },
		       { "invalid", IMP_ST_OTHER },
		       { "untracked", IMP_ST_OTHER } };
	json_object *list, *v;
	__u8 mask = 0;
	bool single;
	size_t i, n, k;
	int err;

	if (json_object_is_type(right, json_type_array)) {
		list = right;
		single = false;
	} else {
		err = values(nr, rule, right, &list, &single);
		if (err)
			return err;
	}
	n = single ? 1 : count(list);
	for (i = 0; i < n; i++) {
		v = elem_val(single ? list : json_object_array_get_idx(list, i));
		for (k = 0; k < ARRAY_SIZE(states); k++)
			if (json_object_is_type(v, json_type_string) &&
			    !strcmp(sval(v), states[k].name))
				break;
		if (k == ARRAY_SIZE(states))
			return fail(nr, "%s: unknown ct state %s", r->o.loc,
				    json_object_to_json_string(v));
		mask |= states[k].bit;
	}
	r->state &= neg ? IMP_ST_ALL & ~mask : mask;
	return 0;
}

static int match_iface(struct imp_ruleset *rs, struct imp_rule *r, bool neg, json_object *right)
{
	const char *name = json_object_is_type(right, json_type_string) ? sval(right) : NULL;

	if (!name)
		return imp_unsupported(r, "iifname %s", json_object_to_json_string(right));
	if (!strcmp(name, "lo")) {
		r->iface = neg ? IMP_IF_EXT : IMP_IF_LO;
		return 0;
	}
	if (neg || (rs->iface && strcmp(rs->iface, name))) {
		r->ignored = true;
		return imp_unsupported(r, "iifname %s%s (the policy is for %s)", neg ? "!= " : "",
				       name, rs->iface ? rs->iface : "one interface");
	}
	if (!rs->iface && !(rs->iface = strdup(name)))
		return -ENOMEM;
	r->iface = IMP_IF_EXT;
	free(r->iface_name);
	r->iface_name = strdup(name);
	return r->iface_name ? 0 : -ENOMEM;
}

/* icmpv6 type: neighbour discovery and MLD types only, which xdpfw always passes. */
static int match_icmp6_type(struct nreader *nr, json_object *rule, struct imp_rule *r, bool neg,
			    json_object *right)
{
	__u64 keep[4] = {};
	json_object *list, *v;
	bool single, nd = !neg;
	size_t i, n;
	int err, t;

	imp_proto_set(keep, IMP_PROTO_ICMP6);
	proto_only(r, keep);
	r->fams &= IMP_FAM_BIT(IMP_V6);
	err = values(nr, rule, right, &list, &single);
	if (err)
		return err;
	n = single ? 1 : count(list);
	for (i = 0; i < n && nd; i++) {
		v = elem_val(single ? list : json_object_array_get_idx(list, i));
		t = json_object_is_type(v, json_type_int) ? json_object_get_int(v) :
							    imp_icmp6_type_from_name(sval(v));
		nd = imp_icmp6_type_is_nd(t);
	}
	if (!nd)
		return imp_unsupported(r, "icmpv6 type %s%s", neg ? "!= " : "",
				       json_object_to_json_string(right));
	r->nd_only = true;
	return 0;
}

/* A header's field matches only packets that have the header: "tcp sport" is TCP's. */
static void implied(struct imp_rule *r, const char *proto)
{
	static const struct {
		const char *name;
		int proto;
		int fam;
	} headers[] = {
		{ "ip", -1, IMP_V4 },
		{ "ip6", -1, IMP_V6 },
		{ "tcp", IMP_PROTO_TCP, -1 },
		{ "udp", IMP_PROTO_UDP, -1 },
		{ "icmp", IMP_PROTO_ICMP, IMP_V4 },
		{ "icmpv6", IMP_PROTO_ICMP6, IMP_V6 },
		{ "sctp", 132, -1 },
		{ "dccp", 33, -1 },
		{ "udplite", 136, -1 },
	};
	__u64 keep[4] = {};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(headers); i++) {
		if (strcmp(proto, headers[i].name))
			continue;
		if (headers[i].fam >= 0)
			r->fams &= IMP_FAM_BIT(headers[i].fam);
		if (headers[i].proto >= 0) {
			imp_proto_set(keep, headers[i].proto);
			proto_only(r, keep);
		}
	}
}

/* What a match's left side is, in nft's words: "ip saddr", "meta l4proto". */
static void left_name(char *buf, size_t size, json_object *left)
{
	json_object *v, *inner;
	const char *kind = expr_kind(left, &v);
	size_t n;

	if (!kind) {
		snprintf(buf, size, "%s", json_object_to_json_string(left));
		return;
	}
	if (!strcmp(kind, "payload"))
		snprintf(buf, size, "%s %s", str(v, "protocol") ?: "?", str(v, "field") ?: "?");
	else if (!strcmp(kind, "meta") || !strcmp(kind, "ct") || !strcmp(kind, "rt") ||
		 !strcmp(kind, "socket"))
		snprintf(buf, size, "%s %s", kind, str(v, "key") ?: "?");
	else if ((inner = get(v, "result")))
		snprintf(buf, size, "%s %s", kind, sval(inner));
	else if (count(v) == 2) { /* a binary operation: "tcp flags &" */
		left_name(buf, size, json_object_array_get_idx(v, 0));
		n = strlen(buf);
		snprintf(buf + n, size - n, " %s", kind);
	} else {
		snprintf(buf, size, "%s", kind);
	}
}

/* A value for a message: short ones as nft's JSON has them. */
static const char *value_text(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	return strlen(s) <= 40 ? s : "{...}";
}

static int match(struct nreader *nr, json_object *rule, struct imp_rule *r, json_object *left,
		 const char *op, json_object *right)
{
	const char *kind, *proto = NULL, *field = NULL, *key = NULL;
	bool neg = op && !strcmp(op, "!=");
	json_object *v;
	char what[128];

	left_name(what, sizeof(what), left);
	if (op && strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "in"))
		return imp_unsupported(r, "%s %s", what, op);
	kind = expr_kind(left, &v);
	if (kind && !strcmp(kind, "payload")) {
		proto = str(v, "protocol");
		field = str(v, "field");
	} else if (kind && (!strcmp(kind, "meta") || !strcmp(kind, "ct"))) {
		key = str(v, "key");
	}
	if (proto && field) {
		implied(r, proto);
		if ((!strcmp(proto, "ip") || !strcmp(proto, "ip6")) && !strcmp(field, "saddr"))
			return match_saddr(nr, rule, r, strcmp(proto, "ip") ? IMP_V6 : IMP_V4, neg,
					   right);
		if (!strcmp(field, "dport") &&
		    (!strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "th")))
			return match_dport(nr, rule, r, proto, neg, right);
		if ((!strcmp(proto, "ip") && !strcmp(field, "protocol")) ||
		    (!strcmp(proto, "ip6") && !strcmp(field, "nexthdr"))) {
			r->fams &= IMP_FAM_BIT(strcmp(proto, "ip") ? IMP_V6 : IMP_V4);
			return match_proto(nr, rule, r, neg, right);
		}
		if (!strcmp(proto, "icmpv6") && !strcmp(field, "type"))
			return match_icmp6_type(nr, rule, r, neg, right);
	}
	if (kind && !strcmp(kind, "meta") && key) {
		if (!strcmp(key, "l4proto"))
			return match_proto(nr, rule, r, neg, right);
		if (!strcmp(key, "iifname") || !strcmp(key, "iif"))
			return match_iface(nr->rs, r, neg, right);
		if (!strcmp(key, "nfproto")) {
			const char *p = sval(right);

			if (!strcmp(p, "ipv4") || !strcmp(p, "ipv6")) {
				unsigned int fam = IMP_FAM_BIT(strcmp(p, "ipv4") ? IMP_V6 : IMP_V4);

				r->fams &= neg ? ~fam : fam;
				return 0;
			}
		}
	}
	if (kind && !strcmp(kind, "ct") && key && !strcmp(key, "state"))
		return match_state(nr, rule, r, neg, right);
	return imp_unsupported(r, "%s %s%s", what, neg ? "!= " : "", value_text(right));
}

/* ---- statements ------------------------------------------------------------------ */

static int jump_to(struct nreader *nr, json_object *rule, struct imp_rule *r, json_object *v)
{
	const char *target = str(v, "target");
	char table[128];
	int c;

	table_name(table, sizeof(table), rule);
	c = target ? imp_chain_find(nr->rs, table, target, nr->rs->chains[r->chain].fams) : -1;
	if (c < 0)
		return fail(nr, "%s: jump to a chain that is not in table %s", r->o.loc, table);
	r->target = IMP_T_JUMP;
	r->jump = c;
	return 0;
}

/* A verdict statement into r; 1 when kind is none. */
static int verdict(struct nreader *nr, json_object *rule, struct imp_rule *r, const char *kind,
		   json_object *v)
{
	if (!strcmp(kind, "accept")) {
		r->target = IMP_T_ACCEPT;
	} else if (!strcmp(kind, "drop")) {
		r->target = IMP_T_DROP;
	} else if (!strcmp(kind, "reject")) {
		r->target = IMP_T_DROP;
		r->reject = true;
	} else if (!strcmp(kind, "return")) {
		r->target = IMP_T_RETURN;
	} else if (!strcmp(kind, "jump")) {
		return jump_to(nr, rule, r, v);
	} else if (!strcmp(kind, "goto")) {
		r->target = IMP_T_DROP;
		r->ignored = true;
		return imp_unsupported(r, "goto %s", str(v, "target") ?: "?");
	} else if (!strcmp(kind, "continue")) {
		r->target = IMP_T_NONE;
	} else {
		return 1;
	}
	return 0;
}

static int new_rule(struct nreader *nr, json_object *rule, int chain, int *out)
{
	char table[128], loc[256], label[64];
	const char *comment = str(rule, "comment");
	struct imp_rule *r;
	int ri, err;

	table_name(table, sizeof(table), rule);
	ri = imp_rule_new(nr->rs, chain);
	if (ri < 0)
		return ri;
	r = &nr->rs->rules[ri];
	snprintf(label, sizeof(label), "handle %d", json_object_get_int(get(rule, "handle")));
	snprintf(loc, sizeof(loc), "%s: %s %s %s", nr->rs->name, table, nr->rs->chains[chain].name,
		 label);
	err = imp_origin_set(&r->o, nr->order, loc, label);
	if (!err && comment)
		err = imp_set_comment(&r->o, comment);
	*out = ri;
	return err;
}

/* A copy of rule ri's conditions as a new rule: one element of a verdict map. */
static int clone_rule(struct nreader *nr, json_object *rule, int ri, int *out)
{
	struct imp_rule *r, *c;
	size_t i;
	int ci, err;

	err = new_rule(nr, rule, nr->rs->rules[ri].chain, &ci);
	if (err)
		return err;
	r = &nr->rs->rules[ri];
	c = &nr->rs->rules[ci];
	c->fams = r->fams;
	for (i = 0; i < r->src.n && !err; i++)
		err = imp_rule_add_src(c, &r->src.v[i]);
	for (i = 0; i < r->n_dports && !err; i++)
		err = imp_rule_add_dports(c, r->dports[i].lo, r->dports[i].hi);
	memcpy(c->proto, r->proto, sizeof(c->proto));
	c->src_neg = r->src_neg;
	c->dport_neg = r->dport_neg;
	c->nd_only = r->nd_only;
	c->state = r->state;
	c->iface = r->iface;
	if (!err && r->unsupported)
		err = imp_unsupported(c, "%s", r->unsupported);
	c->ignored = r->ignored;
	if (!err && r->iface_name && !(c->iface_name = strdup(r->iface_name)))
		err = -ENOMEM;
	*out = ci;
	return err;
}

/* A verdict map: a rule for each element, the key matched to it, with its verdict. */
static int vmap(struct nreader *nr, json_object *rule, int ri, json_object *v)
{
	json_object *key = get(v, "key"), *data = get(v, "data"), *elems, *pair, *val;
	const char *kind;
	size_t i;
	int ci, err = 0;

	elems = get(data, "set");
	if (!key || !elems || !json_object_is_type(elems, json_type_array)) {
		nr->rs->rules[ri].ignored = true;
		return imp_unsupported(&nr->rs->rules[ri], "a named verdict map");
	}
	for (i = 0; i < count(elems) && !err; i++) {
		pair = json_object_array_get_idx(elems, i);
		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) != 2)
			return fail(nr, "%s: a verdict map element that is no pair",
				    nr->rs->rules[ri].o.loc);
		err = clone_rule(nr, rule, ri, &ci);
		if (!err)
			err = match(nr, rule, &nr->rs->rules[ci], key,
				    "==", json_object_array_get_idx(pair, 0));
		kind = err ? NULL : expr_kind(json_object_array_get_idx(pair, 1), &val);
		if (!err && (!kind || verdict(nr, rule, &nr->rs->rules[ci], kind, val)))
			err = fail(nr, "%s: a verdict map element without a verdict",
				   nr->rs->rules[ri].o.loc);
		if (!err && nr->rs->rules[ci].unsupported &&
		    nr->rs->rules[ci].target != IMP_T_ACCEPT)
			nr->rs->rules[ci].ignored = true;
		if (!err)
			err = imp_rule_insert(nr->rs, ci, ~0U);
	}
	return err;
}

static int read_rule(struct nreader *nr, json_object *o)
{
	const char *chain = str(o, "chain"), *kind;
	json_object *exprs = get(o, "expr"), *e, *v;
	char table[128];
	struct imp_rule *r;
	int c, ri, err;
	size_t i;
	bool mapped = false;

	table_name(table, sizeof(table), o);
	c = chain && str(o, "family") ?
		    imp_chain_find(nr->rs, table, chain, table_fams(str(o, "family"))) :
		    -1;
	if (c < 0)
		return fail(nr, "a rule of chain %s %s, which is not listed", table,
			    chain ? chain : "?");
	err = new_rule(nr, o, c, &ri);
	for (i = 0; !err && i < count(exprs); i++) {
		r = &nr->rs->rules[ri];
		e = json_object_array_get_idx(exprs, i);
		kind = expr_kind(e, &v);
		if (!kind) {
			err = fail(nr, "%s: an expression that is no object with one key",
				   r->o.loc);
		} else if (!strcmp(kind, "match")) {
			err = match(nr, o, r, get(v, "left"), str(v, "op"), get(v, "right"));
		} else if (!strcmp(kind, "counter") || !strcmp(kind, "comment")) {
			continue;
		} else if (!strcmp(kind, "log")) {
			r->nonterm = "log";
		} else if (!strcmp(kind, "vmap")) {
			err = vmap(nr, o, ri, v);
			mapped = true;
			break;
		} else if (!strcmp(kind, "xt")) {
			err = imp_unsupported(r,
					      "iptables-nft's %s %s (import its iptables-save "
					      "output instead)",
					      str(v, "type") ?: "?", str(v, "name") ?: "?");
			if (str(v, "type") && !strcmp(str(v, "type"), "target")) {
				r->ignored = true;
				r->target = IMP_T_DROP;
				break;
			}
		} else if ((err = verdict(nr, o, r, kind, v)) <= 0) {
			break; /* a verdict ends the rule: what follows never runs */
		} else {
			/* A statement of its own (limit, nat, mark, set, queue...). */
			err = imp_unsupported(r, "%s", kind);
			if (!err && strcmp(kind, "limit") && strcmp(kind, "quota")) {
				r->ignored = true;
				r->target = IMP_T_DROP;
				break;
			}
		}
	}
	if (err)
		return err;
	r = &nr->rs->rules[ri];
	if (mapped) {
		/* The map's rules stand for it; this one matches nothing. */
		r->iface = IMP_IF_NEVER;
		r->target = IMP_T_NONE;
		r->nonterm = NULL;
		free(r->unsupported);
		r->unsupported = NULL;
		return 0;
	}
	if (r->unsupported && r->target != IMP_T_ACCEPT && r->target != IMP_T_NONE)
		r->ignored = true;
	return imp_rule_insert(nr->rs, ri, ~0U);
}

static void mark_present(struct imp_ruleset *rs, unsigned int fams)
{
	if (fams & IMP_FAM_BIT(IMP_V4))
		rs->present[IMP_V4] = true;
	if (fams & IMP_FAM_BIT(IMP_V6))
		rs->present[IMP_V6] = true;
}

/* Chains first (rules jump to chains listed after them), then rules. */
static int read_items(struct nreader *nr)
{
	size_t i, n = json_object_array_length(nr->items);
	json_object *it, *v;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		it = json_object_array_get_idx(nr->items, i);
		nr->order = i;
		if ((v = get(it, "chain"))) {
			err = read_chain(nr, v);
			if (!err && ip_family(str(v, "family")))
				mark_present(nr->rs, table_fams(str(v, "family")));
		}
	}
	for (i = 0; i < n && !err; i++) {
		it = json_object_array_get_idx(nr->items, i);
		nr->order = i;
		if ((v = get(it, "rule")))
			err = read_rule(nr, v);
	}
	return err;
}

int import_nft(const char *text, size_t len, const char *name, bool lossy, FILE *out, FILE *err)
{
	struct nreader nr = { .err = err };
	struct json_tokener *tok;
	struct imp_ruleset rs;
	json_object *root;
	size_t off;
	int ret;

	if (len > IMPORT_MAX_BYTES) {
		fprintf(err, "xdpfw: %s: too large (%zu bytes, limit %d)\n", name, len,
			IMPORT_MAX_BYTES);
		return -EFBIG;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, len);
	off = json_tokener_get_parse_end(tok);
	/* Blanks after the document are fine: nft ends it with a newline. */
	while (root && off < len && strchr(" \t\r\n", text[off]))
		off++;
	if (!root || off != len) {
		fprintf(err,
			"xdpfw: %s: not JSON (%s at byte %zu): expected the output of "
			"`nft -j list ruleset`\n",
			name,
			!root ? json_tokener_error_desc(json_tokener_get_error(tok)) :
				"text after the document",
			off);
		json_object_put(root);
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	imp_init(&rs, IMP_NFT, name);
	nr.rs = &rs;
	nr.items = get(root, "nftables");
	if (!nr.items || !json_object_is_type(nr.items, json_type_array)) {
		fprintf(err,
			"xdpfw: %s: no \"nftables\" array: expected the output of "
			"`nft -j list ruleset`\n",
			name);
		ret = -EINVAL;
	} else {
		ret = read_items(&nr);
		if (ret == -ENOMEM)
			fprintf(err, "xdpfw: %s: %s\n", name, strerror(ENOMEM));
		if (!ret)
			ret = imp_translate(&rs, lossy, out, err);
	}
	imp_free(&rs);
	json_object_put(root);
	return ret;
}
