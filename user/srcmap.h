/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The source tries of an interface (src4, src6: include/xdpfw.h): a policy
 * slot's blocklist and from-lists, and the runtime blocklist of `xdpfw
 * block`, written so that every lookup sees a consistent answer.
 */
#ifndef XDPFW_USER_SRCMAP_H
#define XDPFW_USER_SRCMAP_H

#include "policy.h"

struct src_maps {
	int fd4, fd6;
};

/*
 * Makes slot's bits say pol's lists. The other slot's bits and the runtime
 * blocklist stay as they are; a prefix only slot had goes, and the longest
 * match of every address keeps its answer for the other slot throughout.
 */
int src_write_slot(const struct src_maps *m, __u32 slot, const struct policy *pol);
/* pol's blocklist and from-lists as slot's bits say (pol->lists: empty before). */
int src_read_slot(const struct src_maps *m, __u32 slot, struct policy *pol);
/* Adds (or removes) prefixes to the runtime blocklist; *count: its prefixes after. */
int src_block(const struct src_maps *m, const struct prefix_list *l, bool add, __u32 *count);
/* The runtime blocklist, sorted (a prefix inside another one is listed too). */
int src_block_list(const struct src_maps *m, struct prefix_list *out);

#endif /* XDPFW_USER_SRCMAP_H */
