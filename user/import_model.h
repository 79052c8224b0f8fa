/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ruleset model shared by the iptables and nftables readers (import_iptables.c,
 * import_nft.c) and the translation (import.c): chains of rules reduced to what decides a new
 * packet's fate at an interface (source, protocol, destination port, conntrack state, loopback
 * or not), and what a reader could not express, kept per rule for the messages.
 */
#ifndef XDPFW_USER_IMPORT_MODEL_H
#define XDPFW_USER_IMPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

enum imp_family { IMP_V4, IMP_V6, IMP_FAMILIES };

#define IMP_FAM_BIT(f)	(1U << (f))
#define IMP_FAM_BOTH	(IMP_FAM_BIT(IMP_V4) | IMP_FAM_BIT(IMP_V6))

#define IMP_PROTO_ICMP	1
#define IMP_PROTO_TCP	6
#define IMP_PROTO_UDP	17
#define IMP_PROTO_ICMP6	58

struct imp_cidr {
	__u8 family; /* enum imp_family */
	__u8 len;
	__u8 addr[16]; /* network order, host bits zero; IPv4 in the first 4 bytes */
};

struct imp_range {
	__u16 lo, hi;
};

enum imp_target {
	IMP_T_NONE,   /* no verdict (LOG, counters): the next rule */
	IMP_T_ACCEPT,
	IMP_T_DROP,   /* REJECT as well */
	IMP_T_RETURN,
	IMP_T_JUMP,
};

/* Which packets a rule's interface match lets through. */
enum imp_iface {
	IMP_IF_ANY,
	IMP_IF_LO,     /* -i lo: loopback only */
	IMP_IF_EXT,    /* ! -i lo, or the interface the policy is for */
	IMP_IF_NEVER,  /* another interface: not the policy's */
};

/* Conntrack states a rule matches; IMP_ST_OTHER: INVALID, UNTRACKED, never judged by xdpfw. */
#define IMP_ST_NEW	0x1
#define IMP_ST_EST	0x2
#define IMP_ST_REL	0x4
#define IMP_ST_OTHER	0x8
#define IMP_ST_ALL	0xf

/* Where a rule or a chain policy came from, for messages and the policy's comments. */
struct imp_origin {
	unsigned int order; /* sorts messages: the line, or the position in the ruleset */
	char *loc;	    /* "rules.v4:12", "ruleset.json: inet filter input handle 7" */
	char *label;	    /* "line 12", "inet filter input handle 7": in the policy's comments */
	char *comment;	    /* -m comment, nft's comment; NULL when none */
};

struct imp_rule {
	struct imp_origin o;
	int chain;
	unsigned int fams;	   /* IMP_FAM_BIT()s of the packets it can match */
	struct imp_cidr *src;	   /* n_src == 0: any source */
	unsigned int n_src;
	bool src_neg;
	__u64 proto[4];		   /* bit per IP protocol number it matches */
	struct imp_range *dports;  /* tcp/udp destination ports; n_dports == 0: any */
	unsigned int n_dports;
	bool dport_neg;
	bool nd_only;		   /* an ICMPv6 type match of neighbour discovery/MLD types only */
	__u8 state;		   /* IMP_ST_* */
	__s8 syn;		   /* 1: SYN only (new TCP), -1: no SYN (not new), 0: any */
	enum imp_iface iface;
	enum imp_target target;
	int jump;		   /* chain index for IMP_T_JUMP */
	bool reject;		   /* REJECT: imported as a drop, with a warning */
	char *log;		   /* the target that gives no verdict ("LOG"), for a warning */
	/*
	 * What xdpfw cannot express ("-m hashlimit, -d 10.0.0.1"): a difference. An ACCEPT is
	 * imported without these conditions (it passes more); any other rule is left out.
	 */
	char *unsupported;
	bool ignored;		   /* left out: unsupported target, or unsupported condition */
	char *warning;		   /* imported, but not quite the same: said on err, not a loss */
};

enum imp_hook { IMP_H_NONE, IMP_H_INPUT, IMP_H_FORWARD, IMP_H_OUTPUT, IMP_H_OTHER };

struct imp_chain {
	char *name;
	char *table;		/* "filter", "nat"; nft: "inet filter" */
	unsigned int fams;
	enum imp_hook hook;	/* IMP_H_NONE: a user chain, reached by jumps only */
	bool filter;		/* a filter chain: the others (nat, mangle, raw) never are imported */
	int prio;		/* nft: base chains of one hook run in this order */
	enum imp_target policy; /* ACCEPT or DROP, for base chains */
	struct imp_origin po;	/* where the policy was set; loc NULL when it was not */
	int *rules;		/* indices into the ruleset's rules, in chain order */
	unsigned int n_rules, cap_rules;
};

enum imp_kind { IMP_IPTABLES, IMP_NFT };

struct imp_diag;

struct imp_ruleset {
	enum imp_kind kind;
	const char *name;
	bool present[IMP_FAMILIES];	/* a family the input has rules or chains for */
	struct imp_rule *rules;
	unsigned int n_rules, cap_rules;
	struct imp_chain *chains;
	unsigned int n_chains, cap_chains;
	struct imp_diag *diags;
	unsigned int n_diags, cap_diags;
	char *iface;			/* the interface named by -i rules, when not lo */
	char *notes;			/* header comments for the policy, '\n' separated */
	size_t notes_len;
};

/* ---- for the readers ---------------------------------------------------- */

void imp_init(struct imp_ruleset *rs, enum imp_kind kind, const char *name);
void imp_free(struct imp_ruleset *rs);
/* A chain, created when new (user chain); -1 and errno-style -ENOMEM in *err on failure. */
int imp_chain_find(struct imp_ruleset *rs, const char *table, const char *name,
		   unsigned int fams);
int imp_chain_add(struct imp_ruleset *rs, const char *table, const char *name, unsigned int fams,
		  enum imp_hook hook, bool filter);
/* A new rule, zeroed but for matching anything; its index. Negative errno on failure. */
int imp_rule_new(struct imp_ruleset *rs, int chain);
/* Puts rule r into its chain at position pos (0-based; UINT_MAX: at the end). */
int imp_rule_insert(struct imp_ruleset *rs, int r, unsigned int pos);
void imp_rule_remove_all(struct imp_ruleset *rs, int chain);
int imp_origin_set(struct imp_origin *o, unsigned int order, const char *loc, const char *label);
/* Appends "what" to rule r's unsupported list ("-m hashlimit"). */
int imp_unsupported(struct imp_rule *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int imp_note(struct imp_ruleset *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a source prefix (masked to its length) to rule r. */
int imp_rule_add_src(struct imp_rule *r, const struct imp_cidr *c);
/* Adds the prefixes covering first..last (one family, inclusive). */
int imp_rule_add_src_range(struct imp_rule *r, const struct imp_cidr *first,
			   const struct imp_cidr *last);
int imp_rule_add_dports(struct imp_rule *r, unsigned int lo, unsigned int hi);
void imp_proto_set(__u64 proto[4], unsigned int p);
bool imp_proto_has(const __u64 proto[4], unsigned int p);
void imp_proto_all(__u64 proto[4]);
/* "10.0.0.0/8", "2001:db8::1", "10.0.0.0/255.0.0.0" into *c; false when it is none. */
bool imp_parse_cidr(const char *s, struct imp_cidr *c);
/* A protocol number by name ("tcp", "ipv6-icmp") or number; -1 for none, 256 for "all". */
int imp_proto_from_name(const char *s);
/* ICMPv6 type by name ("neighbour-solicitation", "nd-neighbor-solicit") or number; -1: none. */
int imp_icmp6_type_from_name(const char *s);
bool imp_icmp6_type_is_nd(int type);

/*
 * The translation: every difference listed on err, the policy on out when there is none or
 * lossy is set. 0, or -EINVAL when a difference stops it.
 */
int imp_translate(struct imp_ruleset *rs, bool lossy, FILE *out, FILE *err);

#endif /* XDPFW_USER_IMPORT_MODEL_H */
