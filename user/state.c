// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

static const char *state_dir(void)
{
	const char *dir = getenv("XDPFW_STATE_DIR");

	return dir && *dir ? dir : XDPFW_STATE_DIR;
}

static void last_good_path(const char *iface, char path[PATH_MAX])
{
	snprintf(path, PATH_MAX, "%s/%s.conf", state_dir(), iface);
}

void state_config_path(const char *dir, const char *iface, char path[PATH_MAX])
{
	snprintf(path, PATH_MAX, "%s/%s.conf", dir, iface);
	if (access(path, F_OK))
		snprintf(path, PATH_MAX, "%s/xdpfw.conf", dir);
}

void state_save_last_good(const char *iface, const struct policy *pol)
{
	struct atomic_file f;
	char path[PATH_MAX], when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (mkdir(state_dir(), 0755) && errno != EEXIST) {
		pr_warn("%s: cannot keep the last good policy in %s: %s", iface, state_dir(),
			strerror(errno));
		return;
	}
	last_good_path(iface, path);
	if (atomic_open(&f, path))
		return; /* said */
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(f.f, "# The last policy that went live on %s (%s), kept by xdpfw: a boot\n"
		     "# whose configured policy does not parse loads this one instead.\n",
		iface, when);
	policy_format(pol, f.f);
	atomic_commit(&f);
}

int state_config_policy(const char *dir, const char *iface, struct policy *pol, bool *fallback)
{
	struct policy_error perr;
	char path[PATH_MAX], last[PATH_MAX];

	*fallback = false;
	state_config_path(dir, iface, path);
	if (!policy_parse_file(pol, path, &perr))
		return 0;
	pr_err("%s", perr.msg);
	last_good_path(iface, last);
	if (access(last, F_OK)) {
		pr_err("%s: no last good policy (%s): nothing loaded", iface, last);
		return -EINVAL;
	}
	if (policy_parse_file(pol, last, &perr)) {
		pr_err("%s", perr.msg);
		return -EINVAL;
	}
	pr_err("%s: %s does not parse: the last good policy (%s) instead", iface, path, last);
	*fallback = true;
	return 0;
}
