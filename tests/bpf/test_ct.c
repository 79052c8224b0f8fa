// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking: the tc egress program and the XDP program together,
 * both run with bpf_prog_test_run_opts, sharing the skeleton's maps.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "conntrack.h"
#include "harness.h"
#include "maps.h"
#include "util.h"

/* The tuple of the flow an outbound spec belongs to. */
static struct ct_tuple ct_tuple_of(const struct spec *s)
{
	struct ct_tuple k = { .proto = s->proto, .ipver = s->ipver };
	__u8 remote = s->remote ? s->remote : 2;

	if (s->ipver == 4) {
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

/* The flow table of an IP version. */
static int ct_fd(int ipver)
{
	return bpf_map__fd(ipver == 4 ? skel->maps.conntrack4 : skel->maps.conntrack6);
}

/* Writes the entry of `out` as the loader would, behind egress's back (no gate). */
static void ct_put(const struct spec *out, const struct xdpfw_ct_val *v)
{
	struct ct_tuple t = ct_tuple_of(out);
	struct xdpfw_ct_key6 key;

	ct_tuple_key(&t, &key);
	assert_int_equal(bpf_map_update_elem(ct_fd(t.ipver), &key, v, 0), 0);
}

static bool ct_get(const struct spec *out, struct xdpfw_ct_val *v)
{
	struct ct_tuple t = ct_tuple_of(out);
	struct xdpfw_ct_key6 key;

	ct_tuple_key(&t, &key);
	return !bpf_map_lookup_elem(ct_fd(t.ipver), &key, v);
}

static __u64 ct_counter(enum xdpfw_ct_counter which)
{
	__u64 sum;

	assert_int_equal(map_percpu_read(bpf_map__fd(skel->maps.ct_stats), which, 1, &sum), 0);
	return sum;
}

static unsigned int ct_entries(void)
{
	struct xdpfw_ct_key6 k, next;
	unsigned int n = 0;
	void *prev;
	int v;

	for (v = 4; v <= 6; v += 2)
		for (prev = NULL; !bpf_map_get_next_key(ct_fd(v), prev, &next); n++) {
			k = next;
			prev = &k;
		}
	return n;
}

/* The gate's deadlines, mapped (ct_port_exp is mappable): [l4 * XDPFW_PORTS + port]. */
static __u64 *gate_until(void)
{
	static __u64 *until;

	if (!until) {
		until = mmap(NULL, XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64), PROT_READ | PROT_WRITE,
			     MAP_SHARED, bpf_map__fd(skel->maps.ct_port_exp), 0);
		assert_true(until != MAP_FAILED);
	}
	return until;
}

static bool gate_bit(enum xdpfw_l4 l4, __u16 port)
{
	struct xdpfw_ct_ports ports;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ct_ports), &zero, &ports), 0);
	return ports.ports[l4][xdpfw_port_word(port)] & xdpfw_port_bit(port);
}

/* Empty flow tables and gate, as a flush leaves them. */
static void clear_ct(void)
{
	static const struct xdpfw_ct_ports none;
	struct xdpfw_ct_key6 k;
	__u32 zero = 0;
	int v;

	for (v = 4; v <= 6; v += 2)
		while (!bpf_map_get_next_key(ct_fd(v), NULL, &k))
			assert_int_equal(bpf_map_delete_elem(ct_fd(v), &k), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.ct_ports), &zero, &none, 0), 0);
	memset(gate_until(), 0, XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64));
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
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT } },
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
				       { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT } };
	const struct tcase fin_in = { "inbound FIN passes", { TCP4(40000), .sport = 9999, .tcp_flags = FIN | ACK },
				      { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT } };
	const struct tcase rst_in = { "inbound RST passes", { TCP4(40000), .sport = 9999, .tcp_flags = RST },
				      { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT } };
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
	for (i = 0; i < ARRAY_SIZE(replies); i++)
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
	const struct spec data_closed = { TCP4(40023), .sport = 2222, .out = true, .tcp_flags = ACK };
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
	/* Nothing the host sends from an open port creates an entry: its handshake... */
	egress(&synack_out);
	/* ...nor its data: the port check passes what comes back. */
	egress(&data_out);
	assert_int_equal(ct_entries(), 0);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts);
	/* Data from a port the policy does not open (seeded, or its entry expired) is tracked. */
	egress(&data_closed);
	assert_true(ct_get(&data_closed, &v));
	assert_int_equal(v.state, XDPFW_CT_ESTABLISHED);
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts + 1);
}

/*
 * Outsiders cannot evict the host's flows: queries from spoofed sources to an
 * open UDP port, each answered, create no entry, and the host's own flow stays.
 */
static void test_ct_answers_create_nothing(void **state)
{
	const struct spec own = { UDP4(5353), .sport = 41000, .out = true };
	const struct tcase own_reply = { "the host's flow still answered",
					 { UDP4(41000), .sport = 5353 },
					 { PASS(PASSED_ESTABLISHED), XDPFW_L4_UDP, 5353, SVC_OUT } };
	__u64 inserts;
	int i;

	set_policy_text("allow udp 53\nallow tcp 22\n");
	clear_ct();
	egress(&own);
	inserts = ct_counter(XDPFW_CT_INSERTS);
	for (i = 0; i < 2000; i++) {
		const struct spec answer = { UDP4(1024 + i), .sport = 53, .remote = 3 + i % 250,
					     .out = true };
		const struct spec answer6 = { UDP6(1024 + i), .sport = 53, .remote = 3 + i % 250,
					      .out = true };

		egress(&answer);
		egress(&answer6);
	}
	assert_int_equal(ct_counter(XDPFW_CT_INSERTS), inserts);
	assert_int_equal(ct_entries(), 1);
	check_case(&own_reply);
}

/* nf_conntrack's INVALID flag combinations never pass as established. */
static void test_ct_invalid_flags(void **state)
{
	const struct spec syn = { TCP4(9999), .out = true, .tcp_flags = SYN };
	const struct spec ack = { TCP4(9999), .out = true, .tcp_flags = ACK };
	static const struct {
		const char *name;
		__u16 flags;
		bool passes;
	} cases[] = {
		{ "ACK", ACK, true },
		{ "ACK+PSH", ACK | PSH, true },
		{ "ACK+URG", ACK | URG, true },
		{ "ACK+PSH+URG", ACK | PSH | URG, true },
		{ "SYN+ACK with ECE (ECN)", SYN | ACK | 0x40, true },
		{ "FIN+ACK+PSH", FIN | ACK | PSH, true },
		{ "RST+ACK", RST | ACK, true },
		{ "SYN+FIN", SYN | FIN, false },
		{ "SYN+RST", SYN | RST, false },
		{ "SYN+FIN+ACK", SYN | FIN | ACK, false },
		{ "no flags", NO_FLAGS, false },
		{ "FIN without ACK", FIN, false },
		{ "PSH alone", PSH, false },
		{ "URG alone", URG, false },
		{ "FIN+RST+ACK", FIN | RST | ACK, false },
		{ "all six", FIN | SYN | RST | PSH | ACK | URG, false },
	};
	struct xdpfw_ct_val before, after;
	char name[64];
	size_t i;

	set_policy_text(ct_policy);
	clear_ct();
	egress(&syn);
	egress(&ack);
	assert_true(ct_get(&ack, &before));
	/* Valid ones first would close the flow (FIN, RST): judge the invalid ones first. */
	for (i = ARRAY_SIZE(cases); i-- > 0;) {
		struct tcase t = {
			.s = { TCP4(40000), .sport = 9999, .tcp_flags = cases[i].flags },
			.e = cases[i].passes ? (struct expect){ PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 9999, SVC_OUT }
					     : (struct expect){ DROP(DROPPED_PORT), XDPFW_L4_TCP, 40000 },
		};

		snprintf(name, sizeof(name), "%s: %s", cases[i].name,
			 cases[i].passes ? "established" : "invalid, port check");
		t.name = name;
		check_case(&t);
		if (cases[i].passes)
			continue;
		/* An invalid segment leaves the flow as it was (no FIN or RST processing). */
		assert_true(ct_get(&ack, &after));
		assert_memory_equal(&before, &after, sizeof(before));
	}
}

/* UDP: a reply passes until the timeout; a replied flow lives longer once refreshed. */
static void test_ct_udp(void **state)
{
	const struct spec out = { UDP4(5353), .out = true };
	const struct tcase reply = { "UDP reply passes", { UDP4(40000), .sport = 5353 },
				     { PASS(PASSED_ESTABLISHED), XDPFW_L4_UDP, 5353, SVC_OUT } };
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
	const struct spec ping = { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 0x1234, .out = true };
	const struct spec ping6 = { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 128, .icmp_id = 0x77, .out = true };
	const struct tcase cases[] = {
		{ "echo reply, same id: established",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 0, .icmp_id = 0x1234 },
		  { PASS(PASSED_ESTABLISHED), NO_PORT } },
		{ "echo reply, other id: ICMP policy", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 0, .icmp_id = 0x4321 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "echo request with the id: ICMP policy", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 0x1234 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "ICMPv6 echo reply, same id: established",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 129, .icmp_id = 0x77 },
		  { PASS(PASSED_ESTABLISHED), NO_PORT } },
		{ "ICMPv6 echo reply, other id: ICMPv6 policy",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 129, .icmp_id = 0x78 },
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
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* RELATED: ICMP errors quoting a tracked flow pass even with ICMP dropped. */
static void test_ct_related(void **state)
{
	static const struct spec udp_out = { UDP4(5353), .out = true };
	static const struct spec udp_other = { UDP4(5354), .out = true };
	static const struct spec tcp6_out = { TCP6(9999), .out = true, .tcp_flags = SYN };
	static const struct spec tcp6_other = { TCP6(9999), .sport = 40001, .out = true, .tcp_flags = SYN };
	static const struct spec ping_out = { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .icmp_id = 9, .out = true };
	static const struct spec from_open = { TCP4(40000), .sport = 22, .out = true, .tcp_flags = ACK };
	static const struct spec from_open6 = { TCP6(40000), .sport = 22, .out = true, .tcp_flags = ACK };
	static const struct spec from_closed = { TCP4(40000), .sport = 23, .out = true, .tcp_flags = ACK };
	static const struct spec udp_from_open = { UDP4(40000), .sport = 53, .out = true };
	const struct tcase cases[] = {
		{ "port unreachable about a tracked UDP flow",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &udp_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "port unreachable about an untracked flow: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &udp_other },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "time exceeded about a tracked ping",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 11, .quote = &ping_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "echo request quoting a tracked flow is no error: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8, .quote = &udp_out },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "packet too big about a tracked TCP flow",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .quote = &tcp6_out },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "IPv6 unreachable about an untracked flow: ICMPv6 policy",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 1, .quote = &tcp6_other },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "ICMP error quoting nothing at all: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .payload = 4 },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "tracked flow, but the error is addressed to another host: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .local = 9, .quote = &udp_out },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "IPv6, tracked flow, error addressed to another host: ICMPv6 policy",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .local = 9, .quote = &tcp6_out },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "fragmentation needed about a connection to an open port (no flow)",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &from_open },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "packet too big about a connection to an open port (no flow)",
		  { .ipver = 6, .proto = IPPROTO_ICMPV6, .icmp_type = 2, .quote = &from_open6 },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "unreachable about an answer of an open UDP port",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &udp_from_open },
		  { PASS(PASSED_RELATED), NO_PORT } },
		{ "open port, error addressed to another host: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .local = 9, .quote = &from_open },
		  { DROP(DROPPED_ICMP), NO_PORT } },
		{ "about a closed port without a flow: ICMP policy",
		  { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 3, .quote = &from_closed },
		  { DROP(DROPPED_ICMP), NO_PORT } },
	};
	size_t i;

	set_policy_text("icmp drop\nicmp6 drop\nallow tcp 22\nallow udp 53\n");
	clear_ct();
	egress(&udp_out);
	egress(&tcp6_out);
	egress(&ping_out);
	assert_int_equal(ct_entries(), 3);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* IPv6 and VLAN-tagged flows, and the port bitmap that gates the lookup. */
static void test_ct_ipv6_vlan_ports(void **state)
{
	const struct spec out6 = { .vlans = 1, TCP6(443), .sport = 41000, .out = true, .tcp_flags = SYN };
	const struct tcase in6 = { "IPv6 SYN-ACK through QinQ",
				   { .vlans = 2, .tpid = ETH_P_8021AD, TCP6(41000), .sport = 443,
				     .tcp_flags = SYN | ACK },
				   { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 443, SVC_OUT } };
	const struct spec hidden = { TCP4(443), .sport = 42000, .out = true };
	const struct tcase in_hidden = { "tracked, but its port bit unset: not looked up",
					 { TCP4(42000), .sport = 443, .tcp_flags = ACK },
					 { DROP(DROPPED_PORT), XDPFW_L4_TCP, 42000 } };

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
	ct_put(&hidden, &v);
	check_case(&in_hidden);
}

/*
 * The gate ages with its flows: the deadline is the latest expiry of the
 * flows on the port; once it has passed, the first packet to the port clears
 * the bit and gets the port check alone; a new flow opens the gate again.
 */
static void test_ct_gate_ageing(void **state)
{
	const struct spec short_flow = { UDP4(5353), .sport = 41000, .out = true };
	const struct spec long_flow = { TCP4(9999), .sport = 41000, .out = true, .tcp_flags = SYN };
	const struct spec other_remote = { UDP4(5353), .sport = 41000, .remote = 7, .out = true };
	const struct tcase late = { "after the flow: port check, bit cleared",
				    { UDP4(41000), .sport = 5353 },
				    { DROP(DROPPED_PORT), XDPFW_L4_UDP, 41000 } };
	const struct tcase reply = { "the new flow's reply", { UDP4(41000), .sport = 5353 },
				     { PASS(PASSED_ESTABLISHED), XDPFW_L4_UDP, 5353, SVC_OUT } };
	struct xdpfw_ct_val v;
	__u64 *until = gate_until();

	set_policy_text(ct_policy); /* udp 1 s, tcp-syn-sent 7 s */
	clear_ct();
	egress(&short_flow);
	assert_true(ct_get(&short_flow, &v));
	assert_true(gate_bit(XDPFW_L4_UDP, 41000));
	assert_int_equal(until[XDPFW_L4_UDP * XDPFW_PORTS + 41000], v.expires);
	/* The same local port in TCP: its own bit and deadline, the later expiry. */
	egress(&long_flow);
	assert_true(ct_get(&long_flow, &v));
	assert_int_equal(until[XDPFW_L4_TCP * XDPFW_PORTS + 41000], v.expires);
	assert_true(until[XDPFW_L4_TCP * XDPFW_PORTS + 41000] >
		    until[XDPFW_L4_UDP * XDPFW_PORTS + 41000]);
	usleep(1100000);
	check_case(&late);
	assert_false(gate_bit(XDPFW_L4_UDP, 41000));
	assert_true(gate_bit(XDPFW_L4_TCP, 41000)); /* still live */
	egress(&other_remote);
	assert_true(gate_bit(XDPFW_L4_UDP, 41000));
	check_case(&(struct tcase){ reply.name, { UDP4(41000), .sport = 5353, .remote = 7 },
				    reply.e });
}

/* UDP-lite: no port rules, but the host's flows get their replies. */
static void test_ct_udplite(void **state)
{
	const struct spec out = { .ipver = 6, .proto = IPPROTO_UDPLITE, .dport = 5000,
				  .sport = 42000, .out = true };
	const struct tcase cases[] = {
		{ "UDP-lite reply of the host's flow", { .ipver = 6, .proto = IPPROTO_UDPLITE,
							 .dport = 42000, .sport = 5000 },
		  { PASS(PASSED_ESTABLISHED), NO_PORT } },
		{ "UDP-lite from another port: default verdict",
		  { .ipver = 6, .proto = IPPROTO_UDPLITE, .dport = 42000, .sport = 5001 },
		  { DROP(DROPPED_PROTO), NO_PORT } },
		{ "UDP on the flow's ports: not the same flow",
		  { UDP6(42000), .sport = 5000 }, { DROP(DROPPED_PORT), XDPFW_L4_UDP, 42000 } },
	};
	struct xdpfw_ct_val v;
	size_t i;

	set_policy_text(ct_policy);
	clear_ct();
	egress(&out);
	assert_true(ct_get(&out, &v));
	assert_int_equal(v.state, XDPFW_CT_ESTABLISHED);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* Service slots as the ct_services hash and the ct_service_next counter hold them. */
static void service_slots_reset(__u32 next)
{
	struct xdpfw_service k;
	__u32 zero = 0;
	int fd = bpf_map__fd(skel->maps.ct_services);

	while (!bpf_map_get_next_key(fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.ct_service_next), &zero, &next, 0),
			 0);
}

/*
 * Replies count under the flow's service: the remote port of flows the host
 * opened (out), the local port of connections to it (in); one slot a
 * service, whatever the local ports; the catch-all once the slots run out.
 */
static void test_ct_services(void **state)
{
	const struct spec syn1 = { TCP4(80), .sport = 41001, .out = true, .tcp_flags = SYN };
	const struct spec syn2 = { TCP4(80), .sport = 41002, .out = true, .tcp_flags = SYN };
	const struct spec served = { TCP4(50000), .sport = 2222, .out = true, .tcp_flags = ACK };
	const struct spec dns = { UDP4(53), .sport = 41003, .out = true };
	const struct tcase replies[] = {
		{ "origin 80, first connection", { TCP4(41001), .sport = 80, .tcp_flags = SYN | ACK },
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 80, SVC_OUT } },
		{ "origin 80, second connection", { TCP4(41002), .sport = 80, .tcp_flags = SYN | ACK },
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 80, SVC_OUT } },
		{ "a client of the host's closed port 2222", { TCP4(2222), .sport = 50000, .tcp_flags = ACK },
		  { PASS(PASSED_ESTABLISHED), XDPFW_L4_TCP, 2222, SVC_IN } },
	};
	struct xdpfw_ct_val v1, v2;
	size_t i;

	set_policy_text(ct_policy);
	clear_ct();
	service_slots_reset(0);
	egress(&syn1);
	egress(&syn2);
	egress(&served);
	assert_true(ct_get(&syn1, &v1));
	assert_true(ct_get(&syn2, &v2));
	assert_int_equal(v1.slot, XDPFW_SLOT_FIRST_SERVICE);
	assert_int_equal(v2.slot, v1.slot);
	assert_int_equal(service_slot(XDPFW_DIR_OUT, IPPROTO_TCP, 80), XDPFW_SLOT_FIRST_SERVICE);
	assert_int_equal(service_slot(XDPFW_DIR_IN, IPPROTO_TCP, 2222),
			 XDPFW_SLOT_FIRST_SERVICE + 1);
	for (i = 0; i < ARRAY_SIZE(replies); i++)
		check_case(&replies[i]);

	/* Every slot handed out: a new service's replies count in the catch-all. */
	service_slots_reset(XDPFW_SERVICE_SLOT_COUNT);
	egress(&dns);
	assert_true(ct_get(&dns, &v1));
	assert_int_equal(v1.slot, XDPFW_SLOT_OTHER_OUT);
	check_case(&(struct tcase){ "no slot left", { UDP4(41003), .sport = 53 },
				    { PASS(PASSED_ESTABLISHED), XDPFW_L4_UDP, 53, .slot = XDPFW_SLOT_OTHER_OUT } });
	service_slots_reset(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_tcp),	     cmocka_unit_test(test_ct_flood),
		cmocka_unit_test(test_ct_answers_create_nothing),
		cmocka_unit_test(test_ct_invalid_flags),
		cmocka_unit_test(test_ct_udp),	     cmocka_unit_test(test_ct_icmp_echo),
		cmocka_unit_test(test_ct_related),   cmocka_unit_test(test_ct_ipv6_vlan_ports),
		cmocka_unit_test(test_ct_gate_ageing), cmocka_unit_test(test_ct_udplite),
		cmocka_unit_test(test_ct_services),
	};

	return cmocka_run_group_tests_name("state tracking (BPF_PROG_TEST_RUN)", tests,
					   harness_setup, harness_teardown);
}
