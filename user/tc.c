// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "tc.h"
#include "util.h"
#include "xdpfw.h"

int tc_attach_egress(int prog_fd, __u32 ifindex, const char *iface, bool *own)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XDPFW_TC_HANDLE, .priority = XDPFW_TC_PRIORITY,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	*own = !err;
	if (err && err != -EEXIST) {
		pr_err("%s: cannot create the clsact qdisc: %s", iface, strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_err("%s: cannot attach the tc egress program: %s", iface, strerror(-err));
	return err;
}

static int count_msg(const struct nlmsghdr *nlh, void *arg)
{
	(*(unsigned int *)arg)++;
	return MNL_CB_OK;
}

/*
 * Filters on one side (TC_H_MIN_INGRESS or _EGRESS) of the clsact qdisc, in
 * every chain: one RTM_GETTFILTER dump, as `tc filter show` makes it.
 * libbpf's bpf_tc_query() only finds a filter whose handle it already knows.
 */
static int tc_count_filters(__u32 ifindex, __u16 side, unsigned int *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	__u32 seq = time(NULL), portid;
	int ret;

	*n = 0;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, side);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, count_msg, n);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

void tc_detach_egress(__u32 ifindex, const char *iface, bool own)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XDPFW_TC_HANDLE, .priority = XDPFW_TC_PRIORITY);
	unsigned int in = 0, out = 0;
	int err;

	bpf_tc_detach(&hook, &opts);
	if (!own)
		return;
	/* Unsure is no: an empty qdisc left behind is harmless, others' filters deleted are not. */
	err = tc_count_filters(ifindex, TC_H_MIN_INGRESS, &in);
	if (!err)
		err = tc_count_filters(ifindex, TC_H_MIN_EGRESS, &out);
	if (err) {
		pr_warn("%s: left the clsact qdisc in place: cannot list its filters: %s", iface,
			strerror(-err));
		return;
	}
	if (in || out) {
		pr_warn("%s: left the clsact qdisc in place: other tools' filters use it "
			"(%u ingress, %u egress)",
			iface, in, out);
		return;
	}
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
}
