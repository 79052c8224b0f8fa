# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile: man pages, `make install` / `make uninstall`, and their
# tests (install-test, deb-test).
#
# `make install` puts in $(DESTDIR):
#   $(SBINDIR)/xdpfw
#   $(MANDIR)/man8/xdpfw.8, $(MANDIR)/man5/xdpfw.conf.5
#   $(BASHCOMPDIR)/xdpfw
#   $(SYSTEMDUNITDIR)/xdpfw@.service, xdpfw-prometheus.service, xdpfw-prometheus.timer
#   $(SYSCONFDIR)/xdpfw/xdpfw.conf, the built-in policy, only when there is none
#   $(INSTALL_MANIFEST), the directories it had to create, for `make uninstall`
# `make uninstall` removes them, the configuration only if it is still the shipped
# one, then those of the recorded directories that are empty.

SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share
MANDIR		?= $(DATADIR)/man
SYSCONFDIR	?= /etc
# bash-completion looks in $XDG_DATA_DIRS/bash-completion/completions, /usr/local/share
# included; systemd reads /usr/local/lib/systemd/system as well as /usr/lib and /lib.
# Debian's bookworm packages put units in /lib/systemd/system: debian/rules says so.
BASHCOMPDIR	?= $(DATADIR)/bash-completion/completions
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
# A directory only `make install` made must go with `make uninstall`, one that was
# there before (/usr/local/sbin on Debian) must stay: make install writes down which
# it created. Empty: no record (debian/rules: dpkg tracks directories itself).
INSTALL_MANIFEST ?= $(DATADIR)/xdpfw/installed-dirs

# Packages of `make deb-test` besides BUILD_DEPS, handled like the Makefile's lists.
DEB_DEPS := debhelper dpkg-dev lintian libxdp-dev mmdebstrap

MANPAGES := $(OUTPUT)/man/xdpfw.8 $(OUTPUT)/man/xdpfw.conf.5
UNITS	 := xdpfw@.service xdpfw-prometheus.service xdpfw-prometheus.timer
CONFIG	 := $(SYSCONFDIR)/xdpfw/xdpfw.conf

.PHONY: man install uninstall install-test deb-test deb-deps

man: $(MANPAGES)

$(OUTPUT)/man/%: docs/%.scd
	$(call msg,SCDOC,$@)
	$(Q)command -v scdoc >/dev/null || \
		{ echo 'scdoc is missing: make build-deps, or apt-get install scdoc' >&2; exit 1; }
	$(Q)mkdir -p $(@D)
	$(Q)scdoc <$< >$@

INSTALL_DIRS = $(SBINDIR) $(MANDIR)/man8 $(MANDIR)/man5 $(BASHCOMPDIR) $(SYSTEMDUNITDIR) \
	       $(SYSCONFDIR)/xdpfw $(if $(INSTALL_MANIFEST),$(patsubst %/,%,$(dir $(INSTALL_MANIFEST))))

install: $(OUTPUT)/xdpfw $(MANPAGES)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)set -e; \
	new=$$(for d in $(INSTALL_DIRS); do \
		while [ "$$d" != / ] && [ ! -d "$(DESTDIR)$$d" ]; do echo "$$d"; d=$$(dirname "$$d"); done; \
	done); \
	for d in $(INSTALL_DIRS); do install -d -m 0755 "$(DESTDIR)$$d"; done; \
	if [ -n "$(INSTALL_MANIFEST)" ]; then \
		{ echo "$$new"; cat "$(DESTDIR)$(INSTALL_MANIFEST)" 2>/dev/null || true; } | \
			sed '/^$$/d' | sort -u >"$(DESTDIR)$(INSTALL_MANIFEST).tmp"; \
		mv "$(DESTDIR)$(INSTALL_MANIFEST).tmp" "$(DESTDIR)$(INSTALL_MANIFEST)"; \
		chmod 0644 "$(DESTDIR)$(INSTALL_MANIFEST)"; \
	fi
	$(Q)install -m 0755 $(OUTPUT)/xdpfw $(DESTDIR)$(SBINDIR)/xdpfw
	$(Q)install -m 0644 $(OUTPUT)/man/xdpfw.8 $(DESTDIR)$(MANDIR)/man8/xdpfw.8
	$(Q)install -m 0644 $(OUTPUT)/man/xdpfw.conf.5 $(DESTDIR)$(MANDIR)/man5/xdpfw.conf.5
	$(Q)install -m 0644 packaging/bash-completion/xdpfw $(DESTDIR)$(BASHCOMPDIR)/xdpfw
	$(Q)for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			"packaging/systemd/$$u" >"$(DESTDIR)$(SYSTEMDUNITDIR)/$$u" && \
		chmod 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/$$u" || exit 1; \
	done
	$(Q)if [ -e $(DESTDIR)$(CONFIG) ]; then \
		echo "  kept $(DESTDIR)$(CONFIG): there is one already (the built-in policy is" \
		     "$(DEFAULT_POLICY))"; \
	else \
		install -m 0644 $(DEFAULT_POLICY) $(DESTDIR)$(CONFIG); \
	fi

uninstall:
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/xdpfw $(DESTDIR)$(MANDIR)/man8/xdpfw.8 \
		$(DESTDIR)$(MANDIR)/man5/xdpfw.conf.5 $(DESTDIR)$(BASHCOMPDIR)/xdpfw \
		$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))
	$(Q)if cmp -s $(DEFAULT_POLICY) $(DESTDIR)$(CONFIG); then \
		rm -f $(DESTDIR)$(CONFIG); \
	elif [ -e $(DESTDIR)$(CONFIG) ]; then \
		echo "  kept $(DESTDIR)$(CONFIG): changed since it was installed"; \
	fi
	$(Q)m="$(DESTDIR)$(INSTALL_MANIFEST)"; \
	if [ -n "$(INSTALL_MANIFEST)" ] && [ -f "$$m" ]; then \
		dirs=$$(sort -r "$$m"); rm -f "$$m"; \
		for d in $$dirs; do rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done; \
	fi

# The install tree, the man pages and the completion; then the Debian package.
install-test: build-deps
	$(Q)$(MAKE) --no-print-directory $(OUTPUT)/xdpfw $(MANPAGES)
	$(Q)OUTPUT=$(OUTPUT) MAKE="$(MAKE)" timeout 300 bash tests/install/test_install.sh

# The Makefile's recipe for its lists, given this one.
deb-deps:
	$(Q)$(MAKE) --no-print-directory build-deps BUILD_DEPS='$(DEB_DEPS)'

deb-test: build-deps deb-deps
	$(Q)OUTPUT=$(OUTPUT) FRESH_SOURCES="$(FRESH_SOURCES)" timeout 1500 bash tests/install/test_deb.sh
