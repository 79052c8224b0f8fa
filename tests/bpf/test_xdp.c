// SPDX-License-Identifier: GPL-2.0
/*
 * The real compiled XDP program (from the skeleton) run with
 * bpf_prog_test_run_opts on crafted frames. Every case asserts the verdict
 * and the exact counter deltas: one packet and its frame length under the
 * expected reason, nothing under any other, and the per-port counters.
 */
#include <arpa/inet.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "golden.h"
#include "harness.h"
#include "maps.h"
#include "policy.h"
#include "util.h"

/* Verdicts under the built-in policy. */
static const struct tcase default_cases[] = {
	{ "ARP passes", { .ethertype = ETH_P_ARP }, { PASS(PASSED_NONIP), NO_PORT } },
	{ "LLDP passes", { .ethertype = 0x88cc }, { PASS(PASSED_NONIP), NO_PORT } },
	{ "LACP passes", { .ethertype = 0x8809 }, { PASS(PASSED_NONIP), NO_PORT } },
	{ "ARP in a VLAN passes", { .vlans = 1, .ethertype = ETH_P_ARP },
	  { PASS(PASSED_NONIP), NO_PORT } },
	{ "TCP 22 allowed", { TCP4(22) }, { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "TCP 8080 allowed", { TCP4(8080) }, { PASS(PASSED_PORT), XDPFW_L4_TCP, 8080 } },
	{ "TCP 9999 dropped", { TCP4(9999) }, { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "TCP 443 dropped", { TCP4(443) }, { DROP(DROPPED_PORT), XDPFW_L4_TCP, 443 } },
	{ "TCP 0 dropped", { TCP4(0) }, { DROP(DROPPED_PORT), XDPFW_L4_TCP, 0 } },
	{ "TCP 65535 dropped", { TCP4(65535) }, { DROP(DROPPED_PORT), XDPFW_L4_TCP, 65535 } },
	{ "UDP 53 allowed", { UDP4(53), .payload = 30 }, { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
	{ "UDP 953 allowed", { UDP4(953) }, { PASS(PASSED_PORT), XDPFW_L4_UDP, 953 } },
	{ "UDP 5353 dropped", { UDP4(5353) }, { DROP(DROPPED_PORT), XDPFW_L4_UDP, 5353 } },
	{ "UDP 22 dropped: bitmaps are per protocol", { UDP4(22) },
	  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 22 } },
	{ "TCP 953 allowed, UDP 8080 not", { UDP4(8080) },
	  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 8080 } },
	{ "ICMP echo passes", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	{ "ICMPv6 echo passes", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	{ "GRE gets the default verdict", { .ipver = 4, .proto = 47 },
	  { DROP(DROPPED_PROTO), NO_PORT } },
	{ "ESP over IPv6 gets the default verdict", { .ipver = 6, .proto = 50, .payload = 16 },
	  { DROP(DROPPED_PROTO), NO_PORT } },
	{ "IPv6 no-next-header gets the default verdict", { .ipver = 6, .proto = 59 },
	  { DROP(DROPPED_PROTO), NO_PORT } },
	{ "IPv6 TCP 25 allowed", { TCP6(25) }, { PASS(PASSED_PORT), XDPFW_L4_TCP, 25 } },
	{ "IPv6 TCP 9999 dropped", { TCP6(9999) }, { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "IPv6 UDP 53 allowed", { UDP6(53) }, { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
	{ "IPv6 UDP 5353 dropped", { UDP6(5353) }, { DROP(DROPPED_PORT), XDPFW_L4_UDP, 5353 } },
	/* VLAN and QinQ */
	{ "802.1Q TCP 993 allowed", { .vlans = 1, TCP4(993) },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 993 } },
	{ "802.1Q TCP 9999 dropped", { .vlans = 1, TCP4(9999) },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "QinQ 802.1ad+802.1Q TCP 995 allowed", { .vlans = 2, .tpid = ETH_P_8021AD, TCP4(995) },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 995 } },
	{ "double 802.1Q IPv6 UDP 5353 dropped", { .vlans = 2, UDP6(5353) },
	  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 5353 } },
	{ "three VLAN tags: cannot classify, dropped", { .vlans = 3, TCP4(22) },
	  { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "old QinQ tag 0x9100, TCP 23 dropped", { .vlans = 2, .tpid = 0x9100, TCP4(23) },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 23 } },
	{ "old QinQ tag 0x9100, TCP 22 allowed", { .vlans = 1, .tpid = 0x9100, TCP4(22) },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	/* PPPoE sessions: IP inside is judged, link control passes */
	{ "PPPoE IPv4 TCP 23 dropped", { .pppoe = true, TCP4(23) },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 23 } },
	{ "PPPoE IPv4 TCP 22 allowed", { .pppoe = true, TCP4(22) },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "PPPoE IPv6 UDP 5353 dropped", { .pppoe = true, UDP6(5353) },
	  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 5353 } },
	{ "PPPoE in a VLAN, UDP 53 allowed", { .vlans = 1, .pppoe = true, UDP4(53) },
	  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
	{ "PPPoE, compressed protocol field, TCP 23 dropped", { .pppoe = true, .pfc = true, TCP4(23) },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 23 } },
	{ "PPPoE, compressed protocol field, IPv6 TCP 22 allowed",
	  { .pppoe = true, .pfc = true, TCP6(22) }, { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "PPPoE LCP passes", { .pppoe = true, .ppp_proto = 0xc021 },
	  { PASS(PASSED_NONIP), NO_PORT } },
	{ "PPPoE IPCP passes", { .pppoe = true, .ppp_proto = 0x8021 },
	  { PASS(PASSED_NONIP), NO_PORT } },
	{ "PPPoE discovery passes", { .ethertype = 0x8863 }, { PASS(PASSED_NONIP), NO_PORT } },
	/* IPv4 options */
	{ "IPv4 options 4 bytes, TCP 22 allowed", { TCP4(22), .ip_opts = 4 },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "IPv4 options 40 bytes (IHL 15), TCP 9999 dropped", { TCP4(9999), .ip_opts = 40 },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "IPv4 options 40 bytes, UDP 53 allowed", { UDP4(53), .ip_opts = 40 },
	  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
	/* IPv6 extension headers */
	{ "IPv6 hop-by-hop, TCP 22 allowed", { TCP6(22), .ext = { HOP }, .n_ext = 1 },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "IPv6 hop+dst+routing, TCP 9999 dropped",
	  { TCP6(9999), .ext = { HOP, DST, RT }, .n_ext = 3 },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "IPv6 AH, UDP 53 allowed", { UDP6(53), .ext = { AH }, .n_ext = 1 },
	  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
	{ "IPv6 8 extension headers: the limit, still parsed",
	  { TCP6(22), .ext = { HOP, DST, RT, DST, RT, DST, RT, DST }, .n_ext = 8 },
	  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	{ "IPv6 9 extension headers: past the limit, dropped",
	  { TCP6(22), .ext = { HOP, DST, RT, DST, RT, DST, RT, DST, RT }, .n_ext = 9 },
	  { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "IPv6 hop-by-hop after another header is malformed",
	  { TCP6(22), .ext = { DST, HOP }, .n_ext = 2 }, { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "IPv6 two fragment headers are malformed",
	  { UDP6(53), .ext = { FRAG, FRAG }, .n_ext = 2, .v6frag = 1 },
	  { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "IPv6 an atomic fragment header and another are malformed",
	  { TCP6(22), .ext = { FRAG, DST, FRAG }, .n_ext = 3, .v6frag = 0 },
	  { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "IPv6 atomic fragment is judged by its ports",
	  { TCP6(9999), .ext = { FRAG }, .n_ext = 1, .v6frag = 0 },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "ICMPv6 behind a destination options header passes",
	  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128, .ext = { DST }, .n_ext = 1 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	/* Martians: loopback sources on a real interface */
	{ "IPv4 source 127.0.0.1 dropped", { TCP4(22), .loopback_src = true },
	  { DROP(DROPPED_MARTIAN), NO_PORT } },
	{ "IPv6 source ::1 dropped", { TCP6(22), .loopback_src = true },
	  { DROP(DROPPED_MARTIAN), NO_PORT } },
	{ "ICMP from 127.0.0.1 dropped", { .ipver = 4, .proto = IPPROTO_ICMP, .loopback_src = true },
	  { DROP(DROPPED_MARTIAN), NO_PORT } },
	/* Fragments nobody has seen the first of */
	{ "IPv4 later fragment without its first dropped", { TCP4(22), .frag = 100, .ip_id = 7 },
	  { DROP(DROPPED_FRAGMENT), NO_PORT } },
	{ "IPv4 fragment offset 1 of TCP is malformed (RFC 1858)", { TCP4(22), .frag = 1 },
	  { DROP(DROPPED_MALFORMED), NO_PORT } },
	{ "IPv6 later fragment without its first dropped",
	  { UDP6(53), .ext = { FRAG }, .n_ext = 1, .v6frag = 100 << 3 },
	  { DROP(DROPPED_FRAGMENT), NO_PORT } },
};

static void test_default_policy(void **state)
{
	size_t i;

	set_default_policy();
	for (i = 0; i < ARRAY_SIZE(default_cases); i++)
		check_case(&default_cases[i]);
}

/* Policy switches: ICMP off, ICMPv6 off, default pass. */
static void test_policy_flags(void **state)
{
	static const struct tcase icmp_off[] = {
		{ "icmp drop: echo dropped", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp drop: ICMPv6 unaffected", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
		  { PASS(PASSED_ICMP), NO_PORT } },
	};
	static const struct tcase icmp6_off[] = {
		{ "icmp6 drop: echo dropped", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: packet too big dropped",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2 }, { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: router solicitation kept",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 133 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: neighbour solicitation kept",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 135 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: neighbour advertisement kept",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 136 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: redirect kept", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 137 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: type 138 dropped", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 138 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: MLD query kept", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 130 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: MLDv2 report kept", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 143 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: ICMPv4 unaffected", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
		  { PASS(PASSED_ICMP), NO_PORT } },
	};
	static const struct tcase default_pass[] = {
		{ "default pass: TCP 9999 passes", { TCP4(9999) },
		  { PASS(PASSED_DEFAULT), XDPFW_L4_TCP, 9999 } },
		{ "default pass: allowed port still says so", { TCP4(22) },
		  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
		{ "default pass: GRE passes", { .ipver = 4, .proto = 47 },
		  { PASS(PASSED_DEFAULT), NO_PORT } },
		{ "default pass: malformed still dropped", { .vlans = 3, TCP4(22) },
		  { DROP(DROPPED_MALFORMED), NO_PORT } },
		{ "default pass: martian still dropped", { TCP4(22), .loopback_src = true },
		  { DROP(DROPPED_MARTIAN), NO_PORT } },
	};
	size_t i;

	set_policy_text("icmp drop\nallow tcp 22\n");
	for (i = 0; i < ARRAY_SIZE(icmp_off); i++)
		check_case(&icmp_off[i]);
	set_policy_text("icmp6 drop\nallow tcp 22\n");
	for (i = 0; i < ARRAY_SIZE(icmp6_off); i++)
		check_case(&icmp6_off[i]);
	set_policy_text("default pass\nallow tcp 22\n");
	for (i = 0; i < ARRAY_SIZE(default_pass); i++)
		check_case(&default_pass[i]);
}

/* The program follows the active slot only; the inactive one is invisible. */
static void test_policy_slots(void **state)
{
	static const struct tcase before = { "slot 0 allows 22", { TCP4(22) },
					     { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } };
	static const struct tcase after = { "slot 1 does not", { TCP4(22) },
					    { DROP(DROPPED_PORT), XDPFW_L4_TCP, 22 } };
	set_policy_text("allow tcp 22\n");
	write_policy(1, "allow tcp 25\n");
	check_case(&before);
	activate(1);
	check_case(&after);
}

/* Malformed transport and IP headers. */
static void test_malformed(void **state)
{
	static __u8 f[MAX_FRAME];
	static const struct expect bad = { DROP(DROPPED_MALFORMED), NO_PORT };
	struct spec s = { TCP4(22) };
	size_t len, l3;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;

	set_default_policy();
	l3 = l3_off(&s);
	iph = (struct iphdr *)(f + l3);

	len = build(&s, f);
	iph->version = 5;
	check_frame("IPv4 version 5", f, len, &bad);

	len = build(&s, f);
	iph->ihl = 4;
	check_frame("IPv4 IHL 4", f, len, &bad);

	len = build(&s, f);
	iph->tot_len = htons(19);
	check_frame("IPv4 total length below header length", f, len, &bad);

	len = build(&s, f);
	iph->tot_len = htons(ntohs(iph->tot_len) + 1);
	check_frame("IPv4 total length beyond the frame", f, len, &bad);

	len = build(&s, f);
	f[l3 + 20 + 12] = 4 << 4;
	check_frame("TCP data offset 4", f, len, &bad);

	len = build(&s, f);
	f[l3 + 20 + 12] = 6 << 4;
	check_frame("TCP data offset past the datagram", f, len, &bad);

	/* The datagram ends after the IP header; Ethernet padding is not a TCP header. */
	len = build(&s, f);
	iph->tot_len = htons(20);
	check_frame("TCP header only in Ethernet padding", f, len, &bad);

	s = (struct spec){ UDP4(53) };
	len = build(&s, f);
	iph->tot_len = htons(20 + 7);
	check_frame("UDP header 7 bytes", f, len, &bad);

	s = (struct spec){ .ipver = 4, .proto = IPPROTO_ICMP };
	len = build(&s, f);
	iph->tot_len = htons(20 + 7);
	check_frame("ICMP header 7 bytes", f, len, &bad);

	s = (struct spec){ TCP6(22) };
	ip6h = (struct ipv6hdr *)(f + l3);
	len = build(&s, f);
	ip6h->version = 4;
	check_frame("IPv6 version 4", f, len, &bad);

	len = build(&s, f);
	ip6h->payload_len = htons(ntohs(ip6h->payload_len) + 1);
	check_frame("IPv6 payload length beyond the frame", f, len, &bad);

	len = build(&s, f);
	ip6h->payload_len = htons(19);
	check_frame("IPv6 payload shorter than the TCP header", f, len, &bad);

	s = (struct spec){ TCP6(22), .ext = { DST }, .n_ext = 1 };
	len = build(&s, f);
	f[l3 + 40 + 1] = 200; /* destination options of 1608 bytes */
	check_frame("IPv6 extension header longer than the payload", f, len, &bad);

	s = (struct spec){ .ipver = 6, .proto = IPPROTO_ICMPV6 };
	len = build(&s, f);
	ip6h->payload_len = htons(4);
	check_frame("ICMPv6 header 4 bytes", f, len, &bad);
}

/* Every truncation point of a frame is dropped as malformed, never aborted. */
static void check_truncations(const char *what, const struct spec *s)
{
	static const struct expect bad = { DROP(DROPPED_MALFORMED), NO_PORT };
	static __u8 f[MAX_FRAME];
	size_t len = build(s, f), cut;
	char name[96];

	/* BPF_PROG_TEST_RUN refuses XDP frames shorter than an Ethernet header. */
	for (cut = ETH_HLEN; cut < len; cut++) {
		snprintf(name, sizeof(name), "%s cut at %zu of %zu", what, cut, len);
		check_frame(name, f, cut, &bad);
	}
}

static void test_truncations(void **state)
{
	const struct spec v4 = { .vlans = 2, .tpid = ETH_P_8021AD, TCP4(22), .ip_opts = 8 };
	const struct spec v6 = { .vlans = 1, UDP6(53), .ext = { HOP, FRAG, DST }, .n_ext = 3 };
	const struct spec icmp = { .ipver = 4, .proto = IPPROTO_ICMP };
	const struct spec icmp6 = { .ipver = 6, .proto = IPPROTO_ICMPV6, .ext = { AH }, .n_ext = 1 };
	const struct spec pppoe = { .vlans = 1, .tpid = 0x9100, .pppoe = true, TCP4(22) };
	const struct spec pppoe6 = { .pppoe = true, .pfc = true, UDP6(53) };
	static const struct expect nonip = { PASS(PASSED_NONIP), NO_PORT };
	const struct spec arp = { .ethertype = ETH_P_ARP };
	static __u8 f[MAX_FRAME];

	set_default_policy();
	check_truncations("QinQ IPv4+options TCP", &v4);
	check_truncations("VLAN IPv6+hop+frag+dst UDP", &v6);
	check_truncations("IPv4 ICMP", &icmp);
	check_truncations("IPv6 AH ICMPv6", &icmp6);
	check_truncations("0x9100 tag, PPPoE, IPv4 TCP", &pppoe);
	check_truncations("PPPoE compressed, IPv6 UDP", &pppoe6);
	/* A non-IP frame is not parsed past its EtherType: even a bare header passes. */
	build(&arp, f);
	check_frame("ARP with no body", f, ETH_HLEN, &nonip);
}

static void clear_frags(void)
{
	int fd = bpf_map__fd(skel->maps.frags);
	struct xdpfw_frag_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
}

/* A later fragment passes only when the first fragment of its datagram passed. */
static void test_fragments(void **state)
{
	static const struct tcase v4[] = {
		{ "first fragment, TCP 22 allowed", { TCP4(22), .frag = 0x2000, .ip_id = 1 },
		  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
		{ "its later fragment passes, counted under 22",
		  { TCP4(22), .frag = 0x2000 | 3, .ip_id = 1, .payload = 24 },
		  { PASS(PASSED_FRAGMENT), XDPFW_L4_TCP, 22 } },
		{ "its last fragment passes", { TCP4(22), .frag = 6, .ip_id = 1, .payload = 8 },
		  { PASS(PASSED_FRAGMENT), XDPFW_L4_TCP, 22 } },
		{ "same id, other protocol: dropped", { UDP4(22), .frag = 6, .ip_id = 1 },
		  { DROP(DROPPED_FRAGMENT), NO_PORT } },
		{ "other id: dropped", { TCP4(22), .frag = 6, .ip_id = 2 },
		  { DROP(DROPPED_FRAGMENT), NO_PORT } },
		{ "first fragment, TCP 9999 dropped", { TCP4(9999), .frag = 0x2000, .ip_id = 3 },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
		{ "its later fragment dropped", { TCP4(9999), .frag = 6, .ip_id = 3 },
		  { DROP(DROPPED_FRAGMENT), NO_PORT } },
		{ "first fragment of a UDP 53 datagram", { UDP4(53), .frag = 0x2000, .ip_id = 4 },
		  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
		{ "its later fragment passes under udp/53", { UDP4(53), .frag = 2, .ip_id = 4 },
		  { PASS(PASSED_FRAGMENT), XDPFW_L4_UDP, 53 } },
		{ "first fragment of a ping", { .ipver = 4, .proto = IPPROTO_ICMP, .frag = 0x2000, .ip_id = 5 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "its later fragment passes, no port", { .ipver = 4, .proto = IPPROTO_ICMP, .frag = 2, .ip_id = 5 },
		  { PASS(PASSED_FRAGMENT), NO_PORT } },
		{ "first fragment too short for a TCP header", { TCP4(22), .frag = 0x2000, .ip_id = 6 },
		  { DROP(DROPPED_MALFORMED), NO_PORT } },
	};
	static const struct tcase v6[] = {
		{ "IPv6 first fragment, UDP 53 allowed",
		  { UDP6(53), .ext = { FRAG }, .n_ext = 1, .v6frag = 1 },
		  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
		{ "IPv6 later fragment passes",
		  { UDP6(53), .ext = { FRAG }, .n_ext = 1, .v6frag = 2 << 3, .payload = 16 },
		  { PASS(PASSED_FRAGMENT), XDPFW_L4_UDP, 53 } },
		{ "IPv6 first fragment behind hop-by-hop, TCP 22",
		  { TCP6(22), .ext = { HOP, FRAG, DST }, .n_ext = 3, .v6frag = 1 },
		  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	};
	static const struct tcase v6_behind_dst = {
		"its later fragment passes: the key's protocol is the fragment header's next header",
		{ TCP6(22), .ext = { HOP, FRAG, DST }, .n_ext = 3, .v6frag = 4 << 3 },
		{ PASS(PASSED_FRAGMENT), XDPFW_L4_TCP, 22 }
	};
	static const struct tcase v6_later_other_proto = {
		"IPv6 later fragment, same id, other protocol: dropped",
		{ TCP6(53), .ext = { FRAG }, .n_ext = 1, .v6frag = 3 << 3 },
		{ DROP(DROPPED_FRAGMENT), NO_PORT }
	};
	static const struct tcase v6_blocked[] = {
		{ "IPv6 first fragment, UDP 5353 dropped",
		  { UDP6(5353), .ext = { FRAG }, .n_ext = 1, .v6frag = 1 },
		  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 5353 } },
		{ "its later fragment dropped",
		  { UDP6(5353), .ext = { FRAG }, .n_ext = 1, .v6frag = 2 << 3 },
		  { DROP(DROPPED_FRAGMENT), NO_PORT } },
	};
	static __u8 f[MAX_FRAME];
	struct tcase tiny = v4[11];
	size_t i, len;

	set_default_policy();
	clear_frags();
	for (i = 0; i < 11; i++)
		check_case(&v4[i]);
	/* A first fragment carrying only 8 bytes of TCP header. */
	len = build(&tiny.s, f);
	((struct iphdr *)(f + ETH_HLEN))->tot_len = htons(20 + 8);
	check_frame(tiny.name, f, len, &tiny.e);

	check_case(&v6[0]);
	check_case(&v6[1]);
	check_case(&v6_later_other_proto);
	check_case(&v6[2]);
	check_case(&v6_behind_dst);
	/* Every IPv6 case has id 42: start the blocked datagram from an empty table. */
	clear_frags();
	check_case(&v6_blocked[0]);
	check_case(&v6_blocked[1]);
}

/* An entry past its expiry no longer lets fragments in. */
static void test_fragment_expiry(void **state)
{
	static const struct tcase first = { "first", { UDP4(53), .frag = 0x2000, .ip_id = 77 },
					    { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } };
	static const struct tcase later = { "later, expired", { UDP4(53), .frag = 2, .ip_id = 77 },
					    { DROP(DROPPED_FRAGMENT), NO_PORT } };
	int fd = bpf_map__fd(skel->maps.frags);
	struct xdpfw_frag_key k = {}, found;
	struct xdpfw_frag_val v;
	bool seen = false;
	__u64 t0;

	set_default_policy();
	t0 = now_jiffies();
	check_case(&first);
	while (!bpf_map_get_next_key(fd, seen ? &k : NULL, &found)) {
		k = found;
		seen = true;
		if (k.ipver != 4 || k.id != htons(77))
			continue;
		assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
		assert_int_equal(v.port, 53);
		assert_int_equal(v.l4_idx, XDPFW_L4_UDP);
		assert_int_equal(k.proto, IPPROTO_UDP);
		assert_int_equal(k.saddr[0], htonl(0xc6120002));
		/* Remembered for 30 s, Linux's reassembly time. */
		assert_true(v.expires + SLACK_JIFFIES >= t0 + 30 * hz);
		assert_true(v.expires <= now_jiffies() + 30 * hz + SLACK_JIFFIES);
		v.expires = 1; /* long past */
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
		break;
	}
	assert_true(seen);
	check_case(&later);
}

/* Multi-buffer frames (xdp.frags): a 9000-byte jumbo frame is judged and counted whole. */
static void test_jumbo(void **state)
{
	static const struct tcase cases[] = {
		{ "jumbo UDP 53 allowed", { UDP4(53), .payload = 8972 },
		  { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
		{ "jumbo TCP 9999 dropped", { TCP4(9999), .payload = 8960 },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
		{ "jumbo IPv6 TCP 22 allowed", { TCP6(22), .payload = 8940 },
		  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
	};
	static const struct expect bad = { DROP(DROPPED_MALFORMED), NO_PORT };
	static __u8 f[MAX_FRAME];
	struct spec s = cases[0].s;
	size_t i, len;

	set_default_policy();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(build(&cases[i].s, f), 9014);
		check_case(&cases[i]);
	}
	len = build(&s, f);
	check_frame("jumbo frame one byte short of its IP length", f, len - 1, &bad);
}

/* Hand-written frames (golden.h) under the built-in policy. */
static void test_golden_frames(void **state)
{
	static const struct {
		const char *name;
		const __u8 *frame;
		size_t len;
		struct expect e;
	} cases[] = {
#define GOLDEN(f) #f, f, sizeof(f)
		{ GOLDEN(golden_tcp4_syn_22), { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
		{ GOLDEN(golden_tcp4_syn_443), { DROP(DROPPED_PORT), XDPFW_L4_TCP, 443 } },
		{ GOLDEN(golden_udp6_dns), { PASS(PASSED_PORT), XDPFW_L4_UDP, 53 } },
		{ GOLDEN(golden_vlan_arp), { PASS(PASSED_NONIP), NO_PORT } },
		{ GOLDEN(golden_pppoe_tcp4_syn_23), { DROP(DROPPED_PORT), XDPFW_L4_TCP, 23 } },
#undef GOLDEN
	};
	size_t i;

	set_default_policy();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_frame(cases[i].name, cases[i].frame, cases[i].len, &cases[i].e);
}

/*
 * Ports without a slot of their own are counted per port in direct-mapped
 * buckets: the first port to reach a bucket holds it; a port whose bucket
 * is held counts in its protocol's catch-all slot only (check_frame checks
 * both, against the bucket as it was before the frame).
 */
static void test_closed_buckets(void **state)
{
	__u32 first = 1 + (XDPFW_L4_TCP << 16 | 1000), b = xdpfw_closed_bucket(first), other, idx;
	struct xdpfw_closed_port v[1024];
	unsigned int port;

	set_policy_text("allow tcp 22\n");
	for (port = 1001; xdpfw_closed_bucket(1 + (XDPFW_L4_TCP << 16 | port)) != b; port++)
		;
	other = 1 + (XDPFW_L4_TCP << 16 | port);
	check_case(&(struct tcase){ "port 1000 takes its bucket", { TCP4(1000) },
				    { DROP(DROPPED_PORT), XDPFW_L4_TCP, 1000 } });
	check_case(&(struct tcase){ "a colliding port: the catch-all only", { TCP4(port) },
				    { DROP(DROPPED_PORT), XDPFW_L4_TCP, port } });
	check_case(&(struct tcase){ "port 1000 again", { TCP6(1000) },
				    { DROP(DROPPED_PORT), XDPFW_L4_TCP, 1000 } });
	check_case(&(struct tcase){ "UDP 1000: another key", { UDP4(1000) },
				    { DROP(DROPPED_PORT), XDPFW_L4_UDP, 1000 } });
	check_case(&(struct tcase){ "an open port: its own slot, no bucket", { TCP4(22) },
				    { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } });
	idx = b;
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.closed_ports), &idx, v), 0);
	for (idx = 0; idx < (__u32)ncpu; idx++)
		assert_true(v[idx].key != other);
}

struct records {
	struct xdpfw_log_record r[8];
	unsigned int n;
};

static int keep_record(void *ctx, void *data, size_t len)
{
	struct records *rs = ctx;

	assert_int_equal(len, sizeof(struct xdpfw_log_record));
	if (rs->n < ARRAY_SIZE(rs->r))
		memcpy(&rs->r[rs->n], data, len);
	rs->n++;
	return 0;
}

static void log_counters(__u64 out[XDPFW_LOG_COUNTER_MAX])
{
	struct xdpfw_log_state sum;

	assert_int_equal(map_percpu_read(bpf_map__fd(skel->maps.log_state), 0, U64_FIELDS(sum),
					 (__u64 *)&sum),
			 0);
	memcpy(out, sum.counter, sizeof(sum.counter));
}

/* K drops under the budget: K records, each saying what was dropped; passes: none. */
static void test_drop_log_records(void **state)
{
	const struct spec tcp = { TCP4(25), .sport = 40001, .tcp_flags = SYN };
	const struct spec udp6 = { UDP6(9999), .sport = 40002 };
	const struct spec ping = { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 };
	const struct spec ok = { TCP4(22) };
	const struct spec later = { UDP4(53), .frag = 100, .ip_id = 9 };
	const struct spec martian = { TCP4(22), .loopback_src = true };
	struct records rs = {};
	struct ring_buffer *rb;
	static __u8 f[MAX_FRAME];
	__u64 c[XDPFW_LOG_COUNTER_MAX];
	__u32 a6[4];
	size_t len;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.drop_log), keep_record, &rs, NULL);
	assert_non_null(rb);
	ring_buffer__consume(rb); /* what earlier tests dropped */
	rs.n = 0;
	set_policy_text("log-rate 1000\nicmp drop\nallow tcp 22\n");
	len = build(&tcp, f);
	assert_int_equal(run(f, len), XDP_DROP);
	assert_int_equal(run(f, build(&ok, f)), XDP_PASS);
	assert_int_equal(run(f, build(&udp6, f)), XDP_DROP);
	assert_int_equal(run(f, build(&ping, f)), XDP_DROP);
	assert_int_equal(run(f, build(&later, f)), XDP_DROP);
	assert_int_equal(run(f, build(&martian, f)), XDP_DROP);
	assert_int_equal(ring_buffer__consume(rb), 5);
	assert_int_equal(rs.n, 5);
	log_counters(c);
	assert_int_equal(c[XDPFW_LOG_SENT], 5);
	assert_int_equal(c[XDPFW_LOG_SUPPRESSED], 0);
	assert_int_equal(c[XDPFW_LOG_LOST], 0);

	assert_int_equal(rs.r[0].reason, XDPFW_REASON_DROPPED_PORT);
	assert_int_equal(rs.r[0].ipver, 4);
	assert_int_equal(rs.r[0].proto, IPPROTO_TCP);
	assert_int_equal(rs.r[0].saddr[0], htonl(0xc6120002));
	assert_int_equal(rs.r[0].daddr[0], htonl(0xc6120001));
	assert_int_equal(ntohs(rs.r[0].sport), 40001);
	assert_int_equal(ntohs(rs.r[0].dport), 25);
	assert_int_equal(rs.r[0].tcp_flags, SYN);
	assert_int_equal(rs.r[0].len, len);
	assert_true(rs.r[0].ktime > 0);

	inet_pton(AF_INET6, "2001:db8::2", a6);
	assert_int_equal(rs.r[1].ipver, 6);
	assert_int_equal(rs.r[1].proto, IPPROTO_UDP);
	assert_memory_equal(rs.r[1].saddr, a6, sizeof(a6));
	assert_int_equal(ntohs(rs.r[1].sport), 40002);
	assert_int_equal(ntohs(rs.r[1].dport), 9999);
	assert_int_equal(rs.r[1].tcp_flags, 0);

	assert_int_equal(rs.r[2].reason, XDPFW_REASON_DROPPED_ICMP);
	assert_int_equal(rs.r[2].proto, IPPROTO_ICMP);
	assert_int_equal(rs.r[2].icmp_type, 8);
	assert_true(rs.r[2].ktime >= rs.r[0].ktime);

	/* A later fragment: addresses from its fragment key, no ports (they are in the first). */
	assert_int_equal(rs.r[3].reason, XDPFW_REASON_DROPPED_FRAGMENT);
	assert_int_equal(rs.r[3].ipver, 4);
	assert_int_equal(rs.r[3].proto, IPPROTO_UDP);
	assert_int_equal(rs.r[3].saddr[0], htonl(0xc6120002));
	assert_int_equal(rs.r[3].daddr[0], htonl(0xc6120001));
	assert_int_equal(rs.r[3].dport, 0);
	/* A loopback source: who claims it is in the record. */
	assert_int_equal(rs.r[4].reason, XDPFW_REASON_DROPPED_MARTIAN);
	assert_int_equal(rs.r[4].saddr[0], htonl(0x7f000001));
	assert_int_equal(ntohs(rs.r[4].dport), 22);
	ring_buffer__free(rb);
}

/* A flood past the budget: one record, and every other drop counted as suppressed. */
static void test_drop_log_budget(void **state)
{
	const struct spec tcp = { TCP4(25) };
	struct records rs = {};
	struct ring_buffer *rb;
	static __u8 f[MAX_FRAME];
	__u64 c[XDPFW_LOG_COUNTER_MAX], t0;
	size_t len = build(&tcp, f);
	int i;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.drop_log), keep_record, &rs, NULL);
	assert_non_null(rb);
	ring_buffer__consume(rb);
	rs.n = 0;
	/* 1 a second over the CPUs: the CPU's bucket holds one record, refills in seconds. */
	set_policy_text("log-rate 1\n");
	t0 = now_jiffies();
	for (i = 0; i < 1000; i++)
		assert_int_equal(run(f, len), XDP_DROP);
	ring_buffer__consume(rb);
	log_counters(c);
	if (now_jiffies() - t0 < hz / 2) /* else a refill may have come: the sums still hold */
		assert_int_equal(rs.n, 1);
	assert_int_equal(c[XDPFW_LOG_SENT], rs.n);
	assert_int_equal(c[XDPFW_LOG_SENT] + c[XDPFW_LOG_SUPPRESSED] + c[XDPFW_LOG_LOST], 1000);
	assert_int_equal(c[XDPFW_LOG_LOST], 0);

	/* log-rate 0: nothing is logged, everything counted. */
	set_policy_text("log-rate 0\n");
	for (i = 0; i < 10; i++)
		assert_int_equal(run(f, len), XDP_DROP);
	log_counters(c);
	assert_int_equal(c[XDPFW_LOG_SENT], 0);
	assert_int_equal(c[XDPFW_LOG_SUPPRESSED], 10);
	ring_buffer__free(rb);
}

/* Within the budget but nobody reading: the ring fills, the rest is counted as lost. */
static void test_drop_log_ring_full(void **state)
{
	/*
	 * A record takes its size and an 8-byte header, rounded up to 8 bytes;
	 * the kernel keeps the ring one byte short of full.
	 */
	const unsigned int fits =
		(XDPFW_LOG_RING_BYTES - 1) / ((sizeof(struct xdpfw_log_record) + 8 + 7) & ~7);
	const struct spec tcp = { TCP4(25) };
	struct records rs = {};
	struct ring_buffer *rb;
	static __u8 f[MAX_FRAME];
	__u64 c[XDPFW_LOG_COUNTER_MAX];
	size_t len = build(&tcp, f);
	unsigned int i;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.drop_log), keep_record, &rs, NULL);
	assert_non_null(rb);
	ring_buffer__consume(rb);
	rs.n = 0;
	set_policy_text("log-rate 100000\n");
	for (i = 0; i < fits + 100; i++)
		assert_int_equal(run(f, len), XDP_DROP);
	log_counters(c);
	assert_int_equal(c[XDPFW_LOG_SENT], fits);
	assert_int_equal(c[XDPFW_LOG_LOST], 100);
	assert_int_equal(c[XDPFW_LOG_SUPPRESSED], 0);
	assert_int_equal(ring_buffer__consume(rb), fits);
	ring_buffer__free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy),	cmocka_unit_test(test_policy_flags),
		cmocka_unit_test(test_policy_slots),	cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncations),	cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragment_expiry), cmocka_unit_test(test_jumbo),
		cmocka_unit_test(test_golden_frames),	cmocka_unit_test(test_closed_buckets),
		cmocka_unit_test(test_drop_log_records), cmocka_unit_test(test_drop_log_budget),
		cmocka_unit_test(test_drop_log_ring_full),
	};

	return cmocka_run_group_tests_name("xdp program (BPF_PROG_TEST_RUN)", tests,
					   harness_setup, harness_teardown);
}
