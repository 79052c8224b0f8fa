// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "harness.h"
#include "loader.h"
#include "policy.h"
#include "maps.h"
#include "slots.h"
#include "srcmap.h"
#include "stats.h"

/* The counters a check compares: every slot x reason, and the closed-port buckets. */
struct counters {
	struct xdpfw_counter c[XDPFW_COUNTERS];
	struct xdpfw_closed_port bucket; /* the expected port's bucket on the test CPU */
};

struct xdpfw_bpf *skel;
int ncpu;
__u32 hz;

static int test_cpu;
static struct policy staged[XDPFW_POLICY_SLOTS]; /* the policy map's, as parsed */
static const struct policy *current = &staged[0]; /* the active one */

__u64 now_jiffies(void)
{
	__u64 j;

	assert_int_equal(clock_jiffies(&j), 0);
	return j;
}

static void read_counters(__u32 key, struct counters *c)
{
	static struct xdpfw_closed_port per_cpu[1024];
	__u32 idx = xdpfw_closed_bucket(key), k;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < XDPFW_COUNTERS; k++)
		assert_int_equal(map_percpu_read(bpf_map__fd(skel->maps.counters), k,
						 U64_FIELDS(c->c[k]), (__u64 *)&c->c[k]),
				 0);
	assert_true(ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.closed_ports), &idx, per_cpu), 0);
	c->bucket = per_cpu[test_cpu];
}

__u32 service_slot(__u8 dir, __u8 proto, __u16 port)
{
	struct xdpfw_service svc = { .dir = dir, .proto = proto, .port = htons(port) };
	__u32 slot;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.ct_services), &svc, &slot))
		fail_msg("no slot for service %u/%u/%u", dir, proto, port);
	return slot;
}

/* The slot the frame should be counted in. */
static __u32 expected_slot(const struct expect *e)
{
	__u8 slot;

	if (e->slot)
		return e->slot;
	if (e->l4 == NO_PORT)
		return XDPFW_SLOT_NONE;
	if (e->svc)
		return service_slot(e->svc, e->l4 == XDPFW_L4_TCP ? IPPROTO_TCP : IPPROTO_UDP,
				    e->port);
	slot = current->bpf.port_slot[e->l4][e->port];
	return slot ? slot : XDPFW_SLOT_OTHER_TCP + e->l4;
}

void write_policy(__u32 slot, const char *text)
{
	static struct xdpfw_slot_label labels[XDPFW_POLICY_SLOT_COUNT];
	bool reused[XDPFW_POLICY_SLOT_COUNT];
	struct policy_error perr;

	struct src_maps src = { bpf_map__fd(skel->maps.src4), bpf_map__fd(skel->maps.src6) };

	assert_true(slot < XDPFW_POLICY_SLOTS);
	policy_free(&staged[slot]);
	assert_int_equal(policy_parse(&staged[slot], text, strlen(text), "test", &perr), 0);
	slots_assign(&staged[slot], labels, reused);
	policy_log_budget(&staged[slot].bpf, hz, sysconf(_SC_NPROCESSORS_ONLN));
	policy_limit_budget(&staged[slot].bpf, hz);
	assert_int_equal(src_write_slot(&src, slot, &staged[slot]), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.policy), &slot,
					     &staged[slot].bpf, 0),
			 0);
}

void activate(__u32 slot)
{
	struct xdpfw_config cfg;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.config), &zero, &cfg), 0);
	cfg.active_slot = slot;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, 0), 0);
	current = &staged[slot];
}

void set_policy_text(const char *text)
{
	void *zeros = calloc(ncpu, sizeof(struct xdpfw_closed_port));
	__u32 b;

	write_policy(0, text);
	activate(0);
	for (b = 0; b < XDPFW_CLOSED_BUCKETS; b++)
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.closed_ports), &b, zeros,
						     0),
				 0);
	free(zeros);
	zeros = calloc(ncpu, sizeof(struct xdpfw_log_state));
	b = 0;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.log_state), &b, zeros, 0), 0);
	free(zeros);
}

void set_default_policy(void)
{
	set_policy_text(xdpfw_default_policy);
}

void egress(const struct spec *s)
{
	static __u8 f[MAX_FRAME];
	size_t len = build(s, f);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_egress), &opts),
			 0);
	assert_int_equal(opts.retval, 0 /* TC_ACT_OK: egress is never dropped */);
}

int run(const __u8 *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpfw_xdp), &opts), 0);
	return opts.retval;
}

static void check_bucket(const char *name, __u32 key, const struct counters *before,
			 const struct counters *after, bool passed, size_t len)
{
	const struct xdpfw_counter *b = passed ? &before->bucket.passed : &before->bucket.dropped;
	const struct xdpfw_counter *a = passed ? &after->bucket.passed : &after->bucket.dropped;
	/* A bucket another port took first keeps that port: this one is not counted there. */
	bool mine = !before->bucket.key || before->bucket.key == key;

	if (a->packets - b->packets != mine || a->bytes - b->bytes != mine * len)
		fail_msg("%s: closed-port bucket counted %llu packets, expected %d", name,
			 (unsigned long long)(a->packets - b->packets), mine);
	if (mine && after->bucket.key != key)
		fail_msg("%s: closed-port bucket key %u, expected %u", name, after->bucket.key, key);
}

void check_frame(const char *name, const __u8 *frame, size_t len, const struct expect *e)
{
	static struct counters before, after;
	__u32 slot = expected_slot(e), key = 0, k;
	bool passed = e->verdict == XDP_PASS;
	int verdict;

	if (slot == XDPFW_SLOT_OTHER_TCP || slot == XDPFW_SLOT_OTHER_UDP)
		key = 1 + ((__u32)e->l4 << 16 | e->port);
	read_counters(key, &before);
	verdict = run(frame, len);
	read_counters(key, &after);

	if (verdict != e->verdict)
		fail_msg("%s: verdict %d, expected %d", name, verdict, e->verdict);
	for (k = 0; k < XDPFW_COUNTERS; k++) {
		__u64 dp = after.c[k].packets - before.c[k].packets;
		__u64 db = after.c[k].bytes - before.c[k].bytes;
		__u64 want = k == slot * XDPFW_REASON_SLOTS + e->reason;

		if (dp != want || db != want * len)
			fail_msg("%s: slot %u reason %s counted %llu packets/%llu bytes, expected "
				 "%llu/%llu (in slot %u)",
				 name, k / XDPFW_REASON_SLOTS, reason_name(k % XDPFW_REASON_SLOTS),
				 (unsigned long long)dp, (unsigned long long)db,
				 (unsigned long long)want, (unsigned long long)(want * len), slot);
	}
	if (key)
		check_bucket(name, key, &before, &after, passed, len);
	else if (memcmp(&before.bucket, &after.bucket, sizeof(before.bucket)))
		fail_msg("%s: a closed-port bucket moved, expected none", name);
}

void check_case(const struct tcase *t)
{
	static __u8 frame[MAX_FRAME];
	size_t len = build(&t->s, frame);

	check_frame(t->name, frame, len, &t->e);
}

int harness_setup(void **state)
{
	cpu_set_t one;

	test_cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(test_cpu, &one);
	if (test_cpu < 0 || sched_setaffinity(0, sizeof(one), &one)) {
		perror("sched_setaffinity");
		return -1;
	}
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
