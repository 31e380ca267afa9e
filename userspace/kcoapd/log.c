// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Logging to stderr or syslog; under systemd, stderr lines carry their
 * priority as sd-daemon(3) prefixes, so journalctl -p works. Paths, names
 * and topics in messages come from the network: control bytes (and
 * backslashes) are written \xNN.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "kcoapd.h"

static bool use_syslog, journal;
static int max_level = LOG_INFO;

void kcoapd_log_init(bool to_syslog, bool verbose)
{
	use_syslog = to_syslog;
	/* stderr is the journal's (systemd.exec(5)): say each line's priority. */
	journal = getenv("JOURNAL_STREAM") != NULL;
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
	static const char hexd[] = "0123456789abcdef";
	char msg[1024], out[4 * sizeof(msg)];
	size_t i, n = 0;
	va_list ap;

	/* Errors always; the rest up to log-level. */
	if (prio > max_level && prio > LOG_ERR)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hexd[c >> 4];
			out[n++] = hexd[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = 0;
	if (use_syslog)
		syslog(prio, "%s", out);
	else if (journal)
		fprintf(stderr, "<%d>%s\n", prio, out);	/* sd-daemon(3) */
	else
		fprintf(stderr, "kcoapd: %s\n", out);
}
