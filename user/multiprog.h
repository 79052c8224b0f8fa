/* SPDX-License-Identifier: GPL-2.0 */
/*
 * load --multiprog: xdpfw's XDP program as one component of libxdp's
 * dispatcher, so that it runs beside other XDP programs (xdp-filter, a
 * DDoS scrubber) instead of owning the interface's XDP hook. The
 * dispatcher runs its components by priority, lowest first; xdpfw's
 * XDP_PASS goes on to the next one, its XDP_DROP ends the chain.
 *
 * The component is an freplace (BPF_PROG_TYPE_EXT) program that libxdp
 * loads against its dispatcher: it comes from a second, unloaded copy of
 * the BPF object whose maps are all those of the loader's object, so that
 * the policy, counters and flow tables are live before the program runs.
 * Its pin, XDPFW_PIN_ROOT/<interface>/XDPFW_PIN_MULTIPROG, is the commit
 * point of a multiprog load, as the link's pin is of a plain one.
 */
#ifndef XDPFW_USER_MULTIPROG_H
#define XDPFW_USER_MULTIPROG_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "loader.h"

/* Where a program attached by a crashed load can be found: by name, on its interface. */
#define MP_PROG_NAME "xdpfw_xdp"

/*
 * After deny-lists and scrubbers (xdp-filter runs at 10: what they drop
 * costs xdpfw nothing), before forwarders and counters (libxdp's default 50).
 */
#define MP_RUN_PRIO 20

struct xdpfw_bpf;

/*
 * Can mp_attach work on ifindex? Asked before a load does anything: the
 * kernel must run freplace programs (libxdp would otherwise attach xdpfw
 * alone, owning the interface), and what holds the interface, if anything,
 * must be a dispatcher in a mode that want allows. Says why not.
 */
int mp_check(__u32 ifindex, const char *iface, enum attach_mode want);
/*
 * Attaches skel's XDP program to the dispatcher on ifindex (creating the
 * dispatcher, or joining the one there) with priority prio, and pins it
 * under the interface's pin directory. skel is loaded; its maps are the
 * component's. mode: the dispatcher's when one is attached and mode is
 * ATTACH_AUTO; else as for a plain load. *prog_id (may be NULL): the
 * component's id.
 * Refuses, naming it, an XDP program that is not a dispatcher.
 */
int mp_attach(const struct xdpfw_bpf *skel, __u32 ifindex, const char *iface, enum attach_mode mode,
	      unsigned int prio, __u32 *prog_id);
/*
 * Takes xdpfw's components off the dispatcher on ifindex: the pinned one,
 * and any named MP_PROG_NAME (a load killed before its pin); the other
 * programs stay. Nothing to do, 0: no dispatcher there. The pin itself is
 * left to pins_remove().
 */
int mp_detach(const char *iface, __u32 ifindex);
/*
 * The ifindex of iface when the pinned component runs in the dispatcher
 * there, and its id in *prog_id (may be NULL); 0 when not pinned or not
 * attached: the analogue of a plain load's link ifindex.
 */
__u32 mp_ifindex(const char *iface, __u32 *prog_id);

enum xdp_holder {
	XDP_HOLDER_NONE,       /* no XDP program on the interface */
	XDP_HOLDER_PROG,       /* a program of its own: nothing can join it */
	XDP_HOLDER_DISPATCHER, /* libxdp's dispatcher: --multiprog can join it */
};

/*
 * What holds ifindex's XDP hook, for messages: "xdpfilt_dny_all (prog 42)",
 * or "the libxdp dispatcher (prog 57: xdpfilt_alw_all prio 10, ...)".
 * Returns the enum xdp_holder, or -errno when the query fails (buf empty).
 */
int xdp_holder_name(__u32 ifindex, char *buf, size_t len);

#endif /* XDPFW_USER_MULTIPROG_H */
