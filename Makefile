# SPDX-License-Identifier: GPL-2.0
# xdpfw: `make` builds build/xdpfw; `make test` runs every test; `make help` lists targets.

OUTPUT	?= build
PREFIX	?= /usr/local
DESTDIR	?=
IFACE	?=

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)

# One version, debian/changelog's first entry: `xdpfw --version` and the package agree.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

# CFLAGS, CPPFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 builds); what the project
# needs is apart.
CFLAGS	?= -O2 -g
XDPFW_CPPFLAGS := -Iinclude -Iuser -I$(OUTPUT) -DXDPFW_VERSION='"$(VERSION)"'
XDPFW_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-MMD -MP
LDLIBS	+= -lxdp -lbpf -lelf -lz -ljson-c -lmnl
BPF_CPPFLAGS := -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -I/usr/include/$(MULTIARCH)
# -mcpu=v3: the atomic instructions (compare-and-swap, and) the flow-table gate uses; Linux 5.12+.
BPF_CFLAGS := -g -O2 -Wall -mcpu=v3 $(BPF_CPPFLAGS) -MMD -MP

# BPF programs include no libc header: glibc's compile under -target bpf only where
# the 32-bit libc headers (libc6-dev-i386) happen to be installed. Every header a BPF
# source reaches must be the project's, the kernel uapi's or libbpf's; -M lists the
# system headers that -MMD leaves out.
BPF_HEADERS_OK := ^(bpf|include|tests/bench)/|^/usr/include/(linux|asm-generic|bpf|$(MULTIARCH)/asm)/
define check_bpf_headers
	$(Q)hdrs=$$($(CLANG) $(BPF_CPPFLAGS) -M -MT x $(1)) || exit 1; \
	bad=$$(echo "$$hdrs" | tr -s ' \\' '\n\n' | grep '\.h$$' | grep -Ev '$(BPF_HEADERS_OK)'); \
	if [ -n "$$bad" ]; then echo "$(1): headers outside the uapi and libbpf:" $$bad >&2; exit 1; fi
endef

# Debian packages: what the build needs (a plain `make` installs only these, and only
# when one is missing), what the tests and the demo need besides, and the extras of
# `make bench` and `make fresh-test`.
BUILD_DEPS := make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjson-c-dev \
	      libmnl-dev libxdp-dev pkg-config scdoc
TEST_DEPS := libcmocka-dev libclang-rt-14-dev iproute2 iputils-ping jq nftables kmod time socat \
	     xdp-tools iptables
BENCH_DEPS := xdp-tools gnuplot-nox iptables
FRESH_DEPS := mmdebstrap

ifeq ($(V),1)
Q	:=
msg	:=
else
Q	:= @
msg	= @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep the BPF objects the skeletons come from: bpftool and llvm-objdump read them too.
.SECONDARY:
.DEFAULT_GOAL := all
.PHONY: all build-deps deps bench-deps fresh-deps test fresh-test unit-test bpf-test netns-test \
	fuzz-test fuzz demo bench load install uninstall clean help

USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS)) $(OUTPUT)/user/default_policy.o
LIB_OBJS  := $(filter-out $(OUTPUT)/user/main.o,$(USER_OBJS))
SKELS     := $(OUTPUT)/xdpfw.skel.h $(OUTPUT)/clock.skel.h $(OUTPUT)/count.skel.h
DEFAULT_POLICY := docs/policies/outlook-proxy.conf

TEST_BINS := $(OUTPUT)/tests/test_policy $(OUTPUT)/tests/test_stats $(OUTPUT)/tests/test_conntrack \
	     $(OUTPUT)/tests/test_guard $(OUTPUT)/tests/test_rules $(OUTPUT)/tests/test_import \
	     $(OUTPUT)/tests/test_xdp $(OUTPUT)/tests/test_ct
TOOL_BINS := $(OUTPUT)/tests/nettool $(OUTPUT)/tests/livegen $(OUTPUT)/tests/ctfill \
	     $(OUTPUT)/tests/portscan \
	     $(OUTPUT)/promtool

# Building needs clang, bpftool and the -dev packages: install what is missing first.
all: build-deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/xdpfw

help:
	@echo 'Targets:'
	@echo '  all          build $(OUTPUT)/xdpfw (default; installs missing build packages)'
	@echo '  deps         apt-get install the missing Debian packages of the build and the tests'
	@echo '  load IFACE=  install deps, build, load the built-in policy on IFACE'
	@echo '  test         unit, BPF (test_run) and network-namespace tests'
	@echo '  fresh-test   build and unit-test in a fresh Debian 12 root (mmdebstrap)'
	@echo '  demo         two throwaway namespaces, real traffic, the stats table'
	@echo '  bench        per-packet cost and scale curves against floors and xdp-filter'
	@echo '  fuzz         libFuzzer on the policy parser and the CLI, FUZZ_SECONDS each'
	@echo '  install      xdpfw, man pages, completion, units, /etc/xdpfw/xdpfw.conf (kept if'
	@echo '               there) under $$(DESTDIR)$$(PREFIX); uninstall removes exactly that'
	@echo '  install-test install/uninstall into a scratch DESTDIR, units, man pages, completion'
	@echo '  deb-test     build the Debian package, lintian, install and purge it in a fresh root'
	@echo '  clean        remove $(OUTPUT)/'
	@echo 'Variables: V=1 (verbose), OUTPUT=dir, PREFIX=, DESTDIR=, CFLAGS=, LDFLAGS='

build-deps: PKGS = $(BUILD_DEPS)
deps: PKGS = $(BUILD_DEPS) $(TEST_DEPS)
bench-deps: PKGS = $(BENCH_DEPS)
fresh-deps: PKGS = $(FRESH_DEPS)
build-deps deps bench-deps fresh-deps:
	$(Q)missing=$$(for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  APT      installing what $@ lists and this machine lacks:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF objects and their skeletons: bpf/X.bpf.c (tests/bench/X.bpf.c for the bench's
# floors) becomes $(OUTPUT)/X.bpf.o and $(OUTPUT)/X.skel.h with struct X_bpf.
$(OUTPUT)/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(call check_bpf_headers,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.bpf.o: tests/bench/%.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(call check_bpf_headers,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPFW_CPPFLAGS) $(XDPFW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Generated headers exist before anything that may include them is compiled.
$(USER_OBJS): | $(SKELS)

$(OUTPUT)/user/cli.o: debian/changelog

$(OUTPUT)/user/default_policy.o: user/default_policy.S $(DEFAULT_POLICY) | $(OUTPUT)/user
	$(call msg,AS,$@)
	$(Q)$(CC) -DDEFAULT_POLICY_FILE='"$(DEFAULT_POLICY)"' -c $< -o $@

$(OUTPUT)/xdpfw: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The same CLI under ASan, LSan and UBSan: the namespace tests run it, so a leak,
# an invalid access or undefined behaviour fails them (exit status 23).
$(OUTPUT)/asan/xdpfw: $(USER_SRCS) user/default_policy.S $(DEFAULT_POLICY) $(SKELS)
	$(call msg,ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -std=gnu11 \
		$(XDPFW_CPPFLAGS) -DDEFAULT_POLICY_FILE='"$(DEFAULT_POLICY)"' \
		$(filter %.c %.S,$^) $(LDLIBS) -o $@

$(OUTPUT)/tests/%.o: tests/unit/%.c | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPFW_CPPFLAGS) $(XDPFW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%.o: tests/bpf/%.c | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPFW_CPPFLAGS) $(XDPFW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%.o: tests/bench/%.c | $(OUTPUT)/tests $(SKELS) $(OUTPUT)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPFW_CPPFLAGS) -Itests/bpf $(XDPFW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%.o: tests/netns/%.c | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(XDPFW_CPPFLAGS) $(XDPFW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/tests/bench: $(OUTPUT)/tests/bench.o $(OUTPUT)/tests/packet.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/livegen: $(OUTPUT)/tests/livegen.o $(OUTPUT)/tests/packet.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/test_%: $(OUTPUT)/tests/test_%.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/tests/test_xdp $(OUTPUT)/tests/test_ct $(OUTPUT)/tests/test_rules: $(OUTPUT)/tests/packet.o \
	$(OUTPUT)/tests/harness.o
$(OUTPUT)/tests/test_stats $(OUTPUT)/tests/test_conntrack: $(OUTPUT)/tests/capture.o

$(OUTPUT)/tests/test_diff: $(OUTPUT)/tests/test_diff.o $(OUTPUT)/tests/packet.o \
		$(OUTPUT)/tests/reference.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/nettool $(OUTPUT)/tests/portscan: %: %.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@

$(OUTPUT)/tests/ctfill: $(OUTPUT)/tests/ctfill.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The bench's baseline: xdpfw's XDP program as of BENCH_BASELINE (per-port counters,
# no drop log), built from git history with today's flags, to run side by side.
BENCH_BASELINE ?= 384f53c
$(OUTPUT)/baseline.bpf.o: | $(OUTPUT)
	$(call msg,BPF,$@ (xdpfw at $(BENCH_BASELINE)))
	$(Q)rm -rf $(OUTPUT)/baseline && mkdir -p $(OUTPUT)/baseline && \
		git archive $(BENCH_BASELINE) bpf include | tar -x -C $(OUTPUT)/baseline
	$(Q)$(CLANG) $(filter-out -Iinclude -MMD -MP,$(BPF_CFLAGS)) -I$(OUTPUT)/baseline/include \
		-c $(OUTPUT)/baseline/bpf/xdpfw.bpf.c -o $@

# promtool, to check the Prometheus output: taken out of Debian's prometheus package
# rather than installing it, which would bring a Prometheus server along.
$(OUTPUT)/promtool: | $(OUTPUT)
	$(call msg,PROMTOOL,$@)
	$(Q)rm -rf $@.d && mkdir -m 0777 $@.d && cd $@.d && \
		{ apt-get download prometheus >/dev/null 2>&1 || \
		  { apt-get update -qq && apt-get download prometheus >/dev/null; }; } && \
		dpkg-deb --fsys-tarfile prometheus_*.deb | tar -xO ./usr/bin/promtool >../promtool.tmp
	$(Q)chmod 0755 $@.tmp && mv $@.tmp $@ && rm -rf $@.d

# libFuzzer harnesses with ASan and UBSan; each is linked with the userspace sources it fuzzes.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(XDPFW_CPPFLAGS)
FUZZERS := $(OUTPUT)/fuzz/fuzz_policy $(OUTPUT)/fuzz/fuzz_cli $(OUTPUT)/fuzz/fuzz_diag \
	   $(OUTPUT)/fuzz/fuzz_import
FUZZ_SECONDS ?= 300

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c user/policy.c user/prefix.c user/default_policy.S \
		$(DEFAULT_POLICY) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -DDEFAULT_POLICY_FILE='"$(DEFAULT_POLICY)"' \
		$(filter %.c %.S,$^) -o $@

# main() is left out: the harnesses call parsers and never run a verb.
$(OUTPUT)/fuzz/fuzz_cli $(OUTPUT)/fuzz/fuzz_diag $(OUTPUT)/fuzz/fuzz_import: $(OUTPUT)/fuzz/%: tests/fuzz/%.c $(USER_SRCS) \
		user/default_policy.S $(SKELS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -DDEFAULT_POLICY_FILE='"$(DEFAULT_POLICY)"' \
		$(filter-out user/main.c,$(filter %.c %.S,$^)) $(LDLIBS) -o $@

# fuzz-test: a short bounded run of each, seeded with tests/fuzz/corpus (and every crash
# ever found, kept there as a regression input); fuzz: the long run, and 1M packets of the
# differential test with a new seed (bpf-test runs 100k with a fixed one).
fuzz-test fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZERS) $(OUTPUT)/tests/test_diff
	$(Q)$(if $(filter fuzz,$@),$(OUTPUT)/tests/test_diff 1000000 \
		$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '),true)
	$(Q)for f in policy cli diag import; do \
		rm -rf $(OUTPUT)/fuzz/corpus-$$f && mkdir -p $(OUTPUT)/fuzz/corpus-$$f && \
		$(OUTPUT)/fuzz/fuzz_$$f -max_total_time=$(if $(filter fuzz,$@),$(FUZZ_SECONDS),10) \
			-close_fd_mask=3 -artifact_prefix=$(OUTPUT)/fuzz/ \
			$(OUTPUT)/fuzz/corpus-$$f tests/fuzz/corpus/$$f 2>$(OUTPUT)/fuzz/$$f.log \
		|| { tail -30 $(OUTPUT)/fuzz/$$f.log; exit 1; }; \
		echo "fuzz_$$f: $$(grep -o 'Done [0-9]* runs' $(OUTPUT)/fuzz/$$f.log), no crash"; \
	done

# Every test target builds with the deps in place first; CI starts bare.
unit-test: deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/tests/test_policy $(OUTPUT)/tests/test_stats \
		$(OUTPUT)/tests/test_conntrack $(OUTPUT)/tests/test_guard $(OUTPUT)/tests/test_import
	$(Q)$(OUTPUT)/tests/test_policy
	$(Q)$(OUTPUT)/tests/test_stats
	$(Q)$(OUTPUT)/tests/test_conntrack
	$(Q)$(OUTPUT)/tests/test_guard
	$(Q)$(OUTPUT)/tests/test_import

bpf-test: deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/tests/test_xdp $(OUTPUT)/tests/test_ct \
		$(OUTPUT)/tests/test_rules $(OUTPUT)/tests/test_diff
	$(Q)$(OUTPUT)/tests/test_xdp
	$(Q)$(OUTPUT)/tests/test_ct
	$(Q)$(OUTPUT)/tests/test_rules
	$(Q)$(OUTPUT)/tests/test_diff 100000

ASAN_ENV := ASAN_OPTIONS=exitcode=23:detect_leaks=1 UBSAN_OPTIONS=exitcode=23
netns-test: deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/xdpfw $(OUTPUT)/asan/xdpfw $(TOOL_BINS)
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		bash tests/netns/test_integration.sh
	$(Q)XDPFW=$(OUTPUT)/xdpfw NETTOOL=$(OUTPUT)/tests/nettool bash tests/netns/test_conntrack.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		bash tests/netns/test_faults.sh
	$(Q)XDPFW=$(OUTPUT)/xdpfw LIVEGEN=$(OUTPUT)/tests/livegen bash tests/netns/test_reload.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		bash tests/netns/test_hardening.sh
	$(Q)XDPFW=$(OUTPUT)/xdpfw CTFILL=$(OUTPUT)/tests/ctfill bash tests/netns/test_scale.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		PROMTOOL=$(OUTPUT)/promtool bash tests/netns/test_counters.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		bash tests/netns/test_service.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		bash tests/netns/test_rules.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		LIVEGEN=$(OUTPUT)/tests/livegen bash tests/netns/test_multiprog.sh
	$(Q)$(ASAN_ENV) XDPFW=$(OUTPUT)/asan/xdpfw NETTOOL=$(OUTPUT)/tests/nettool \
		PORTSCAN=$(OUTPUT)/tests/portscan bash tests/netns/test_import.sh

test: deps
	$(Q)$(MAKE) --no-print-directory unit-test bpf-test fuzz-test netns-test install-test deb-test

# The README's first command on a fresh Debian 12: a minimal root made with mmdebstrap
# from this machine's apt sources (~15 s), this tree copied in, then `make` and
# `make unit-test` there. A package missing from the lists above fails here, not on a
# user's machine.
FRESH_SOURCES = $(wildcard /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			   /etc/apt/sources.list.d/*.sources)
fresh-test: fresh-deps
	$(Q)mkdir -p $(OUTPUT)
	$(Q)tar --exclude=./.git --exclude=./build --exclude=./$(OUTPUT) -cf $(OUTPUT)/fresh.tar .
	$(call msg,FRESH,debian 12 root from $(FRESH_SOURCES))
	$(Q)mmdebstrap --variant=apt --mode=root --format=null --quiet \
		--customize-hook='mkdir "$$1/root/xdpfw"' \
		--customize-hook='tar-in $(OUTPUT)/fresh.tar /root/xdpfw' \
		--customize-hook='chroot "$$1" sh -ec "cd /root/xdpfw && apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make >/dev/null && \
			make && make unit-test"' \
		bookworm /dev/null $(FRESH_SOURCES)
	$(Q)rm -f $(OUTPUT)/fresh.tar

# Never part of `make test`, never fails on speed: it measures and reports.
bench: deps bench-deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/tests/bench $(OUTPUT)/tests/livegen $(OUTPUT)/xdpfw \
		$(OUTPUT)/tests/ctfill $(OUTPUT)/baseline.bpf.o
	$(Q)mkdir -p $(OUTPUT)/bench
	$(Q)OUTPUT=$(OUTPUT) BENCH_BASELINE=$(BENCH_BASELINE) \
		BENCH_BASELINE_OBJ=$(OUTPUT)/baseline.bpf.o bash tests/bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/xdpfw $(TOOL_BINS)
	$(Q)XDPFW=$(OUTPUT)/xdpfw NETTOOL=$(OUTPUT)/tests/nettool bash tests/netns/demo.sh

load: build-deps
	$(Q)test -n "$(IFACE)" || { echo 'usage: make load IFACE=<interface>' >&2; exit 2; }
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/xdpfw
	$(Q)$(OUTPUT)/xdpfw load $(IFACE)

include packaging/install.mk

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/tests/*.d)
