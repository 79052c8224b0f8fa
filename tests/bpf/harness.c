// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "harness.h"
#include "loader.h"
#include "policy.h"
#include "maps.h"
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

struct port_walk {
	struct counters *c;
	__u32 key; /* the expected port's index, or ~0 */
};

static int add_ports(const void *k, const void *v, __u32 n, void *arg)
{
	const struct port_walk *w = arg;
	struct xdpfw_port_stats one;
	const __u32 *keys = k;
	__u32 i;

	for (i = 0; i < n; i++) {
		percpu_sum((const __u64 *)v + (size_t)i * ncpu * U64_FIELDS(one), ncpu,
			   U64_FIELDS(one), (__u64 *)&one);
		w->c->total.passed_packets += one.passed_packets;
		w->c->total.passed_bytes += one.passed_bytes;
		w->c->total.dropped_packets += one.dropped_packets;
		w->c->total.dropped_bytes += one.dropped_bytes;
		if (keys[i] == w->key)
			w->c->port = one;
	}
	return 0;
}

static void read_counters(int l4, __u16 port, struct counters *c)
{
	struct port_walk w = { c, l4 == NO_PORT ? ~0U : (__u32)l4 * XDPFW_PORTS + port };
	int fd = bpf_map__fd(skel->maps.reason_stats);
	__u32 k;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < XDPFW_REASON_MAX; k++)
		assert_int_equal(map_percpu_read(fd, k, U64_FIELDS(c->reasons[k]),
						 (__u64 *)&c->reasons[k]),
				 0);
	assert_int_equal(map_batch_each(bpf_map__fd(skel->maps.port_stats), sizeof(__u32),
					sizeof(struct xdpfw_port_stats) * ncpu, false, add_ports, &w),
			 0);
}

void set_policy_text(const char *text)
{
	struct xdpfw_config cfg = { .active_slot = 0 };
	struct policy_error perr;
	struct policy pol;
	__u32 slot = 0;

	assert_int_equal(policy_parse(&pol, text, strlen(text), "test", &perr), 0);
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

int harness_setup(void **state)
{
	ncpu = libbpf_num_possible_cpus();
	if (clock_hz(&hz)) {
		fprintf(stderr, "cannot read the kernel's clock (root needed)\n");
		return -1;
	}
	skel = xdpfw_skel_open(hz);
	if (!skel || xdpfw_bpf__load(skel)) {
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
