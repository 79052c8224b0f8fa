/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the CLI verbs: messages, privilege and interface checks. */
#ifndef XDPFW_USER_UTIL_H
#define XDPFW_USER_UTIL_H

#include <stdbool.h>

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
 * Crash testing: XDPFW_FAULT=<name> in the environment kills the process with
 * SIGKILL when it reaches fault_point(<name>), exactly as a crash there would.
 */
void fault_point(const char *name);

#endif /* XDPFW_USER_UTIL_H */
