// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "harness.h"
#include "policy.h"
#include "stats.h"



struct counters {
	struct xdpfw_reason_stats reasons[XDPFW_REASON_MAX];
	struct xdpfw_port_stats total; /* all ports summed */
	struct xdpfw_port_stats port;  /* the expected port */
};

struct xdpfw_bpf *skel;
int ncpu;
__u32 hz;

__u64 now_jiffies(void)
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

void set_policy_text(const char *text)
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

void set_default_policy(void)
{
	set_policy_text(xdpfw_default_policy);
}

int run(const __u8 *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_xdp), &opts), 0);
	return opts.retval;
}

void check_frame(const char *name, const __u8 *frame, size_t len, const struct expect *e)
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

void check_case(const struct tcase *t)
{
	static __u8 frame[MAX_FRAME];
	size_t len = build(&t->s, frame);

	check_frame(t->name, frame, len, &t->e);
}

#define PASS(reason) XDP_PASS, XDPFW_REASON_##reason
#define DROP(reason) XDP_DROP, XDPFW_REASON_##reason

int harness_setup(void **state)
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

int harness_teardown(void **state)
{
	xdpfw_bpf__destroy(skel);
	return 0;
}
