// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Command-line parsing for kcoapctl.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

void opt_init(struct optparse *p, struct ctl *ctl, const struct command *cmd,
	      int argc, char **argv)
{
	memset(p, 0, sizeof(*p));
	p->ctl = ctl;
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
}

static const struct opt *find_long(const struct opt *opts, const char *name,
				   size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (; opts->name; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

/* The value of option @o: after '=' in @inline_val, or the next argument. */
static int take_value(struct optparse *p, const struct opt *o,
		      const char *inline_val)
{
	if (!o->has_arg) {
		if (inline_val) {
			ctl_usage(p->ctl, p->cmd, "%s takes no value", p->name);
			return OPT_ERROR;
		}
		p->arg = NULL;
		return o->key;
	}
	if (inline_val) {
		p->arg = inline_val;
		return o->key;
	}
	if (p->i >= p->argc) {
		ctl_usage(p->ctl, p->cmd, "%s needs a value", p->name);
		return OPT_ERROR;
	}
	p->arg = p->argv[p->i++];
	return o->key;
}

int opt_next(struct optparse *p, const struct opt *opts)
{
	const struct opt *o;
	const char *a, *eq;

	if (p->i >= p->argc)
		return OPT_DONE;
	a = p->argv[p->i++];
	/* "-" alone is a positional (stdin), as are negative numbers. */
	if (p->positional_only || a[0] != '-' || !a[1] || isdigit((unsigned char)a[1])) {
		p->arg = a;
		return OPT_POSITIONAL;
	}
	if (!strcmp(a, "--")) {
		p->positional_only = true;
		return opt_next(p, opts);
	}
	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		snprintf(p->name, sizeof(p->name), "%.*s",
			 (int)(eq ? (size_t)(eq - a) : strlen(a)), a);
		o = find_long(opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o) {
			ctl_usage(p->ctl, p->cmd, "unknown option '%s'", p->name);
			return OPT_ERROR;
		}
		return take_value(p, o, eq ? eq + 1 : NULL);
	}
	snprintf(p->name, sizeof(p->name), "-%c", a[1]);
	o = find_short(opts, a[1]);
	if (!o || (a[2] && !o->has_arg)) {
		ctl_usage(p->ctl, p->cmd, "unknown option '%s'", o ? a : p->name);
		return OPT_ERROR;
	}
	return take_value(p, o, a[2] ? a + 2 : NULL);
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and a sign; a number may not. */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}
