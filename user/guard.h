/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lockout guard: before a policy goes live, the host's listening
 * sockets it would cut off are named (warnings), and a policy that would cut
 * the SSH session running the command is refused unless forced.
 */
#ifndef XDPFW_USER_GUARD_H
#define XDPFW_USER_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "policy.h"

/* A socket waiting for what comes in through the interface. */
struct listener {
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP */
	__u16 port; /* host order */
	__u32 inode;
	__u32 pid;  /* the lowest pid holding it; 0: unknown */
	char comm[16];
};

/* Would pol drop what comes to proto/port? */
bool guard_drops(const struct policy *pol, __u8 proto, __u16 port);
/*
 * Keeps, in place, one listener a (proto, port) that pol drops, in port
 * order; returns how many.
 */
size_t guard_dropped(const struct policy *pol, struct listener *l, size_t n);
/* SSH_CONNECTION: "client cport server port". */
struct ssh_session {
	int client_family, server_family; /* AF_INET (also for IPv4-mapped IPv6), AF_INET6 */
	__u32 client[4], server[4];	  /* network order; IPv4 in the first word */
	__u16 port;			  /* the server's */
};

/* false when env is unset or not of that form. */
bool guard_ssh_session(const char *env, struct ssh_session *s);

/*
 * Checks pol against the host before it goes live on iface: one warning a
 * listening socket it drops, naming its process; -EPERM after a message
 * when it drops new connections from this command's own SSH client to the
 * session's port on iface (port closed, a from-list without the client, the
 * blocklist), unless force. 0 otherwise (also when the sockets cannot be read:
 * the guard is advice, not a gate, except for the SSH session).
 */
int guard_check(const char *iface, const struct policy *pol, bool force);

/* The same for prefixes going into the runtime blocklist (xdpfw block add). */
int guard_check_block(const char *iface, const struct prefix_list *l, bool force);

#endif /* XDPFW_USER_GUARD_H */
