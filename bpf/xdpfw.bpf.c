// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfw: the XDP program judges inbound packets; the tc egress program
 * records the flows the host opens so that their replies pass.
 *
 * Inbound, in order: non-IP passes; malformed and martian packets drop;
 * later fragments follow their first; replies of tracked flows pass; ICMP
 * errors about tracked flows pass; ICMP follows the policy; TCP/UDP pass
 * when the destination port's bit is set and its rule (from-list, limit)
 * lets them; the rest gets the default verdict. A blocklisted source is
 * dropped whatever the verdict, but for neighbour discovery and (unless
 * blocklist-replies drop) replies. One exit path counts every packet under its reason and, for
 * TCP/UDP, under its destination port.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "conntrack.bpf.h"
#include "parsing.bpf.h"
#include "policy.bpf.h"
#include "rules.bpf.h"
#include "xdpfw.h"

char LICENSE[] SEC("license") = "GPL";

/* Counters: slot x reason, per CPU (include/xdpfw.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_COUNTERS);
	__type(key, __u32);
	__type(value, struct xdpfw_counter);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_CLOSED_BUCKETS);
	__type(key, __u32);
	__type(value, struct xdpfw_closed_port);
} closed_ports SEC(".maps");

/* The policy slots' labels: userspace writes and reads them; pinned with the counters. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_POLICY_SLOT_COUNT);
	__type(key, __u32);
	__type(value, struct xdpfw_slot_label);
} slot_labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_log_state);
} log_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPFW_LOG_RING_BYTES);
} drop_log SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFW_FRAG_ENTRIES);
	__type(key, struct xdpfw_frag_key);
	__type(value, struct xdpfw_frag_val);
} frags SEC(".maps");

/* What classification learns about a packet; the exit path reads it. */
struct pkt {
	__u64 bytes;	 /* frame length, 0 until known */
	__u16 dport;	 /* host order, valid when l4_idx < XDPFW_L4_MAX */
	__u8 l4_idx;	 /* enum xdpfw_l4, XDPFW_L4_MAX when no port applies */
	__u8 frag;	 /* enum frag_kind */
	__u8 slot;	 /* the counter slot */
	struct xdpfw_frag_key fkey; /* filled when frag != FRAG_NONE */
};

/*
 * Where the transport header is, as plain numbers. The header walk ends in
 * as many verifier states as there are ways through VLAN tags and IPv6
 * extension headers; each program hands these numbers to its second half
 * through a per-CPU scratch slot (args_fence), which the verifier reads back
 * as plain bounded scalars, so that the second half is verified once, not
 * once per state. A global function gave the same pruning, but its call and
 * return cost ~7 ns a packet here (return thunks on this CPU).
 */
struct l4_args {
	__u32 l3off;
	__u32 l4off;
	__u32 l4_len;
	__u32 ethertype; /* network order */
	__u8 ipver;
	__u8 proto;
	__u8 l4_idx;	 /* out: enum xdpfw_l4 */
	__u8 slot;	 /* out: the counter slot */
	__u16 dport;	 /* out: host order */
	__u16 reserved;
};

/* Transport headers beyond this offset are not looked for (malformed). */
#define MAX_L4_OFF 1024

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct l4_args);
} args_scratch SEC(".maps");

/*
 * a through the scratch slot: the compiler may not read the copy back from
 * its registers (the barrier), so the verifier sees loads from map memory.
 */
static __always_inline struct l4_args *args_fence(const struct l4_args *a)
{
	__u32 zero = 0;
	struct l4_args *s = bpf_map_lookup_elem(&args_scratch, &zero);

	if (!s)
		return NULL;
	*s = *a;
	asm volatile("" ::: "memory");
	return s;
}

static __always_inline enum xdpfw_reason by_default(const struct xdpfw_policy *pol,
						    enum xdpfw_reason drop)
{
	return pol->flags & XDPFW_F_DEFAULT_PASS ? XDPFW_REASON_PASSED_DEFAULT : drop;
}

/* Neighbour discovery and MLD: IPv6 does not work without them. */
static __always_inline int icmp6_essential(__u8 type)
{
	return (type >= ICMPV6_MGM_QUERY && type <= ICMPV6_MGM_REDUCTION) ||
	       (type >= ICMPV6_ND_FIRST && type <= ICMPV6_ND_LAST) || type == ICMPV6_MLD2_REPORT;
}

static __always_inline enum xdpfw_reason judge_icmp(struct cursor *c, int ethertype,
						    const struct l3_info *l3,
						    const struct l4_info *l4,
						    const struct xdpfw_policy *pol)
{
	__u32 drop = l3->ipver == 4 ? XDPFW_F_ICMP_DROP : XDPFW_F_ICMP6_DROP;
	__u8 slot;

	if (l3->ipver == 6 && icmp6_essential(l4->icmp_type))
		return XDPFW_REASON_PASSED_ICMP;
	if (is_echo_reply(l3->proto, l4->icmp_type) &&
	    ct_inbound(l3, l4, pol, bpf_jiffies64(), &slot))
		return XDPFW_REASON_PASSED_ESTABLISHED;
	if (is_icmp_error(l3->proto, l4->icmp_type) && ct_related(c, ethertype, l3, pol))
		return XDPFW_REASON_PASSED_RELATED;
	return pol->flags & drop ? XDPFW_REASON_DROPPED_ICMP : XDPFW_REASON_PASSED_ICMP;
}

#define TCP_FLAG_SET(f) (1ULL << (f))
/*
 * nf_conntrack's tcp_valid_flags: the combinations of FIN, SYN, RST, ACK and
 * URG (PSH, ECE and CWR aside) that a real TCP sends. The rest (SYN+FIN,
 * SYN+RST, no flags, FIN without ACK, ...) is INVALID there, and here never
 * passes as established: it meets the port check like a new packet.
 */
#define TCP_VALID_FLAGS                                                                            \
	(TCP_FLAG_SET(TCP_SYN) | TCP_FLAG_SET(TCP_SYN | TCP_URG) | TCP_FLAG_SET(TCP_SYN | TCP_ACK) | \
	 TCP_FLAG_SET(TCP_RST) | TCP_FLAG_SET(TCP_RST | TCP_ACK) | TCP_FLAG_SET(TCP_FIN | TCP_ACK) | \
	 TCP_FLAG_SET(TCP_FIN | TCP_ACK | TCP_URG) | TCP_FLAG_SET(TCP_ACK) |                       \
	 TCP_FLAG_SET(TCP_ACK | TCP_URG))

static __always_inline int tcp_flags_valid(__u8 flags)
{
	return (TCP_VALID_FLAGS >> (flags & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK | TCP_URG))) & 1;
}

/*
 * An open port's rule: a source outside its from-list gets the default
 * verdict (as if the port were closed to it); a new connection (SYN without
 * ACK; for UDP, any datagram that is no reply) beyond its source's budget is
 * dropped. The source is looked up only here when no blocklist needs it.
 */
static __always_inline enum xdpfw_reason judge_rule(const struct xdpfw_policy *pol,
						    const struct xdpfw_port_rule *r,
						    const struct l3_info *l3,
						    const struct l4_info *l4, const struct l4_args *p,
						    struct src_info *src)
{
	__u8 limit = r->limit;

	if (r->list) {
		if (!src->looked)
			src_lookup(l3, src->slot, src);
		if (!((src->lists >> (r->list & (XDPFW_LISTS - 1))) & 1))
			return by_default(pol, XDPFW_REASON_DROPPED_SOURCE);
	}
	if (limit && (p->l4_idx == XDPFW_L4_UDP || (l4->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) &&
	    !limit_take(&pol->limits[(limit - 1) & (XDPFW_LIMITS - 1)], l3, p->l4_idx, p->dport))
		return XDPFW_REASON_DROPPED_LIMIT;
	return XDPFW_REASON_PASSED_PORT;
}

/* Judge a packet whose transport header has been parsed; a->l4_idx, a->dport say its port. */
static __always_inline enum xdpfw_reason judge_l4(struct cursor *c, int ethertype,
						  struct l4_args *p, const struct l3_info *l3,
						  const struct l4_info *l4,
						  const struct xdpfw_policy *pol, struct src_info *src)
{
	__u64 now;
	__u8 rule;

	switch (l3->proto) {
	case IPPROTO_TCP:
		p->l4_idx = XDPFW_L4_TCP;
		break;
	case IPPROTO_UDP:
		p->l4_idx = XDPFW_L4_UDP;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((l3->proto == IPPROTO_ICMP) != (l3->ipver == 4))
			return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
		return judge_icmp(c, ethertype, l3, l4, pol);
	case IPPROTO_UDPLITE:
		/* No port rules of its own: replies of the host's flows pass, the rest is default. */
		if (ct_inbound(l3, l4, pol, bpf_jiffies64(), &p->slot))
			return XDPFW_REASON_PASSED_ESTABLISHED;
		return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
	default:
		return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
	}
	p->dport = bpf_ntohs(l4->dport);
	/* The flow table is only worth a lookup for ports a tracked flow uses. */
	if (ct_port_maybe(p->l4_idx, p->dport)) {
		now = bpf_jiffies64();
		if ((p->l4_idx == XDPFW_L4_UDP || tcp_flags_valid(l4->tcp_flags)) &&
		    ct_inbound(l3, l4, pol, now, &p->slot))
			return XDPFW_REASON_PASSED_ESTABLISHED;
		ct_gate_age(p->l4_idx, p->dport, now);
	}
	p->slot = XDPFW_SLOT_OTHER_TCP + (p->l4_idx & XDPFW_L4_MASK);
	if (port_allowed(pol, p->l4_idx, p->dport)) {
		/* An open port without a slot of its own (past the last one): its catch-all. */
		if (pol->port_slot[l4_bounded(p->l4_idx)][p->dport])
			p->slot = pol->port_slot[l4_bounded(p->l4_idx)][p->dport];
		rule = pol->port_rule[l4_bounded(p->l4_idx)][p->dport];
		if (rule)
			return judge_rule(pol, &pol->rules[rule], l3, l4, p, src);
		return XDPFW_REASON_PASSED_PORT;
	}
	return by_default(pol, XDPFW_REASON_DROPPED_PORT);
}

/* A later fragment passes only if the first fragment of its datagram passed. */
static __always_inline enum xdpfw_reason judge_later_fragment(struct pkt *p)
{
	struct xdpfw_frag_val *v = bpf_map_lookup_elem(&frags, &p->fkey);

	if (!v || v->expires <= bpf_jiffies64())
		return XDPFW_REASON_DROPPED_FRAGMENT;
	p->l4_idx = v->l4_idx;
	p->dport = v->port;
	p->slot = v->slot;
	return XDPFW_REASON_PASSED_FRAGMENT;
}

static __always_inline void remember_first_fragment(struct pkt *p)
{
	struct xdpfw_frag_val v = {
		.expires = bpf_jiffies64() + (__u64)XDPFW_FRAG_TIMEOUT_S * kernel_hz,
		.port = p->dport,
		.l4_idx = p->l4_idx,
		.slot = p->slot,
	};

	bpf_map_update_elem(&frags, &p->fkey, &v, BPF_ANY);
}

static __always_inline void frag_key(struct xdpfw_frag_key *k, const struct l3_info *l3)
{
	/* Not l3->proto: headers after an IPv6 fragment header are in the first fragment only. */
	*k = (struct xdpfw_frag_key){ .id = l3->frag_id, .ipver = l3->ipver, .proto = l3->frag_proto };
	__builtin_memcpy(k->saddr, l3->saddr, sizeof(k->saddr));
	__builtin_memcpy(k->daddr, l3->daddr, sizeof(k->daddr));
}

/*
 * The IP datagram must fit in the frame. Multi-buffer frames keep only the
 * first buffer in [data, data_end); ask for the full length only then.
 */
static __always_inline int check_ip_len(struct xdp_md *ctx, struct pkt *p,
					const struct l3_info *l3)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 need = l3->l3off + (__u64)l3->ip_len;

	p->bytes = data_end - data;
	if (need > p->bytes) {
		p->bytes = bpf_xdp_get_buff_len(ctx);
		if (need > p->bytes)
			return -1;
	}
	return 0;
}

static __always_inline int is_martian(const struct l3_info *l3)
{
	const __u32 *a = l3->saddr;

	if (l3->ipver == 4)
		return (a[0] & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000);
	return !(a[0] | a[1] | a[2]) && a[3] == bpf_htonl(1);
}


/* Rebuilds the cursor and l3_info that l4_args describe, and parses the transport header. */
static __always_inline int l4_from_args(void *data, void *data_end, const struct l4_args *a,
					struct cursor *c, struct l3_info *l3, struct l4_info *l4)
{
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if (a->l3off > MAX_L4_OFF || a->l4off > MAX_L4_OFF)
		return -1;
	if (a->ipver == 4) {
		iph = data + a->l3off;
		if ((void *)(iph + 1) > data_end)
			return -1;
		l3->saddr[0] = iph->saddr;
		l3->daddr[0] = iph->daddr;
	} else {
		ip6h = data + a->l3off;
		if ((void *)(ip6h + 1) > data_end)
			return -1;
		ipv6_addrs(l3, ip6h);
	}
	l3->ipver = a->ipver;
	l3->proto = a->proto;
	l3->l4_len = a->l4_len;
	c->data = data;
	c->pos = data + a->l4off;
	c->end = data_end;
	return parse_l4(c, l3, l4);
}

static __always_inline void l4_to_args(struct l4_args *a, int ethertype, const struct l3_info *l3)
{
	a->l3off = l3->l3off;
	a->l4off = l3->l4off;
	a->l4_len = l3->l4_len;
	a->ethertype = ethertype;
	a->ipver = l3->ipver;
	a->proto = l3->proto;
}

/*
 * What a blocklisted source still gets: neighbour discovery, and replies of
 * the host's own connections unless blocklist-replies drop.
 */
static __always_inline int blocklist_spares(enum xdpfw_reason reason,
					    const struct xdpfw_policy *pol,
					    const struct l3_info *l3, const struct l4_info *l4)
{
	if (l3->proto == IPPROTO_ICMPV6 && l3->ipver == 6 && icmp6_essential(l4->icmp_type))
		return 1;
	return (reason == XDPFW_REASON_PASSED_ESTABLISHED || reason == XDPFW_REASON_PASSED_RELATED) &&
	       !(pol->flags & XDPFW_F_BLOCK_REPLIES);
}

static __always_inline int xdpfw_judge(struct xdp_md *ctx, struct l4_args *a)
{
	struct src_info src = {};
	struct l3_info l3 = {};
	struct l4_info l4 = {};
	struct xdpfw_config *cfg;
	struct xdpfw_policy *pol;
	enum xdpfw_reason reason;
	struct cursor c;
	__u32 zero = 0;

	if (!a)
		return XDPFW_REASON_DROPPED_MALFORMED;
	a->l4_idx = XDPFW_L4_MAX;
	a->slot = XDPFW_SLOT_NONE;
	if (l4_from_args((void *)(long)ctx->data, (void *)(long)ctx->data_end, a, &c, &l3, &l4))
		return XDPFW_REASON_DROPPED_MALFORMED;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg) /* cannot happen for an array map; fail closed */
		return XDPFW_REASON_DROPPED_MALFORMED;
	src.slot = cfg->active_slot;
	pol = bpf_map_lookup_elem(&policy, &src.slot);
	if (!pol)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if ((pol->flags & XDPFW_F_BLOCKLIST) || cfg->blocks)
		src_lookup(&l3, src.slot, &src);
	reason = judge_l4(&c, a->ethertype, a, &l3, &l4, pol, &src);
	if (src_blocked(&src) && !blocklist_spares(reason, pol, &l3, &l4))
		return XDPFW_REASON_DROPPED_BLOCKLIST;
	return reason;
}

static __always_inline enum xdpfw_reason classify(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .data = data, .pos = data, .end = (void *)(long)ctx->data_end };
	struct l4_args a = {}, *args;
	struct l3_info l3 = {};
	int ethertype = parse_eth(&c), reason;

	if (ethertype < 0)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (ethertype != bpf_htons(ETH_P_IP) && ethertype != bpf_htons(ETH_P_IPV6))
		return XDPFW_REASON_PASSED_NONIP;
	if (parse_ip(&c, ctx, 1, ethertype, &l3) || check_ip_len(ctx, p, &l3))
		return XDPFW_REASON_DROPPED_MALFORMED;
	l4_to_args(&a, ethertype, &l3);
	if (is_martian(&l3)) {
		args_fence(&a); /* for the drop log: where the headers are */
		return XDPFW_REASON_DROPPED_MARTIAN;
	}
	if (l3.frag != FRAG_NONE) {
		p->frag = l3.frag;
		frag_key(&p->fkey, &l3);
		if (l3.frag == FRAG_LATER)
			return judge_later_fragment(p);
	}
	args = args_fence(&a);
	if (!args)
		return XDPFW_REASON_DROPPED_MALFORMED;
	reason = xdpfw_judge(ctx, args);
	p->l4_idx = args->l4_idx;
	p->dport = args->dport;
	p->slot = args->slot;
	return reason;
}

/* A port without a slot of its own: its closed-port bucket, when it holds or can take one. */
static __always_inline void count_closed_port(const struct pkt *p, int passed)
{
	__u32 key = 1 + ((__u32)p->l4_idx << 16 | p->dport), idx = xdpfw_closed_bucket(key);
	struct xdpfw_closed_port *b = bpf_map_lookup_elem(&closed_ports, &idx);
	struct xdpfw_counter *c;

	if (!b || (b->key && b->key != key))
		return; /* another port holds it: counted in the slot only */
	b->key = key;
	c = passed ? &b->passed : &b->dropped;
	c->packets++;
	c->bytes += p->bytes;
}

static __always_inline void count(struct xdp_md *ctx, struct pkt *p, __u32 reason, int passed)
{
	__u32 idx = (__u32)p->slot * XDPFW_REASON_SLOTS + (reason & (XDPFW_REASON_SLOTS - 1));
	struct xdpfw_counter *c;

	if (!p->bytes)
		p->bytes = bpf_xdp_get_buff_len(ctx);
	c = bpf_map_lookup_elem(&counters, &idx);
	if (c) {
		c->packets++;
		c->bytes += p->bytes;
	}
	if (p->slot == XDPFW_SLOT_OTHER_TCP || p->slot == XDPFW_SLOT_OTHER_UDP)
		count_closed_port(p, passed);
}

/*
 * One token of the CPU's share of the log budget. The bucket is refilled
 * once a jiffy at most, from the policy's rate: in a flood, a suppressed
 * drop costs a clock read (inlined), a compare and a counter.
 */
static __always_inline int log_token(struct xdpfw_log_state *st)
{
	__u64 now = bpf_jiffies64(), idle, t;
	struct xdpfw_policy *pol;

	if (now != st->last) {
		pol = active_policy();
		if (!pol)
			return 0;
		/* Long idle (or the first drop): the bucket is full whatever the product says. */
		idle = now - st->last;
		if (idle > 1 << 20)
			idle = 1 << 20;
		t = st->tokens_micro + idle * pol->log_micro_per_jiffy;
		st->tokens_micro = t > pol->log_burst_micro ? pol->log_burst_micro : t;
		st->last = now;
	}
	if (st->tokens_micro < 1000000)
		return 0;
	st->tokens_micro -= 1000000;
	return 1;
}

/*
 * The addresses and ports of a dropped packet: of a later fragment, from its
 * fragment key; else from where the scratch slot says its headers are, which
 * every packet dropped after its IP header has written (a frame malformed
 * before it is logged without).
 */
static __always_inline void log_fill(struct xdp_md *ctx, const struct pkt *p, __u32 reason,
				     struct xdpfw_log_record *r)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6h;
	struct l4_args *a;
	struct iphdr *iph;
	__u32 zero = 0;
	__u8 *l4;

	if (p->frag == FRAG_LATER) {
		__builtin_memcpy(r->saddr, p->fkey.saddr, sizeof(r->saddr));
		__builtin_memcpy(r->daddr, p->fkey.daddr, sizeof(r->daddr));
		r->ipver = p->fkey.ipver;
		r->proto = p->fkey.proto;
		return;
	}
	a = bpf_map_lookup_elem(&args_scratch, &zero);
	if (!a || reason == XDPFW_REASON_DROPPED_MALFORMED)
		return;
	iph = data + (a->l3off & 1023);
	ip6h = data + (a->l3off & 1023);
	l4 = data + (a->l4off & 1023);
	if (a->ipver == 4 && (void *)(iph + 1) <= end) {
		r->saddr[0] = iph->saddr;
		r->daddr[0] = iph->daddr;
	} else if (a->ipver == 6 && (void *)(ip6h + 1) <= end) {
		__builtin_memcpy(r->saddr, &ip6h->saddr, sizeof(r->saddr));
		__builtin_memcpy(r->daddr, &ip6h->daddr, sizeof(r->daddr));
	} else {
		return;
	}
	r->ipver = a->ipver;
	r->proto = a->proto;
	if ((void *)(l4 + 4) > end)
		return;
	if (a->proto == IPPROTO_TCP || a->proto == IPPROTO_UDP || a->proto == IPPROTO_UDPLITE) {
		r->sport = *(__be16 *)l4;
		r->dport = *(__be16 *)(l4 + 2);
		if (a->proto == IPPROTO_TCP && (void *)(l4 + TCP_FLAGS_OFF + 1) <= end)
			r->tcp_flags = l4[TCP_FLAGS_OFF];
	} else if (a->proto == IPPROTO_ICMP || a->proto == IPPROTO_ICMPV6) {
		r->icmp_type = l4[0];
	}
}

/* A dropped packet: a record in the ring while the budget lasts; a counter always. */
static __always_inline void log_drop(struct xdp_md *ctx, const struct pkt *p, __u32 reason)
{
	struct xdpfw_log_record *r;
	struct xdpfw_log_state *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&log_state, &zero);
	if (!st)
		return;
	if (!log_token(st)) {
		st->counter[XDPFW_LOG_SUPPRESSED]++;
		return;
	}
	r = bpf_ringbuf_reserve(&drop_log, sizeof(*r), 0);
	if (!r) {
		st->counter[XDPFW_LOG_LOST]++;
		return;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->ktime = bpf_ktime_get_ns();
	r->len = p->bytes;
	r->reason = reason;
	log_fill(ctx, p, reason, r);
	bpf_ringbuf_submit(r, 0);
	st->counter[XDPFW_LOG_SENT]++;
}

SEC("xdp.frags")
int xdpfw_xdp(struct xdp_md *ctx)
{
	struct pkt p = { .l4_idx = XDPFW_L4_MAX };
	enum xdpfw_reason reason = classify(ctx, &p);
	int passed = reason < XDPFW_REASON_FIRST_DROP;

	if (passed && p.frag == FRAG_FIRST)
		remember_first_fragment(&p);
	count(ctx, &p, reason, passed);
	if (!passed)
		log_drop(ctx, &p, reason);
	return passed ? XDP_PASS : XDP_DROP;
}

/* Enough linear bytes for Ethernet, two tags, IPv6 with a few extension headers and TCP. */
#define EGRESS_PULL 192

static __always_inline void xdpfw_track(struct __sk_buff *skb, const struct l4_args *a)
{
	struct l3_info l3 = {};
	struct l4_info l4 = {};
	struct xdpfw_policy *pol;
	struct cursor c;

	if (!a || l4_from_args((void *)(long)skb->data, (void *)(long)skb->data_end, a, &c, &l3,
			       &l4))
		return;
	pol = active_policy();
	if (pol)
		ct_outbound(&l3, &l4, pol);
}

/* Records the flows the host opens. Never drops: egress is not filtered. */
SEC("tc")
int xdpfw_egress(struct __sk_buff *skb)
{
	struct l4_args a = {};
	struct l3_info l3 = {};
	struct cursor c;
	int ethertype;

	if (skb->data_end - skb->data < EGRESS_PULL && skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < EGRESS_PULL ? skb->len : EGRESS_PULL);
	c.data = (void *)(long)skb->data;
	c.pos = c.data;
	c.end = (void *)(long)skb->data_end;
	ethertype = parse_eth(&c);
	if (ethertype != bpf_htons(ETH_P_IP) && ethertype != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	if (parse_ip(&c, skb, 0, ethertype, &l3) || l3.frag == FRAG_LATER)
		return TC_ACT_OK;
	l4_to_args(&a, ethertype, &l3);
	xdpfw_track(skb, args_fence(&a));
	return TC_ACT_OK;
}
