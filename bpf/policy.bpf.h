/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live policy: two slots and the config map that says which is active.
 * Both programs read it; userspace flips the active slot in one map update.
 */
#ifndef XDPFW_POLICY_BPF_H
#define XDPFW_POLICY_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "xdpfw.h"

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

/* Is `port` (host order) open to `l4` (enum xdpfw_l4) under the policy? */
static __always_inline int port_allowed(const struct xdpfw_policy *pol, __u8 l4, __u16 port)
{
	__u64 word = pol->ports[l4 & 1][(port >> 6) & (XDPFW_PORT_WORDS - 1)];

	return (word >> (port & 63)) & 1;
}

#endif /* XDPFW_POLICY_BPF_H */
