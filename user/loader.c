// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "clock.h"
#include "guard.h"
#include "loader.h"
#include "multiprog.h"
#include "pins.h"
#include "seed.h"
#include "slots.h"
#include "srcmap.h"
#include "state.h"
#include "tc.h"
#include "util.h"
#include "xdpfw.skel.h"

struct policy_maps {
	int policy_fd;
	int config_fd;
	int labels_fd;
	int counters_fd;
	struct src_maps src;
};

/* Zeroes a slot's counters on every CPU: it counts another range from now on. */
static int zero_slot(int counters_fd, __u32 slot)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct xdpfw_counter *zeros;
	__u32 k;

	if (ncpu < 0)
		return ncpu;
	zeros = calloc(ncpu, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	for (k = slot * XDPFW_REASON_SLOTS; k < (slot + 1) * XDPFW_REASON_SLOTS && !err; k++)
		if (bpf_map_update_elem(counters_fd, &k, zeros, BPF_ANY))
			err = -errno;
	free(zeros);
	return err;
}

/*
 * Counter slots for a policy's open ports (user/slots.c): the labels as
 * they will be, and which slots change hands (reused: they counted another
 * row until the switch).
 */
struct slot_plan {
	struct xdpfw_slot_label labels[XDPFW_POLICY_SLOT_COUNT];
	bool reused[XDPFW_POLICY_SLOT_COUNT];
	bool changed[XDPFW_POLICY_SLOT_COUNT];
};

static int write_label(const struct policy_maps *m, const struct slot_plan *plan, __u32 i)
{
	return bpf_map_update_elem(m->labels_fd, &i, &plan->labels[i], BPF_ANY) ? -errno : 0;
}

/*
 * Fills pol's port -> slot index and the plan; labels of free slots are
 * written now (no live policy counts there yet: a failed or interrupted
 * switch leaves empty rows), those of reused slots after the switch
 * (finish_counters). Also the log budget: what the program needs beyond
 * the policy file.
 */
static int prepare(const struct policy_maps *m, struct policy *pol, __u32 hz, const char *iface,
		   struct slot_plan *plan)
{
	struct xdpfw_slot_label old;
	unsigned int none;
	__u32 i;
	int err = 0;

	policy_log_budget(&pol->bpf, hz, sysconf(_SC_NPROCESSORS_ONLN));
	policy_limit_budget(&pol->bpf, hz);
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		if (bpf_map_lookup_elem(m->labels_fd, &i, &plan->labels[i]))
			return -errno;
	none = slots_assign(pol, plan->labels, plan->reused);
	if (none)
		pr_warn("%s: %u open ports or ranges past the %d counter slots count as \"other\"",
			iface, none, XDPFW_POLICY_SLOT_COUNT);
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT && !err; i++) {
		if (bpf_map_lookup_elem(m->labels_fd, &i, &old))
			return -errno;
		plan->changed[i] = memcmp(&old, &plan->labels[i], sizeof(old));
		if (plan->changed[i] && !plan->reused[i])
			err = write_label(m, plan, i);
	}
	return err;
}

/* After the switch: a reused slot counts its new row from zero, under its new label. */
static int finish_counters(const struct policy_maps *m, const struct slot_plan *plan)
{
	__u32 i;
	int err = 0;

	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT && !err; i++)
		if (plan->reused[i]) {
			err = zero_slot(m->counters_fd, XDPFW_SLOT_FIRST_POLICY + i);
			if (!err)
				err = write_label(m, plan, i);
		}
	return err;
}

/*
 * Writes pol into slot (its lists into the source tries first), then makes
 * it the active one: the config update is the switch.
 */
static int write_slot(const struct policy_maps *m, struct xdpfw_config *cfg, __u32 slot,
		      const struct policy *pol)
{
	__u32 zero = 0;
	int err = src_write_slot(&m->src, slot, pol);

	if (err)
		return err;
	if (bpf_map_update_elem(m->policy_fd, &slot, &pol->bpf, BPF_ANY))
		return -errno;
	fault_point("slot-written");
	cfg->active_slot = slot;
	if (bpf_map_update_elem(m->config_fd, &zero, cfg, BPF_ANY))
		return -errno;
	return 0;
}

/* A slot's policy; with its prefix lists when lists (then policy_free() it). */
static int read_slot(const struct policy_maps *m, __u32 slot, struct policy *pol, bool lists)
{
	int err;

	policy_init(pol);
	if (bpf_map_lookup_elem(m->policy_fd, &slot, &pol->bpf))
		return -errno;
	if (!lists)
		return 0;
	err = src_read_slot(&m->src, slot, pol);
	if (err)
		policy_free(pol);
	return err;
}

static int read_active(const struct policy_maps *m, struct xdpfw_config *cfg, struct policy *pol,
		       bool lists)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->config_fd, &zero, cfg))
		return -errno;
	return read_slot(m, cfg->active_slot, pol, lists);
}


static int open_policy_maps(const char *iface, struct policy_maps *m)
{
	static const enum pin_id ids[] = { PIN_POLICY,	 PIN_CONFIG, PIN_SLOT_LABELS,
					   PIN_COUNTERS, PIN_SRC4,   PIN_SRC6 };
	int *fds[] = { &m->policy_fd,	&m->config_fd, &m->labels_fd,
		       &m->counters_fd, &m->src.fd4,   &m->src.fd6 };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		*fds[i] = pins_open(iface, ids[i]);
		if (*fds[i] < 0) {
			for (j = 0; j < i; j++)
				close(*fds[j]);
			return *fds[i];
		}
	}
	return 0;
}

static void close_policy_maps(struct policy_maps *m)
{
	close(m->policy_fd);
	close(m->config_fd);
	close(m->labels_fd);
	close(m->counters_fd);
	close(m->src.fd4);
	close(m->src.fd6);
}

/* The maps of iface open and its live policy read (lists: see read_slot), or a message. */
static int open_live(const char *iface, struct policy_maps *m, struct xdpfw_config *cfg,
		     struct policy *pol, bool lists)
{
	int err = open_policy_maps(iface, m);

	if (err)
		return err;
	err = read_active(m, cfg, pol, lists);
	if (err) {
		pr_err("%s: cannot read the live policy: %s", iface, strerror(-err));
		close_policy_maps(m);
	}
	return err;
}

/* The ifindex a pinned XDP link is attached to; 0 if detached or unreadable. */
static __u32 link_ifindex(const char *iface, __u32 *prog_id)
{
	struct bpf_link_info info;
	char path[PATH_MAX];
	int fd;

	pins_path(path, iface, XDPFW_PIN_LINK);
	fd = pins_get(path, &info, sizeof(info));
	if (fd < 0)
		return 0;
	close(fd);
	if (prog_id)
		*prog_id = info.prog_id;
	return info.type == BPF_LINK_TYPE_XDP ? info.xdp.ifindex : 0;
}

/* Names what holds the interface: a libxdp dispatcher can take xdpfw beside what it runs. */
static void report_holder(__u32 ifindex, const char *iface)
{
	char holder[256];
	int kind = xdp_holder_name(ifindex, holder, sizeof(holder));

	if (kind == XDP_HOLDER_DISPATCHER)
		pr_err("%s: XDP is held by %s; load with --multiprog to run beside it", iface,
		       holder);
	else if (kind == XDP_HOLDER_PROG)
		pr_err("%s: XDP is held by %s; detach it first", iface, holder);
	else
		pr_err("%s: another XDP program is attached; detach it first", iface);
}

static int attach_xdp(int prog_fd, __u32 ifindex, const char *iface, enum attach_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = mode == ATTACH_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd < 0 && mode == ATTACH_AUTO && fd != -EBUSY && fd != -EEXIST) {
		pr_warn("%s: native XDP attach failed (%s); attaching in skb (generic) mode, "
			"which costs more per packet",
			iface, strerror(-fd));
		opts.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	}
	if (fd == -EBUSY || fd == -EEXIST)
		report_holder(ifindex, iface);
	else if (fd < 0)
		pr_err("%s: cannot attach XDP program in %s mode: %s", iface,
		       opts.flags == XDP_FLAGS_SKB_MODE ? "skb" : "native", strerror(-fd));
	return fd;
}

/*
 * Undoes a load, complete or interrupted: the XDP program goes first (out of
 * libxdp's dispatcher, or its link with the pins), then the tc filter (and
 * the clsact qdisc if load created it); the shared flow table goes with the
 * last interface.
 */
static int teardown(const char *iface)
{
	struct xdpfw_config cfg = {};
	__u32 zero = 0, ifindex = if_nametoindex(iface);
	char path[PATH_MAX];
	int fd, err;

	pins_path(path, iface, pin_defs[PIN_CONFIG].name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &cfg);
		close(fd);
	}
	err = mp_detach(iface, ifindex);
	if (err)
		return err; /* the pins stay: they are how the next unload finds it */
	err = pins_remove(iface);
	if (ifindex)
		tc_detach_egress(ifindex, iface, cfg.own_clsact);
	if (!pins_count_ifaces())
		pins_remove_shared();
	return err;
}

struct xdpfw_bpf *xdpfw_skel_open(__u32 hz)
{
	struct xdpfw_bpf *skel = xdpfw_bpf__open();

	if (skel)
		skel->rodata->kernel_hz = hz;
	return skel;
}

static int open_and_load(struct xdpfw_bpf **skel, const struct policy *pol, __u32 hz,
			 bool multiprog, bool *created)
{
	int err;

	*skel = xdpfw_skel_open(hz);
	if (!*skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = pins_reuse_shared((*skel)->obj, pol->ct_size, created);
	if (err)
		return err;
	/* Multiprog: libxdp loads the XDP program, from another copy of the object (mp_attach). */
	bpf_program__set_autoload((*skel)->progs.xdpfw_xdp, !multiprog);
	err = xdpfw_bpf__load(*skel);
	if (err)
		pr_err("cannot load the BPF programs: %s (-v shows the verifier log)",
		       strerror(-err));
	return err;
}

/*
 * Tracks the host's existing connections before any reply meets the filter;
 * those on the policy's open ports need no flow (their traffic passes the
 * port check) until a reload closes their port.
 */
static int seed_at_load(struct xdpfw_bpf *skel, const struct policy *pol, __u32 hz,
			const char *iface)
{
	struct ct_maps m = {
		.table4_fd = bpf_map__fd(skel->maps.conntrack4),
		.table6_fd = bpf_map__fd(skel->maps.conntrack6),
		.ports_fd = bpf_map__fd(skel->maps.ct_ports),
		.exp_fd = bpf_map__fd(skel->maps.ct_port_exp),
		.stats_fd = bpf_map__fd(skel->maps.ct_stats),
		.services_fd = bpf_map__fd(skel->maps.ct_services),
		.service_next_fd = bpf_map__fd(skel->maps.ct_service_next),
	};
	struct xdpfw_ct_ports closed;
	unsigned int added;
	int err;

	seed_ports_closed(pol, &closed);
	err = seed_flows(&m, pol, hz, &closed, &added);
	if (err)
		pr_err("%s: cannot read the host's connections: %s", iface, strerror(-err));
	return err;
}

/*
 * Refuses a live load (1 instead with replace: the caller reloads); clears
 * what an interrupted load (pins without a link) or a deleted interface (a
 * link the kernel detached) left behind. A live link on another ifindex is a
 * same-named interface in another namespace sharing this bpffs: refused
 * too, never cleared.
 */
static int check_not_loaded(const char *iface, __u32 ifindex, bool replace)
{
	__u32 linked;

	if (!pins_is_iface(iface))
		return 0;
	linked = link_ifindex(iface, NULL) ?: mp_ifindex(iface, NULL);
	if (linked == ifindex && replace)
		return 1;
	if (linked == ifindex) {
		pr_err("%s: already loaded ('xdpfw reload' changes the policy, 'xdpfw unload' "
		       "removes it)",
		       iface);
		return -EEXIST;
	}
	if (linked) {
		pr_err("%s: %s/%s is attached to ifindex %u, not %u (another network namespace?)",
		       iface, XDPFW_PIN_ROOT, iface, linked, ifindex);
		return -EEXIST;
	}
	pr_warn("%s: removing stale pins (an interrupted load, or the interface was deleted)",
		iface);
	return teardown(iface);
}

/*
 * Order matters for crash safety: maps are filled and pinned, the host's
 * connections seeded and the egress filter attached before the XDP link
 * exists; the pinned link is the commit point. A load killed before it
 * leaves no XDP program running (the link dies with the fd), and what it
 * did leave, the next load or unload clears. With --multiprog the pin of
 * the component in libxdp's dispatcher is the commit point instead; killed
 * between libxdp's attach and that pin, the component runs unrecorded, and
 * the next load or unload takes it out of the dispatcher by name.
 */
static int load_locked(const char *iface, __u32 ifindex, struct policy *pol, __u32 hz,
		       enum attach_mode mode, unsigned int flags)
{
	struct xdpfw_config cfg = { .hz = hz, .loaded_at = time(NULL) };
	static struct slot_plan plan;
	struct xdpfw_bpf *skel = NULL;
	struct policy_maps maps;
	int link_fd = -1, err;
	char path[PATH_MAX];
	bool created, own;
	__u32 zero = 0;

	err = open_and_load(&skel, pol, hz, flags & XDPFW_MULTIPROG, &created);
	if (err)
		goto out_destroy;
	maps.policy_fd = bpf_map__fd(skel->maps.policy);
	maps.config_fd = bpf_map__fd(skel->maps.config);
	maps.labels_fd = bpf_map__fd(skel->maps.slot_labels);
	maps.counters_fd = bpf_map__fd(skel->maps.counters);
	maps.src.fd4 = bpf_map__fd(skel->maps.src4);
	maps.src.fd6 = bpf_map__fd(skel->maps.src6);
	err = prepare(&maps, pol, hz, iface, &plan);
	if (!err)
		err = write_slot(&maps, &cfg, 0, pol);
	if (!err)
		err = finish_counters(&maps, &plan);
	if (err) {
		pr_err("%s: cannot write the policy: %s", iface, strerror(-err));
		goto out_destroy;
	}
	pins_path(path, iface, NULL);
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		pr_err("%s: cannot create %s: %s", iface, path, strerror(-err));
		goto out_destroy;
	}
	err = pins_pin_maps(skel->obj, iface, false);
	if (!err && created)
		err = pins_pin_maps(skel->obj, NULL, true);
	if (!err)
		err = seed_at_load(skel, pol, hz, iface);
	if (!err)
		err = tc_attach_egress(bpf_program__fd(skel->progs.xdpfw_egress), ifindex, iface,
				       &own);
	if (err)
		goto out_teardown;
	cfg.own_clsact = own;
	pins_path(path, iface, XDPFW_PIN_TC_PROG);
	if (bpf_map_update_elem(maps.config_fd, &zero, &cfg, BPF_ANY) ||
	    bpf_program__pin(skel->progs.xdpfw_egress, path)) {
		err = -errno;
		pr_err("%s: cannot record the tc program: %s", iface, strerror(-err));
		goto out_teardown;
	}
	fault_point("tc-attached");
	if (flags & XDPFW_MULTIPROG) {
		/* Pins the component: the commit point, as the link's pin below. */
		err = mp_attach(skel, ifindex, iface, mode, MP_RUN_PRIO, NULL);
		if (err)
			goto out_teardown;
		fault_point("link-pinned");
		goto out_destroy;
	}
	link_fd = attach_xdp(bpf_program__fd(skel->progs.xdpfw_xdp), ifindex, iface, mode);
	if (link_fd < 0) {
		err = link_fd;
		goto out_teardown;
	}
	pins_path(path, iface, XDPFW_PIN_LINK);
	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		pr_err("%s: cannot pin %s: %s", iface, path, strerror(-err));
		goto out_teardown;
	}
	fault_point("link-pinned");
	goto out_destroy;

out_teardown:
	teardown(iface);
out_destroy:
	if (link_fd >= 0)
		close(link_fd);
	xdpfw_bpf__destroy(skel);
	return err;
}

int edit_replace(struct policy *live, void *arg)
{
	policy_free(live);
	return policy_copy(live, arg);
}

static int edit_locked(const char *iface, const struct edit_req *req);

int xdpfw_load(const char *iface, const struct policy *in, enum attach_mode mode,
	       unsigned int flags)
{
	struct edit_req replace = { .kind = EDIT_PLAIN, .edit = edit_replace,
				    .arg = (void *)in, .flags = flags };
	static struct policy pol;
	int lock_fd, err;
	__u32 ifindex, hz;

	err = iface_lookup(iface, &ifindex);
	if (err)
		return err;
	if (iface_is_loopback(iface)) {
		pr_err("%s: refusing to filter loopback: its traffic never crosses a physical "
		       "interface, so '-i lo ACCEPT' holds without a filter",
		       iface);
		return -EINVAL;
	}
	err = clock_hz(&hz);
	if (err) {
		pr_err("cannot read the kernel's clock: %s", strerror(-err));
		return err;
	}
	lock_fd = pins_lock();
	if (lock_fd < 0)
		return lock_fd;
	err = pins_check_lasting();
	if (!err)
		err = check_not_loaded(iface, ifindex, flags & XDPFW_REPLACE);
	if (err == 1) {
		err = edit_locked(iface, &replace);
		goto out_unlock;
	}
	if (!err)
		err = policy_copy(&pol, in);
	if (!err)
		err = guard_check(iface, &pol, flags & XDPFW_FORCE);
	if (!err && (flags & XDPFW_MULTIPROG))
		err = mp_check(ifindex, iface, mode);
	if (!err)
		err = load_locked(iface, ifindex, &pol, hz, mode, flags);
	if (!err)
		state_save_last_good(iface, &pol);
	policy_free(&pol);
out_unlock:
	close(lock_fd);
	return err;
}

int xdpfw_unload(const char *iface)
{
	int lock_fd, err;

	lock_fd = pins_lock();
	if (lock_fd < 0)
		return lock_fd;
	if (!pins_is_iface(iface)) {
		pr_err("%s: not loaded", iface);
		err = -ENOENT;
	} else {
		err = teardown(iface);
	}
	close(lock_fd);
	return err;
}

/*
 * A reload that closes ports keeps their open connections, as iptables'
 * ESTABLISHED does: the host's sockets on those ports become flows. They had
 * none while the port was open (the port check passed their traffic).
 */
static int seed_closing(const char *iface, const struct policy *pol, __u32 hz,
			const struct xdpfw_ct_ports *removed)
{
	unsigned int added;
	struct ct_maps m;
	int err = ct_open(&m);

	if (err)
		return err;
	err = seed_flows(&m, pol, hz, removed, &added);
	if (err)
		pr_err("%s: cannot read the host's connections: %s", iface, strerror(-err));
	ct_close(&m);
	return err;
}

/* Seconds until t (unix seconds), 0 when past. */
static long long seconds_until(__u64 t)
{
	long long left = (long long)t - time(NULL);

	return left > 0 ? left : 0;
}

/*
 * While an apply waits for its confirm, the previous policy must stay in the
 * inactive slot for the rollback: only that rollback may change the policy.
 * 1 when req has nothing to do (a rollback of an apply no longer pending).
 */
static int check_pending(const char *iface, const struct xdpfw_config *cfg,
			 const struct edit_req *req)
{
	if (req->kind == EDIT_ROLLBACK)
		return cfg->apply_token && cfg->apply_token == req->token ? 0 : 1;
	if (!cfg->apply_token)
		return 0;
	/* A few seconds' grace: the rollback may be waiting for this command's lock. */
	if (seconds_until(cfg->apply_deadline + 5))
		pr_err("%s: an apply waits for 'xdpfw confirm %s' (it rolls back in %lld s); "
		       "confirm it or let it roll back first",
		       iface, iface, seconds_until(cfg->apply_deadline));
	else /* killed with its cgroup, say: a service's leftover processes are */
		pr_err("%s: an apply was not confirmed and its rollback did not come (the "
		       "rollback process is gone); 'xdpfw confirm %s' keeps the applied policy",
		       iface, iface);
	return -EBUSY;
}

/* The new policy of req, and the guard's verdict on it. */
static int next_policy(const char *iface, const struct policy_maps *m,
		       const struct xdpfw_config *cfg, const struct edit_req *req,
		       struct policy *pol)
{
	__u32 prev = !cfg->active_slot;
	int err;

	if (req->kind == EDIT_ROLLBACK) {
		policy_free(pol);
		return read_slot(m, prev, pol, true);
	}
	err = req->edit(pol, req->arg);
	if (!err)
		err = guard_check(iface, pol, req->flags & XDPFW_FORCE);
	return err;
}

/*
 * Reads the live policy, makes the next one, writes it to the inactive slot
 * and flips; the apply's token and deadline go live with the flip (the same
 * config update), so a rollback never undoes a policy it did not follow.
 */
static int edit_locked(const char *iface, const struct edit_req *req)
{
	static struct policy pol, old; /* 150 KiB each: not on the stack */
	static struct slot_plan plan;
	struct xdpfw_ct_ports removed;
	struct policy_maps maps;
	struct xdpfw_config cfg;
	bool closing;
	int err;

	err = open_live(iface, &maps, &cfg, &pol, true);
	if (err)
		return err;
	err = check_pending(iface, &cfg, req);
	if (err)
		goto out_free;
	old.bpf = pol.bpf; /* the ports, to see which close */
	err = next_policy(iface, &maps, &cfg, req, &pol);
	if (err)
		goto out_free;
	closing = seed_ports_removed(&old, &pol, &removed);
	if (closing) {
		err = seed_closing(iface, &pol, cfg.hz, &removed);
		if (err)
			goto out_free;
	}
	cfg.apply_token = req->kind == EDIT_APPLY ? req->token : 0;
	cfg.apply_deadline = req->kind == EDIT_APPLY ? req->deadline : 0;
	/* The inactive slot is invisible until the config update flips to it. */
	err = prepare(&maps, &pol, cfg.hz, iface, &plan);
	if (!err)
		err = write_slot(&maps, &cfg, !cfg.active_slot, &pol);
	if (err) {
		pr_err("%s: cannot write the policy: %s", iface, strerror(-err));
		goto out_free;
	}
	if (finish_counters(&maps, &plan))
		pr_warn("%s: the new policy is live; the counters of its new ports may show "
			"another port's earlier traffic",
			iface);
	else if (closing && seed_closing(iface, &pol, cfg.hz, &removed)) /* accepted meanwhile */
		pr_warn("%s: the new policy is live; connections accepted during the switch to "
			"closed ports may be cut",
			iface);
	if (req->kind != EDIT_APPLY)
		state_save_last_good(iface, &pol);
	err = req->kind == EDIT_ROLLBACK;
out_free:
	policy_free(&pol);
	close_policy_maps(&maps);
	return err;
}

int xdpfw_edit(const char *iface, const struct edit_req *req)
{
	int lock_fd = pins_lock(), err;

	if (lock_fd < 0)
		return lock_fd;
	err = edit_locked(iface, req);
	close(lock_fd);
	return err;
}

int xdpfw_edit_policy(const char *iface, policy_edit_fn edit, void *arg, unsigned int flags)
{
	struct edit_req req = { .kind = EDIT_PLAIN, .edit = edit, .arg = arg, .flags = flags };

	return xdpfw_edit(iface, &req);
}

int xdpfw_confirm(const char *iface)
{
	static struct policy pol;
	struct policy_maps maps;
	struct xdpfw_config cfg;
	int lock_fd, err;
	__u32 zero = 0;

	lock_fd = pins_lock();
	if (lock_fd < 0)
		return lock_fd;
	err = open_live(iface, &maps, &cfg, &pol, true);
	if (err)
		goto out_unlock;
	if (!cfg.apply_token) {
		pr_err("%s: no apply is waiting for a confirm", iface);
		err = -ENOENT;
		goto out_close;
	}
	cfg.apply_token = 0;
	cfg.apply_deadline = 0;
	if (bpf_map_update_elem(maps.config_fd, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		pr_err("%s: cannot confirm: %s", iface, strerror(-err));
		goto out_close;
	}
	state_save_last_good(iface, &pol);
out_close:
	policy_free(&pol);
	close_policy_maps(&maps);
out_unlock:
	close(lock_fd);
	return err;
}

int xdpfw_block(const char *iface, const struct prefix_list *l, bool add)
{
	struct policy_maps maps;
	struct xdpfw_config cfg;
	int lock_fd, err;
	__u32 zero = 0, count;

	lock_fd = pins_lock();
	if (lock_fd < 0)
		return lock_fd;
	err = open_policy_maps(iface, &maps);
	if (err)
		goto out_unlock;
	/* The count tells the program to look sources up: it goes up after the prefixes go in. */
	err = src_block(&maps.src, l, add, &count);
	if (!err && bpf_map_lookup_elem(maps.config_fd, &zero, &cfg))
		err = -errno;
	if (!err && cfg.blocks != count) {
		cfg.blocks = count;
		if (bpf_map_update_elem(maps.config_fd, &zero, &cfg, BPF_ANY))
			err = -errno;
	}
	if (err)
		pr_err("%s: cannot change the blocklist: %s", iface, strerror(-err));
	close_policy_maps(&maps);
out_unlock:
	close(lock_fd);
	return err;
}

int xdpfw_block_list(const char *iface, struct prefix_list *out)
{
	struct policy_maps maps;
	int err = open_policy_maps(iface, &maps);

	if (err)
		return err;
	err = src_block_list(&maps.src, out);
	if (err)
		pr_err("%s: cannot read the blocklist: %s", iface, strerror(-err));
	close_policy_maps(&maps);
	return err;
}

int xdpfw_read_config(const char *iface, struct xdpfw_config *cfg)
{
	int fd = pins_open(iface, PIN_CONFIG), err = 0;
	__u32 zero = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, cfg)) {
		err = -errno;
		pr_err("%s: cannot read the config: %s", iface, strerror(-err));
	}
	close(fd);
	return err;
}

int xdpfw_read_live(const char *iface, struct policy *pol, struct xdpfw_config *cfg)
{
	struct xdpfw_config c;
	struct policy_maps maps;
	int err = open_live(iface, &maps, cfg ? cfg : &c, pol, false);

	if (!err)
		close_policy_maps(&maps);
	return err;
}

static const char *attach_mode_name(__u32 ifindex, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) || q.prog_id != prog_id)
		return "unknown";
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "skb";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "unknown";
	}
}

static int cmp_status(const void *a, const void *b)
{
	return strcmp(((const struct iface_status *)a)->name,
		      ((const struct iface_status *)b)->name);
}

int xdpfw_status(struct iface_status **out, size_t *n)
{
	struct iface_status *st = NULL, *tmp;
	struct xdpfw_config cfg;
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int err;

	*n = 0;
	err = pins_prepare();
	if (err)
		return err;
	dir = opendir(XDPFW_PIN_ROOT);
	if (!dir) {
		err = -errno;
		pr_err("cannot open %s: %s", XDPFW_PIN_ROOT, strerror(-err));
		return err;
	}
	while ((de = readdir(dir))) {
		if (!pins_is_iface(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(st, cap * sizeof(*st));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			st = tmp;
		}
		tmp = &st[(*n)++];
		memset(tmp, 0, sizeof(*tmp));
		strcpy(tmp->name, de->d_name);
		tmp->ifindex = link_ifindex(tmp->name, &tmp->prog_id);
		tmp->mode = tmp->ifindex ? attach_mode_name(tmp->ifindex, tmp->prog_id) : "detached";
		if (!tmp->ifindex && (tmp->ifindex = mp_ifindex(tmp->name, &tmp->prog_id)))
			tmp->mode = "multiprog";
		memset(&cfg, 0, sizeof(cfg));
		tmp->err = xdpfw_read_live(tmp->name, &tmp->pol, &cfg);
		tmp->apply_deadline = cfg.apply_token ? cfg.apply_deadline : 0;
	}
	closedir(dir);
	if (err) {
		free(st);
		*n = 0;
		return err;
	}
	if (*n)
		qsort(st, *n, sizeof(*st), cmp_status);
	*out = st;
	return 0;
}
