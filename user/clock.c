// SPDX-License-Identifier: GPL-2.0
/* Jiffies from bpf/clock.bpf.c, run with BPF_PROG_TEST_RUN: userspace has no other view. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "clock.skel.h"
#include "util.h"

/* Loaded once per process, on first use: the kernel frees it when the process exits. */
static int clock_prog(void)
{
	static struct clock_bpf *skel;

	if (!skel)
		skel = clock_bpf__open_and_load();
	return skel ? bpf_program__fd(skel->progs.xdpfw_clock) : -errno;
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
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		double d = rate > known[i] ? rate - known[i] : known[i] - rate;

		if (d < best) {
			best = d;
			*hz = known[i];
		}
	}
	return 0;
}
