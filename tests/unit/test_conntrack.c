// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the pure parts of user/conntrack.c: the /proc/net/{tcp,
 * tcp6,udp,udp6} line parser, timeouts by state, the names, and the flow
 * table and JSON output. Flows are built by hand; no BPF map is created or
 * read, so ct_seed, ct_list, ct_flush and ct_read_counters are not tested
 * here.
 *
 * The kernel prints each 32-bit word of an address as a native-endian %08X
 * of the network-order word: the proc lines below are the ones an x86 (little
 * endian) host prints, and those tests skip on a big-endian host.
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

#include "capture.h"
#include "conntrack.h"
#include "output.h"
#include "policy.h"
#include "seed.h"
#include "util.h"

/* Ticks per second for the output tests: at 10^9 a jiffy reads as a nanosecond. */
#define NSEC 1000000000ULL

static bool little_endian(void)
{
	const __u32 one = 1;

	return *(const __u8 *)&one == 1;
}

/* ---- seed_parse_proc_line -------------------------------------------------- */

enum proc_file { TCP4, TCP6, UDP4, UDP6 };

static const struct {
	const char *name;
	int ipver;
	__u8 proto;
	int width; /* the kernel pads the IPv4 files' lines with blanks to this width */
} files[] = {
	[TCP4] = { "tcp", 4, IPPROTO_TCP, 149 },
	[TCP6] = { "tcp6", 6, IPPROTO_TCP, 0 },
	[UDP4] = { "udp", 4, IPPROTO_UDP, 127 },
	[UDP6] = { "udp6", 6, IPPROTO_UDP, 0 },
};

/* The header lines exactly as Linux 6.x prints them, padding included. */
#define TCP4_HEADER                                                                                \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout " \
	"inode"
#define TCP6_HEADER                                                                                \
	"  sl  local_address                         remote_address                        st "      \
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
#define UDP4_HEADER                                                                                \
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "        \
	"timeout inode ref pointer drops"
#define UDP6_HEADER                                                                                \
	"  sl  local_address                         remote_address                        st "      \
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"

/* The fields after the state, as get_tcp4_sock, get_timewait4_sock, udp4_format_sock print them. */
#define TCP_TAIL                                                                                   \
	"00000000:00000000 02:000AFC7F 00000000     0        0 31337 2 0000000000000000 20 4 31 10 -1"
#define TW_TAIL	 "00000000:00000000 03:00000FA0 00000000     0        0 0 3 0000000000000000"
#define UDP_TAIL "00000000:00000000 00:00000000 00000000   100        0 27820 2 0000000000000000 0"

struct proc_case {
	const char *name;
	enum proc_file file;
	const char *line; /* without the padding and the newline */
	bool raw;	  /* pass line exactly as it is: no padding, no newline */
	int ret;
	/* When ret is 1: */
	const char *local;
	unsigned int lport;
	const char *remote;
	unsigned int rport;
	__u8 state;
};

#define FLOW(n, f, line, l, lp, r, rp, st) { n, f, line, false, 1, l, lp, r, rp, st }
#define SKIP(n, f, line) { n, f, line, false, 0 }
#define BAD(n, f, line) { n, f, line, true, -EINVAL }

/*
 * Addresses: 198.18.0.2 = 020012C6, 198.18.0.1 = 010012C6, 203.0.113.7 =
 * 077100CB, 8.8.8.8 = 08080808, 127.0.0.1 = 0100007F; 2001:db8::1 =
 * B80D0120 00000000 00000000 01000000.
 */
static const struct proc_case proc_cases[] = {
	/* TCP over IPv4: states */
	FLOW("tcp established", TCP4, "   2: 020012C6:0016 010012C6:D431 01 " TCP_TAIL,
	     "198.18.0.2", 22, "198.18.0.1", 54321, XDPFW_CT_ESTABLISHED),
	FLOW("tcp syn-sent", TCP4,
	     "   3: 020012C6:A2B4 077100CB:01BB 02 00000001:00000000 01:00000064 00000002  1000  "
	     "      0 31338 2 0000000000000000 200 0 0 10 -1",
	     "198.18.0.2", 41652, "203.0.113.7", 443, XDPFW_CT_SYN_SENT),
	FLOW("tcp fin-wait1", TCP4, "   4: 020012C6:0016 077100CB:C000 04 " TCP_TAIL, "198.18.0.2",
	     22, "203.0.113.7", 49152, XDPFW_CT_FIN),
	FLOW("tcp fin-wait2", TCP4, "   5: 020012C6:0016 077100CB:C001 05 " TCP_TAIL, "198.18.0.2",
	     22, "203.0.113.7", 49153, XDPFW_CT_FIN),
	FLOW("tcp close-wait", TCP4, "   6: 020012C6:0016 077100CB:C002 08 " TCP_TAIL,
	     "198.18.0.2", 22, "203.0.113.7", 49154, XDPFW_CT_FIN),
	FLOW("tcp last-ack", TCP4, "   7: 020012C6:0016 077100CB:C003 09 " TCP_TAIL, "198.18.0.2",
	     22, "203.0.113.7", 49155, XDPFW_CT_FIN),
	FLOW("tcp closing", TCP4, "   8: 020012C6:0016 077100CB:C004 0B " TCP_TAIL, "198.18.0.2",
	     22, "203.0.113.7", 49156, XDPFW_CT_FIN),
	SKIP("tcp listen, any address", TCP4,
	     "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
	     "      0 1683 1 0000000000000000 100 0 0 10 0"),
	SKIP("tcp listen, one address", TCP4,
	     "   1: 020012C6:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
	     "      0 1684 1 0000000000000000 100 0 0 10 0"),
	SKIP("tcp time-wait", TCP4, "   9: 020012C6:0016 010012C6:D432 06 " TW_TAIL),
	SKIP("tcp syn-recv", TCP4,
	     "  10: 020012C6:0016 010012C6:D433 03 00000000:00000000 01:00000064 00000000     0  "
	     "      0 0 1 0000000000000000"),
	SKIP("tcp close", TCP4, "  11: 020012C6:0016 010012C6:D434 07 " TCP_TAIL),
	SKIP("tcp unknown state 0C", TCP4, "  12: 020012C6:0016 010012C6:D435 0C " TCP_TAIL),
	SKIP("tcp state 00", TCP4, "  13: 020012C6:0016 010012C6:D436 00 " TCP_TAIL),

	/* TCP over IPv4: loopback */
	SKIP("tcp loopback, both ends (a real line)", TCP4,
	     "   2: 0100007F:BEF2 0100007F:8D27 01 00000000:00000000 00:00000000 00000000     0  "
	     "      0 27818 2 0000000000000000 20 0 0 10 -1"),
	SKIP("tcp loopback local 127.1.2.3", TCP4, "  14: 0302017F:0016 010012C6:D431 01 " TCP_TAIL),
	SKIP("tcp loopback remote 127.0.0.53", TCP4,
	     "  15: 020012C6:0016 3500007F:D431 01 " TCP_TAIL),
	SKIP("tcp loopback remote 127.255.255.255", TCP4,
	     "  16: 020012C6:0016 FFFFFF7F:D431 01 " TCP_TAIL),
	FLOW("tcp 126.255.255.255 is not loopback", TCP4,
	     "  17: 020012C6:0016 FFFFFF7E:D431 01 " TCP_TAIL, "198.18.0.2", 22, "126.255.255.255",
	     54321, XDPFW_CT_ESTABLISHED),
	FLOW("tcp 128.0.0.1 is not loopback", TCP4, "  18: 01000080:0016 010012C6:D431 01 " TCP_TAIL,
	     "128.0.0.1", 22, "198.18.0.1", 54321, XDPFW_CT_ESTABLISHED),
	FLOW("tcp ports 1 and 65535", TCP4, "  19: 020012C6:0001 010012C6:FFFF 01 " TCP_TAIL,
	     "198.18.0.2", 1, "198.18.0.1", 65535, XDPFW_CT_ESTABLISHED),
	FLOW("tcp lower-case hex", TCP4, "  20: 020012c6:01bb 077100cb:d431 01 " TCP_TAIL,
	     "198.18.0.2", 443, "203.0.113.7", 54321, XDPFW_CT_ESTABLISHED),
	FLOW("sl wider than 4 digits", TCP4, "12345: 020012C6:0016 010012C6:D431 01 " TCP_TAIL,
	     "198.18.0.2", 22, "198.18.0.1", 54321, XDPFW_CT_ESTABLISHED),
	SKIP("tcp header", TCP4, TCP4_HEADER),

	/* TCP over IPv6 */
	FLOW("tcp6 established", TCP6,
	     "   1: B80D0120000000000000000001000000:0016 B80D0120000000000000000002000000:D431 01 "
	     TCP_TAIL,
	     "2001:db8::1", 22, "2001:db8::2", 54321, XDPFW_CT_ESTABLISHED),
	FLOW("tcp6 syn-sent, every word different", TCP6,
	     "   2: B80D0120BBBBAAAADDDDCCCC01FFEEEE:A2B4 B80D0120000000000000000053000000:01BB 02 "
	     TCP_TAIL,
	     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01", 41652, "2001:db8::53", 443,
	     XDPFW_CT_SYN_SENT),
	FLOW("tcp6 fin-wait2", TCP6,
	     "   3: B80D0120000000000000000001000000:0016 B80D0120000000000000000002000000:D432 05 "
	     TCP_TAIL,
	     "2001:db8::1", 22, "2001:db8::2", 54322, XDPFW_CT_FIN),
	FLOW("tcp6 ::2 is not loopback", TCP6,
	     "   4: 00000000000000000000000002000000:0016 B80D0120000000000000000002000000:D431 01 "
	     TCP_TAIL,
	     "::2", 22, "2001:db8::2", 54321, XDPFW_CT_ESTABLISHED),
	SKIP("tcp6 listen", TCP6,
	     "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
	     "00000000:00000000 00:00000000 00000000     0        0 27821 1 0000000000000000 100 0 "
	     "0 10 0"),
	SKIP("tcp6 time-wait", TCP6,
	     "   5: B80D0120000000000000000001000000:0016 B80D0120000000000000000002000000:D433 06 "
	     TW_TAIL),
	SKIP("tcp6 loopback, both ends (a real line)", TCP6,
	     "   1: 00000000000000000000000001000000:D178 00000000000000000000000001000000:92F7 01 "
	     "00000000:00000000 00:00000000 00000000     0        0 27822 2 0000000000000000 20 0 0 "
	     "10 -1"),
	SKIP("tcp6 loopback local", TCP6,
	     "   6: 00000000000000000000000001000000:0016 B80D0120000000000000000002000000:D431 01 "
	     TCP_TAIL),
	SKIP("tcp6 loopback remote", TCP6,
	     "   7: B80D0120000000000000000001000000:0016 00000000000000000000000001000000:D431 01 "
	     TCP_TAIL),
	SKIP("tcp6 header", TCP6, TCP6_HEADER),

	/* UDP over IPv4 */
	FLOW("udp connected", UDP4, " 5312: 020012C6:9C40 08080808:0035 01 " UDP_TAIL, "198.18.0.2",
	     40000, "8.8.8.8", 53, XDPFW_CT_ESTABLISHED),
	SKIP("udp unconnected, any address", UDP4,
	     "  123: 00000000:0044 00000000:0000 07 " UDP_TAIL),
	SKIP("udp unconnected, bound address", UDP4,
	     "  124: 020012C6:0035 00000000:0000 07 " UDP_TAIL),
	SKIP("udp state 07 with a remote", UDP4, "  125: 020012C6:9C40 08080808:0035 07 " UDP_TAIL),
	SKIP("udp state 01, remote port 0", UDP4, "  126: 020012C6:9C40 08080808:0000 01 " UDP_TAIL),
	SKIP("udp loopback (a real line)", UDP4,
	     " 5312: 0100007F:EDE0 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0  "
	     "      0 27820 2 0000000000000000 0"),
	SKIP("udp to the local resolver 127.0.0.53", UDP4,
	     " 5313: 020012C6:EDE1 3500007F:0035 01 " UDP_TAIL),
	SKIP("udp header", UDP4, UDP4_HEADER),

	/* UDP over IPv6 */
	FLOW("udp6 connected, sl without leading blank", UDP6,
	     "11290: B80D0120000000000000000001000000:9C40 B80D0120000000000000000053000000:0035 01 "
	     UDP_TAIL,
	     "2001:db8::1", 40000, "2001:db8::53", 53, XDPFW_CT_ESTABLISHED),
	SKIP("udp6 unconnected", UDP6,
	     "11291: 00000000000000000000000000000000:0223 00000000000000000000000000000000:0000 07 "
	     UDP_TAIL),
	SKIP("udp6 loopback (a real line)", UDP6,
	     "11290: 00000000000000000000000001000000:853A 00000000000000000000000001000000:0035 01 "
	     "00000000:00000000 00:00000000 00000000     0        0 27823 2 0000000000000000 0"),
	SKIP("udp6 header", UDP6, UDP6_HEADER),

	/* Lines that do not parse */
	BAD("empty", TCP4, ""),
	BAD("newline only", TCP4, "\n"),
	BAD("blanks only", UDP6, "      \n"),
	BAD("garbage", TCP4, "hello world\n"),
	BAD("binary", UDP4, "\x01\x02\x03\xff\n"),
	BAD("truncated after the sl", TCP4, "   2:"),
	BAD("truncated in the local address", TCP4, "   2: 020012"),
	BAD("truncated after the local address", TCP4, "   2: 020012C6"),
	BAD("truncated after the local port", TCP4, "   2: 020012C6:0016\n"),
	BAD("truncated in the remote address", TCP4, "   2: 020012C6:0016 0100"),
	BAD("truncated after the remote port", TCP4, "   2: 020012C6:0016 010012C6:D431\n"),
	BAD("truncated before the state", TCP4, "   2: 020012C6:0016 010012C6:D431 "),
	BAD("truncated tcp6 line", TCP6, "   1: B80D0120000000000000000001000000:0016 B80D01"),
	BAD("sl without colon", TCP4, "   2 020012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("sl not a number", TCP4, "   x: 020012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("no sl", TCP4, "020012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("no colon between address and port", TCP4,
	    "   2: 020012C6 0016 010012C6:D431 01 " TCP_TAIL),
	BAD("non-hex digit in the address", TCP4, "   2: 0200G2C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("IPv4 address of 7 digits", TCP4, "   2: 20012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("IPv4 address of 9 digits", TCP4, "   2: 0020012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("IPv4 remote address of 7 digits", UDP4, "   2: 020012C6:0016 10012C6:D431 01 " TCP_TAIL),
	BAD("IPv6 line in an IPv4 file", TCP4,
	    "   1: B80D0120000000000000000001000000:0016 B80D0120000000000000000002000000:D431 01 "
	    TCP_TAIL),
	BAD("IPv4 line in an IPv6 file", TCP6, "   2: 020012C6:0016 010012C6:D431 01 " TCP_TAIL),
	BAD("IPv4 line in the udp6 file", UDP6, " 5312: 020012C6:9C40 08080808:0035 01 " UDP_TAIL),
	BAD("IPv6 address of 31 digits", TCP6,
	    "   1: B80D012000000000000000000100000:0016 B80D0120000000000000000002000000:D431 01 "
	    TCP_TAIL),
	BAD("IPv6 address of 33 digits", TCP6,
	    "   1: B80D01200000000000000000001000000:0016 B80D0120000000000000000002000000:D431 01 "
	    TCP_TAIL),
	BAD("IPv6 remote address of 40 digits", UDP6,
	    "   1: B80D0120000000000000000001000000:0016 B80D012000000000000000000200000000000000:D431 "
	    "01 " UDP_TAIL),
	BAD("local port 65536", TCP4, "   2: 020012C6:10000 010012C6:D431 01 " TCP_TAIL),
	BAD("remote port 65536", TCP4, "   2: 020012C6:0016 010012C6:10000 01 " TCP_TAIL),
	BAD("remote port FFFFFFFF", UDP4, "   2: 020012C6:0016 010012C6:FFFFFFFF 01 " UDP_TAIL),
	BAD("tcp6 local port 65536", TCP6,
	    "   1: B80D0120000000000000000001000000:10000 B80D0120000000000000000002000000:D431 01 "
	    TCP_TAIL),
	BAD("negative port", TCP4, "   2: 020012C6:0016 010012C6:-1 01 " TCP_TAIL),
	BAD("port missing", TCP4, "   2: 020012C6: 010012C6:D431 01 " TCP_TAIL),
};

/* The line as the kernel prints it: IPv4 files pad with blanks; every line ends in a newline. */
static void kernel_line(const struct proc_case *c, char *buf, size_t size)
{
	int n;

	if (c->raw) {
		n = snprintf(buf, size, "%s", c->line);
	} else {
		n = snprintf(buf, size, "%-*s\n", files[c->file].width, c->line);
		if (files[c->file].width)
			assert_int_equal(n, files[c->file].width + 1);
	}
	assert_true(n >= 0 && (size_t)n < size);
}

/* The key seed_parse_proc_line should make, built from the printable addresses. */
static void expected_key(const struct proc_case *c, struct xdpfw_ct_key *k)
{
	int af = files[c->file].ipver == 4 ? AF_INET : AF_INET6;

	memset(k, 0, sizeof(*k));
	assert_int_equal(inet_pton(af, c->local, k->local), 1);
	assert_int_equal(inet_pton(af, c->remote, k->remote), 1);
	k->lport = htons(c->lport);
	k->rport = htons(c->rport);
	k->proto = files[c->file].proto;
	k->ipver = files[c->file].ipver;
}

static bool check_proc_case(const struct proc_case *c)
{
	struct xdpfw_ct_key k, want;
	char line[512];
	__u8 state = 0xee;
	int ret;

	kernel_line(c, line, sizeof(line));
	/* Garbage in every byte: padding the parser leaves alone would show. */
	memset(&k, 0xa5, sizeof(k));
	ret = seed_parse_proc_line(line, files[c->file].ipver, files[c->file].proto, &k, &state);
	if (ret != c->ret) {
		print_error("%s: returned %d, want %d\n", c->name, ret, c->ret);
		return false;
	}
	if (ret != 1)
		return true;
	expected_key(c, &want);
	if (memcmp(&k, &want, sizeof(k))) {
		print_error("%s: key differs: lport %u rport %u proto %u l3 %u reserved %u\n",
			    c->name, ntohs(k.lport), ntohs(k.rport), k.proto, k.ipver, k.reserved);
		return false;
	}
	if (state != c->state) {
		print_error("%s: state %u, want %u\n", c->name, state, c->state);
		return false;
	}
	return true;
}

static void test_proc_lines(void **state)
{
	size_t i, bad = 0;

	if (!little_endian())
		skip();
	for (i = 0; i < ARRAY_SIZE(proc_cases); i++)
		bad += !check_proc_case(&proc_cases[i]);
	if (bad)
		fail_msg("%zu of %zu proc lines wrong", bad, ARRAY_SIZE(proc_cases));
}

/* Every field of one IPv4 and one IPv6 key, word by word, with the padding. */
static void test_proc_key_words(void **state)
{
	static const char v4[] = "   2: 020012C6:0016 010012C6:D431 01 " TCP_TAIL "\n";
	static const char v6[] =
		"   2: B80D0120BBBBAAAADDDDCCCC01FFEEEE:A2B4 B80D0120000000000000000001000000:01BB 02 "
		TCP_TAIL "\n";
	struct xdpfw_ct_key k;
	__u8 st = 0;

	if (!little_endian())
		skip();
	memset(&k, 0xff, sizeof(k));
	assert_int_equal(seed_parse_proc_line(v4, 4, IPPROTO_TCP, &k, &st), 1);
	assert_int_equal(k.local[0], htonl(0xc6120002)); /* 198.18.0.2 */
	assert_int_equal(k.local[1], 0);
	assert_int_equal(k.local[2], 0);
	assert_int_equal(k.local[3], 0);
	assert_int_equal(k.remote[0], htonl(0xc6120001)); /* 198.18.0.1 */
	assert_int_equal(k.remote[1], 0);
	assert_int_equal(k.remote[2], 0);
	assert_int_equal(k.remote[3], 0);
	assert_int_equal(k.lport, htons(22));
	assert_int_equal(k.rport, htons(54321));
	assert_int_equal(k.proto, IPPROTO_TCP);
	assert_int_equal(k.ipver, 4);
	assert_int_equal(k.reserved, 0);
	assert_int_equal(st, XDPFW_CT_ESTABLISHED);

	memset(&k, 0xff, sizeof(k));
	assert_int_equal(seed_parse_proc_line(v6, 6, IPPROTO_TCP, &k, &st), 1);
	/* 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff01 */
	assert_int_equal(k.local[0], htonl(0x20010db8));
	assert_int_equal(k.local[1], htonl(0xaaaabbbb));
	assert_int_equal(k.local[2], htonl(0xccccdddd));
	assert_int_equal(k.local[3], htonl(0xeeeeff01));
	/* 2001:db8::1 */
	assert_int_equal(k.remote[0], htonl(0x20010db8));
	assert_int_equal(k.remote[1], 0);
	assert_int_equal(k.remote[2], 0);
	assert_int_equal(k.remote[3], htonl(1));
	assert_int_equal(k.lport, htons(41652));
	assert_int_equal(k.rport, htons(443));
	assert_int_equal(k.proto, IPPROTO_TCP);
	assert_int_equal(k.ipver, 6);
	assert_int_equal(k.reserved, 0);
	assert_int_equal(st, XDPFW_CT_SYN_SENT);
}

/*
 * The same established socket through all four files' parsers: the key
 * takes the protocol and family it is given.
 */
static void test_proc_proto_and_family(void **state)
{
	static const char v4[] = "   2: 020012C6:0016 010012C6:D431 01 " TCP_TAIL "\n";
	static const char v6[] =
		"   1: B80D0120000000000000000001000000:0016 B80D0120000000000000000002000000:D431 01 "
		TCP_TAIL "\n";
	struct xdpfw_ct_key k;
	__u8 st;

	if (!little_endian())
		skip();
	assert_int_equal(seed_parse_proc_line(v4, 4, IPPROTO_UDP, &k, &st), 1);
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_int_equal(k.ipver, 4);
	assert_int_equal(st, XDPFW_CT_ESTABLISHED);
	assert_int_equal(seed_parse_proc_line(v6, 6, IPPROTO_UDP, &k, &st), 1);
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_int_equal(k.ipver, 6);
	assert_int_equal(st, XDPFW_CT_ESTABLISHED);
	/* UDP knows only 01 (connected): a TCP-only state is not a flow. */
	assert_int_equal(seed_parse_proc_line("   2: 020012C6:0016 010012C6:D431 02 " TCP_TAIL "\n",
					    4, IPPROTO_UDP, &k, &st),
			 0);
	assert_int_equal(seed_parse_proc_line("   2: 020012C6:0016 010012C6:D431 04 " TCP_TAIL "\n",
					    4, IPPROTO_UDP, &k, &st),
			 0);
}

/*
 * This host's own files: the running kernel's format parses, the header
 * line is 0 and no line is -EINVAL. A loopback connection and a connected
 * UDP socket make sure there are socket lines to read (loopback: 0).
 */
static void test_proc_this_host(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int lfd, cfd = -1, ufd = -1;
	struct xdpfw_ct_key k;
	char path[64], *line = NULL;
	size_t cap = 0, i;
	unsigned int n, lines[ARRAY_SIZE(files)] = { 0 };
	int ret;
	__u8 st;
	FILE *f;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd >= 0 && !bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) && !listen(lfd, 1) &&
	    !getsockname(lfd, (struct sockaddr *)&sin, &len)) {
		cfd = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd >= 0 && connect(cfd, (struct sockaddr *)&sin, sizeof(sin))) {
			close(cfd);
			cfd = -1;
		}
		ufd = socket(AF_INET, SOCK_DGRAM, 0);
		if (ufd >= 0 && connect(ufd, (struct sockaddr *)&sin, sizeof(sin))) {
			close(ufd);
			ufd = -1;
		}
	}

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/proc/net/%s", files[i].name);
		f = fopen(path, "r");
		if (!f)
			continue; /* no IPv6 */
		for (n = 0; getline(&line, &cap, f) > 0; n++) {
			ret = seed_parse_proc_line(line, files[i].ipver, files[i].proto, &k, &st);
			if (n == 0 && ret != 0)
				fail_msg("%s header: returned %d: %s", path, ret, line);
			if (ret < 0)
				fail_msg("%s line %u: returned %d: %s", path, n + 1, ret, line);
		}
		fclose(f);
		lines[i] = n;
	}
	free(line);
	if (cfd >= 0)
		assert_true(lines[TCP4] >= 4); /* header, listener, both ends */
	if (ufd >= 0)
		assert_true(lines[UDP4] >= 2);
	if (ufd >= 0)
		close(ufd);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
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

/* An IPv6 socket with an IPv4 peer: its packets are IPv4, so is its key. */
static void test_v4_mapped(void **state)
{
	static const char line[] = "   1: 0000000000000000FFFF0000010012C6:0016 "
				   "0000000000000000FFFF0000020012C6:D431 01 " TCP_TAIL "\n";
	static const char lo[] = "   2: 0000000000000000FFFF00000100007F:0016 "
				 "0000000000000000FFFF00000100007F:D431 01 " TCP_TAIL "\n";
	struct xdpfw_ct_key k, want = {
		.local = { htonl(0xc6120001) },
		.remote = { htonl(0xc6120002) },
		.lport = htons(22),
		.rport = htons(54321),
		.proto = IPPROTO_TCP,
		.ipver = 4,
	};
	__u8 st;

	memset(&k, 0xa5, sizeof(k));
	assert_int_equal(seed_parse_proc_line(line, 6, IPPROTO_TCP, &k, &st), 1);
	assert_memory_equal(&k, &want, sizeof(k));
	assert_int_equal(st, XDPFW_CT_ESTABLISHED);
	assert_int_equal(seed_parse_proc_line(lo, 6, IPPROTO_TCP, &k, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_lines),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_proc_key_words),
		cmocka_unit_test(test_proc_proto_and_family),
		cmocka_unit_test(test_proc_this_host),
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
