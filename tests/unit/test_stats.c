// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the counter formatting (user/stats.c): sort order, the
 * table, the JSON document and the reason names. struct stats is built by
 * hand; no map is read.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "output.h"
#include "policy.h"
#include "stats.h"
#include "util.h"

/* Above 2^32 and 2^63: a counter squeezed through 32 bits or a signed type shows up. */
#define BIG	((1ULL << 32) + 1)
#define U64_MAX	UINT64_MAX

/* The names a user sees, in enum order; the ABI header is the source of both. */
static const char *const names[] = {
	"passed-nonip",	     "passed-icmp",	"passed-port",	   "passed-fragment",
	"passed-established", "passed-related", "passed-default", "dropped-port",
	"dropped-icmp",	     "dropped-proto",	"dropped-malformed", "dropped-fragment",
	"dropped-martian",
};

static char *capture_table(const struct stats *st)
{
	struct capture c;

	output_stats_table(st, capture_open(&c));
	return capture_close(&c);
}

static char *capture_json(const char *iface, const struct stats *st)
{
	struct capture c;

	output_stats_json(iface, st, capture_open(&c));
	return capture_close(&c);
}

static struct port_row row(enum xdpfw_l4 l4, unsigned int port, __u64 pp, __u64 pb, __u64 dp,
			   __u64 db)
{
	struct port_row r = { .l4 = l4, .port = port };

	r.s.passed_packets = pp;
	r.s.passed_bytes = pb;
	r.s.dropped_packets = dp;
	r.s.dropped_bytes = db;
	return r;
}

/* ---- reason_name --------------------------------------------------------- */

static void test_reason_names(void **state)
{
	static const unsigned int out_of_range[] = { XDPFW_REASON_MAX, XDPFW_REASON_MAX + 1, 1000,
						     UINT32_MAX };
	unsigned int r;
	size_t i;

	assert_int_equal(XDPFW_REASON_MAX, ARRAY_SIZE(names));
	for (r = 0; r < XDPFW_REASON_MAX; r++)
		assert_string_equal(reason_name(r), names[r]);
	/* The verdict split the BPF side relies on: passing reasons first. */
	assert_string_equal(reason_name(XDPFW_REASON_FIRST_DROP), "dropped-port");
	assert_string_equal(reason_name(XDPFW_REASON_FIRST_DROP - 1), "passed-default");
	for (i = 0; i < ARRAY_SIZE(out_of_range); i++)
		assert_string_equal(reason_name((enum xdpfw_reason)out_of_range[i]), "?");
}

/* ---- stats_sort ---------------------------------------------------------- */

/*
 * Busiest first: total packets (passed + dropped), then total bytes, then
 * protocol (tcp before udp), then port. Each row is here for one tie-break.
 */
static const struct port_row sorted[] = {
	/* 2^33 packets: a comparison through int would get this wrong. */
	{ XDPFW_L4_UDP, 7, { 1ULL << 33, 1, 0, 0 } },
	{ XDPFW_L4_TCP, 22, { 4000, 1, 1000, 1 } },
	/* Only dropped packets, 200 of them: beats 150 passed. */
	{ XDPFW_L4_UDP, 65535, { 0, 0, 200, 9 } },
	{ XDPFW_L4_TCP, 8080, { 150, 99999, 0, 0 } },
	/* 100 packets each from here down; bytes 2^32 + 5 beat 2000. */
	{ XDPFW_L4_UDP, 9999, { 50, 1ULL << 32, 50, 5 } },
	{ XDPFW_L4_UDP, 53, { 100, 2000, 0, 0 } },
	/* 100 packets, 1000 bytes each, split differently: protocol, then port decides. */
	{ XDPFW_L4_TCP, 80, { 10, 100, 90, 900 } },
	{ XDPFW_L4_TCP, 443, { 60, 1000, 40, 0 } },
	{ XDPFW_L4_UDP, 80, { 100, 0, 0, 1000 } },
	{ XDPFW_L4_TCP, 1, { 1, 1, 0, 0 } },
};

static void check_order(const struct stats *st, const char *what)
{
	size_t i;

	assert_int_equal(st->n_ports, ARRAY_SIZE(sorted));
	for (i = 0; i < ARRAY_SIZE(sorted); i++)
		if (memcmp(&st->ports[i], &sorted[i], sizeof(sorted[i])))
			fail_msg("%s: position %zu is %s %u, want %s %u", what, i,
				 policy_l4_name(st->ports[i].l4), st->ports[i].port,
				 policy_l4_name(sorted[i].l4), sorted[i].port);
}

static void test_sort(void **state)
{
	const size_t n = ARRAY_SIZE(sorted);
	struct stats st = {};
	size_t rot, i;

	st.ports = calloc(n, sizeof(*st.ports));
	assert_non_null(st.ports);
	st.n_ports = st.cap_ports = n;

	/* Every rotation, forwards and backwards: the result must not depend on input order. */
	for (rot = 0; rot < n; rot++) {
		for (i = 0; i < n; i++)
			st.ports[i] = sorted[(i + rot) % n];
		stats_sort(&st);
		check_order(&st, "rotated");
		for (i = 0; i < n; i++)
			st.ports[i] = sorted[(n - 1 - i + rot) % n];
		stats_sort(&st);
		check_order(&st, "reversed");
	}
	stats_free(&st);
}

static void test_sort_empty(void **state)
{
	struct stats st = {};

	stats_sort(&st);
	assert_null(st.ports);
	assert_int_equal(st.n_ports, 0);
}

/* ---- the table ----------------------------------------------------------- */

static void fill_example(struct stats *st, struct port_row *rows)
{
	unsigned int r;

	memset(st, 0, sizeof(*st));
	rows[0] = row(XDPFW_L4_TCP, 443, 1234, 5678901, 5, 300);
	rows[1] = row(XDPFW_L4_UDP, 53, 0, 0, BIG, U64_MAX);
	st->ports = rows;
	st->n_ports = st->cap_ports = 2;
	/* Distinct values per reason, so a row printed under the wrong name shows. */
	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		st->reasons[r].packets = (r + 1) * 1000 + r;
		st->reasons[r].bytes = st->reasons[r].packets * 64;
	}
	st->reasons[XDPFW_REASON_DROPPED_MARTIAN].packets = 1ULL << 40;
	st->reasons[XDPFW_REASON_DROPPED_MARTIAN].bytes = U64_MAX;
	st->ct.entries = 12;
	for (r = 0; r < XDPFW_CT_COUNTER_MAX; r++)
		st->ct.counter[r] = 100 + r;
	st->ct.evictions = BIG;
}

static void test_table(void **state)
{
	struct port_row rows[2];
	struct stats st;
	char *text;

	fill_example(&st, rows);
	text = capture_table(&st);
	/* Rows are printed in the order given; only stats_sort orders them. */
	assert_string_equal(text,
		"PROTO  PORT    PASSED_PKTS     PASSED_BYTES   DROPPED_PKTS    DROPPED_BYTES\n"
		"tcp     443           1234          5678901              5              300\n"
		"udp      53              0                0     4294967297 18446744073709551615\n"
		"\n"
		"REASON                      PACKETS            BYTES\n"
		"passed-nonip                   1000            64000\n"
		"passed-icmp                    2001           128064\n"
		"passed-port                    3002           192128\n"
		"passed-fragment                4003           256192\n"
		"passed-established             5004           320256\n"
		"passed-related                 6005           384320\n"
		"passed-default                 7006           448384\n"
		"dropped-port                   8007           512448\n"
		"dropped-icmp                   9008           576512\n"
		"dropped-proto                 10009           640576\n"
		"dropped-malformed             11010           704640\n"
		"dropped-fragment              12011           768704\n"
		"dropped-martian       1099511627776 18446744073709551615\n"
		"\n"
		"CONNTRACK                     COUNT\n"
		"entries                          12\n"
		"inserts                         100\n"
		"refreshes                       101\n"
		"closes                          102\n"
		"deletes                         103\n"
		"seeded                          104\n"
		"evictions                4294967297\n");
	free(text);
}

/* No traffic: the header and every reason at zero, still. */
static void test_table_empty(void **state)
{
	struct stats st = {};
	char *text = capture_table(&st);

	assert_string_equal(text,
		"PROTO  PORT    PASSED_PKTS     PASSED_BYTES   DROPPED_PKTS    DROPPED_BYTES\n"
		"\n"
		"REASON                      PACKETS            BYTES\n"
		"passed-nonip                      0                0\n"
		"passed-icmp                       0                0\n"
		"passed-port                       0                0\n"
		"passed-fragment                   0                0\n"
		"passed-established                0                0\n"
		"passed-related                    0                0\n"
		"passed-default                    0                0\n"
		"dropped-port                      0                0\n"
		"dropped-icmp                      0                0\n"
		"dropped-proto                     0                0\n"
		"dropped-malformed                 0                0\n"
		"dropped-fragment                  0                0\n"
		"dropped-martian                   0                0\n"
		"\n"
		"CONNTRACK                     COUNT\n"
		"entries                           0\n"
		"inserts                           0\n"
		"refreshes                         0\n"
		"closes                            0\n"
		"deletes                           0\n"
		"seeded                            0\n"
		"evictions                         0\n");
	free(text);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_object *get(json_object *obj, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("key \"%s\" missing", key);
	if (!json_object_is_type(v, type))
		fail_msg("key \"%s\" is a %s, want %s", key,
			 json_type_to_name(json_object_get_type(v)), json_type_to_name(type));
	return v;
}

static void check_u64(json_object *obj, const char *key, __u64 want)
{
	__u64 got = json_object_get_uint64(get(obj, key, json_type_int));

	if (got != want)
		fail_msg("\"%s\": %llu, want %llu", key, (unsigned long long)got,
			 (unsigned long long)want);
}

static void check_port(json_object *o, const struct port_row *r)
{
	/* Exactly these six keys: the five checked below and "proto". */
	assert_int_equal(json_object_object_length(o), 6);
	assert_string_equal(json_object_get_string(get(o, "proto", json_type_string)),
			    policy_l4_name(r->l4));
	check_u64(o, "port", r->port);
	check_u64(o, "passed_packets", r->s.passed_packets);
	check_u64(o, "passed_bytes", r->s.passed_bytes);
	check_u64(o, "dropped_packets", r->s.dropped_packets);
	check_u64(o, "dropped_bytes", r->s.dropped_bytes);
}

static json_object *parse_whole(const char *text)
{
	size_t len = strlen(text);
	json_object *root;

	/* One document and one newline: nothing before or after it. */
	assert_true(len >= 2);
	assert_memory_equal(text + len - 2, "}\n", 2);
	assert_int_equal(text[0], '{');
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_is_type(root, json_type_object));
	assert_int_equal(json_object_object_length(root), 4);
	return root;
}

static void check_conntrack(json_object *root, const struct stats *st)
{
	json_object *ct = get(root, "conntrack", json_type_object);
	unsigned int c;

	assert_int_equal(json_object_object_length(ct), XDPFW_CT_COUNTER_MAX + 2);
	check_u64(ct, "entries", st->ct.entries);
	check_u64(ct, "evictions", st->ct.evictions);
	for (c = 0; c < XDPFW_CT_COUNTER_MAX; c++)
		check_u64(ct, ct_counter_name(c), st->ct.counter[c]);
}

static void check_reasons(json_object *root, const struct stats *st)
{
	json_object *reasons = get(root, "reasons", json_type_object);
	unsigned int r;

	/* One key per reason, named as reason_name() names it, holding packets (not bytes). */
	assert_int_equal(json_object_object_length(reasons), XDPFW_REASON_MAX);
	for (r = 0; r < XDPFW_REASON_MAX; r++)
		check_u64(reasons, reason_name(r), st->reasons[r].packets);
}

static void test_json(void **state)
{
	struct port_row rows[2];
	json_object *root, *ports;
	struct stats st;
	char *text;
	size_t i;

	fill_example(&st, rows);
	/* Every port field above 2^63 in one row and 2^32 in the other, and a reason at 2^64-1. */
	rows[0].s.passed_packets = BIG + 1;
	rows[0].s.passed_bytes = U64_MAX - 1;
	rows[0].s.dropped_packets = (1ULL << 63) + 7;
	rows[0].s.dropped_bytes = BIG + 2;
	rows[1].s.passed_packets = (1ULL << 63) + 3;
	rows[1].s.passed_bytes = BIG + 3;
	st.reasons[XDPFW_REASON_PASSED_PORT].packets = U64_MAX;
	text = capture_json("eth0", &st);
	root = parse_whole(text);

	assert_string_equal(json_object_get_string(get(root, "interface", json_type_string)),
			    "eth0");
	ports = get(root, "ports", json_type_array);
	assert_int_equal(json_object_array_length(ports), 2);
	for (i = 0; i < 2; i++)
		check_port(json_object_array_get_idx(ports, i), &rows[i]);
	check_reasons(root, &st);
	check_conntrack(root, &st);

	json_object_put(root);
	free(text);
}

static void test_json_empty(void **state)
{
	struct stats st = {};
	json_object *root;
	char *text;

	text = capture_json("veth-a.100", &st);
	root = parse_whole(text);
	assert_string_equal(json_object_get_string(get(root, "interface", json_type_string)),
			    "veth-a.100");
	/* No traffic is an empty array, not a missing key or null. */
	assert_int_equal(json_object_array_length(get(root, "ports", json_type_array)), 0);
	check_reasons(root, &st);
	check_conntrack(root, &st);
	json_object_put(root);
	free(text);
}

/* ---- stats_free ---------------------------------------------------------- */

static void test_stats_free(void **state)
{
	struct stats st = {};

	st.ports = malloc(3 * sizeof(*st.ports));
	assert_non_null(st.ports);
	st.n_ports = 2;
	st.cap_ports = 3;
	st.reasons[XDPFW_REASON_DROPPED_PORT].packets = 7;
	stats_free(&st);
	assert_null(st.ports);
	assert_int_equal(st.n_ports, 0);
	assert_int_equal(st.cap_ports, 0);
	/* The reason totals are not heap memory and stay readable. */
	assert_int_equal(st.reasons[XDPFW_REASON_DROPPED_PORT].packets, 7);

	/* Freed or never filled: freeing again is harmless (error paths do it). */
	stats_free(&st);
	assert_null(st.ports);
	assert_int_equal(st.n_ports, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_empty),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_empty),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_stats_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
