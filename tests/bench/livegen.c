// SPDX-License-Identifier: GPL-2.0
/*
 * A packet generator for the end-to-end benchmark: BPF_PROG_TEST_RUN in
 * live-frames mode runs a program that redirects every frame out of an
 * interface, so the kernel transmits them at XDP speed, far beyond what an
 * AF_PACKET sender manages on this machine.
 *
 * Usage: livegen IFACE COUNT udp|tcp DST_PORT   (frames 198.18.0.2 -> 198.18.0.1)
 * Prints: packets seconds
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/in.h>

#include "floor.skel.h"
#include "packet.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

int main(int argc, char **argv)
{
	struct spec s = { .ipver = 4, .payload = 18 }; /* 64-byte frames with the FCS */
	static __u8 frame[MAX_FRAME];
	struct floor_bpf *skel;
	struct timespec t0, t1;
	unsigned int ifindex;
	long count;
	size_t len;
	int err;

	if (argc != 5 || !(ifindex = if_nametoindex(argv[1])) || (count = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: livegen IFACE COUNT udp|tcp DST_PORT\n");
		return 2;
	}
	s.proto = strcmp(argv[3], "tcp") ? IPPROTO_UDP : IPPROTO_TCP;
	s.dport = atoi(argv[4]);
	if (s.proto == IPPROTO_TCP)
		s.payload = 6;
	len = build(&s, frame);
	skel = floor_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->gen_ifindex = ifindex;
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "livegen: cannot load: %s\n", strerror(errno));
		return 1;
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = count, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.gen_redirect), &opts);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	floor_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "livegen: test run: %s\n", strerror(-err));
		return 1;
	}
	printf("%ld %.6f\n", count, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
