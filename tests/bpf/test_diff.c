// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: random and mutated frames through the real XDP program
 * (BPF_PROG_TEST_RUN) and through the reference classifier (reference.c).
 * Every verdict and every reason-counter delta must agree, and at the end
 * every slot x reason counter and closed-port bucket; XDP_ABORTED never. Frames: valid ones of every
 * shape the builder knows (VLAN stacks, IPv4 options, IPv6 extension chains,
 * fragments, ICMP), then with bytes flipped, truncated, or plain random.
 *
 * Usage: test_diff [PACKETS [SEED]]   (defaults 100000, 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "clock.h"
#include "loader.h"
#include "maps.h"
#include "packet.h"
#include "policy.h"
#include "reference.h"
#include "slots.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"
#include "util.h"

/* Fragment memory is dropped by both sides this often: far inside its 30 s lifetime. */
#define FRAG_RESET 20000

static __u64 rng_state;

static __u64 rnd(void)
{
	/* xorshift64*: deterministic for a seed, good enough to spread cases */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

static void random_spec(struct spec *s)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6,
				       IPPROTO_UDPLITE, 47, 59, 132 };
	static const __u8 exts[] = { HOP, RT, DST, AH, FRAG };
	static const __u16 ports[] = { 22, 25, 53, 443, 953, 8080, 9999, 0, 65535 };
	int i;

	memset(s, 0, sizeof(*s));
	s->vlans = pick(10) < 7 ? 0 : pick(3);
	s->tpid = pick(2) ? 0 : pick(2) ? 0x88a8 : 0x9100;
	s->pppoe = pick(8) == 0;
	s->pfc = pick(2);
	s->ppp_proto = pick(4) ? 0 : pick(2) ? 0xc021 : pick(65536);
	s->ipver = pick(10) < 1 ? 0 : pick(2) ? 4 : 6;
	s->ethertype = pick(2) ? 0x0806 : pick(65536);
	s->proto = protos[pick(sizeof(protos))];
	s->dport = pick(2) ? ports[pick(ARRAY_SIZE(ports))] : pick(65536);
	s->sport = pick(65535) + 1;
	s->icmp_type = pick(2) ? pick(256) : pick(2) ? 8 : 135;
	s->ip_id = pick(4);
	s->payload = pick(48);
	s->loopback_src = pick(20) == 0;
	if (s->ipver == 4) {
		s->ip_opts = pick(4) ? 0 : 4 * pick(11);
		if (pick(4) == 0) /* a fragment: first, middle or last */
			s->frag = pick(3) == 0 ? 0x2000 : (pick(2) ? 0x2000 : 0) | (1 + pick(200));
	} else if (s->ipver == 6) {
		s->n_ext = pick(3) ? 0 : pick(11);
		for (i = 0; i < s->n_ext; i++)
			s->ext[i] = exts[pick(sizeof(exts))];
		s->v6frag = pick(3) == 0 ? 1 : (1 + pick(200)) << 3 | pick(2);
	}
}

static size_t random_frame(__u8 *f)
{
	struct spec s;
	size_t len, i, n;

	if (pick(20) == 0) { /* plain random bytes */
		len = 14 + pick(200);
		for (i = 0; i < len; i++)
			f[i] = rnd();
		return len;
	}
	random_spec(&s);
	len = build(&s, f);
	if (pick(10) < 3) /* flip bytes */
		for (n = 1 + pick(4); n; n--)
			f[pick(len)] = rnd();
	if (pick(10) < 2 && len > 14) /* truncate */
		len = 14 + pick(len - 14);
	return len;
}

/* What the counters must hold: the reference's verdicts, slot by slot, bucket by bucket. */
static struct xdpfw_counter want[XDPFW_COUNTERS];
static struct xdpfw_closed_port want_buckets[XDPFW_CLOSED_BUCKETS];
static int ncpu;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* The slot the reference's verdict counts in, under pol (slots as the loader assigns them). */
static __u32 ref_slot(const struct policy *pol, const struct ref_result *r)
{
	__u8 slot;

	if (r->l4 >= XDPFW_L4_MAX)
		return XDPFW_SLOT_NONE;
	slot = pol->bpf.port_slot[r->l4][r->port];
	return slot ? slot : XDPFW_SLOT_OTHER_TCP + r->l4;
}

static void count(struct xdpfw_counter *c, size_t len)
{
	c->packets++;
	c->bytes += len;
}

/* The closed-port buckets of the one CPU the test runs on: the first port to come holds one. */
static void want_bucket(const struct ref_result *r, size_t len)
{
	__u32 key = 1 + ((__u32)r->l4 << 16 | r->port);
	struct xdpfw_closed_port *b = &want_buckets[xdpfw_closed_bucket(key)];

	if (b->key && b->key != key)
		return;
	b->key = key;
	count(r->passed ? &b->passed : &b->dropped, len);
}

/* The reason counters of one slot, summed over CPUs. */
static void read_slot(int fd, __u32 slot, __u64 out[XDPFW_REASON_MAX])
{
	struct xdpfw_counter sum;
	__u32 r, k;

	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		k = slot * XDPFW_REASON_SLOTS + r;
		if (map_percpu_read(fd, k, U64_FIELDS(sum), (__u64 *)&sum))
			die("counters");
		out[r] = sum.packets;
	}
}

static long counter_mismatches;

static void mismatch(const char *what, __u32 k, __u64 got, __u64 expected)
{
	if (counter_mismatches++ < 10)
		fprintf(stderr, "%s %u: xdpfw %llu, reference %llu\n", what, k,
			(unsigned long long)got, (unsigned long long)expected);
}

/* Every counter and every bucket against the reference's. */
static void check_counters(struct xdpfw_bpf *skel, int cpu)
{
	struct xdpfw_closed_port *b = calloc(ncpu, sizeof(*b));
	struct xdpfw_counter got;
	__u32 k;

	for (k = 0; k < XDPFW_COUNTERS; k++) {
		if (map_percpu_read(bpf_map__fd(skel->maps.counters), k, U64_FIELDS(got),
				    (__u64 *)&got))
			die("counters");
		if (got.packets != want[k].packets || got.bytes != want[k].bytes)
			mismatch("slot x reason counter", k, got.packets, want[k].packets);
	}
	for (k = 0; b && k < XDPFW_CLOSED_BUCKETS; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.closed_ports), &k, b))
			die("closed_ports");
		if (memcmp(&b[cpu], &want_buckets[k], sizeof(*b)))
			mismatch("closed-port bucket", k, b[cpu].dropped.packets,
				 want_buckets[k].dropped.packets);
	}
	free(b);
}

static void set_policy(struct xdpfw_bpf *skel, struct policy *pol, const char *text)
{
	static struct xdpfw_slot_label labels[XDPFW_POLICY_SLOT_COUNT];
	bool reused[XDPFW_POLICY_SLOT_COUNT];
	struct xdpfw_config cfg = {};
	struct policy_error err;
	__u32 zero = 0;

	if (policy_parse(pol, text, strlen(text), "diff", &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(2);
	}
	slots_assign(pol, labels, reused); /* a reused slot counts on, in both models */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.policy), &zero, &pol->bpf, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, 0))
		die("cannot set the policy");
}

static void clear_frags(struct xdpfw_bpf *skel, struct ref_state *st)
{
	struct xdpfw_frag_key k;
	int fd = bpf_map__fd(skel->maps.frags);

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
	st->n_frags = 0;
}

int main(int argc, char **argv)
{
	static const char *const policies[] = {
		NULL, /* the built-in one */
		"default pass\nicmp drop\nicmp6 drop\nallow tcp 22\n",
		"allow tcp 1-1024\nallow udp 53,5353\nicmp drop\n",
	};
	long packets = argc > 1 ? atol(argv[1]) : 100000, mismatches = 0, aborted = 0, i;
	__u64 before[XDPFW_REASON_MAX], after[XDPFW_REASON_MAX];
	static struct ref_state st;
	static __u8 frame[MAX_FRAME];
	static struct policy pol;
	struct xdpfw_bpf *skel;
	struct ref_result r;
	int prog, cfd, reason, cpu = sched_getcpu(), k;
	cpu_set_t one;
	__u32 hz, slot;
	size_t len;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	rng_state = rng_state ? rng_state : 1;
	ncpu = libbpf_num_possible_cpus();
	/* One CPU: the closed-port buckets are that CPU's, as the reference models them. */
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (cpu < 0 || sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	libbpf_set_print(NULL);
	skel = clock_hz(&hz) ? NULL : xdpfw_skel_open(hz);
	if (!skel || xdpfw_bpf__load(skel)) {
		fprintf(stderr, "cannot load xdpfw (root needed): %s\n", strerror(errno));
		return 2;
	}
	prog = bpf_program__fd(skel->progs.xdpfw_xdp);
	cfd = bpf_map__fd(skel->maps.counters);
	for (i = 0; i < packets; i++) {
		if (i % FRAG_RESET == 0) {
			const char *text = policies[(i / FRAG_RESET) % 3];

			set_policy(skel, &pol, text ? text : xdpfw_default_policy);
			clear_frags(skel, &st);
		}
		len = random_frame(frame);
		ref_classify(frame, len, &pol, &st, &r);
		slot = ref_slot(&pol, &r);
		read_slot(cfd, slot, before);
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .repeat = 1);
		if (bpf_prog_test_run_opts(prog, &opts))
			die("test run");
		read_slot(cfd, slot, after);
		/* The reason that moved in the reference's slot: -1 none, -2 several. */
		reason = -1;
		for (k = 0; k < XDPFW_REASON_MAX; k++)
			if (after[k] != before[k])
				reason = reason == -1 && after[k] == before[k] + 1 ? k : -2;
		if (opts.retval == XDP_ABORTED)
			aborted++;
		if (opts.retval != (r.passed ? XDP_PASS : XDP_DROP) || reason != r.reason) {
			if (mismatches++ < 10) {
				fprintf(stderr, "packet %ld: xdpfw %s/%d, reference %s/%d in slot %u; frame (%zu):",
					i, opts.retval == XDP_PASS ? "pass" : "drop", reason,
					r.passed ? "pass" : "drop", r.reason, slot, len);
				for (size_t b = 0; b < len && b < 96; b++)
					fprintf(stderr, " %02x", frame[b]);
				fprintf(stderr, "\n");
			}
		}
		count(&want[slot * XDPFW_REASON_SLOTS + r.reason], len);
		if (slot == XDPFW_SLOT_OTHER_TCP || slot == XDPFW_SLOT_OTHER_UDP)
			want_bucket(&r, len);
	}
	check_counters(skel, cpu);
	xdpfw_bpf__destroy(skel);
	printf("differential: %ld packets (seed %s), %ld verdict/reason mismatches, %ld counter "
	       "mismatches, %ld aborted\n",
	       packets, argc > 2 ? argv[2] : "1", mismatches, counter_mismatches, aborted);
	printf("%ld passed, %ld failed\n", packets - mismatches, mismatches + counter_mismatches);
	return mismatches || counter_mismatches || aborted ? 1 : 0;
}
