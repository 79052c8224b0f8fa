// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfw XDP program: pass non-IP and ICMP, pass TCP/UDP whose destination
 * port is set in the active policy's bitmap, give everything else the
 * default verdict. One exit path counts every packet under its reason and,
 * for TCP/UDP, under its destination port.
 */
#include <linux/bpf.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parsing.bpf.h"
#include "xdpfw.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfw_policy);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_PORT_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct xdpfw_port_stats);
} port_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFW_REASON_MAX);
	__type(key, __u32);
	__type(value, struct xdpfw_reason_stats);
} reason_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFW_FRAG_ENTRIES);
	__type(key, struct xdpfw_frag_key);
	__type(value, struct xdpfw_frag_val);
} frags SEC(".maps");

enum frag_kind {
	FRAG_NONE,  /* not fragmented */
	FRAG_FIRST, /* offset 0, more fragments follow: carries the L4 header */
	FRAG_LATER, /* offset > 0: no L4 header */
};

/* What classification learns about a packet; the exit path reads it. */
struct pkt {
	__u64 bytes;	 /* frame length, 0 until known */
	__u32 l4_len;	 /* L4 bytes inside the datagram (or this fragment) */
	__u16 dport;	 /* host order, valid when l4 < XDPFW_L4_MAX */
	__u8 l4;	 /* enum xdpfw_l4, XDPFW_L4_MAX when no port applies */
	__u8 frag;	 /* enum frag_kind */
	struct xdpfw_frag_key fkey; /* filled when frag != FRAG_NONE */
};

static __always_inline struct xdpfw_policy *active_policy(void)
{
	__u32 zero = 0;
	struct xdpfw_config *cfg = bpf_map_lookup_elem(&config, &zero);
	__u32 slot;

	if (!cfg)
		return NULL;
	slot = cfg->active_slot;
	return bpf_map_lookup_elem(&policy, &slot);
}

static __always_inline int port_allowed(const struct xdpfw_policy *pol, __u8 l4, __u16 port)
{
	__u64 word = pol->ports[l4 & 1][(port >> 6) & (XDPFW_PORT_WORDS - 1)];

	return (word >> (port & 63)) & 1;
}

static __always_inline enum xdpfw_reason by_default(const struct xdpfw_policy *pol,
						    enum xdpfw_reason drop)
{
	return pol->flags & XDPFW_F_DEFAULT_PASS ? XDPFW_REASON_PASSED_DEFAULT : drop;
}

/* ICMPv6 types 133-137: router/neighbour solicitation/advertisement, redirect. */
#define ND_FIRST_TYPE 133
#define ND_LAST_TYPE  137

/* Neighbour discovery and MLD: IPv6 does not work without them. */
static __always_inline int icmp6_essential(__u8 type)
{
	return (type >= ICMPV6_MGM_QUERY && type <= ICMPV6_MGM_REDUCTION) ||
	       (type >= ND_FIRST_TYPE && type <= ND_LAST_TYPE) || type == ICMPV6_MLD2_REPORT;
}

/* Judge a packet whose L4 header starts at the cursor. */
static __always_inline enum xdpfw_reason classify_l4(struct cursor *c, struct pkt *p, __u8 proto,
						     const struct xdpfw_policy *pol)
{
	struct tcphdr *th;
	struct udphdr *uh;
	struct icmphdr *ih;
	struct icmp6hdr *i6h;

	switch (proto) {
	case IPPROTO_TCP:
		th = cursor_pull(c, sizeof(*th));
		if (!th || p->l4_len < sizeof(*th) || th->doff < 5 || th->doff * 4U > p->l4_len)
			return XDPFW_REASON_DROPPED_MALFORMED;
		p->l4 = XDPFW_L4_TCP;
		p->dport = bpf_ntohs(th->dest);
		break;
	case IPPROTO_UDP:
		uh = cursor_pull(c, sizeof(*uh));
		if (!uh || p->l4_len < sizeof(*uh))
			return XDPFW_REASON_DROPPED_MALFORMED;
		p->l4 = XDPFW_L4_UDP;
		p->dport = bpf_ntohs(uh->dest);
		break;
	case IPPROTO_ICMP:
		ih = cursor_pull(c, sizeof(*ih));
		if (!ih || p->l4_len < sizeof(*ih))
			return XDPFW_REASON_DROPPED_MALFORMED;
		return pol->flags & XDPFW_F_ICMP_DROP ? XDPFW_REASON_DROPPED_ICMP
						      : XDPFW_REASON_PASSED_ICMP;
	case IPPROTO_ICMPV6:
		i6h = cursor_pull(c, sizeof(*i6h));
		if (!i6h || p->l4_len < sizeof(*i6h))
			return XDPFW_REASON_DROPPED_MALFORMED;
		if (!(pol->flags & XDPFW_F_ICMP6_DROP) || icmp6_essential(i6h->icmp6_type))
			return XDPFW_REASON_PASSED_ICMP;
		return XDPFW_REASON_DROPPED_ICMP;
	default:
		return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
	}
	if (port_allowed(pol, p->l4, p->dport))
		return XDPFW_REASON_PASSED_PORT;
	return by_default(pol, XDPFW_REASON_DROPPED_PORT);
}

/* A later fragment passes only if the first fragment of its datagram passed. */
static __always_inline enum xdpfw_reason classify_later_fragment(struct pkt *p)
{
	struct xdpfw_frag_val *v = bpf_map_lookup_elem(&frags, &p->fkey);

	if (!v || v->expires_ns < bpf_ktime_get_coarse_ns())
		return XDPFW_REASON_DROPPED_FRAGMENT;
	p->l4 = v->l4;
	p->dport = v->port;
	return XDPFW_REASON_PASSED_FRAGMENT;
}

static __always_inline void remember_first_fragment(struct pkt *p)
{
	struct xdpfw_frag_val v = {
		.expires_ns = bpf_ktime_get_coarse_ns() + XDPFW_FRAG_TIMEOUT_NS,
		.port = p->dport,
		.l4 = p->l4,
	};

	bpf_map_update_elem(&frags, &p->fkey, &v, BPF_ANY);
}

/*
 * The IP datagram must fit in the frame. Multi-buffer frames keep only the
 * first buffer in [data, data_end); ask for the full length only then.
 */
static __always_inline int check_ip_len(struct xdp_md *ctx, struct pkt *p, void *l3, __u32 ip_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 need = (l3 - data) + (__u64)ip_len;

	p->bytes = data_end - data;
	if (need > p->bytes) {
		p->bytes = bpf_xdp_get_buff_len(ctx);
		if (need > p->bytes)
			return -1;
	}
	return 0;
}

static __always_inline enum xdpfw_reason classify_ipv4(struct xdp_md *ctx, struct cursor *c,
						       struct pkt *p,
						       const struct xdpfw_policy *pol)
{
	struct iphdr *iph = cursor_pull(c, sizeof(*iph));
	__u32 hlen, tot_len;
	__u16 frag_off;

	if (!iph || iph->version != 4 || iph->ihl < 5)
		return XDPFW_REASON_DROPPED_MALFORMED;
	hlen = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < hlen || !cursor_pull(c, hlen - sizeof(*iph)) ||
	    check_ip_len(ctx, p, iph, tot_len))
		return XDPFW_REASON_DROPPED_MALFORMED;
	if ((iph->saddr & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000))
		return XDPFW_REASON_DROPPED_MARTIAN;
	p->l4_len = tot_len - hlen;

	frag_off = bpf_ntohs(iph->frag_off);
	if (frag_off & (IP_MF | IP_OFFSET)) {
		p->fkey.saddr[0] = iph->saddr;
		p->fkey.daddr[0] = iph->daddr;
		p->fkey.id = iph->id;
		p->fkey.l3 = 4;
		p->fkey.proto = iph->protocol;
		if (frag_off & IP_OFFSET) {
			/* RFC 1858: offset 1 can only rewrite a TCP header. */
			if ((frag_off & IP_OFFSET) == 1 && iph->protocol == IPPROTO_TCP)
				return XDPFW_REASON_DROPPED_MALFORMED;
			p->frag = FRAG_LATER;
			return classify_later_fragment(p);
		}
		p->frag = FRAG_FIRST;
	}
	return classify_l4(c, p, iph->protocol, pol);
}

static __always_inline int is_loopback6(const struct in6_addr *a)
{
	return !(a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] | a->in6_u.u6_addr32[2]) &&
	       a->in6_u.u6_addr32[3] == bpf_htonl(1);
}

static __always_inline enum xdpfw_reason classify_ipv6(struct xdp_md *ctx, struct cursor *c,
						       struct pkt *p,
						       const struct xdpfw_policy *pol)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct ipv6_frag_hdr *fh;
	struct ipv6_opt_hdr *oh;
	__u32 len, plen, i;
	__u8 nexthdr;

	if (!ip6h || ip6h->version != 6)
		return XDPFW_REASON_DROPPED_MALFORMED;
	plen = bpf_ntohs(ip6h->payload_len);
	if (check_ip_len(ctx, p, ip6h, sizeof(*ip6h) + plen))
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (is_loopback6(&ip6h->saddr))
		return XDPFW_REASON_DROPPED_MARTIAN;
	p->l4_len = plen;
	nexthdr = ip6h->nexthdr;

	/* One round per extension header, and one more to reach the transport header. */
	for (i = 0; i <= XDPFW_IPV6_MAX_EXT; i++) {
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
			/* Only allowed right after the fixed header (RFC 8200 4.1). */
			if (i)
				return XDPFW_REASON_DROPPED_MALFORMED;
			/* fallthrough */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
			oh = cursor_pull(c, sizeof(*oh));
			if (!oh)
				return XDPFW_REASON_DROPPED_MALFORMED;
			len = nexthdr == IPPROTO_AH ? (oh->hdrlen + 2) * 4 : (oh->hdrlen + 1) * 8;
			if (len > p->l4_len || !cursor_pull(c, len - sizeof(*oh)))
				return XDPFW_REASON_DROPPED_MALFORMED;
			nexthdr = oh->nexthdr;
			break;
		case IPPROTO_FRAGMENT:
			fh = cursor_pull(c, sizeof(*fh));
			if (!fh || p->l4_len < sizeof(*fh))
				return XDPFW_REASON_DROPPED_MALFORMED;
			len = sizeof(*fh);
			nexthdr = fh->nexthdr;
			/* An atomic fragment (offset 0, no M flag) is a whole datagram. */
			if (!(fh->frag_off & bpf_htons(0xFFF9)))
				break;
			__builtin_memcpy(p->fkey.saddr, &ip6h->saddr, sizeof(p->fkey.saddr));
			__builtin_memcpy(p->fkey.daddr, &ip6h->daddr, sizeof(p->fkey.daddr));
			p->fkey.id = fh->identification;
			p->fkey.l3 = 6;
			p->fkey.proto = nexthdr;
			if (fh->frag_off & bpf_htons(0xFFF8)) {
				p->frag = FRAG_LATER;
				return classify_later_fragment(p);
			}
			p->frag = FRAG_FIRST;
			break;
		default:
			return classify_l4(c, p, nexthdr, pol);
		}
		p->l4_len -= len;
	}
	return XDPFW_REASON_DROPPED_MALFORMED;
}

static __always_inline enum xdpfw_reason classify(struct xdp_md *ctx, struct pkt *p)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct xdpfw_policy *pol;
	int proto = parse_eth(&c);

	if (proto < 0)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return XDPFW_REASON_PASSED_NONIP;
	pol = active_policy();
	if (!pol) /* cannot happen for an array map; fail closed */
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (proto == bpf_htons(ETH_P_IP))
		return classify_ipv4(ctx, &c, p, pol);
	return classify_ipv6(ctx, &c, p, pol);
}

static __always_inline void count(struct xdp_md *ctx, struct pkt *p, __u32 reason, int passed)
{
	struct xdpfw_reason_stats *rs;
	struct xdpfw_port_stats *ps;
	__u32 idx;

	if (!p->bytes)
		p->bytes = bpf_xdp_get_buff_len(ctx);
	rs = bpf_map_lookup_elem(&reason_stats, &reason);
	if (rs) {
		rs->packets++;
		rs->bytes += p->bytes;
	}
	if (p->l4 >= XDPFW_L4_MAX)
		return;
	idx = (__u32)p->l4 * XDPFW_PORTS + p->dport;
	ps = bpf_map_lookup_elem(&port_stats, &idx);
	if (!ps)
		return;
	if (passed) {
		ps->passed_packets++;
		ps->passed_bytes += p->bytes;
	} else {
		ps->dropped_packets++;
		ps->dropped_bytes += p->bytes;
	}
}

SEC("xdp.frags")
int xdpfw_xdp(struct xdp_md *ctx)
{
	struct pkt p = { .l4 = XDPFW_L4_MAX };
	enum xdpfw_reason reason = classify(ctx, &p);
	int passed = reason < XDPFW_REASON_FIRST_DROP;

	if (passed && p.frag == FRAG_FIRST)
		remember_first_fragment(&p);
	count(ctx, &p, reason, passed);
	return passed ? XDP_PASS : XDP_DROP;
}
