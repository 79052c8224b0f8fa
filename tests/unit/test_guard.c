// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the lockout guard's pure parts (user/guard.c) and the
 * service's policy files (user/state.c): which listeners a policy drops,
 * SSH_CONNECTION parsing, the configured file and the last good fallback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"
#include "policy.h"
#include "state.h"
#include "util.h"

static struct policy pol;

static void parse(const char *text)
{
	struct policy_error perr;

	policy_free(&pol);
	assert_int_equal(policy_parse(&pol, text, strlen(text), "t.conf", &perr), 0);
}

static void test_drops(void **state)
{
	static const struct {
		const char *why;
		const char *policy;
		__u8 proto;
		__u16 port;
		bool drops;
	} cases[] = {
		{ "open tcp port", "allow tcp 22", IPPROTO_TCP, 22, false },
		{ "tcp port open for udp only", "allow udp 22", IPPROTO_TCP, 22, true },
		{ "inside a range", "allow tcp 6000-6010", IPPROTO_TCP, 6010, false },
		{ "just past a range", "allow tcp 6000-6010", IPPROTO_TCP, 6011, true },
		{ "deny after allow", "allow tcp 22\ndeny tcp 22", IPPROTO_TCP, 22, true },
		{ "default pass drops nothing", "default pass", IPPROTO_UDP, 9, false },
		{ "udp open", "allow udp 53", IPPROTO_UDP, 53, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		parse(cases[i].policy);
		if (guard_drops(&pol, cases[i].proto, cases[i].port) != cases[i].drops)
			fail_msg("%s: drops should be %d", cases[i].why, cases[i].drops);
	}
}

/* One warning a (proto, port), in port order, TCP first, only the dropped ones. */
static void test_dropped(void **state)
{
	struct listener l[] = {
		{ IPPROTO_UDP, 5353, 1, 0, "" }, { IPPROTO_TCP, 443, 2, 0, "" },
		{ IPPROTO_TCP, 22, 3, 0, "" },	 { IPPROTO_TCP, 443, 4, 0, "" },
		{ IPPROTO_TCP, 80, 5, 0, "" },	 { IPPROTO_UDP, 53, 6, 0, "" },
	};
	size_t n;

	parse("allow tcp 22\nallow udp 53");
	n = guard_dropped(&pol, l, ARRAY_SIZE(l));
	assert_int_equal(n, 3);
	assert_int_equal(l[0].proto, IPPROTO_TCP);
	assert_int_equal(l[0].port, 80);
	assert_int_equal(l[1].port, 443);
	assert_int_equal(l[2].proto, IPPROTO_UDP);
	assert_int_equal(l[2].port, 5353);
	assert_int_equal(guard_dropped(&pol, l, 0), 0);
}

static void test_ssh_connection(void **state)
{
	static const struct {
		const char *env;
		bool ok;
		int family;
		const char *client, *server;
		__u16 port;
	} cases[] = {
		{ "198.18.0.2 50022 198.18.0.1 22", true, AF_INET, "198.18.0.2", "198.18.0.1", 22 },
		{ "2001:db8::2 50022 2001:db8::1 2222", true, AF_INET6, "2001:db8::2", "2001:db8::1",
		  2222 },
		{ "::ffff:198.18.0.2 1 ::ffff:198.18.0.1 22", true, AF_INET, "198.18.0.2",
		  "198.18.0.1", 22 },
		{ NULL, false },
		{ "", false },
		{ "198.18.0.2 50022 198.18.0.1", false },
		{ "198.18.0.2 50022 198.18.0.1 22 extra", false },
		{ "198.18.0.2 50022 198.18.0.1 0", false },
		{ "198.18.0.2 50022 198.18.0.1 65536", false },
		{ "198.18.0.2 50022 198.18.0.1 22x", false },
		{ "198.18.0.2 50022 not-an-address 22", false },
		{ "bad 50022 198.18.0.1 22", false },
	};
	struct ssh_session ssh;
	__u32 want[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok = guard_ssh_session(cases[i].env, &ssh);

		if (ok != cases[i].ok)
			fail_msg("'%s': parsed %d", cases[i].env ? cases[i].env : "(unset)", ok);
		if (!ok)
			continue;
		memset(want, 0, sizeof(want));
		assert_int_equal(inet_pton(cases[i].family, cases[i].server, want), 1);
		assert_int_equal(ssh.server_family, cases[i].family);
		assert_memory_equal(ssh.server, want, sizeof(want));
		memset(want, 0, sizeof(want));
		assert_int_equal(inet_pton(cases[i].family, cases[i].client, want), 1);
		assert_int_equal(ssh.client_family, cases[i].family);
		assert_memory_equal(ssh.client, want, sizeof(want));
		assert_int_equal(ssh.port, cases[i].port);
	}
}

/* What new traffic from a source may reach a port: blocklist, from-lists, closed ports. */
static void test_passes(void **state)
{
	static const struct {
		const char *why;
		const char *src;
		unsigned int port;
		bool passes;
	} cases[] = {
		{ "in the from-list", "198.18.0.7", 22, true },
		{ "outside the from-list", "198.18.1.7", 22, false },
		{ "IPv6 in the from-list", "2001:db8:18::5", 22, true },
		{ "blocklisted inside the from-list", "198.18.0.66", 22, false },
		{ "unrestricted port", "198.19.5.5", 25, true },
		{ "blocklisted on an unrestricted port", "203.0.113.9", 25, false },
		{ "closed port", "198.18.0.7", 23, false },
	};
	__u32 addr[4];
	size_t i;
	int family;

	parse("allow tcp 22 from 198.18.0.0/24, 2001:db8:18::/48\nallow tcp 25\n"
	      "deny from 198.18.0.64/26, 203.0.113.0/24\n");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(addr, 0, sizeof(addr));
		family = strchr(cases[i].src, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(family, cases[i].src, addr), 1);
		if (policy_passes(&pol, XDPFW_L4_TCP, cases[i].port, family, addr) !=
		    cases[i].passes)
			fail_msg("%s: passes should be %d", cases[i].why, cases[i].passes);
	}
	policy_free(&pol);
}

static char dir[] = "/tmp/xdpfw-test-state.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* IFACE.conf wins over xdpfw.conf. */
static void test_config_fallback(void **state)
{
	char path[PATH_MAX];
	bool fallback;

	assert_non_null(mkdtemp(dir));
	setenv("XDPFW_STATE_DIR", dir, 1);
	put("xdpfw.conf", "allow tcp 25\n");
	state_config_path(dir, "eth0", path);
	assert_string_equal(path + strlen(dir), "/xdpfw.conf");
	put("eth0.conf", "allow tcp 587\n");
	state_config_path(dir, "eth0", path);
	assert_string_equal(path + strlen(dir), "/eth0.conf");
	assert_int_equal(state_config_policy(dir, "eth0", &pol, &fallback), 0);
	assert_false(fallback);
	assert_true(guard_drops(&pol, IPPROTO_TCP, 25));
	assert_false(guard_drops(&pol, IPPROTO_TCP, 587));
	/* No last good policy for eth0 (in the state dir): nothing to load. */
	put("eth0.conf", "allow tcp 99999\n");
	assert_int_equal(state_config_policy(dir, "eth0", &pol, &fallback), -EINVAL);
	assert_false(fallback);
}

/* A broken configured file: the last good policy (state dir, apart as on a real host). */
static void test_last_good(void **state)
{
	char conf[] = "/tmp/xdpfw-test-conf.XXXXXX", path[PATH_MAX];
	bool fallback;
	FILE *f;

	assert_non_null(mkdtemp(conf));
	snprintf(path, sizeof(path), "%s/xdpfw.conf", conf);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("allow tcp 110000\n", f);
	fclose(f);
	parse("allow tcp 993\nallow udp 53");
	state_save_last_good("eth2", &pol);
	policy_init(&pol);
	assert_int_equal(state_config_policy(conf, "eth2", &pol, &fallback), 0);
	assert_true(fallback);
	assert_false(guard_drops(&pol, IPPROTO_TCP, 993));
	assert_false(guard_drops(&pol, IPPROTO_UDP, 53));
	assert_true(guard_drops(&pol, IPPROTO_TCP, 22));
	unlink(path);
	rmdir(conf);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_ssh_connection),
		cmocka_unit_test(test_passes),
		cmocka_unit_test(test_config_fallback),
		cmocka_unit_test(test_last_good),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
