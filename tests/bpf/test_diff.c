// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: random and mutated frames through the real XDP program
 * (BPF_PROG_TEST_RUN) and through the reference classifier (reference.c).
 * Every verdict and every reason-counter delta must agree, and at the end
 * every per-port counter; XDP_ABORTED never. Frames: valid ones of every
 * shape the builder knows (VLAN stacks, IPv4 options, IPv6 extension chains,
 * fragments, ICMP), then with bytes flipped, truncated, or plain random.
 *
 * Usage: test_diff [PACKETS [SEED]]   (defaults 100000, 1)
 */
#include <errno.h>
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

static struct xdpfw_port_stats want_ports[XDPFW_PORT_STATS_ENTRIES];
static int ncpu;

static void read_reasons(int fd, __u64 out[XDPFW_REASON_MAX])
{
	struct xdpfw_reason_stats sum;
	__u32 r;

	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		if (map_percpu_read(fd, r, U64_FIELDS(sum), (__u64 *)&sum)) {
			perror("reason_stats");
			exit(2);
		}
		out[r] = sum.packets;
	}
}

static long port_mismatches;

static int check_ports(const void *k, const void *v, __u32 n, void *arg)
{
	const __u32 *keys = k;
	struct xdpfw_port_stats got;
	__u32 i;

	for (i = 0; i < n; i++) {
		percpu_sum((const __u64 *)v + (size_t)i * ncpu * U64_FIELDS(got), ncpu,
			   U64_FIELDS(got), (__u64 *)&got);
		if (memcmp(&got, &want_ports[keys[i]], sizeof(got))) {
			if (port_mismatches++ < 10)
				fprintf(stderr, "port counter %u/%u: xdpfw %llu/%llu, reference %llu/%llu\n",
					keys[i] / XDPFW_PORTS, keys[i] % XDPFW_PORTS,
					(unsigned long long)got.passed_packets,
					(unsigned long long)got.dropped_packets,
					(unsigned long long)want_ports[keys[i]].passed_packets,
					(unsigned long long)want_ports[keys[i]].dropped_packets);
		}
	}
	return 0;
}

static void set_policy(struct xdpfw_bpf *skel, struct policy *pol, const char *text)
{
	struct xdpfw_config cfg = {};
	struct policy_error err;
	__u32 zero = 0;

	if (policy_parse(pol, text, strlen(text), "diff", &err) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.policy), &zero, &pol->bpf, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, &cfg, 0)) {
		fprintf(stderr, "cannot set the policy\n");
		exit(2);
	}
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
	static struct ref_state st;
	__u64 before[XDPFW_REASON_MAX], after[XDPFW_REASON_MAX];
	static __u8 frame[MAX_FRAME];
	struct xdpfw_bpf *skel;
	struct ref_result r;
	struct policy pol;
	int prog, rfd, reason;
	__u32 hz;
	size_t len;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	rng_state = rng_state ? rng_state : 1;
	ncpu = libbpf_num_possible_cpus();
	libbpf_set_print(NULL);
	skel = clock_hz(&hz) ? NULL : xdpfw_skel_open(hz);
	if (!skel || xdpfw_bpf__load(skel)) {
		fprintf(stderr, "cannot load xdpfw (root needed): %s\n", strerror(errno));
		return 2;
	}
	prog = bpf_program__fd(skel->progs.xdpfw_xdp);
	rfd = bpf_map__fd(skel->maps.reason_stats);
	read_reasons(rfd, before);
	for (i = 0; i < packets; i++) {
		if (i % FRAG_RESET == 0) {
			const char *text = policies[(i / FRAG_RESET) % 3];

			if (text)
				set_policy(skel, &pol, text);
			else
				set_policy(skel, &pol, xdpfw_default_policy);
			clear_frags(skel, &st);
		}
		len = random_frame(frame);
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .repeat = 1);
		if (bpf_prog_test_run_opts(prog, &opts)) {
			perror("test run");
			return 2;
		}
		ref_classify(frame, len, &pol, &st, &r);
		read_reasons(rfd, after);
		reason = -1;
		for (int k = 0; k < XDPFW_REASON_MAX; k++)
			if (after[k] != before[k])
				reason = reason == -1 && after[k] == before[k] + 1 ? k : -2;
		memcpy(before, after, sizeof(before));
		if (opts.retval == XDP_ABORTED)
			aborted++;
		if (opts.retval != (r.passed ? XDP_PASS : XDP_DROP) || reason != r.reason) {
			if (mismatches++ < 10) {
				fprintf(stderr, "packet %ld: xdpfw %s/%d, reference %s/%d; frame (%zu):", i,
					opts.retval == XDP_PASS ? "pass" : "drop", reason,
					r.passed ? "pass" : "drop", r.reason, len);
				for (size_t b = 0; b < len && b < 96; b++)
					fprintf(stderr, " %02x", frame[b]);
				fprintf(stderr, "\n");
			}
		}
		if (r.l4 < XDPFW_L4_MAX) {
			struct xdpfw_port_stats *t = &want_ports[r.l4 * XDPFW_PORTS + r.port];

			if (r.passed) {
				t->passed_packets++;
				t->passed_bytes += len;
			} else {
				t->dropped_packets++;
				t->dropped_bytes += len;
			}
		}
	}
	map_batch_each(bpf_map__fd(skel->maps.port_stats), sizeof(__u32),
		       sizeof(struct xdpfw_port_stats) * ncpu, false, check_ports, NULL);
	xdpfw_bpf__destroy(skel);
	printf("differential: %ld packets (seed %s), %ld verdict/reason mismatches, %ld port "
	       "counter mismatches, %ld aborted\n",
	       packets, argc > 2 ? argv[2] : "1", mismatches, port_mismatches, aborted);
	printf("%ld passed, %ld failed\n", packets - mismatches, mismatches + port_mismatches);
	return mismatches || port_mismatches || aborted ? 1 : 0;
}
