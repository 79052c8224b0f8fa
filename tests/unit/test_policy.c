// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the policy parser (user/policy.c): good files, every error
 * message, port boundaries, the command-line port lists, the normalised
 * output and the file reader. Run from the top of the tree (the Makefile
 * does): one test reads docs/policies/outlook-proxy.conf by relative path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "util.h"

#define NAME		"test.conf"
#define DEFAULT_FILE	"docs/policies/outlook-proxy.conf"
#define PATTERN		0xa5
/* The flags of default, icmp and icmp6. */
#define XDPFW_F_ALL	(XDPFW_F_DEFAULT_PASS | XDPFW_F_ICMP_DROP | XDPFW_F_ICMP6_DROP)

/* What the parser says when a line starts with a word it does not know. */
#define DIRECTIVES                                                                                 \
	"expected 'default', 'icmp', 'icmp6', 'allow', 'deny', 'limit', 'blocklist-replies', "      \
	"'conntrack-size', 'log-rate' or 'timeout'"

/*
 * The documented defaults, written out rather than taken from
 * XDPFW_CT_TIMEOUTS: by enum xdpfw_ct_timeout, tcp-syn-sent, tcp-established,
 * tcp-fin, tcp-close, udp, udp-stream, icmp.
 */
#define DEFAULT_CT_SIZE 262144
static const __u32 default_timeouts[] = { 120, 432000, 120, 10, 30, 180, 30 };

_Static_assert(ARRAY_SIZE(default_timeouts) == XDPFW_CT_TO_MAX,
	       "one default per timeout");
_Static_assert(XDPFW_CT_DEFAULT_SIZE == DEFAULT_CT_SIZE, "documented conntrack-size default");

/* An inclusive port range; lists of them end with END (port 0 is never allowed). */
struct range {
	unsigned int lo, hi;
};

#define END { 0, 0 }
#define R(...) ((const struct range[]){ __VA_ARGS__, END })
#define NONE ((const struct range[]){ END })

/* The built-in policy as the reference iptables ruleset has it. */
static const struct range default_tcp[] = {
	{ 22, 22 },     { 25, 25 },     { 53, 53 },     { 110, 110 },   { 389, 389 },
	{ 465, 465 },   { 587, 587 },   { 636, 636 },   { 953, 953 },   { 993, 993 },
	{ 995, 995 },   { 1023, 1023 }, { 3268, 3268 }, { 3269, 3269 }, { 5222, 5222 },
	{ 5269, 5269 }, { 5280, 5280 }, { 8080, 8080 },
	END,
};

static const struct range default_udp[] = { { 53, 53 }, { 953, 953 }, END };

static bool in_ranges(const struct range *r, unsigned int port)
{
	for (; r->lo; r++)
		if (port >= r->lo && port <= r->hi)
			return true;
	return false;
}

/* The bitmap the ranges describe, built bit by bit without the parser's helpers. */
static void build_bpf(struct xdpfw_policy *exp, __u32 flags, const struct range *tcp,
		      const struct range *udp)
{
	const struct range *lists[XDPFW_L4_MAX] = { tcp, udp };
	unsigned int l4, p;

	memset(exp, 0, sizeof(*exp));
	exp->flags = flags;
	exp->log_rate = XDPFW_LOG_RATE_DEFAULT;
	memcpy(exp->timeouts, default_timeouts, sizeof(exp->timeouts));
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		for (p = 0; p < XDPFW_PORTS; p++)
			if (in_ranges(lists[l4], p))
				exp->ports[l4][p / 64] |= 1ULL << (p % 64);
}

/*
 * The policy has exactly these flags, ports, counts, conntrack-size and
 * timeouts: every one of the 2 x 65536 bits is compared, through the accessor
 * and in the raw bitmap (which also covers the reserved word), and every
 * timeout by name.
 */
static void check_policy_ct(const char *what, const struct policy *pol, __u32 flags,
			    const struct range *tcp, unsigned int n_tcp, const struct range *udp,
			    unsigned int n_udp, __u32 ct_size, const __u32 timeouts[XDPFW_CT_TO_MAX])
{
	const struct range *lists[XDPFW_L4_MAX] = { tcp, udp };
	const unsigned int counts[XDPFW_L4_MAX] = { n_tcp, n_udp };
	struct xdpfw_policy exp;
	unsigned int l4, p, t;
	bool want, got;

	if (pol->bpf.flags != flags)
		fail_msg("%s: flags 0x%x, want 0x%x", what, pol->bpf.flags, flags);
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
		for (p = 0; p < XDPFW_PORTS; p++) {
			want = in_ranges(lists[l4], p);
			got = policy_port_allowed(pol, l4, p);
			if (want != got)
				fail_msg("%s: %s port %u is %s, want %s", what,
					 policy_l4_name(l4), p, got ? "allowed" : "not allowed",
					 want ? "allowed" : "not allowed");
		}
		if (policy_port_count(pol, l4) != counts[l4])
			fail_msg("%s: %u %s ports, want %u", what, policy_port_count(pol, l4),
				 policy_l4_name(l4), counts[l4]);
		/* Out-of-range ports are never allowed, whatever the bitmap holds. */
		assert_false(policy_port_allowed(pol, l4, XDPFW_PORTS));
		assert_false(policy_port_allowed(pol, l4, UINT_MAX));
	}
	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		if (pol->bpf.timeouts[t] != timeouts[t])
			fail_msg("%s: timeout %s is %u, want %u", what, policy_timeout_name(t),
				 pol->bpf.timeouts[t], timeouts[t]);
	if (pol->ct_size != ct_size)
		fail_msg("%s: conntrack-size %u, want %u", what, pol->ct_size, ct_size);
	build_bpf(&exp, flags, tcp, udp);
	memcpy(exp.timeouts, timeouts, sizeof(exp.timeouts));
	if (memcmp(&pol->bpf, &exp, sizeof(exp)))
		fail_msg("%s: raw struct xdpfw_policy differs from the expected one", what);
}

/* As check_policy_ct, with the default conntrack-size and timeouts. */
static void check_policy(const char *what, const struct policy *pol, __u32 flags,
			 const struct range *tcp, unsigned int n_tcp, const struct range *udp,
			 unsigned int n_udp)
{
	check_policy_ct(what, pol, flags, tcp, n_tcp, udp, n_udp, DEFAULT_CT_SIZE,
			default_timeouts);
}

static int parse_str(struct policy *pol, const char *text, struct policy_error *err)
{
	return policy_parse(pol, text, strlen(text), NAME, err);
}

/* ---- the built-in policy ---------------------------------------------- */

static void test_default_policy_exact_ports(void **state)
{
	struct policy pol;

	memset(&pol, PATTERN, sizeof(pol));
	assert_int_equal(policy_parse_default(&pol), 0);
	/* Default drop, ICMP and ICMPv6 pass: flags 0. */
	check_policy("built-in", &pol, 0, default_tcp, 18, default_udp, 2);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

/* The compiled-in text is the shipped file, byte for byte (a stale build would differ). */
static void test_default_policy_is_shipped_file(void **state)
{
	struct policy_error err = { "" };
	struct policy def, file;
	size_t len;
	char *text = slurp(DEFAULT_FILE, &len);

	assert_int_equal(strlen(xdpfw_default_policy), len);
	assert_memory_equal(xdpfw_default_policy, text, len);
	free(text);

	memset(&def, 0x11, sizeof(def));
	memset(&file, 0x22, sizeof(file));
	assert_int_equal(policy_parse_default(&def), 0);
	assert_int_equal(policy_parse_file(&file, DEFAULT_FILE, &err), 0);
	assert_string_equal(err.msg, "");
	assert_memory_equal(&file.bpf, &def.bpf, sizeof(def.bpf));
	assert_int_equal(file.ct_size, def.ct_size);
}

/* ---- good files --------------------------------------------------------- */

struct good_case {
	const char *name;
	const char *text;
	size_t len;
	__u32 flags;
	const struct range *tcp, *udp;
	unsigned int n_tcp, n_udp;
};

#define GOOD(n, t, f, tcp_, ntcp, udp_, nudp)                                                   \
	{ n, t, sizeof(t) - 1, f, tcp_, udp_, ntcp, nudp }

static const struct good_case good_cases[] = {
	GOOD("empty file gives the defaults", "", 0, NONE, 0, NONE, 0),
	GOOD("comments and blank lines only", "# a comment\n\n   \n\t\n  # indented\n# no newline",
	     0, NONE, 0, NONE, 0),
	GOOD("explicit defaults", "default drop\nicmp pass\nicmp6 pass\n", 0, NONE, 0, NONE, 0),
	GOOD("default pass", "default pass\n", XDPFW_F_DEFAULT_PASS, NONE, 0, NONE, 0),
	GOOD("icmp drop", "icmp drop\n", XDPFW_F_ICMP_DROP, NONE, 0, NONE, 0),
	GOOD("icmp6 drop", "icmp6 drop\n", XDPFW_F_ICMP6_DROP, NONE, 0, NONE, 0),
	GOOD("all three settings, any order", "icmp6 drop\nicmp drop\ndefault pass\n",
	     XDPFW_F_ALL, NONE, 0, NONE, 0),
	GOOD("comment right after a value", "default pass#audit mode\n", XDPFW_F_DEFAULT_PASS,
	     NONE, 0, NONE, 0),
	GOOD("CRLF line endings", "default pass\r\nallow tcp 22\r\n\r\n# c\r\nallow udp 53\r\n",
	     XDPFW_F_DEFAULT_PASS, R({ 22, 22 }), 1, R({ 53, 53 }), 1),
	GOOD("CR before end of file without LF", "allow tcp 22\r", 0, R({ 22, 22 }), 1, NONE, 0),
	GOOD("no newline at end of file", "allow tcp 22", 0, R({ 22, 22 }), 1, NONE, 0),
	GOOD("tabs as blanks", "\tallow\ttcp\t22\t25\t# c\n", 0, R({ 22, 22 }, { 25, 25 }), 2,
	     NONE, 0),
	GOOD("range", "allow tcp 6000-6010\n", 0, R({ 6000, 6010 }), 11, NONE, 0),
	GOOD("list separated by commas and/or blanks", "allow tcp 22,25 80 , 443,\t8000-8002\n",
	     0, R({ 22, 22 }, { 25, 25 }, { 80, 80 }, { 443, 443 }, { 8000, 8002 }), 7, NONE, 0),
	GOOD("comment right after a port", "allow tcp 22#ssh\n", 0, R({ 22, 22 }), 1, NONE, 0),
	GOOD("udp list", "allow udp 53 123,500-501\n", 0, NONE, 0,
	     R({ 53, 53 }, { 123, 123 }, { 500, 501 }), 4),
	GOOD("deny takes a port out of an earlier range", "allow tcp 6000-6010\ndeny tcp 6005\n", 0,
	     R({ 6000, 6004 }, { 6006, 6010 }), 10, NONE, 0),
	GOOD("deny range across 64-bit words", "allow tcp 1-200\ndeny tcp 60-130\n", 0,
	     R({ 1, 59 }, { 131, 200 }), 129, NONE, 0),
	/* Lines apply in order: a later allow undoes an earlier deny. */
	GOOD("allow after deny wins", "deny tcp 22\nallow tcp 22\n", 0, R({ 22, 22 }), 1, NONE, 0),
	GOOD("deny of a port never allowed", "deny tcp 22\ndeny udp 1-65535\n", 0, NONE, 0, NONE,
	     0),
	GOOD("deny touches only its protocol", "allow tcp 53\nallow udp 53\ndeny udp 53\n", 0,
	     R({ 53, 53 }), 1, NONE, 0),
	GOOD("port 1", "allow tcp 1\n", 0, R({ 1, 1 }), 1, NONE, 0),
	GOOD("port 65535", "allow udp 65535\n", 0, NONE, 0, R({ 65535, 65535 }), 1),
	GOOD("range 1-65535 sets every port but 0", "allow tcp 1-65535\n", 0, R({ 1, 65535 }),
	     65535, NONE, 0),
	GOOD("range 65535-65535", "allow tcp 65535-65535\n", 0, R({ 65535, 65535 }), 1, NONE, 0),
	GOOD("range of one port", "allow tcp 64-64\n", 0, R({ 64, 64 }), 1, NONE, 0),
	GOOD("range across a 64-bit word boundary", "allow udp 63-64\n", 0, NONE, 0,
	     R({ 63, 64 }), 2),
	GOOD("duplicate port in a list", "allow tcp 22,22\n", 0, R({ 22, 22 }), 1, NONE, 0),
	GOOD("duplicate allow lines", "allow tcp 22\nallow tcp 22\n", 0, R({ 22, 22 }), 1, NONE,
	     0),
	GOOD("overlapping ranges on two lines", "allow tcp 20-30\nallow tcp 25-35\n", 0,
	     R({ 20, 35 }), 16, NONE, 0),
	GOOD("overlapping ranges in one list", "allow tcp 20-30,25-35 28\n", 0, R({ 20, 35 }), 16,
	     NONE, 0),
};

static void test_good_files(void **state)
{
	const struct good_case *c;
	struct policy_error err;
	struct policy pol;
	int ret;

	for (c = good_cases; c < good_cases + ARRAY_SIZE(good_cases); c++) {
		/* Whatever the struct held before, a successful parse replaces all of it. */
		memset(&pol, PATTERN, sizeof(pol));
		ret = policy_parse(&pol, c->text, c->len, NAME, &err);
		if (ret)
			fail_msg("%s: returned %d: %s", c->name, ret, err.msg);
		check_policy(c->name, &pol, c->flags, c->tcp, c->n_tcp, c->udp, c->n_udp);
	}
}

/* ---- errors ------------------------------------------------------------- */

struct err_case {
	const char *name;
	const char *text;
	size_t len;
	const char *msg;
};

#define ERR(n, t, m) { n, t, sizeof(t) - 1, m }

static const char long_digits[] = "allow tcp 9999999999999999999999999999999999999999";

static const struct err_case err_cases[] = {
	/* Directives */
	ERR("unknown directive", "permit tcp 22\n",
	    NAME ":1:1: " DIRECTIVES ", got 'permit'"),
	ERR("unknown directive after comments and blanks, indented", "# c\n\n  permit tcp 22\n",
	    NAME ":3:3: " DIRECTIVES ", got 'permit'"),
	ERR("directives are case sensitive", "Default drop\n",
	    NAME ":1:1: " DIRECTIVES ", got 'Default'"),
	ERR("line starting with a comma", ",\n",
	    NAME ":1:1: " DIRECTIVES ", got ','"),
	ERR("non-ASCII bytes shown as '?'", "\xc3\xa9t\xc3\xa9\n",
	    NAME ":1:1: " DIRECTIVES ", got '?""?t?""?'"),
	ERR("long word cut to 32 bytes", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n",
	    NAME ":1:1: " DIRECTIVES ", got "
		 "'abcdefghijklmnopqrstuvwxyzABCDEF...'"),
	ERR("first error wins", "bogus\nalso bogus\n",
	    NAME ":1:1: " DIRECTIVES ", got 'bogus'"),
	ERR("error on a later line", "default drop\n\nallow tcp 22\nallow udp 0\n",
	    NAME ":4:11: port 0 out of range (1-65535)"),
	ERR("columns count bytes, a tab is one", "\tallow\ttcp\tssh\n",
	    NAME ":1:12: expected a port number (1-65535), got 'ssh'"),
	ERR("CRLF file: CR not part of the word", "allow tcp 22\r\nallow tcp x\r\n",
	    NAME ":2:11: expected a port number (1-65535), got 'x'"),

	/* Settings */
	ERR("default without value", "default\n",
	    NAME ":1:8: expected 'drop' or 'pass' after 'default'"),
	ERR("default without value, blanks and comment", "default   # x\n",
	    NAME ":1:11: expected 'drop' or 'pass' after 'default'"),
	ERR("default with invalid value", "default maybe\n",
	    NAME ":1:9: expected 'drop' or 'pass' after 'default', got 'maybe'"),
	ERR("default value is case sensitive", "default DROP\n",
	    NAME ":1:9: expected 'drop' or 'pass' after 'default', got 'DROP'"),
	ERR("icmp without value", "icmp\n", NAME ":1:5: expected 'pass' or 'drop' after 'icmp'"),
	ERR("icmp with invalid value", "icmp block\n",
	    NAME ":1:6: expected 'pass' or 'drop' after 'icmp', got 'block'"),
	ERR("icmp6 without value", "icmp6\n", NAME ":1:6: expected 'pass' or 'drop' after 'icmp6'"),
	ERR("icmp6 with invalid value", "icmp6 yes\n",
	    NAME ":1:7: expected 'pass' or 'drop' after 'icmp6', got 'yes'"),
	ERR("duplicate default names the first line", "default drop\nicmp pass\ndefault pass\n",
	    NAME ":3:1: 'default' already set on line 1"),
	ERR("duplicate default with the same value", "# x\ndefault drop\ndefault drop\n",
	    NAME ":3:1: 'default' already set on line 2"),
	ERR("duplicate icmp", "icmp pass\nicmp drop\n", NAME ":2:1: 'icmp' already set on line 1"),
	ERR("duplicate icmp6", "icmp6 drop\n\nicmp6 pass\n",
	    NAME ":3:1: 'icmp6' already set on line 1"),

	/* Rules */
	ERR("allow without protocol", "allow\n",
	    NAME ":1:6: expected 'tcp' or 'udp' after 'allow'"),
	ERR("deny without protocol, comment", "deny  # c\n",
	    NAME ":1:7: expected 'tcp' or 'udp' after 'deny'"),
	ERR("comma instead of blank after allow", "allow,tcp 22\n",
	    NAME ":1:6: expected 'tcp' or 'udp' after 'allow'"),
	ERR("unknown protocol", "allow sctp 22\n",
	    NAME ":1:7: expected 'tcp' or 'udp' after 'allow', got 'sctp'"),
	ERR("protocol is case sensitive", "deny TCP 22\n",
	    NAME ":1:6: expected 'tcp', 'udp' or 'from' after 'deny', got 'TCP'"),
	ERR("allow without port list", "allow tcp\n",
	    NAME ":1:10: expected a port list after 'tcp'"),
	ERR("deny without port list, comment", "deny udp   # none\n",
	    NAME ":1:12: expected a port list after 'udp'"),
	ERR("port list starts with a comma", "allow tcp,22\n",
	    NAME ":1:10: expected a port number (1-65535)"),
	ERR("service name instead of a port", "allow tcp ssh\n",
	    NAME ":1:11: expected a port number (1-65535), got 'ssh'"),
	ERR("letters glued to a port", "allow tcp 22x\n",
	    NAME ":1:13: expected a port number (1-65535), got 'x'"),
	ERR("word after a port", "allow tcp 22 http\n",
	    NAME ":1:14: expected 'from' or the end of the line after the port list, got 'http'"),
	ERR("word after a denied port", "deny tcp 22 http\n",
	    NAME ":1:13: expected a port number (1-65535), got 'http'"),
	ERR("negative port", "allow tcp -22\n",
	    NAME ":1:11: expected a port number (1-65535), got '-22'"),
	ERR("plus sign", "allow tcp +22\n",
	    NAME ":1:11: expected a port number (1-65535), got '+22'"),
	ERR("empty item", "allow tcp 22,,25\n", NAME ":1:14: expected a port number (1-65535)"),
	ERR("empty item between blanks", "allow tcp 22, ,25\n",
	    NAME ":1:15: expected a port number (1-65535)"),
	ERR("trailing comma", "allow tcp 22,\n", NAME ":1:14: expected a port number (1-65535)"),
	ERR("trailing comma and blank", "allow udp 22, \n",
	    NAME ":1:15: expected a port number (1-65535)"),
	ERR("range without upper end", "allow tcp 22-\n",
	    NAME ":1:14: expected a port number (1-65535)"),
	ERR("range with a word as upper end", "allow tcp 22-x\n",
	    NAME ":1:14: expected a port number (1-65535), got 'x'"),
	ERR("double dash", "allow tcp 22--25\n",
	    NAME ":1:14: expected a port number (1-65535), got '-25'"),
	ERR("range of three", "allow tcp 22-25-30\n",
	    NAME ":1:16: expected a port number (1-65535), got '-30'"),
	ERR("reversed range", "allow tcp 30-20\n", NAME ":1:11: range 30-20 is reversed"),
	ERR("reversed range later in a list", "allow udp 53 100-99\n",
	    NAME ":1:14: range 100-99 is reversed"),

	/* Bytes */
	ERR("NUL byte", "allow tcp 22\0\n", NAME ":1:13: unexpected NUL byte (binary file?)"),
	ERR("NUL byte in a comment on line 2", "default drop\n# a\0b\n",
	    NAME ":2:4: unexpected NUL byte (binary file?)"),
	ERR("control character", "allow tcp 22\x01\n",
	    NAME ":1:13: unexpected control character 0x01"),
	/* Bytes are checked before the line is parsed: this is not "unknown directive". */
	ERR("control character after bad word", "bogus\x1b\n",
	    NAME ":1:6: unexpected control character 0x1b"),
	ERR("DEL in a comment", "# \x7f\n", NAME ":1:3: unexpected control character 0x7f"),
	ERR("CR in the middle of a line", "allow tcp 22\rx\n",
	    NAME ":1:13: unexpected control character 0x0d"),
	ERR("form feed", "\fallow tcp 22\n", NAME ":1:1: unexpected control character 0x0c"),

	/* Port numbers */
	ERR("port 0", "allow tcp 0\n", NAME ":1:11: port 0 out of range (1-65535)"),
	ERR("port 0 written 00000", "allow tcp 00000\n",
	    NAME ":1:11: port 00000 out of range (1-65535)"),
	ERR("port 65536", "allow tcp 65536\n", NAME ":1:11: port 65536 out of range (1-65535)"),
	ERR("range from 0", "allow tcp 0-5\n", NAME ":1:11: port 0 out of range (1-65535)"),
	ERR("range to 0", "allow tcp 5-0\n", NAME ":1:13: port 0 out of range (1-65535)"),
	ERR("range to 65536", "allow tcp 22-65536\n",
	    NAME ":1:14: port 65536 out of range (1-65535)"),
	/* A number that overflows any integer type must still be caught, not wrap. */
	ERR("very long number", "allow tcp 99999999999999999999999\n",
	    NAME ":1:11: port 99999999999999999999999 out of range (1-65535)"),
	ERR("port 2^32 + 22 does not wrap to 22", "allow tcp 4294967318\n",
	    NAME ":1:11: port 4294967318 out of range (1-65535)"),
	ERR("port 2^64 + 22 does not wrap to 22", "allow tcp 18446744073709551638\n",
	    NAME ":1:11: port 18446744073709551638 out of range (1-65535)"),
	ERR("40-digit number cut to 32 bytes", long_digits,
	    NAME ":1:11: port 99999999999999999999999999999999... out of range (1-65535)"),
};

/* Runs one failing parse: exact message, -EINVAL, and the caller's struct untouched. */
static bool check_error(const struct err_case *c)
{
	struct policy pol, orig;
	struct policy_error err;
	int ret;

	memset(&pol, PATTERN, sizeof(pol));
	memcpy(&orig, &pol, sizeof(pol));
	memset(&err, 0, sizeof(err));
	ret = policy_parse(&pol, c->text, c->len, NAME, &err);
	if (ret != -EINVAL || strcmp(err.msg, c->msg)) {
		print_error("%s:\n   got %d \"%s\"\n  want %d \"%s\"\n", c->name, ret, err.msg,
			    -EINVAL, c->msg);
		return false;
	}
	if (memcmp(&pol, &orig, sizeof(pol))) {
		print_error("%s: failed parse changed the caller's policy\n", c->name);
		return false;
	}
	return true;
}

static void run_error_cases(const struct err_case *cases, size_t n)
{
	size_t i, bad = 0;

	/* Every case runs, so one report lists all the messages that differ. */
	for (i = 0; i < n; i++)
		bad += !check_error(&cases[i]);
	if (bad)
		fail_msg("%zu of %zu error cases wrong", bad, n);
}

static void test_errors(void **state)
{
	run_error_cases(err_cases, ARRAY_SIZE(err_cases));
}

/*
 * Regression, a fixed bug in policy.c's expect_end: the column came from
 * ps->pos, read in the same call as next_word(ps), which moves it; the order
 * of evaluation is unspecified and GCC reported the column after the word
 * ("icmp6 drop extra" gave 1:17, not 1:12). A comma gave an empty word:
 * "unexpected ''".
 */
static const struct err_case trailing_cases[] = {
	ERR("trailing garbage after a setting", "icmp6 drop extra\n",
	    NAME ":1:12: unexpected 'extra' after 'icmp6'"),
	ERR("value given twice", "default pass pass\n",
	    NAME ":1:14: unexpected 'pass' after 'default'"),
	ERR("trailing garbage after icmp, then comment", "icmp drop  now # c\n",
	    NAME ":1:12: unexpected 'now' after 'icmp'"),
	ERR("comma after a setting", "default drop,pass\n",
	    NAME ":1:13: unexpected ',' after 'default'"),
};

static void trailing_garbage_after_setting(void **state)
{
	run_error_cases(trailing_cases, ARRAY_SIZE(trailing_cases));
}

/*
 * Regression, a fixed bug in policy.c's parse_setting: a duplicate setting was
 * reported at the start of the line, not at the word; indented, that column
 * is a blank ("2:1").
 */
static const struct err_case dup_cases[] = {
	ERR("indented duplicate default", "default drop\n  default pass\n",
	    NAME ":2:3: 'default' already set on line 1"),
	ERR("tab-indented duplicate icmp6", "icmp6 drop\n\ticmp6 drop\n",
	    NAME ":2:2: 'icmp6' already set on line 1"),
};

static void duplicate_setting_column(void **state)
{
	run_error_cases(dup_cases, ARRAY_SIZE(dup_cases));
}

/* A bad parse after lines that did set ports and flags still changes nothing. */
static void test_failed_parse_leaves_policy_untouched(void **state)
{
	static const char text[] = "allow tcp 1-65535\nallow udp 1-65535\ndefault pass\n"
				   "icmp drop\nicmp6 drop\nbogus\n";
	struct policy_error err;
	struct policy pol, orig;

	memset(&pol, PATTERN, sizeof(pol));
	orig = pol;
	assert_int_equal(parse_str(&pol, text, &err), -EINVAL);
	assert_string_equal(err.msg, NAME ":6:1: " DIRECTIVES ", got 'bogus'");
	assert_memory_equal(&pol, &orig, sizeof(pol));
}

/*
 * Parses "bogus" under a name of len bytes: the message is "NAME:1:1: ..." cut to
 * the 255 bytes msg[256] holds, and not one byte after struct policy_error is
 * written (the guard would show it).
 */
static void check_long_name(size_t len)
{
	struct {
		struct policy_error err;
		unsigned char guard[2048];
	} e;
	char name[1100], want[1300];
	struct policy pol;
	size_t j;

	assert_true(len < sizeof(name));
	memset(name, 'n', len);
	name[len] = '\0';
	snprintf(want, sizeof(want), "%s:1:1: " DIRECTIVES ", got 'bogus'", name);
	want[sizeof(e.err.msg) - 1] = '\0';
	memset(&e, 0x5a, sizeof(e));
	assert_int_equal(policy_parse(&pol, "bogus", 5, name, &e.err), -EINVAL);
	for (j = 0; j < sizeof(e.guard); j++)
		if (e.guard[j] != 0x5a)
			fail_msg("name of %zu bytes: byte %zu past struct policy_error written",
				 len, j);
	assert_string_equal(e.err.msg, want);
}

/*
 * 244 + ":1:1: " is 250 bytes, so the text after it is cut; 249 + 6 fills the
 * buffer exactly; 250 + 6 leaves no room for any of the text.
 */
static void test_long_name_truncated(void **state)
{
	check_long_name(244);
	check_long_name(249);
	check_long_name(250);
}

/*
 * Regression, a fixed bug in policy.c's fail: when "NAME:LINE:COL: " did not
 * fit msg[256], snprintf returned more than 256 and the vsnprintf that
 * followed was given msg + n and a size of 256 - n, which wrapped to a huge
 * size_t: it wrote past the end of struct policy_error. `xdpfw load --policy
 * <path of 251+ bytes>` with an error in the file overwrote main()'s stack.
 */
static void long_name_does_not_overflow_error_buffer(void **state)
{
	check_long_name(251);
	check_long_name(256);
	check_long_name(300);
	check_long_name(1000);
}

/* ---- policy_parse_file --------------------------------------------------- */

#define MAX_TEMPS 4
static char temps[MAX_TEMPS][32];
static char temp_dir[32];

static const char *write_temp(const void *data, size_t len)
{
	size_t i;
	int fd;

	for (i = 0; i < MAX_TEMPS && temps[i][0]; i++)
		;
	assert_true(i < MAX_TEMPS);
	strcpy(temps[i], "/tmp/xdpfw-test-XXXXXX");
	fd = mkstemp(temps[i]);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return temps[i];
}

/* Teardown: temp files go even when an assertion failed half-way. */
static int remove_temps(void **state)
{
	size_t i;

	for (i = 0; i < MAX_TEMPS; i++) {
		if (temps[i][0])
			unlink(temps[i]);
		temps[i][0] = '\0';
	}
	if (temp_dir[0])
		rmdir(temp_dir);
	temp_dir[0] = '\0';
	return 0;
}

static void test_file_good(void **state)
{
	static const char text[] = "default pass\r\nallow tcp 22,80-81\nallow udp 53\n";
	const char *path = write_temp(text, sizeof(text) - 1);
	struct policy_error err;
	struct policy pol;

	memset(&pol, PATTERN, sizeof(pol));
	assert_int_equal(policy_parse_file(&pol, path, &err), 0);
	check_policy(path, &pol, XDPFW_F_DEFAULT_PASS, R({ 22, 22 }, { 80, 81 }), 3,
		     R({ 53, 53 }), 1);
}

static void test_file_empty(void **state)
{
	const char *path = write_temp("", 0);
	struct policy_error err;
	struct policy pol;

	memset(&pol, PATTERN, sizeof(pol));
	assert_int_equal(policy_parse_file(&pol, path, &err), 0);
	check_policy(path, &pol, 0, NONE, 0, NONE, 0);
}

/* The paths the file error cases make: each returns the path it prepared. */
static const char *bad_port_file(void)
{
	static const char text[] = "default drop\nallow tcp x\n";

	return write_temp(text, sizeof(text) - 1);
}

static const char *binary_file(void)
{
	static const char data[] = "default pass\nallow tcp 22\0\x01\x02\x7f\n";

	return write_temp(data, sizeof(data) - 1);
}

/* A name mkstemp made unique, then removed: certainly absent. */
static const char *missing_file(void)
{
	const char *path = write_temp("", 0);

	assert_int_equal(unlink(path), 0);
	return path;
}

static const char *make_temp_dir(void)
{
	strcpy(temp_dir, "/tmp/xdpfw-test-XXXXXX");
	assert_non_null(mkdtemp(temp_dir));
	return temp_dir;
}

/* A character device reads as empty: it must not pass as an empty policy. */
static const char *dev_null(void)
{
	return "/dev/null";
}

/* A FIFO would block open() until a writer came: refused at once, like a socket. */
static const char *fifo(void)
{
	snprintf(temps[0], sizeof(temps[0]), "%s/fifo", make_temp_dir());
	assert_int_equal(mkfifo(temps[0], 0600), 0);
	return temps[0];
}

static const char *unix_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(temps[0], sizeof(temps[0]), "%s/sock", make_temp_dir());
	strcpy(sun.sun_path, temps[0]);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	return temps[0];
}

static const char *too_large_file(void)
{
	const char *path = write_temp("", 0);

	assert_int_equal(truncate(path, POLICY_MAX_BYTES + 1), 0);
	return path;
}

/* A file that cannot be a policy: the error, "%s" standing for its path, and no change. */
static const struct file_err_case {
	const char *name;
	const char *(*make)(void);
	int err;
	const char *msg;
} file_err_cases[] = {
	{ "errors in a file are named by its path", bad_port_file, -EINVAL,
	  "%s:2:11: expected a port number (1-65535), got 'x'" },
	{ "binary file", binary_file, -EINVAL, "%s:2:13: unexpected NUL byte (binary file?)" },
	{ "missing file", missing_file, -ENOENT, "%s: No such file or directory" },
	/* open() succeeds on a directory; fstat has to be what refuses it. */
	{ "directory", make_temp_dir, -EINVAL, "%s: not a regular file" },
	{ "character device", dev_null, -EINVAL, "%s: not a regular file" },
	{ "FIFO", fifo, -EINVAL, "%s: not a regular file" },
	{ "unix socket", unix_socket, -EINVAL, "%s: not a regular file" },
	{ "too large", too_large_file, -EFBIG, "%s: too large (1048577 bytes, limit 1048576)" },
};

static void test_file_errors(void **state)
{
	struct policy_error err;
	struct policy pol, orig;
	char want[256];
	const char *path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(file_err_cases); i++) {
		path = file_err_cases[i].make();
		memset(&pol, PATTERN, sizeof(pol));
		orig = pol;
		snprintf(want, sizeof(want), file_err_cases[i].msg, path);
		alarm(5); /* a hang is a failure, not a stuck test run */
		if (policy_parse_file(&pol, path, &err) != file_err_cases[i].err ||
		    strcmp(err.msg, want))
			fail_msg("%s: got \"%s\", want \"%s\"", file_err_cases[i].name, err.msg,
				 want);
		alarm(0);
		assert_memory_equal(&pol, &orig, sizeof(pol));
		remove_temps(NULL);
	}
}

/* Exactly POLICY_MAX_BYTES is allowed, and the last line is read too. */
static void test_file_at_size_limit(void **state)
{
	static const char last[] = "allow tcp 7\n";
	char *buf = malloc(POLICY_MAX_BYTES);
	struct policy_error err;
	struct policy pol;
	const char *path;

	assert_non_null(buf);
	memset(buf, '\n', POLICY_MAX_BYTES);
	memcpy(buf + POLICY_MAX_BYTES - strlen(last), last, strlen(last));
	path = write_temp(buf, POLICY_MAX_BYTES);
	free(buf);
	assert_int_equal(policy_parse_file(&pol, path, &err), 0);
	check_policy(path, &pol, 0, R({ 7, 7 }), 1, NONE, 0);
}

/* ---- policy_set_ports (the CLI's allow/deny) ---------------------------- */

static void test_set_ports_good(void **state)
{
	struct policy_error err;
	struct policy pol;

	policy_init(&pol);
	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_TCP, "22,25 6000-6010", true, &err), 0);
	check_policy("allow tcp", &pol, 0, R({ 22, 22 }, { 25, 25 }, { 6000, 6010 }), 13, NONE, 0);

	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_TCP, " 6005,25", false, &err), 0);
	check_policy("deny tcp", &pol, 0, R({ 22, 22 }, { 6000, 6004 }, { 6006, 6010 }), 11, NONE,
		     0);

	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_UDP, "53", true, &err), 0);
	check_policy("allow udp", &pol, 0, R({ 22, 22 }, { 6000, 6004 }, { 6006, 6010 }), 11,
		     R({ 53, 53 }), 1);
}

/* Added to the built-in policy: flags and the other ports are kept. */
static void test_set_ports_keeps_rest(void **state)
{
	struct policy_error err;
	struct policy pol;

	assert_int_equal(policy_parse_default(&pol), 0);
	pol.bpf.flags = XDPFW_F_ICMP_DROP;
	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_TCP, "443", true, &err), 0);
	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_UDP, "953", false, &err), 0);
	check_policy("default + 443 - udp 953", &pol, XDPFW_F_ICMP_DROP,
		     R({ 22, 22 }, { 25, 25 }, { 53, 53 }, { 110, 110 }, { 389, 389 }, { 443, 443 },
		       { 465, 465 }, { 587, 587 }, { 636, 636 }, { 953, 953 }, { 993, 993 },
		       { 995, 995 }, { 1023, 1023 }, { 3268, 3269 }, { 5222, 5222 }, { 5269, 5269 },
		       { 5280, 5280 }, { 8080, 8080 }),
		     19, R({ 53, 53 }), 1);
}

static const struct {
	const char *name, *list, *msg;
} set_ports_errors[] = {
	{ "empty list", "", "port list, column 1: expected a port list" },
	{ "blanks only", "  ", "port list, column 3: expected a port list" },
	{ "comment only", "# x", "port list, column 1: unexpected '#' in a port list" },
	{ "no comments on a command line", "22#25",
	  "port list, column 3: unexpected '#' in a port list" },
	{ "word", "x", "port list, column 1: expected a port number (1-65535), got 'x'" },
	{ "word after a port", "22 x",
	  "port list, column 4: expected a port number (1-65535), got 'x'" },
	{ "empty item", "22,,25", "port list, column 4: expected a port number (1-65535)" },
	{ "trailing comma", "22,", "port list, column 4: expected a port number (1-65535)" },
	{ "port 0", "0", "port list, column 1: port 0 out of range (1-65535)" },
	{ "port 65536", "1,65536", "port list, column 3: port 65536 out of range (1-65535)" },
	{ "reversed range", "30-20", "port list, column 1: range 30-20 is reversed" },
	{ "control character", "22\x01", "port list, column 3: unexpected control character 0x01" },
	/* A newline smuggled into an argument is a control character, not a line break. */
	{ "newline", "22\n25", "port list, column 3: unexpected control character 0x0a" },
};

static void test_set_ports_errors(void **state)
{
	struct policy_error err;
	struct policy pol, orig;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(set_ports_errors); i++) {
		assert_int_equal(policy_parse_default(&pol), 0);
		orig = pol;
		memset(&err, 0, sizeof(err));
		ret = policy_set_ports(&pol, XDPFW_L4_TCP, set_ports_errors[i].list, true, &err);
		if (ret != -EINVAL || strcmp(err.msg, set_ports_errors[i].msg))
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", set_ports_errors[i].name, ret,
				 err.msg, -EINVAL, set_ports_errors[i].msg);
		if (memcmp(&pol, &orig, sizeof(pol)))
			fail_msg("%s: failed list changed the policy", set_ports_errors[i].name);
	}
}

/* Items before the bad one were applied to a copy only: nothing changes, allow or deny. */
static void test_set_ports_failure_leaves_policy(void **state)
{
	struct policy_error err;
	struct policy pol, orig;

	assert_int_equal(policy_parse_default(&pol), 0);
	orig = pol;
	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_TCP, "8443,9000-9100,0", true, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "port list, column 16: port 0 out of range (1-65535)");
	assert_memory_equal(&pol, &orig, sizeof(pol));

	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_TCP, "22 25,x", false, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "port list, column 7: expected a port number (1-65535), got 'x'");
	assert_memory_equal(&pol, &orig, sizeof(pol));
}

/* ---- protocol names ----------------------------------------------------- */

static void test_l4_names(void **state)
{
	static const struct {
		const char *name;
		int l4;
	} cases[] = {
		{ "tcp", XDPFW_L4_TCP }, { "udp", XDPFW_L4_UDP }, { "TCP", -EINVAL },
		{ "Udp", -EINVAL },	 { "", -EINVAL },	  { "tc", -EINVAL },
		{ "tcpx", -EINVAL },	 { "tcp ", -EINVAL },	  { "sctp", -EINVAL },
		{ "icmp", -EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (policy_l4_from_name(cases[i].name) != cases[i].l4)
			fail_msg("\"%s\": got %d, want %d", cases[i].name,
				 policy_l4_from_name(cases[i].name), cases[i].l4);
	assert_string_equal(policy_l4_name(XDPFW_L4_TCP), "tcp");
	assert_string_equal(policy_l4_name(XDPFW_L4_UDP), "udp");
	assert_string_equal(policy_l4_name(XDPFW_L4_MAX), "?");
}

/* ---- policy_format ------------------------------------------------------ */

static char *format(const struct policy *pol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	policy_format(pol, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

struct format_case {
	const char *name;
	__u32 flags;
	const struct range *tcp, *udp;
	const char *text;
};

static const struct format_case format_cases[] = {
	{ "empty policy: settings only", 0, NONE, NONE,
	  "default drop\nicmp pass\nicmp6 pass\n" },
	{ "every flag", XDPFW_F_ALL, NONE, NONE, "default pass\nicmp drop\nicmp6 drop\n" },
	{ "small policy, ranges collapsed", XDPFW_F_DEFAULT_PASS | XDPFW_F_ICMP6_DROP,
	  R({ 22, 22 }, { 25, 25 }, { 80, 82 }, { 443, 443 }), R({ 53, 53 }),
	  "default pass\nicmp pass\nicmp6 drop\nallow tcp 22,25,80-82,443\nallow udp 53\n" },
	{ "two adjacent ports are a range", XDPFW_F_ICMP_DROP, R({ 80, 81 }), NONE,
	  "default drop\nicmp drop\nicmp6 pass\nallow tcp 80-81\n" },
	{ "udp only", 0, NONE, R({ 1, 1 }, { 65535, 65535 }),
	  "default drop\nicmp pass\nicmp6 pass\nallow udp 1,65535\n" },
	{ "everything", 0, R({ 1, 65535 }), R({ 1, 65535 }),
	  "default drop\nicmp pass\nicmp6 pass\nallow tcp 1-65535\nallow udp 1-65535\n" },
	/* 10 + 21 * 2 + 20 commas: exactly 72 columns stays on one line. */
	{ "line of exactly 72 columns", 0,
	  R({ 10, 10 }, { 12, 12 }, { 14, 14 }, { 16, 16 }, { 18, 18 }, { 20, 20 }, { 22, 22 },
	    { 24, 24 }, { 26, 26 }, { 28, 28 }, { 30, 30 }, { 32, 32 }, { 34, 34 }, { 36, 36 },
	    { 38, 38 }, { 40, 40 }, { 42, 42 }, { 44, 44 }, { 46, 46 }, { 48, 48 }, { 50, 50 }),
	  NONE,
	  "default drop\nicmp pass\nicmp6 pass\n"
	  "allow tcp 10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48,50\n" },
	/* 69 columns plus ",100" would be 73: the item goes to a new line. */
	{ "73 columns wrap", 0,
	  R({ 10, 10 }, { 12, 12 }, { 14, 14 }, { 16, 16 }, { 18, 18 }, { 20, 20 }, { 22, 22 },
	    { 24, 24 }, { 26, 26 }, { 28, 28 }, { 30, 30 }, { 32, 32 }, { 34, 34 }, { 36, 36 },
	    { 38, 38 }, { 40, 40 }, { 42, 42 }, { 44, 44 }, { 46, 46 }, { 48, 48 }, { 100, 100 }),
	  NONE,
	  "default drop\nicmp pass\nicmp6 pass\n"
	  "allow tcp 10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48\n"
	  "allow tcp 100\n" },
	{ "long list on three lines, both protocols", 0,
	  R({ 10001, 10001 }, { 10003, 10003 }, { 10005, 10005 }, { 10007, 10007 },
	    { 10009, 10009 }, { 10011, 10011 }, { 10013, 10013 }, { 10015, 10015 },
	    { 10017, 10017 }, { 10019, 10019 }, { 10021, 10021 }, { 10023, 10023 },
	    { 10025, 10025 }, { 10027, 10027 }, { 10029, 10029 }, { 10031, 10031 },
	    { 10033, 10033 }, { 10035, 10035 }, { 10037, 10037 }, { 10039, 10039 },
	    { 10041, 10041 }, { 10043, 10043 }, { 10045, 10045 }, { 10047, 10047 },
	    { 10049, 10049 }),
	  R({ 60000, 60010 }, { 60020, 60030 }, { 60040, 60050 }, { 60060, 60070 },
	    { 60080, 60090 }, { 60100, 60110 }),
	  "default drop\nicmp pass\nicmp6 pass\n"
	  "allow tcp 10001,10003,10005,10007,10009,10011,10013,10015,10017,10019\n"
	  "allow tcp 10021,10023,10025,10027,10029,10031,10033,10035,10037,10039\n"
	  "allow tcp 10041,10043,10045,10047,10049\n"
	  "allow udp 60000-60010,60020-60030,60040-60050,60060-60070,60080-60090\n"
	  "allow udp 60100-60110\n" },
};

static void test_format_exact(void **state)
{
	const struct format_case *c;
	struct policy pol;
	char *text;

	for (c = format_cases; c < format_cases + ARRAY_SIZE(format_cases);
	     c++) {
		policy_init(&pol);
		build_bpf(&pol.bpf, c->flags, c->tcp, c->udp);
		text = format(&pol);
		if (strcmp(text, c->text))
			fail_msg("%s:\n got:\n%s want:\n%s", c->name, text, c->text);
		free(text);
	}
}

static void test_format_default(void **state)
{
	struct policy pol;
	char *text;

	assert_int_equal(policy_parse_default(&pol), 0);
	text = format(&pol);
	/* ",5269" would make the first line 75 columns. */
	assert_string_equal(text,
		"default drop\nicmp pass\nicmp6 pass\n"
		"allow tcp 22,25,53,110,389,465,587,636,953,993,995,1023,3268-3269,5222\n"
		"allow tcp 5269,5280,8080\n"
		"allow udp 53,953\n");
	free(text);
}

/* format, parse back: same struct; format again: same text; no line over 72 columns. */
static void check_round_trip(const char *what, const struct policy *pol)
{
	struct policy_error err;
	struct policy back;
	char *text, *again;
	const char *line, *nl;

	text = format(pol);
	memset(&back, PATTERN, sizeof(back));
	if (policy_parse(&back, text, strlen(text), NAME, &err))
		fail_msg("%s: formatted text does not parse: %s", what, err.msg);
	if (memcmp(&back.bpf, &pol->bpf, sizeof(back.bpf)) || back.ct_size != pol->ct_size)
		fail_msg("%s: round trip changed the policy", what);
	again = format(&back);
	assert_string_equal(again, text);
	for (line = text; (nl = strchr(line, '\n')); line = nl + 1)
		if (nl - line > 72)
			fail_msg("%s: line of %td columns: %.*s", what, nl - line, (int)(nl - line),
				 line);
	assert_int_equal(*line, '\0');
	free(again);
	free(text);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_round_trip(void **state)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ULL, 42, 0xdeadbeef };
	struct policy pol;
	unsigned int i, l4, lo, hi, n, p, t;
	uint64_t s;

	assert_int_equal(policy_parse_default(&pol), 0);
	check_round_trip("built-in", &pol);

	/* Random singles, short and long ranges, with ports 1 and 65535 in play. */
	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		s = seeds[i];
		policy_init(&pol);
		pol.bpf.flags = xorshift(&s) & XDPFW_F_ALL;
		for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
			for (n = 0; n < 300; n++) {
				/* Three in four items are single ports, the rest ranges. */
				lo = 1 + xorshift(&s) % 65535;
				hi = lo + (xorshift(&s) % 4 ? 0 : xorshift(&s) % 500);
				for (p = lo; p <= hi && p < XDPFW_PORTS; p++)
					pol.bpf.ports[l4][p / 64] |= 1ULL << (p % 64);
			}
			if (xorshift(&s) & 1)
				pol.bpf.ports[l4][0] |= 2; /* port 1 */
			if (xorshift(&s) & 1)
				pol.bpf.ports[l4][XDPFW_PORT_WORDS - 1] |= 1ULL << 63;
		}
		/* Conntrack settings from a stream of their own: the ports stay as they were. */
		s = seeds[i] ^ 0x5bd1e995;
		pol.ct_size = POLICY_CT_SIZE_MIN +
			      xorshift(&s) % (POLICY_CT_SIZE_MAX - POLICY_CT_SIZE_MIN + 1);
		for (t = 0; t < XDPFW_CT_TO_MAX; t++)
			if (xorshift(&s) & 1)
				pol.bpf.timeouts[t] = 1 + xorshift(&s) % POLICY_TIMEOUT_MAX;
		check_round_trip("random", &pol);
	}

	/* Every other port: 32768 items per protocol, hundreds of wrapped lines. */
	policy_init(&pol);
	for (p = 1; p < XDPFW_PORTS; p += 2)
		pol.bpf.ports[XDPFW_L4_TCP][p / 64] |= 1ULL << (p % 64);
	for (p = 2; p < XDPFW_PORTS; p += 2)
		pol.bpf.ports[XDPFW_L4_UDP][p / 64] |= 1ULL << (p % 64);
	assert_int_equal(policy_port_count(&pol, XDPFW_L4_TCP), 32768);
	assert_int_equal(policy_port_count(&pol, XDPFW_L4_UDP), 32767);
	check_round_trip("alternating", &pol);
}

/* ---- connection tracking settings: conntrack-size, timeout --------------- */

/* By enum xdpfw_ct_timeout, written out: the table the tests index by name. */
static const char *const timeout_names[] = {
	"tcp-syn-sent", "tcp-established", "tcp-fin", "tcp-close", "udp", "udp-stream", "icmp",
};

_Static_assert(ARRAY_SIZE(timeout_names) == XDPFW_CT_TO_MAX,
	       "one name per timeout");

static void test_timeout_names(void **state)
{
	unsigned int t;

	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		assert_string_equal(policy_timeout_name(t), timeout_names[t]);
	assert_string_equal(policy_timeout_name(XDPFW_CT_TO_TCP_SYN_SENT), "tcp-syn-sent");
	assert_string_equal(policy_timeout_name(XDPFW_CT_TO_ICMP), "icmp");
	assert_string_equal(policy_timeout_name(XDPFW_CT_TO_MAX), "?");
	assert_string_equal(policy_timeout_name((enum xdpfw_ct_timeout)(XDPFW_CT_TO_MAX + 1)), "?");
	assert_string_equal(policy_timeout_name((enum xdpfw_ct_timeout)1000), "?");
	assert_string_equal(policy_timeout_name((enum xdpfw_ct_timeout)UINT_MAX), "?");
}

/* policy_init: no ports, no flags, the documented conntrack defaults. */
static void test_init_defaults(void **state)
{
	struct policy pol;

	memset(&pol, PATTERN, sizeof(pol));
	policy_init(&pol);
	check_policy("policy_init", &pol, 0, NONE, 0, NONE, 0);
}

/* Every name, with every unit and none: "timeout NAME 7<unit>" sets that timeout only. */
static void test_timeout_every_name_and_unit(void **state)
{
	static const struct {
		const char *suffix;
		__u32 secs;
	} units[] = {
		{ "", 7 }, { "s", 7 }, { "m", 420 }, { "h", 25200 }, { "d", 604800 },
	};
	__u32 want[XDPFW_CT_TO_MAX];
	struct policy_error err;
	struct policy pol;
	char text[64], what[96];
	unsigned int t, u;
	int ret;

	for (t = 0; t < XDPFW_CT_TO_MAX; t++) {
		for (u = 0; u < ARRAY_SIZE(units); u++) {
			snprintf(text, sizeof(text), "timeout %s 7%s\n", timeout_names[t],
				 units[u].suffix);
			snprintf(what, sizeof(what), "\"timeout %s 7%s\"", timeout_names[t],
				 units[u].suffix);
			memset(&pol, PATTERN, sizeof(pol));
			memset(&err, 0, sizeof(err));
			ret = parse_str(&pol, text, &err);
			if (ret)
				fail_msg("%s: returned %d: %s", what, ret, err.msg);
			memcpy(want, default_timeouts, sizeof(want));
			want[t] = units[u].secs;
			check_policy_ct(what, &pol, 0, NONE, 0, NONE, 0, DEFAULT_CT_SIZE, want);
		}
	}
}

struct ct_good_case {
	const char *name;
	const char *text;
	__u32 flags;
	const struct range *tcp, *udp;
	unsigned int n_tcp, n_udp;
	__u32 ct_size;
	/* tcp-syn-sent, tcp-established, tcp-fin, tcp-close, udp, udp-stream, icmp */
	__u32 timeouts[XDPFW_CT_TO_MAX];
};

#define DEF_TO 120, 432000, 120, 10, 30, 180, 30

static const struct ct_good_case ct_good_cases[] = {
	{ "udp 2m is 120 seconds", "timeout udp 2m\n", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 120, 180, 30 } },
	{ "udp-stream is a name of its own", "timeout udp-stream 1\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 30, 1, 30 } },
	{ "udp and udp-stream are not duplicates", "timeout udp 5\ntimeout udp-stream 6\n", 0,
	  NONE, NONE, 0, 0, DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 5, 6, 30 } },
	{ "every timeout in one file, mixed units",
	  "timeout tcp-syn-sent 1m\ntimeout tcp-established 2h\ntimeout tcp-fin 3\n"
	  "timeout tcp-close 4s\ntimeout udp 5m\ntimeout udp-stream 6h\ntimeout icmp 7d\n",
	  0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE, { 60, 7200, 3, 4, 300, 21600, 604800 } },
	{ "1 second, the minimum", "timeout tcp-close 1\n", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 1, 30, 180, 30 } },
	{ "1s", "timeout tcp-fin 1s\n", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 1, 10, 30, 180, 30 } },
	{ "POLICY_TIMEOUT_MAX in seconds", "timeout icmp 31536000\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 30, 180, 31536000 } },
	{ "POLICY_TIMEOUT_MAX with s", "timeout udp 31536000s\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 31536000, 180, 30 } },
	{ "POLICY_TIMEOUT_MAX in minutes", "timeout tcp-syn-sent 525600m\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 31536000, 432000, 120, 10, 30, 180, 30 } },
	{ "POLICY_TIMEOUT_MAX in hours", "timeout udp-stream 8760h\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 30, 31536000, 30 } },
	{ "POLICY_TIMEOUT_MAX in days", "timeout tcp-established 365d\n", 0, NONE, NONE, 0, 0,
	  DEFAULT_CT_SIZE, { 120, 31536000, 120, 10, 30, 180, 30 } },
	{ "leading zeros", "timeout udp 007m\n", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 420, 180, 30 } },
	{ "many leading zeros do not overflow", "timeout udp 00000000000000000000000000005\n", 0,
	  NONE, NONE, 0, 0, DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 5, 180, 30 } },
	{ "tabs, comment right after the unit", "\ttimeout\tudp-stream\t1d# long\n", 0, NONE,
	  NONE, 0, 0, DEFAULT_CT_SIZE, { 120, 432000, 120, 10, 30, 86400, 30 } },
	{ "comment after a blank", "timeout icmp 10 # c\n", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 30, 180, 10 } },
	{ "defaults spelled out", "conntrack-size 262144\ntimeout tcp-established 5d\n", 0, NONE,
	  NONE, 0, 0, DEFAULT_CT_SIZE, { DEF_TO } },
	{ "conntrack-size minimum", "conntrack-size 1024\n", 0, NONE, NONE, 0, 0, 1024,
	  { DEF_TO } },
	{ "conntrack-size maximum", "conntrack-size 16777216\n", 0, NONE, NONE, 0, 0, 16777216,
	  { DEF_TO } },
	{ "conntrack-size with a leading zero", "conntrack-size 01024\n", 0, NONE, NONE, 0, 0,
	  1024, { DEF_TO } },
	{ "conntrack-size, tab and comment", "conntrack-size\t5000#c\n", 0, NONE, NONE, 0, 0, 5000,
	  { DEF_TO } },
	{ "CRLF", "conntrack-size 2048\r\ntimeout udp 1m\r\n", 0, NONE, NONE, 0, 0, 2048,
	  { 120, 432000, 120, 10, 60, 180, 30 } },
	{ "no newline at end of file", "timeout icmp 9", 0, NONE, NONE, 0, 0, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 30, 180, 9 } },
	{ "mixed with rules and settings",
	  "allow tcp 22\nconntrack-size 4096\ndefault pass\ntimeout tcp-fin 3m\nallow udp 53\n"
	  "deny tcp 22\nallow tcp 80-81\n",
	  XDPFW_F_DEFAULT_PASS, R({ 80, 81 }), R({ 53, 53 }), 2, 1, 4096,
	  { 120, 432000, 180, 10, 30, 180, 30 } },
};

static void test_ct_good_files(void **state)
{
	const struct ct_good_case *c;
	struct policy_error err;
	struct policy pol;
	int ret;

	for (c = ct_good_cases; c < ct_good_cases + ARRAY_SIZE(ct_good_cases);
	     c++) {
		memset(&pol, PATTERN, sizeof(pol));
		memset(&err, 0, sizeof(err));
		ret = parse_str(&pol, c->text, &err);
		if (ret)
			fail_msg("%s: returned %d: %s", c->name, ret, err.msg);
		check_policy_ct(c->name, &pol, c->flags, c->tcp, c->n_tcp, c->udp, c->n_udp,
				c->ct_size, c->timeouts);
	}
}

#define TIMEOUT_NAMES                                                                              \
	"expected a timeout name (tcp-syn-sent, tcp-established, tcp-fin, tcp-close, udp, "        \
	"udp-stream, icmp) after 'timeout'"
#define DURATION_RANGE "out of range (1-31536000 seconds)"
#define CT_SIZE_RANGE "out of range (1024-16777216)"

static const struct err_case ct_err_cases[] = {
	/* Duration boundaries */
	ERR("timeout 0", "timeout udp 0\n", NAME ":1:13: duration '0' " DURATION_RANGE),
	ERR("timeout 0s", "timeout udp 0s\n", NAME ":1:13: duration '0s' " DURATION_RANGE),
	ERR("timeout 0d", "timeout tcp-fin 0d\n", NAME ":1:17: duration '0d' " DURATION_RANGE),
	ERR("timeout 000", "timeout icmp 000\n", NAME ":1:14: duration '000' " DURATION_RANGE),
	ERR("POLICY_TIMEOUT_MAX + 1", "timeout udp 31536001\n",
	    NAME ":1:13: duration '31536001' " DURATION_RANGE),
	ERR("POLICY_TIMEOUT_MAX + 1 with s", "timeout udp 31536001s\n",
	    NAME ":1:13: duration '31536001s' " DURATION_RANGE),
	ERR("366 days", "timeout tcp-established 366d\n",
	    NAME ":1:25: duration '366d' " DURATION_RANGE),
	ERR("8761 hours", "timeout udp-stream 8761h\n",
	    NAME ":1:20: duration '8761h' " DURATION_RANGE),
	ERR("525601 minutes", "timeout tcp-syn-sent 525601m\n",
	    NAME ":1:22: duration '525601m' " DURATION_RANGE),
	/* Numbers that overflow 32 or 64 bits must not wrap into range. */
	ERR("2^32 seconds", "timeout udp 4294967296\n",
	    NAME ":1:13: duration '4294967296' " DURATION_RANGE),
	ERR("2^32 + 5 seconds", "timeout udp 4294967301s\n",
	    NAME ":1:13: duration '4294967301s' " DURATION_RANGE),
	ERR("2^64 + 5 seconds", "timeout udp 18446744073709551621\n",
	    NAME ":1:13: duration '18446744073709551621' " DURATION_RANGE),
	ERR("days times 86400 overflowing 64 bits", "timeout udp 213503982334602d\n",
	    NAME ":1:13: duration '213503982334602d' " DURATION_RANGE),
	ERR("40 digits cut to 32 bytes", "timeout icmp 9999999999999999999999999999999999999999\n",
	    NAME ":1:14: duration '99999999999999999999999999999999...' " DURATION_RANGE),

	/* Duration syntax */
	ERR("unknown unit", "timeout udp 5x\n",
	    NAME ":1:13: expected a duration after 'udp', got '5x'"),
	ERR("units are lower case", "timeout udp 5S\n",
	    NAME ":1:13: expected a duration after 'udp', got '5S'"),
	ERR("unit twice", "timeout udp 5ss\n",
	    NAME ":1:13: expected a duration after 'udp', got '5ss'"),
	ERR("two units", "timeout udp 1m30s\n",
	    NAME ":1:13: expected a duration after 'udp', got '1m30s'"),
	ERR("unit without number", "timeout udp s\n",
	    NAME ":1:13: expected a duration after 'udp', got 's'"),
	ERR("negative", "timeout udp -5\n", NAME ":1:13: expected a duration after 'udp', got '-5'"),
	ERR("plus sign", "timeout udp +5\n", NAME ":1:13: expected a duration after 'udp', got '+5'"),
	ERR("fraction", "timeout udp 1.5m\n",
	    NAME ":1:13: expected a duration after 'udp', got '1.5m'"),
	ERR("hex", "timeout udp 0x10\n", NAME ":1:13: expected a duration after 'udp', got '0x10'"),
	ERR("blank between number and unit", "timeout udp 5 s\n",
	    NAME ":1:15: unexpected 's' after 'udp'"),
	ERR("missing duration", "timeout udp\n", NAME ":1:12: expected a duration after 'udp'"),
	ERR("missing duration, end of file", "timeout tcp-close",
	    NAME ":1:18: expected a duration after 'tcp-close'"),
	ERR("missing duration, blanks and comment", "timeout udp   # c\n",
	    NAME ":1:15: expected a duration after 'udp'"),
	ERR("missing duration before a comma", "timeout udp ,5\n",
	    NAME ":1:13: expected a duration after 'udp'"),

	/* Names */
	ERR("unknown timeout name", "timeout foo 5\n", NAME ":1:9: " TIMEOUT_NAMES ", got 'foo'"),
	ERR("protocol alone is not a timeout name", "timeout tcp 5\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got 'tcp'"),
	ERR("timeout names are case sensitive", "timeout UDP 5\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got 'UDP'"),
	ERR("prefix of a name", "timeout tcp-syn 5\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got 'tcp-syn'"),
	ERR("name with a suffix", "timeout udp-streams 5\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got 'udp-streams'"),
	ERR("icmp6 has no timeout of its own", "timeout icmp6 5\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got 'icmp6'"),
	ERR("comma for a name", "timeout ,udp 5\n", NAME ":1:9: " TIMEOUT_NAMES ", got ','"),
	ERR("value where the name goes", "timeout 30s\n",
	    NAME ":1:9: " TIMEOUT_NAMES ", got '30s'"),

	/* Duplicates name the first line; the value is not looked at. */
	ERR("duplicate timeout", "timeout udp 5\ntimeout udp 6\n",
	    NAME ":2:9: timeout 'udp' already set on line 1"),
	ERR("duplicate timeout, same value, indented, later line",
	    "# c\ntimeout icmp 5\n\n  timeout  icmp 5\n",
	    NAME ":4:12: timeout 'icmp' already set on line 2"),
	ERR("duplicate timeout in another unit", "timeout tcp-fin 2m\ntimeout tcp-fin 120\n",
	    NAME ":2:9: timeout 'tcp-fin' already set on line 1"),
	ERR("duplicate timeout with a bad value", "timeout udp 5\ntimeout udp x\n",
	    NAME ":2:9: timeout 'udp' already set on line 1"),
	ERR("duplicate after another name", "timeout udp 5\ntimeout udp-stream 6\ntimeout udp 7\n",
	    NAME ":3:9: timeout 'udp' already set on line 1"),
	ERR("duplicate conntrack-size", "conntrack-size 1024\nconntrack-size 2048\n",
	    NAME ":2:1: 'conntrack-size' already set on line 1"),
	ERR("duplicate conntrack-size, indented", "conntrack-size 1024\n\n\tconntrack-size 1024\n",
	    NAME ":3:2: 'conntrack-size' already set on line 1"),
	ERR("duplicate conntrack-size with a bad value", "conntrack-size 1024\nconntrack-size 0\n",
	    NAME ":2:1: 'conntrack-size' already set on line 1"),

	/* conntrack-size */
	ERR("conntrack-size min - 1", "conntrack-size 1023\n",
	    NAME ":1:16: number of flows '1023' " CT_SIZE_RANGE),
	ERR("conntrack-size max + 1", "conntrack-size 16777217\n",
	    NAME ":1:16: number of flows '16777217' " CT_SIZE_RANGE),
	ERR("conntrack-size 0", "conntrack-size 0\n",
	    NAME ":1:16: number of flows '0' " CT_SIZE_RANGE),
	ERR("conntrack-size 2^32 + 1024", "conntrack-size 4294968320\n",
	    NAME ":1:16: number of flows '4294968320' " CT_SIZE_RANGE),
	ERR("conntrack-size 2^64 + 1024", "conntrack-size 18446744073709552640\n",
	    NAME ":1:16: number of flows '18446744073709552640' " CT_SIZE_RANGE),
	ERR("conntrack-size has no units", "conntrack-size 100s\n",
	    NAME ":1:16: expected a number of flows after 'conntrack-size', got '100s'"),
	ERR("conntrack-size has no k suffix", "conntrack-size 64k\n",
	    NAME ":1:16: expected a number of flows after 'conntrack-size', got '64k'"),
	ERR("conntrack-size negative", "conntrack-size -2048\n",
	    NAME ":1:16: expected a number of flows after 'conntrack-size', got '-2048'"),
	ERR("conntrack-size missing", "conntrack-size\n",
	    NAME ":1:15: expected a number of flows after 'conntrack-size'"),
	ERR("conntrack-size missing, comment", "conntrack-size # c\n",
	    NAME ":1:16: expected a number of flows after 'conntrack-size'"),
	ERR("directive is case sensitive", "Conntrack-Size 2048\n",
	    NAME ":1:1: " DIRECTIVES ", got 'Conntrack-Size'"),
	ERR("conntrack_size is not conntrack-size", "conntrack_size 2048\n",
	    NAME ":1:1: " DIRECTIVES ", got 'conntrack_size'"),
	ERR("timeouts is not timeout", "timeouts udp 5\n",
	    NAME ":1:1: " DIRECTIVES ", got 'timeouts'"),

	/* Trailing garbage */
	ERR("word after a duration", "timeout udp 5 extra\n",
	    NAME ":1:15: unexpected 'extra' after 'udp'"),
	ERR("second duration", "timeout udp 5m 10s\n", NAME ":1:16: unexpected '10s' after 'udp'"),
	ERR("comma after a duration", "timeout udp 5,6\n", NAME ":1:14: unexpected ',' after 'udp'"),
	ERR("comma after a unit", "timeout udp 1m,\n", NAME ":1:15: unexpected ',' after 'udp'"),
	ERR("word after conntrack-size", "conntrack-size 2048 x\n",
	    NAME ":1:21: unexpected 'x' after 'conntrack-size'"),
	ERR("list for conntrack-size", "conntrack-size 2048,4096\n",
	    NAME ":1:20: unexpected ',' after 'conntrack-size'"),

	/* An error after good conntrack lines still reports, and changes nothing. */
	ERR("error after conntrack lines", "conntrack-size 2048\ntimeout udp 5\nallow tcp 0\n",
	    NAME ":3:11: port 0 out of range (1-65535)"),
	ERR("control character in a timeout line", "timeout udp 5\x01\n",
	    NAME ":1:14: unexpected control character 0x01"),
};

static void test_ct_errors(void **state)
{
	run_error_cases(ct_err_cases, ARRAY_SIZE(ct_err_cases));
}

/*
 * "timeout" with no name: the message must say a name is expected there.
 * Only the part before ", got" is checked: the parser shows the byte at the
 * end of the line as if it were a word ("got '?'" for the newline), which is
 * reported as a bug, not encoded here.
 */
static void test_timeout_missing_name(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "timeout\n", NAME ":1:8: " TIMEOUT_NAMES },
		{ "timeout   \n", NAME ":1:11: " TIMEOUT_NAMES },
		{ "timeout", NAME ":1:8: " TIMEOUT_NAMES },
	};
	struct policy_error err;
	struct policy pol, orig;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&pol, PATTERN, sizeof(pol));
		memcpy(&orig, &pol, sizeof(pol));
		memset(&err, 0, sizeof(err));
		assert_int_equal(parse_str(&pol, cases[i].text, &err), -EINVAL);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)))
			fail_msg("\"%s\": got \"%s\", want \"%s...\"", cases[i].text, err.msg,
				 cases[i].want);
		assert_memory_equal(&pol, &orig, sizeof(pol));
	}
}

/*
 * A failed parse leaves a real policy (not just a pattern) as it was, even
 * when earlier lines of the bad file set conntrack-size and timeouts.
 */
static void test_ct_failed_parse_leaves_policy(void **state)
{
	static const char good[] = "conntrack-size 8192\ntimeout udp 1m\ntimeout icmp 5\n"
				   "allow tcp 22\n";
	static const char *const bad[] = {
		"conntrack-size 1024\ntimeout udp 1\ntimeout icmp 2\nallow tcp 1-65535\n"
		"timeout udp 3\n",
		"timeout tcp-established 1\ntimeout tcp-close 1\nconntrack-size 99\n",
		"conntrack-size 16777216\ntimeout tcp-syn-sent 5x\n",
	};
	static const char *const msgs[] = {
		NAME ":5:9: timeout 'udp' already set on line 2",
		NAME ":3:16: number of flows '99' " CT_SIZE_RANGE,
		NAME ":2:22: expected a duration after 'tcp-syn-sent', got '5x'",
	};
	struct policy_error err;
	struct policy pol, orig;
	size_t i;

	assert_int_equal(parse_str(&pol, good, &err), 0);
	check_policy_ct("good", &pol, 0, R({ 22, 22 }), 1, NONE, 0, 8192,
			(const __u32[]){ 120, 432000, 120, 10, 60, 180, 5 });
	memcpy(&orig, &pol, sizeof(pol));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(parse_str(&pol, bad[i], &err), -EINVAL);
		assert_string_equal(err.msg, msgs[i]);
		assert_memory_equal(&pol, &orig, sizeof(pol));
	}
}

/* The CLI's port lists keep the conntrack settings of the policy they change. */
static void test_set_ports_keeps_ct(void **state)
{
	struct policy_error err;
	struct policy pol;

	assert_int_equal(parse_str(&pol, "conntrack-size 2048\ntimeout tcp-fin 1h\n", &err), 0);
	assert_int_equal(policy_set_ports(&pol, XDPFW_L4_UDP, "53", true, &err), 0);
	check_policy_ct("set ports", &pol, 0, NONE, 0, R({ 53, 53 }), 1, 2048,
			(const __u32[]){ 120, 432000, 3600, 10, 30, 180, 30 });
}

/* ---- policy_format with conntrack settings ------------------------------ */

struct ct_format_case {
	const char *name;
	__u32 flags;
	const struct range *tcp, *udp;
	__u32 ct_size;
	__u32 timeouts[XDPFW_CT_TO_MAX];
	const char *text;
};

static const struct ct_format_case ct_format_cases[] = {
	{ "defaults print nothing", 0, NONE, NONE, DEFAULT_CT_SIZE, { DEF_TO },
	  "default drop\nicmp pass\nicmp6 pass\n" },
	{ "conntrack-size only", 0, NONE, NONE, 1024, { DEF_TO },
	  "default drop\nicmp pass\nicmp6 pass\nconntrack-size 1024\n" },
	{ "one timeout, in seconds", 0, NONE, NONE, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 120, 180, 30 },
	  "default drop\nicmp pass\nicmp6 pass\ntimeout udp 120s\n" },
	{ "only the timeout that differs", 0, R({ 443, 443 }), NONE, DEFAULT_CT_SIZE,
	  { 120, 432000, 120, 10, 30, 180, 60 },
	  "default drop\nicmp pass\nicmp6 pass\ntimeout icmp 60s\nallow tcp 443\n" },
	{ "everything differs: after icmp6, before the allow lines, in enum order",
	  XDPFW_F_ICMP6_DROP, R({ 22, 22 }), R({ 53, 53 }), 16777216,
	  { 1, 31536000, 121, 11, 29, 181, 31 },
	  "default drop\nicmp pass\nicmp6 drop\nconntrack-size 16777216\n"
	  "timeout tcp-syn-sent 1s\ntimeout tcp-established 31536000s\ntimeout tcp-fin 121s\n"
	  "timeout tcp-close 11s\ntimeout udp 29s\ntimeout udp-stream 181s\ntimeout icmp 31s\n"
	  "allow tcp 22\nallow udp 53\n" },
};

static void test_format_ct(void **state)
{
	const struct ct_format_case *c;
	struct policy pol;
	char *text;

	for (c = ct_format_cases;
	     c < ct_format_cases + ARRAY_SIZE(ct_format_cases); c++) {
		policy_init(&pol);
		build_bpf(&pol.bpf, c->flags, c->tcp, c->udp);
		memcpy(pol.bpf.timeouts, c->timeouts, sizeof(pol.bpf.timeouts));
		pol.ct_size = c->ct_size;
		text = format(&pol);
		if (strcmp(text, c->text))
			fail_msg("%s:\n got:\n%s want:\n%s", c->name, text, c->text);
		free(text);
		check_round_trip(c->name, &pol);
	}
}

/* Parsed with units, printed in seconds, parsed back to the same policy. */
static void test_format_ct_round_trip(void **state)
{
	static const char text[] = "timeout udp 2m\nallow tcp 443\nconntrack-size 4096\n"
				   "timeout icmp 1h\ntimeout tcp-established 1d\nicmp drop\n";
	struct policy_error err;
	struct policy pol, back;
	char *out;

	assert_int_equal(parse_str(&pol, text, &err), 0);
	out = format(&pol);
	assert_string_equal(out, "default drop\nicmp drop\nicmp6 pass\nconntrack-size 4096\n"
				 "timeout tcp-established 86400s\ntimeout udp 120s\n"
				 "timeout icmp 3600s\nallow tcp 443\n");
	memset(&back, PATTERN, sizeof(back));
	assert_int_equal(parse_str(&back, out, &err), 0);
	check_policy_ct("parsed back", &back, XDPFW_F_ICMP_DROP, R({ 443, 443 }), 1, NONE, 0,
			4096, (const __u32[]){ 120, 86400, 120, 10, 120, 180, 3600 });
	free(out);
	check_round_trip("conntrack round trip", &pol);
}

/* ---- log-rate ------------------------------------------------------------ */

static void test_log_rate(void **state)
{
	static const struct {
		const char *text;
		__u32 rate;
	} good[] = {
		{ "", XDPFW_LOG_RATE_DEFAULT },
		{ "log-rate 0\n", 0 },
		{ "log-rate 1 # one a second\n", 1 },
		{ "allow tcp 22\nlog-rate\t100000\n", 100000 },
	};
	static const struct err_case bad[] = {
		ERR("log-rate max + 1", "log-rate 100001\n",
		    NAME ":1:10: number of records a second '100001' out of range (0-100000)"),
		ERR("log-rate negative", "log-rate -1\n",
		    NAME ":1:10: expected a number of records a second after 'log-rate', got '-1'"),
		ERR("log-rate with a unit", "log-rate 10/s\n",
		    NAME ":1:10: expected a number of records a second after 'log-rate', got '10/s'"),
		ERR("log-rate missing", "log-rate\n",
		    NAME ":1:9: expected a number of records a second after 'log-rate'"),
		ERR("log-rate twice", "log-rate 5\nlog-rate 5\n",
		    NAME ":2:1: 'log-rate' already set on line 1"),
		ERR("log-rate and more", "log-rate 5 6\n",
		    NAME ":1:12: unexpected '6' after 'log-rate'"),
	};
	struct policy_error err;
	struct policy pol;
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(parse_str(&pol, good[i].text, &err), 0);
		assert_int_equal(pol.bpf.log_rate, good[i].rate);
		check_round_trip(good[i].text, &pol);
	}
	run_error_cases(bad, ARRAY_SIZE(bad));
	/* Printed when not the default, after conntrack-size, before the timeouts. */
	assert_int_equal(parse_str(&pol, "timeout udp 5\nlog-rate 0\nconntrack-size 2048\n", &err),
			 0);
	text = format(&pol);
	assert_string_equal(text, "default drop\nicmp pass\nicmp6 pass\nconntrack-size 2048\n"
				  "log-rate 0\ntimeout udp 5s\n");
	free(text);
}

/* The rate as the program's per-CPU token bucket reads it, in millionths of a record. */
static void test_log_budget(void **state)
{
	static const struct {
		__u32 rate, hz;
		long ncpu;
		__u64 per_jiffy, burst;
	} cases[] = {
		/* 100/s over 2 CPUs at HZ 250: 50 a second each, 0.2 a jiffy, burst 50. */
		{ 100, 250, 2, 200000, 50000000 },
		/* 1/s over 128 CPUs: 1/128 a second each; the burst is still one record. */
		{ 1, 1000, 128, 7, 1000000 },
		{ 0, 250, 2, 0, 0 },
		/* The maximum over one CPU at HZ 100: no overflow. */
		{ 100000, 100, 1, 1000000000, 100000000000ULL },
		/* Nonsense from the system: treated as one CPU, HZ 100. */
		{ 10, 0, 0, 100000, 10000000 },
	};
	struct xdpfw_policy p = {};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p.log_rate = cases[i].rate;
		policy_log_budget(&p, cases[i].hz, cases[i].ncpu);
		assert_int_equal(p.log_micro_per_jiffy, cases[i].per_jiffy);
		assert_int_equal(p.log_burst_micro, cases[i].burst);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy_exact_ports),
		cmocka_unit_test(test_default_policy_is_shipped_file),
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_failed_parse_leaves_policy_untouched),
		cmocka_unit_test(test_long_name_truncated),
		cmocka_unit_test(trailing_garbage_after_setting),
		cmocka_unit_test(duplicate_setting_column),
		cmocka_unit_test(long_name_does_not_overflow_error_buffer),
		cmocka_unit_test_teardown(test_file_good, remove_temps),
		cmocka_unit_test_teardown(test_file_empty, remove_temps),
		cmocka_unit_test_teardown(test_file_errors, remove_temps),
		cmocka_unit_test_teardown(test_file_at_size_limit, remove_temps),
		cmocka_unit_test(test_set_ports_good),
		cmocka_unit_test(test_set_ports_keeps_rest),
		cmocka_unit_test(test_set_ports_errors),
		cmocka_unit_test(test_set_ports_failure_leaves_policy),
		cmocka_unit_test(test_l4_names),
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_format_default),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_timeout_names),
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_timeout_every_name_and_unit),
		cmocka_unit_test(test_ct_good_files),
		cmocka_unit_test(test_ct_errors),
		cmocka_unit_test(test_timeout_missing_name),
		cmocka_unit_test(test_ct_failed_parse_leaves_policy),
		cmocka_unit_test(test_set_ports_keeps_ct),
		cmocka_unit_test(test_format_ct),
		cmocka_unit_test(test_format_ct_round_trip),
		cmocka_unit_test(test_log_rate),
		cmocka_unit_test(test_log_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
