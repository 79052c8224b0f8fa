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

#define XDPFW_PIN_DEF(id, nm, sh, type, entries)                                                   \
	[PIN_##id] = { .name = nm, .shared = sh, .value_size = sizeof(type), .max_entries = entries },
const struct pin_def pin_defs[PIN_MAX] = { XDPFW_MAPS(XDPFW_PIN_DEF) };
#undef XDPFW_PIN_DEF

/* -errno of the call that just failed, after one line that says what failed. */
static int fail_errno(const char *what, const char *path)
{
	int err = -errno;

	pr_err("cannot %s %s: %s", what, path, strerror(-err));
	return err;
}

int pins_prepare(void)
{
	struct statfs st;

	if ((statfs(XDPFW_BPFFS, &st) || st.f_type != BPF_FS_MAGIC) &&
	    mount("bpf", XDPFW_BPFFS, "bpf", 0, "mode=0700"))
		return fail_errno("mount bpffs on", XDPFW_BPFFS);
	if (mkdir(XDPFW_PIN_ROOT, 0700) && errno != EEXIST)
		return fail_errno("create", XDPFW_PIN_ROOT);
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
	if (fd < 0)
		return fail_errno("open", XDPFW_PIN_ROOT);
	if (flock(fd, LOCK_EX)) {
		err = fail_errno("lock", XDPFW_PIN_ROOT);
		close(fd);
		return err;
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
 * An interface's objects that are not maps, the link first: the filter stops
 * first. (The multiprog pin does not stop it: teardown detaches that first.)
 */
static const char *const iface_objects[] = { XDPFW_PIN_LINK, XDPFW_PIN_MULTIPROG,
					     XDPFW_PIN_TC_PROG };

bool pins_is_iface(const char *name)
{
	size_t i;

	if (!iface_name_valid(name))
		return false;
	for (i = 0; i < ARRAY_SIZE(iface_objects); i++)
		if (pins_exist(name, iface_objects[i]))
			return true;
	for (i = 0; i < PIN_MAX; i++)
		if (!pin_defs[i].shared && pins_exist(name, pin_defs[i].name))
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

/* Unlinks a pin (iface NULL: a shared one); a missing one is fine. */
static int unlink_pin(const char *iface, const char *name)
{
	char path[PATH_MAX];
	int err;

	pins_path(path, iface, name);
	if (!unlink(path) || errno == ENOENT)
		return 0;
	err = -errno;
	pr_err("cannot remove %s: %s", path, strerror(-err));
	return err;
}

/*
 * All that teardown ever removes is what xdpfw pins: anything else under
 * the pin root is not ours and stays.
 */
void pins_remove_shared(void)
{
	size_t i;

	for (i = 0; i < PIN_MAX; i++)
		if (pin_defs[i].shared)
			unlink_pin(NULL, pin_defs[i].name);
}

int pins_remove(const char *iface)
{
	char path[PATH_MAX];
	int err = 0, e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iface_objects); i++) {
		e = unlink_pin(iface, iface_objects[i]);
		err = err ?: e;
	}
	for (i = 0; i < PIN_MAX; i++) {
		e = pin_defs[i].shared ? 0 : unlink_pin(iface, pin_defs[i].name);
		err = err ?: e;
	}
	pins_path(path, iface, NULL);
	if (!rmdir(path) || errno == ENOENT)
		return err;
	e = -errno;
	if (e == -ENOTEMPTY) {
		pr_warn("%s: left %s in place: it holds objects xdpfw did not pin", iface, path);
		return err;
	}
	pr_err("%s: cannot remove %s: %s", iface, path, strerror(-e));
	return err ?: e;
}

int pins_get(const char *path, void *info, __u32 info_len)
{
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(info, 0, info_len);
	if (bpf_obj_get_info_by_fd(fd, info, &info_len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int pins_open(const char *iface, enum pin_id id)
{
	const struct pin_def *def = &pin_defs[id];
	const char *owner = def->shared ? NULL : iface;
	struct bpf_map_info info;
	char path[PATH_MAX];
	int fd;

	pins_path(path, owner, def->name);
	fd = pins_get(path, &info, sizeof(info));
	if (fd == -ENOENT && owner)
		pr_err("%s: xdpfw is not loaded on this interface", iface);
	else if (fd == -ENOENT)
		pr_err("xdpfw is not loaded on any interface (no %s)", path);
	else if (fd < 0)
		pr_err("%s: cannot open %s: %s", iface ? iface : "xdpfw", path, strerror(-fd));
	if (fd < 0)
		return fd;
	if (info.value_size != def->value_size ||
	    (def->max_entries && info.max_entries != def->max_entries)) {
		pr_err("%s does not match this xdpfw build (unload and load again)", path);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int pins_pin_maps(struct bpf_object *obj, const char *iface, bool shared)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < PIN_MAX; i++) {
		if (pin_defs[i].shared != shared)
			continue;
		map = bpf_object__find_map_by_name(obj, pin_defs[i].name);
		pins_path(path, shared ? NULL : iface, pin_defs[i].name);
		err = map ? bpf_map__pin(map, path) : -ENOENT;
		if (err) {
			pr_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Pinned last: its pin is the commit point of the shared maps. */
#define PIN_COMMIT (PIN_MAX - 1)
_Static_assert(PIN_COMMIT == PIN_CONNTRACK4, "the last pinned map is a shared flow table");

/* The flow tables are sized by the policy (conntrack-size): each holds ct_size. */
static bool is_flow_table(enum pin_id id)
{
	return id == PIN_CONNTRACK4 || id == PIN_CONNTRACK6;
}

int pins_reuse_shared(struct bpf_object *obj, __u32 ct_size, bool *created)
{
	struct bpf_map *map;
	size_t i;
	int fd, err;

	*created = !pins_exist(NULL, pin_defs[PIN_COMMIT].name);
	if (*created) {
		pins_remove_shared(); /* what an interrupted first load left */
		for (i = 0; i < PIN_MAX; i++) {
			if (!is_flow_table(i))
				continue;
			map = bpf_object__find_map_by_name(obj, pin_defs[i].name);
			err = map ? bpf_map__set_max_entries(map, ct_size) : -ENOENT;
			if (err)
				return err;
		}
		return 0;
	}
	for (i = 0; i < PIN_MAX; i++) {
		if (!pin_defs[i].shared)
			continue;
		fd = pins_open(NULL, i);
		if (fd < 0)
			return fd;
		map = bpf_object__find_map_by_name(obj, pin_defs[i].name);
		err = map ? bpf_map__reuse_fd(map, fd) : -ENOENT;
		if (!err && i == PIN_COMMIT && bpf_map__max_entries(map) != ct_size)
			pr_warn("conntrack-size %u not applied: the flow table shared with the other "
				"interfaces holds %u (unload them all to resize it)",
				ct_size, bpf_map__max_entries(map));
		close(fd);
		if (err) {
			pr_err("the pinned %s does not match this xdpfw build: %s",
			       pin_defs[i].name, strerror(-err));
			return err;
		}
	}
	return 0;
}
