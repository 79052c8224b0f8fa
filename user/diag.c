// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag dumps with libmnl's socket, and our own walk of the messages:
 * the kernel's NLMSG_OK compares lengths unsigned; libmnl 1.0.4's
 * mnl_nlmsg_ok casts nlmsg_len to int and walks off the buffer on a length
 * of 2^31 or more (found by fuzz_diag).
 */
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "diag.h"
#include "util.h"

int diag_walk(const void *buf, size_t len, __u32 seq, __u32 portid, __u8 proto, diag_fn fn,
	      void *arg)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len > INT_MAX ? INT_MAX : (int)len, err;

	for (; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
		if ((seq && nlh->nlmsg_seq != seq) || (portid && nlh->nlmsg_pid != portid))
			return -EPROTO;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_DONE:
			return 0;
		case NLMSG_ERROR:
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EBADMSG;
			err = ((const struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			return err < 0 && err > -4096 ? err : -EPROTO;
		default:
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				return -EBADMSG;
			err = fn(NLMSG_DATA(nlh), proto, arg);
			if (err)
				return err;
		}
	}
	return 1;
}

/* One dump: the sockets of a family and protocol in the given states. */
static int dump_one(struct mnl_socket *nl, __u8 family, __u8 proto, __u32 states, diag_fn fn,
		    void *arg)
{
	static char buf[1 << 16]; /* the kernel fills ~32 KiB a message batch */
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	__u32 seq = time(NULL) + proto + family, portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	req->idiag_states = states;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = diag_walk(buf, n, seq, portid, proto, fn, arg);
		if (ret <= 0)
			/* A kernel without this protocol's diag module has no such sockets. */
			return ret == -ENOENT || ret == -EOPNOTSUPP ? 0 : ret;
	}
	return n < 0 ? -errno : -EPROTO; /* the dump ended without NLMSG_DONE */
}

int diag_dump(__u8 proto, __u32 states, diag_fn fn, void *arg)
{
	static const __u8 families[] = { AF_INET, AF_INET6 };
	struct mnl_socket *nl;
	size_t f;
	int err = 0;

	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	for (f = 0; f < ARRAY_SIZE(families) && !err; f++)
		err = dump_one(nl, families[f], proto, states, fn, arg);
	mnl_socket_close(nl);
	return err;
}
