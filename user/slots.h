/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter slots for a policy's open ports: one a port or range, labels kept
 * across reloads so that counters survive them. Pure: no BPF, no I/O.
 */
#ifndef XDPFW_USER_SLOTS_H
#define XDPFW_USER_SLOTS_H

#include <stdbool.h>

#include "policy.h"
#include "xdpfw.h"

/* Ranges of up to this many ports get a slot a port; wider ones one slot. */
#define SLOTS_SPLIT 16

/*
 * Gives every row of pol (a port, or a range wider than SLOTS_SPLIT) a
 * policy slot and fills pol->bpf.port_slot. labels (the interface's,
 * XDPFW_POLICY_SLOT_COUNT of them, index 0 = slot XDPFW_SLOT_FIRST_POLICY)
 * are updated: a row keeps the slot it had; a new one takes a free slot,
 * else one whose row the policy no longer has, which reused[] then marks
 * (its counters count another row from now on: zero them). Past the last
 * slot, a row has none and its ports count in the catch-all. Returns how
 * many rows had none.
 */
unsigned int slots_assign(struct policy *pol, struct xdpfw_slot_label *labels,
			  bool reused[XDPFW_POLICY_SLOT_COUNT]);

#endif /* XDPFW_USER_SLOTS_H */
