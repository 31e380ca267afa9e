/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * TAP for the userspace host tests: ok() prints one case (t_prefix before
 * its description) and says whether it passed, diag() a comment line.
 * main() prints the plan, "1..t_count", and fails if t_failed.
 */
#ifndef KCOAP_TESTS_TAP_H
#define KCOAP_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int t_count, t_failed;
static const char *t_prefix = "";

static inline bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	t_count++;
	if (!cond)
		t_failed++;
	printf("%sok %d - %s", cond ? "" : "not ", t_count, t_prefix);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("#   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#endif
