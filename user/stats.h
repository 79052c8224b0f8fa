/* SPDX-License-Identifier: GPL-2.0 */
/* Counters: read the per-CPU maps of an interface and the flow table's, and sum them. */
#ifndef XDPFW_USER_STATS_H
#define XDPFW_USER_STATS_H

#include <stddef.h>

#include "conntrack.h"
#include "xdpfw.h"

struct port_row {
	enum xdpfw_l4 l4;
	unsigned int port;
	struct xdpfw_port_stats s;
};

struct stats {
	struct xdpfw_reason_stats reasons[XDPFW_REASON_MAX];
	struct port_row *ports; /* ports with any traffic, busiest first */
	size_t n_ports;
	size_t cap_ports;
	struct ct_counters ct; /* the shared flow table */
};

const char *reason_name(enum xdpfw_reason r);
int stats_read(const char *iface, struct stats *st);
/* Busiest first: packets, then bytes, then protocol and port. */
void stats_sort(struct stats *st);
void stats_free(struct stats *st);

#endif /* XDPFW_USER_STATS_H */
