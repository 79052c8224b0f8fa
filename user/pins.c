// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/magic.h>

#include "pins.h"
#include "util.h"
#include "xdpfw.h"

int pins_prepare(void)
{
	struct statfs st;

	if (statfs(XDPFW_BPFFS, &st) || st.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", XDPFW_BPFFS, "bpf", 0, "mode=0700")) {
			pr_err("cannot mount bpffs on %s: %s", XDPFW_BPFFS, strerror(errno));
			return -errno;
		}
	}
	if (mkdir(XDPFW_PIN_ROOT, 0700) && errno != EEXIST) {
		pr_err("cannot create %s: %s", XDPFW_PIN_ROOT, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Is the filesystem of device dev mounted in PID 1's mount namespace? -1: cannot tell. */
static int mounted_in_init(dev_t dev)
{
	unsigned int maj, min;
	size_t cap = 0;
	char *line = NULL;
	int found = 0;
	FILE *f;

	f = fopen("/proc/1/mountinfo", "re");
	if (!f)
		return -1;
	while (!found && getline(&line, &cap, f) > 0)
		found = sscanf(line, "%*u %*u %u:%u", &maj, &min) == 2 && maj == major(dev) &&
			min == minor(dev);
	free(line);
	fclose(f);
	return found;
}

int pins_check_lasting(void)
{
	struct stat st;

	if (stat(XDPFW_BPFFS, &st))
		return -errno;
	if (mounted_in_init(st.st_dev))
		return 0;
	pr_err("the bpffs on %s exists only in this command's private mount namespace "
	       "(ip netns exec? a unit with private mounts?): the pins, and the filter with "
	       "them, would vanish when it exits. Run xdpfw in the host's mount namespace "
	       "(e.g. nsenter --net=/run/netns/NAME xdpfw load IFACE), or bind-mount a "
	       "bpffs that outlives the command on %s first",
	       XDPFW_BPFFS, XDPFW_BPFFS);
	return -EPERM;
}

int pins_lock(void)
{
	int fd, err;

	err = pins_prepare();
	if (err)
		return err;
	fd = open(XDPFW_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("cannot open %s: %s", XDPFW_PIN_ROOT, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX)) {
		pr_err("cannot lock %s: %s", XDPFW_PIN_ROOT, strerror(errno));
		close(fd);
		return -errno;
	}
	return fd;
}

void pins_path(char path[PATH_MAX], const char *iface, const char *name)
{
	snprintf(path, PATH_MAX, "%s%s%s%s%s", XDPFW_PIN_ROOT, iface ? "/" : "", iface ? iface : "",
		 name ? "/" : "", name ? name : "");
}

bool pins_exist(const char *iface, const char *name)
{
	char path[PATH_MAX];

	pins_path(path, iface, name);
	return !access(path, F_OK);
}

/*
 * What xdpfw pins, and all that teardown ever removes: an interface's
 * objects (the link first, so the filter stops before its maps go) and the
 * maps shared by every interface. Anything else under the pin root is not
 * ours and stays.
 */
static const char *const iface_pins[] = {
	XDPFW_PIN_LINK,	       XDPFW_PIN_TC_PROG,	 XDPFW_PIN_POLICY, XDPFW_PIN_CONFIG,
	XDPFW_PIN_PORT_STATS, XDPFW_PIN_REASON_STATS, XDPFW_PIN_FRAGS,
};
static const char *const shared_pins[] = { XDPFW_PIN_CONNTRACK, XDPFW_PIN_CT_PORTS,
					   XDPFW_PIN_CT_STATS };

#define N_PINS(a) (sizeof(a) / sizeof(a[0]))

bool pins_is_iface(const char *name)
{
	size_t i;

	if (!iface_name_valid(name))
		return false;
	for (i = 0; i < N_PINS(iface_pins); i++)
		if (pins_exist(name, iface_pins[i]))
			return true;
	return false;
}

int pins_count_ifaces(void)
{
	struct dirent *de;
	int n = 0;
	DIR *dir = opendir(XDPFW_PIN_ROOT);

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		n += pins_is_iface(de->d_name);
	closedir(dir);
	return n;
}

/* Unlinks names[] under iface's directory (iface NULL: the root); 0 or the first error. */
static int unlink_pins(const char *iface, const char *const *names, size_t n)
{
	char path[PATH_MAX];
	int err = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		pins_path(path, iface, names[i]);
		if (unlink(path) && errno != ENOENT && !err) {
			err = -errno;
			pr_err("cannot remove %s: %s", path, strerror(errno));
		}
	}
	return err;
}

void pins_remove_shared(void)
{
	unlink_pins(NULL, shared_pins, N_PINS(shared_pins));
}

int pins_remove(const char *iface)
{
	char path[PATH_MAX];
	int err;

	err = unlink_pins(iface, iface_pins, N_PINS(iface_pins));
	pins_path(path, iface, NULL);
	if (!rmdir(path) || errno == ENOENT)
		return err;
	if (errno == ENOTEMPTY)
		pr_warn("%s: left %s in place: it holds objects xdpfw did not pin", iface, path);
	else if (!err)
		err = -errno;
	if (err)
		pr_err("%s: cannot remove %s: %s", iface, path, strerror(-err));
	return err;
}

int pins_open_map(const char *iface, const char *name, __u32 value_size, __u32 max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	pins_path(path, iface, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		if (fd == -ENOENT && iface)
			pr_err("%s: xdpfw is not loaded on this interface", iface);
		else if (fd == -ENOENT)
			pr_err("xdpfw is not loaded on any interface (no %s)", path);
		else
			pr_err("%s: cannot open %s: %s", iface, path, strerror(-fd));
		return fd;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size != value_size ||
	    (max_entries && info.max_entries != max_entries)) {
		pr_err("%s does not match this xdpfw build (unload and load again)", path);
		close(fd);
		return -EPROTO;
	}
	return fd;
}
