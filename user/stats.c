// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"
#include "pins.h"
#include "stats.h"
#include "util.h"

#define XDPFW_REASON_NAME(id, name) [XDPFW_REASON_##id] = name,
static const char *const reason_names[XDPFW_REASON_MAX] = { XDPFW_REASONS(XDPFW_REASON_NAME) };
#undef XDPFW_REASON_NAME

const char *reason_name(enum xdpfw_reason r)
{
	return r < XDPFW_REASON_MAX ? reason_names[r] : "?";
}

const char *log_counter_name(enum xdpfw_log_counter c)
{
	static const char *const names[XDPFW_LOG_COUNTER_MAX] = { "sent", "suppressed", "lost" };

	return c < XDPFW_LOG_COUNTER_MAX ? names[c] : "?";
}

const char *row_kind_name(enum row_kind k)
{
	static const char *const names[] = { "policy", "service", "bucket", "other" };

	return k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *dir_name(__u8 dir)
{
	return dir == XDPFW_DIR_IN ? "in" : dir == XDPFW_DIR_OUT ? "out" : "?";
}

/* Rows with the same key are one row: a port counted as a policy port and as a service. */
static int cmp_key(const void *pa, const void *pb)
{
	const struct stats_row *a = pa, *b = pb;
	int c = (a->kind == ROW_OTHER) - (b->kind == ROW_OTHER);

	if (!c)
		c = (int)a->dir - (int)b->dir;
	if (!c)
		c = (int)a->proto - (int)b->proto;
	if (!c)
		c = (int)a->lo - (int)b->lo;
	if (!c)
		c = (int)a->hi - (int)b->hi;
	return c;
}

static void add_counter(struct xdpfw_counter *to, const struct xdpfw_counter *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
}

static bool row_empty(const struct stats_row *r)
{
	return !r->passed.packets && !r->dropped.packets;
}

int stats_add_row(struct stats *st, const struct stats_row *r)
{
	struct stats_row *tmp;

	if (st->n_rows == st->cap_rows) {
		tmp = realloc(st->rows, (st->cap_rows * 2 + 32) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		st->rows = tmp;
		st->cap_rows = st->cap_rows * 2 + 32;
	}
	st->rows[st->n_rows++] = *r;
	return 0;
}

/*
 * One row a key, without empty ones, busiest first. Sorted then merged: at
 * 128 CPUs the closed-port buckets alone give 32k rows to fold.
 */
void stats_merge(struct stats *st)
{
	struct stats_row *out = st->rows, *r;
	size_t i, n = 0;

	if (st->n_rows)
		qsort(st->rows, st->n_rows, sizeof(*st->rows), cmp_key);
	for (i = 0; i < st->n_rows; i++) {
		r = &st->rows[i];
		if (n && !cmp_key(&out[n - 1], r)) {
			add_counter(&out[n - 1].passed, &r->passed);
			add_counter(&out[n - 1].dropped, &r->dropped);
			if (r->kind < out[n - 1].kind)
				out[n - 1].kind = r->kind;
		} else {
			out[n++] = *r;
		}
	}
	for (i = st->n_rows = 0; i < n; i++)
		if (!row_empty(&out[i]))
			st->rows[st->n_rows++] = out[i];
	stats_sort(st);
}

/* Per-CPU values of a map, summed field by field per key. */
struct percpu_read {
	__u64 *sums; /* [max_entries][fields] */
	size_t fields;
	int ncpu;
};

static int sum_batch(const void *k, const void *v, __u32 n, void *arg)
{
	const struct percpu_read *r = arg;
	const __u32 *keys = k;
	__u32 i;

	for (i = 0; i < n; i++)
		percpu_sum((const __u64 *)v + (size_t)i * r->ncpu * r->fields, r->ncpu, r->fields,
			   r->sums + (size_t)keys[i] * r->fields);
	return 0;
}

/* Every slot x reason counter, summed over CPUs. */
static int read_counters(int fd, struct xdpfw_counter *sums)
{
	struct percpu_read r = { (__u64 *)sums, U64_FIELDS(*sums), libbpf_num_possible_cpus() };

	if (r.ncpu < 0)
		return r.ncpu;
	return map_batch_each(fd, sizeof(__u32), sizeof(*sums) * r.ncpu, false, sum_batch, &r);
}

/* The closed-port buckets being read: what they hold, which their catch-all slot counted too. */
struct closed_read {
	struct stats *st;
	struct stats_row *closed; /* [XDPFW_L4_MAX] */
	int ncpu;
};

/* A batch of buckets: each CPU's copy holds the port that took it there. */
static int closed_batch(const void *k, const void *vals, __u32 n, void *arg)
{
	const struct xdpfw_closed_port *v = vals;
	const struct closed_read *cr = arg;
	struct stats_row row;
	__u32 i, key, l4;
	int c, err = 0;

	for (i = 0; i < n && !err; i++) {
		for (c = 0; c < cr->ncpu && !err; c++, v++) {
			if (!v->key)
				continue;
			key = v->key - 1;
			l4 = (key >> 16) & XDPFW_L4_MASK;
			row = (struct stats_row){ .kind = ROW_BUCKET, .dir = XDPFW_DIR_IN,
						  .proto = l4 == XDPFW_L4_TCP ? IPPROTO_TCP
									      : IPPROTO_UDP,
						  .lo = key & 0xffff, .hi = key & 0xffff,
						  .passed = v->passed, .dropped = v->dropped };
			add_counter(&cr->closed[l4].passed, &row.passed);
			add_counter(&cr->closed[l4].dropped, &row.dropped);
			err = stats_add_row(cr->st, &row);
		}
	}
	return err;
}

static int read_closed(int fd, struct stats *st, struct stats_row closed[XDPFW_L4_MAX])
{
	struct closed_read cr = { st, closed, libbpf_num_possible_cpus() };

	if (cr.ncpu < 0)
		return cr.ncpu;
	return map_batch_each(fd, sizeof(__u32), sizeof(struct xdpfw_closed_port) * cr.ncpu, false,
			      closed_batch, &cr);
}

/* The labels of the slots: policy slots from the interface, service slots shared. */
static int read_labels(int labels_fd, int services_fd, struct xdpfw_slot_label *out)
{
	struct xdpfw_service key, next;
	void *prev = NULL;
	__u32 i, slot;

	memset(out, 0, XDPFW_SLOTS * sizeof(*out));
	for (i = 0; i < XDPFW_POLICY_SLOT_COUNT; i++)
		if (bpf_map_lookup_elem(labels_fd, &i, &out[XDPFW_SLOT_FIRST_POLICY + i]))
			return -errno;
	while (!bpf_map_get_next_key(services_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(services_fd, &key, &slot) || slot >= XDPFW_SLOTS)
			continue; /* deleted meanwhile, or not ours */
		out[slot] = (struct xdpfw_slot_label){ .dir = key.dir, .proto = key.proto,
						       .lo = ntohs(key.port), .hi = ntohs(key.port) };
	}
	return 0;
}

/* a - b, never below zero: a reset between two readings is a fresh start. d may be a. */
static void sub_counter(struct xdpfw_counter *d, const struct xdpfw_counter *a,
			const struct xdpfw_counter *b)
{
	d->packets = a->packets > b->packets ? a->packets - b->packets : 0;
	d->bytes = a->bytes > b->bytes ? a->bytes - b->bytes : 0;
}

/* A slot's row: a labelled slot as itself; a catch-all as what no other row holds. */
static int slot_row(struct stats *st, __u32 slot, const struct xdpfw_slot_label *l,
		    const struct xdpfw_counter *c, const struct stats_row closed[XDPFW_L4_MAX])
{
	struct stats_row row = { .kind = slot < XDPFW_SLOT_FIRST_SERVICE ? ROW_POLICY : ROW_SERVICE,
				 .dir = l->dir, .proto = l->proto, .lo = l->lo, .hi = l->hi };
	__u32 r, l4;

	for (r = 0; r < XDPFW_REASON_MAX; r++)
		add_counter(r < XDPFW_REASON_FIRST_DROP ? &row.passed : &row.dropped, &c[r]);
	if (row_empty(&row))
		return 0;
	if (slot == XDPFW_SLOT_OTHER_TCP || slot == XDPFW_SLOT_OTHER_UDP) {
		l4 = slot - XDPFW_SLOT_OTHER_TCP;
		row = (struct stats_row){ .kind = ROW_OTHER, .dir = XDPFW_DIR_IN,
					  .proto = l4 == XDPFW_L4_TCP ? IPPROTO_TCP : IPPROTO_UDP,
					  .passed = row.passed, .dropped = row.dropped };
		sub_counter(&row.passed, &row.passed, &closed[l4].passed);
		sub_counter(&row.dropped, &row.dropped, &closed[l4].dropped);
	} else if (slot == XDPFW_SLOT_OTHER_OUT || !l->dir) {
		/* Past the last service slot, or a slot whose label is gone: unattributed. */
		row = (struct stats_row){ .kind = ROW_OTHER, .dir = XDPFW_DIR_OUT,
					  .passed = row.passed, .dropped = row.dropped };
	}
	return stats_add_row(st, &row);
}

static int rows_from(struct stats *st, const struct xdpfw_counter *sums,
		     const struct xdpfw_slot_label *labels,
		     const struct stats_row closed[XDPFW_L4_MAX])
{
	__u32 slot, r;
	int err = 0;

	for (slot = 0; slot < XDPFW_SLOTS; slot++)
		for (r = 0; r < XDPFW_REASON_MAX; r++) {
			add_counter(&st->reasons[r], &sums[slot * XDPFW_REASON_SLOTS + r]);
			add_counter(r < XDPFW_REASON_FIRST_DROP ? &st->passed : &st->dropped,
				    &sums[slot * XDPFW_REASON_SLOTS + r]);
		}
	for (slot = XDPFW_SLOT_OTHER_TCP; slot < XDPFW_SLOTS && !err; slot++)
		err = slot_row(st, slot, &labels[slot], &sums[slot * XDPFW_REASON_SLOTS], closed);
	return err;
}

static int read_log(int fd, __u64 log[XDPFW_LOG_COUNTER_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct xdpfw_log_state *v;
	__u32 zero = 0, i;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return -errno;
	}
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < XDPFW_LOG_COUNTER_MAX; i++)
			log[i] += v[c].counter[i];
	free(v);
	return 0;
}

int stats_read_log(const char *iface, __u64 log[XDPFW_LOG_COUNTER_MAX])
{
	int fd = pins_open(iface, PIN_LOG_STATE), err;

	if (fd < 0)
		return fd;
	memset(log, 0, XDPFW_LOG_COUNTER_MAX * sizeof(*log));
	err = read_log(fd, log);
	close(fd);
	return err;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The interface's maps, in this order: the opener names what is missing. */
static const enum pin_id stats_maps[] = { PIN_CONFIG, PIN_COUNTERS, PIN_CLOSED_PORTS,
					  PIN_SLOT_LABELS, PIN_LOG_STATE, PIN_CT_SERVICES };
enum { M_CONFIG, M_COUNTERS, M_CLOSED, M_LABELS, M_LOG, M_SERVICES, M_MAX };

static int open_maps(const char *iface, int fds[M_MAX])
{
	int i, j;

	for (i = 0; i < M_MAX; i++) {
		fds[i] = pins_open(iface, stats_maps[i]);
		if (fds[i] < 0) {
			for (j = 0; j < i; j++)
				close(fds[j]);
			return fds[i];
		}
	}
	return 0;
}

static void close_maps(int fds[M_MAX])
{
	int i;

	for (i = 0; i < M_MAX; i++)
		close(fds[i]);
}

static int read_all(const int fds[M_MAX], struct stats *st)
{
	static struct xdpfw_counter sums[XDPFW_COUNTERS];
	static struct xdpfw_slot_label labels[XDPFW_SLOTS];
	struct stats_row closed[XDPFW_L4_MAX] = {};
	struct ct_maps m;
	__u32 zero = 0;
	int err;

	memset(sums, 0, sizeof(sums));
	st->taken_ns = mono_ns();
	if (bpf_map_lookup_elem(fds[M_CONFIG], &zero, &st->cfg))
		return -errno;
	err = read_counters(fds[M_COUNTERS], sums);
	if (!err)
		err = read_labels(fds[M_LABELS], fds[M_SERVICES], labels);
	if (!err)
		err = read_closed(fds[M_CLOSED], st, closed);
	if (!err)
		err = rows_from(st, sums, labels, closed);
	if (!err)
		err = read_log(fds[M_LOG], st->log);
	if (err)
		return err;
	err = ct_open(&m);
	if (err)
		return err;
	err = ct_read_counters(&m, &st->ct);
	ct_close(&m);
	return err;
}

int stats_read(const char *iface, struct stats *st)
{
	int fds[M_MAX], err;

	memset(st, 0, sizeof(*st));
	snprintf(st->iface, sizeof(st->iface), "%s", iface);
	err = open_maps(iface, fds);
	if (err)
		return err;
	err = read_all(fds, st);
	close_maps(fds);
	if (err) {
		pr_err("%s: cannot read counters: %s", iface, strerror(-err));
		stats_free(st);
		return err;
	}
	stats_merge(st);
	return 0;
}

/* Writes zeros over every entry of a per-CPU map of value_size bytes per CPU. */
static int zero_percpu(int fd, __u32 entries, size_t value_size)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	void *zeros;
	__u32 k;

	if (ncpu < 0)
		return ncpu;
	zeros = calloc(ncpu, value_size);
	if (!zeros)
		return -ENOMEM;
	for (k = 0; k < entries && !err; k++)
		if (bpf_map_update_elem(fd, &k, zeros, BPF_ANY))
			err = -errno;
	free(zeros);
	return err;
}

int stats_reset(const char *iface)
{
	int fds[M_MAX], lock_fd, err;
	struct xdpfw_config cfg;
	__u32 zero = 0;

	/* The config map is the loader's too: one writer at a time. */
	lock_fd = pins_lock();
	if (lock_fd < 0)
		return lock_fd;
	err = open_maps(iface, fds);
	if (err)
		goto out_unlock;
	err = zero_percpu(fds[M_COUNTERS], XDPFW_COUNTERS, sizeof(struct xdpfw_counter));
	if (!err)
		err = zero_percpu(fds[M_CLOSED], XDPFW_CLOSED_BUCKETS,
				  sizeof(struct xdpfw_closed_port));
	if (!err)
		err = zero_percpu(fds[M_LOG], 1, sizeof(struct xdpfw_log_state));
	if (!err && bpf_map_lookup_elem(fds[M_CONFIG], &zero, &cfg))
		err = -errno;
	if (!err) {
		cfg.reset_at = time(NULL);
		if (bpf_map_update_elem(fds[M_CONFIG], &zero, &cfg, BPF_ANY))
			err = -errno;
	}
	if (err)
		pr_err("%s: cannot reset the counters: %s", iface, strerror(-err));
	close_maps(fds);
out_unlock:
	close(lock_fd);
	return err;
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct stats_row *a = pa, *b = pb;
	int c;

	c = cmp_u64_desc(a->passed.packets + a->dropped.packets,
			 b->passed.packets + b->dropped.packets);
	if (!c)
		c = cmp_u64_desc(a->passed.bytes + a->dropped.bytes,
				 b->passed.bytes + b->dropped.bytes);
	if (!c)
		c = (int)a->kind - (int)b->kind;
	if (!c)
		c = (int)a->dir - (int)b->dir;
	if (!c)
		c = (int)a->proto - (int)b->proto;
	if (!c)
		c = (int)a->lo - (int)b->lo;
	return c;
}

void stats_sort(struct stats *st)
{
	if (st->n_rows)
		qsort(st->rows, st->n_rows, sizeof(*st->rows), cmp_rows);
}

int stats_delta(const struct stats *from, const struct stats *to, struct stats *d)
{
	struct stats_row *before = NULL, *f, row;
	size_t i;
	int r, err = 0;

	memset(d, 0, sizeof(*d));
	memcpy(d->iface, to->iface, sizeof(d->iface));
	d->cfg = to->cfg;
	d->taken_ns = to->taken_ns;
	d->secs = to->taken_ns > from->taken_ns ? (to->taken_ns - from->taken_ns) / 1e9 : 0;
	for (r = 0; r < XDPFW_REASON_MAX; r++)
		sub_counter(&d->reasons[r], &to->reasons[r], &from->reasons[r]);
	sub_counter(&d->passed, &to->passed, &from->passed);
	sub_counter(&d->dropped, &to->dropped, &from->dropped);
	for (i = 0; i < XDPFW_LOG_COUNTER_MAX; i++)
		d->log[i] = to->log[i] > from->log[i] ? to->log[i] - from->log[i] : 0;
	d->ct = to->ct;
	if (from->n_rows) {
		before = malloc(from->n_rows * sizeof(*before));
		if (!before)
			return -ENOMEM;
		memcpy(before, from->rows, from->n_rows * sizeof(*before));
		qsort(before, from->n_rows, sizeof(*before), cmp_key);
	}
	for (i = 0; i < to->n_rows && !err; i++) {
		row = to->rows[i];
		f = before ? bsearch(&row, before, from->n_rows, sizeof(*before), cmp_key) : NULL;
		if (f) {
			sub_counter(&row.passed, &to->rows[i].passed, &f->passed);
			sub_counter(&row.dropped, &to->rows[i].dropped, &f->dropped);
		}
		if (!row_empty(&row))
			err = stats_add_row(d, &row);
	}
	free(before);
	if (err)
		stats_free(d);
	else
		stats_sort(d);
	return err;
}

void stats_free(struct stats *st)
{
	free(st->rows);
	st->rows = NULL;
	st->n_rows = st->cap_rows = 0;
}
