/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Established-state tracking. The tc egress program records the flows the
 * host opens; the XDP program lets their replies in. Only egress creates an
 * entry or pushes its expiry forward: nothing that arrives from outside can
 * make more of itself welcome. Inbound FIN/RST may only shorten an entry.
 */
#ifndef XDPFW_CONNTRACK_BPF_H
#define XDPFW_CONNTRACK_BPF_H

#include "parsing.bpf.h"
#include "policy.bpf.h"
#include "xdpfw.h"

/*
 * Entries are written in place while other CPUs read them: each field is one
 * store the compiler may neither tear nor merge (the kernel's WRITE_ONCE).
 */
#define WRITE_ONCE(x, val) (*(volatile typeof(x) *)&(x) = (val))

/* Shared by every interface: the loader reuses the pinned maps. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFW_CT_DEFAULT_SIZE); /* the policy's conntrack-size, at load */
	__type(key, struct xdpfw_ct_key4);
	__type(value, struct xdpfw_ct_val);
} conntrack4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFW_CT_DEFAULT_SIZE);
	__type(key, struct xdpfw_ct_key6);
	__type(value, struct xdpfw_ct_val);
} conntrack6 SEC(".maps");

/* Mappable: the loader sets bits with atomic operations while egress may set others. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xdpfw_ct_ports);
} ct_ports SEC(".maps");

/* Per gate bit, the jiffy until which a flow may use the port (include/xdpfw.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_CT_PORT_EXP_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} ct_port_exp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_CT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ct_stats SEC(".maps");

/* The counter slot of each service the flow tables have seen (include/xdpfw.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPFW_SERVICE_SLOT_COUNT);
	__type(key, struct xdpfw_service);
	__type(value, __u32);
} ct_services SEC(".maps");

/* The next service slot to hand out; mappable: seeding hands out slots too. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
} ct_service_next SEC(".maps");

/* A flow's key in the table of its IP version, and what the gate needs of it. */
struct ct_key {
	union {
		struct xdpfw_ct_key4 v4;
		struct xdpfw_ct_key6 v6;
	};
	__u8 ipver;
	__u8 l4_idx; /* enum xdpfw_l4; XDPFW_L4_MAX (ICMP): no gate */
	__u16 lport; /* host order */
};

static __always_inline void ct_count(__u32 counter)
{
	__u64 *n = bpf_map_lookup_elem(&ct_stats, &counter);

	if (n)
		(*n)++;
}

static __always_inline __u64 ct_timeout(const struct xdpfw_policy *pol,
					 enum xdpfw_ct_timeout which)
{
	return (__u64)pol->timeouts[which] * kernel_hz;
}

/* The key of a packet: src is local when `out`, remote when not. */
static __always_inline void ct_key(struct ct_key *k, const struct l3_info *l3, __be16 sport,
				   __be16 dport, int out)
{
	const __u32 *local = out ? l3->saddr : l3->daddr;
	const __u32 *remote = out ? l3->daddr : l3->saddr;
	__be16 lport = out ? sport : dport, rport = out ? dport : sport;

	k->ipver = l3->ipver;
	k->l4_idx = l4_of(l3->proto);
	k->lport = bpf_ntohs(lport);
	if (l3->ipver == 4) {
		k->v4 = (struct xdpfw_ct_key4){ .local = local[0], .remote = remote[0],
						.lport = lport, .rport = rport,
						.proto = l3->proto };
		return;
	}
	__builtin_memcpy(k->v6.local, local, sizeof(k->v6.local));
	__builtin_memcpy(k->v6.remote, remote, sizeof(k->v6.remote));
	k->v6.lport = lport;
	k->v6.rport = rport;
	k->v6.proto = l3->proto;
	__builtin_memset(k->v6.pad, 0, sizeof(k->v6.pad));
}

/*
 * One call site per table: the verifier inlines a lookup only at a call that
 * always sees the same map. The two keys share their address (a union), so
 * clang would merge the calls into one with the map chosen by a select; a
 * different asm after each (nothing; one move) keeps them apart.
 */
static __always_inline struct xdpfw_ct_val *ct_lookup(const struct ct_key *k)
{
	struct xdpfw_ct_val *v;

	if (k->ipver == 4) {
		v = bpf_map_lookup_elem(&conntrack4, &k->v4);
		asm volatile("" : "+r"(v));
	} else {
		v = bpf_map_lookup_elem(&conntrack6, &k->v6);
		asm volatile("%0 = %0" : "+r"(v));
	}
	return v;
}

static __always_inline int ct_create(const struct ct_key *k, const struct xdpfw_ct_val *v)
{
	if (k->ipver == 4)
		return bpf_map_update_elem(&conntrack4, &k->v4, v, BPF_NOEXIST);
	return bpf_map_update_elem(&conntrack6, &k->v6, v, BPF_NOEXIST);
}

static __always_inline __u32 ct_gate_index(__u8 l4_idx, __u16 port)
{
	return l4_bounded(l4_idx) * XDPFW_PORTS + port;
}

/* Can a live flow have `port` (host order) as its local port? The gate's bit says maybe. */
static __always_inline int ct_port_maybe(__u8 l4_idx, __u16 port)
{
	__u32 zero = 0;
	struct xdpfw_ct_ports *p = bpf_map_lookup_elem(&ct_ports, &zero);

	return p && (p->ports[l4_bounded(l4_idx)][xdpfw_port_word(port)] &
		     xdpfw_port_bit(port));
}

/*
 * A gated packet found no flow: if the port's deadline has passed (its
 * flows are gone), clear the bit, so that later packets to the port pay the
 * bitmap only. Replies never come here: the deadline is read on misses only.
 * An egress write that raced the clear sets the bit again.
 */
static __always_inline void ct_gate_age(__u8 l4_idx, __u16 port, __u64 now)
{
	__u32 zero = 0, idx = ct_gate_index(l4_idx, port);
	struct xdpfw_ct_ports *p = bpf_map_lookup_elem(&ct_ports, &zero);
	__u64 *w, *until = bpf_map_lookup_elem(&ct_port_exp, &idx), bit = xdpfw_port_bit(port);

	if (!p || !until || *until > now)
		return;
	w = &p->ports[l4_bounded(l4_idx)][xdpfw_port_word(port)];
	__sync_fetch_and_and(w, ~bit);
	if (*until > now)
		__sync_fetch_and_or(w, bit);
}

/* Opens the gate of the flow's local port until at least `until`: deadline first, then bit. */
static __always_inline void ct_gate_open(const struct ct_key *k, __u64 until)
{
	__u32 zero = 0, idx = ct_gate_index(k->l4_idx, k->lport);
	struct xdpfw_ct_ports *p;
	__u64 *w, *dl, bit, old, seen;
	int i;

	if (k->l4_idx >= XDPFW_L4_MAX)
		return;
	dl = bpf_map_lookup_elem(&ct_port_exp, &idx);
	p = bpf_map_lookup_elem(&ct_ports, &zero);
	if (!dl || !p)
		return;
	/* The latest deadline of the port's flows: raced by other CPUs, so compare and swap. */
	old = *dl;
	for (i = 0; i < 4 && old < until; i++) {
		seen = __sync_val_compare_and_swap(dl, old, until);
		if (seen == old)
			break;
		old = seen;
	}
	bit = xdpfw_port_bit(k->lport);
	w = &p->ports[l4_bounded(k->l4_idx)][xdpfw_port_word(k->lport)];
	if (!(*w & bit))
		__sync_fetch_and_or(w, bit);
}

static __always_inline int is_echo_request(__u8 proto, __u8 type)
{
	return proto == IPPROTO_ICMP ? type == ICMP_ECHO : type == ICMPV6_ECHO_REQUEST;
}

static __always_inline int is_echo_reply(__u8 proto, __u8 type)
{
	return proto == IPPROTO_ICMP ? type == ICMP_ECHOREPLY : type == ICMPV6_ECHO_REPLY;
}

/* ICMP errors whose payload quotes a packet of ours (RELATED). */
static __always_inline int is_icmp_error(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

static __always_inline struct xdpfw_ct_val *ct_find(const struct ct_key *k, __u64 now)
{
	struct xdpfw_ct_val *v = ct_lookup(k);

	return v && v->expires > now ? v : NULL;
}

/* Inbound FIN/RST: move towards closing, never later than already due. */
static __always_inline void ct_close_in(struct xdpfw_ct_val *v, __u8 state, __u64 deadline)
{
	if (v->state == XDPFW_CT_CLOSE || v->state == state)
		return;
	WRITE_ONCE(v->state, state);
	if (state == XDPFW_CT_CLOSE)
		WRITE_ONCE(v->flags, v->flags | XDPFW_CT_F_RST_IN);
	if (deadline < v->expires)
		WRITE_ONCE(v->expires, deadline);
	ct_count(XDPFW_CT_CLOSES);
}

/*
 * Is this inbound packet a reply within a tracked flow? Only the writes that
 * shorten (FIN, RST) or mark a UDP flow as answered happen here. *slot: the
 * counter slot of the flow's service.
 */
static __always_inline int ct_inbound(const struct l3_info *l3, const struct l4_info *l4,
				      const struct xdpfw_policy *pol, __u64 now, __u8 *slot)
{
	struct ct_key k;
	struct xdpfw_ct_val *v;

	if (l3->proto == IPPROTO_ICMP || l3->proto == IPPROTO_ICMPV6)
		ct_key(&k, l3, 0, l4->sport, 0); /* echo id as local port */
	else
		ct_key(&k, l3, l4->sport, l4->dport, 0);
	v = ct_find(&k, now);
	if (!v)
		return 0;
	*slot = v->slot;
	if (l3->proto == IPPROTO_TCP) {
		if (l4->tcp_flags & TCP_RST)
			ct_close_in(v, XDPFW_CT_CLOSE, now + ct_timeout(pol, XDPFW_CT_TO_TCP_CLOSE));
		else if (l4->tcp_flags & TCP_FIN)
			ct_close_in(v, XDPFW_CT_FIN, now + ct_timeout(pol, XDPFW_CT_TO_TCP_FIN));
	} else if (l3->proto != IPPROTO_ICMP && l3->proto != IPPROTO_ICMPV6 &&
		   !(v->flags & XDPFW_CT_F_REPLIED)) {
		WRITE_ONCE(v->flags, v->flags | XDPFW_CT_F_REPLIED);
	}
	return 1;
}

/*
 * The packet an ICMP error quotes, at the cursor: its IP header and first 8
 * transport bytes. A quoted IPv6 header must be followed by the transport
 * header directly: walking extension headers a second time would cost the
 * verifier more than these rare packets are worth; they follow the ICMP policy.
 */
static __always_inline int parse_quoted(struct cursor *c, int ethertype, struct l3_info *in)
{
	struct ipv6hdr *ip6h;

	if (ethertype == bpf_htons(ETH_P_IP))
		return parse_ipv4(c, in) || in->frag == FRAG_LATER ? -1 : 0;
	ip6h = cursor_pull(c, sizeof(*ip6h));
	if (!ip6h || ip6h->version != 6)
		return -1;
	ipv6_addrs(in, ip6h);
	in->ipver = 6;
	in->proto = ip6h->nexthdr;
	return 0;
}

/* Are two addresses of a family equal? IPv4 uses the first word. */
static __always_inline int addr_eq(const __u32 *a, const __u32 *b, __u8 l3)
{
	if (l3 == 4)
		return a[0] == b[0];
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

/*
 * An ICMP error at the cursor (just past the 8-byte ICMP header) about a
 * packet the host sent: RELATED when it quotes a tracked flow, or a packet
 * from one of the policy's open ports (a connection to the host's own
 * services, which have no flow). As in nf_conntrack, the error must be
 * addressed to the quoted packet's source: an error about someone else's
 * packet is not about ours.
 */
static __always_inline int ct_related(struct cursor *c, int ethertype, const struct l3_info *outer,
				      const struct xdpfw_policy *pol)
{
	struct l3_info in = {};
	struct icmp_echo_hdr *ih;
	struct ct_key k;
	struct udphdr *ports;

	if (parse_quoted(c, ethertype, &in) || !addr_eq(in.saddr, outer->daddr, outer->ipver))
		return 0;
	/* A quote holds 8 transport bytes: a whole UDP or ICMP header, TCP's first 8. */
	switch (in.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = cursor_pull(c, sizeof(*ports)); /* TCP's ports sit where UDP's do */
		if (!ports)
			return 0;
		ct_key(&k, &in, ports->source, ports->dest, 1);
		if (port_allowed(pol, k.l4_idx, k.lport))
			return 1;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		ih = cursor_pull(c, sizeof(*ih));
		if (!ih || !is_echo_request(in.proto, ih->type))
			return 0;
		ct_key(&k, &in, ih->id, 0, 1);
		break;
	default:
		return 0;
	}
	return ct_find(&k, bpf_jiffies64()) != NULL;
}

/*
 * The counter slot of a service, handed out on first sight: the shared
 * counter gives each new service the next slot, the hash remembers it. Two
 * CPUs racing for one new service: the first insert wins, the other's slot
 * stays unused. Past the last slot, the catch-all.
 */
static __always_inline __u8 ct_service_slot(__u8 dir, __u8 proto, __be16 port)
{
	struct xdpfw_service key = { .dir = dir, .proto = proto, .port = port };
	__u32 *slot = bpf_map_lookup_elem(&ct_services, &key), zero = 0, *next, idx;

	if (slot)
		return *slot;
	next = bpf_map_lookup_elem(&ct_service_next, &zero);
	if (!next)
		return XDPFW_SLOT_OTHER_OUT;
	idx = __sync_fetch_and_add(next, 1);
	if (idx >= XDPFW_SERVICE_SLOT_COUNT)
		return XDPFW_SLOT_OTHER_OUT;
	idx += XDPFW_SLOT_FIRST_SERVICE;
	if (!bpf_map_update_elem(&ct_services, &key, &idx, BPF_NOEXIST))
		return idx;
	slot = bpf_map_lookup_elem(&ct_services, &key);
	return slot ? *slot : XDPFW_SLOT_OTHER_OUT;
}

/*
 * A new flow. The service side of one the host opens (dir out) is the
 * remote port; of a connection to the host (dir in), the local one.
 */
static __always_inline void ct_insert(const struct ct_key *k, __u8 state, __u64 now,
				      __u64 timeout, __u8 dir)
{
	__be16 port = dir == XDPFW_DIR_OUT ? (k->ipver == 4 ? k->v4.rport : k->v6.rport)
					   : (k->ipver == 4 ? k->v4.lport : k->v6.lport);
	struct xdpfw_ct_val v = {
		.expires = now + timeout,
		.created = now,
		.refreshed = now,
		.state = state,
	};

	if (k->l4_idx < XDPFW_L4_MAX)
		v.slot = ct_service_slot(dir, k->ipver == 4 ? k->v4.proto : k->v6.proto, port);

	if (ct_create(k, &v))
		return;
	ct_count(XDPFW_CT_INSERTS);
	ct_gate_open(k, v.expires);
}

/* Pushes the expiry forward, at most once a second (kernel_hz jiffies). */
static __always_inline void ct_refresh(const struct ct_key *k, struct xdpfw_ct_val *v, __u8 state,
				       __u64 now, __u64 timeout)
{
	if (v->state == state && now - v->refreshed < kernel_hz)
		return;
	WRITE_ONCE(v->state, state);
	WRITE_ONCE(v->flags, v->flags & ~XDPFW_CT_F_RST_IN);
	WRITE_ONCE(v->expires, now + timeout);
	WRITE_ONCE(v->refreshed, now);
	ct_count(XDPFW_CT_REFRESHES);
	ct_gate_open(k, now + timeout);
}

static __always_inline void ct_renew(const struct ct_key *k, struct xdpfw_ct_val *v, __u8 state,
				     __u64 now, const struct xdpfw_policy *pol,
				     enum xdpfw_ct_timeout which)
{
	ct_refresh(k, v, state, now, ct_timeout(pol, which));
}

static __always_inline void ct_outbound_tcp(const struct ct_key *k, struct xdpfw_ct_val *v,
					    __u8 flags, __u64 now, const struct xdpfw_policy *pol)
{
	if (flags & TCP_RST) {
		if (v)
			ct_renew(k, v, XDPFW_CT_CLOSE, now, pol, XDPFW_CT_TO_TCP_CLOSE);
	} else if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/* The host opens a connection (or reuses the tuple for a new one). */
		if (v) {
			WRITE_ONCE(v->created, now);
			ct_renew(k, v, XDPFW_CT_SYN_SENT, now, pol, XDPFW_CT_TO_TCP_SYN_SENT);
		} else {
			ct_insert(k, XDPFW_CT_SYN_SENT, now,
				  ct_timeout(pol, XDPFW_CT_TO_TCP_SYN_SENT), XDPFW_DIR_OUT);
		}
	} else if (flags & TCP_SYN) {
		/* A SYN-ACK never creates: an inbound SYN flood must not fill the table. */
	} else if (flags & TCP_FIN) {
		if (v && v->state != XDPFW_CT_CLOSE)
			ct_renew(k, v, XDPFW_CT_FIN, now, pol, XDPFW_CT_TO_TCP_FIN);
	} else if (!v) {
		/* Data or ACK of a connection the host did not open: track it from here. */
		ct_insert(k, XDPFW_CT_ESTABLISHED, now,
			  ct_timeout(pol, XDPFW_CT_TO_TCP_ESTABLISHED), XDPFW_DIR_IN);
	} else if (v->state == XDPFW_CT_FIN) {
		ct_renew(k, v, XDPFW_CT_FIN, now, pol, XDPFW_CT_TO_TCP_FIN);
	} else if (v->state != XDPFW_CT_CLOSE || (v->flags & XDPFW_CT_F_RST_IN)) {
		/* Handshake done; or an inbound RST the host's stack did not accept. */
		ct_renew(k, v, XDPFW_CT_ESTABLISHED, now, pol, XDPFW_CT_TO_TCP_ESTABLISHED);
	}
}

/* Records or refreshes the flow of a packet the host sends. */
static __always_inline void ct_outbound(const struct l3_info *l3, const struct l4_info *l4,
					const struct xdpfw_policy *pol)
{
	struct xdpfw_ct_val *v;
	struct ct_key k;
	__u64 now, timeout;

	switch (l3->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		ct_key(&k, l3, l4->sport, l4->dport, 1);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (!is_echo_request(l3->proto, l4->icmp_type))
			return;
		ct_key(&k, l3, l4->sport, 0, 1);
		break;
	default:
		return;
	}
	now = bpf_jiffies64();
	v = ct_lookup(&k);
	/*
	 * What the host sends from one of the policy's open ports answers
	 * traffic the port check lets in anyway. Tracking it would let an
	 * outsider fill the table (queries from spoofed sources, each answered)
	 * and evict the flows the host opened; so it creates nothing.
	 */
	if (!v && k.l4_idx < XDPFW_L4_MAX && port_allowed(pol, k.l4_idx, k.lport))
		return;
	if (l3->proto == IPPROTO_TCP) {
		ct_outbound_tcp(&k, v, l4->tcp_flags, now, pol);
		return;
	}
	if (l3->proto == IPPROTO_UDP || l3->proto == IPPROTO_UDPLITE) {
		timeout = ct_timeout(pol, v && (v->flags & XDPFW_CT_F_REPLIED) ?
						  XDPFW_CT_TO_UDP_STREAM : XDPFW_CT_TO_UDP);
	} else {
		timeout = ct_timeout(pol, XDPFW_CT_TO_ICMP);
	}
	if (v)
		ct_refresh(&k, v, XDPFW_CT_ESTABLISHED, now, timeout);
	else
		ct_insert(&k, XDPFW_CT_ESTABLISHED, now, timeout, XDPFW_DIR_OUT);
}

#endif /* XDPFW_CONNTRACK_BPF_H */
