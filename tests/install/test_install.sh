#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall` into throwaway DESTDIRs: the exact file list,
# a changed configuration never overwritten nor removed, the directories install
# created (and only those) removed; the units through systemd-analyze verify; the
# man pages rendered and in step with the CLI's usage lines; the bash completion.
# Touches nothing outside its temporary directory. make install-test runs it.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
. tests/assert.sh

OUTPUT=${OUTPUT:-build}
MAKE=${MAKE:-make}
XDPFW=$OUTPUT/xdpfw
# A PREFIX=... given to the make that started this test must not leak into the
# installs below: they say what they mean.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL

T=$(mktemp -d /tmp/xdpfw-install.XXXXXX)
trap 'rm -rf "$T"' EXIT

inst() {
	$MAKE --no-print-directory -s OUTPUT="$OUTPUT" "$@"
}

# Every file under $1 with its mode, and every directory.
files() {
	(cd "$1" && find . -mindepth 1 ! -type d -printf '%m %P\n' | sort -k2)
}

dirs() {
	(cd "$1" && find . -mindepth 1 -type d -printf '%P\n' | sort)
}

echo "# make install into an empty DESTDIR (PREFIX=/usr/local)"
D=$T/root
check_ok "make install" inst install DESTDIR="$D"
check_eq "exactly these files" "$(files "$D")" "\
644 etc/xdpfw/xdpfw.conf
644 usr/local/lib/systemd/system/xdpfw-prometheus.service
644 usr/local/lib/systemd/system/xdpfw-prometheus.timer
644 usr/local/lib/systemd/system/xdpfw@.service
755 usr/local/sbin/xdpfw
644 usr/local/share/bash-completion/completions/xdpfw
644 usr/local/share/man/man5/xdpfw.conf.5
644 usr/local/share/man/man8/xdpfw.8
644 usr/local/share/xdpfw/installed-dirs"
check_ok "the configuration is the built-in policy" \
	cmp docs/policies/outlook-proxy.conf "$D/etc/xdpfw/xdpfw.conf"
check_ok "the binary is the one built" cmp "$XDPFW" "$D/usr/local/sbin/xdpfw"
check_eq "no placeholder left in the units" \
	"$(grep -l '@[A-Z]*@' "$D"/usr/local/lib/systemd/system/* | wc -l)" 0
check_eq "the units run the installed binary" \
	"$(sed -n 's/^Exec[A-Za-z]*=//p' "$D"/usr/local/lib/systemd/system/*.service)" "\
/usr/local/sbin/xdpfw stats --prometheus --output /var/lib/prometheus/node-exporter/xdpfw.prom
/usr/local/sbin/xdpfw load %I --config /etc/xdpfw --replace
/usr/local/sbin/xdpfw reload %I --config /etc/xdpfw
/usr/local/sbin/xdpfw unload %I"

echo "# a changed configuration survives install and uninstall"
echo "allow tcp 443 # the admin's" >>"$D/etc/xdpfw/xdpfw.conf"
cp "$D/etc/xdpfw/xdpfw.conf" "$T/changed.conf"
out=$(inst install DESTDIR="$D" 2>&1)
check_ok "make install again" test $? = 0
check_ok "the changed configuration was not overwritten" cmp "$T/changed.conf" "$D/etc/xdpfw/xdpfw.conf"
check_ok "and install said so" grep -q "kept $D/etc/xdpfw/xdpfw.conf" <<<"$out"
out=$(inst uninstall DESTDIR="$D" 2>&1)
check_ok "make uninstall" test $? = 0
check_eq "only the changed configuration is left" "$(files "$D")" "644 etc/xdpfw/xdpfw.conf"
check_eq "and the directories holding it" "$(dirs "$D")" "$(printf 'etc\netc/xdpfw')"
check_ok "uninstall said why it kept it" grep -q "kept $D/etc/xdpfw/xdpfw.conf: changed" <<<"$out"
check_ok "the configuration is the admin's" cmp "$T/changed.conf" "$D/etc/xdpfw/xdpfw.conf"

echo "# uninstall removes an unchanged configuration and every directory install made"
D=$T/root2
inst install DESTDIR="$D" >/dev/null 2>&1
check_ok "make uninstall" inst uninstall DESTDIR="$D"
check_eq "nothing left" "$(find "$D" -mindepth 1 | wc -l)" 0

echo "# a directory that was there before install stays"
D=$T/root3
mkdir -p "$D/usr/local/sbin" "$D/usr/local/share/man/man8" "$D/etc"
inst install DESTDIR="$D" >/dev/null 2>&1
check_eq "install wrote down the directories it created" \
	"$(grep -c -e '^/usr/local/sbin$' -e '/man8$' -e '^/etc$' "$D/usr/local/share/xdpfw/installed-dirs")" 0
inst uninstall DESTDIR="$D" >/dev/null 2>&1
check_eq "uninstall left them, empty, and removed the rest" "$(dirs "$D")" "\
etc
usr
usr/local
usr/local/sbin
usr/local/share
usr/local/share/man
usr/local/share/man/man8"

echo "# PREFIX=/usr, as the Debian package installs"
D=$T/root4
inst install DESTDIR="$D" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system INSTALL_MANIFEST= \
	>/dev/null 2>&1
check_eq "the same files under /usr and /lib, no record of directories" "$(files "$D")" "\
644 etc/xdpfw/xdpfw.conf
644 lib/systemd/system/xdpfw-prometheus.service
644 lib/systemd/system/xdpfw-prometheus.timer
644 lib/systemd/system/xdpfw@.service
755 usr/sbin/xdpfw
644 usr/share/bash-completion/completions/xdpfw
644 usr/share/man/man5/xdpfw.conf.5
644 usr/share/man/man8/xdpfw.8"
check_eq "ExecStart runs /usr/sbin/xdpfw" \
	"$(sed -n 's/^ExecStart=//p' "$D/lib/systemd/system/xdpfw@.service")" \
	"/usr/sbin/xdpfw load %I --config /etc/xdpfw --replace"

echo "# systemd-analyze verify on the installed units"
if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart's binary exists and that man can open the
	# Documentation= pages, on this machine: an install whose PREFIX is real paths
	# here gives it both (DESTDIR with --root would hide the host's targets).
	V=$T/verify
	inst install PREFIX="$V" SYSCONFDIR="$V/etc" >/dev/null 2>&1
	verify() {
		SYSTEMD_UNIT_PATH=$V/lib/systemd/system: MANPATH=$V/share/man \
			timeout 30 systemd-analyze verify "$@" 2>&1
	}
	# An instance: a template cannot be verified; br\x2dlan is the escaped "br-lan".
	out=$(verify 'xdpfw@eth0.service' 'xdpfw@br\x2dlan.service' xdpfw-prometheus.service \
		xdpfw-prometheus.timer)
	check_eq "xdpfw@.service and the Prometheus units verify without a word" "$?:$out" "0:"
	mv "$V/sbin/xdpfw" "$V/sbin/xdpfw.away"
	out=$(verify 'xdpfw@eth0.service')
	check_eq "(verify does check: without the binary it fails)" \
		"$?:$(grep -c 'is not executable' <<<"$out")" "1:3"
	mv "$V/sbin/xdpfw.away" "$V/sbin/xdpfw"
	# Enabled as `systemctl enable xdpfw@eth0` does, in this machine's boot
	# transaction: its ordering (before network-pre.target, after local-fs.target,
	# wanted by sysinit.target) must not make a cycle with the host's own units.
	mkdir -p "$V/lib/systemd/system/sysinit.target.wants"
	ln -s ../xdpfw@.service "$V/lib/systemd/system/sysinit.target.wants/xdpfw@eth0.service"
	out=$(verify multi-user.target | grep -iE 'cycle|xdpfw')
	check_eq "enabled, in multi-user.target's boot: no ordering cycle, no word on xdpfw" "$out" ""
else
	skip "systemd-analyze is not installed: the units are not verified"
fi

echo "# the man pages"
for page in xdpfw.8 xdpfw.conf.5; do
	check_ok "$page: scdoc renders it" sh -c "scdoc <docs/$page.scd >'$T/$page'"
	if command -v groff >/dev/null; then
		out=$(groff -man -Tutf8 -ww -z "$T/$page" 2>&1)
		check_eq "$page: groff renders it without a warning" "$?:$out" "0:"
	else
		skip "$page: groff is not installed"
	fi
done
if command -v man >/dev/null; then
	check_ok "man -l xdpfw.8" sh -c "MANPAGER=cat man -l '$T/xdpfw.8' | grep -q 'EXIT STATUS'"
fi

# The verbs and, per verb, the options of the CLI's usage lines.
verbs=$("$XDPFW" help | sed -n 's/^  xdpfw \([a-z]*\).*/\1/p')
opts_of() {
	"$XDPFW" help "$1" | sed -n '1p' | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' '
}
man_opts=""
cli_opts=""
for v in $verbs; do
	line=$(grep -m1 "^\*$v\*" docs/xdpfw.8.scd)
	man_opts+="$v: $(grep -o -- '--[a-z][a-z-]*' <<<"$line" | sort -u | tr '\n' ' ')"$'\n'
	cli_opts+="$v: $(opts_of "$v")"$'\n'
done
check_eq "xdpfw.8 has an entry for every verb, with the options of its usage line" \
	"$man_opts" "$cli_opts"
for e in 0 1 2 3; do
	check_ok "xdpfw.8 documents exit status $e" grep -q "^\*$e\*\$" docs/xdpfw.8.scd
done
for var in XDPFW_STATE_DIR SSH_CONNECTION; do
	check_ok "xdpfw.8 documents $var" grep -q "^\*$var\*\$" docs/xdpfw.8.scd
done

# xdpfw.conf(5) has a section a directive: those of docs/policy.md's table, and
# log-rate (docs/counters.md).
want=$( (sed -n 's/^| `\([a-z0-9-]*\)` |.*/\1/p' docs/policy.md; echo log-rate) | sort -u)
got=$(sed -n 's/^## \([a-z0-9-]*\)$/\1/p' docs/xdpfw.conf.5.scd | sort)
check_eq "xdpfw.conf.5: a section for every directive" "$got" "$want"
sed -n '/^# EXAMPLE$/,/^# FILES$/p' docs/xdpfw.conf.5.scd | sed -n '/^```$/,/^```$/p' |
	sed '/^```$/d' >"$T/example.conf"
check_ok "xdpfw.conf.5: its example is a valid policy" "$XDPFW" check "$T/example.conf"

echo "# bash completion"
# comp WORDS...: the completions of the last word, as bash would ask for them.
# IN=DIR: from DIR (file names).
comp() (
	. packaging/bash-completion/xdpfw
	cd "${IN:-.}" || exit 1
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_xdpfw
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
)
ifaces=$(ls /sys/class/net | grep -vx lo | sort | tr '\n' ' ' | sed 's/ $//')
check_eq "the verbs and global options" "$(comp xdpfw '')" \
	"$(printf '%s\n' $verbs -v --version -h --help | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "a verb after -v" "$(comp xdpfw -v con)" "confirm conntrack"
for v in load unload reload apply confirm allow deny suggest conntrack stats log; do
	check_eq "$v: the interfaces (not lo)" "$(comp xdpfw "$v" '')" "$ifaces"
done
for v in $verbs; do
	check_eq "$v: its options" "$(comp xdpfw "$v" --)" \
		"$(echo $(opts_of "$v") --help | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
done
check_eq "--mode values" "$(comp xdpfw load eth0 --mode '')" "auto native skb"
check_eq "--mode=s" "$(comp xdpfw load eth0 --mode = s)" "skb"
check_eq "allow IFACE: the protocols" "$(comp xdpfw allow eth0 '')" "tcp udp"
check_eq "deny --force IFACE u" "$(comp xdpfw deny --force eth0 u)" "udp"
check_eq "conntrack IFACE: flush" "$(comp xdpfw conntrack eth0 '')" "flush"
check_eq "help: the verbs" "$(comp xdpfw help st)" "stats status"
check_eq "no value offered for a number" "$(comp xdpfw apply eth0 --confirm '')" ""
check_eq "the options once the arguments are there" "$(comp xdpfw apply eth0 '')" \
	"--confirm --force --policy"
mkdir -p "$T/files/conf.d" && touch "$T/files/a.conf" "$T/files/b.txt"
IN=$T/files
check_eq "--policy: files" "$(IN=$IN comp xdpfw load eth0 --policy '')" "a.conf b.txt conf.d"
check_eq "--config: directories" "$(IN=$IN comp xdpfw load eth0 --config '')" "conf.d"
check_eq "--output: files" "$(IN=$IN comp xdpfw stats --output a)" "a.conf"
check_eq "check: files" "$(IN=$IN comp xdpfw check b)" "b.txt"

summary
