#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package: built with dpkg-buildpackage from a copy of the tree in
# $OUTPUT/deb (the .deb lands beside the tree it is built from), lintian, its exact
# contents, maintainer scripts that enable, start and stop no filter; then, in a
# throwaway Debian 12 root (mmdebstrap, this machine's apt sources), install,
# remove and purge it with systemctl, deb-systemd-invoke and xdpfw itself replaced
# by recorders. make deb-test runs it; the .deb, its build log and lintian's report
# stay in $OUTPUT/deb.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/assert.sh

OUTPUT=${OUTPUT:-build}
FRESH_SOURCES=${FRESH_SOURCES:-$(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources 2>/dev/null)}
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
ARCH=$(dpkg --print-architecture)
B=$OUTPUT/deb
DEB=$B/xdpfw_${VERSION}_$ARCH.deb
start=$SECONDS

rm -rf "$B" && mkdir -p "$B/src"
T=$(mktemp -d /tmp/xdpfw-deb.XXXXXX)
trap 'rm -rf "$T" "$B/src"' EXIT

echo "# dpkg-buildpackage -us -uc -b (log: $B/build.log)"
tar --exclude=./.git --exclude=./build --exclude="./$OUTPUT" -cf - . | tar -x -C "$B/src"
(cd "$B/src" && timeout 900 dpkg-buildpackage -us -uc -b) >"$B/build.log" 2>&1
check_eq "the package builds" "$?" 0
if [ ! -f "$DEB" ]; then
	tail -30 "$B/build.log"
	summary
	exit
fi
check_eq "its version is debian/changelog's" "$(dpkg-deb -f "$DEB" Version)" "$VERSION"

echo "# lintian (report: $B/lintian.txt)"
lintian --info --display-experimental --pedantic --fail-on error,warning \
	"$B/xdpfw_${VERSION}_$ARCH.changes" >"$B/lintian.txt" 2>&1
check_eq "no error or warning" "$?" 0
sed -n 's/^[EWIPX]: /    &/p' "$B/lintian.txt"

echo "# contents"
check_eq "exactly these files" \
	"$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $1, $2, $6 }' | sort -k3)" "\
-rw-r--r-- root/root ./etc/xdpfw/xdpfw.conf
-rw-r--r-- root/root ./lib/systemd/system/xdpfw-prometheus.service
-rw-r--r-- root/root ./lib/systemd/system/xdpfw-prometheus.timer
-rw-r--r-- root/root ./lib/systemd/system/xdpfw@.service
-rwxr-xr-x root/root ./usr/sbin/xdpfw
-rw-r--r-- root/root ./usr/share/bash-completion/completions/xdpfw
-rw-r--r-- root/root ./usr/share/doc/xdpfw/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/xdpfw/copyright
-rw-r--r-- root/root ./usr/share/man/man5/xdpfw.conf.5.gz
-rw-r--r-- root/root ./usr/share/man/man8/xdpfw.8.gz"
dpkg-deb -x "$DEB" "$T/x"
dpkg-deb -e "$DEB" "$T/ctl"
check_eq "the conffiles" "$(cat "$T/ctl/conffiles")" /etc/xdpfw/xdpfw.conf
check_ok "the configuration is the built-in policy" \
	cmp docs/policies/outlook-proxy.conf "$T/x/etc/xdpfw/xdpfw.conf"
check_eq "the service runs /usr/sbin/xdpfw" \
	"$(sed -n 's/^ExecStart=//p' "$T/x/lib/systemd/system/xdpfw@.service")" \
	"/usr/sbin/xdpfw load %I --config /etc/xdpfw --replace"
check_eq "the packaged binary says its version" \
	"$("$T/x/usr/sbin/xdpfw" version --json | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')" \
	"$VERSION"
check_ok "the man pages are compressed man pages" \
	sh -c "zcat '$T/x/usr/share/man/man8/xdpfw.8.gz' | grep -q '^\.TH \"xdpfw\" \"8\"'"

echo "# maintainer scripts: nothing enabled, started or stopped but the Prometheus timer"
scripts=$(ls "$T/ctl" | grep -E '^(pre|post)(inst|rm)$' | tr '\n' ' ')
check_eq "the scripts" "$scripts" "postinst postrm prerm "
check_eq "no start, restart or stop of a unit" \
	"$(cat "$T/ctl/"*inst "$T/ctl/"*rm | grep -v '^[[:space:]]*#' | grep -E 'deb-systemd-invoke|systemctl' |
		grep -vE 'daemon-reload|deb-systemd-invoke stop xdpfw-prometheus.timer' | wc -l)" 0
check_eq "postinst enables only what was enabled before (an upgrade)" \
	"$(grep -c "deb-systemd-helper debian-installed 'xdpfw-prometheus.timer'" "$T/ctl/postinst")" 1
check_eq "no script runs xdpfw" "$(grep -lE '(^|[ /])xdpfw +[a-z]' "$T/ctl/"*inst "$T/ctl/"*rm)" ""

echo "# install, remove, purge in a Debian 12 root (mmdebstrap)"
if ! command -v mmdebstrap >/dev/null || [ -z "$FRESH_SOURCES" ]; then
	skip "no mmdebstrap or no apt sources: the package is not installed anywhere"
	echo "($((SECONDS - start)) s)"
	summary
	exit
fi
# In the root: recorders first in PATH, a /run/systemd/system so that the scripts'
# "is systemd running" tests say yes, /usr/sbin/xdpfw diverted to a recorder.
cat >"$T/inroot.sh" <<'EOF'
set -e
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
R=/tmp/r
mkdir -p $R /run/systemd/system /etc/systemd/system/sysinit.target.wants
for c in systemctl deb-systemd-invoke xdpfw; do
	printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' $c $R >/usr/local/sbin/$c
	chmod 0755 /usr/local/sbin/$c
done
dpkg-divert --quiet --local --rename --divert /usr/sbin/xdpfw.real --add /usr/sbin/xdpfw
cp /usr/local/sbin/xdpfw /usr/sbin/xdpfw
# What there is of xdpfw in /etc and /var/lib.
seen() {
	{ find /etc/xdpfw /var/lib/xdpfw || :; find /etc/systemd -name "*xdpfw*"; } 2>/dev/null | sort
}
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq /tmp/xdpfw.deb >$R/apt.log 2>&1 ||
	{ apt-get update -qq && apt-get install -y -qq /tmp/xdpfw.deb >$R/apt.log 2>&1; }
cp $R/calls $R/calls.install 2>/dev/null || : >$R/calls.install
: >$R/calls
/usr/sbin/xdpfw.real check /etc/xdpfw/xdpfw.conf >/dev/null && echo yes >$R/check || echo no >$R/check
seen >$R/after-install
# What an admin does: enable an instance, let a load keep a last good policy; an
# own unit for a bond, enabled too.
ln -s /lib/systemd/system/xdpfw@.service /etc/systemd/system/sysinit.target.wants/xdpfw@eth0.service
cp /lib/systemd/system/xdpfw@.service /etc/systemd/system/xdpfw@bond0.service
ln -s /etc/systemd/system/xdpfw@bond0.service /etc/systemd/system/sysinit.target.wants/xdpfw@bond0.service
mkdir -p /var/lib/xdpfw && echo 'default drop' >/var/lib/xdpfw/eth0.conf
dpkg -r xdpfw >$R/remove.log 2>&1
mv $R/calls $R/calls.remove 2>/dev/null || : >$R/calls.remove
seen >$R/after-remove
dpkg -P xdpfw >$R/purge.log 2>&1
mv $R/calls $R/calls.purge 2>/dev/null || : >$R/calls.purge
seen >$R/after-purge
EOF
cp "$DEB" "$T/xdpfw.deb"
mkdir -p "$T/r"
timeout 300 mmdebstrap --variant=apt --mode=root --format=null --quiet \
	--customize-hook="copy-in $T/xdpfw.deb $T/inroot.sh /tmp" \
	--customize-hook='chroot "$1" sh /tmp/inroot.sh' \
	--customize-hook="sync-out /tmp/r $T/r" \
	bookworm /dev/null $FRESH_SOURCES >"$B/mmdebstrap.log" 2>&1
check_eq "mmdebstrap and the script in the root ran (log: $B/mmdebstrap.log)" "$?" 0
R=$T/r
check_eq "installed: xdpfw check runs there" "$(cat "$R/check" 2>&1)" yes
check_eq "installed: no call to systemctl, deb-systemd-invoke or xdpfw" \
	"$(cat "$R/calls.install" 2>&1)" ""
check_eq "installed: nothing enabled, only the configuration" "$(cat "$R/after-install" 2>&1)" \
	"$(printf '/etc/xdpfw\n/etc/xdpfw/xdpfw.conf')"
check_eq "removed: the timer stopped, systemd reloaded, no xdpfw run, no filter unit touched" \
	"$(cat "$R/calls.remove" 2>&1)" "\
deb-systemd-invoke stop xdpfw-prometheus.timer
systemctl --system daemon-reload"
check_eq "removed: the configuration, the enabled units and the last good policy stay" \
	"$(cat "$R/after-remove" 2>&1)" "\
/etc/systemd/system/sysinit.target.wants/xdpfw@bond0.service
/etc/systemd/system/sysinit.target.wants/xdpfw@eth0.service
/etc/systemd/system/xdpfw@bond0.service
/etc/xdpfw
/etc/xdpfw/xdpfw.conf
/var/lib/xdpfw
/var/lib/xdpfw/eth0.conf"
check_eq "purged: no call to systemctl, deb-systemd-invoke or xdpfw" "$(cat "$R/calls.purge" 2>&1)" ""
check_eq "purged: /etc/xdpfw, /var/lib/xdpfw and the packaged unit's links gone; the admin's unit stays" \
	"$(cat "$R/after-purge" 2>&1)" "\
/etc/systemd/system/sysinit.target.wants/xdpfw@bond0.service
/etc/systemd/system/xdpfw@bond0.service"

echo "($((SECONDS - start)) s)"
summary
