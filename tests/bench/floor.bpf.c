// SPDX-License-Identifier: GPL-2.0
/*
 * The floors xdpfw is measured against: the least an XDP filter can do.
 * floor_parse parses Ethernet (two VLAN tags), IPv4 or IPv6 and the ports,
 * then drops. floor_lookup does the same plus one lookup of the reversed
 * 5-tuple in an LRU hash: the least a stateful filter does.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfw.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct xdpfw_ct_key);
	__type(value, struct xdpfw_ct_val);
} flows SEC(".maps");

static __always_inline int parse(struct xdp_md *ctx, struct xdpfw_ct_key *k)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *pos = eth + 1;
	__be16 proto;
	__u16 *ports;
	int i;

	if (pos > end)
		return -1;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if (pos + 4 > end)
			return -1;
		proto = *(__be16 *)(pos + 2);
		pos += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = pos;

		if ((void *)(iph + 1) > end || iph->ihl < 5)
			return -1;
		k->remote[0] = iph->saddr;
		k->local[0] = iph->daddr;
		k->proto = iph->protocol;
		k->ipver = 4;
		pos += iph->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = pos;

		if ((void *)(ip6h + 1) > end)
			return -1;
		__builtin_memcpy(k->remote, &ip6h->saddr, 16);
		__builtin_memcpy(k->local, &ip6h->daddr, 16);
		k->proto = ip6h->nexthdr;
		k->ipver = 6;
		pos = ip6h + 1;
	} else {
		return -1;
	}
	ports = pos;
	if ((void *)(ports + 2) > end)
		return -1;
	k->rport = ports[0];
	k->lport = ports[1];
	return 0;
}

SEC("xdp")
int floor_parse(struct xdp_md *ctx)
{
	struct xdpfw_ct_key k = {};

	parse(ctx, &k);
	return XDP_DROP;
}

SEC("xdp")
int floor_lookup(struct xdp_md *ctx)
{
	struct xdpfw_ct_key k = {};

	if (!parse(ctx, &k) && bpf_map_lookup_elem(&flows, &k))
		return XDP_PASS;
	return XDP_DROP;
}

/* The cost of BPF_PROG_TEST_RUN itself, to subtract. */
SEC("xdp")
int floor_empty(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* The traffic generator for end-to-end runs: every test-run frame goes out of gen_ifindex. */
const volatile __u32 gen_ifindex;

SEC("xdp")
int gen_redirect(struct xdp_md *ctx)
{
	return bpf_redirect(gen_ifindex, 0);
}

/* Stands in for "no filter": veth takes redirected frames only with an XDP program. */
SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}
