// SPDX-License-Identifier: GPL-2.0
/*
 * Source rules through the real XDP program: from-lists (IPv4 and IPv6,
 * nested prefixes, a switch between slots), the policy's blocklist and the
 * runtime one (what a blocklisted source still gets), and new-connection
 * limits with exact token counts. Every case checks verdict and counters.
 */
#include <arpa/inet.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "srcmap.h"
#include "util.h"

#define FROM(port) { PASS(PASSED_PORT), XDPFW_L4_TCP, port }
#define NOT_FROM(port) { DROP(DROPPED_SOURCE), XDPFW_L4_TCP, port }

static struct src_maps src_maps(void)
{
	return (struct src_maps){ bpf_map__fd(skel->maps.src4), bpf_map__fd(skel->maps.src6) };
}

/* xdpfw block IFACE add|del PREFIX, as the loader does it: prefixes, then the count. */
static void block(const char *text, bool add)
{
	struct prefix_list l = {};
	struct src_maps m = src_maps();
	struct xdpfw_config cfg;
	struct prefix p;
	const char *why;
	__u32 zero = 0, count;

	assert_int_equal(prefix_parse(text, strlen(text), &p, &why), 0);
	assert_int_equal(prefix_list_add(&l, &p), 0);
	assert_int_equal(src_block(&m, &l, add, &count), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.config), &zero, &cfg), 0);
	cfg.blocks = count;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, 0), 0);
	prefix_list_free(&l);
}

static void run_cases(const struct tcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_case(&c[i]);
}

static void test_from_lists(void **state)
{
	static const struct tcase cases[] = {
		{ "v4 source in the list", { TCP4(22), .remote = 2 }, FROM(22) },
		{ "v4 source outside it", { TCP4(22), .remote = 200 }, NOT_FROM(22) },
		{ "v4 host route in a second line's list", { TCP4(22), .remote = 99 }, FROM(22) },
		{ "v6 source in the list", { TCP6(22), .remote = 2 }, FROM(22) },
		{ "v6 source outside it", { TCP6(22), .remote = 200 }, NOT_FROM(22) },
		{ "other port, other list: .2 not in it", { TCP4(443), .remote = 2 }, NOT_FROM(443) },
		{ "other port, other list: .130 in it", { TCP4(443), .remote = 130 }, FROM(443) },
		{ "unrestricted port: any source", { TCP4(25), .remote = 200 }, FROM(25) },
		{ "closed port: default", { TCP4(23), .remote = 2 },
		  { DROP(DROPPED_PORT), XDPFW_L4_TCP, 23 } },
		{ "a source outside gets a UDP port's default too", { UDP4(53), .remote = 200 },
		  { DROP(DROPPED_SOURCE), XDPFW_L4_UDP, 53 } },
	};

	set_policy_text("allow tcp 22 from 198.18.0.0/28, 2001:db8::/124\n"
			"allow tcp 22 from 198.18.0.99\n"
			"allow tcp 443 from 198.18.0.128/25\n"
			"allow tcp 25\n"
			"allow udp 53 from 198.18.0.0/28\n");
	run_cases(cases, ARRAY_SIZE(cases));
}

/* Under default pass a source outside the list gets the default: it passes, counted so. */
static void test_from_default_pass(void **state)
{
	static const struct tcase cases[] = {
		{ "outside the list: default pass", { TCP4(22), .remote = 200 },
		  { PASS(PASSED_DEFAULT), XDPFW_L4_TCP, 22 } },
		{ "inside: the port", { TCP4(22), .remote = 2 }, FROM(22) },
	};

	set_policy_text("default pass\nallow tcp 22 from 198.18.0.0/28\n");
	run_cases(cases, ARRAY_SIZE(cases));
}

/* The inactive slot's lists are written with the policy; the flip makes them live at once. */
static void test_from_slots(void **state)
{
	static const struct tcase before = { "slot 0: .2 allowed", { TCP4(22), .remote = 2 },
					     FROM(22) };
	static const struct tcase after = { "slot 1: .2 no more", { TCP4(22), .remote = 2 },
					    NOT_FROM(22) };
	static const struct tcase after3 = { "slot 1: .3 now", { TCP4(22), .remote = 3 }, FROM(22) };

	set_policy_text("allow tcp 22 from 198.18.0.2\n");
	write_policy(1, "allow tcp 22 from 198.18.0.3\n");
	check_case(&before);
	activate(1);
	check_case(&after);
	check_case(&after3);
	activate(0);
	check_case(&before);
}

static void test_blocklist(void **state)
{
	static const struct spec out = { TCP4(9999), .out = true, .remote = 50, .sport = 40000,
					 .tcp_flags = SYN };
	static const struct tcase cases[] = {
		{ "blocked source to an open port", { TCP4(25), .remote = 50 },
		  { DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 25 } },
		{ "blocked source to a closed port", { TCP4(23), .remote = 50 },
		  { DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 23 } },
		{ "blocked source: ping", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8,
					    .remote = 50 },
		  { DROP(DROPPED_BLOCKLIST), NO_PORT } },
		{ "blocked v6 source: neighbour solicitation still passes",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 135, .remote = 0x50 },
		  { PASS(PASSED_ICMP), NO_PORT } },
		{ "blocked v6 source: echo", { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128,
					       .remote = 0x50 },
		  { DROP(DROPPED_BLOCKLIST), NO_PORT } },
		{ "inside the blocked /28 but in a from-list: blocked", { TCP4(22), .remote = 51 },
		  { DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 22 } },
		{ "outside: passes", { TCP4(25), .remote = 2 }, FROM(25) },
		{ "reply of the host's connection: passes (blocklist-replies pass)",
		  { TCP4(40000), .remote = 50, .sport = 9999, .tcp_flags = SYN | ACK },
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT } },
	};
	static const struct tcase reply_dropped = {
		"blocklist-replies drop: the reply is dropped",
		{ TCP4(40000), .remote = 50, .sport = 9999, .tcp_flags = SYN | ACK },
		{ DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 9999, SVC_OUT }
	};

	set_policy_text("allow tcp 25\nallow tcp 22 from 198.18.0.51\n"
			"deny from 198.18.0.48/28, 2001:db8::50\n");
	egress(&out);
	run_cases(cases, ARRAY_SIZE(cases));
	set_policy_text("allow tcp 25\nblocklist-replies drop\ndeny from 198.18.0.48/28\n");
	check_case(&reply_dropped);
}

/* xdpfw block: live without a reload, nested in the policy's, gone with del. */
static void test_runtime_block(void **state)
{
	static const struct tcase open = { "not blocked", { TCP4(25), .remote = 77 }, FROM(25) };
	static const struct tcase blocked = { "runtime blocked", { TCP4(25), .remote = 77 },
					      { DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 25 } };
	static const struct tcase list_ok = { "from-list still answers under a runtime /24",
					      { TCP4(22), .remote = 3 },
					      { DROP(DROPPED_BLOCKLIST), XDPFW_L4_TCP, 22 } };
	static const struct tcase list_back = { "and after its del", { TCP4(22), .remote = 3 },
						FROM(22) };

	set_policy_text("allow tcp 25\nallow tcp 22 from 198.18.0.3\n");
	check_case(&open);
	block("198.18.0.77", true);
	check_case(&blocked);
	block("198.18.0.0/24", true);
	check_case(&list_ok);
	block("198.18.0.0/24", false);
	check_case(&blocked);
	check_case(&list_back);
	block("198.18.0.77", false);
	check_case(&open);
}

static void clear_limits(void)
{
	struct xdpfw_limit_key k;
	int fd = bpf_map__fd(skel->maps.limits);

	while (!bpf_map_get_next_key(fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
}

/* burst 3 at 10/minute: a token every 6 s, so within the test the counts are exact. */
static void test_limits(void **state)
{
	static const struct tcase syn = { "SYN within the burst", { TCP4(2222), .remote = 2 },
					  FROM(2222) };
	static const struct tcase over = { "SYN over the burst", { TCP4(2222), .remote = 2 },
					   { DROP(DROPPED_LIMIT), XDPFW_L4_TCP, 2222 } };
	static const struct tcase ack = { "ACK: never limited",
					  { TCP4(2222), .remote = 2, .tcp_flags = ACK }, FROM(2222) };
	static const struct tcase syn_ack = { "SYN+ACK: not a new connection",
					      { TCP4(2222), .remote = 2, .tcp_flags = SYN | ACK },
					      FROM(2222) };
	static const struct tcase other = { "another source: its own bucket",
					    { TCP4(2222), .remote = 3 }, FROM(2222) };
	static const struct tcase v6 = { "the same last byte over IPv6: its own bucket",
					 { TCP6(2222), .remote = 2 }, FROM(2222) };
	static const struct tcase udp = { "UDP datagram within the burst", { UDP4(5353), .remote = 2 },
					  { PASS(PASSED_PORT), XDPFW_L4_UDP, 5353 } };
	static const struct tcase udp_over = { "UDP over the burst", { UDP4(5353), .remote = 2 },
					       { DROP(DROPPED_LIMIT), XDPFW_L4_UDP, 5353 } };
	static const struct tcase unlimited = { "unlimited port", { TCP4(25), .remote = 2 },
						FROM(25) };
	int i;

	set_policy_text("allow tcp 2222,25\nallow udp 5353\n"
			"limit tcp 2222 10/minute burst 3\nlimit udp 5353 1/hour burst 2\n");
	clear_limits();
	for (i = 0; i < 3; i++)
		check_case(&syn);
	check_case(&over);
	check_case(&over);
	check_case(&ack);
	check_case(&syn_ack);
	check_case(&other);
	check_case(&v6);
	check_case(&udp);
	check_case(&udp);
	check_case(&udp_over);
	for (i = 0; i < 10; i++)
		check_case(&unlimited);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_lists),    cmocka_unit_test(test_from_default_pass),
		cmocka_unit_test(test_from_slots),    cmocka_unit_test(test_blocklist),
		cmocka_unit_test(test_runtime_block), cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("source rules (BPF_PROG_TEST_RUN)", tests,
					   harness_setup, harness_teardown);
}
