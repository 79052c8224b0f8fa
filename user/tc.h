/* SPDX-License-Identifier: GPL-2.0 */
/* The tc egress filter that feeds the flow table, on the clsact qdisc. */
#ifndef XDPFW_USER_TC_H
#define XDPFW_USER_TC_H

#include <stdbool.h>

#include <linux/types.h>

/* Attaches prog_fd as xdpfw's egress filter; *own: this call created the clsact qdisc. */
int tc_attach_egress(int prog_fd, __u32 ifindex, const char *iface, bool *own);
/*
 * Removes xdpfw's own filter, and the clsact qdisc when xdpfw created it
 * (own) and nothing else is on it: other tools' filters stay where they are.
 */
void tc_detach_egress(__u32 ifindex, const char *iface, bool own);

#endif /* XDPFW_USER_TC_H */
