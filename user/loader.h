/* SPDX-License-Identifier: GPL-2.0 */
/* Attach, detach and re-program xdpfw on an interface through its pins. */
#ifndef XDPFW_USER_LOADER_H
#define XDPFW_USER_LOADER_H

#include <net/if.h>

#include "policy.h"

enum attach_mode {
	ATTACH_AUTO,   /* native, else skb with a warning */
	ATTACH_NATIVE, /* driver mode or nothing */
	ATTACH_SKB,    /* generic mode */
};

struct iface_status {
	char name[IF_NAMESIZE];
	__u32 ifindex; /* 0: the interface is gone, the pins are stale */
	__u32 prog_id;
	const char *mode;
	struct policy pol;
	int err; /* negative errno when the pins could not be read */
};

typedef int (*policy_edit_fn)(struct policy *pol, void *arg);

struct xdpfw_bpf;

/* The BPF object opened, its load-time constants set (hz: the kernel's, clock_hz()). */
struct xdpfw_bpf *xdpfw_skel_open(__u32 hz);

int xdpfw_load(const char *iface, const struct policy *pol, enum attach_mode mode);
int xdpfw_unload(const char *iface);
/* Reads the live policy, lets edit() change it, writes it to the inactive slot, flips. */
int xdpfw_edit_policy(const char *iface, policy_edit_fn edit, void *arg);
/* The config map of an interface: active slot, the programs' HZ. */
int xdpfw_read_config(const char *iface, struct xdpfw_config *cfg);
/* The live policy of an interface, and its config (cfg may be NULL). */
int xdpfw_read_live(const char *iface, struct policy *pol, struct xdpfw_config *cfg);
/* Every interface with pins, sorted by name; free() the array. */
int xdpfw_status(struct iface_status **out, size_t *n);

#endif /* XDPFW_USER_LOADER_H */
