// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Telling systemd how kcoapd is doing (sd_notify(3)): READY=1 once it is
 * attached, WATCHDOG=1 at half the unit's WatchdogSec=, STOPPING=1 on the
 * way out. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "kcoapd.h"

void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

int notify_watchdog_fd(void)
{
	struct itimerspec its = { 0 };
	uint64_t usec, half;
	int fd;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		kcoapd_log(LOG_WARNING, "watchdog timer: %s", strerror(errno));
		return -1;
	}
	half = usec / 2 ? usec / 2 : 1;
	its.it_interval.tv_sec = (time_t)(half / 1000000);
	its.it_interval.tv_nsec = (long)(half % 1000000) * 1000;
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	sd_notify(0, "WATCHDOG=1");
	return fd;
}

void notify_watchdog(int fd)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		kcoapd_log(LOG_WARNING, "watchdog timer: %s", strerror(errno));
	sd_notify(0, "WATCHDOG=1");
}
