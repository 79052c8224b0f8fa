// SPDX-License-Identifier: GPL-2.0
/*
 * The real compiled XDP program (from the skeleton) run with
 * bpf_prog_test_run_opts on crafted frames. Every case asserts the verdict
 * and the exact counter deltas: one packet and its frame length under the
 * expected reason, nothing under any other, and the per-port counters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "clock.h"
#include "packet.h"
#include "policy.h"
#include "stats.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

#define NO_PORT -1

struct expect {
	int verdict;
	enum xdpfw_reason reason;
	int l4;		/* counted under (l4, port); NO_PORT when not */
	__u16 port;
};

struct tcase {
	const char *name;
	struct spec s;
	struct expect e;
};

struct counters {
	struct xdpfw_reason_stats reasons[XDPFW_REASON_MAX];
	struct xdpfw_port_stats total; /* all ports summed */
	struct xdpfw_port_stats port;  /* the expected port */
};

static struct xdpfw_bpf *skel;
static int ncpu;
static __u32 hz; /* the kernel's, as the loader measures it */

/* Flow times are jiffies: one tick either side covers the test run's own time. */
#define SLACK_JIFFIES 1

static __u64 now_jiffies(void)
{
	__u64 j;

	assert_int_equal(clock_jiffies(&j), 0);
	return j;
}

static void sum_port(const struct xdpfw_port_stats *v, struct xdpfw_port_stats *out)
{
	int c;

	memset(out, 0, sizeof(*out));
	for (c = 0; c < ncpu; c++) {
		out->passed_packets += v[c].passed_packets;
		out->passed_bytes += v[c].passed_bytes;
		out->dropped_packets += v[c].dropped_packets;
		out->dropped_bytes += v[c].dropped_bytes;
	}
}

static void read_counters(int l4, __u16 port, struct counters *c)
{
	static struct xdpfw_port_stats vals[1024 * 64];
	struct xdpfw_port_stats one;
	__u32 keys[1024], in, out, n, i;
	void *cursor = NULL;
	int fd, err;
	__u32 k;

	memset(c, 0, sizeof(*c));
	fd = bpf_map__fd(skel->maps.reason_stats);
	for (k = 0; k < XDPFW_REASON_MAX; k++) {
		struct xdpfw_reason_stats v[ncpu];

		assert_int_equal(bpf_map_lookup_elem(fd, &k, v), 0);
		for (i = 0; i < (__u32)ncpu; i++) {
			c->reasons[k].packets += v[i].packets;
			c->reasons[k].bytes += v[i].bytes;
		}
	}
	fd = bpf_map__fd(skel->maps.port_stats);
	for (;;) {
		n = sizeof(vals) / sizeof(vals[0]) / ncpu;
		if (n > 1024)
			n = 1024;
		err = bpf_map_lookup_batch(fd, cursor, &out, keys, vals, &n, NULL);
		assert_true(err == 0 || err == -ENOENT);
		for (i = 0; i < n; i++) {
			sum_port(&vals[i * ncpu], &one);
			c->total.passed_packets += one.passed_packets;
			c->total.passed_bytes += one.passed_bytes;
			c->total.dropped_packets += one.dropped_packets;
			c->total.dropped_bytes += one.dropped_bytes;
			if (l4 != NO_PORT && keys[i] == (__u32)l4 * XDPFW_PORTS + port)
				c->port = one;
		}
		if (err == -ENOENT)
			break;
		in = out;
		cursor = &in;
	}
}

static void set_policy_text(const char *text)
{
	struct xdpfw_config cfg = { .active_slot = 0 };
	struct policy_error perr;
	struct policy pol;
	__u32 slot = 0;

	assert_int_equal(policy_parse(&pol, text, strlen(text), "test", &perr), 0);
	pol.bpf.hz = hz;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.policy), &slot, &pol.bpf, 0),
			 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &slot, &cfg, 0), 0);
}

static void set_default_policy(void)
{
	set_policy_text(xdpfw_default_policy);
}

static int run(const __u8 *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_xdp), &opts), 0);
	return opts.retval;
}

/* Runs one frame and checks verdict and every counter delta. */
static void check_frame(const char *name, const __u8 *frame, size_t len, const struct expect *e)
{
	struct counters before, after;
	int verdict, r;
	bool passed = e->verdict == XDP_PASS;

	read_counters(e->l4, e->port, &before);
	verdict = run(frame, len);
	read_counters(e->l4, e->port, &after);

	if (verdict != e->verdict)
		fail_msg("%s: verdict %d, expected %d", name, verdict, e->verdict);
	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		__u64 dp = after.reasons[r].packets - before.reasons[r].packets;
		__u64 db = after.reasons[r].bytes - before.reasons[r].bytes;
		__u64 want = r == (int)e->reason;

		if (dp != want || db != want * len)
			fail_msg("%s: reason %s counted %llu packets/%llu bytes, expected %llu/%llu",
				 name, reason_name(r), (unsigned long long)dp,
				 (unsigned long long)db, (unsigned long long)want,
				 (unsigned long long)(want * len));
	}
	if (e->l4 == NO_PORT) {
		if (memcmp(&before.total, &after.total, sizeof(before.total)))
			fail_msg("%s: a port counter moved, expected none", name);
		return;
	}
	if (after.port.passed_packets - before.port.passed_packets != passed ||
	    after.port.passed_bytes - before.port.passed_bytes != passed * len ||
	    after.port.dropped_packets - before.port.dropped_packets != !passed ||
	    after.port.dropped_bytes - before.port.dropped_bytes != !passed * len)
		fail_msg("%s: port %s/%u counters wrong", name, policy_l4_name(e->l4), e->port);
	if (after.total.passed_packets + after.total.dropped_packets !=
	    before.total.passed_packets + before.total.dropped_packets + 1)
		fail_msg("%s: more than one port counter moved", name);
}

static void check_case(const struct tcase *t)
{
	static __u8 frame[MAX_FRAME];
	size_t len = build(&t->s, frame);

	check_frame(t->name, frame, len, &t->e);
}

#define PASS(reason) XDP_PASS, XDPFW_REASON_##reason
#define DROP(reason) XDP_DROP, XDPFW_REASON_##reason

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
	{ "ICMP echo passes", { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	{ "ICMPv6 echo passes", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	{ "GRE gets the default verdict", { .l3 = 4, .proto = 47 },
	  { DROP(DROPPED_PROTO), NO_PORT } },
	{ "ESP over IPv6 gets the default verdict", { .l3 = 6, .proto = 50, .payload = 16 },
	  { DROP(DROPPED_PROTO), NO_PORT } },
	{ "IPv6 no-next-header gets the default verdict", { .l3 = 6, .proto = 59 },
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
	{ "IPv6 atomic fragment is judged by its ports",
	  { TCP6(9999), .ext = { FRAG }, .n_ext = 1, .v6frag = 0 },
	  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 9999 } },
	{ "ICMPv6 behind a destination options header passes",
	  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128, .ext = { DST }, .n_ext = 1 },
	  { PASS(PASSED_ICMP), NO_PORT } },
	/* Martians: loopback sources on a real interface */
	{ "IPv4 source 127.0.0.1 dropped", { TCP4(22), .loopback_src = true },
	  { DROP(DROPPED_MARTIAN), NO_PORT } },
	{ "IPv6 source ::1 dropped", { TCP6(22), .loopback_src = true },
	  { DROP(DROPPED_MARTIAN), NO_PORT } },
	{ "ICMP from 127.0.0.1 dropped", { .l3 = 4, .proto = IPPROTO_ICMP, .loopback_src = true },
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
	for (i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++)
		check_case(&default_cases[i]);
}

/* Policy switches: ICMP off, ICMPv6 off, default pass. */
static void test_policy_flags(void **state)
{
	static const struct tcase icmp_off[] = {
		{ "icmp drop: echo dropped", { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp drop: ICMPv6 unaffected", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
		  { PASS(PASSED_ICMP), NO_PORT } },
	};
	static const struct tcase icmp6_off[] = {
		{ "icmp6 drop: echo dropped", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: packet too big dropped",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2 }, { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: router solicitation kept",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 133 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: neighbour solicitation kept",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 135 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: neighbour advertisement kept",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 136 }, { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: redirect kept", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 137 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: type 138 dropped", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 138 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "icmp6 drop: MLD query kept", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 130 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: MLDv2 report kept", { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 143 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "icmp6 drop: ICMPv4 unaffected", { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 },
		  { PASS(PASSED_ICMP), NO_PORT } },
	};
	static const struct tcase default_pass[] = {
		{ "default pass: TCP 9999 passes", { TCP4(9999) },
		  { PASS(PASSED_DEFAULT), XDPFW_L4_TCP, 9999 } },
		{ "default pass: allowed port still says so", { TCP4(22) },
		  { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } },
		{ "default pass: GRE passes", { .l3 = 4, .proto = 47 },
		  { PASS(PASSED_DEFAULT), NO_PORT } },
		{ "default pass: malformed still dropped", { .vlans = 3, TCP4(22) },
		  { DROP(DROPPED_MALFORMED), NO_PORT } },
		{ "default pass: martian still dropped", { TCP4(22), .loopback_src = true },
		  { DROP(DROPPED_MARTIAN), NO_PORT } },
	};
	size_t i;

	set_policy_text("icmp drop\nallow tcp 22\n");
	for (i = 0; i < sizeof(icmp_off) / sizeof(icmp_off[0]); i++)
		check_case(&icmp_off[i]);
	set_policy_text("icmp6 drop\nallow tcp 22\n");
	for (i = 0; i < sizeof(icmp6_off) / sizeof(icmp6_off[0]); i++)
		check_case(&icmp6_off[i]);
	set_policy_text("default pass\nallow tcp 22\n");
	for (i = 0; i < sizeof(default_pass) / sizeof(default_pass[0]); i++)
		check_case(&default_pass[i]);
}

/* The program follows the active slot only; the inactive one is invisible. */
static void test_policy_slots(void **state)
{
	static const struct tcase before = { "slot 0 allows 22", { TCP4(22) },
					     { PASS(PASSED_PORT), XDPFW_L4_TCP, 22 } };
	static const struct tcase after = { "slot 1 does not", { TCP4(22) },
					    { DROP(DROPPED_PORT), XDPFW_L4_TCP, 22 } };
	struct xdpfw_config cfg = { .active_slot = 1 };
	struct policy_error perr;
	struct policy pol;
	__u32 slot = 1, zero = 0;

	set_policy_text("allow tcp 22\n");
	assert_int_equal(policy_parse(&pol, "allow tcp 25\n", 13, "t", &perr), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.policy), &slot, &pol.bpf, 0),
			 0);
	check_case(&before);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, 0), 0);
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

	s = (struct spec){ .l3 = 4, .proto = IPPROTO_ICMP };
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

	s = (struct spec){ .l3 = 6, .proto = IPPROTO_ICMPV6 };
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
	const struct spec icmp = { .l3 = 4, .proto = IPPROTO_ICMP };
	const struct spec icmp6 = { .l3 = 6, .proto = IPPROTO_ICMPV6, .ext = { AH }, .n_ext = 1 };
	static const struct expect nonip = { PASS(PASSED_NONIP), NO_PORT };
	const struct spec arp = { .ethertype = ETH_P_ARP };
	static __u8 f[MAX_FRAME];

	set_default_policy();
	check_truncations("QinQ IPv4+options TCP", &v4);
	check_truncations("VLAN IPv6+hop+frag+dst UDP", &v6);
	check_truncations("IPv4 ICMP", &icmp);
	check_truncations("IPv6 AH ICMPv6", &icmp6);
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
		{ "first fragment of a ping", { .l3 = 4, .proto = IPPROTO_ICMP, .frag = 0x2000, .ip_id = 5 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "its later fragment passes, no port", { .l3 = 4, .proto = IPPROTO_ICMP, .frag = 2, .ip_id = 5 },
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
		if (k.l3 != 4 || k.id != htons(77))
			continue;
		assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
		assert_int_equal(v.port, 53);
		assert_int_equal(v.l4, XDPFW_L4_UDP);
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
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(build(&cases[i].s, f), 9014);
		check_case(&cases[i]);
	}
	len = build(&s, f);
	check_frame("jumbo frame one byte short of its IP length", f, len - 1, &bad);
}

/* ---- connection tracking: the tc egress program and the XDP program together ---- */


/* Runs a packet the host sends through the egress program. */
static void egress(const struct spec *s)
{
	static __u8 f[MAX_FRAME];
	size_t len = build(s, f);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_egress), &opts),
			 0);
	assert_int_equal(opts.retval, 0 /* TC_ACT_OK: egress is never dropped */);
}

/* The key of the flow an outbound spec belongs to. */
static struct xdpfw_ct_key ct_key_of(const struct spec *s)
{
	struct xdpfw_ct_key k = { .proto = s->proto, .l3 = s->l3 };
	__u8 remote = s->remote ? s->remote : 2;

	if (s->l3 == 4) {
		k.local[0] = htonl(0xc6120001);
		k.remote[0] = htonl(0xc6120000 | remote);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", k.local);
		inet_pton(AF_INET6, "2001:db8::2", k.remote);
		((__u8 *)k.remote)[15] = remote;
	}
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
		k.lport = htons(s->icmp_id);
	} else {
		k.lport = htons(s->sport ? s->sport : 40000);
		k.rport = htons(s->dport);
	}
	return k;
}

static bool ct_get(const struct spec *out, struct xdpfw_ct_val *v)
{
	struct xdpfw_ct_key k = ct_key_of(out);

	return !bpf_map_lookup_elem(bpf_map__fd(skel->maps.conntrack), &k, v);
}

static __u64 ct_counter(enum xdpfw_ct_counter which)
{
	__u64 v[ncpu], sum = 0;
	__u32 k = which;
	int i;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ct_stats), &k, v), 0);
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static unsigned int ct_entries(void)
{
	int fd = bpf_map__fd(skel->maps.conntrack);
	struct xdpfw_ct_key k, next;
	unsigned int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static void clear_ct(void)
{
	int fd = bpf_map__fd(skel->maps.conntrack);
	struct xdpfw_ct_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
}

/* The entry of `out` has this state and expires `secs` after a moment in [t0, now]. */
static void check_entry(const char *what, const struct spec *out, __u8 state, __u64 secs,
			__u64 t0)
{
	struct xdpfw_ct_val v;
	__u64 t1 = now_jiffies();

	if (!ct_get(out, &v))
		fail_msg("%s: no flow entry", what);
	if (v.state != state)
		fail_msg("%s: state %u, expected %u", what, v.state, state);
	if (v.expires + SLACK_JIFFIES < t0 + secs * hz || v.expires > t1 + secs * hz + SLACK_JIFFIES)
		fail_msg("%s: expires %lld jiffies from now, expected %llu s at HZ %u", what,
			 (long long)v.expires - (long long)t1, (unsigned long long)secs, hz);
}

static const char ct_policy[] = "allow tcp 22\n"
				"timeout tcp-syn-sent 7\ntimeout tcp-established 11\n"
				"timeout tcp-fin 5\ntimeout tcp-close 3\n"
				"timeout udp 1\ntimeout udp-stream 4\ntimeout icmp 6\n";

/* SYN out, SYN-ACK in, ACK out; spoofed replies; FIN and RST both ways. */
static void test_ct_tcp(void **state)
{
	const struct spec syn = { TCP4(9999), .out = true, .tcp_flags = SYN };
	const struct spec ack = { TCP4(9999), .out = true, .tcp_flags = ACK };
	const struct tcase replies[] = {
		{ "SYN-ACK of the tracked flow passes", { TCP4(40000), .sport = 9999, .tcp_flags = SYN | ACK },
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 40000 } },
		{ "wrong remote port: dropped", { TCP4(40000), .sport = 9998, .tcp_flags = SYN | ACK },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 40000 } },
		{ "wrong remote address: dropped",
		  { TCP4(40000), .sport = 9999, .remote = 3, .tcp_flags = SYN | ACK },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 40000 } },
		{ "UDP on the same ports: dropped", { UDP4(40000), .sport = 9999 },
		  { DROP(DROPPED_PORT), XDPFW_L4_UDP, 40000 } },
		{ "IPv6 on the same ports: dropped", { TCP6(40000), .sport = 9999, .tcp_flags = ACK },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 40000 } },
	};
	const struct tcase data_in = { "inbound data passes", { TCP4(40000), .sport = 9999, .tcp_flags = ACK },
				       { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 40000 } };
	const struct tcase fin_in = { "inbound FIN passes", { TCP4(40000), .sport = 9999, .tcp_flags = FIN | ACK },
				      { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 40000 } };
	const struct tcase rst_in = { "inbound RST passes", { TCP4(40000), .sport = 9999, .tcp_flags = RST },
				      { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 40000 } };
	struct xdpfw_ct_val before, after;
	__u64 t0, inserts, refreshes, closes;
	size_t i;

	set_policy_text(ct_policy);
	clear_ct();
	inserts = ct_counter(XDPFW_CT_INSERTS);
	t0 = now_jiffies();
	egress(&syn);
	check_entry("after SYN out", &syn, XDPFW_CT_SYN_SENT, 7, t0);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts + 1);
	assert_int_equal(ct_entries(), 1);
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		check_case(&replies[i]);
	assert_int_equal(ct_entries(), 1); /* inbound packets never create */

	refreshes = ct_counter(XDPFW_CT_REFRESHES);
	t0 = now_jiffies();
	egress(&ack);
	check_entry("after ACK out", &ack, XDPFW_CT_ESTABLISHED, 11, t0);
	assert_int_equal(ct_counter(XDPFW_CT_REFRESHES), refreshes + 1);
	/* Within a second, further packets out do not write the entry again. */
	for (i = 0; i < 50; i++)
		egress(&ack);
	assert_int_equal(ct_counter(XDPFW_CT_REFRESHES), refreshes + 1);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts + 1);

	/* Inbound data neither writes nor extends the entry. */
	assert_true(ct_get(&ack, &before));
	check_case(&data_in);
	assert_true(ct_get(&ack, &after));
	assert_memory_equal(&before, &after, sizeof(before));

	closes = ct_counter(XDPFW_CT_CLOSES);
	t0 = now_jiffies();
	check_case(&fin_in);
	check_entry("after FIN in", &ack, XDPFW_CT_FIN, 5, t0);
	assert_int_equal(ct_counter(XDPFW_CT_CLOSES), closes + 1);
	t0 = now_jiffies();
	check_case(&rst_in);
	check_entry("after RST in", &ack, XDPFW_CT_CLOSE, 3, t0);
	assert_true(ct_get(&ack, &after));
	assert_int_equal(after.flags & XDPFW_CT_F_RST_IN, XDPFW_CT_F_RST_IN);
	/* Data out after an inbound RST: the host's stack did not take it. */
	t0 = now_jiffies();
	egress(&ack);
	check_entry("data out after an inbound RST", &ack, XDPFW_CT_ESTABLISHED, 11, t0);
	/* The host's own RST closes for good: later ACKs out do not revive it. */
	egress(&(struct spec){ TCP4(9999), .out = true, .tcp_flags = RST });
	egress(&ack);
	check_entry("ACK out after RST out", &ack, XDPFW_CT_CLOSE, 3, t0);
}

/* Entries inbound traffic could cause: none. */
static void test_ct_flood(void **state)
{
	const struct spec synack_out = { TCP4(40022), .sport = 22, .out = true, .tcp_flags = SYN | ACK };
	const struct spec data_out = { TCP4(40022), .sport = 22, .out = true, .tcp_flags = ACK };
	static __u8 f[MAX_FRAME];
	struct xdpfw_ct_val v;
	__u64 inserts;
	int port;

	set_policy_text(ct_policy);
	clear_ct();
	inserts = ct_counter(XDPFW_CT_INSERTS);
	for (port = 1000; port < 1200; port++) {
		struct spec syn = { TCP4(port), .sport = 50000 + port };

		build(&syn, f);
		assert_int_equal(run(f, build(&syn, f)), XDP_DROP);
	}
	/* The host answering a SYN to an open port does not create an entry... */
	egress(&synack_out);
	assert_int_equal(ct_entries(), 0);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts);
	/* ...its first data or ACK of an established connection does. */
	egress(&data_out);
	assert_true(ct_get(&data_out, &v));
	assert_int_equal(v.state, XDPFW_CT_ESTABLISHED);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts + 1);
}

/* UDP: a reply passes until the timeout; a replied flow lives longer once refreshed. */
static void test_ct_udp(void **state)
{
	const struct spec out = { UDP4(5353), .out = true };
	const struct tcase reply = { "UDP reply passes", { UDP4(40000), .sport = 5353 },
				     { PASS(PASSED_ESTABLISHED), XDPFW_L4_UDP, 40000 } };
	const struct tcase late = { "late UDP reply dropped", { UDP4(40000), .sport = 5353 },
				    { DROP(DROPPED_PORT), XDPFW_L4_UDP, 40000 } };
	struct xdpfw_ct_val v;
	__u64 t0;

	set_policy_text(ct_policy);
	clear_ct();
	t0 = now_jiffies();
	egress(&out);
	check_entry("UDP out", &out, XDPFW_CT_ESTABLISHED, 1, t0);
	check_case(&reply);
	assert_true(ct_get(&out, &v));
	assert_int_equal(v.flags & XDPFW_CT_F_REPLIED, XDPFW_CT_F_REPLIED);
	usleep(1100000);
	check_case(&late);
	/* Out again: the flow was answered, so it gets the stream timeout. */
	t0 = now_jiffies();
	egress(&out);
	check_entry("UDP out after a reply", &out, XDPFW_CT_ESTABLISHED, 4, t0);
	check_case(&reply);
}

/* ICMP echo: the reply with the request's id passes, even with ICMP dropped. */
static void test_ct_icmp_echo(void **state)
{
	const struct spec ping = { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 0x1234, .out = true };
	const struct spec ping6 = { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128, .icmp_id = 0x77, .out = true };
	const struct tcase cases[] = {
		{ "echo reply, same id: established",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 0, .icmp_id = 0x1234 },
		  { PASS(PASSED_ESTABLISHED), NO_PORT } },
		{ "echo reply, other id: ICMP policy", { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 0, .icmp_id = 0x4321 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "echo request with the id: ICMP policy", { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 0x1234 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "ICMPv6 echo reply, same id: established",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 129, .icmp_id = 0x77 },
		  { PASS(PASSED_ESTABLISHED), NO_PORT } },
		{ "ICMPv6 echo reply, other id: ICMPv6 policy",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 129, .icmp_id = 0x78 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
	};
	__u64 t0;
	size_t i;

	set_policy_text("icmp drop\nicmp6 drop\ntimeout icmp 6\n");
	clear_ct();
	t0 = now_jiffies();
	egress(&ping);
	egress(&ping6);
	check_entry("ping out", &ping, XDPFW_CT_ESTABLISHED, 6, t0);
	check_entry("ping6 out", &ping6, XDPFW_CT_ESTABLISHED, 6, t0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* RELATED: ICMP errors quoting a tracked flow pass even with ICMP dropped. */
static void test_ct_related(void **state)
{
	static const struct spec udp_out = { UDP4(5353), .out = true };
	static const struct spec udp_other = { UDP4(5354), .out = true };
	static const struct spec tcp6_out = { TCP6(9999), .out = true, .tcp_flags = SYN };
	static const struct spec tcp6_other = { TCP6(9999), .sport = 40001, .out = true, .tcp_flags = SYN };
	static const struct spec ping_out = { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 9, .out = true };
	const struct tcase cases[] = {
		{ "port unreachable about a tracked UDP flow",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &udp_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "port unreachable about an untracked flow: ICMP policy",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &udp_other },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "time exceeded about a tracked ping",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 11, .quote = &ping_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "echo request quoting a tracked flow is no error: ICMP policy",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .quote = &udp_out },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "packet too big about a tracked TCP flow",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .quote = &tcp6_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "IPv6 unreachable about an untracked flow: ICMPv6 policy",
		  { .l3 = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 1, .quote = &tcp6_other },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "ICMP error quoting nothing at all: ICMP policy",
		  { .l3 = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .payload = 4 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
	};
	size_t i;

	set_policy_text("icmp drop\nicmp6 drop\n");
	clear_ct();
	egress(&udp_out);
	egress(&tcp6_out);
	egress(&ping_out);
	assert_int_equal(ct_entries(), 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* IPv6 and VLAN-tagged flows, and the port bitmap that gates the lookup. */
static void test_ct_ipv6_vlan_ports(void **state)
{
	const struct spec out6 = { .vlans = 1, TCP6(443), .sport = 41000, .out = true, .tcp_flags = SYN };
	const struct tcase in6 = { "IPv6 SYN-ACK through QinQ",
				   { .vlans = 2, .tpid = ETH_P_8021AD, TCP6(41000), .sport = 443,
				     .tcp_flags = SYN | ACK },
				   { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 41000 } };
	const struct spec hidden = { TCP4(443), .sport = 42000, .out = true };
	const struct tcase in_hidden = { "tracked, but its port bit unset: not looked up",
					 { TCP4(42000), .sport = 443, .tcp_flags = ACK },
					 { DROP(DROPPED_PORT), XDPFW_L4_TCP, 42000 } };
	struct xdpfw_ct_key k = ct_key_of(&hidden);
	struct xdpfw_ct_val v = { .expires = now_jiffies() + 60 * hz, .state = XDPFW_CT_ESTABLISHED };
	struct xdpfw_ct_ports ports;
	__u32 zero = 0;

	set_policy_text(ct_policy);
	clear_ct();
	egress(&out6);
	check_case(&in6);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ct_ports), &zero, &ports), 0);
	assert_true(ports.ports[XDPFW_L4_TCP][41000 / 64] & (1ULL << (41000 % 64)));
	assert_false(ports.ports[XDPFW_L4_UDP][41000 / 64] & (1ULL << (41000 % 64)));
	assert_false(ports.ports[XDPFW_L4_TCP][42000 / 64] & (1ULL << (42000 % 64)));
	/* An entry written behind the bitmap's back is never consulted. */
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.conntrack), &k, &v, 0), 0);
	check_case(&in_hidden);
}

static int setup(void **state)
{
	ncpu = libbpf_num_possible_cpus();
	if (clock_hz(&hz)) {
		fprintf(stderr, "cannot read the kernel's clock (root needed)\n");
		return -1;
	}
	skel = xdpfw_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "cannot load the XDP program: %s (root needed)\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	xdpfw_bpf__destroy(skel);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy), cmocka_unit_test(test_policy_flags),
		cmocka_unit_test(test_policy_slots),   cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncations),    cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragment_expiry), cmocka_unit_test(test_jumbo),
		cmocka_unit_test(test_ct_tcp),		cmocka_unit_test(test_ct_flood),
		cmocka_unit_test(test_ct_udp),		cmocka_unit_test(test_ct_icmp_echo),
		cmocka_unit_test(test_ct_related),	cmocka_unit_test(test_ct_ipv6_vlan_ports),
	};

	return cmocka_run_group_tests_name("xdp program (BPF_PROG_TEST_RUN)", tests, setup,
					   teardown);
}
