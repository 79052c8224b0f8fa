/* SPDX-License-Identifier: GPL-2.0 */
/* The shared flow table from userspace: list it, flush it, count it. */
#ifndef XDPFW_USER_CONNTRACK_H
#define XDPFW_USER_CONNTRACK_H

#include <stddef.h>

#include "xdpfw.h"

struct ct_flow {
	struct xdpfw_ct_key k;
	struct xdpfw_ct_val v;
};

struct ct_counters {
	__u64 entries; /* live (unexpired) flows */
	__u64 counter[XDPFW_CT_COUNTER_MAX];
	__u64 evictions; /* entries the LRU pushed out to make room */
};

/* The shared maps, opened from their pins. */
struct ct_maps {
	int table_fd;
	int ports_fd;
	int stats_fd;
};

const char *ct_state_name(__u8 state);
const char *ct_counter_name(enum xdpfw_ct_counter c);
const char *ct_proto_name(__u8 proto);

/* Opens the pinned shared maps; -errno after a message when they are not there. */
int ct_open(struct ct_maps *m);
void ct_close(struct ct_maps *m);
/* Live flows, oldest first; free() them. */
int ct_list(const struct ct_maps *m, struct ct_flow **flows, size_t *n);
int ct_flush(const struct ct_maps *m, unsigned int *deleted);
int ct_read_counters(const struct ct_maps *m, struct ct_counters *c);

#endif /* XDPFW_USER_CONNTRACK_H */
