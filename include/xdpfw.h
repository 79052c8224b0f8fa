/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdpfw ABI: everything the BPF programs and the userspace tools both see.
 * Map keys and values, counter layout, verdict reasons, policy bitmap layout
 * and pin names are defined here and nowhere else.
 */
#ifndef XDPFW_H
#define XDPFW_H

#include <linux/types.h>

/* One bit per port: 65536 bits = 1024 64-bit words per protocol. */
#define XDPFW_PORTS		65536
#define XDPFW_PORT_WORDS	(XDPFW_PORTS / 64)

/* Policy flags (struct xdpfw_policy.flags). */
#define XDPFW_F_DEFAULT_PASS	(1U << 0) /* unmatched traffic passes (audit mode) */
#define XDPFW_F_ICMP_DROP	(1U << 1) /* drop ICMPv4 */
#define XDPFW_F_ICMP6_DROP	(1U << 2) /* drop ICMPv6, except neighbour discovery and MLD */
#define XDPFW_F_BLOCKLIST	(1U << 3) /* a blocklist (deny from): every source is looked up */
#define XDPFW_F_BLOCK_REPLIES	(1U << 4) /* blocklist-replies drop: replies from it too */

/* L4 protocols that have an allowed-port bitmap and per-port counters. */
enum xdpfw_l4 {
	XDPFW_L4_TCP = 0,
	XDPFW_L4_UDP = 1,
	XDPFW_L4_MAX,
};

/* Bounds an enum xdpfw_l4 index where the verifier must see it bounded. */
#define XDPFW_L4_MASK (XDPFW_L4_MAX - 1)
_Static_assert(!(XDPFW_L4_MAX & XDPFW_L4_MASK), "XDPFW_L4_MAX must be a power of two");

/* The port bitmaps (policy, flow-table gate): the word that holds a port, and its bit there. */
static inline __attribute__((always_inline)) __u32 xdpfw_port_word(__u32 port)
{
	return (port >> 6) & (XDPFW_PORT_WORDS - 1);
}

static inline __attribute__((always_inline)) __u64 xdpfw_port_bit(__u32 port)
{
	return 1ULL << (port & 63);
}

/* Connection tracking timeouts, in seconds; X(enum suffix, policy name, default). */
#define XDPFW_CT_TIMEOUTS(X)                                                                       \
	X(TCP_SYN_SENT, "tcp-syn-sent", 120)                                                       \
	X(TCP_ESTABLISHED, "tcp-established", 5 * 86400)                                           \
	X(TCP_FIN, "tcp-fin", 120)                                                                 \
	X(TCP_CLOSE, "tcp-close", 10)                                                              \
	X(UDP, "udp", 30)                                                                          \
	X(UDP_STREAM, "udp-stream", 180)                                                           \
	X(ICMP, "icmp", 30)

#define XDPFW_CT_TIMEOUT_ENUM(id, name, secs) XDPFW_CT_TO_##id,
enum xdpfw_ct_timeout {
	XDPFW_CT_TIMEOUTS(XDPFW_CT_TIMEOUT_ENUM)
	XDPFW_CT_TO_MAX,
};
#undef XDPFW_CT_TIMEOUT_ENUM

/*
 * Counter slots: a slot is a row of `stats`, traffic of one (direction,
 * protocol, port or range) or a catch-all. The counters of an interface are
 * one per-CPU array of XDPFW_SLOTS x XDPFW_REASON_SLOTS (packets, bytes):
 * one lookup a packet, and the per-reason totals are sums over the slots.
 *   - fixed slots: no port (ICMP, other protocols, non-IP, malformed), and
 *     inbound TCP or UDP to a port without a slot of its own (those are also
 *     counted per port in the closed-ports buckets, see below);
 *   - policy slots: one per allowed port or range, direction in; userspace
 *     keeps their labels (slot_labels) stable across reloads;
 *   - service slots: the service side of tracked flows, shared by every
 *     interface: the remote port of a flow the host opened (direction out:
 *     an origin's 80, an upstream resolver's 53), the local port of a
 *     connection to a port the policy has closed since (direction in).
 *     Allocated on a flow's creation (ct_services); replies are counted
 *     under the slot their flow carries.
 */
#define XDPFW_SLOTS		192
#define XDPFW_POLICY_SLOT_COUNT 94
#define XDPFW_REASON_SLOTS	16 /* room per slot for every reason, present and future */

enum xdpfw_fixed_slot {
	XDPFW_SLOT_NONE,      /* no port */
	XDPFW_SLOT_OTHER_TCP, /* inbound TCP to a port without its own slot */
	XDPFW_SLOT_OTHER_UDP,
	XDPFW_SLOT_OTHER_OUT, /* replies of flows whose service got no slot */
	XDPFW_SLOT_FIRST_POLICY,
};

#define XDPFW_SLOT_FIRST_SERVICE (XDPFW_SLOT_FIRST_POLICY + XDPFW_POLICY_SLOT_COUNT)
#define XDPFW_SERVICE_SLOT_COUNT (XDPFW_SLOTS - XDPFW_SLOT_FIRST_SERVICE)
#define XDPFW_COUNTERS		 (XDPFW_SLOTS * XDPFW_REASON_SLOTS)

struct xdpfw_counter {
	__u64 packets;
	__u64 bytes; /* whole frames, from the Ethernet header */
};

/* What a slot counts: direction, protocol, ports lo..hi (host order). */
enum xdpfw_dir {
	XDPFW_DIR_IN = 1,  /* to a service of the host */
	XDPFW_DIR_OUT = 2, /* replies of a connection the host opened */
};

struct xdpfw_slot_label {
	__u8 dir;   /* enum xdpfw_dir; 0: unused */
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP */
	__u16 lo;
	__u16 hi;
	__u16 reserved;
};

/*
 * Inbound TCP/UDP to ports without their own slot, per port: a per-CPU
 * array of direct-mapped buckets. A port takes its bucket (index: a hash of
 * l4 and port) the first time it is seen on that CPU and is counted there
 * exactly from then on; a port whose bucket another port holds is counted
 * in its OTHER slot only (unattributed). `--reset` frees the buckets.
 */
#define XDPFW_CLOSED_BUCKETS	256

struct xdpfw_closed_port {
	__u32 key; /* 0: free; else 1 + (l4 << 16 | port) */
	__u32 reserved;
	struct xdpfw_counter passed;
	struct xdpfw_counter dropped;
};

static inline __attribute__((always_inline)) __u32 xdpfw_closed_bucket(__u32 key)
{
	return (key * 2654435761U) >> 24; /* Knuth's multiplicative hash: 256 buckets */
}

/*
 * Source prefixes: one LPM trie a family per interface (src4, src6), shared
 * by the policy's blocklist (deny from), its from-lists (allow ... from) and
 * the runtime blocklist (xdpfw block), so that a packet costs one lookup
 * whatever the lists. A value says which lists hold the prefix, per policy
 * slot (a reload writes the inactive slot's bits, the flip makes them live),
 * with the bits of every shorter prefix that covers it included: the longest
 * match alone answers.
 */
#define XDPFW_POLICY_SLOTS	2	   /* the policy map's: the live one and the next */
#define XDPFW_SRC_ENTRIES	(1U << 20) /* prefixes a family; memory only as used */
#define XDPFW_LISTS		64	   /* bit 0: the blocklist; bits 1-63: from-lists */
#define XDPFW_LIST_BLOCK	0

struct xdpfw_src4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct xdpfw_src6_key {
	__u32 prefixlen;
	__be32 addr[4];
};

struct xdpfw_src {
	__u64 lists[XDPFW_POLICY_SLOTS]; /* by policy slot: lists of this prefix and covering ones */
	__u32 blocked;			  /* the runtime blocklist holds this or a covering prefix */
	__u32 own_blocked;		  /* ...this prefix itself (userspace bookkeeping) */
	__u64 own[XDPFW_POLICY_SLOTS];	  /* this prefix's own lists (userspace bookkeeping) */
};

/*
 * Port rules: a port's from-list and new-connection limit. The policy maps
 * a port to a rule (0: none), a rule to a list bit and a limit; the rule
 * table and the limits are small, the port index one byte a port.
 */
#define XDPFW_RULES		256
#define XDPFW_LIMITS		32

struct xdpfw_port_rule {
	__u8 list;  /* from-list bit, 0: every source */
	__u8 limit; /* 1 + index into limits, 0: none */
};

/* limit PROTO PORTS RATE/UNIT burst B: a token bucket per source address and port. */
struct xdpfw_limit {
	__u32 rate;		/* new connections... */
	__u32 per;		/* ...per this many seconds */
	__u32 burst;
	__u32 reserved;
	/* In billionths of a token (a rate of 1/hour at HZ 1000 is 277 a jiffy): the loader fills them. */
	__u64 nano_per_jiffy;
	__u64 burst_nano;
};

/* The buckets: an LRU map per interface (1.7 MiB), so that a flood of sources evicts the idlest. */
#define XDPFW_LIMIT_ENTRIES	16384

struct xdpfw_limit_key {
	__be32 saddr[4]; /* IPv4 in the first word */
	__u16 port;	 /* host order */
	__u8 l4;	 /* enum xdpfw_l4 */
	__u8 ipver;
};

#define XDPFW_NANO 1000000000ULL /* a token, in the buckets' unit */

struct xdpfw_limit_state {
	__u64 tokens_nano;
	__u64 last; /* jiffies */
};

/*
 * The policy as the BPF programs read it. The policy map holds two of these
 * (slots 0 and 1); the active slot number lives in the config map. Writers
 * fill the inactive slot and then flip the active slot in one map update.
 */
struct xdpfw_policy {
	__u64 ports[XDPFW_L4_MAX][XDPFW_PORT_WORDS]; /* bit set: destination port allowed */
	__u32 flags;				     /* XDPFW_F_* */
	__u32 timeouts[XDPFW_CT_TO_MAX];	     /* seconds, by enum xdpfw_ct_timeout */
	__u32 log_rate;				     /* drop log records a second (log-rate) */
	__u32 reserved;
	/* log_rate as each CPU's budget, in millionths of a record (filled by the loader). */
	__u64 log_micro_per_jiffy;
	__u64 log_burst_micro;
	__u8 port_slot[XDPFW_L4_MAX][XDPFW_PORTS]; /* counter slot of an allowed port; 0: none */
	__u8 port_rule[XDPFW_L4_MAX][XDPFW_PORTS]; /* rule of an allowed port; 0: none */
	struct xdpfw_port_rule rules[XDPFW_RULES];
	struct xdpfw_limit limits[XDPFW_LIMITS];
};


struct xdpfw_config {
	__u32 active_slot; /* index into the policy map, 0 or 1 */
	__u32 own_clsact;  /* 1 when load created the clsact qdisc: unload removes it */
	__u32 hz;	   /* the programs' kernel_hz, for userspace to read flow times */
	__u32 reserved;
	__u64 loaded_at; /* unix seconds: the counters' epoch... */
	__u64 reset_at;	 /* ...or the last --reset, when later */
	/*
	 * An apply waiting for its confirm: the previous policy is in the
	 * inactive slot, and the apply's rollback process flips back to it at
	 * apply_deadline (unix seconds) if apply_token is still this one.
	 */
	__u64 apply_deadline;
	__u32 apply_token; /* 0: nothing pending */
	__u32 blocks;	   /* prefixes in the runtime blocklist: sources are looked up while > 0 */
};

/*
 * Verdict reasons, passing ones first: the verdict of a reason is
 * XDP_PASS when reason < XDPFW_REASON_FIRST_DROP. X(enum suffix, name).
 */
#define XDPFW_REASONS(X)                                                                           \
	X(PASSED_NONIP, "passed-nonip")                                                            \
	X(PASSED_ICMP, "passed-icmp")                                                              \
	X(PASSED_PORT, "passed-port")                                                              \
	X(PASSED_FRAGMENT, "passed-fragment")                                                      \
	X(PASSED_ESTABLISHED, "passed-established")                                                \
	X(PASSED_RELATED, "passed-related")                                                        \
	X(PASSED_DEFAULT, "passed-default")                                                        \
	X(DROPPED_PORT, "dropped-port")                                                            \
	X(DROPPED_ICMP, "dropped-icmp")                                                            \
	X(DROPPED_PROTO, "dropped-proto")                                                          \
	X(DROPPED_MALFORMED, "dropped-malformed")                                                  \
	X(DROPPED_FRAGMENT, "dropped-fragment")                                                    \
	X(DROPPED_MARTIAN, "dropped-martian")                                                      \
	X(DROPPED_BLOCKLIST, "dropped-blocklist")                                                  \
	X(DROPPED_SOURCE, "dropped-source")                                                        \
	X(DROPPED_LIMIT, "dropped-limit")

#define XDPFW_REASON_ENUM(id, name) XDPFW_REASON_##id,
enum xdpfw_reason {
	XDPFW_REASONS(XDPFW_REASON_ENUM)
	XDPFW_REASON_MAX,
};
#undef XDPFW_REASON_ENUM

_Static_assert(XDPFW_REASON_MAX <= XDPFW_REASON_SLOTS, "a counter for every reason in a slot");

#define XDPFW_REASON_FIRST_DROP XDPFW_REASON_DROPPED_PORT

/*
 * The drop log: dropped packets sampled into a ring buffer (drop_log) under
 * a per-CPU token bucket (log_state), whose rate the policy sets (log-rate,
 * records a second per interface, shared among the CPUs). Beyond the budget
 * a dropped packet costs one counter increment.
 */
struct xdpfw_log_record {
	__u64 ktime; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 len; /* frame bytes */
	__be16 sport;
	__be16 dport;
	__u8 ipver;
	__u8 proto;
	__u8 tcp_flags;
	__u8 reason; /* enum xdpfw_reason */
	__u8 icmp_type;
	__u8 reserved[3];
};

enum xdpfw_log_counter {
	XDPFW_LOG_SENT,	      /* records written to the ring */
	XDPFW_LOG_SUPPRESSED, /* drops over the budget: not logged */
	XDPFW_LOG_LOST,	      /* within the budget, but the ring was full */
	XDPFW_LOG_COUNTER_MAX,
};

struct xdpfw_log_state {
	__u64 tokens_micro; /* millionths of a record */
	__u64 last;	    /* jiffies of the last refill */
	__u64 counter[XDPFW_LOG_COUNTER_MAX];
};

#define XDPFW_LOG_RING_BYTES	(256 * 1024)
#define XDPFW_LOG_RATE_DEFAULT	100

/*
 * Fragment tracking: the first fragment of a datagram that passed records
 * its (src, dst, protocol, id); later fragments pass only if they find it.
 * IPv4 addresses sit in the first word of the 16-byte fields.
 */
struct xdpfw_frag_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;	/* IPv4: 16-bit IP id; IPv6: fragment header id */
	__u8 ipver;	/* 4 or 6 */
	__u8 proto;	/* IP protocol of the datagram */
	__u16 reserved;
};

struct xdpfw_frag_val {
	__u64 expires;	  /* jiffies, as flow times */
	__u16 port;	  /* destination port of the first fragment, 0 if none */
	__u8 l4_idx;	  /* enum xdpfw_l4, or XDPFW_L4_MAX when not TCP/UDP */
	__u8 slot;	  /* the counter slot the first fragment was counted in */
	__u8 reserved[4];
};

#define XDPFW_FRAG_ENTRIES	16384
#define XDPFW_FRAG_TIMEOUT_S	30 /* Linux ipfrag_time */

/*
 * Connection tracking. The flow tables (one per IP version, so that an IPv4
 * key is 16 bytes, not 40) are shared by every interface xdpfw is loaded on;
 * only the egress (tc) program creates or extends a flow. Keys are in the
 * host's orientation: local = the host's side of the connection. An inbound
 * packet's key is its tuple reversed. ICMP echo uses the echo id as local
 * port and 0 as remote port.
 */
struct xdpfw_ct_key4 {
	__be32 local;
	__be32 remote;
	__be16 lport;
	__be16 rport;
	__u8 proto; /* IPPROTO_TCP, _UDP, _ICMP */
	__u8 pad[3];
};

struct xdpfw_ct_key6 {
	__u32 local[4];
	__u32 remote[4];
	__be16 lport;
	__be16 rport;
	__u8 proto; /* IPPROTO_TCP, _UDP, _ICMPV6 */
	__u8 pad[3];
};

enum xdpfw_ct_state {
	XDPFW_CT_SYN_SENT = 1, /* the host sent a SYN, nothing more yet */
	XDPFW_CT_ESTABLISHED,  /* TCP after the handshake; UDP and ICMP flows */
	XDPFW_CT_FIN,	       /* a FIN went either way */
	XDPFW_CT_CLOSE,	       /* a RST went either way */
};

#define XDPFW_CT_F_REPLIED	(1U << 0) /* UDP: the remote side answered */
#define XDPFW_CT_F_RST_IN	(1U << 1) /* TCP: CLOSE because of an inbound RST */

/*
 * Flow times are jiffies (bpf_jiffies64): the expiry check runs on every
 * reply, and reading jiffies costs ~1 ns where the coarse clock costs ~13.
 */
struct xdpfw_ct_val {
	__u64 expires;	 /* the flow is dead from this jiffy on */
	__u64 created;
	__u64 refreshed; /* last egress write: refreshes are rate limited */
	__u8 state;	    /* enum xdpfw_ct_state */
	__u8 flags;	    /* XDPFW_CT_F_* */
	__u8 slot;	    /* the counter slot of the flow's service side */
	__u8 reserved[5];
};

/* A service the flow tables have seen (ct_services): the key of its slot. */
struct xdpfw_service {
	__u8 dir;   /* enum xdpfw_dir */
	__u8 proto;
	__be16 port;
};

#define XDPFW_CT_DEFAULT_SIZE	262144

/*
 * The flow-table gate: destination ports that a live flow may use as its
 * local port. The XDP program looks a TCP/UDP packet up in the flow table
 * only if its port's bit is set. Egress and seeding set a bit and raise the
 * port's deadline (the ct_port_exp array, index l4 * XDPFW_PORTS + port) to
 * the expiry of the flow; a bit whose deadline has passed is cleared by the
 * XDP program when a packet meets it, so bits age with their flows.
 */
struct xdpfw_ct_ports {
	__u64 ports[XDPFW_L4_MAX][XDPFW_PORT_WORDS];
};

#define XDPFW_CT_PORT_EXP_ENTRIES (XDPFW_L4_MAX * XDPFW_PORTS)

/* Conntrack counters: per-CPU array indexed by these. */
enum xdpfw_ct_counter {
	XDPFW_CT_INSERTS,   /* new entries written by egress */
	XDPFW_CT_REFRESHES, /* egress writes to existing entries */
	XDPFW_CT_CLOSES,    /* inbound FIN/RST shortening an entry */
	XDPFW_CT_DELETES,   /* entries removed by userspace (flush); userspace-owned */
	XDPFW_CT_SEEDED,    /* entries written by the loader from the host's sockets; userspace-owned */
	XDPFW_CT_COUNTER_MAX,
};

/* IPv6 extension headers walked before giving up (dropped as malformed). */
#define XDPFW_IPV6_MAX_EXT	8

/* Pins: XDPFW_PIN_ROOT/<interface>/<name>, or XDPFW_PIN_ROOT/<name> when shared. */
#define XDPFW_BPFFS		"/sys/fs/bpf"
#define XDPFW_PIN_ROOT		XDPFW_BPFFS "/xdpfw"
#define XDPFW_PIN_LINK		"link"	    /* the XDP bpf_link: the filter runs while it is pinned */
#define XDPFW_PIN_TC_PROG	"tc_egress" /* the egress program, for unload to find */
#define XDPFW_PIN_MULTIPROG	"multiprog" /* --multiprog: the program in libxdp's dispatcher */

/*
 * The maps xdpfw pins, in the order it pins them: X(id, name, shared,
 * value type, max_entries). Each is the map of that name in the BPF object;
 * shared ones serve every interface. A flow table comes last: its pin is
 * the commit point of a first load. max_entries 0: sized at load.
 */
#define XDPFW_MAPS(X)                                                                              \
	X(POLICY, "policy", 0, struct xdpfw_policy, XDPFW_POLICY_SLOTS)                            \
	X(CONFIG, "config", 0, struct xdpfw_config, 1)                                             \
	X(COUNTERS, "counters", 0, struct xdpfw_counter, XDPFW_COUNTERS)                           \
	X(CLOSED_PORTS, "closed_ports", 0, struct xdpfw_closed_port, XDPFW_CLOSED_BUCKETS)         \
	X(SLOT_LABELS, "slot_labels", 0, struct xdpfw_slot_label, XDPFW_POLICY_SLOT_COUNT)         \
	X(LOG_STATE, "log_state", 0, struct xdpfw_log_state, 1)                                    \
	X(DROP_LOG, "drop_log", 0, __u8[0], XDPFW_LOG_RING_BYTES)                                  \
	X(FRAGS, "frags", 0, struct xdpfw_frag_val, XDPFW_FRAG_ENTRIES)                            \
	X(SRC4, "src4", 0, struct xdpfw_src, XDPFW_SRC_ENTRIES)                                    \
	X(SRC6, "src6", 0, struct xdpfw_src, XDPFW_SRC_ENTRIES)                                    \
	X(LIMITS, "limits", 0, struct xdpfw_limit_state, XDPFW_LIMIT_ENTRIES)                      \
	X(CT_STATS, "ct_stats", 1, __u64, XDPFW_CT_COUNTER_MAX)                                    \
	X(CT_PORTS, "ct_ports", 1, struct xdpfw_ct_ports, 1)                                       \
	X(CT_PORT_EXP, "ct_port_exp", 1, __u64, XDPFW_CT_PORT_EXP_ENTRIES)                         \
	X(CT_SERVICES, "ct_services", 1, __u32, XDPFW_SERVICE_SLOT_COUNT)                          \
	X(CT_SERVICE_NEXT, "ct_service_next", 1, __u32, 1)                                         \
	X(CONNTRACK6, "conntrack6", 1, struct xdpfw_ct_val, 0)                                     \
	X(CONNTRACK4, "conntrack4", 1, struct xdpfw_ct_val, 0)

/* The tc egress filter: a fixed handle and priority so unload finds it. */
#define XDPFW_TC_HANDLE		0x7866
#define XDPFW_TC_PRIORITY	0xc000

#endif /* XDPFW_H */
