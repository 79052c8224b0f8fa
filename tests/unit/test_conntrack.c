// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the pure parts of the flow-table code: the sock_diag
 * messages seeding reads (user/seed.c), timeouts by state, the names, and
 * the flow table and JSON output (user/output.c). Flows and messages are
 * built by hand; no BPF map or netlink socket is used: the namespace tests
 * seed real sockets and read real tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "capture.h"
#include "conntrack.h"
#include "output.h"
#include "policy.h"
#include "seed.h"
#include "util.h"

/* Ticks per second for the output tests: at 10^9 a jiffy reads as a nanosecond. */
#define NSEC 1000000000ULL

/* ---- seed_parse_diag ---------------------------------------------------- */

/* Socket states as the kernel numbers them (include/net/tcp_states.h). */
enum { ESTAB = 1, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT,
       LAST_ACK, LISTEN, CLOSING };

struct diag_case {
	const char *name;
	int family; /* of the socket */
	__u8 proto;
	__u8 state;
	const char *src;
	unsigned int sport;
	const char *dst;
	unsigned int dport;
	int ret;
	/* When ret is 1, the tuple: its IP version and addresses, and the flow's state. */
	int ipver;
	const char *local, *remote;
	__u8 ct_state;
};

#define T4 AF_INET, IPPROTO_TCP
#define T6 AF_INET6, IPPROTO_TCP
#define U4 AF_INET, IPPROTO_UDP
#define U6 AF_INET6, IPPROTO_UDP
#define UL4 AF_INET, IPPROTO_UDPLITE
#define FLOW(n, fp, st, s, sp, d, dp, ct) { n, fp, st, s, sp, d, dp, 1, 0, s, d, ct }
#define SKIP(n, fp, st, s, sp, d, dp) { n, fp, st, s, sp, d, dp, 0 }

static const struct diag_case diag_cases[] = {
	/* TCP: states */
	FLOW("tcp established", T4, ESTAB, "198.18.0.2", 22, "198.18.0.1", 54321,
	     XDPFW_CT_ESTABLISHED),
	FLOW("tcp syn-sent", T4, SYN_SENT, "198.18.0.2", 41652, "203.0.113.7", 443,
	     XDPFW_CT_SYN_SENT),
	FLOW("tcp fin-wait1", T4, FIN_WAIT1, "198.18.0.2", 22, "203.0.113.7", 49152, XDPFW_CT_FIN),
	FLOW("tcp fin-wait2", T4, FIN_WAIT2, "198.18.0.2", 22, "203.0.113.7", 49153, XDPFW_CT_FIN),
	FLOW("tcp close-wait", T4, CLOSE_WAIT, "198.18.0.2", 22, "203.0.113.7", 49154,
	     XDPFW_CT_FIN),
	FLOW("tcp last-ack", T4, LAST_ACK, "198.18.0.2", 22, "203.0.113.7", 49155, XDPFW_CT_FIN),
	FLOW("tcp closing", T4, CLOSING, "198.18.0.2", 22, "203.0.113.7", 49156, XDPFW_CT_FIN),
	SKIP("tcp listen", T4, LISTEN, "0.0.0.0", 22, "0.0.0.0", 0),
	SKIP("tcp time-wait", T4, TIME_WAIT, "198.18.0.2", 22, "198.18.0.1", 54322),
	SKIP("tcp syn-recv", T4, SYN_RECV, "198.18.0.2", 22, "198.18.0.1", 54323),
	SKIP("tcp close", T4, CLOSE, "198.18.0.2", 22, "198.18.0.1", 54324),
	SKIP("tcp unknown state 12", T4, 12, "198.18.0.2", 22, "198.18.0.1", 54325),
	SKIP("tcp state 0", T4, 0, "198.18.0.2", 22, "198.18.0.1", 54326),
	/* TCP: loopback, ports */
	SKIP("tcp loopback, both ends", T4, ESTAB, "127.0.0.1", 48882, "127.0.0.1", 36135),
	SKIP("tcp loopback local 127.1.2.3", T4, ESTAB, "127.1.2.3", 22, "198.18.0.1", 54321),
	SKIP("tcp loopback remote 127.255.255.255", T4, ESTAB, "198.18.0.2", 22,
	     "127.255.255.255", 54321),
	FLOW("tcp 126.255.255.255 is not loopback", T4, ESTAB, "198.18.0.2", 22, "126.255.255.255",
	     54321, XDPFW_CT_ESTABLISHED),
	FLOW("tcp 128.0.0.1 is not loopback", T4, ESTAB, "128.0.0.1", 22, "198.18.0.1", 54321,
	     XDPFW_CT_ESTABLISHED),
	FLOW("tcp ports 1 and 65535", T4, ESTAB, "198.18.0.2", 1, "198.18.0.1", 65535,
	     XDPFW_CT_ESTABLISHED),
	SKIP("tcp remote port 0", T4, ESTAB, "198.18.0.2", 22, "198.18.0.1", 0),
	/* TCP over IPv6 */
	FLOW("tcp6 established", T6, ESTAB, "2001:db8::1", 22, "2001:db8::2", 54321,
	     XDPFW_CT_ESTABLISHED),
	FLOW("tcp6 syn-sent, every word different", T6, SYN_SENT,
	     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01", 41652, "2001:db8::53", 443,
	     XDPFW_CT_SYN_SENT),
	FLOW("tcp6 ::2 is not loopback", T6, ESTAB, "::2", 22, "2001:db8::2", 54321,
	     XDPFW_CT_ESTABLISHED),
	SKIP("tcp6 loopback, both ends", T6, ESTAB, "::1", 53624, "::1", 37623),
	SKIP("tcp6 loopback remote", T6, ESTAB, "2001:db8::1", 22, "::1", 54321),
	SKIP("tcp6 time-wait", T6, TIME_WAIT, "2001:db8::1", 22, "2001:db8::2", 54323),
	/* An IPv6 socket with an IPv4 peer: its packets are IPv4, so is its tuple. */
	{ "tcp6 socket, IPv4 peer", T6, ESTAB, "::ffff:198.18.0.1", 22, "::ffff:198.18.0.2", 54321,
	  1, 4, "198.18.0.1", "198.18.0.2", XDPFW_CT_ESTABLISHED },
	SKIP("tcp6 socket, IPv4 loopback peer", T6, ESTAB, "::ffff:127.0.0.1", 22,
	     "::ffff:127.0.0.1", 54321),
	FLOW("tcp6 mapped on one side only stays IPv6", T6, ESTAB, "::ffff:198.18.0.1", 22,
	     "2001:db8::2", 54321, XDPFW_CT_ESTABLISHED),
	/* UDP and UDP-lite: connected sockets only */
	FLOW("udp connected", U4, ESTAB, "198.18.0.2", 40000, "8.8.8.8", 53, XDPFW_CT_ESTABLISHED),
	FLOW("udp6 connected", U6, ESTAB, "2001:db8::1", 40000, "2001:db8::53", 53,
	     XDPFW_CT_ESTABLISHED),
	SKIP("udp unconnected", U4, CLOSE, "0.0.0.0", 68, "0.0.0.0", 0),
	SKIP("udp connected, remote port 0", U4, ESTAB, "198.18.0.2", 40000, "8.8.8.8", 0),
	SKIP("udp in a TCP-only state", U4, SYN_SENT, "198.18.0.2", 40000, "8.8.8.8", 53),
	SKIP("udp to the local resolver 127.0.0.53", U4, ESTAB, "198.18.0.2", 60897, "127.0.0.53",
	     53),
	FLOW("udp-lite connected", UL4, ESTAB, "198.18.0.2", 40000,
	     "198.18.0.9", 5000, XDPFW_CT_ESTABLISHED),
	/* Not an inet socket */
	{ "AF_UNIX", AF_UNIX, IPPROTO_TCP, ESTAB, NULL, 0, NULL, 0, -EINVAL },
	{ "AF_PACKET", AF_PACKET, IPPROTO_UDP, ESTAB, NULL, 0, NULL, 0, -EINVAL },
};

/* The message the kernel sends for a socket. */
static void diag_msg(const struct diag_case *c, struct inet_diag_msg *m)
{
	int af = c->family == AF_INET ? AF_INET : AF_INET6;

	memset(m, 0, sizeof(*m));
	m->idiag_family = c->family;
	m->idiag_state = c->state;
	m->id.idiag_sport = htons(c->sport);
	m->id.idiag_dport = htons(c->dport);
	if (c->src) {
		assert_int_equal(inet_pton(af, c->src, m->id.idiag_src), 1);
		assert_int_equal(inet_pton(af, c->dst, m->id.idiag_dst), 1);
	}
}

static bool check_diag_case(const struct diag_case *c)
{
	int ipver = c->ipver ? c->ipver : c->family == AF_INET ? 4 : 6;
	struct inet_diag_msg m;
	struct ct_tuple t, want = {};
	__u8 state = 0xee;
	int ret;

	diag_msg(c, &m);
	memset(&t, 0xa5, sizeof(t)); /* garbage everywhere: untouched padding would show */
	ret = seed_parse_diag(&m, c->proto, &t, &state);
	if (ret != c->ret) {
		print_error("%s: returned %d, want %d\n", c->name, ret, c->ret);
		return false;
	}
	if (ret != 1)
		return true;
	assert_int_equal(inet_pton(ipver == 4 ? AF_INET : AF_INET6, c->local, want.local), 1);
	assert_int_equal(inet_pton(ipver == 4 ? AF_INET : AF_INET6, c->remote, want.remote), 1);
	want.lport = htons(c->sport);
	want.rport = htons(c->dport);
	want.proto = c->proto;
	want.ipver = ipver;
	if (memcmp(&t, &want, sizeof(t))) {
		print_error("%s: tuple differs: ipver %u lport %u rport %u proto %u\n", c->name,
			    t.ipver, ntohs(t.lport), ntohs(t.rport), t.proto);
		return false;
	}
	if (state != c->ct_state) {
		print_error("%s: state %u, want %u\n", c->name, state, c->ct_state);
		return false;
	}
	return true;
}

static void test_diag_msgs(void **state)
{
	size_t i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(diag_cases); i++)
		bad += !check_diag_case(&diag_cases[i]);
	if (bad)
		fail_msg("%zu of %zu sockets wrong", bad, ARRAY_SIZE(diag_cases));
}

/* Appends a netlink message of type and payload to buf at *off. */
static void put_nlmsg(char *buf, size_t *off, __u16 type, const void *payload, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + *off);

	memset(nlh, 0, NLMSG_SPACE(len));
	nlh->nlmsg_len = NLMSG_LENGTH(len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	memcpy(NLMSG_DATA(nlh), payload, len);
	*off += NLMSG_SPACE(len);
}

/*
 * A dump as the kernel sends it, through seed_collect: every socket worth a
 * flow is kept, those on ports outside `only` are not (UDP-lite, which has
 * no port rules, always is); NLMSG_DONE ends it.
 */
static void test_diag_dump(void **state)
{
	static char buf[8192];
	struct xdpfw_ct_ports only = {};
	struct seed_set set = { .only = &only };
	struct inet_diag_msg m;
	size_t off = 0, i;
	int done = 0;

	only.ports[XDPFW_L4_TCP][xdpfw_port_word(22)] |= xdpfw_port_bit(22);
	for (i = 0; i < ARRAY_SIZE(diag_cases); i++) {
		if (diag_cases[i].ret < 0 || diag_cases[i].proto != IPPROTO_TCP)
			continue;
		diag_msg(&diag_cases[i], &m);
		put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	}
	set.proto = IPPROTO_TCP;
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), 1);
	/* Flows on local port 22 among the TCP cases: established, fin-wait1/2, close-wait,
	 * last-ack, closing, 126.255.255.255, 128.0.0.1, tcp6, ::2, mapped twice. */
	assert_int_equal(set.n, 12);
	for (i = 0; i < set.n; i++)
		assert_int_equal(ntohs(set.flows[i].k.lport), 22);
	off = 0;
	diag_msg(&diag_cases[ARRAY_SIZE(diag_cases) - 3], &m); /* udp-lite, port 40000 */
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	put_nlmsg(buf, &off, NLMSG_DONE, &done, sizeof(done));
	set.proto = IPPROTO_UDPLITE;
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), 0);
	assert_int_equal(set.n, 13);
	assert_int_equal(set.flows[12].k.proto, IPPROTO_UDPLITE);
	/* A message too short for its inet_diag_msg is an error, not a read past it. */
	off = 0;
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m) - 1);
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), -EBADMSG);
	assert_int_equal(set.n, 13);
	/* An error the kernel sends is the dump's error. */
	off = 0;
	put_nlmsg(buf, &off, NLMSG_ERROR, &(struct nlmsgerr){ .error = -ENOENT },
		  sizeof(struct nlmsgerr));
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), -ENOENT);
	/* A length of 2^31 or more: nothing is read past the buffer (fuzz_diag's find). */
	off = 0;
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	((struct nlmsghdr *)buf)->nlmsg_len = 0xb8000024;
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), 1);
	assert_int_equal(set.n, 13);
	free(set.flows);
}

/*
 * The service side of seeded flows: a TCP connection on a port the host
 * listens on (a listener in the same dump) is a client of a local service,
 * counted under its local port (in); anything else was opened by the host,
 * counted under the remote port (out).
 */
static void test_diag_services(void **state)
{
	static const struct diag_case socks[] = {
		SKIP("listener on 22", T4, LISTEN, "0.0.0.0", 22, "0.0.0.0", 0),
		FLOW("ssh client of the host", T4, ESTAB, "198.18.0.1", 22, "198.18.0.2", 54321,
		     XDPFW_CT_ESTABLISHED),
		FLOW("the host's https", T4, ESTAB, "198.18.0.1", 41652, "203.0.113.7", 443,
		     XDPFW_CT_ESTABLISHED),
		FLOW("the host's dns", U4, ESTAB, "198.18.0.1", 40000, "198.18.0.53", 53,
		     XDPFW_CT_ESTABLISHED),
		FLOW("udp on a port some TCP socket listens on", U4, ESTAB, "198.18.0.1", 22,
		     "198.18.0.53", 53, XDPFW_CT_ESTABLISHED),
	};
	static const struct xdpfw_service want[] = {
		{ XDPFW_DIR_IN, IPPROTO_TCP, 22 },
		{ XDPFW_DIR_OUT, IPPROTO_TCP, 443 },
		{ XDPFW_DIR_OUT, IPPROTO_UDP, 53 },
		{ XDPFW_DIR_OUT, IPPROTO_UDP, 53 },
	};
	static struct seed_set set;
	static char buf[4096];
	struct xdpfw_service got;
	struct inet_diag_msg m;
	size_t off = 0, i;

	for (i = 0; i < 3; i++) {
		diag_msg(&socks[i], &m);
		put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	}
	set.proto = IPPROTO_TCP;
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), 1);
	for (off = 0; i < ARRAY_SIZE(socks); i++) {
		diag_msg(&socks[i], &m);
		put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	}
	set.proto = IPPROTO_UDP;
	assert_int_equal(seed_collect(buf, off, 0, 0, &set), 1);
	assert_int_equal(set.n, ARRAY_SIZE(want)); /* the listener is no flow */
	for (i = 0; i < set.n; i++) {
		got = seed_service(&set, &set.flows[i].k);
		if (got.dir != want[i].dir || got.proto != want[i].proto ||
		    ntohs(got.port) != want[i].port)
			fail_msg("%s: service %u/%u/%u, want %u/%u/%u", socks[i + 1].name, got.dir,
				 got.proto, ntohs(got.port), want[i].dir, want[i].proto,
				 want[i].port);
	}
	free(set.flows);
}

/* ---- timeouts and names ------------------------------------------------- */

static void test_state_timeout(void **state)
{
	/* By enum xdpfw_ct_timeout: all distinct, none a default. */
	static const __u32 secs[XDPFW_CT_TO_MAX] = { 101, 102, 103, 104, 105, 106, 107 };
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 };
	static const __u8 states[] = { 0, XDPFW_CT_SYN_SENT, XDPFW_CT_ESTABLISHED, XDPFW_CT_FIN,
				       XDPFW_CT_CLOSE, 5, 255 };
	/* want[proto][state], in the order of protos[] and states[]. */
	static const __u32 want[ARRAY_SIZE(protos)][ARRAY_SIZE(states)] = {
		/* TCP: its own per state; unknown states as established. */
		{ 102, 101, 102, 103, 104, 102, 102 },
		/* UDP: the udp timeout whatever the state (never udp-stream). */
		{ 105, 105, 105, 105, 105, 105, 105 },
		/* ICMP and ICMPv6: the icmp timeout. */
		{ 107, 107, 107, 107, 107, 107, 107 },
		{ 107, 107, 107, 107, 107, 107, 107 },
	};
	struct policy pol;
	size_t p, s;
	__u32 got;

	policy_init(&pol);
	memcpy(pol.bpf.timeouts, secs, sizeof(secs));
	for (p = 0; p < ARRAY_SIZE(protos); p++) {
		for (s = 0; s < ARRAY_SIZE(states); s++) {
			got = seed_timeout(&pol, protos[p], states[s]);
			if (got != want[p][s])
				fail_msg("%s state %u: %u, want %u", ct_proto_name(protos[p]),
					 states[s], got, want[p][s]);
		}
	}
	/* A protocol the table never holds: the icmp timeout. */
	/* UDP-lite: UDP's. */
	assert_int_equal(seed_timeout(&pol, IPPROTO_UDPLITE, XDPFW_CT_ESTABLISHED), 105);
	assert_int_equal(seed_timeout(&pol, IPPROTO_GRE, XDPFW_CT_ESTABLISHED), 107);
	assert_int_equal(seed_timeout(&pol, 0, 0), 107);

	/* The defaults, as the loader uses them for a fresh policy. */
	policy_init(&pol);
	assert_int_equal(seed_timeout(&pol, IPPROTO_TCP, XDPFW_CT_SYN_SENT), 120);
	assert_int_equal(seed_timeout(&pol, IPPROTO_TCP, XDPFW_CT_ESTABLISHED), 432000);
	assert_int_equal(seed_timeout(&pol, IPPROTO_TCP, XDPFW_CT_FIN), 120);
	assert_int_equal(seed_timeout(&pol, IPPROTO_TCP, XDPFW_CT_CLOSE), 10);
	assert_int_equal(seed_timeout(&pol, IPPROTO_UDP, XDPFW_CT_ESTABLISHED), 30);
	assert_int_equal(seed_timeout(&pol, IPPROTO_ICMP, XDPFW_CT_ESTABLISHED), 30);
}

static void test_names(void **state)
{
	assert_string_equal(ct_state_name(XDPFW_CT_SYN_SENT), "syn-sent");
	assert_string_equal(ct_state_name(XDPFW_CT_ESTABLISHED), "established");
	assert_string_equal(ct_state_name(XDPFW_CT_FIN), "fin");
	assert_string_equal(ct_state_name(XDPFW_CT_CLOSE), "close");
	assert_string_equal(ct_state_name(0), "?");
	assert_string_equal(ct_state_name(XDPFW_CT_CLOSE + 1), "?");
	assert_string_equal(ct_state_name(255), "?");

	assert_string_equal(ct_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(ct_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(ct_proto_name(IPPROTO_UDPLITE), "udplite");
	assert_string_equal(ct_proto_name(IPPROTO_ICMP), "icmp");
	assert_string_equal(ct_proto_name(IPPROTO_ICMPV6), "icmp6");
	assert_string_equal(ct_proto_name(0), "?");
	assert_string_equal(ct_proto_name(IPPROTO_GRE), "?");
	assert_string_equal(ct_proto_name(255), "?");

	assert_string_equal(ct_counter_name(XDPFW_CT_INSERTS), "inserts");
	assert_string_equal(ct_counter_name(XDPFW_CT_REFRESHES), "refreshes");
	assert_string_equal(ct_counter_name(XDPFW_CT_CLOSES), "closes");
	assert_string_equal(ct_counter_name(XDPFW_CT_DELETES), "deletes");
	assert_string_equal(ct_counter_name(XDPFW_CT_SEEDED), "seeded");
	assert_string_equal(ct_counter_name(XDPFW_CT_COUNTER_MAX), "?");
	assert_string_equal(ct_counter_name((enum xdpfw_ct_counter)1000), "?");
}

/* ---- output_flows_table, output_flows_json ------------------------------------- */

/* 5000 s after boot, and 123 ns: ages and expiries below are whole seconds plus a fraction. */
#define NOW (5000 * NSEC + 123)

static struct ct_flow flow(__u8 proto, int l3, const char *local, unsigned int lport,
			   const char *remote, unsigned int rport, __u8 state, __u64 created,
			   __u64 expires)
{
	int af = l3 == 4 ? AF_INET : AF_INET6;
	struct ct_flow f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(inet_pton(af, local, f.k.local), 1);
	assert_int_equal(inet_pton(af, remote, f.k.remote), 1);
	f.k.lport = htons(lport);
	f.k.rport = htons(rport);
	f.k.proto = proto;
	f.k.ipver = l3;
	f.v.state = state;
	f.v.created = created;
	f.v.refreshed = created;
	f.v.expires = expires;
	return f;
}

static const struct flow_want {
	const char *proto, *local;
	int local_port;
	const char *remote;
	int remote_port;
	const char *state;
	uint64_t age_s, expires_in_s;
} flows_want[] = {
	{ "tcp", "198.18.0.2", 22, "198.18.0.1", 54321, "established", 125, 431999 },
	{ "udp", "2001:db8::1", 40000, "2001:db8::53", 53, "established", 0, 30 },
	{ "icmp", "198.18.0.2", 4660, "8.8.8.8", 0, "established", 31, 0 },
	{ "tcp", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01", 443, "2001:db8::2", 65535, "syn-sent",
	  5000, 119 },
	{ "tcp", "10.0.0.1", 1, "203.0.113.7", 80, "close", 0, 0 },
	{ "icmp6", "fe80::1", 7, "ff02::1", 0, "?", 2, 1 },
	/* (2^64 - 1 - NOW) / 10^9: above 2^32, so a 32-bit field would show. */
	{ "?", "0.0.0.0", 0, "255.255.255.255", 65535, "fin", 1, 18446739073ULL },
};

static size_t make_flows(struct ct_flow *f)
{
	size_t n = 0;

	/* Age 125.9 s, expires in 431999.5 s. */
	f[n++] = flow(IPPROTO_TCP, 4, "198.18.0.2", 22, "198.18.0.1", 54321, XDPFW_CT_ESTABLISHED,
		      NOW - 125900000000ULL, NOW + 431999500000000ULL);
	/* Created now, expires in exactly 30 s. */
	f[n++] = flow(IPPROTO_UDP, 6, "2001:db8::1", 40000, "2001:db8::53", 53,
		      XDPFW_CT_ESTABLISHED, NOW, NOW + 30 * NSEC);
	/* ICMP echo: the id as local port; expired 1 ns ago: 0, not a wrapped number. */
	f[n++] = flow(IPPROTO_ICMP, 4, "198.18.0.2", 4660, "8.8.8.8", 0, XDPFW_CT_ESTABLISHED,
		      NOW - 31 * NSEC - 1, NOW - 1);
	/* Created at boot; the longest IPv6 address that fits the column. */
	f[n++] = flow(IPPROTO_TCP, 6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01", 443, "2001:db8::2",
		      65535, XDPFW_CT_SYN_SENT, 0, NOW + 120 * NSEC - 1);
	/* Created in the future (age 0, not wrapped), expires exactly now (0). */
	f[n++] = flow(IPPROTO_TCP, 4, "10.0.0.1", 1, "203.0.113.7", 80, XDPFW_CT_CLOSE,
		      NOW + 5 * NSEC, NOW);
	/* Unknown state. */
	f[n++] = flow(IPPROTO_ICMPV6, 6, "fe80::1", 7, "ff02::1", 0, 9, NOW - 2500000000ULL,
		      NOW + 1999999999ULL);
	/* Unknown protocol; expires at the end of time. */
	f[n++] = flow(IPPROTO_GRE, 4, "0.0.0.0", 0, "255.255.255.255", 65535, XDPFW_CT_FIN,
		      NOW - NSEC, UINT64_MAX);
	assert_int_equal(n, ARRAY_SIZE(flows_want));
	return n;
}

static char *capture_table(const struct ct_flow *flows, size_t n, __u64 now)
{
	struct capture c;

	output_flows_table(flows, n, now, NSEC, capture_open(&c));
	return capture_close(&c);
}

static char *capture_json(const char *iface, const struct ct_flow *flows, size_t n, __u64 now)
{
	struct capture c;

	output_flows_json(iface, flows, n, now, NSEC, capture_open(&c));
	return capture_close(&c);
}

#define TABLE_HEADER                                                                               \
	"PROTO LOCAL                                          "                                     \
	"REMOTE                                         STATE          AGE_S  EXPIRES_S\n"

static void test_print_table(void **state)
{
	struct ct_flow flows[ARRAY_SIZE(flows_want)];
	size_t n = make_flows(flows);
	char *text = capture_table(flows, n, NOW);

	assert_string_equal(text,
		TABLE_HEADER
		"tcp   198.18.0.2:22                                  "
		"198.18.0.1:54321                               established      125     431999\n"
		"udp   [2001:db8::1]:40000                            "
		"[2001:db8::53]:53                              established        0         30\n"
		"icmp  198.18.0.2:4660                                "
		"8.8.8.8:0                                      established       31          0\n"
		"tcp   [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01]:443   "
		"[2001:db8::2]:65535                            syn-sent        5000        119\n"
		"tcp   10.0.0.1:1                                     "
		"203.0.113.7:80                                 close              0          0\n"
		"icmp6 [fe80::1]:7                                    "
		"[ff02::1]:0                                    ?                  2          1\n"
		"?     0.0.0.0:0                                      "
		"255.255.255.255:65535                          fin                1 18446739073\n");
	free(text);
}

static void test_print_table_empty(void **state)
{
	char *text = capture_table(NULL, 0, NOW);

	assert_string_equal(text, TABLE_HEADER);
	free(text);
}

static json_object *get_key(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing", key);
	if (!json_object_is_type(v, type))
		fail_msg("key \"%s\" has type %s", key, json_type_to_name(json_object_get_type(v)));
	return v;
}

static void check_flow_json(size_t i, json_object *o, const struct flow_want *w)
{
	json_object *v;

	if (json_object_object_length(o) != 8)
		fail_msg("flow %zu: %d keys, want 8", i, json_object_object_length(o));
	assert_string_equal(json_object_get_string(get_key(o, "proto", json_type_string)), w->proto);
	assert_string_equal(json_object_get_string(get_key(o, "local", json_type_string)), w->local);
	assert_int_equal(json_object_get_int64(get_key(o, "local_port", json_type_int)),
			 w->local_port);
	assert_string_equal(json_object_get_string(get_key(o, "remote", json_type_string)),
			    w->remote);
	assert_int_equal(json_object_get_int64(get_key(o, "remote_port", json_type_int)),
			 w->remote_port);
	assert_string_equal(json_object_get_string(get_key(o, "state", json_type_string)), w->state);
	v = get_key(o, "age_s", json_type_int);
	assert_int_equal(json_object_get_uint64(v), w->age_s);
	v = get_key(o, "expires_in_s", json_type_int);
	assert_int_equal(json_object_get_uint64(v), w->expires_in_s);
}

static void test_print_json(void **state)
{
	struct ct_flow flows[ARRAY_SIZE(flows_want)];
	size_t n = make_flows(flows), i;
	char *text = capture_json("eth0", flows, n, NOW);
	json_object *root, *arr;
	size_t len = strlen(text);

	assert_true(len > 2);
	assert_int_equal(text[len - 1], '\n');
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_is_type(root, json_type_object));
	assert_int_equal(json_object_object_length(root), 2);
	assert_string_equal(json_object_get_string(get_key(root, "interface", json_type_string)),
			    "eth0");
	arr = get_key(root, "flows", json_type_array);
	assert_int_equal(json_object_array_length(arr), n);
	for (i = 0; i < n; i++)
		check_flow_json(i, json_object_array_get_idx(arr, i), &flows_want[i]);
	json_object_put(root);
	free(text);
}

/*
 * Ages beyond 2^32 seconds: 2^63 ns after boot, a flow created at boot is
 * 9223372036 s old and expires 4294967296 s (2^32) from now.
 */
static void test_print_big_numbers(void **state)
{
	const __u64 now = 1ULL << 63;
	struct ct_flow f = flow(IPPROTO_UDP, 4, "198.18.0.2", 53, "198.18.0.1", 53,
				XDPFW_CT_ESTABLISHED, 0, now + (1ULL << 32) * NSEC);
	json_object *root, *arr;
	char *text;

	text = capture_table(&f, 1, now);
	assert_string_equal(text,
		TABLE_HEADER
		"udp   198.18.0.2:53                                  "
		"198.18.0.1:53                                  established 9223372036 4294967296\n");
	free(text);

	text = capture_json("eth0", &f, 1, now);
	root = json_tokener_parse(text);
	assert_non_null(root);
	arr = get_key(root, "flows", json_type_array);
	assert_int_equal(json_object_array_length(arr), 1);
	check_flow_json(0, json_object_array_get_idx(arr, 0),
			&(const struct flow_want){ "udp", "198.18.0.2", 53, "198.18.0.1", 53,
						   "established", 9223372036ULL, 4294967296ULL });
	json_object_put(root);
	free(text);
}

/* No flows: an empty array, not a missing key or null. */
static void test_print_json_empty(void **state)
{
	char *text = capture_json("ens3", NULL, 0, NOW);
	json_object *root = json_tokener_parse(text), *arr;

	assert_non_null(root);
	assert_int_equal(json_object_object_length(root), 2);
	assert_string_equal(json_object_get_string(get_key(root, "interface", json_type_string)),
			    "ens3");
	arr = get_key(root, "flows", json_type_array);
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(root);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_msgs),
		cmocka_unit_test(test_diag_dump),
		cmocka_unit_test(test_diag_services),
		cmocka_unit_test(test_state_timeout),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_print_table),
		cmocka_unit_test(test_print_table_empty),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_print_json_empty),
		cmocka_unit_test(test_print_big_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
