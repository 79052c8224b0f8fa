// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <string.h>

#include "slots.h"

static bool label_is(const struct xdpfw_slot_label *l, __u8 proto, unsigned int lo,
		     unsigned int hi)
{
	return l->dir == XDPFW_DIR_IN && l->proto == proto && l->lo == lo && l->hi == hi;
}

static bool still_open(const struct policy *pol, const struct xdpfw_slot_label *l)
{
	unsigned int next = l->lo, lo, hi;
	enum xdpfw_l4 l4 = l->proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP;

	return l->dir && policy_next_range(pol, l4, &next, &lo, &hi) && lo == l->lo && hi == l->hi;
}

/* The label's index for a range: the one it had, a free one, a stale one; -1: none left. */
static int find_slot(const struct policy *pol, const struct xdpfw_slot_label *labels, __u8 proto,
		     unsigned int lo, unsigned int hi)
{
	int i;

	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		if (label_is(&labels[i], proto, lo, hi))
			return i;
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		if (!labels[i].dir)
			return i;
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		if (!still_open(pol, &labels[i]))
			return i;
	return -1;
}

unsigned int slots_assign(struct policy *pol, struct xdpfw_slot_label *labels,
			  bool reused[XDPFW_POLICY_SLOT_COUNT])
{
	static const __u8 protos[XDPFW_L4_MAX] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned int next, lo, hi, p, none = 0;
	int l4, i;

	memset(reused, 0, XDPFW_POLICY_SLOT_COUNT * sizeof(*reused));
	memset(pol->bpf.port_slot, 0, sizeof(pol->bpf.port_slot));
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
		for (next = 1; policy_next_range(pol, l4, &next, &lo, &hi);) {
			i = find_slot(pol, labels, protos[l4], lo, hi);
			if (i < 0) {
				none++;
				continue;
			}
			if (!label_is(&labels[i], protos[l4], lo, hi)) {
				reused[i] = labels[i].dir;
				labels[i] = (struct xdpfw_slot_label){ .dir = XDPFW_DIR_IN,
								       .proto = protos[l4],
								       .lo = lo, .hi = hi };
			}
			for (p = lo; p <= hi; p++)
				pol->bpf.port_slot[l4][p] = XDPFW_SLOT_FIRST_POLICY + i;
		}
	}
	return none;
}
