/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's sockets through sock_diag (NETLINK_SOCK_DIAG), as ss(8) reads
 * them: a dump a family and protocol, filtered by state in the kernel.
 * Seeding (user/seed.c) and the lockout guard (user/guard.c) read them.
 */
#ifndef XDPFW_USER_DIAG_H
#define XDPFW_USER_DIAG_H

#include <stddef.h>

#include <linux/inet_diag.h>
#include <linux/types.h>

/* Socket states (include/net/tcp_states.h); a connected UDP socket is TCP_ESTABLISHED. */
enum {
	DIAG_ESTABLISHED = 1,
	DIAG_SYN_SENT,
	DIAG_SYN_RECV,
	DIAG_FIN_WAIT1,
	DIAG_FIN_WAIT2,
	DIAG_TIME_WAIT,
	DIAG_CLOSE,
	DIAG_CLOSE_WAIT,
	DIAG_LAST_ACK,
	DIAG_LISTEN,
	DIAG_CLOSING,
};

#define DIAG_STATE(s) (1U << (s))

/* One socket of a dump, of the protocol the dump asked for. 0 to go on, else stop with it. */
typedef int (*diag_fn)(const struct inet_diag_msg *m, __u8 proto, void *arg);

/*
 * A buffer of netlink messages of a dump (seq and portid 0: not checked),
 * each socket to fn: 1 more to come, 0 done (NLMSG_DONE), -errno on an
 * error the kernel sent or a message that does not hold together.
 */
int diag_walk(const void *buf, size_t len, __u32 seq, __u32 portid, __u8 proto, diag_fn fn,
	      void *arg);
/*
 * The sockets of each family (IPv4, IPv6) and protocol in one of the states
 * (DIAG_STATE bits), each to fn. A kernel without that protocol's diag
 * module has none of its sockets.
 */
int diag_dump(__u8 proto, __u32 states, diag_fn fn, void *arg);

#endif /* XDPFW_USER_DIAG_H */
