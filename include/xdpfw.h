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
#define XDPFW_F_ALL		(XDPFW_F_DEFAULT_PASS | XDPFW_F_ICMP_DROP | XDPFW_F_ICMP6_DROP)

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
 * The policy as the BPF programs read it. The policy map holds two of these
 * (slots 0 and 1); the active slot number lives in the config map. Writers
 * fill the inactive slot and then flip the active slot in one map update.
 */
struct xdpfw_policy {
	__u64 ports[XDPFW_L4_MAX][XDPFW_PORT_WORDS]; /* bit set: destination port allowed */
	__u32 flags;				     /* XDPFW_F_* */
	__u32 timeouts[XDPFW_CT_TO_MAX];	     /* seconds, by enum xdpfw_ct_timeout */
};

#define XDPFW_POLICY_SLOTS	2

struct xdpfw_config {
	__u32 active_slot; /* index into the policy map, 0 or 1 */
	__u32 own_clsact;  /* 1 when load created the clsact qdisc: unload removes it */
	__u32 hz;	   /* the programs' kernel_hz, for userspace to read flow times */
	__u32 reserved;
};

/* Per-port counters: index = l4 * XDPFW_PORTS + destination port (host order). */
struct xdpfw_port_stats {
	__u64 passed_packets;
	__u64 passed_bytes;
	__u64 dropped_packets;
	__u64 dropped_bytes;
};

#define XDPFW_PORT_STATS_ENTRIES (XDPFW_L4_MAX * XDPFW_PORTS)

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
	X(DROPPED_MARTIAN, "dropped-martian")

#define XDPFW_REASON_ENUM(id, name) XDPFW_REASON_##id,
enum xdpfw_reason {
	XDPFW_REASONS(XDPFW_REASON_ENUM)
	XDPFW_REASON_MAX,
};
#undef XDPFW_REASON_ENUM

#define XDPFW_REASON_FIRST_DROP XDPFW_REASON_DROPPED_PORT

struct xdpfw_reason_stats {
	__u64 packets;
	__u64 bytes;
};

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
	__u8 reserved[5];
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
	__u8 reserved[6];
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

/*
 * The maps xdpfw pins, in the order it pins them: X(id, name, shared,
 * value type, max_entries). Each is the map of that name in the BPF object;
 * shared ones serve every interface. A flow table comes last: its pin is
 * the commit point of a first load. max_entries 0: sized at load.
 */
#define XDPFW_MAPS(X)                                                                              \
	X(POLICY, "policy", 0, struct xdpfw_policy, XDPFW_POLICY_SLOTS)                            \
	X(CONFIG, "config", 0, struct xdpfw_config, 1)                                             \
	X(PORT_STATS, "port_stats", 0, struct xdpfw_port_stats, XDPFW_PORT_STATS_ENTRIES)          \
	X(REASON_STATS, "reason_stats", 0, struct xdpfw_reason_stats, XDPFW_REASON_MAX)            \
	X(FRAGS, "frags", 0, struct xdpfw_frag_val, XDPFW_FRAG_ENTRIES)                            \
	X(CT_STATS, "ct_stats", 1, __u64, XDPFW_CT_COUNTER_MAX)                                    \
	X(CT_PORTS, "ct_ports", 1, struct xdpfw_ct_ports, 1)                                       \
	X(CT_PORT_EXP, "ct_port_exp", 1, __u64, XDPFW_CT_PORT_EXP_ENTRIES)                         \
	X(CONNTRACK6, "conntrack6", 1, struct xdpfw_ct_val, 0)                                     \
	X(CONNTRACK4, "conntrack4", 1, struct xdpfw_ct_val, 0)

/* The tc egress filter: a fixed handle and priority so unload finds it. */
#define XDPFW_TC_HANDLE		0x7866
#define XDPFW_TC_PRIORITY	0xc000

#endif /* XDPFW_H */
