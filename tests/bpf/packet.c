// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "packet.h"

static size_t l4_hdr_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

static size_t put_ip(const struct spec *s, __u8 *p);

static size_t put_l4(const struct spec *s, __u8 *p, bool later_fragment)
{
	size_t len = later_fragment ? 0 : l4_hdr_len(s->proto);
	__u16 sport = s->sport ? s->sport : 40000;

	if (!later_fragment) {
		if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP ||
		    s->proto == IPPROTO_UDPLITE) {
			p[0] = sport >> 8;
			p[1] = sport & 0xff;
			p[2] = s->dport >> 8;
			p[3] = s->dport & 0xff;
		}
		if (s->proto == IPPROTO_TCP) {
			p[12] = 5 << 4; /* doff */
			p[13] = s->tcp_flags == NO_FLAGS ? 0 : s->tcp_flags ? s->tcp_flags : SYN;
		} else if (s->proto == IPPROTO_UDP) {
			p[4] = (8 + s->payload) >> 8;
			p[5] = (8 + s->payload) & 0xff;
		} else if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
			p[0] = s->icmp_type;
			p[4] = s->icmp_id >> 8;
			p[5] = s->icmp_id & 0xff;
		}
	}
	if (s->quote) {
		/* An ICMP error quotes the IP header and the first 8 bytes after it. */
		__u8 inner[256];
		size_t n = put_ip(s->quote, inner);
		size_t keep = (s->quote->ipver == 4 ? 20 + s->quote->ip_opts : 40) + 8;

		n = n < keep ? n : keep;
		memcpy(p + len, inner, n);
		return len + n;
	}
	memset(p + len, 0xab, s->payload);
	return len + s->payload;
}

static size_t put_ipv4(const struct spec *s, __u8 *p)
{
	struct iphdr *iph = (struct iphdr *)p;
	size_t hlen = sizeof(*iph) + s->ip_opts;
	size_t l4 = put_l4(s, p + hlen, s->frag & 0x1fff);
	__u32 remote = s->remote4 ? s->remote4 : 0xc6120000 | (s->remote ? s->remote : 2);
	__u32 local = 0xc6120000 | (s->local ? s->local : 1);	  /* 198.18.0.1 */

	memset(p + sizeof(*iph), 1 /* NOP */, s->ip_opts);
	iph->version = 4;
	iph->ihl = hlen / 4;
	iph->ttl = 64;
	iph->protocol = s->proto;
	iph->tot_len = htons(hlen + l4);
	iph->id = htons(s->ip_id);
	iph->frag_off = htons(s->frag);
	iph->saddr = htonl(s->loopback_src ? 0x7f000001 : s->out ? local : remote);
	iph->daddr = htonl(s->out ? remote : local);
	return hlen + l4;
}

static size_t put_ipv6(const struct spec *s, __u8 *p)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;
	__u8 *q = p + sizeof(*ip6h), *prev_next = &ip6h->nexthdr;
	bool later = false;
	size_t len;
	int i;

	ip6h->version = 6;
	ip6h->hop_limit = 64;
	inet_pton(AF_INET6, s->loopback_src ? "::1" : s->out ? "2001:db8::1" : "2001:db8::2",
		  &ip6h->saddr);
	inet_pton(AF_INET6, s->out ? "2001:db8::2" : "2001:db8::1", &ip6h->daddr);
	if (s->remote)
		(s->out ? ip6h->daddr.s6_addr : ip6h->saddr.s6_addr)[15] = s->remote;
	if (s->local)
		(s->out ? ip6h->saddr.s6_addr : ip6h->daddr.s6_addr)[15] = s->local;
	for (i = 0; i < s->n_ext; i++) {
		*prev_next = s->ext[i];
		prev_next = q; /* every extension header starts with its next-header byte */
		if (s->ext[i] == FRAG) {
			q[2] = s->v6frag >> 8;
			q[3] = s->v6frag & 0xff;
			q[7] = 0x2a; /* identification 42 */
			later = s->v6frag & 0xfff8;
			len = 8;
		} else if (s->ext[i] == AH) {
			q[1] = 1; /* (1 + 2) * 4 = 12 bytes */
			len = 12;
		} else {
			len = 8; /* hdrlen 0: 8 bytes, PadN fills the rest */
			q[2] = 1;
			q[3] = 4;
		}
		q += len;
	}
	*prev_next = s->proto;
	q += put_l4(s, q, later);
	len = q - p;
	ip6h->payload_len = htons(len - sizeof(*ip6h));
	return len;
}

static size_t put_ip(const struct spec *s, __u8 *p)
{
	return s->ipver == 4 ? put_ipv4(s, p) : put_ipv6(s, p);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* PPPoE session header and PPP protocol field at off; returns the offset after them. */
static size_t put_pppoe(const struct spec *s, __u8 *buf, size_t off)
{
	__u16 proto = s->ppp_proto ? s->ppp_proto : s->ipver == 4 ? 0x0021 : 0x0057;

	buf[off] = 0x11; /* version 1, type 1 */
	put16(buf + off + 2, 0x1234); /* session id */
	off += 6;
	if (s->pfc) {
		buf[off] = proto & 0xff;
		return off + 1;
	}
	put16(buf + off, proto);
	return off + 2;
}

size_t build(const struct spec *s, __u8 *buf)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	size_t off = sizeof(macs), pppoe = 0, len;
	int i;

	memset(buf, 0, MAX_FRAME);
	memcpy(buf, macs, sizeof(macs));
	for (i = 0; i < s->vlans; i++) {
		put16(buf + off, i == 0 && s->tpid ? s->tpid : ETH_P_8021Q);
		buf[off + 3] = 10 + i; /* VLAN id */
		off += 4;
	}
	put16(buf + off, s->pppoe	 ? ETH_P_PPP_SES
			 : s->ipver == 4 ? ETH_P_IP
			 : s->ipver == 6 ? ETH_P_IPV6
				      : s->ethertype);
	off += 2;
	if (s->pppoe) {
		pppoe = off;
		off = put_pppoe(s, buf, off);
	}
	len = s->ipver ? put_ip(s, buf + off) : 46; /* 46: minimum Ethernet payload */
	if (s->pppoe) /* PPPoE length: what follows its 6-byte header */
		put16(buf + pppoe + 4, off + len - pppoe - 6);
	return off + len;
}

/* Offset of the L3 header in a frame built from s. */
size_t l3_off(const struct spec *s)
{
	return ETH_HLEN + 4 * s->vlans + (s->pppoe ? 6 + (s->pfc ? 1 : 2) : 0);
}
