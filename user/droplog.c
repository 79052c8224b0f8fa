// SPDX-License-Identifier: GPL-2.0
/*
 * `xdpfw log`: one libbpf ring_buffer over the drop logs of the interfaces,
 * each ring with its interface as context. There is one reader a ring: two
 * `xdpfw log` at once share the records between them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "droplog.h"
#include "output.h"
#include "pins.h"
#include "stats.h"
#include "util.h"

struct ring_ctx {
	struct droplog_summary *sum;
	const struct droplog_opts *o;
	__u64 start_ns;	 /* CLOCK_MONOTONIC at the start: older records are stale */
	__s64 wall_off;	 /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	__u64 *printed;	 /* over every interface, for --count */
};

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct ring_ctx *c = ctx;
	const struct xdpfw_log_record *r = data;

	if (len < sizeof(*r) || r->ktime < c->start_ns)
		return 0;
	if (c->o->count && *c->printed >= c->o->count)
		return 0;
	output_log_record(c->sum->iface, r, r->ktime + c->wall_off, c->o->json, c->o->out);
	c->sum->records++;
	(*c->printed)++;
	return 0;
}

static bool done(const struct droplog_opts *o, __u64 printed, __u64 start_ns)
{
	if (o->stop && *o->stop)
		return true;
	if (o->count && printed >= o->count)
		return true;
	return o->seconds > 0 && clock_ns(CLOCK_MONOTONIC) - start_ns >= o->seconds * 1e9;
}

/* The log counters at the end minus those at the start: what the run could not show. */
static int finish(struct droplog_summary *sum, size_t n, const __u64 (*before)[XDPFW_LOG_COUNTER_MAX])
{
	__u64 now[XDPFW_LOG_COUNTER_MAX];
	size_t i;
	int c, err;

	for (i = 0; i < n; i++) {
		err = stats_read_log(sum[i].iface, now);
		if (err)
			return err;
		for (c = 0; c < XDPFW_LOG_COUNTER_MAX; c++)
			sum[i].log[c] = now[c] > before[i][c] ? now[c] - before[i][c] : 0;
	}
	return 0;
}

static int follow(struct ring_buffer *rb, struct ring_ctx *ctx, const struct droplog_opts *o)
{
	int ret = 0;

	while (!done(o, *ctx[0].printed, ctx[0].start_ns)) {
		ret = ring_buffer__poll(rb, 100);
		if (ret == -EINTR)
			ret = 0;
		else if (ret < 0)
			return ret;
	}
	/* What came before the stop and is still in the rings (--count still holds). */
	ret = ring_buffer__consume(rb);
	return ret < 0 ? ret : 0;
}

/*
 * An interface's ring, added to *rb (created by the first), its counters as
 * they are now. Says what failed: a missing pin in pins_open's words.
 */
static int add_ring(struct ring_buffer **rb, struct ring_ctx *ctx, int *fd, const char *iface,
		    __u64 before[XDPFW_LOG_COUNTER_MAX])
{
	int err;

	*fd = pins_open(iface, PIN_DROP_LOG);
	if (*fd < 0)
		return *fd;
	err = stats_read_log(iface, before);
	if (!err && *rb)
		err = ring_buffer__add(*rb, *fd, on_record, ctx);
	else if (!err)
		err = (*rb = ring_buffer__new(*fd, on_record, ctx, NULL)) ? 0 : -errno;
	if (err)
		pr_err("%s: cannot read the drop log: %s", iface, strerror(-err));
	return err;
}

int droplog_follow(const char *const *ifaces, size_t n, const struct droplog_opts *o)
{
	__u64 (*before)[XDPFW_LOG_COUNTER_MAX] = calloc(n, sizeof(*before));
	struct droplog_summary *sum = calloc(n, sizeof(*sum));
	struct ring_ctx *ctx = calloc(n, sizeof(*ctx));
	int *fds = calloc(n, sizeof(*fds)), err = 0;
	struct ring_buffer *rb = NULL;
	__u64 printed = 0, start;
	size_t i;

	if (!before || !sum || !ctx || !fds) {
		pr_err("cannot read the drop log: %s", strerror(ENOMEM));
		err = -ENOMEM;
		n = 0; /* no fd to close */
		goto out;
	}
	start = clock_ns(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++) {
		fds[i] = -1;
		snprintf(sum[i].iface, sizeof(sum[i].iface), "%s", ifaces[i]);
		ctx[i] = (struct ring_ctx){ .sum = &sum[i], .o = o, .printed = &printed,
					    .start_ns = start,
					    .wall_off = clock_ns(CLOCK_REALTIME) - start };
	}
	for (i = 0; i < n && !err; i++)
		err = add_ring(&rb, &ctx[i], &fds[i], ifaces[i], before[i]);
	if (err)
		goto out; /* said */
	err = follow(rb, ctx, o);
	if (!err)
		err = finish(sum, n, before);
	if (!err)
		output_log_summary(sum, n, o->json, o->out);
	else
		pr_err("cannot read the drop log: %s", strerror(-err));
out:
	ring_buffer__free(rb);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(ctx);
	free(sum);
	free(before);
	return err;
}
