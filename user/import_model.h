/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ruleset model shared by the iptables and nftables readers (import_iptables.c,
 * import_nft.c) and the translation (import.c): chains of rules reduced to what decides a
 * packet's fate at an interface (source, protocol, destination port, conntrack state, loopback
 * or not), with what a reader could not express kept per rule for the messages.
 */
#ifndef XDPFW_USER_IMPORT_MODEL_H
#define XDPFW_USER_IMPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#include "prefix.h"

enum imp_family { IMP_V4, IMP_V6, IMP_FAMILIES };

#define IMP_FAM_BIT(f) (1U << (f))
#define IMP_FAM_BOTH   (IMP_FAM_BIT(IMP_V4) | IMP_FAM_BIT(IMP_V6))

#define IMP_PROTO_ICMP	1
#define IMP_PROTO_TCP	6
#define IMP_PROTO_UDP	17
#define IMP_PROTO_ICMP6 58
#define IMP_PROTO_ALL	256 /* imp_proto_from_name(): "all", any protocol */

struct imp_range {
	unsigned int lo, hi;
};

enum imp_target {
	IMP_T_NONE, /* no verdict (LOG, counters): the next rule */
	IMP_T_ACCEPT,
	IMP_T_DROP, /* REJECT as well */
	IMP_T_RETURN,
	IMP_T_JUMP,
};

/* Which packets a rule's input interface match lets through. */
enum imp_iface {
	IMP_IF_ANY,
	IMP_IF_LO,    /* -i lo: loopback only */
	IMP_IF_EXT,   /* ! -i lo, or the interface the policy is for */
	IMP_IF_NEVER, /* ! -i lo with -i lo, or a second interface */
};

/* Conntrack states a rule matches; IMP_ST_OTHER: INVALID, UNTRACKED, which xdpfw never sees. */
#define IMP_ST_NEW   0x1
#define IMP_ST_EST   0x2
#define IMP_ST_REL   0x4
#define IMP_ST_OTHER 0x8
#define IMP_ST_ALL   0xf

/* Where a rule or a chain policy came from: for messages and the policy's comments. */
struct imp_origin {
	unsigned int order; /* sorts messages: the line, or the position in the ruleset */
	char *loc;	    /* "rules.v4:12", "ruleset.json: inet filter input handle 7" */
	char *label;	    /* "line 12", "inet filter input handle 7" */
	char *comment;	    /* -m comment, nft's comment; NULL when none */
};

struct imp_rule {
	struct imp_origin o;
	int chain;
	unsigned int fams;	/* IMP_FAM_BIT()s of the packets it can match */
	struct prefix_list src; /* empty: any source */
	bool src_neg;
	__u64 proto[4];		  /* a bit per IP protocol number it matches */
	struct imp_range *dports; /* tcp/udp destination ports; n_dports == 0: any */
	unsigned int n_dports, cap_dports;
	bool dport_neg;
	bool nd_only; /* ICMPv6 types of neighbour discovery/MLD only */
	__u8 state;   /* IMP_ST_* */
	__s8 syn;     /* 1: SYN only (new TCP), -1: no SYN (never new), 0: any */
	enum imp_iface iface;
	enum imp_target target;
	int jump;	     /* chain index for IMP_T_JUMP */
	bool reject;	     /* REJECT: imported as a drop, with a warning */
	const char *nonterm; /* a target without a verdict ("LOG"), for a warning */
	/*
	 * What xdpfw cannot express ("-m hashlimit, -d 10.0.0.1"): a difference. An ACCEPT is
	 * imported without these conditions (it passes more); any other rule is left out.
	 */
	char *unsupported;
	bool ignored;	  /* left out: its target, or a condition of a non-ACCEPT */
	char *iface_name; /* -i NAME other than lo: the interface the policy is for */
};

enum imp_hook { IMP_H_NONE, IMP_H_INPUT, IMP_H_FORWARD, IMP_H_OUTPUT, IMP_H_OTHER };

struct imp_chain {
	char *name;
	char *table; /* "filter", "nat"; nft: "inet filter" */
	unsigned int fams;
	enum imp_hook hook;    /* IMP_H_NONE: a user chain, reached by jumps only */
	const char *hook_name; /* IMP_H_OTHER: "prerouting", "ingress" */
	bool filter; /* a filter chain: the others (nat, mangle, raw) are never imported */
	int prio;    /* nft: base chains of one hook run in this order */
	enum imp_target policy; /* ACCEPT or DROP, for base chains */
	struct imp_origin po;	/* where the policy was set; loc NULL when it was not */
	int *rules;		/* indices into the ruleset's rules, in chain order */
	unsigned int n_rules, cap_rules;
};

enum imp_kind { IMP_IPTABLES, IMP_NFT };

struct imp_diag {
	bool loss; /* a difference; otherwise a warning */
	unsigned int order, seq;
	char *text; /* "rules.v4:12: -m hashlimit: ..." */
};

struct imp_ruleset {
	enum imp_kind kind;
	const char *name;
	bool present[IMP_FAMILIES]; /* a family the input has chains for */
	struct imp_rule *rules;
	unsigned int n_rules, cap_rules;
	struct imp_chain *chains;
	unsigned int n_chains, cap_chains;
	struct imp_diag *diags;
	unsigned int n_diags, cap_diags;
	char *iface; /* the interface that -i rules name, other than lo */
	char *notes; /* comments for the policy's header, one a line */
};

/* ---- for the readers ---------------------------------------------------- */

void imp_init(struct imp_ruleset *rs, enum imp_kind kind, const char *name);
void imp_free(struct imp_ruleset *rs);
/* The chain's index, or -1 when there is none. */
int imp_chain_find(const struct imp_ruleset *rs, const char *table, const char *name,
		   unsigned int fams);
/* A new chain (policy ACCEPT): its index, or -ENOMEM. */
int imp_chain_add(struct imp_ruleset *rs, const char *table, const char *name, unsigned int fams,
		  enum imp_hook hook, bool filter);
/* A new rule of chain that matches every packet of the chain's families: its index, -ENOMEM. */
int imp_rule_new(struct imp_ruleset *rs, int chain);
/* Puts rule r into its chain at position pos (0-based; beyond the end: at the end). */
int imp_rule_insert(struct imp_ruleset *rs, int r, unsigned int pos);
/* Empties a chain, as iptables -F: its rules are no longer part of the ruleset. */
void imp_chain_flush(struct imp_ruleset *rs, int chain);
int imp_origin_set(struct imp_origin *o, unsigned int order, const char *loc, const char *label);
int imp_set_comment(struct imp_origin *o, const char *comment);
/* Adds "what" to rule r's unsupported conditions: "-m hashlimit". */
__attribute__((format(printf, 2, 3))) int imp_unsupported(struct imp_rule *r, const char *fmt, ...);
/* A line for the policy's header comment. */
__attribute__((format(printf, 2, 3))) int imp_note(struct imp_ruleset *rs, const char *fmt, ...);
/* A warning or a difference at origin o (NULL: the input as a whole). */
__attribute__((format(printf, 4, 5))) int
imp_diag(struct imp_ruleset *rs, bool loss, const struct imp_origin *o, const char *fmt, ...);
int imp_rule_add_src(struct imp_rule *r, const struct prefix *p);
/* Adds the prefixes that cover first..last (one family, inclusive). */
int imp_rule_add_src_range(struct imp_rule *r, const struct prefix *first,
			   const struct prefix *last);
/* Adds destination ports lo..hi (1-65535; port 0 is no port). */
int imp_rule_add_dports(struct imp_rule *r, unsigned int lo, unsigned int hi);
void imp_proto_set(__u64 proto[4], unsigned int p);
bool imp_proto_has(const __u64 proto[4], unsigned int p);
void imp_proto_all(__u64 proto[4]);
/*
 * "10.0.0.0/8", "10.0.0.1/255.0.0.0", "2001:db8::1": the prefix with host bits cleared, as
 * iptables takes it. 0, or -EINVAL when it is none.
 */
int imp_parse_prefix(const char *s, struct prefix *p);
/* A protocol by name ("tcp", "ipv6-icmp") or number; IMP_PROTO_ALL for "all"; -1 for none. */
int imp_proto_from_name(const char *s);
/* An ICMPv6 type by iptables' or nft's name, or number; -1 for none. */
int imp_icmp6_type_from_name(const char *s);
/* Neighbour discovery (133-137) or MLD (130-132, 143): xdpfw always passes them. */
bool imp_icmp6_type_is_nd(int type);
enum imp_family imp_family_of(const struct prefix *p);

/*
 * The translation: every difference and warning listed on err, the policy printed on out when
 * there is no difference or lossy is set. 0, -EINVAL when a difference stops it, -ENOMEM.
 */
int imp_translate(struct imp_ruleset *rs, bool lossy, FILE *out, FILE *err);

#endif /* XDPFW_USER_IMPORT_MODEL_H */
