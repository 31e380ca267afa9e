// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Logging to stderr or syslog.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "kcoapd.h"

static bool use_syslog;
static int max_level = LOG_INFO;

void kcoapd_log_init(bool to_syslog, bool verbose)
{
	use_syslog = to_syslog;
	if (verbose)
		max_level = LOG_DEBUG;
	if (use_syslog)
		openlog("kcoapd", LOG_PID, LOG_DAEMON);
}

void kcoapd_log_level(int level)
{
	max_level = level;
}

void kcoapd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	/* Errors always; the rest up to log-level. */
	if (prio > max_level && prio > LOG_ERR)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		fputs("kcoapd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
