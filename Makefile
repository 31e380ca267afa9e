# SPDX-License-Identifier: GPL-2.0
#
# kcoap: a CoAP endpoint in the Linux kernel with a CoAP/MQTT gateway daemon.
#
#   make                 build kcoap.ko for the running kernel (or Debian's 6.1)
#                        and the userspace tools (build/userspace/)
#   make KDIR=DIR        build it against another kernel tree or headers
#   make run             boot the gateway in QEMU, ports forwarded to localhost
#   make check           install what is missing and run every test
#   make check-quick     the same, less the debug kernel's end-to-end runs and
#                        a few slow stages: about 4 minutes, for an edit loop
#   make bench           measure kcoap against userspace CoAP servers in a
#                        guest; writes docs/benchmarks.md (5 to 10 minutes)
#   make install         install kcoap.ko for KDIR's kernel (modules_install,
#                        lib/modules/REL/extra), kcoapctl, kcoapd, its unit,
#                        udev rule and settings; DESTDIR= stages, PREFIX=
#                        (/usr/local) places the userspace part
#   make uninstall       remove all that again (changed settings stay)
#   make deb             the Debian packages kcoap-dkms and kcoap, in build/deb/

TOP := $(abspath .)

# Default kernel: the running one if its headers are installed, else the
# newest Debian 6.1 headers (linux-headers-amd64).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))))
# Only the module's targets need one: make run, check and deps install the
# headers themselves on a fresh machine.
ifeq ($(KDIR),)
ifneq ($(filter all module install uninstall,$(or $(MAKECMDGOALS),all)),)
$(error no kernel headers found: apt-get install linux-headers-amd64, or set KDIR)
endif
endif
KREL := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR := $(TOP)/build/kmod-$(KREL)
# kcoap is clean at W=1: build that way always, so every build (yours, the
# guest runner's, make check's) shares one set of objects.
W ?= 1

# Everything the module is built from; each kernel gets a symlink tree.
KSOURCES := Kbuild $(shell find kmod uapi -name '*.[ch]' 2>/dev/null)

.PHONY: all module userspace install uninstall deb run check check-quick bench fuzz deps clean

all: module userspace

userspace:
	$(MAKE) -C userspace

module:
	@test -n "$(KREL)" || { echo "$(KDIR) is not a configured kernel tree" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@find $(MODDIR) -xtype l -delete
	@for f in $(KSOURCES); do \
		mkdir -p $(MODDIR)/$$(dirname $$f); \
		ln -sfn $(TOP)/$$f $(MODDIR)/$$f; \
	done
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=$(W) $(if $(C),C=$(C)) modules
ifneq ($(origin KDIR),command line)
	@ln -sfn $(MODDIR)/kcoap.ko kcoap.ko
endif

# depmod only for the real thing: a staged tree is somebody else's to index.
install: module userspace
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules_install INSTALL_MOD_PATH=$(DESTDIR)
ifeq ($(DESTDIR),)
	depmod -a $(KREL)
endif
	$(MAKE) -C userspace install

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/extra/kcoap.ko*
ifeq ($(DESTDIR),)
	depmod -a $(KREL)
endif
	$(MAKE) -C userspace uninstall

# From a copy of the tree in build/deb/ (dpkg-buildpackage writes its
# packages next to the source directory, and cleans what it builds in).
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
deb:
	rm -rf build/deb
	mkdir -p build/deb/kcoap-$(DEB_VERSION)
	tar -C $(TOP) --exclude=./build --exclude=./.git --exclude=./kcoap.ko -cf - . | \
		tar -C build/deb/kcoap-$(DEB_VERSION) -xf -
	cd build/deb/kcoap-$(DEB_VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; exit 1; }
	@ls build/deb/*.deb

run:
	qemu/gateway

check:
	tests/check

check-quick:
	tests/check --quick

bench:
	tests/bench/run

fuzz:
	$(MAKE) -C tests/unit fuzz SECONDS=$(or $(SECONDS),60)

deps:
	qemu/install-deps

clean:
	rm -rf build kcoap.ko
