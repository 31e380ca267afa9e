/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * --netns NAME of the test tools: enter the network namespace that
 * `ip netns add NAME` made, or exit 2 saying why.
 */
/* The includer defines _GNU_SOURCE (setns()) before its first include. */
#ifndef KCOAP_TOOLS_NETNS_H
#define KCOAP_TOOLS_NETNS_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void tool_enter_netns(const char *prog, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "%s: cannot enter network namespace '%s': %s\n",
			prog, name, strerror(errno));
		exit(2);
	}
	close(fd);
}

#endif
