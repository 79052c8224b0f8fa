// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace has no direct view of jiffies; a seven-instruction XDP program
 * reads them with bpf_jiffies64() and writes them into the test frame that
 * BPF_PROG_TEST_RUN hands back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "clock.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })

static int clock_prog(void)
{
	static const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),	     /* r6 = ctx */
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_jiffies64), /* r0 = jiffies */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, 0, 0),	     /* r2 = ctx->data */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0),	     /* r3 = ctx->data_end */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),	     /* r4 = r2 + 8 */
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 8),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 1, 0),	     /* r4 > r3: skip the store */
		INSN(BPF_STX | BPF_MEM | BPF_DW, 2, 0, 0, 0),	     /* *(u64 *)r2 = r0 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static int fd = -1;

	if (fd < 0)
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpfw_clock", "GPL", insns,
				   sizeof(insns) / sizeof(insns[0]), NULL);
	return fd;
}

int clock_jiffies(__u64 *jiffies)
{
	__u8 in[64] = { 0 }, out[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = sizeof(in),
		    .data_out = out, .data_size_out = sizeof(out));
	int fd = clock_prog(), err;

	if (fd < 0)
		return fd;
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err)
		return err;
	memcpy(jiffies, out, sizeof(*jiffies));
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int clock_hz(__u32 *hz)
{
	static const __u32 known[] = { 100, 250, 300, 1000 };
	__u64 j0, j1;
	double t0, t1, rate, best = 1e9;
	size_t i;
	int err;

	/* 100 ms: 10 ticks at HZ=100, 25 at 250, 30 at 300: one tick off still rounds right. */
	err = clock_jiffies(&j0);
	t0 = mono_s();
	usleep(100000);
	if (!err)
		err = clock_jiffies(&j1);
	t1 = mono_s();
	if (err)
		return err;
	rate = (j1 - j0) / (t1 - t0);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		double d = rate > known[i] ? rate - known[i] : known[i] - rate;

		if (d < best) {
			best = d;
			*hz = known[i];
		}
	}
	return 0;
}
