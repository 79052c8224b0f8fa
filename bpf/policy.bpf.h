/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loader sets: the live policy (two slots and the config map that
 * says which is active; userspace flips it in one map update) and the
 * load-time constants.
 */
#ifndef XDPFW_POLICY_BPF_H
#define XDPFW_POLICY_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "xdpfw.h"

/* CONFIG_HZ, measured by the loader and set before load: flow and fragment times are jiffies. */
const volatile __u32 kernel_hz;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFW_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct xdpfw_policy);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpfw_config);
} config SEC(".maps");

static __always_inline struct xdpfw_policy *active_policy(void)
{
	__u32 zero = 0;
	struct xdpfw_config *cfg = bpf_map_lookup_elem(&config, &zero);
	__u32 slot;

	if (!cfg)
		return NULL;
	slot = cfg->active_slot;
	return bpf_map_lookup_elem(&policy, &slot);
}

/* The bitmap of an IP protocol: enum xdpfw_l4, XDPFW_L4_MAX when it has none. */
static __always_inline __u8 l4_of(__u8 proto)
{
	return proto == IPPROTO_TCP ? XDPFW_L4_TCP : proto == IPPROTO_UDP ? XDPFW_L4_UDP : XDPFW_L4_MAX;
}

/*
 * An enum xdpfw_l4 as an array index the verifier sees bounded: the compiler
 * drops a mask it can prove redundant (after an l4_idx < XDPFW_L4_MAX test),
 * while the verifier may have lost that test's bound on a spilled copy.
 */
static __always_inline __u32 l4_bounded(__u32 l4_idx)
{
	asm volatile("" : "+r"(l4_idx));
	return l4_idx & XDPFW_L4_MASK;
}

/* Is `port` (host order) open to l4_idx (enum xdpfw_l4) under the policy? */
static __always_inline int port_allowed(const struct xdpfw_policy *pol, __u8 l4_idx, __u16 port)
{
	return !!(pol->ports[l4_bounded(l4_idx)][xdpfw_port_word(port)] &
		  xdpfw_port_bit(port));
}

#endif /* XDPFW_POLICY_BPF_H */
