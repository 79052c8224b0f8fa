/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source rules: the blocklists and from-lists (one LPM lookup in the
 * interface's trie of the packet's family answers every list), and the
 * per-source token buckets of new-connection limits.
 */
#ifndef XDPFW_RULES_BPF_H
#define XDPFW_RULES_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parsing.bpf.h"
#include "xdpfw.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPFW_SRC_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_src4_key);
	__type(value, struct xdpfw_src);
} src4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPFW_SRC_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpfw_src6_key);
	__type(value, struct xdpfw_src);
} src6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPFW_LIMIT_ENTRIES);
	__type(key, struct xdpfw_limit_key);
	__type(value, struct xdpfw_limit_state);
} limits SEC(".maps");

/* What the source lookup said about a packet; looked: whether it was made. */
struct src_info {
	__u64 lists;   /* the active slot's list bits */
	__u32 blocked; /* the runtime blocklist */
	__u32 slot;    /* the active policy slot */
	__u32 looked;
};

static __always_inline void src_lookup(const struct l3_info *l3, __u32 slot, struct src_info *s)
{
	struct xdpfw_src4_key k4;
	struct xdpfw_src6_key k6;
	struct xdpfw_src *v;

	if (l3->ipver == 4) {
		k4.prefixlen = 32;
		k4.addr = l3->saddr[0];
		v = bpf_map_lookup_elem(&src4, &k4);
	} else {
		k6.prefixlen = 128;
		__builtin_memcpy(k6.addr, l3->saddr, sizeof(k6.addr));
		v = bpf_map_lookup_elem(&src6, &k6);
	}
	s->looked = 1;
	s->lists = v ? v->lists[slot & (XDPFW_POLICY_SLOTS - 1)] : 0;
	s->blocked = v ? v->blocked : 0;
}

static __always_inline int src_blocked(const struct src_info *s)
{
	return s->blocked || (s->lists & (1ULL << XDPFW_LIST_BLOCK));
}

/* Idle jiffies beyond this refill a bucket whole (2^24: 4.6 hours at HZ 1000). */
#define LIMIT_IDLE_MAX (1ULL << 24)

/*
 * One token of the source's bucket for l4/port under lim. A source seen
 * for the first time starts with a full bucket. Buckets are shared by the
 * CPUs without a lock: two CPUs refilling one bucket at once may each pass
 * a packet the other's update then forgets (a few extra, never fewer).
 */
static __always_inline int limit_take(const struct xdpfw_limit *lim, const struct l3_info *l3,
				      __u8 l4_idx, __u16 port)
{
	struct xdpfw_limit_key k = { .port = port, .l4 = l4_idx, .ipver = l3->ipver };
	struct xdpfw_limit_state *st, fresh;
	__u64 now = bpf_jiffies64(), idle, t;

	__builtin_memcpy(k.saddr, l3->saddr, sizeof(k.saddr));
	st = bpf_map_lookup_elem(&limits, &k);
	if (!st) {
		if (lim->burst_nano < XDPFW_NANO)
			return 0;
		fresh.tokens_nano = lim->burst_nano - XDPFW_NANO;
		fresh.last = now;
		bpf_map_update_elem(&limits, &k, &fresh, BPF_ANY);
		return 1;
	}
	if (now != st->last) {
		idle = now - st->last;
		t = idle >= LIMIT_IDLE_MAX ? lim->burst_nano
					   : st->tokens_nano + idle * lim->nano_per_jiffy;
		st->tokens_nano = t > lim->burst_nano ? lim->burst_nano : t;
		st->last = now;
	}
	if (st->tokens_nano < XDPFW_NANO)
		return 0;
	st->tokens_nano -= XDPFW_NANO;
	return 1;
}

#endif /* XDPFW_RULES_BPF_H */
