// SPDX-License-Identifier: GPL-2.0
/*
 * The floors xdpfw is measured against: the least an XDP filter can do.
 * floor_parse parses Ethernet (two VLAN tags), IPv4 or IPv6 and the ports
 * and judges one port. floor_lookup parses and looks the reversed 5-tuple up
 * in an LRU hash keyed as xdpfw's: the least a stateful filter does.
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

/* Keyed as xdpfw's flow tables are: 16 bytes for IPv4, 40 for IPv6. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct xdpfw_ct_key4);
	__type(value, struct xdpfw_ct_val);
} flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct xdpfw_ct_key6);
	__type(value, struct xdpfw_ct_val);
} flows6 SEC(".maps");

struct tuple {
	struct xdpfw_ct_key4 k4;
	struct xdpfw_ct_key6 k6;
	int ipver;
};

/* Ethernet, two VLAN tags, IPv4 or IPv6, the ports: the reply's key, reversed. */
static __always_inline int parse(void *data, void *end, struct tuple *t)
{
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
		t->k4 = (struct xdpfw_ct_key4){ .remote = iph->saddr, .local = iph->daddr,
						.proto = iph->protocol };
		t->ipver = 4;
		pos += iph->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = pos;

		if ((void *)(ip6h + 1) > end)
			return -1;
		__builtin_memcpy(t->k6.remote, &ip6h->saddr, 16);
		__builtin_memcpy(t->k6.local, &ip6h->daddr, 16);
		t->k6.proto = ip6h->nexthdr;
		__builtin_memset(t->k6.pad, 0, sizeof(t->k6.pad));
		t->ipver = 6;
		pos = ip6h + 1;
	} else {
		return -1;
	}
	ports = pos;
	if ((void *)(ports + 2) > end)
		return -1;
	if (t->ipver == 4) {
		t->k4.rport = ports[0];
		t->k4.lport = ports[1];
	} else {
		t->k6.rport = ports[0];
		t->k6.lport = ports[1];
	}
	return 0;
}

/*
 * Parse, then pass port 22 and drop the rest: the verdict depends on every
 * field the parse reads, so the compiler cannot delete it (the bench checks
 * the instruction count).
 */
SEC("xdp")
int floor_parse(struct xdp_md *ctx)
{
	struct tuple t;

	if (parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &t))
		return XDP_DROP;
	return (t.ipver == 4 ? t.k4.lport : t.k6.lport) == bpf_htons(22) ? XDP_PASS : XDP_DROP;
}

/* The same, plus one lookup of the reply's key in the table of its family. */
SEC("xdp")
int floor_lookup(struct xdp_md *ctx)
{
	struct tuple t;
	void *v;

	if (parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &t))
		return XDP_DROP;
	if (t.ipver == 4)
		v = bpf_map_lookup_elem(&flows4, &t.k4);
	else
		v = bpf_map_lookup_elem(&flows6, &t.k6);
	return v ? XDP_PASS : XDP_DROP;
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

/*
 * The least a tracker does per new outbound flow: parse and insert the
 * packet's key (host orientation: the source is local) with BPF_NOEXIST.
 */
SEC("tc")
int floor_tc_insert(struct __sk_buff *skb)
{
	struct xdpfw_ct_val v = { .state = XDPFW_CT_ESTABLISHED };
	struct xdpfw_ct_key4 k4;
	struct tuple t;

	if (parse((void *)(long)skb->data, (void *)(long)skb->data_end, &t) || t.ipver != 4)
		return 0;
	k4 = (struct xdpfw_ct_key4){ .local = t.k4.remote, .remote = t.k4.local,
				     .lport = t.k4.rport, .rport = t.k4.lport, .proto = t.k4.proto };
	bpf_map_update_elem(&flows4, &k4, &v, BPF_NOEXIST);
	return 0;
}

/* The cost of a tc test run itself, for the egress program's figures. */
SEC("tc")
int floor_tc_empty(struct __sk_buff *skb)
{
	return 0; /* TC_ACT_OK */
}
