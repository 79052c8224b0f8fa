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
	__u64 apply_deadline; /* an apply waits for confirm until then (unix seconds); 0: none */
	int err;	      /* negative errno when the pins could not be read */
};

typedef int (*policy_edit_fn)(struct policy *pol, void *arg);
/* The edit that replaces the live policy with arg, a struct policy. */
int edit_replace(struct policy *live, void *arg);

/* Flags of load and policy edits. */
enum {
	XDPFW_FORCE = 1 << 0,	  /* apply even what cuts this command's SSH session */
	XDPFW_REPLACE = 1 << 1,	  /* load: when loaded already, reload instead */
	XDPFW_MULTIPROG = 1 << 2, /* load: through libxdp's dispatcher, beside other programs */
};

/* A policy change: an edit, an apply (it waits for confirm), or an apply's rollback. */
enum edit_kind { EDIT_PLAIN, EDIT_APPLY, EDIT_ROLLBACK };

struct edit_req {
	enum edit_kind kind;
	policy_edit_fn edit; /* the change (not for a rollback) */
	void *arg;
	unsigned int flags;  /* XDPFW_FORCE */
	__u32 token;	     /* apply: its token; rollback: the apply's it undoes */
	__u64 deadline;	     /* apply: unix seconds */
};

struct xdpfw_bpf;

/* The BPF object opened, its load-time constants set (hz: the kernel's, clock_hz()). */
struct xdpfw_bpf *xdpfw_skel_open(__u32 hz);

int xdpfw_load(const char *iface, const struct policy *pol, enum attach_mode mode,
	       unsigned int flags);
int xdpfw_unload(const char *iface);
/* Reads the live policy, lets edit() change it, writes it to the inactive slot, flips. */
int xdpfw_edit_policy(const char *iface, policy_edit_fn edit, void *arg, unsigned int flags);
/*
 * The same for every kind of change. An apply pending on the interface
 * refuses other changes; a rollback happens only while the apply it undoes
 * is the pending one: 1 when it rolled back, 0 when there was nothing to
 * undo (confirmed, or the filter reloaded since).
 */
int xdpfw_edit(const char *iface, const struct edit_req *req);
/* Clears a pending apply: its policy stays. -ENOENT after a message when none is pending. */
int xdpfw_confirm(const char *iface);
/*
 * The runtime blocklist (xdpfw block): adds or removes prefixes, live at
 * once and kept across reloads, gone with unload.
 */
int xdpfw_block(const char *iface, const struct prefix_list *l, bool add);
/* Its prefixes, sorted; prefix_list_free() them. */
int xdpfw_block_list(const char *iface, struct prefix_list *out);
/* The config map of an interface: active slot, the programs' HZ. */
int xdpfw_read_config(const char *iface, struct xdpfw_config *cfg);
/* The live policy of an interface, and its config (cfg may be NULL). */
int xdpfw_read_live(const char *iface, struct policy *pol, struct xdpfw_config *cfg);
/* Every interface with pins, sorted by name; free() the array. */
int xdpfw_status(struct iface_status **out, size_t *n);

#endif /* XDPFW_USER_LOADER_H */
