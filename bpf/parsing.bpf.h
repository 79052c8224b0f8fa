/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked header parsers. Each one pulls a header at the cursor,
 * checks it against the end of the linear packet data and advances; a NULL
 * or negative return means the frame is too short or malformed.
 */
#ifndef XDPFW_PARSING_BPF_H
#define XDPFW_PARSING_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfw.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF

struct cursor {
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
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/*
 * Ethernet plus up to two VLAN tags (802.1Q, 802.1ad). Returns the inner
 * EtherType in network order, or -1 when truncated or tagged deeper than we
 * look: a frame we cannot classify is not passed.
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
			return proto;
		vh = cursor_pull(c, sizeof(*vh));
		if (!vh)
			return -1;
		proto = vh->encap_proto;
	}
	return is_vlan(proto) ? -1 : proto;
}

#endif /* XDPFW_PARSING_BPF_H */
