# SPDX-License-Identifier: GPL-2.0
# Assertions shared by the namespace, install and package tests: each prints one
# "ok - ..." or "not ok - ..." line; summary's status is the test script's.

PASSED=0
FAILED=0

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check_eq WHAT GOT WANT: multi-line values fail with a diff.
check_eq() {
	if [ "$2" = "$3" ]; then
		case $2 in *$'\n'*) ok "$1" ;; *) ok "$1 ($2)" ;; esac
	elif [[ $2$3 != *$'\n'* ]]; then
		not_ok "$1: got '$2', want '$3'"
	else
		not_ok "$1:"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | sed -n 's/^[<>]/    &/p'
		echo "    (< wanted, > got)"
	fi
}

# check_ok WHAT CMD...: CMD must succeed; check_fail: CMD must fail.
check_ok() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi
}

check_fail() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then not_ok "$what"; else ok "$what"; fi
}

skip() {
	echo "skip - $*"
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}
