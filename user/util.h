/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the CLI verbs: messages, privilege and interface checks. */
#ifndef XDPFW_USER_UTIL_H
#define XDPFW_USER_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Set by --json. Then, as in bpftool, an error is a single {"error": "..."}
 * object on stdout instead of a line on stderr (a later error of the same
 * command goes to stderr: stdout stays one document); warnings stay on stderr.
 */
extern bool json_output;
/* Set by -v: libbpf's own messages (verifier log included) go to stderr. */
extern bool verbose;

/* One line on stderr, prefixed "xdpfw: ". */
__attribute__((format(printf, 1, 2))) void pr_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void pr_warn(const char *fmt, ...);

int require_root(void);
/* A name the kernel accepts for a device: never '.', '..' or anything with '/'. */
bool iface_name_valid(const char *name);
/* Checks an interface name is valid and the interface exists. */
int iface_lookup(const char *name, unsigned int *ifindex);
bool iface_is_loopback(const char *name);

/*
 * A file written whole or not at all: atomic_open() gives a stream on a new
 * file beside path; atomic_commit() flushes it, syncs it and renames it over
 * path, so that a reader (node_exporter's textfile collector) sees the old
 * file or the new one, never half of one. On any error the new file is
 * removed and -errno returned after a message.
 */
struct atomic_file {
	FILE *f;
	const char *path;
	char tmp[PATH_MAX];
};

int atomic_open(struct atomic_file *a, const char *path);
int atomic_commit(struct atomic_file *a);

/*
 * Crash testing: XDPFW_FAULT=<name> in the environment kills the process with
 * SIGKILL when it reaches fault_point(<name>), exactly as a crash there would.
 */
void fault_point(const char *name);

#endif /* XDPFW_USER_UTIL_H */
