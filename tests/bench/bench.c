// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet cost with BPF_PROG_TEST_RUN, side by side in one run: xdpfw
 * against two floors built here (parse and judge one port; parse and look
 * the reply's key up in an LRU hash keyed as xdpfw's), against xdp-filter
 * from Debian's xdp-tools set up with the same ports, and against an empty
 * program, whose time is the test run's own: figures are ns above it.
 *
 * Hot: one frame repeated, every cache warm. Cold: a different frame (flow,
 * source, port) each run, one run per call, so that table lookups miss the
 * caches as live traffic does. The contenders are interleaved in every
 * round, the CPU pinned; the minimum over rounds is reported next to the
 * median (noise only ever adds time).
 *
 * Usage: bench OUTDIR   (BENCH_ROUNDS, BENCH_REPEAT, BENCH_COLD in the environment)
 * Writes results.md, raw.csv and the plot data (ports.dat, flows.dat) to OUTDIR.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/in.h>

#include "clock.h"
#include "conntrack.h"
#include "floor.skel.h"
#include "loader.h"
#include "maps.h"
#include "packet.h"
#include "policy.h"
#include "slots.h"
#include "srcmap.h"
#include "stats.h"
#include "util.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

#define XDP_FILTER_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o"
/* xdp-filter's port map values (xdp-filter/common_kern_user.h). */
#define XF_FLAG_DST (1 << 1)
#define XF_FLAG_TCP (1 << 2)
#define XF_FLAG_UDP (1 << 3)

#define MAX_FLOWS  (4U << 20)
#define TABLE_SIZE (5U << 20) /* LRU tables evict early with per-CPU free lists: room */
#define MAX_ROUNDS 100
#define SMALL_FRAME 128
/* The ephemeral range of Linux (32768-60999): where a proxy's outbound flows live. */
#define EPH_LO 32768
#define EPH_N  28232

enum contender { C_EMPTY, C_FLOOR, C_FLOOR_LOOKUP, C_XDPFW, C_BEFORE, C_XDP_FILTER, C_MAX };

static const char *const contender_names[C_MAX] = { "empty",   "floor",	 "floor+lookup",
						    "xdpfw",   "before", "xdp-filter" };

/* How the frames of a class differ from run to run when cold. */
enum vary {
	V_SOURCE, /* another source address and port */
	V_FLOW,	  /* the reply of another tracked flow */
	V_GATED,  /* a SYN from a new source to an ephemeral port live flows use */
	V_PORT,	  /* a SYN to a random destination port */
};

struct klass {
	const char *name;
	struct spec s;
	enum vary vary;
	bool common;	  /* a target class: within 15 ns of the empty program */
	bool malformed;	  /* IHL 4 */
	bool gate_gone;	  /* the flows behind the gate bits have expired */
};

/* Local 198.18.0.1; tracked flows 198.18.0.1:EPH <-> 198.19.x.y:443 (flow_tuple). */
static const struct klass classes[] = {
	{ "allowed TCP SYN", { TCP4(22) }, V_SOURCE, true },
	{ "dropped TCP SYN", { TCP4(9999) }, V_SOURCE, true },
	{ "allowed UDP", { UDP4(53), .payload = 32 }, V_SOURCE, true },
	{ "ICMP echo", { .ipver = 4, .proto = IPPROTO_ICMP, .icmp_type = 8 }, V_SOURCE, true },
	{ "IPv6 TCP SYN", { TCP6(22) }, V_SOURCE, true },
	{ "VLAN TCP SYN", { .vlans = 1, TCP4(22) }, V_SOURCE, true },
	{ "non-first fragment", { TCP4(22), .frag = 100, .ip_id = 7 }, V_SOURCE },
	{ "malformed (IHL 4)", { TCP4(22) }, V_SOURCE, .malformed = true },
	{ "established reply", { TCP4(EPH_LO), .sport = 443, .remote4 = 0xc6130001, .tcp_flags = ACK },
	  V_FLOW },
	{ "SYN to a gated port", { TCP4(EPH_LO + 1), .sport = 50000 }, V_GATED },
	{ "SYN flood, random ports", { TCP4(40001), .sport = 50000 }, V_PORT },
	{ "SYN flood, flows gone", { TCP4(40001), .sport = 50000 }, V_PORT, .gate_gone = true },
};

#define N_CLASSES ARRAY_SIZE(classes)

struct bench {
	struct xdpfw_bpf *fw;
	struct floor_bpf *floor;
	struct bpf_object *xf;
	struct bpf_object *before; /* xdpfw's XDP program at BENCH_BASELINE */
	const char *baseline;
	int prog[C_MAX];
	int rounds, repeat, cold;
	__u32 hz;
	FILE *raw;
};

struct result {
	double min, median, max;
	__u32 verdict;
};

static __u64 rng = 88172645463325252ULL;

static __u32 rnd(__u32 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double test_run(int prog, const __u8 *frame, size_t len, int repeat, __u32 *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(prog, &opts)) {
		fprintf(stderr, "bench: test run of %zu bytes failed: %s\n", len, strerror(errno));
		exit(1);
	}
	*verdict = opts.retval;
	return opts.duration;
}

/* A set of frames: one (hot) or many (cold), each run once per pass. */
struct frames {
	__u8 (*buf)[SMALL_FRAME];
	size_t *len;
	size_t n;
};

/* ns per run: one frame repeated, or every frame once, kernel-timed. */
static double run_frames(const struct bench *b, int prog, const struct frames *f, __u32 *verdict)
{
	double sum = 0;
	size_t i;

	if (f->n == 1)
		return test_run(prog, f->buf[0], f->len[0], b->repeat, verdict);
	for (i = 0; i < f->n; i++)
		sum += test_run(prog, f->buf[i], f->len[i], 1, verdict);
	return sum / f->n;
}

/*
 * Rounds of every contender in `which` over the frames, their order
 * rotating from round to round so that no one always runs right after another.
 */
static void measure(const struct bench *b, const char *label, const struct frames *f,
		    const int *which, size_t n_which, int rounds, struct result *out)
{
	static double samples[C_MAX][MAX_ROUNDS];
	size_t i, w;
	int r;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n_which; i++) {
			w = (i + r) % n_which;
			samples[w][r] = run_frames(b, b->prog[which[w]], f, &out[w].verdict);
			fprintf(b->raw, "%s,%d,%zu,%s,%.3f\n", label, r, f->n,
				contender_names[which[w]], samples[w][r]);
		}
	for (w = 0; w < n_which; w++) {
		qsort(samples[w], rounds, sizeof(double), cmp_double);
		out[w].min = samples[w][0];
		out[w].median = samples[w][rounds / 2];
		out[w].max = samples[w][rounds - 1];
	}
}

static struct ct_tuple flow_tuple(__u32 j)
{
	return (struct ct_tuple){ .local = { htonl(0xc6120001) },
				  .remote = { htonl(0xc6130001 + j / EPH_N) },
				  .lport = htons(EPH_LO + j % EPH_N),
				  .rport = htons(443),
				  .proto = IPPROTO_TCP,
				  .ipver = 4 };
}

/* The i-th cold variant of a class, with n flows in the tables. */
static void variant(const struct klass *k, __u32 n_flows, struct spec *s)
{
	struct ct_tuple t;

	*s = k->s;
	switch (k->vary) {
	case V_SOURCE:
		s->remote4 = 0xc6140000 + rnd(1 << 16); /* 198.20.x.y */
		s->remote = 2 + rnd(250);
		s->sport = 1024 + rnd(64000);
		s->ip_id = rnd(65536);
		s->icmp_id = rnd(65536);
		break;
	case V_FLOW:
		t = flow_tuple(rnd(n_flows));
		s->remote4 = ntohl(t.remote[0]);
		s->dport = ntohs(t.lport);
		break;
	case V_GATED:
		s->remote4 = 0xc6140000 + rnd(1 << 16);
		s->sport = 1024 + rnd(64000);
		s->dport = EPH_LO + rnd(n_flows < EPH_N ? n_flows : EPH_N);
		break;
	case V_PORT:
		s->remote4 = 0xc6140000 + rnd(1 << 16);
		s->dport = 1024 + rnd(64512);
		break;
	}
}

/* Frame i of the set, built from s (build() writes a whole MAX_FRAME: not in place). */
static void frame_put(struct frames *f, size_t i, const struct spec *s, bool malformed)
{
	static __u8 big[MAX_FRAME];

	f->len[i] = build(s, big);
	if (malformed)
		big[l3_off(s)] = 0x44; /* version 4, IHL 4 */
	memcpy(f->buf[i], big, f->len[i]);
}

static void frames_fill(struct frames *f, const struct klass *k, size_t n, __u32 n_flows)
{
	struct spec s;
	size_t i;

	f->n = n;
	f->buf = realloc(f->buf, n * sizeof(*f->buf));
	f->len = realloc(f->len, n * sizeof(*f->len));
	if (!f->buf || !f->len)
		exit(1);
	for (i = 0; i < n; i++) {
		if (n == 1)
			s = k->s;
		else
			variant(k, n_flows, &s);
		frame_put(f, i, &s, k->malformed);
	}
}

/*
 * The policy as the loader writes it (counter slots, the log budget), to
 * xdpfw and to the baseline, whose policy and config are a prefix of today's.
 */
static void set_policy(struct bench *b, const struct policy *in)
{
	static struct xdpfw_slot_label labels[XDPFW_POLICY_SLOT_COUNT];
	struct xdpfw_config cfg = { .hz = b->hz };
	bool reused[XDPFW_POLICY_SLOT_COUNT];
	static struct policy pol;
	struct bpf_map *bp, *bc;
	__u32 zero = 0;

	struct src_maps src = { bpf_map__fd(b->fw->maps.src4), bpf_map__fd(b->fw->maps.src6) };

	pol = *in; /* the lists stay in's */
	slots_assign(&pol, labels, reused);
	policy_log_budget(&pol.bpf, b->hz, sysconf(_SC_NPROCESSORS_ONLN));
	policy_limit_budget(&pol.bpf, b->hz);
	if (src_write_slot(&src, 0, &pol)) {
		fprintf(stderr, "bench: cannot write the source tries\n");
		exit(1);
	}
	bp = bpf_object__find_map_by_name(b->before, "policy");
	bc = bpf_object__find_map_by_name(b->before, "config");
	if (bpf_map_update_elem(bpf_map__fd(b->fw->maps.policy), &zero, &pol.bpf, 0) ||
	    bpf_map_update_elem(bpf_map__fd(b->fw->maps.config), &zero, &cfg, 0) || !bp || !bc ||
	    bpf_map__value_size(bp) > sizeof(pol.bpf) || bpf_map__value_size(bc) > sizeof(cfg) ||
	    bpf_map_update_elem(bpf_map__fd(bp), &zero, &pol.bpf, 0) ||
	    bpf_map_update_elem(bpf_map__fd(bc), &zero, &cfg, 0)) {
		fprintf(stderr, "bench: cannot set the policy\n");
		exit(1);
	}
}

static int drop_batch(const void *keys, const void *vals, __u32 n, void *arg)
{
	return 0;
}

/* The gate, mapped: bits and deadlines, as the egress program keeps them. */
static void gate(struct bench *b, struct xdpfw_ct_ports **bits, __u64 **until)
{
	*bits = mmap(NULL, sizeof(**bits), PROT_READ | PROT_WRITE, MAP_SHARED,
		     bpf_map__fd(b->fw->maps.ct_ports), 0);
	*until = mmap(NULL, XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64), PROT_READ | PROT_WRITE,
		      MAP_SHARED, bpf_map__fd(b->fw->maps.ct_port_exp), 0);
	if (*bits == MAP_FAILED || *until == MAP_FAILED)
		exit(1);
}

/*
 * n flows in both tables (xdpfw's and the floor's), a proxy's outbound flows
 * over the ephemeral range, and the gate open on their ports: "until" the
 * far future, or already past (the flows gone: bits still set, to be aged).
 */
static void fill_flows(struct bench *b, __u32 n, bool gone)
{
	int fds[2] = { bpf_map__fd(b->fw->maps.conntrack4), bpf_map__fd(b->floor->maps.flows4) };
	struct xdpfw_ct_val v = { .expires = ~0ULL, .state = XDPFW_CT_ESTABLISHED };
	static struct xdpfw_ct_key4 keys[MAX_FLOWS];
	static struct xdpfw_ct_val vals[MAX_FLOWS];
	struct xdpfw_ct_ports *bits;
	struct ct_tuple t;
	__u64 *until;
	__u32 i, count, port;
	int f;

	gate(b, &bits, &until);
	memset(bits, 0, sizeof(*bits));
	memset(until, 0, XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64));
	for (i = 0; i < n; i++) {
		t = flow_tuple(i);
		ct_tuple_key(&t, &keys[i]);
		vals[i] = v;
		port = ntohs(t.lport);
		bits->ports[XDPFW_L4_TCP][xdpfw_port_word(port)] |= xdpfw_port_bit(port);
		until[XDPFW_L4_TCP * XDPFW_PORTS + port] = gone ? 1 : ~0ULL;
	}
	for (f = 0; f < 2; f++) {
		if (map_batch_each(fds[f], sizeof(keys[0]), sizeof(v), true, drop_batch, NULL))
			exit(1);
		count = n;
		if (bpf_map_update_batch(fds[f], keys, vals, &count, NULL) || count != n) {
			fprintf(stderr, "bench: cannot fill %u flows: %s\n", n, strerror(errno));
			exit(1);
		}
	}
	munmap(bits, sizeof(*bits));
	munmap(until, XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64));
}

static int load_xdp_filter(struct bench *b, const struct policy *pol)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	struct bpf_program *prog;
	struct bpf_map *map;
	__u64 vals[ncpu];
	__u32 port, key;

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
		key = htons(port);
		if (bpf_map_update_elem(fd, &key, vals, 0))
			return -errno;
	}
	return 0;
}

/* A const volatile __u32 of an object's .rodata, set before load (as a skeleton would). */
static int set_rodata_u32(struct bpf_object *obj, const char *name, __u32 v)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	const void *init;
	size_t size;
	__u8 *data;
	int id, i, err = -ENOENT;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -ENOENT;
	if (!m || id < 0)
		return -ENOENT;
	init = bpf_map__initial_value(m, &size);
	data = malloc(size);
	if (!init || !data)
		return -ENOMEM;
	memcpy(data, init, size);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		if (strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off), name))
			continue;
		memcpy(data + vs->offset, &v, sizeof(v));
		err = bpf_map__set_initial_value(m, data, size);
	}
	free(data);
	return err;
}

/*
 * The baseline: xdpfw's XDP program at an earlier commit, built from git
 * history by the Makefile. It shares today's flow tables and gate (same
 * layouts), so that both judge the same flows.
 */
static int load_before(struct bench *b, const char *path)
{
	static const char *const shared[] = { "conntrack4", "conntrack6", "ct_ports",
					      "ct_port_exp", "ct_stats" };
	struct bpf_program *prog;
	struct bpf_map *m, *ours;
	size_t i;

	b->before = bpf_object__open_file(path, NULL);
	if (!b->before)
		return -errno;
	for (i = 0; i < ARRAY_SIZE(shared); i++) {
		m = bpf_object__find_map_by_name(b->before, shared[i]);
		ours = bpf_object__find_map_by_name(b->fw->obj, shared[i]);
		if (!m || !ours || bpf_map__reuse_fd(m, bpf_map__fd(ours)))
			return -EINVAL;
	}
	if (set_rodata_u32(b->before, "kernel_hz", b->hz) || bpf_object__load(b->before))
		return -EINVAL;
	prog = bpf_object__find_program_by_name(b->before, "xdpfw_xdp");
	if (!prog)
		return -ENOENT;
	b->prog[C_BEFORE] = bpf_program__fd(prog);
	return 0;
}

static void setup(struct bench *b, const struct policy *pol)
{
	const char *before = getenv("BENCH_BASELINE_OBJ");
	int err;

	b->fw = clock_hz(&b->hz) ? NULL : xdpfw_skel_open(b->hz);
	if (!b->fw || bpf_map__set_max_entries(b->fw->maps.conntrack4, TABLE_SIZE) ||
	    xdpfw_bpf__load(b->fw)) {
		fprintf(stderr, "bench: cannot load xdpfw (root needed)\n");
		exit(1);
	}
	b->floor = floor_bpf__open();
	if (!b->floor || bpf_map__set_max_entries(b->floor->maps.flows4, TABLE_SIZE) ||
	    floor_bpf__load(b->floor)) {
		fprintf(stderr, "bench: cannot load the floors\n");
		exit(1);
	}
	b->prog[C_EMPTY] = bpf_program__fd(b->floor->progs.floor_empty);
	b->prog[C_FLOOR] = bpf_program__fd(b->floor->progs.floor_parse);
	b->prog[C_FLOOR_LOOKUP] = bpf_program__fd(b->floor->progs.floor_lookup);
	b->prog[C_XDPFW] = bpf_program__fd(b->fw->progs.xdpfw_xdp);
	err = before ? load_before(b, before) : -ENOENT;
	if (err) {
		fprintf(stderr, "bench: cannot load the baseline %s: %s\n", before ? before : "(unset)",
			strerror(-err));
		exit(1);
	}
	err = load_xdp_filter(b, pol);
	if (err) {
		fprintf(stderr, "bench: cannot load %s: %s\n", XDP_FILTER_OBJ, strerror(-err));
		exit(1);
	}
	set_policy(b, pol);
}

static __u32 insns(int prog_fd, __u32 *jited)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		exit(1);
	*jited = info.jited_prog_len;
	return info.xlated_prog_len / 8;
}

/*
 * What each contender is, in instructions: a floor that compiled to the
 * empty program (its result unused) would flatter every ratio; refuse it.
 */
static void check_programs(const struct bench *b, FILE *md)
{
	__u32 n[C_MAX], jited;
	int c;

	fprintf(md, "### Programs (instructions after verification, bytes after JIT)\n\n"
		    "| program | instructions | JIT bytes |\n| --- | ---: | ---: |\n");
	for (c = 0; c < C_MAX; c++) {
		n[c] = insns(b->prog[c], &jited);
		fprintf(md, "| %s | %u | %u |\n", contender_names[c], n[c], jited);
	}
	fprintf(md, "\n");
	if (n[C_FLOOR] <= n[C_EMPTY] + 10 || n[C_FLOOR_LOOKUP] <= n[C_FLOOR]) {
		fprintf(stderr, "bench: a floor compiled to (nearly) nothing: %u/%u/%u "
				"instructions (empty/floor/floor+lookup); not reporting\n",
			n[C_EMPTY], n[C_FLOOR], n[C_FLOOR_LOOKUP]);
		exit(1);
	}
}

static const char *verdict_name(__u32 v)
{
	return v == XDP_PASS ? "pass" : v == XDP_DROP ? "drop" : v == XDP_ABORTED ? "ABORTED" : "?";
}

/* ns above the empty program (min); and the median's. */
#define ABOVE(r, c) ((r)[c].min - (r)[C_EMPTY].min)

static void class_row(FILE *md, const char *name, const struct result *r)
{
	fprintf(md, "| %s | %.1f (%.1f) | %.0f-%.0f | %s | %.1f | %.1f | %.1f | %.1f |\n", name,
		ABOVE(r, C_XDPFW), r[C_XDPFW].median - r[C_EMPTY].median, r[C_XDPFW].min,
		r[C_XDPFW].max, verdict_name(r[C_XDPFW].verdict), ABOVE(r, C_BEFORE),
		ABOVE(r, C_FLOOR), ABOVE(r, C_FLOOR_LOOKUP), ABOVE(r, C_XDP_FILTER));
}

#define CLASS_HEADER                                                                               \
	"| class | xdpfw | spread | verdict | before | floor | floor+lookup | xdp-filter |\n"         \
	"| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n"

struct targets {
	double common_worst;	/* the slowest common class, hot, ns above empty */
	const char *common_name;
	double est_hot_gap;	/* established reply, hot: xdpfw minus the stateful floor */
	double est_cold_ratio[4]; /* cold, by table size: xdpfw over the stateful floor */
	double before_worst;	  /* the largest xdpfw minus baseline, hot */
	const char *before_name;
};

/* Today against the baseline: the class that lost most. */
static void against_before(struct targets *t, const char *name, const struct result *r)
{
	double d = ABOVE(r, C_XDPFW) - ABOVE(r, C_BEFORE);

	if (!t->before_name || d > t->before_worst) {
		t->before_worst = d;
		t->before_name = name;
	}
}

static void per_class(struct bench *b, FILE *md, struct targets *t)
{
	static const int who[] = { C_EMPTY, C_FLOOR, C_FLOOR_LOOKUP, C_XDPFW, C_BEFORE, C_XDP_FILTER };
	struct result hot[N_CLASSES][C_MAX], cold[N_CLASSES][C_MAX];
	struct frames f = {};
	bool gone = false;
	size_t c;

	fill_flows(b, 1000000, false);
	for (c = 0; c < N_CLASSES; c++) {
		if (classes[c].gate_gone != gone) {
			gone = classes[c].gate_gone;
			fill_flows(b, 1000000, gone);
		}
		frames_fill(&f, &classes[c], 1, 1000000);
		/* Gone: the first packets age the bits; measure what follows. */
		run_frames(b, b->prog[C_XDPFW], &f, &hot[c][0].verdict);
		measure(b, classes[c].name, &f, who, C_MAX, b->rounds, hot[c]);
		frames_fill(&f, &classes[c], b->cold, 1000000);
		run_frames(b, b->prog[C_XDPFW], &f, &cold[c][0].verdict);
		measure(b, classes[c].name, &f, who, C_MAX, b->rounds / 3 + 2, cold[c]);
		if (classes[c].common && ABOVE(hot[c], C_XDPFW) > t->common_worst) {
			t->common_worst = ABOVE(hot[c], C_XDPFW);
			t->common_name = classes[c].name;
		}
		if (classes[c].vary == V_FLOW)
			t->est_hot_gap = ABOVE(hot[c], C_XDPFW) - ABOVE(hot[c], C_FLOOR_LOOKUP);
		/* Hot: cold figures move by tens of ns run to run here; their table shows them. */
		against_before(t, classes[c].name, hot[c]);
	}
	fill_flows(b, 1000000, false);
	free(f.buf);
	free(f.len);
	fprintf(md, "### Per packet, hot: one frame repeated (ns above the empty program, min of "
		    "%d rounds x %d repeats; median in brackets; xdpfw's absolute min-max)\n\n",
		b->rounds, b->repeat);
	fprintf(md, "A proxy-like table of 1M outbound flows over the ephemeral range is loaded "
		    "throughout: the gate's bits are set for 28232 of 65536 TCP ports.\n\n");
	fprintf(md, "before: xdpfw's XDP program at %s, with per-port counters and no drop "
		    "log.\n\n" CLASS_HEADER, b->baseline);
	for (c = 0; c < N_CLASSES; c++)
		class_row(md, classes[c].name, hot[c]);
	fprintf(md, "\nThe test run itself (an empty program): %.1f ns hot.\n\n",
		hot[0][C_EMPTY].min);
	fprintf(md, "### Per packet, cold: a different frame each run, %d frames one run each "
		    "(ns above the empty program run the same way)\n\n",
		b->cold);
	fprintf(md, CLASS_HEADER);
	for (c = 0; c < N_CLASSES; c++)
		class_row(md, classes[c].name, cold[c]);
	fprintf(md, "\nThe test run itself, one run a call: %.1f ns.\n\n", cold[0][C_EMPTY].min);
}

/* Cost of an allowed TCP SYN against the number of allowed ports: must stay flat. */
static void scale_ports(struct bench *b, const char *outdir, FILE *md, const struct policy *dflt)
{
	/* 22, the measured port, is always among them: the verdict is always pass. */
	static const char *const texts[] = {
		"allow tcp 22\n",
		"allow tcp 22,65517-65535\n",
		"allow tcp 22,64537-65535\n",
		"allow tcp 1-65535\n",
	};
	static const int who[] = { C_EMPTY, C_XDPFW, C_XDP_FILTER };
	static const struct klass k = { "allowed TCP SYN", { TCP4(22) } };
	struct frames f = {};
	struct result res[3];
	struct policy pol;
	char path[512];
	size_t i;
	FILE *dat;

	frames_fill(&f, &k, 1, 0);
	snprintf(path, sizeof(path), "%s/ports.dat", outdir);
	dat = fopen(path, "w");
	fprintf(md, "### Allowed TCP SYN against the number of allowed ports (ns above empty, "
		    "hot, min)\n\n| allowed ports | xdpfw | xdp-filter |\n| ---: | ---: | ---: |\n");
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		struct policy_error perr;

		if (policy_parse(&pol, texts[i], strlen(texts[i]), "bench", &perr))
			exit(1);
		set_policy(b, &pol);
		bpf_object__close(b->xf);
		if (load_xdp_filter(b, &pol))
			exit(1);
		measure(b, "ports", &f, who, 3, b->rounds, res);
		fprintf(md, "| %u | %.1f | %.1f |\n", policy_port_count(&pol, XDPFW_L4_TCP),
			res[1].min - res[0].min, res[2].min - res[0].min);
		fprintf(dat, "%u %.2f %.2f\n", policy_port_count(&pol, XDPFW_L4_TCP),
			res[1].min - res[0].min, res[2].min - res[0].min);
	}
	fclose(dat);
	fprintf(md, "\n");
	set_policy(b, dflt);
	bpf_object__close(b->xf);
	if (load_xdp_filter(b, dflt))
		exit(1);
	free(f.buf);
	free(f.len);
}

/* The established reply, hot and cold, against the number of tracked flows. */
static void scale_flows(struct bench *b, const char *outdir, FILE *md, struct targets *t)
{
	static const __u32 counts[] = { 1000, 100000, 1000000, 4000000 };
	static const int who[] = { C_EMPTY, C_FLOOR_LOOKUP, C_XDPFW };
	const struct klass *est = classes;
	struct result hot[3], cold[3];
	struct frames f = {};
	char path[512];
	size_t i;
	FILE *dat;

	while (est->vary != V_FLOW)
		est++;
	snprintf(path, sizeof(path), "%s/flows.dat", outdir);
	dat = fopen(path, "w");
	fprintf(md, "### Established reply against the number of tracked flows (ns above empty, "
		    "min)\n\n| flows | xdpfw hot | floor+lookup hot | xdpfw cold | "
		    "floor+lookup cold | cold ratio |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		fill_flows(b, counts[i], false);
		frames_fill(&f, est, 1, counts[i]);
		measure(b, "flows-hot", &f, who, 3, b->rounds, hot);
		frames_fill(&f, est, b->cold, counts[i]);
		measure(b, "flows-cold", &f, who, 3, b->rounds, cold);
		t->est_cold_ratio[i] = (cold[2].min - cold[0].min) / (cold[1].min - cold[0].min);
		fprintf(md, "| %u | %.1f | %.1f | %.1f | %.1f | %.2f |\n", counts[i],
			hot[2].min - hot[0].min, hot[1].min - hot[0].min, cold[2].min - cold[0].min,
			cold[1].min - cold[0].min, t->est_cold_ratio[i]);
		fprintf(dat, "%u %.2f %.2f %.2f %.2f\n", counts[i], hot[2].min - hot[0].min,
			hot[1].min - hot[0].min, cold[2].min - cold[0].min,
			cold[1].min - cold[0].min);
	}
	fclose(dat);
	fprintf(md, "\n");
	fill_flows(b, 1000000, false);
	free(f.buf);
	free(f.len);
}

/*
 * The egress program: every packet the host sends pays it. A new flow (each
 * frame another tuple, tables emptied first), a refresh within the second
 * (the entry is read, not written), an answer from an open port (no flow).
 */
static void egress(struct bench *b, FILE *md)
{
	static const struct {
		const char *name;
		struct spec s;
		bool fresh;
	} cls[] = {
		{ "new flow (SYN out)", { TCP4(443), .out = true, .tcp_flags = SYN }, true },
		{ "refresh (ACK out, same flow)", { TCP4(443), .out = true, .tcp_flags = ACK } },
		{ "answer from an open port", { TCP4(50000), .sport = 22, .out = true, .tcp_flags = ACK } },
	};
	int progs[3] = { bpf_program__fd(b->floor->progs.floor_tc_empty),
			 bpf_program__fd(b->fw->progs.xdpfw_egress),
			 bpf_program__fd(b->floor->progs.floor_tc_insert) };
	struct klass k = {};
	struct frames f = {};
	double best[3], ns;
	__u32 verdict;
	size_t c, i;
	int r, p;

	fprintf(md, "### The tc egress program, per packet the host sends (ns above an empty tc "
		    "program, min; floor: parse and insert with BPF_NOEXIST)\n\n"
		    "| packet | xdpfw_egress | floor |\n| --- | ---: | ---: |\n");
	for (c = 0; c < ARRAY_SIZE(cls); c++) {
		k.s = cls[c].s;
		k.vary = V_SOURCE;
		frames_fill(&f, &k, cls[c].fresh ? (size_t)b->cold : 1, 0);
		if (cls[c].fresh)
			for (i = 0; i < f.n; i++) /* outbound: vary the destination, not the source */
				frame_put(&f, i,
					  &(struct spec){ TCP4(1024 + i % 60000), .out = true,
							  .remote4 = 0xc6150000 + i / 60000 + 1,
							  .tcp_flags = SYN },
					  false);
		best[0] = best[1] = best[2] = 1e18;
		for (r = 0; r < b->rounds; r++)
			for (p = 0; p < 3; p++) {
				if (cls[c].fresh)
					fill_flows(b, 1, false);
				ns = run_frames(b, progs[p], &f, &verdict);
				best[p] = ns < best[p] ? ns : best[p];
			}
		fprintf(md, "| %s | %.1f | %.1f |\n", cls[c].name, best[1] - best[0],
			best[2] - best[0]);
	}
	fprintf(md, "\n");
	fill_flows(b, 1000000, false);
	free(f.buf);
	free(f.len);
}

static int no_record(void *ctx, void *data, size_t len)
{
	return 0;
}

/* ns a frame over all frames, a chunk at a time, the ring drained between chunks. */
static double run_drained(const struct bench *b, int prog, const struct frames *f,
			  struct ring_buffer *rb)
{
	double sum = 0;
	__u32 verdict;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (i % 1024 == 0)
			ring_buffer__consume(rb);
		sum += test_run(prog, f->buf[i], f->len[i], 1, &verdict);
	}
	ring_buffer__consume(rb);
	return sum / f->n;
}

/*
 * What the drop log costs a dropped packet, cold (a SYN flood to random
 * ports): counted only; a flood past the budget (its steady state); every
 * drop written to the ring. The baseline had no drop log.
 */
static void drop_log(struct bench *b, FILE *md, const struct policy *dflt)
{
	static const struct {
		const char *name;
		__u32 rate;
	} modes[] = {
		{ "log-rate 0: a counter only", 0 },
		{ "flood past the budget (log-rate 100, the default)", 100 },
		{ "every drop written to the ring (log-rate 100000, ring drained)", 100000 },
	};
	const int progs[3] = { b->prog[C_EMPTY], b->prog[C_XDPFW], b->prog[C_BEFORE] };
	const struct klass *k = &classes[0];
	struct ring_buffer *rb;
	struct frames f = {};
	static struct policy pol;
	double best[3], ns;
	size_t m;
	int r, p;

	while (k->vary != V_PORT)
		k++;
	rb = ring_buffer__new(bpf_map__fd(b->fw->maps.drop_log), no_record, NULL, NULL);
	if (!rb)
		exit(1);
	frames_fill(&f, k, b->cold, 0);
	fprintf(md, "### The drop log, per dropped packet (a SYN flood to random ports, cold; ns "
		    "above empty, min)\n\n| log | xdpfw | before (no log) |\n| --- | ---: | ---: |\n");
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		pol = *dflt;
		pol.bpf.log_rate = modes[m].rate;
		set_policy(b, &pol);
		best[0] = best[1] = best[2] = 1e18;
		for (r = 0; r < b->rounds / 3 + 2; r++)
			for (p = 0; p < 3; p++) {
				ns = run_drained(b, progs[(p + r) % 3], &f, rb);
				if (ns < best[(p + r) % 3])
					best[(p + r) % 3] = ns;
			}
		fprintf(md, "| %s | %.1f | %.1f |\n", modes[m].name, best[1] - best[0],
			best[2] - best[0]);
	}
	fprintf(md, "\n");
	set_policy(b, dflt);
	ring_buffer__free(rb);
	free(f.buf);
	free(f.len);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int sum_nothing(const void *k, const void *v, __u32 n, void *arg)
{
	return 0;
}

/* us to read the two maps whole, a batch syscall each, value_mul copies a value. */
static double read_maps(int counters_fd, int buckets_fd, int value_mul)
{
	const int iters = 200;
	double t0 = now_us();
	int it;

	for (it = 0; it < iters; it++) {
		map_batch_each(counters_fd, sizeof(__u32), sizeof(struct xdpfw_counter) * value_mul,
			       false, sum_nothing, NULL);
		map_batch_each(buckets_fd, sizeof(__u32),
			       sizeof(struct xdpfw_closed_port) * value_mul, false, sum_nothing,
			       NULL);
	}
	return (now_us() - t0) / iters;
}

/*
 * What `stats` reads grows with the CPUs: every CPU's copy of the counters
 * (slot x reason) and of the closed-port buckets. The cost of one more CPU
 * is the per-CPU maps' read minus that of plain arrays of the same shape
 * (one copy); the estimate adds that per extra CPU, and the merge of the
 * buckets' rows, which at 128 CPUs may be 32768.
 */
static void stats_cost(struct bench *b, FILE *md)
{
	const int ncpu = libbpf_num_possible_cpus();
	const __u32 cpus[] = { 2, 64, 128 };
	int plain_c, plain_b;
	double percpu_us, plain_us, per_cpu, merge_us[3];
	struct stats st = {};
	struct stats_row row;
	__u32 c, k, i;

	plain_c = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(__u32),
				 sizeof(struct xdpfw_counter), XDPFW_COUNTERS, NULL);
	plain_b = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(__u32),
				 sizeof(struct xdpfw_closed_port), XDPFW_CLOSED_BUCKETS, NULL);
	if (plain_c < 0 || plain_b < 0)
		exit(1);
	percpu_us = read_maps(bpf_map__fd(b->fw->maps.counters),
			      bpf_map__fd(b->fw->maps.closed_ports), ncpu);
	plain_us = read_maps(plain_c, plain_b, 1);
	per_cpu = ncpu > 1 ? (percpu_us - plain_us) / (ncpu - 1) : percpu_us;
	close(plain_c);
	close(plain_b);
	for (i = 0; i < ARRAY_SIZE(cpus); i++) {
		for (c = 0; c < cpus[i]; c++)
			for (k = 0; k < XDPFW_CLOSED_BUCKETS; k++) {
				row = (struct stats_row){ .kind = ROW_BUCKET, .dir = XDPFW_DIR_IN,
							  .proto = IPPROTO_TCP, .lo = k + c % 7 * 256,
							  .hi = k + c % 7 * 256, .dropped = { 1, 60 } };
				stats_add_row(&st, &row);
			}
		merge_us[i] = now_us();
		stats_merge(&st);
		merge_us[i] = now_us() - merge_us[i];
		stats_free(&st);
	}
	fprintf(md, "### What stats reads, by CPU count\n\n"
		    "The counters (%u entries) and closed-port buckets (%u), a batch syscall each: "
		    "%.0f us at %d CPUs, %.0f us as plain arrays (one copy): %.1f us a CPU.\n\n"
		    "| CPUs | reading the per-CPU maps | merging a full set of bucket rows | "
		    "total |\n| ---: | ---: | ---: | ---: |\n",
		XDPFW_COUNTERS, XDPFW_CLOSED_BUCKETS, percpu_us, ncpu, plain_us, per_cpu);
	for (i = 0; i < ARRAY_SIZE(cpus); i++)
		fprintf(md, "| %u | %.2f ms | %.2f ms | %.2f ms |\n", cpus[i],
			(plain_us + per_cpu * (cpus[i] - 1)) / 1000, merge_us[i] / 1000,
			(plain_us + per_cpu * (cpus[i] - 1) + merge_us[i]) / 1000);
	fprintf(md, "\nThe rest of a `stats` (process start, pins, the flow tables' count) does "
		    "not grow with the CPUs: see the control plane table.\n\n");
}

static void verdict_line(FILE *md, const char *what, double got, double target, bool below)
{
	bool met = below ? got <= target : got >= target;

	fprintf(md, "- %s: %.2f against %.2f: %s\n", what, got, target,
		met ? "met" : "missed");
}

static void report_targets(FILE *md, const struct targets *t)
{
	static const char *const sizes[] = { "1k", "100k", "1M", "4M" };
	char what[128];
	size_t i;

	fprintf(md, "### Targets\n\n");
	snprintf(what, sizeof(what), "slowest common class hot, ns above empty (%s)",
		 t->common_name);
	verdict_line(md, what, t->common_worst, 15, true);
	verdict_line(md, "established reply hot, ns over the stateful floor", t->est_hot_gap, 10,
		     true);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(what, sizeof(what), "established reply cold, %s flows, x the floor's",
			 sizes[i]);
		verdict_line(md, what, t->est_cold_ratio[i], 1.1, true);
	}
	/* Min of rounds on a noisy 2-CPU VM: a nanosecond either way is the noise. */
	snprintf(what, sizeof(what), "no class slower than before, hot: the worst, ns over the "
		 "baseline (%s)", t->before_name);
	verdict_line(md, what, t->before_worst, 1, true);
	fprintf(md, "\n");
}

/* 100,000 /32s: every address of 198.20.0.0/16 (the varied sources) or none of them. */
static void blocklist_100k(struct prefix_list *l, bool with_sources)
{
	struct prefix p = { .family = AF_INET, .len = 32 };
	__u32 i, base = with_sources ? 65536 : 0;

	for (i = 0; i < 100000; i++) {
		p.addr[0] = htonl(i < base ? 0xc6140000 + i : 0x0a000000 + i);
		if (prefix_list_add(l, &p))
			exit(1);
	}
	prefix_list_canon(l);
}

/* What the source rules add to a SYN: a from-list, a blocklist of 100k, a limit. */
static void source_rules(struct bench *b, FILE *md, const struct policy *dflt)
{
	static const struct {
		const char *name, *extra;
		int blocklist; /* 1: without the sources, 2: with them */
		__u16 port;
	} cases[] = {
		{ "no source rule (the built-in policy), tcp/22", "", 0, 22 },
		{ "from-list, source in it", "allow tcp 2222 from 198.20.0.0/16\n", 0, 2222 },
		{ "from-list, source not in it", "allow tcp 2222 from 198.21.0.0/16\n", 0, 2222 },
		{ "blocklist of 100k /32s, source not in it", "", 1, 22 },
		{ "blocklist of 100k /32s, source in it", "", 2, 22 },
		{ "limit 10/minute: SYNs of one source (hot) / of many (cold)",
		  "allow tcp 2222\nlimit tcp 2222 10/minute burst 5\n", 0, 2222 },
	};
	static const int who[] = { C_EMPTY, C_XDPFW };
	static struct policy pol;
	struct result hot[2], cold[2];
	struct policy_error perr;
	struct frames f = {};
	struct klass k = { "rules", { TCP4(22) }, V_SOURCE };
	char text[8192];
	size_t c;

	fprintf(md, "### Source rules: a SYN from 198.20.x.y (ns above empty, min; cold: "
		    "%d sources)\n\n| case | hot | cold | verdict |\n| --- | ---: | ---: | --- |\n",
		b->cold);
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		snprintf(text, sizeof(text), "%s%s", xdpfw_default_policy, cases[c].extra);
		if (policy_parse(&pol, text, strlen(text), "bench", &perr))
			exit(1);
		if (cases[c].blocklist) {
			blocklist_100k(&pol.lists[XDPFW_LIST_BLOCK], cases[c].blocklist == 2);
			pol.bpf.flags |= XDPFW_F_BLOCKLIST;
		}
		set_policy(b, &pol);
		k.s.dport = cases[c].port;
		k.s.remote4 = 0xc6140101;
		frames_fill(&f, &k, 1, 0);
		measure(b, cases[c].name, &f, who, 2, b->rounds, hot);
		frames_fill(&f, &k, b->cold, 0);
		measure(b, cases[c].name, &f, who, 2, b->rounds / 3 + 2, cold);
		fprintf(md, "| %s | %.1f | %.1f | %s |\n", cases[c].name, hot[1].min - hot[0].min,
			cold[1].min - cold[0].min, verdict_name(hot[1].verdict));
		policy_free(&pol);
	}
	fprintf(md, "\n");
	set_policy(b, dflt);
	free(f.buf);
	free(f.len);
}

int main(int argc, char **argv)
{
	const char *outdir = argc > 1 ? argv[1] : "build/bench";
	struct bench b = {
		.rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 15,
		.repeat = getenv("BENCH_REPEAT") ? atoi(getenv("BENCH_REPEAT")) : 1000000,
		.cold = getenv("BENCH_COLD") ? atoi(getenv("BENCH_COLD")) : 32768,
		.baseline = getenv("BENCH_BASELINE") ? getenv("BENCH_BASELINE") : "?",
	};
	struct targets t = {};
	struct policy pol;
	char path[512];
	cpu_set_t cpus;
	FILE *md;

	if (b.rounds < 3 || b.rounds > MAX_ROUNDS || b.repeat < 1 || b.cold < 2) {
		fprintf(stderr, "bench: BENCH_ROUNDS 3-%d, BENCH_REPEAT >= 1, BENCH_COLD >= 2\n",
			MAX_ROUNDS);
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
	fprintf(b.raw, "series,round,frames,contender,ns_per_packet\n");
	check_programs(&b, md);
	per_class(&b, md, &t);
	scale_flows(&b, outdir, md, &t);
	scale_ports(&b, outdir, md, &pol);
	source_rules(&b, md, &pol);
	egress(&b, md);
	drop_log(&b, md, &pol);
	stats_cost(&b, md);
	report_targets(md, &t);
	fclose(b.raw);
	fclose(md);
	xdpfw_bpf__destroy(b.fw);
	floor_bpf__destroy(b.floor);
	bpf_object__close(b.xf);
	bpf_object__close(b.before);
	return 0;
}
