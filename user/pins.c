// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

int pins_count_ifaces(void)
{
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *dir = opendir(XDPFW_PIN_ROOT);

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && !fstatat(dirfd(dir), de->d_name, &st, 0) &&
		    S_ISDIR(st.st_mode))
			n++;
	closedir(dir);
	return n;
}

void pins_remove_shared(void)
{
	static const char *const shared[] = { XDPFW_PIN_CONNTRACK, XDPFW_PIN_CT_PORTS,
					      XDPFW_PIN_CT_STATS };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		pins_path(path, NULL, shared[i]);
		if (unlink(path) && errno != ENOENT)
			pr_warn("cannot remove %s: %s", path, strerror(errno));
	}
}

int pins_remove(const char *iface)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *dir;

	/* The link goes first: the filter stops before its maps disappear. */
	pins_path(path, iface, XDPFW_PIN_LINK);
	if (unlink(path) && errno != ENOENT)
		err = -errno;
	pins_path(path, iface, NULL);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? err : -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) && !err)
			err = -errno;
	}
	closedir(dir);
	if (rmdir(path) && !err)
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
