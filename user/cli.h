/* SPDX-License-Identifier: GPL-2.0 */
/* The command line: a table of verbs and their typed options (user/cli.c). */
#ifndef XDPFW_USER_CLI_H
#define XDPFW_USER_CLI_H

#include "loader.h"

#define MAX_POS 64

struct args {
	const char *pos[MAX_POS];
	int n_pos;
	const char *policy_file;
	const char *config_dir; /* --config DIR: DIR/IFACE.conf, else DIR/xdpfw.conf */
	enum attach_mode mode;
	bool force;	   /* --force: past the lockout guard */
	bool replace;	   /* --replace: load when loaded = reload */
	bool multiprog;	   /* --multiprog: through libxdp's dispatcher */
	bool lossy;	   /* --lossy: import what it can */
	unsigned long confirm; /* --confirm SECONDS of apply; 0: the default */
	bool prometheus;   /* --prometheus */
	bool reset;	   /* --reset */
	double interval;   /* --interval SECONDS; 0: none */
	double seconds;	   /* --seconds SECONDS; 0: none */
	unsigned long count; /* --count N; 0: none */
	unsigned long top;   /* --top N; 0: every row */
	const char *output;  /* --output FILE: written whole, then renamed into place */
};

/* Exit status of every verb. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_FALLBACK = 3 };

static inline int from_err(int err)
{
	return err ? EXIT_FAIL : EXIT_OK;
}

/* The verbs that read a loaded filter (user/cli_read.c). */
int do_stats(const struct args *a);
int do_log(const struct args *a);
int do_suggest(const struct args *a);
int do_conntrack(const struct args *a);

struct verb;

/*
 * Everything main() does before running a verb: -1 and the verb to run, or
 * the exit status when there is nothing to run.
 */
int cli_parse(int argc, char **argv, const struct verb **out, struct args *a);
/* Parses, checks privileges and runs the verb: the process's exit status. */
int cli_main(int argc, char **argv);

#endif /* XDPFW_USER_CLI_H */
