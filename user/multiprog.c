// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <xdp/libxdp.h>

#include "multiprog.h"
#include "pins.h"
#include "util.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

/* The name libxdp gives its dispatcher program (xdp-dispatcher.o). */
#define DISPATCHER_NAME "xdp_dispatcher"

/* libxdp speaks on stderr by default; as libbpf's, its messages are for -v. */
static int mp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return verbose && level != LIBXDP_DEBUG ? vfprintf(stderr, fmt, ap) : 0;
}

static void mp_init(void)
{
	static bool done;

	if (!done)
		libxdp_set_print(mp_print);
	done = true;
}

static const char *xdp_mode_name(enum xdp_attach_mode mode)
{
	return mode == XDP_MODE_SKB ? "skb" : mode == XDP_MODE_HW ? "offload" : "native";
}

/* The id of the program on ifindex's XDP hook (driver or generic), 0 if none. */
static int hook_prog(__u32 ifindex, __u32 *id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*id = 0;
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	*id = q.drv_prog_id ?: q.skb_prog_id;
	return 0;
}

static int prog_info(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd, err = 0;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

/* Is ifindex's XDP program libxdp's dispatcher? Cheap: no libxdp state is read. */
static bool hook_is_dispatcher(__u32 ifindex)
{
	struct bpf_prog_info info;
	__u32 id;

	return !hook_prog(ifindex, &id) && id && !prog_info(id, &info) &&
	       !strcmp(info.name, DISPATCHER_NAME);
}

/* The dispatcher on ifindex with its components; NULL (errno set) if none or not one. */
static struct xdp_multiprog *get_dispatcher(__u32 ifindex)
{
	struct xdp_multiprog *mp;
	long err;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err) {
		errno = -err;
		return NULL;
	}
	if (!mp || xdp_multiprog__is_legacy(mp)) {
		xdp_multiprog__close(mp);
		errno = ENOENT;
		return NULL;
	}
	return mp;
}

int xdp_holder_name(__u32 ifindex, char *buf, size_t len)
{
	struct xdp_multiprog *mp;
	struct bpf_prog_info info;
	struct xdp_program *p = NULL;
	size_t n, i;
	__u32 id;
	int err;

	mp_init();
	buf[0] = '\0';
	err = hook_prog(ifindex, &id) ?: id ? prog_info(id, &info) : 0;
	if (err || !id)
		return err ?: XDP_HOLDER_NONE;
	if (strcmp(info.name, DISPATCHER_NAME)) {
		snprintf(buf, len, "%s (prog %u)", info.name[0] ? info.name : "a nameless program",
			 id);
		return XDP_HOLDER_PROG;
	}
	n = snprintf(buf, len, "the libxdp dispatcher (prog %u", id);
	/* Its components are only known through the pins libxdp keeps of them. */
	mp = get_dispatcher(ifindex);
	for (i = 0; mp && n < len && (p = xdp_multiprog__next_prog(p, mp)); i++)
		n += snprintf(buf + n, len - n, "%s%s prio %u", i ? ", " : ": ",
			      xdp_program__name(p), xdp_program__run_prio(p));
	if (n < len)
		snprintf(buf + n, len - n, ")");
	xdp_multiprog__close(mp);
	return XDP_HOLDER_DISPATCHER;
}

/*
 * Can this kernel run a dispatcher? Its components are freplace programs,
 * which need BPF trampolines (x86_64 and arm64, Linux 5.10+), and some
 * kernels refuse them to root too (EPERM: hardened or sandboxed builds).
 * libxdp tests the same, but on failure it attaches the one program alone
 * with no dispatcher, owning the interface: what --multiprog must not do.
 * Asked once: an freplace of xdp_pass in libxdp's own dispatcher object.
 */
static int probe_freplace(void)
{
	struct xdp_program *tgt = NULL, *ext = NULL;
	struct bpf_program *prog, *p;
	int err, link_fd;

	tgt = xdp_program__find_file("xdp-dispatcher.o", NULL, NULL);
	ext = tgt ? xdp_program__find_file("xdp-dispatcher.o", NULL, NULL) : NULL;
	if (!tgt || !ext) {
		err = -errno;
		pr_err("cannot open libxdp's xdp-dispatcher.o: %s", strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(p, xdp_program__bpf_obj(tgt))
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), "xdp_pass"));
	err = bpf_object__load(xdp_program__bpf_obj(tgt));
	if (err) {
		pr_err("cannot load libxdp's xdp-dispatcher.o: %s", strerror(-err));
		goto out;
	}
	prog = bpf_object__find_program_by_name(xdp_program__bpf_obj(tgt), "xdp_pass");
	link_fd = bpf_program__fd(prog); /* the target, for now */
	bpf_object__for_each_program(p, xdp_program__bpf_obj(ext))
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), "xdp_pass"));
	prog = bpf_object__find_program_by_name(xdp_program__bpf_obj(ext), "xdp_pass");
	err = bpf_program__set_attach_target(prog, link_fd, "xdp_pass");
	if (!err) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_EXT);
		bpf_program__set_expected_attach_type(prog, 0);
		err = bpf_object__load(xdp_program__bpf_obj(ext));
	}
	if (!err) {
		link_fd = bpf_raw_tracepoint_open(NULL, bpf_program__fd(prog));
		err = link_fd < 0 ? -errno : close(link_fd);
	}
	if (err)
		pr_err("the kernel refuses freplace (BPF_PROG_TYPE_EXT) programs: %s. libxdp's "
		       "dispatcher is made of them, so --multiprog cannot work here; load "
		       "without it",
		       strerror(-err));
out:
	xdp_program__close(ext);
	xdp_program__close(tgt);
	return err;
}

static int freplace_supported(void)
{
	static int verdict = 1;

	if (verdict > 0)
		verdict = probe_freplace();
	return verdict;
}

/* Is prog a component of the dispatcher on ifindex (not a program libxdp attached alone)? */
static bool in_dispatcher(__u32 ifindex, __u32 id)
{
	struct xdp_multiprog *mp = get_dispatcher(ifindex);
	struct xdp_program *p = NULL;
	bool found = false;

	while (mp && !found && (p = xdp_multiprog__next_prog(p, mp)))
		found = xdp_program__id(p) == id;
	xdp_multiprog__close(mp);
	return found;
}

/*
 * The mode to attach in. A dispatcher that is there already keeps its mode
 * (libxdp replaces it with one that has a component more, in the same
 * mode): auto follows it, an explicit other mode is refused.
 */
static int pick_mode(__u32 ifindex, const char *iface, enum attach_mode want,
		     enum xdp_attach_mode *mode, bool *joining)
{
	char holder[256];
	struct xdp_multiprog *mp;
	enum xdp_attach_mode have;
	int kind;

	*mode = want == ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	*joining = false;
	kind = xdp_holder_name(ifindex, holder, sizeof(holder));
	if (kind < 0) {
		pr_err("%s: cannot query the XDP hook: %s", iface, strerror(-kind));
		return kind;
	}
	if (kind == XDP_HOLDER_NONE)
		return 0;
	if (kind == XDP_HOLDER_PROG) {
		pr_err("%s: XDP is held by %s, which is not a libxdp dispatcher: nothing can run "
		       "beside it; detach it first (or load it through libxdp, as xdp-loader does)",
		       iface, holder);
		return -EBUSY;
	}
	mp = get_dispatcher(ifindex);
	if (!mp) {
		pr_err("%s: cannot read the libxdp dispatcher's state under %s/xdp: %s", iface,
		       XDPFW_BPFFS, strerror(errno));
		return -errno;
	}
	have = xdp_multiprog__attach_mode(mp);
	xdp_multiprog__close(mp);
	*joining = true;
	if (want == ATTACH_AUTO || *mode == have) {
		*mode = have;
		return 0;
	}
	pr_err("%s: the libxdp dispatcher there runs in %s mode: load with --mode %s, or auto",
	       iface, xdp_mode_name(have), xdp_mode_name(have));
	return -EINVAL;
}

int mp_check(__u32 ifindex, const char *iface, enum attach_mode want)
{
	enum xdp_attach_mode mode;
	bool joining;

	mp_init();
	return freplace_supported() ?: pick_mode(ifindex, iface, want, &mode, &joining);
}

static int attach_in_mode(struct xdp_program *prog, __u32 ifindex, const char *iface,
			  enum attach_mode want, enum xdp_attach_mode mode, bool joining)
{
	int err;

	err = xdp_program__attach(prog, ifindex, mode, 0);
	/*
	 * The component is loaded by the first attempt whatever became of it:
	 * the second only links it to another dispatcher, no second verification.
	 */
	if (err && want == ATTACH_AUTO && !joining && err != -EBUSY && err != -EEXIST &&
	    xdp_program__fd(prog) >= 0) {
		pr_warn("%s: native XDP attach failed (%s); attaching the dispatcher in skb "
			"(generic) mode, which costs more per packet",
			iface, strerror(-err));
		mode = XDP_MODE_SKB;
		err = xdp_program__attach(prog, ifindex, mode, 0);
	}
	if (err == -EBUSY || err == -EEXIST)
		pr_err("%s: another XDP program took the interface meanwhile; try again", iface);
	else if (err && xdp_program__fd(prog) < 0)
		pr_err("%s: cannot load the XDP program into the libxdp dispatcher: %s (-v shows "
		       "the verifier log)",
		       iface, strerror(-err));
	else if (err)
		pr_err("%s: cannot attach the libxdp dispatcher in %s mode: %s", iface,
		       xdp_mode_name(mode), strerror(-err));
	return err;
}

/*
 * The component object: another copy of the BPF object, unloaded, whose
 * maps are all the loaded one's (the pinned ones, and those it does not
 * pin, as the tc program's scratch space), and whose only program is the
 * XDP one: libxdp loads it as an freplace of its dispatcher.
 */
static struct xdpfw_bpf *open_component(const struct xdpfw_bpf *skel, const char *iface)
{
	struct bpf_program *prog;
	struct xdpfw_bpf *comp;
	struct bpf_map *map, *from;
	int err = 0;

	comp = xdpfw_bpf__open();
	if (!comp) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return NULL;
	}
	bpf_object__for_each_map(map, comp->obj) {
		from = bpf_object__find_map_by_name(skel->obj, bpf_map__name(map));
		err = from ? bpf_map__reuse_fd(map, bpf_map__fd(from)) : -ENOENT;
		if (err) {
			pr_err("%s: cannot share map %s with the component: %s", iface,
			       bpf_map__name(map), strerror(-err));
			goto err;
		}
	}
	bpf_object__for_each_program(prog, comp->obj)
		bpf_program__set_autoload(prog, prog == comp->progs.xdpfw_xdp);
	return comp;
err:
	xdpfw_bpf__destroy(comp);
	errno = -err;
	return NULL;
}

int mp_attach(const struct xdpfw_bpf *skel, __u32 ifindex, const char *iface, enum attach_mode want,
	      unsigned int prio, __u32 *prog_id)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .prog_name = MP_PROG_NAME);
	struct xdp_program *prog = NULL;
	enum xdp_attach_mode mode;
	struct xdpfw_bpf *comp;
	char path[PATH_MAX];
	bool joining;
	int err;

	mp_init();
	err = freplace_supported() ?: pick_mode(ifindex, iface, want, &mode, &joining);
	if (err)
		return err;
	comp = open_component(skel, iface);
	if (!comp)
		return -errno;
	opts.obj = comp->obj;
	prog = xdp_program__create(&opts);
	if (!prog) {
		err = -errno;
		pr_err("%s: libxdp cannot use the XDP program: %s", iface, strerror(-err));
		goto out;
	}
	/*
	 * Set here rather than by an XDP_RUN_CONFIG in the BPF source: the
	 * dispatcher keeps them in its config, and libxdp carries them over
	 * when it rebuilds the dispatcher for another program.
	 */
	err = xdp_program__set_run_prio(prog, prio);
	if (!err)
		err = xdp_program__set_chain_call_enabled(prog, XDP_PASS, true);
	if (!err)
		err = xdp_program__set_chain_call_enabled(prog, XDP_DROP, false);
	/*
	 * SEC("xdp.frags"): libbpf 1.1 sets the flag only as it loads, and
	 * libxdp reads it before, so say it. The dispatcher takes frags when
	 * every component does (the components themselves, freplace programs,
	 * are loaded without the flag).
	 */
	if (!err && !strncmp(bpf_program__section_name(comp->progs.xdpfw_xdp), "xdp.frags", 9))
		err = xdp_program__set_xdp_frags_support(prog, true);
	if (err) {
		pr_err("%s: cannot set the run priority and actions: %s", iface, strerror(-err));
		goto out;
	}
	err = attach_in_mode(prog, ifindex, iface, want, mode, joining);
	if (err)
		goto out;
	/* libxdp attaches a lone program without a dispatcher when it cannot build one. */
	if (!in_dispatcher(ifindex, xdp_program__id(prog))) {
		pr_err("%s: libxdp attached xdpfw without a dispatcher (-v says why); detaching it",
		       iface);
		xdp_program__detach(prog, ifindex, XDP_MODE_UNSPEC, 0);
		err = -EOPNOTSUPP;
		goto out;
	}
	fault_point("mp-attached");
	/*
	 * The commit point. Killed before it, the component runs unrecorded:
	 * the next load or unload finds it by name (mp_detach).
	 */
	pins_path(path, iface, XDPFW_PIN_MULTIPROG);
	if (bpf_obj_pin(xdp_program__fd(prog), path)) {
		err = -errno;
		pr_err("%s: cannot pin %s: %s", iface, path, strerror(-err));
		mp_detach(iface, ifindex);
		goto out;
	}
	if (prog_id)
		*prog_id = xdp_program__id(prog);
out:
	xdp_program__close(prog);
	xdpfw_bpf__destroy(comp);
	return err;
}

static __u32 pinned_id(const char *iface)
{
	struct bpf_prog_info info;
	char path[PATH_MAX];
	int fd;

	pins_path(path, iface, XDPFW_PIN_MULTIPROG);
	fd = pins_get(path, &info, sizeof(info));
	if (fd < 0)
		return 0;
	close(fd);
	return info.id;
}

int mp_detach(const char *iface, __u32 ifindex)
{
	struct xdp_program *mine[10], *p = NULL;
	__u32 ours = pinned_id(iface);
	struct xdp_multiprog *mp;
	size_t n = 0;
	int err = 0;

	mp_init();
	/*
	 * libxdp_clean_references() would also clear libxdp's state of
	 * dispatchers no longer attached, but it judges by ifindex in this
	 * network namespace: on a bpffs shared with another namespace it would
	 * unpin, and so detach, that namespace's live components.
	 */
	if (!ifindex || !hook_is_dispatcher(ifindex))
		return 0;
	mp = get_dispatcher(ifindex);
	if (!mp) {
		err = -errno;
		pr_err("%s: cannot read the libxdp dispatcher's state under %s/xdp: %s", iface,
		       XDPFW_BPFFS, strerror(-err));
		return err;
	}
	while ((p = xdp_multiprog__next_prog(p, mp)) && n < ARRAY_SIZE(mine))
		if (xdp_program__id(p) == ours || !strcmp(xdp_program__name(p), MP_PROG_NAME))
			mine[n++] = p;
	/* The dispatcher goes when nothing else is left in it; else it is rebuilt without us. */
	if (n)
		err = xdp_program__detach_multi(mine, n, ifindex, xdp_multiprog__attach_mode(mp),
						0);
	if (err)
		pr_err("%s: cannot take xdpfw out of the libxdp dispatcher: %s", iface,
		       strerror(-err));
	xdp_multiprog__close(mp);
	return err;
}

__u32 mp_ifindex(const char *iface, __u32 *prog_id)
{
	__u32 ours = pinned_id(iface), ifindex;

	mp_init();
	ifindex = ours ? if_nametoindex(iface) : 0;
	if (!ifindex || !hook_is_dispatcher(ifindex) || !in_dispatcher(ifindex, ours))
		return 0;
	if (prog_id)
		*prog_id = ours;
	return ifindex;
}
