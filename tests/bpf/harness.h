/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF tests share: the loaded skeleton, running a frame through the
 * real XDP program, and checking its verdict and every counter delta.
 */
#ifndef XDPFW_TESTS_HARNESS_H
#define XDPFW_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "packet.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

#define NO_PORT -1
/* Flow times are jiffies: one tick either side covers the test run's own time. */
#define SLACK_JIFFIES 1

#define PASS(reason) XDP_PASS, XDPFW_REASON_##reason
#define DROP(reason) XDP_DROP, XDPFW_REASON_##reason

/*
 * Where a frame is counted: in no port's slot (NO_PORT); by its destination
 * port (svc 0): the port's policy slot, else the catch-all of its protocol
 * and the port's closed-port bucket; or under a service of the flow tables
 * (svc XDPFW_DIR_IN or XDPFW_DIR_OUT, port: the service's).
 */
struct expect {
	int verdict;
	enum xdpfw_reason reason;
	int l4;
	__u16 port;
	__u8 svc;
	__u8 slot; /* non-zero: this slot, whatever the above say */
};

#define SVC_OUT XDPFW_DIR_OUT
#define SVC_IN XDPFW_DIR_IN

struct tcase {
	const char *name;
	struct spec s;
	struct expect e;
};

extern struct xdpfw_bpf *skel;
extern int ncpu;
extern __u32 hz; /* the kernel's, as the loader measures it */

__u64 now_jiffies(void);
/*
 * The policy the program runs (counter slots and log budget as the loader
 * sets them); closed-port buckets and log state as a fresh load has them.
 */
void set_policy_text(const char *text);
/* A policy in a slot of the policy map, and the switch to it (the loader's two steps). */
void write_policy(__u32 slot, const char *text);
void activate(__u32 slot);
/* The counter slot of a service; fails the test when the flow tables have none. */
__u32 service_slot(__u8 dir, __u8 proto, __u16 port);
void set_default_policy(void);
/* Runs a packet the host sends through the egress program (it records flows). */
void egress(const struct spec *s);
int run(const __u8 *frame, size_t len);
/* Runs one frame and checks verdict and every counter delta. */
void check_frame(const char *name, const __u8 *frame, size_t len, const struct expect *e);
void check_case(const struct tcase *t);
/*
 * cmocka group setup/teardown: load the skeleton, measure HZ, and keep the
 * process on one CPU: test runs execute there, so per-CPU state (closed-port
 * buckets, the log budget) is one CPU's.
 */
int harness_setup(void **state);
int harness_teardown(void **state);

#endif /* XDPFW_TESTS_HARNESS_H */
