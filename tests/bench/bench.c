// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet cost with BPF_PROG_TEST_RUN, side by side in one run:
 * xdpfw against two floors built here (parse and drop; parse, one LRU
 * lookup of the reversed 5-tuple and drop), against xdp-filter from
 * Debian's xdp-tools set up with the same ports, and against an empty
 * program (the cost of the test run itself). The contenders are
 * interleaved in every round, the CPU is pinned, and the minimum over the
 * rounds is reported next to the median: noise only ever adds time.
 *
 * Usage: bench OUTDIR   (BENCH_ROUNDS, BENCH_REPEAT in the environment)
 * Writes results.md, raw.csv and the plot data (ports.dat, flows.dat) to OUTDIR.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/in.h>

#include "clock.h"
#include "floor.skel.h"
#include "loader.h"
#include "maps.h"
#include "packet.h"
#include "policy.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"
#include "util.h"

#define XDP_FILTER_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o"
/* xdp-filter's port map values (xdp-filter/common_kern_user.h). */
#define XF_FLAG_DST (1 << 1)
#define XF_FLAG_TCP (1 << 2)
#define XF_FLAG_UDP (1 << 3)

#define TABLE_SIZE (1 << 21) /* room for 1M flows without eviction */
#define MAX_ROUNDS 100

enum contender { C_EMPTY, C_FLOOR, C_FLOOR_LOOKUP, C_XDPFW, C_XDP_FILTER, C_MAX };

static const char *const contender_names[C_MAX] = { "empty", "floor", "floor+lookup", "xdpfw",
						    "xdp-filter" };

struct klass {
	const char *name;
	struct spec s;
};

/* Local 198.18.0.1; the tracked flow: 198.18.0.1:40000 <-> 198.18.0.2:443. */
static const struct spec frag_spec = { TCP4(22), .frag = 100, .ip_id = 7 };
static const struct klass classes[] = {
	{ "allowed TCP SYN", { TCP4(22) } },
	{ "dropped TCP SYN", { TCP4(9999) } },
	{ "allowed UDP", { UDP4(53), .payload = 32 } },
	{ "established reply", { TCP4(40000), .sport = 443, .tcp_flags = ACK } },
	{ "ICMP echo", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 } },
	{ "IPv6 TCP SYN", { TCP6(22) } },
	{ "VLAN TCP SYN", { .vlans = 1, TCP4(22) } },
	{ "non-first fragment", frag_spec },
	{ "malformed (IHL 4)", { TCP4(22) } },
};

#define N_CLASSES (ARRAY_SIZE(classes))

struct bench {
	struct xdpfw_bpf *fw;
	struct floor_bpf *floor;
	struct bpf_object *xf;
	int prog[C_MAX];
	int rounds, repeat;
	FILE *raw;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Nanoseconds per packet of one BPF_PROG_TEST_RUN with `repeat` repetitions,
 * as the kernel measures it: the time the loop was preempted is left out,
 * which a wall clock around the call would count (and did, in jiffies).
 */
static double run_once(int prog, const __u8 *frame, size_t len, int repeat, __u32 *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(prog, &opts)) {
		fprintf(stderr, "bench: test run failed: %s\n", strerror(errno));
		exit(1);
	}
	*verdict = opts.retval;
	return opts.duration;
}

struct result {
	double min, median, max;
	__u32 verdict;
};

/*
 * Rounds of every (frame, contender) pair, the contenders' order rotating
 * from round to round so that no one always runs right after another.
 */
static void measure(struct bench *b, const char *label, const __u8 (*frames)[MAX_FRAME],
		    const size_t *lens, size_t n_frames, const int *which, size_t n_which,
		    struct result *out /* [n_frames][n_which] */)
{
	static double samples[64][C_MAX][MAX_ROUNDS];
	size_t f, w, i;
	int r;

	for (r = 0; r < b->rounds; r++)
		for (f = 0; f < n_frames; f++)
			for (i = 0; i < n_which; i++) {
				w = (i + r) % n_which;
				samples[f][w][r] = run_once(b->prog[which[w]], frames[f], lens[f],
							    b->repeat, &out[f * n_which + w].verdict);
				fprintf(b->raw, "%s,%d,%zu,%s,%.3f\n", label, r, f,
					contender_names[which[w]], samples[f][w][r]);
			}
	for (f = 0; f < n_frames; f++)
		for (w = 0; w < n_which; w++) {
			qsort(samples[f][w], b->rounds, sizeof(double), cmp_double);
			out[f * n_which + w].min = samples[f][w][0];
			out[f * n_which + w].median = samples[f][w][b->rounds / 2];
			out[f * n_which + w].max = samples[f][w][b->rounds - 1];
		}
}

static void set_policy(struct bench *b, const struct policy *in)
{
	struct xdpfw_config cfg = { 0 };
	struct policy pol = *in;
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(b->fw->maps.policy), &zero, &pol.bpf, 0) ||
	    bpf_map_update_elem(bpf_map__fd(b->fw->maps.config), &zero, &cfg, 0)) {
		fprintf(stderr, "bench: cannot set the policy\n");
		exit(1);
	}
}

static struct xdpfw_ct_key flow_key(__u32 i)
{
	struct xdpfw_ct_key k = { .proto = IPPROTO_TCP, .ipver = 4 };

	k.local[0] = htonl(0xc6120001);
	k.remote[0] = htonl(0xc6130000 | (i >> 12)); /* 198.19.x.y */
	k.lport = htons(32768 + i % 28232);	       /* Linux's ephemeral range */
	k.rport = htons(443);
	return k;
}

static int drop_batch(const void *keys, const void *vals, __u32 n, void *arg)
{
	return 0;
}

/*
 * n flows in both tables (xdpfw's and the floor's), the measured one among
 * them, and the egress-side port bits xdpfw keeps for them.
 */
static void fill_flows(struct bench *b, __u32 n)
{
	int fds[2] = { bpf_map__fd(b->fw->maps.conntrack), bpf_map__fd(b->floor->maps.flows) };
	struct xdpfw_ct_val v = { .expires = ~0ULL, .state = XDPFW_CT_ESTABLISHED };
	struct xdpfw_ct_key k, *keys = calloc(n, sizeof(*keys)); /* k: for its size */
	struct xdpfw_ct_val *vals = calloc(n, sizeof(*vals));
	struct xdpfw_ct_ports ports = {};
	__u32 i, zero = 0, count;
	int t;

	if (!keys || !vals)
		exit(1);
	for (i = 0; i < n; i++) {
		keys[i] = flow_key(i);
		vals[i] = v;
		ports.ports[XDPFW_L4_TCP][ntohs(keys[i].lport) / 64] |=
			1ULL << (ntohs(keys[i].lport) % 64);
	}
	/* The flow the "established reply" frame belongs to. */
	keys[n - 1] = (struct xdpfw_ct_key){ .local = { htonl(0xc6120001) },
					     .remote = { htonl(0xc6120002) },
					     .lport = htons(40000),
					     .rport = htons(443),
					     .proto = IPPROTO_TCP,
					     .ipver = 4 };
	ports.ports[XDPFW_L4_TCP][40000 / 64] |= 1ULL << (40000 % 64);
	for (t = 0; t < 2; t++) {
		if (map_batch_each(fds[t], sizeof(k), sizeof(v), true, drop_batch, NULL))
			exit(1);
		count = n;
		if (bpf_map_update_batch(fds[t], keys, vals, &count, NULL) || count != n) {
			fprintf(stderr, "bench: cannot fill %u flows: %s\n", n, strerror(errno));
			exit(1);
		}
	}
	bpf_map_update_elem(bpf_map__fd(b->fw->maps.ct_ports), &zero, &ports, 0);
	free(keys);
	free(vals);
}

static int load_xdp_filter(struct bench *b, const struct policy *pol)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	__u64 vals[ncpu];
	__u32 port;

	b->xf = bpf_object__open_file(XDP_FILTER_OBJ, NULL);
	if (!b->xf)
		return -errno;
	/* Its maps ask to be pinned by name; the bench keeps them private. */
	bpf_object__for_each_map(map, b->xf)
		bpf_map__set_pin_path(map, NULL);
	if (bpf_object__load(b->xf))
		return -errno;
	prog = bpf_object__next_program(b->xf, NULL);
	map = bpf_object__find_map_by_name(b->xf, "filter_ports");
	if (!prog || !map)
		return -ENOENT;
	b->prog[C_XDP_FILTER] = bpf_program__fd(prog);
	fd = bpf_map__fd(map);
	/* xdp-filter in deny mode passes what its port map lists: the same ports as xdpfw. */
	for (port = 1; port < XDPFW_PORTS; port++) {
		__u64 flags = 0;

		if (policy_port_allowed(pol, XDPFW_L4_TCP, port))
			flags |= XF_FLAG_DST | XF_FLAG_TCP;
		if (policy_port_allowed(pol, XDPFW_L4_UDP, port))
			flags |= XF_FLAG_DST | XF_FLAG_UDP;
		if (!flags)
			continue;
		for (i = 0; i < ncpu; i++)
			vals[i] = flags;
		__u32 key = htons(port);
		if (bpf_map_update_elem(fd, &key, vals, 0))
			return -errno;
	}
	return 0;
}

static void setup(struct bench *b, const struct policy *pol)
{
	__u32 hz;
	int err;

	b->fw = clock_hz(&hz) ? NULL : xdpfw_skel_open(hz);
	if (!b->fw || bpf_map__set_max_entries(b->fw->maps.conntrack, TABLE_SIZE) ||
	    xdpfw_bpf__load(b->fw)) {
		fprintf(stderr, "bench: cannot load xdpfw (root needed)\n");
		exit(1);
	}
	b->floor = floor_bpf__open();
	if (!b->floor || bpf_map__set_max_entries(b->floor->maps.flows, TABLE_SIZE) ||
	    floor_bpf__load(b->floor)) {
		fprintf(stderr, "bench: cannot load the floors\n");
		exit(1);
	}
	b->prog[C_EMPTY] = bpf_program__fd(b->floor->progs.floor_empty);
	b->prog[C_FLOOR] = bpf_program__fd(b->floor->progs.floor_parse);
	b->prog[C_FLOOR_LOOKUP] = bpf_program__fd(b->floor->progs.floor_lookup);
	b->prog[C_XDPFW] = bpf_program__fd(b->fw->progs.xdpfw_xdp);
	err = load_xdp_filter(b, pol);
	if (err) {
		fprintf(stderr, "bench: cannot load %s: %s\n", XDP_FILTER_OBJ, strerror(-err));
		exit(1);
	}
	set_policy(b, pol);
}

static const char *verdict_name(__u32 v)
{
	return v == XDP_PASS ? "pass" : v == XDP_DROP ? "drop" : v == XDP_ABORTED ? "ABORTED" : "?";
}

static void per_class(struct bench *b, FILE *md)
{
	static const int who[] = { C_EMPTY, C_FLOOR, C_FLOOR_LOOKUP, C_XDPFW, C_XDP_FILTER };
	static __u8 frames[N_CLASSES][MAX_FRAME];
	struct result res[N_CLASSES][C_MAX];
	size_t lens[N_CLASSES], c;

	for (c = 0; c < N_CLASSES; c++) {
		lens[c] = build(&classes[c].s, frames[c]);
		if (!strncmp(classes[c].name, "malformed", 9))
			frames[c][l3_off(&classes[c].s)] = 0x44; /* version 4, IHL 4 */
	}
	measure(b, "class", frames, lens, N_CLASSES, who, C_MAX, &res[0][0]);

	fprintf(md, "### Per packet, BPF_PROG_TEST_RUN (ns, min of %d rounds x %d repeats; "
		    "median in brackets; xdpfw's spread min-max)\n\n",
		b->rounds, b->repeat);
	fprintf(md, "| class | xdpfw | spread | verdict | floor | floor+lookup | xdp-filter | "
		    "xdpfw / floor | xdpfw / floor+lookup | xdpfw / xdp-filter |\n");
	fprintf(md, "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (c = 0; c < N_CLASSES; c++) {
		struct result *r = res[c];

		fprintf(md,
			"| %s | %.1f (%.1f) | %.0f-%.0f | %s | %.1f (%.1f) | %.1f (%.1f) | %.1f (%.1f) | "
			"%.2f | %.2f | %.2f |\n",
			classes[c].name, r[C_XDPFW].min, r[C_XDPFW].median, r[C_XDPFW].min,
			r[C_XDPFW].max, verdict_name(r[C_XDPFW].verdict), r[C_FLOOR].min, r[C_FLOOR].median,
			r[C_FLOOR_LOOKUP].min, r[C_FLOOR_LOOKUP].median, r[C_XDP_FILTER].min,
			r[C_XDP_FILTER].median, r[C_XDPFW].min / r[C_FLOOR].min,
			r[C_XDPFW].min / r[C_FLOOR_LOOKUP].min,
			r[C_XDPFW].min / r[C_XDP_FILTER].min);
	}
	fprintf(md, "\nThe test run itself (an empty program): %.1f ns (%.1f); every figure "
		    "above includes it.\n\n",
		res[0][C_EMPTY].min, res[0][C_EMPTY].median);
}

/* Cost of an allowed TCP SYN against the number of allowed ports: must stay flat. */
static void scale_ports(struct bench *b, const char *outdir, FILE *md)
{
	/* 22, the measured port, is always among them: the verdict is always pass. */
	static const char *const texts[] = {
		"allow tcp 22\n",
		"allow tcp 22,65517-65535\n",
		"allow tcp 22,64537-65535\n",
		"allow tcp 1-65535\n",
	};
	static const int who[] = { C_XDPFW, C_XDP_FILTER };
	static __u8 frame[1][MAX_FRAME];
	struct spec s = { TCP4(22) };
	struct result res[2];
	struct policy pol;
	char path[512];
	size_t len, i;
	FILE *dat;

	len = build(&s, frame[0]);
	snprintf(path, sizeof(path), "%s/ports.dat", outdir);
	dat = fopen(path, "w");
	fprintf(md, "### Allowed TCP SYN against the number of allowed ports (ns, min)\n\n"
		    "| allowed ports | xdpfw | xdp-filter |\n| ---: | ---: | ---: |\n");
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		struct policy_error perr;

		if (policy_parse(&pol, texts[i], strlen(texts[i]), "bench", &perr)) {
			fprintf(stderr, "bench: %s\n", perr.msg);
			exit(1);
		}
		set_policy(b, &pol);
		bpf_object__close(b->xf);
		if (load_xdp_filter(b, &pol))
			exit(1);
		measure(b, "ports", frame, &len, 1, who, 2, res);
		fprintf(md, "| %u | %.1f | %.1f |\n", policy_port_count(&pol, XDPFW_L4_TCP),
			res[0].min, res[1].min);
		fprintf(dat, "%u %.2f %.2f\n", policy_port_count(&pol, XDPFW_L4_TCP), res[0].min,
			res[1].min);
	}
	fclose(dat);
	fprintf(md, "\n");
}

/* Cost of an established reply against the number of tracked flows. */
static void scale_flows(struct bench *b, const char *outdir, FILE *md, double *ratio)
{
	static const __u32 counts[] = { 1000, 100000, 1000000 };
	static const int who[] = { C_XDPFW, C_FLOOR_LOOKUP };
	static __u8 frame[1][MAX_FRAME];
	struct spec s = { TCP4(40000), .sport = 443, .tcp_flags = ACK };
	struct result res[2];
	double first = 0;
	char path[512];
	size_t len, i;
	FILE *dat;

	len = build(&s, frame[0]);
	snprintf(path, sizeof(path), "%s/flows.dat", outdir);
	dat = fopen(path, "w");
	fprintf(md, "### Established reply against the number of tracked flows (ns, min)\n\n"
		    "| flows | xdpfw | verdict | floor+lookup |\n| ---: | ---: | --- | ---: |\n");
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		fill_flows(b, counts[i]);
		measure(b, "flows", frame, &len, 1, who, 2, res);
		fprintf(md, "| %u | %.1f | %s | %.1f |\n", counts[i], res[0].min,
			verdict_name(res[0].verdict), res[1].min);
		fprintf(dat, "%u %.2f %.2f\n", counts[i], res[0].min, res[1].min);
		if (!i)
			first = res[0].min;
		*ratio = res[0].min / first;
	}
	fclose(dat);
	fprintf(md, "\nxdpfw with 1M flows / with 1k flows: %.2f\n\n", *ratio);
}

int main(int argc, char **argv)
{
	const char *outdir = argc > 1 ? argv[1] : "build/bench";
	struct bench b = {
		.rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 15,
		.repeat = getenv("BENCH_REPEAT") ? atoi(getenv("BENCH_REPEAT")) : 1000000,
	};
	struct policy pol;
	char path[512];
	cpu_set_t cpus;
	double ratio;
	FILE *md;

	if (b.rounds < 3 || b.rounds > MAX_ROUNDS || b.repeat < 1) {
		fprintf(stderr, "bench: BENCH_ROUNDS 3-%d, BENCH_REPEAT >= 1\n", MAX_ROUNDS);
		return 2;
	}
	/* One CPU, the same for every run: the last one, away from most interrupts on CPU 0. */
	CPU_ZERO(&cpus);
	CPU_SET(libbpf_num_possible_cpus() - 1, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	libbpf_set_print(NULL);

	policy_parse_default(&pol);
	setup(&b, &pol);
	snprintf(path, sizeof(path), "%s/raw.csv", outdir);
	b.raw = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/results.md", outdir);
	md = fopen(path, "w");
	if (!b.raw || !md) {
		fprintf(stderr, "bench: cannot write to %s\n", outdir);
		return 1;
	}
	fprintf(b.raw, "series,round,frame,contender,ns_per_packet\n");
	fill_flows(&b, 1000000);
	per_class(&b, md);
	scale_flows(&b, outdir, md, &ratio);
	scale_ports(&b, outdir, md);
	fprintf(md, "Blocklist prefixes: xdpfw has no prefix blocklist, so there is no curve "
		    "to draw for it.\n");
	fclose(b.raw);
	fclose(md);
	xdpfw_bpf__destroy(b.fw);
	floor_bpf__destroy(b.floor);
	bpf_object__close(b.xf);
	return 0;
}
