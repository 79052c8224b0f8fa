// SPDX-License-Identifier: GPL-2.0
/*
 * Counter slots for the policy's open ports. A policy range of up to
 * SLOTS_SPLIT ports (3268-3269) gets a slot a port, a wider one (a passive
 * FTP range) one slot; past the last slot, ports count in the catch-all of
 * their protocol, and per port in the closed-port buckets.
 */
#include <netinet/in.h>
#include <string.h>

#include "slots.h"

static const __u8 protos[XDPFW_L4_MAX] = { IPPROTO_TCP, IPPROTO_UDP };

static bool label_is(const struct xdpfw_slot_label *l, __u8 proto, unsigned int lo,
		     unsigned int hi)
{
	return l->dir == XDPFW_DIR_IN && l->proto == proto && l->lo == lo && l->hi == hi;
}

/* Is (lo, hi) a row the policy wants: a port of a narrow range, or a whole wide one? */
static bool wanted(const struct policy *pol, enum xdpfw_l4 l4, unsigned int lo, unsigned int hi)
{
	unsigned int a = lo, b = lo;

	if (!policy_port_allowed(pol, l4, lo))
		return false;
	while (a > 1 && policy_port_allowed(pol, l4, a - 1))
		a--;
	while (b + 1 < XDPFW_PORTS && policy_port_allowed(pol, l4, b + 1))
		b++;
	return b - a < SLOTS_SPLIT ? lo == hi : lo == a && hi == b;
}

static bool still_wanted(const struct policy *pol, const struct xdpfw_slot_label *l)
{
	return l->dir == XDPFW_DIR_IN && wanted(pol, l->proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP,
					     l->lo, l->hi);
}

/* The label's index for a row: the one it had, a free one, a stale one; -1: none left. */
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
		if (!still_wanted(pol, &labels[i]))
			return i;
	return -1;
}

/* One row's slot into labels and port_slot; false when none is left. */
static bool place(struct policy *pol, struct xdpfw_slot_label *labels, bool *reused,
		  enum xdpfw_l4 l4, unsigned int lo, unsigned int hi)
{
	int i = find_slot(pol, labels, protos[l4], lo, hi);
	unsigned int p;

	if (i < 0)
		return false;
	if (!label_is(&labels[i], protos[l4], lo, hi)) {
		reused[i] = labels[i].dir;
		labels[i] = (struct xdpfw_slot_label){ .dir = XDPFW_DIR_IN, .proto = protos[l4],
						       .lo = lo, .hi = hi };
	}
	for (p = lo; p <= hi; p++)
		pol->bpf.port_slot[l4][p] = XDPFW_SLOT_FIRST_POLICY + i;
	return true;
}

unsigned int slots_assign(struct policy *pol, struct xdpfw_slot_label *labels,
			  bool reused[XDPFW_POLICY_SLOT_COUNT])
{
	unsigned int next, lo, hi, p, none = 0;
	int l4;

	memset(reused, 0, XDPFW_POLICY_SLOT_COUNT * sizeof(*reused));
	memset(pol->bpf.port_slot, 0, sizeof(pol->bpf.port_slot));
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
		for (next = 1; policy_next_range(pol, l4, &next, &lo, &hi);) {
			if (hi - lo >= SLOTS_SPLIT) {
				none += !place(pol, labels, reused, l4, lo, hi);
				continue;
			}
			for (p = lo; p <= hi; p++)
				none += !place(pol, labels, reused, l4, p, p);
		}
	}
	return none;
}
