// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <json-c/json.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

bool json_output;
bool verbose;

static void json_error(const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void pr_err(const char *fmt, ...)
{
	static bool json_done;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_output && !json_done) {
		json_error(msg);
		json_done = true;
		return;
	}
	fprintf(stderr, "xdpfw: %s\n", msg);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpfw: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int require_root(void)
{
	if (geteuid() == 0)
		return 0;
	pr_err("must run as root (loading XDP programs needs CAP_BPF and CAP_NET_ADMIN)");
	return -EPERM;
}

bool iface_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	/* The kernel's dev_valid_name(); the name also becomes a pin directory. */
	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' || isspace((unsigned char)name[i]))
			return false;
	return true;
}

int iface_lookup(const char *name, unsigned int *ifindex)
{
	if (!iface_name_valid(name)) {
		pr_err("'%s': not a valid interface name", name);
		return -EINVAL;
	}
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		pr_err("%s: no such interface", name);
		return -ENODEV;
	}
	return 0;
}

bool iface_is_loopback(const char *name)
{
	struct ifreq ifr = {};
	bool lo = false;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		lo = ifr.ifr_flags & IFF_LOOPBACK;
	close(fd);
	return lo;
}

int atomic_open(struct atomic_file *a, const char *path)
{
	int fd, err;

	a->path = path;
	a->f = NULL;
	if (snprintf(a->tmp, sizeof(a->tmp), "%s.XXXXXX", path) >= (int)sizeof(a->tmp)) {
		pr_err("%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(a->tmp);
	/* Readable by all, as a file in a collector's directory must be. */
	if (fd >= 0 && !fchmod(fd, 0644))
		a->f = fdopen(fd, "w");
	if (a->f)
		return 0;
	err = -errno;
	pr_err("cannot write %s: %s", path, strerror(-err));
	if (fd >= 0) {
		close(fd);
		unlink(a->tmp);
	}
	return err;
}

int atomic_commit(struct atomic_file *a)
{
	int err = 0;

	if (fflush(a->f) || ferror(a->f) || fsync(fileno(a->f)))
		err = errno ? -errno : -EIO;
	if (fclose(a->f) && !err)
		err = -errno;
	if (!err && rename(a->tmp, a->path))
		err = -errno;
	if (err) {
		pr_err("cannot write %s: %s", a->path, strerror(-err));
		unlink(a->tmp);
	}
	return err;
}

void fault_point(const char *name)
{
	const char *at = getenv("XDPFW_FAULT");

	if (at && !strcmp(at, name))
		kill(getpid(), SIGKILL);
}
