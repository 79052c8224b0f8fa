// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace has no direct view of jiffies: user/clock.c runs this program
 * with BPF_PROG_TEST_RUN, and it writes bpf_jiffies64() into the test frame
 * that the kernel hands back.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdpfw_clock(struct xdp_md *ctx)
{
	__u64 *now = (void *)(long)ctx->data;

	if ((void *)(now + 1) <= (void *)(long)ctx->data_end)
		*now = bpf_jiffies64();
	return XDP_PASS;
}
