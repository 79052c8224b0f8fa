/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's jiffies as the BPF programs see them, and how fast they tick. */
#ifndef XDPFW_USER_CLOCK_H
#define XDPFW_USER_CLOCK_H

#include <linux/types.h>

/* jiffies_64 now, as bpf_jiffies64() returns it. */
int clock_jiffies(__u64 *jiffies);
/* CONFIG_HZ, measured: jiffies against CLOCK_MONOTONIC over a few ticks. */
int clock_hz(__u32 *hz);

#endif /* XDPFW_USER_CLOCK_H */
