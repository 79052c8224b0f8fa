/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked header parsers shared by the XDP and tc programs. Each pulls
 * a header at the cursor, checks it against the end of the linear data and
 * advances; a negative return means truncated or malformed. They describe a
 * packet; judging it is the caller's business.
 */
#ifndef XDPFW_PARSING_BPF_H
#define XDPFW_PARSING_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "proto.bpf.h"
#include "xdpfw.h"

struct cursor {
	void *data; /* start of the frame: offsets count from here */
	void *pos;
	void *end;
};

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | M */
	__be32 identification;
};

enum frag_kind {
	FRAG_NONE,  /* not fragmented */
	FRAG_FIRST, /* offset 0, more fragments follow: carries the L4 header */
	FRAG_LATER, /* offset > 0: no L4 header */
};

/* What the IP layer says. */
struct l3_info {
	__u32 saddr[4];	/* IPv4 in the first word */
	__u32 daddr[4];
	__u32 l3off;	/* offset of the IP header from the start of the frame */
	__u32 l4off;	/* offset of the transport header */
	__u32 ip_len;	/* datagram length claimed by the header */
	__u32 l4_len;	/* bytes after the IP headers in the datagram (or fragment) */
	__u32 frag_id;	/* with frag != FRAG_NONE: IPv4 id or IPv6 identification */
	__u8 ipver;	/* 4 or 6 */
	__u8 proto;	/* transport protocol, after any IPv6 extension headers */
	__u8 frag;	/* enum frag_kind */
	__u8 frag_proto; /* the same in every fragment: IPv4 protocol, IPv6 fragment header's next */
};

/* What the transport header says; ports in network order. */
struct l4_info {
	__be16 sport;	 /* ICMP echo: the identifier */
	__be16 dport;
	__u8 tcp_flags;
	__u8 icmp_type;
};

static __always_inline void *cursor_pull(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

static __always_inline int is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD) ||
	       proto == bpf_htons(ETH_P_QINQ1);
}

struct pppoe_hdr {
	__u8 ver_type;
	__u8 code;
	__be16 session;
	__be16 length;
};

/*
 * A PPPoE session frame is judged as the IP packet it carries; other PPP
 * protocols (LCP, IPCP, ...) are link control and pass as non-IP. The PPP
 * protocol field may be compressed to one byte (RFC 1661 PFC: an odd first
 * byte): read both ways, so that no encoding smuggles IP past the filter.
 */
static __always_inline int parse_pppoe(struct cursor *c)
{
	__u8 *p;
	__u16 ppp;

	if (!cursor_pull(c, sizeof(struct pppoe_hdr)) || !(p = cursor_pull(c, 1)))
		return -1;
	ppp = p[0];
	if (!(ppp & 1)) {
		p = cursor_pull(c, 1);
		if (!p)
			return -1;
		ppp = ppp << 8 | p[0];
	}
	if (ppp == PPP_IP)
		return bpf_htons(ETH_P_IP);
	if (ppp == PPP_IPV6)
		return bpf_htons(ETH_P_IPV6);
	return bpf_htons(ETH_P_PPP_SES);
}

/*
 * Ethernet, up to two VLAN tags (802.1Q, 802.1ad, the older 0x9100) and a
 * PPPoE session header. Returns the EtherType of what follows in network
 * order (ETH_P_IP or ETH_P_IPV6 for IP inside PPPoE), or -1 when truncated
 * or tagged deeper than we look: a frame we cannot classify is not passed.
 */
static __always_inline int parse_eth(struct cursor *c)
{
	struct ethhdr *eth = cursor_pull(c, sizeof(*eth));
	struct vlan_hdr *vh;
	__be16 proto;
	int i;

	if (!eth)
		return -1;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (!is_vlan(proto))
			break;
		vh = cursor_pull(c, sizeof(*vh));
		if (!vh)
			return -1;
		proto = vh->encap_proto;
	}
	if (is_vlan(proto))
		return -1;
	if (proto == bpf_htons(ETH_P_PPP_SES))
		return parse_pppoe(c);
	return proto;
}

static __always_inline void ipv6_addrs(struct l3_info *l3, const struct ipv6hdr *ip6h)
{
	__builtin_memcpy(l3->saddr, &ip6h->saddr, sizeof(l3->saddr));
	__builtin_memcpy(l3->daddr, &ip6h->daddr, sizeof(l3->daddr));
}

static __always_inline int parse_ipv4(struct cursor *c, struct l3_info *l3)
{
	struct iphdr *iph = cursor_pull(c, sizeof(*iph));
	__u32 hlen, frag_off;

	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -1;
	hlen = iph->ihl * 4;
	l3->ip_len = bpf_ntohs(iph->tot_len);
	if (l3->ip_len < hlen || !cursor_pull(c, hlen - sizeof(*iph)))
		return -1;
	l3->saddr[0] = iph->saddr;
	l3->daddr[0] = iph->daddr;
	l3->l3off = (void *)iph - c->data;
	l3->l4off = c->pos - c->data;
	l3->ipver = 4;
	l3->proto = iph->protocol;
	l3->l4_len = l3->ip_len - hlen;
	frag_off = bpf_ntohs(iph->frag_off);
	if (frag_off & (IP_MF | IP_OFFSET)) {
		l3->frag_id = iph->id;
		l3->frag_proto = iph->protocol;
		l3->frag = frag_off & IP_OFFSET ? FRAG_LATER : FRAG_FIRST;
		/* RFC 1858: offset 1 can only serve to rewrite a TCP header. */
		if ((frag_off & IP_OFFSET) == 1 && iph->protocol == IPPROTO_TCP)
			return -1;
	}
	return 0;
}

/* Copies len bytes at offset off of the frame into dst, from any buffer of it. */
static __always_inline int load_bytes(void *ctx, int xdp, __u32 off, void *dst, __u32 len)
{
	return xdp ? bpf_xdp_load_bytes(ctx, off, dst, len) : bpf_skb_load_bytes(ctx, off, dst, len);
}

/*
 * Fixed header, then up to XDPFW_IPV6_MAX_EXT extension headers. The walk
 * copies headers out by offset instead of moving packet pointers: the
 * verifier then sees one state per round, not one per sequence of header
 * types, and the offset is never used as a pointer here.
 */
static __always_inline int parse_ipv6(struct cursor *c, void *ctx, int xdp, struct l3_info *l3)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct ipv6_frag_hdr fh;
	struct ipv6_opt_hdr oh;
	__u32 off, len, i;
	__u8 nexthdr, frag_hdrs = 0;

	if (!ip6h || ip6h->version != 6)
		return -1;
	ipv6_addrs(l3, ip6h);
	l3->l3off = (void *)ip6h - c->data;
	l3->ipver = 6;
	l3->l4_len = bpf_ntohs(ip6h->payload_len);
	l3->ip_len = sizeof(*ip6h) + l3->l4_len;
	nexthdr = ip6h->nexthdr;
	off = c->pos - c->data;

	/* One round per extension header, and one more to reach the transport header. */
	for (i = 0; i <= XDPFW_IPV6_MAX_EXT; i++) {
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
			/* Only allowed right after the fixed header (RFC 8200 4.1). */
			if (i)
				return -1;
			/* fallthrough */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
			if (load_bytes(ctx, xdp, off, &oh, sizeof(oh)))
				return -1;
			len = nexthdr == IPPROTO_AH ? (oh.hdrlen + 2) * 4 : (oh.hdrlen + 1) * 8;
			nexthdr = oh.nexthdr;
			break;
		case IPPROTO_FRAGMENT:
			/*
			 * The kernel reassembles by the outermost fragment header; a
			 * key taken from another one would describe a different datagram.
			 */
			if (frag_hdrs++ || load_bytes(ctx, xdp, off, &fh, sizeof(fh)))
				return -1;
			len = sizeof(fh);
			nexthdr = fh.nexthdr;
			/* An atomic fragment (offset 0, no M flag) is a whole datagram. */
			if (!(fh.frag_off & bpf_htons(IP6_OFFSET_MF)))
				break;
			l3->frag_id = fh.identification;
			l3->frag_proto = fh.nexthdr;
			l3->frag = fh.frag_off & bpf_htons(IP6_OFFSET) ? FRAG_LATER : FRAG_FIRST;
			break;
		default:
			l3->proto = nexthdr;
			l3->l4off = off;
			return 0;
		}
		if (len > l3->l4_len)
			return -1;
		l3->l4_len -= len;
		off += len;
		if (l3->frag == FRAG_LATER) {
			l3->proto = nexthdr;
			l3->l4off = off;
			return 0;
		}
	}
	return -1;
}

/* IPv4 or IPv6 per the EtherType; ctx is the xdp_md (xdp) or the __sk_buff (!xdp). */
static __always_inline int parse_ip(struct cursor *c, void *ctx, int xdp, int ethertype,
				    struct l3_info *l3)
{
	if (ethertype == bpf_htons(ETH_P_IP))
		return parse_ipv4(c, l3);
	return parse_ipv6(c, ctx, xdp, l3);
}

/*
 * The transport header of a packet that has one (not a later fragment). It
 * must lie inside the datagram as the IP header states its length: Ethernet
 * padding is not a header.
 */
static __always_inline int parse_l4(struct cursor *c, const struct l3_info *l3,
				    struct l4_info *l4)
{
	struct icmp_echo_hdr *ih;
	struct udphdr *uh;
	struct tcphdr *th;

	switch (l3->proto) {
	case IPPROTO_TCP:
		th = cursor_pull(c, sizeof(*th));
		if (!th || l3->l4_len < sizeof(*th) || th->doff < 5 || th->doff * 4U > l3->l4_len)
			return -1;
		l4->sport = th->source;
		l4->dport = th->dest;
		l4->tcp_flags = ((__u8 *)th)[TCP_FLAGS_OFF];
		return 0;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: /* the same header; its length field is a checksum coverage */
		uh = cursor_pull(c, sizeof(*uh));
		if (!uh || l3->l4_len < sizeof(*uh))
			return -1;
		l4->sport = uh->source;
		l4->dport = uh->dest;
		return 0;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* Type, code, checksum and the 4 bytes every ICMP message has. */
		ih = cursor_pull(c, sizeof(*ih));
		if (!ih || l3->l4_len < sizeof(*ih))
			return -1;
		l4->icmp_type = ih->type;
		l4->sport = ih->id; /* echo identifier */
		return 0;
	default:
		return 0;
	}
}

#endif /* XDPFW_PARSING_BPF_H */
