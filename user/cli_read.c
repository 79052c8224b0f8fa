// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs that read a loaded filter: stats (once, or rates on a fixed
 * beat), the drop log, suggestions, the flow table.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "conntrack.h"
#include "droplog.h"
#include "loader.h"
#include "output.h"
#include "stats.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = 1;
}

/* SIGINT and SIGTERM end a --interval or log run cleanly, with its last output. */
static void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * The interfaces a read verb covers: the one named (whether loaded or not:
 * reading it says), else every loaded one. free() *info.
 */
static int pick_ifaces(const struct args *a, struct iface_status **info, size_t *n)
{
	size_t i;

	if (xdpfw_status(info, n))
		return -1;
	if (!a->n_pos)
		return 0;
	for (i = 0; i < *n && strcmp((*info)[i].name, a->pos[0]); i++)
		;
	if (i < *n) {
		memmove(*info, &(*info)[i], sizeof(**info));
	} else {
		free(*info);
		*info = calloc(1, sizeof(**info));
		if (!*info)
			return -1;
		snprintf((*info)->name, sizeof((*info)->name), "%s", a->pos[0]);
		(*info)->mode = "?";
	}
	*n = 1;
	return 0;
}

static void free_stats(struct stats *st, size_t n)
{
	size_t i;

	for (i = 0; st && i < n; i++)
		stats_free(&st[i]);
	free(st);
}

/* A reading of every interface in info: NULL after a message when one fails. */
static struct stats *read_stats(const struct iface_status *info, size_t n)
{
	struct stats *st = calloc(n ? n : 1, sizeof(*st));
	size_t i;

	for (i = 0; st && i < n; i++) {
		if (stats_read(info[i].name, &st[i])) {
			free_stats(st, i);
			return NULL;
		}
	}
	return st;
}

static void print_stats(const struct stats *st, const struct iface_status *info, size_t n,
			const struct args *a, FILE *out)
{
	struct stats_view v = { .top = a->top, .one = a->n_pos, .lines = a->interval > 0 };

	if (a->prometheus)
		output_stats_prometheus(st, info, n, out);
	else if (json_output)
		output_stats_json(st, n, &v, out);
	else
		output_stats_table(st, n, &v, out);
	fflush(out);
}

/* --output FILE: the whole output or the file as it was. */
static int print_stats_to(const struct stats *st, const struct iface_status *info, size_t n,
			  const struct args *a)
{
	struct atomic_file f;

	if (!a->output) {
		print_stats(st, info, n, a, stdout);
		return 0;
	}
	if (atomic_open(&f, a->output))
		return -1;
	print_stats(st, info, n, a, f.f);
	return atomic_commit(&f);
}

static void sleep_until(struct timespec *at, double secs)
{
	long long ns = at->tv_nsec + (long long)(secs * 1e9);

	at->tv_sec += ns / 1000000000;
	at->tv_nsec = ns % 1000000000;
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, at, NULL) == EINTR)
		;
}

/* --interval: a sample of rates every interval, on a fixed beat, --count times or until a signal. */
static int stats_every(const struct args *a, const struct iface_status *info, size_t n)
{
	struct stats *prev, *cur = NULL, *d;
	struct timespec at;
	unsigned long k;
	size_t i;
	int err = 0;

	prev = read_stats(info, n);
	if (!prev)
		return EXIT_FAIL;
	d = calloc(n, sizeof(*d));
	clock_gettime(CLOCK_MONOTONIC, &at);
	for (k = 0; d && !err && (!a->count || k < a->count); k++) {
		sleep_until(&at, a->interval);
		if (stop)
			break;
		cur = read_stats(info, n);
		if (!cur) {
			err = -EIO;
			break;
		}
		for (i = 0; i < n && !err; i++)
			err = stats_delta(&prev[i], &cur[i], &d[i]);
		if (!err)
			print_stats(d, info, n, a, stdout);
		for (i = 0; i < n; i++)
			stats_free(&d[i]);
		free_stats(prev, n);
		prev = cur;
	}
	free(d);
	free_stats(prev, n);
	return d && !err ? EXIT_OK : EXIT_FAIL;
}

int do_stats(const struct args *a)
{
	struct iface_status *info = NULL;
	struct stats *st;
	int ret = EXIT_OK;
	size_t n, i;

	if (pick_ifaces(a, &info, &n))
		return EXIT_FAIL;
	if (a->interval > 0) {
		if (!n) {
			pr_err("stats: xdpfw is not loaded on any interface");
			ret = EXIT_FAIL;
		} else {
			catch_stop();
			ret = stats_every(a, info, n);
		}
		free(info);
		return ret;
	}
	st = read_stats(info, n);
	if (!st) {
		free(info);
		return EXIT_FAIL;
	}
	if (print_stats_to(st, info, n, a))
		ret = EXIT_FAIL;
	/* Printed, then zeroed: what came in between is lost, as with nft's reset. */
	for (i = 0; a->reset && i < n; i++)
		if (stats_reset(info[i].name))
			ret = EXIT_FAIL;
	free_stats(st, n);
	free(info);
	return ret;
}

/* log [IFACE]: every loaded interface's drop log when none is named. */
int do_log(const struct args *a)
{
	struct droplog_opts o = { .json = json_output, .count = a->count, .seconds = a->seconds,
				  .stop = &stop, .out = stdout };
	struct iface_status *info = NULL;
	const char **names;
	size_t n, i;
	int err;

	if (pick_ifaces(a, &info, &n))
		return EXIT_FAIL;
	if (!n) {
		pr_err("log: xdpfw is not loaded on any interface");
		free(info);
		return EXIT_FAIL;
	}
	names = calloc(n, sizeof(*names));
	if (!names) {
		free(info);
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		names[i] = info[i].name;
	catch_stop();
	err = droplog_follow(names, n, &o);
	free(names);
	free(info);
	return from_err(err);
}

int do_suggest(const struct args *a)
{
	static struct policy live;
	struct stats st;

	if (xdpfw_read_live(a->pos[0], &live, NULL) || stats_read(a->pos[0], &st))
		return EXIT_FAIL;
	output_suggest(&st, &live, stdout);
	stats_free(&st);
	return EXIT_OK;
}

/* conntrack IFACE [flush]: the table is shared, IFACE says which load to look through. */
int do_conntrack(const struct args *a)
{
	struct flow_printer p = { .out = stdout, .json = json_output };
	struct xdpfw_config cfg;
	struct ct_maps m;
	unsigned int n_del;
	int err;

	if (a->n_pos == 2 && strcmp(a->pos[1], "flush")) {
		pr_err("conntrack: expected 'flush' or nothing after the interface, got '%s'",
		       a->pos[1]);
		return EXIT_USAGE;
	}
	if (xdpfw_read_config(a->pos[0], &cfg) || ct_open(&m))
		return EXIT_FAIL;
	if (a->n_pos == 2) {
		err = ct_flush(&m, &n_del);
		if (!err && json_output)
			output_flushed_json(n_del, stdout);
		else if (!err)
			printf("%u flows flushed\n", n_del);
	} else {
		p.hz = cfg.hz;
		err = clock_jiffies(&p.now);
		if (!err) {
			output_flows_begin(&p, a->pos[0]);
			err = ct_each(&m, p.now, output_flow, &p);
			output_flows_end(&p);
		}
		if (err)
			pr_err("cannot read the flow tables: %s", strerror(-err));
	}
	ct_close(&m);
	return from_err(err);
}
