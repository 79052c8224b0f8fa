// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the counters' arithmetic and formats (user/stats.c,
 * user/output.c): merging rows, sort order, rates between two readings, the
 * table, JSON parsed back, the Prometheus text and `suggest`. struct stats
 * is built by hand; no map is read.
 */
#include <json-c/json.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "capture.h"
#include "output.h"
#include "policy.h"
#include "slots.h"
#include "stats.h"
#include "util.h"

/* Above 2^32 and 2^63: a counter squeezed through 32 bits or a signed type shows up. */
#define BIG	((1ULL << 32) + 1)
#define U64_MAX UINT64_MAX

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define IN XDPFW_DIR_IN
#define OUT XDPFW_DIR_OUT

/* The names a user sees, in enum order; the ABI header is the source of both. */
static const char *const names[] = {
	"passed-nonip",	      "passed-icmp",	"passed-port",	     "passed-fragment",
	"passed-established", "passed-related", "passed-default",    "dropped-port",
	"dropped-icmp",	      "dropped-proto",	"dropped-malformed", "dropped-fragment",
	"dropped-martian",    "dropped-blocklist", "dropped-source",     "dropped-limit",
};

static struct stats_row row(enum row_kind kind, __u8 dir, __u8 proto, __u16 lo, __u16 hi,
			    __u64 pp, __u64 pb, __u64 dp, __u64 db)
{
	return (struct stats_row){ .kind = kind, .dir = dir, .proto = proto, .lo = lo, .hi = hi,
				   .passed = { pp, pb }, .dropped = { dp, db } };
}

static void add_rows(struct stats *st, const struct stats_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(stats_add_row(st, &rows[i]), 0);
}

static bool same_row(const struct stats_row *a, const struct stats_row *b)
{
	return a->kind == b->kind && a->dir == b->dir && a->proto == b->proto && a->lo == b->lo &&
	       a->hi == b->hi && a->passed.packets == b->passed.packets &&
	       a->passed.bytes == b->passed.bytes && a->dropped.packets == b->dropped.packets &&
	       a->dropped.bytes == b->dropped.bytes;
}

static void check_row(const struct stats_row *got, const struct stats_row *want, size_t i)
{
	if (!same_row(got, want))
		fail_msg("row %zu: %s %s %u-%u %u passed %llu/%llu dropped %llu/%llu, want "
			 "%s %s %u-%u %u passed %llu/%llu dropped %llu/%llu",
			 i, row_kind_name(got->kind), dir_name(got->dir), got->lo, got->hi,
			 got->proto, (unsigned long long)got->passed.packets,
			 (unsigned long long)got->passed.bytes,
			 (unsigned long long)got->dropped.packets,
			 (unsigned long long)got->dropped.bytes, row_kind_name(want->kind),
			 dir_name(want->dir), want->lo, want->hi, want->proto,
			 (unsigned long long)want->passed.packets,
			 (unsigned long long)want->passed.bytes,
			 (unsigned long long)want->dropped.packets,
			 (unsigned long long)want->dropped.bytes);
}

static void check_rows(const struct stats *st, const struct stats_row *want, size_t n)
{
	size_t i;

	assert_int_equal(st->n_rows, n);
	for (i = 0; i < n; i++)
		check_row(&st->rows[i], &want[i], i);
}

/* ---- names ---------------------------------------------------------------- */

static void test_names(void **state)
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
	assert_string_equal(dir_name(IN), "in");
	assert_string_equal(dir_name(OUT), "out");
	assert_string_equal(dir_name(0), "?");
	assert_string_equal(log_counter_name(XDPFW_LOG_SENT), "sent");
	assert_string_equal(log_counter_name(XDPFW_LOG_SUPPRESSED), "suppressed");
	assert_string_equal(log_counter_name(XDPFW_LOG_LOST), "lost");
	assert_string_equal(log_counter_name(XDPFW_LOG_COUNTER_MAX), "?");
}

/* ---- stats_merge and stats_sort ----------------------------------------- */

/*
 * Busiest first: total packets (passed + dropped), then total bytes, then
 * kind, direction, protocol, port. Each row is here for one tie-break.
 */
static const struct stats_row sorted[] = {
	/* 2^33 packets: a comparison through int would get this wrong. */
	{ ROW_SERVICE, OUT, UDP, 7, 7, { 1ULL << 33, 1 } },
	{ ROW_POLICY, IN, TCP, 22, 22, { 4000, 1 }, { 1000, 1 } },
	/* Only dropped packets, 200 of them: beats 150 passed. */
	{ ROW_BUCKET, IN, UDP, 65535, 65535, { 0, 0 }, { 200, 9 } },
	{ ROW_POLICY, IN, TCP, 8080, 8080, { 150, 99999 } },
	/* 100 packets each from here down; bytes 2^32 + 5 beat 2000. */
	{ ROW_BUCKET, IN, UDP, 9999, 9999, { 50, 1ULL << 32 }, { 50, 5 } },
	{ ROW_POLICY, IN, UDP, 53, 53, { 100, 2000 } },
	/* 100 packets, 1000 bytes each: kind, direction, protocol, then port decide. */
	{ ROW_POLICY, IN, TCP, 80, 80, { 10, 100 }, { 90, 900 } },
	{ ROW_POLICY, IN, TCP, 443, 443, { 60, 1000 }, { 40, 0 } },
	{ ROW_POLICY, IN, UDP, 80, 80, { 100, 0 }, { 0, 1000 } },
	{ ROW_SERVICE, IN, TCP, 2222, 2222, { 100, 1000 } },
	{ ROW_SERVICE, OUT, TCP, 80, 80, { 100, 1000 } },
	{ ROW_OTHER, IN, TCP, 0, 0, { 100, 1000 } },
	{ ROW_POLICY, IN, TCP, 1, 1, { 1, 1 } },
};

static void test_sort(void **state)
{
	const size_t n = ARRAY_SIZE(sorted);
	struct stats st = {};
	size_t rot, i;

	add_rows(&st, sorted, n);
	/* Every rotation, forwards and backwards: the result must not depend on input order. */
	for (rot = 0; rot < n; rot++) {
		for (i = 0; i < n; i++)
			st.rows[i] = sorted[(i + rot) % n];
		stats_sort(&st);
		check_rows(&st, sorted, n);
		for (i = 0; i < n; i++)
			st.rows[i] = sorted[(n - 1 - i + rot) % n];
		stats_merge(&st); /* distinct keys: merging only sorts */
		check_rows(&st, sorted, n);
	}
	stats_free(&st);
}

/*
 * One row a key: a port counted by its policy slot and as a service (in) is
 * one row of kind policy; the same port out is another row; a catch-all is
 * never folded into port 0; empty rows go.
 */
static void test_merge(void **state)
{
	const struct stats_row in[] = {
		row(ROW_SERVICE, IN, TCP, 25, 25, 10, 1000, 0, 0),
		row(ROW_BUCKET, IN, TCP, 25, 25, 0, 0, 3, 180),
		row(ROW_POLICY, IN, TCP, 25, 25, 5, 500, 0, 0),
		row(ROW_SERVICE, OUT, TCP, 25, 25, 7, 700, 0, 0),
		row(ROW_BUCKET, IN, TCP, 0, 0, 0, 0, 2, 120),
		row(ROW_OTHER, IN, TCP, 0, 0, 0, 0, 4, 240),
		row(ROW_POLICY, IN, UDP, 53, 53, 0, 0, 0, 0),
		row(ROW_BUCKET, IN, TCP, 25, 25, 0, 0, BIG, BIG),
	};
	const struct stats_row want[] = {
		row(ROW_POLICY, IN, TCP, 25, 25, 15, 1500, BIG + 3, BIG + 180),
		row(ROW_SERVICE, OUT, TCP, 25, 25, 7, 700, 0, 0),
		row(ROW_OTHER, IN, TCP, 0, 0, 0, 0, 4, 240),
		row(ROW_BUCKET, IN, TCP, 0, 0, 0, 0, 2, 120),
	};
	struct stats st = {};

	add_rows(&st, in, ARRAY_SIZE(in));
	stats_merge(&st);
	check_rows(&st, want, ARRAY_SIZE(want));
	stats_free(&st);

	stats_merge(&st); /* nothing at all */
	assert_int_equal(st.n_rows, 0);
}

/* 128 CPUs x 256 buckets of closed ports: 32k rows fold into one a port, exactly. */
static void test_merge_many(void **state)
{
	struct stats st = {};
	struct stats_row r;
	unsigned int cpu, b;
	clock_t t0;

	for (cpu = 0; cpu < 128; cpu++)
		for (b = 0; b < XDPFW_CLOSED_BUCKETS; b++) {
			/* Each CPU's bucket b holds port b or b + 256, as first come. */
			r = row(ROW_BUCKET, IN, TCP, b + (cpu & 1) * 256, b + (cpu & 1) * 256, 0, 0,
				cpu + 1, 60 * (cpu + 1));
			assert_int_equal(stats_add_row(&st, &r), 0);
		}
	t0 = clock();
	stats_merge(&st);
	assert_true(clock() - t0 < CLOCKS_PER_SEC / 10);
	assert_int_equal(st.n_rows, 2 * XDPFW_CLOSED_BUCKETS);
	/* Odd CPUs (2, 4, .. 128 packets: 64 * 65 = 4160) beat even ones (64 * 64 = 4096). */
	assert_int_equal(st.rows[0].dropped.packets, 4160);
	assert_int_equal(st.rows[0].lo, 256);
	assert_int_equal(st.rows[2 * XDPFW_CLOSED_BUCKETS - 1].dropped.packets, 4096);
	assert_int_equal(st.rows[2 * XDPFW_CLOSED_BUCKETS - 1].lo, 255);
	stats_free(&st);
}

/* ---- stats_delta: rates ---------------------------------------------------- */

static void test_delta(void **state)
{
	const struct stats_row before[] = {
		row(ROW_POLICY, IN, TCP, 22, 22, 100, 10000, 1, 60),
		row(ROW_SERVICE, OUT, TCP, 80, 80, 50, 5000, 0, 0),
		row(ROW_BUCKET, IN, UDP, 161, 161, 0, 0, 9, 900),
	};
	const struct stats_row after[] = {
		row(ROW_POLICY, IN, TCP, 22, 22, 300, 30000, 1, 60),
		row(ROW_SERVICE, OUT, TCP, 80, 80, 40, 4000, 0, 0), /* reset between */
		row(ROW_SERVICE, OUT, UDP, 53, 53, 8, 800, 0, 0),  /* new */
		row(ROW_BUCKET, IN, UDP, 161, 161, 0, 0, 29, 2900),
	};
	const struct stats_row want[] = {
		row(ROW_POLICY, IN, TCP, 22, 22, 200, 20000, 0, 0),
		row(ROW_BUCKET, IN, UDP, 161, 161, 0, 0, 20, 2000),
		row(ROW_SERVICE, OUT, UDP, 53, 53, 8, 800, 0, 0),
	};
	struct stats from = {}, to = {}, d;

	add_rows(&from, before, ARRAY_SIZE(before));
	add_rows(&to, after, ARRAY_SIZE(after));
	stats_merge(&from);
	stats_merge(&to);
	from.taken_ns = 5000000000ULL;
	to.taken_ns = 7500000000ULL;
	from.passed = (struct xdpfw_counter){ 150, 15000 };
	to.passed = (struct xdpfw_counter){ 348, 34800 };
	from.reasons[XDPFW_REASON_PASSED_PORT] = (struct xdpfw_counter){ 100, 1 };
	to.reasons[XDPFW_REASON_PASSED_PORT] = (struct xdpfw_counter){ 300, 3 };
	from.log[XDPFW_LOG_SUPPRESSED] = 10;
	to.log[XDPFW_LOG_SUPPRESSED] = 15;
	to.ct.entries = 77;
	snprintf(to.iface, sizeof(to.iface), "eth1");

	assert_int_equal(stats_delta(&from, &to, &d), 0);
	assert_true(d.secs > 2.4999 && d.secs < 2.5001);
	assert_string_equal(d.iface, "eth1");
	assert_int_equal(d.passed.packets, 198);
	assert_int_equal(d.passed.bytes, 19800);
	assert_int_equal(d.reasons[XDPFW_REASON_PASSED_PORT].packets, 200);
	assert_int_equal(d.log[XDPFW_LOG_SUPPRESSED], 5);
	assert_int_equal(d.ct.entries, 77); /* a gauge: the later reading */
	check_rows(&d, want, ARRAY_SIZE(want));
	stats_free(&d);

	/* Readings out of order: no time, no negative counts. */
	assert_int_equal(stats_delta(&to, &from, &d), 0);
	assert_true(d.secs == 0);
	assert_int_equal(d.passed.packets, 0);
	assert_int_equal(d.n_rows, 1); /* out/tcp/80: 50 after 40 */
	stats_free(&d);
	stats_free(&from);
	stats_free(&to);
}

/* ---- the table ----------------------------------------------------------- */

static char *capture_table(const struct stats *st, size_t n, size_t top)
{
	struct stats_view v = { .top = top };
	struct capture c;

	output_stats_table(st, n, &v, capture_open(&c));
	return capture_close(&c);
}

/* 2026-11-24 10:00:00 UTC and an hour later. */
#define LOADED 1795514400ULL
#define RESET  1795518000ULL

static void fill_example(struct stats *st)
{
	const struct stats_row rows[] = {
		row(ROW_POLICY, IN, TCP, 443, 443, 1234, 5678901, 5, 300),
		row(ROW_SERVICE, OUT, UDP, 53, 53, 0, 0, BIG, U64_MAX),
		row(ROW_POLICY, IN, TCP, 6000, 6010, 7, 700, 0, 0),
		row(ROW_OTHER, OUT, 0, 0, 0, 3, 300, 0, 0),
	};
	unsigned int r;

	memset(st, 0, sizeof(*st));
	snprintf(st->iface, sizeof(st->iface), "eth0");
	add_rows(st, rows, ARRAY_SIZE(rows));
	st->cfg.loaded_at = LOADED;
	st->cfg.reset_at = RESET;
	st->passed = (struct xdpfw_counter){ 1244, 5679901 };
	st->dropped = (struct xdpfw_counter){ BIG + 5, 300 };
	/* Distinct values per reason, so a row printed under the wrong name shows. */
	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		st->reasons[r].packets = (r + 1) * 1000 + r;
		st->reasons[r].bytes = st->reasons[r].packets * 64;
	}
	st->reasons[XDPFW_REASON_DROPPED_MARTIAN].packets = 1ULL << 40;
	st->reasons[XDPFW_REASON_DROPPED_MARTIAN].bytes = U64_MAX;
	st->log[XDPFW_LOG_SENT] = 40;
	st->log[XDPFW_LOG_SUPPRESSED] = 41;
	st->log[XDPFW_LOG_LOST] = 42;
	st->ct.entries = 12;
	st->ct.limit = 262144;
	for (r = 0; r < XDPFW_CT_COUNTER_MAX; r++)
		st->ct.counter[r] = 100 + r;
	st->ct.evictions = BIG;
}

static void test_table(void **state)
{
	struct stats st;
	char *text;

	fill_example(&st);
	text = capture_table(&st, 1, 0);
	/* Rows are printed in the order given; only stats_sort orders them. */
	assert_string_equal(
		text,
		"eth0: counting since 2026-11-24 11:00:00 (loaded 2026-11-24 10:00:00)\n"
		"passed 1244 packets 5679901 bytes, dropped 4294967302 packets 300 bytes\n"
		"\n"
		"DIR  PROTO PORT        KIND        PASSED_PKTS     PASSED_BYTES   DROPPED_PKTS    DROPPED_BYTES\n"
		"in   tcp   443         policy             1234          5678901              5              300\n"
		"out  udp   53          service               0                0     4294967297 18446744073709551615\n"
		"in   tcp   6000-6010   policy                7              700              0                0\n"
		"out  any   other       other                 3              300              0                0\n"
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
		"dropped-blocklist             14013           896832\n"
		"dropped-source                15014           960896\n"
		"dropped-limit                 16015          1024960\n"
		"\n"
		"DROP LOG                    RECORDS\n"
		"sent                             40\n"
		"suppressed                       41\n"
		"lost                             42\n"
		"\n"
		"CONNTRACK                     COUNT\n"
		"entries                          12\n"
		"limit                        262144\n"
		"inserts                         100\n"
		"refreshes                       101\n"
		"closes                          102\n"
		"deletes                         103\n"
		"seeded                          104\n"
		"evictions                4294967297\n");
	free(text);

	/* --top 1: one row and what was left out. */
	text = capture_table(&st, 1, 1);
	assert_non_null(strstr(text, "in   tcp   443 "));
	assert_null(strstr(text, "out  udp   53 "));
	assert_non_null(strstr(text, "\n(3 more rows)\n\nREASON"));
	free(text);
	stats_free(&st);

	text = capture_table(NULL, 0, 0);
	assert_string_equal(text, "xdpfw is not loaded on any interface\n");
	free(text);
}

/* A delta: rates in packets/s and bits/s, no reason or flow-table sections. */
static void test_table_rates(void **state)
{
	const struct stats_row r = row(ROW_SERVICE, OUT, TCP, 80, 80, 500, 75000, 0, 0);
	struct stats st = { .iface = "eth1", .secs = 2.5 };
	char *text;

	add_rows(&st, &r, 1);
	st.passed = (struct xdpfw_counter){ 500, 75000 };
	st.dropped = (struct xdpfw_counter){ 5, 300 };
	text = capture_table(&st, 1, 0);
	assert_string_equal(
		text,
		"eth1: over 2.50 s: passed 200.0 packets/s 240000 bits/s, dropped 2.0 packets/s 960 bits/s\n"
		"\n"
		"DIR  PROTO PORT        KIND         PASSED_PPS       PASSED_BPS    DROPPED_PPS      DROPPED_BPS\n"
		"out  tcp   80          service           200.0           240000            0.0                0\n");
	free(text);
	stats_free(&st);
}

/* ---- JSON ---------------------------------------------------------------- */

static char *capture_json(const struct stats *st, size_t n, const struct stats_view *v)
{
	struct capture c;

	output_stats_json(st, n, v, capture_open(&c));
	return capture_close(&c);
}

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

static void check_str(json_object *obj, const char *key, const char *want)
{
	assert_string_equal(json_object_get_string(get(obj, key, json_type_string)), want);
}

static void check_counts(json_object *o, const struct xdpfw_counter *p,
			 const struct xdpfw_counter *d)
{
	check_u64(o, "passed_packets", p->packets);
	check_u64(o, "passed_bytes", p->bytes);
	check_u64(o, "dropped_packets", d->packets);
	check_u64(o, "dropped_bytes", d->bytes);
}

static json_object *parse_whole(const char *text, bool one_line)
{
	size_t len = strlen(text);
	json_object *root;

	/* One document and one newline: nothing before or after it. */
	assert_true(len >= 2);
	assert_memory_equal(text + len - 2, "}\n", 2);
	assert_int_equal(text[0], '{');
	if (one_line)
		assert_ptr_equal(strchr(text, '\n'), text + len - 1);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_is_type(root, json_type_object));
	return root;
}

static void check_port(json_object *o, const struct stats_row *r)
{
	/* Direction, proto, kind and four counts; a port unless a catch-all; port_to for a range. */
	assert_int_equal(json_object_object_length(o),
			 7 + (r->kind != ROW_OTHER) + (r->kind != ROW_OTHER && r->lo != r->hi));
	check_str(o, "direction", dir_name(r->dir));
	check_str(o, "proto", r->proto == TCP ? "tcp" : r->proto == UDP ? "udp" : "any");
	check_str(o, "kind", row_kind_name(r->kind));
	if (r->kind != ROW_OTHER)
		check_u64(o, "port", r->lo);
	if (r->kind != ROW_OTHER && r->lo != r->hi)
		check_u64(o, "port_to", r->hi);
	check_counts(o, &r->passed, &r->dropped);
}

static void check_iface(json_object *root, const struct stats *st, size_t top)
{
	json_object *ports = get(root, "ports", json_type_array), *o;
	size_t i, shown = top && top < st->n_rows ? top : st->n_rows;
	unsigned int c;

	/* interface, 3 epochs, totals, ports, more_ports, reasons, reason_bytes, log, conntrack */
	assert_int_equal(json_object_object_length(root), 11);
	check_str(root, "interface", st->iface);
	check_u64(root, "loaded_at", st->cfg.loaded_at);
	check_u64(root, "reset_at", st->cfg.reset_at);
	check_u64(root, "since", RESET);
	check_counts(get(root, "totals", json_type_object), &st->passed, &st->dropped);
	assert_int_equal(json_object_array_length(ports), shown);
	for (i = 0; i < shown; i++)
		check_port(json_object_array_get_idx(ports, i), &st->rows[i]);
	check_u64(root, "more_ports", st->n_rows - shown);
	o = get(root, "reasons", json_type_object);
	assert_int_equal(json_object_object_length(o), XDPFW_REASON_MAX);
	for (c = 0; c < XDPFW_REASON_MAX; c++)
		check_u64(o, reason_name(c), st->reasons[c].packets);
	o = get(root, "reason_bytes", json_type_object);
	for (c = 0; c < XDPFW_REASON_MAX; c++)
		check_u64(o, reason_name(c), st->reasons[c].bytes);
	o = get(root, "log", json_type_object);
	assert_int_equal(json_object_object_length(o), XDPFW_LOG_COUNTER_MAX);
	for (c = 0; c < XDPFW_LOG_COUNTER_MAX; c++)
		check_u64(o, log_counter_name(c), st->log[c]);
	o = get(root, "conntrack", json_type_object);
	assert_int_equal(json_object_object_length(o), XDPFW_CT_COUNTER_MAX + 3);
	check_u64(o, "entries", st->ct.entries);
	check_u64(o, "limit", st->ct.limit);
	check_u64(o, "evictions", st->ct.evictions);
	for (c = 0; c < XDPFW_CT_COUNTER_MAX; c++)
		check_u64(o, ct_counter_name(c), st->ct.counter[c]);
}

static void test_json(void **state)
{
	struct stats_view one = { .one = true }, top2 = { .one = true, .top = 2 }, all = {};
	json_object *root, *arr;
	struct stats st[2];
	char *text;

	fill_example(&st[0]);
	fill_example(&st[1]);
	snprintf(st[1].iface, sizeof(st[1].iface), "veth-a.100");
	st[0].rows[0].passed.packets = (1ULL << 63) + 3;

	text = capture_json(st, 1, &one);
	root = parse_whole(text, false);
	check_iface(root, &st[0], 0);
	json_object_put(root);
	free(text);

	text = capture_json(st, 1, &top2);
	root = parse_whole(text, false);
	check_iface(root, &st[0], 2);
	json_object_put(root);
	free(text);

	/* No interface named: a list, also of one. */
	text = capture_json(st, 2, &all);
	root = parse_whole(text, false);
	assert_int_equal(json_object_object_length(root), 1);
	arr = get(root, "interfaces", json_type_array);
	assert_int_equal(json_object_array_length(arr), 2);
	check_iface(json_object_array_get_idx(arr, 0), &st[0], 0);
	check_iface(json_object_array_get_idx(arr, 1), &st[1], 0);
	json_object_put(root);
	free(text);

	text = capture_json(st, 0, &all);
	root = parse_whole(text, false);
	assert_int_equal(json_object_array_length(get(root, "interfaces", json_type_array)), 0);
	json_object_put(root);
	free(text);
	stats_free(&st[0]);
	stats_free(&st[1]);
}

/* --interval --json: JSON lines, with the interval and rates beside each count. */
static void test_json_rates(void **state)
{
	const struct stats_row r = row(ROW_SERVICE, OUT, TCP, 80, 80, 500, 75000, 2, 128);
	struct stats st = { .iface = "eth1", .secs = 2.5 };
	struct stats_view v = { .one = true, .lines = true };
	json_object *root, *o;
	char *text;

	add_rows(&st, &r, 1);
	st.passed = (struct xdpfw_counter){ 500, 75000 };
	text = capture_json(&st, 1, &v);
	root = parse_whole(text, true);
	assert_true(json_object_get_double(get(root, "interval_s", json_type_double)) == 2.5);
	assert_true(json_object_get_int64(get(root, "time", json_type_int)) >= 1795514400);
	assert_true(json_object_is_type(get(root, "loaded_at", json_type_null), json_type_null));
	o = get(root, "totals", json_type_object);
	assert_true(json_object_get_double(get(o, "passed_pps", json_type_double)) == 200);
	assert_true(json_object_get_double(get(o, "passed_bps", json_type_double)) == 240000);
	o = json_object_array_get_idx(get(root, "ports", json_type_array), 0);
	assert_int_equal(json_object_object_length(o), 12);
	check_u64(o, "passed_packets", 500);
	assert_true(json_object_get_double(get(o, "dropped_pps", json_type_double)) == 0.8);
	assert_true(json_object_get_double(get(o, "dropped_bps", json_type_double)) == 409.6);
	json_object_put(root);
	free(text);
	stats_free(&st);
}

/* ---- Prometheus ------------------------------------------------------------ */

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, len);
	return n;
}

static void test_prometheus(void **state)
{
	const struct iface_status info[2] = { { .name = "eth0", .mode = "native", .prog_id = 42 },
					      { .name = "we\"ird\\", .mode = "skb", .prog_id = 7 } };
	struct stats st[2];
	struct capture c;
	char *text;

	fill_example(&st[0]);
	fill_example(&st[1]);
	snprintf(st[1].iface, sizeof(st[1].iface), "we\"ird\\");
	output_stats_prometheus(st, info, 2, capture_open(&c));
	text = capture_close(&c);

	assert_true(has_line(text, "# TYPE xdpfw_info gauge"));
	assert_true(has_line(text, "xdpfw_info{interface=\"eth0\",mode=\"native\",prog_id=\"42\"} 1"));
	/* Label values escaped as the format says. */
	assert_true(has_line(text,
			     "xdpfw_info{interface=\"we\\\"ird\\\\\",mode=\"skb\",prog_id=\"7\"} 1"));
	assert_true(has_line(text, "xdpfw_counters_since_timestamp_seconds{interface=\"eth0\"} "
				   "1795518000"));
	assert_true(has_line(text, "xdpfw_loaded_timestamp_seconds{interface=\"eth0\"} 1795514400"));
	assert_true(has_line(text, "# TYPE xdpfw_packets_total counter"));
	assert_true(has_line(text, "xdpfw_packets_total{interface=\"eth0\",verdict=\"pass\","
				   "reason=\"passed-port\"} 3002"));
	assert_true(has_line(text, "xdpfw_bytes_total{interface=\"eth0\",verdict=\"drop\","
				   "reason=\"dropped-martian\"} 18446744073709551615"));
	/* Every reason of every interface, zero or not. */
	assert_int_equal(count_prefix(text, "xdpfw_packets_total{"), 2 * XDPFW_REASON_MAX);
	/* Port series: non-zero ones only. */
	assert_true(has_line(text, "xdpfw_port_packets_total{interface=\"eth0\",proto=\"tcp\","
				   "port=\"443\",direction=\"in\",verdict=\"pass\"} 1234"));
	assert_true(has_line(text, "xdpfw_port_bytes_total{interface=\"eth0\",proto=\"udp\","
				   "port=\"53\",direction=\"out\",verdict=\"drop\"} "
				   "18446744073709551615"));
	assert_true(has_line(text, "xdpfw_port_packets_total{interface=\"eth0\",proto=\"tcp\","
				   "port=\"6000-6010\",direction=\"in\",verdict=\"pass\"} 7"));
	assert_true(has_line(text, "xdpfw_port_packets_total{interface=\"eth0\",proto=\"any\","
				   "port=\"other\",direction=\"out\",verdict=\"pass\"} 3"));
	assert_int_equal(count_prefix(text, "xdpfw_port_packets_total{"), 2 * 5);
	assert_true(has_line(text, "xdpfw_drop_log_records_total{interface=\"eth0\","
				   "outcome=\"lost\"} 42"));
	/* The shared flow tables: once, without an interface. */
	assert_true(has_line(text, "xdpfw_conntrack_entries 12"));
	assert_true(has_line(text, "xdpfw_conntrack_entries_limit 262144"));
	assert_true(has_line(text, "xdpfw_conntrack_evictions_total 4294967297"));
	assert_true(has_line(text, "xdpfw_conntrack_events_total{event=\"seeded\"} 104"));
	assert_int_equal(count_prefix(text, "xdpfw_conntrack_entries "), 1);
	/* Every family announced once, before its samples. */
	assert_int_equal(count_prefix(text, "# TYPE "), 12);
	assert_int_equal(count_prefix(text, "# HELP "), 12);
	free(text);
	stats_free(&st[0]);
	stats_free(&st[1]);

	/* Nothing loaded: the info family alone, no sample, no flow-table series. */
	output_stats_prometheus(NULL, NULL, 0, capture_open(&c));
	text = capture_close(&c);
	assert_int_equal(count_prefix(text, "xdpfw_conntrack"), 0);
	assert_int_equal(count_prefix(text, "xdpfw_info{"), 0);
	free(text);
}

/* ---- suggest ------------------------------------------------------------ */

static void test_suggest(void **state)
{
	const struct stats_row rows[] = {
		row(ROW_BUCKET, IN, TCP, 993, 993, 900, 90000, 0, 0),
		row(ROW_POLICY, IN, TCP, 25, 25, 500, 50000, 0, 0),
		row(ROW_SERVICE, OUT, TCP, 80, 80, 400, 40000, 0, 0),
		row(ROW_BUCKET, IN, UDP, 53, 53, 30, 3000, 5, 500),
		row(ROW_POLICY, IN, TCP, 6000, 6010, 20, 2000, 0, 0),
		row(ROW_OTHER, IN, TCP, 0, 0, 10, 1000, 0, 0),
		row(ROW_BUCKET, IN, TCP, 0, 0, 0, 0, 2, 120),
	};
	static struct policy live, again;
	struct policy_error perr;
	struct stats st = { .iface = "eth0", .cfg = { .loaded_at = LOADED } };
	struct capture c;
	char *text;

	const char *text_live = "default pass\nicmp6 drop\nlog-rate 7\nallow tcp 22\n";

	assert_int_equal(policy_parse(&live, text_live, strlen(text_live), "live", &perr), 0);
	add_rows(&st, rows, ARRAY_SIZE(rows));
	output_suggest(&st, &live, capture_open(&c));
	text = capture_close(&c);
	assert_string_equal(
		text,
		"# xdpfw suggest eth0: the ports that received traffic since 2026-11-24 10:00:00, busiest first.\n"
		"# Check it with 'xdpfw check FILE', apply it with 'xdpfw reload eth0 --policy FILE'.\n"
		"default drop\n"
		"icmp pass\n"
		"icmp6 drop\n"
		"log-rate 7\n"
		"allow tcp 993            # 900 packets, 90000 bytes\n"
		"allow tcp 25             # 500 packets, 50000 bytes\n"
		"allow udp 53             # 35 packets, 3500 bytes (5 dropped)\n"
		"allow tcp 6000-6010      # 20 packets, 2000 bytes\n"
		"# out tcp 80: 400 packets, replies of the host's own connections: state tracking passes them\n"
		"# in tcp other: 10 packets to ports not counted one by one (the closed-port buckets were taken)\n"
		"# in tcp 0: 2 packets, to port 0: never allowed\n");
	/* What it suggests is a policy: it parses, and opens exactly those ports. */
	assert_int_equal(policy_parse(&again, text, strlen(text), "suggested", &perr), 0);
	assert_int_equal(policy_port_count(&again, XDPFW_L4_TCP), 13);
	assert_int_equal(policy_port_count(&again, XDPFW_L4_UDP), 1);
	assert_false(again.bpf.flags & XDPFW_F_DEFAULT_PASS);
	assert_true(again.bpf.flags & XDPFW_F_ICMP6_DROP);
	free(text);
	stats_free(&st);
}

/* ---- slots_assign ------------------------------------------------------- */

static struct policy *parsed(const char *text)
{
	static struct policy pol;
	struct policy_error perr;

	assert_int_equal(policy_parse(&pol, text, strlen(text), "t", &perr), 0);
	return &pol;
}

/* "allow tcp 2,4,..,last" and more. */
static const char *even_ports(unsigned int last, const char *more)
{
	static char text[1024];
	size_t n = snprintf(text, sizeof(text), "allow tcp 2");
	unsigned int p;

	for (p = 4; p <= last; p += 2)
		n += snprintf(text + n, sizeof(text) - n, ",%u", p);
	snprintf(text + n, sizeof(text) - n, "%s\n", more);
	return text;
}

static unsigned int labels_used(const struct xdpfw_slot_label *labels)
{
	unsigned int i, n = 0;

	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		n += labels[i].dir != 0;
	return n;
}

/* The slot of a port, and the label of that slot. */
static const struct xdpfw_slot_label *label_of(const struct policy *pol,
					       const struct xdpfw_slot_label *labels,
					       enum xdpfw_l4 l4, unsigned int port)
{
	__u8 slot = pol->bpf.port_slot[l4][port];

	assert_true(slot >= XDPFW_SLOT_FIRST_POLICY && slot < XDPFW_SLOT_FIRST_SERVICE);
	return &labels[slot - XDPFW_SLOT_FIRST_POLICY];
}

static void test_slots(void **state)
{
	static struct xdpfw_slot_label labels[XDPFW_POLICY_SLOT_COUNT];
	bool reused[XDPFW_POLICY_SLOT_COUNT];
	const struct xdpfw_slot_label *l;
	struct policy *pol;
	__u8 slot22, slot3268;
	unsigned int p, i;

	/* The built-in policy: 20 ports, 3268-3269 two of them; 16 ports split, 17 do not. */
	pol = parsed("allow tcp 22,3268-3269,7000-7015,8000-8016\nallow udp 53\n");
	assert_int_equal(slots_assign(pol, labels, reused), 0);
	assert_int_equal(labels_used(labels), 3 + 16 + 1 + 1);
	l = label_of(pol, labels, XDPFW_L4_TCP, 3269);
	assert_true(l->dir == IN && l->proto == TCP && l->lo == 3269 && l->hi == 3269);
	l = label_of(pol, labels, XDPFW_L4_TCP, 7015);
	assert_true(l->lo == 7015 && l->hi == 7015);
	for (p = 8000; p <= 8016; p++) {
		l = label_of(pol, labels, XDPFW_L4_TCP, p);
		assert_true(l->lo == 8000 && l->hi == 8016);
	}
	l = label_of(pol, labels, XDPFW_L4_UDP, 53);
	assert_true(l->proto == UDP && l->lo == 53);
	assert_int_equal(pol->bpf.port_slot[XDPFW_L4_UDP][22], 0);
	assert_int_equal(pol->bpf.port_slot[XDPFW_L4_TCP][8017], 0);
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		assert_false(reused[i]);
	slot22 = pol->bpf.port_slot[XDPFW_L4_TCP][22];
	slot3268 = pol->bpf.port_slot[XDPFW_L4_TCP][3268];

	/* A reload: kept rows keep their slots (their counters go on); new ones take free slots. */
	pol = parsed("allow tcp 3268,22,25\n");
	assert_int_equal(slots_assign(pol, labels, reused), 0);
	assert_int_equal(pol->bpf.port_slot[XDPFW_L4_TCP][22], slot22);
	assert_int_equal(pol->bpf.port_slot[XDPFW_L4_TCP][3268], slot3268);
	assert_int_equal(label_of(pol, labels, XDPFW_L4_TCP, 25)->lo, 25);
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		assert_false(reused[i]); /* free slots were left */
	assert_int_equal(labels_used(labels), 22);

	/* Every slot labelled (ports 2, 4, .. 188): a new row takes a stale one, marked reused. */
	memset(labels, 0, sizeof(labels));
	pol = parsed(even_ports(2 * XDPFW_POLICY_SLOT_COUNT, ""));
	assert_int_equal(slots_assign(pol, labels, reused), 0);
	assert_int_equal(labels_used(labels), XDPFW_POLICY_SLOT_COUNT);
	pol = parsed(even_ports(2 * XDPFW_POLICY_SLOT_COUNT - 2, ",1000"));
	assert_int_equal(slots_assign(pol, labels, reused), 0);
	l = label_of(pol, labels, XDPFW_L4_TCP, 1000);
	assert_true(l->lo == 1000 && l->hi == 1000);
	assert_true(reused[pol->bpf.port_slot[XDPFW_L4_TCP][1000] - XDPFW_SLOT_FIRST_POLICY]);
	for (i = 0, p = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		p += reused[i];
	assert_int_equal(p, 1);

	/* More rows than slots: the rest have none and count in the catch-all. */
	pol = parsed(even_ports(2 * XDPFW_POLICY_SLOT_COUNT, ",1000,2000\nallow udp 9"));
	assert_int_equal(slots_assign(pol, labels, reused), 3);
	assert_int_equal(pol->bpf.port_slot[XDPFW_L4_UDP][9], 0);
}

/* ---- stats_free ---------------------------------------------------------- */

static void test_stats_free(void **state)
{
	const struct stats_row r = row(ROW_POLICY, IN, TCP, 22, 22, 1, 1, 0, 0);
	struct stats st = {};

	add_rows(&st, &r, 1);
	st.reasons[XDPFW_REASON_DROPPED_PORT].packets = 7;
	stats_free(&st);
	assert_null(st.rows);
	assert_int_equal(st.n_rows, 0);
	assert_int_equal(st.cap_rows, 0);
	/* The reason totals are not heap memory and stay readable. */
	assert_int_equal(st.reasons[XDPFW_REASON_DROPPED_PORT].packets, 7);
	/* Freed or never filled: freeing again is harmless (error paths do it). */
	stats_free(&st);
	assert_null(st.rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),	     cmocka_unit_test(test_sort),
		cmocka_unit_test(test_merge),	     cmocka_unit_test(test_merge_many),
		cmocka_unit_test(test_delta),	     cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_rates),  cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_rates),   cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_suggest),	     cmocka_unit_test(test_slots),
		cmocka_unit_test(test_stats_free),
	};

	/* Times in the table are local: make local UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
