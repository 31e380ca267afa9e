/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Command-line parsing: options in any order among the positional
 * arguments ("--name VALUE", "--name=VALUE", "-x VALUE"), "--" ending
 * options, and the value parsers every command uses. Options are returned
 * in the order given, which "--ct X --value V" pairs rely on.
 */
#ifndef KCOAPCTL_ARGS_H
#define KCOAPCTL_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl.h"

struct opt {
	const char *name;	/* long name without "--" */
	char short_name;	/* or 0 */
	bool has_arg;
	int key;		/* returned by opt_next(), > 0 */
};

/* Keys every command understands. */
enum { OPT_HELP = 1000, OPT_JSON };
#define OPT_COMMON { "help", 'h', false, OPT_HELP }, { "json", 'j', false, OPT_JSON }
#define OPT_TABLE_END { NULL, 0, false, 0 }

enum {
	OPT_DONE = 0,		/* no more arguments */
	OPT_POSITIONAL = -1,	/* p->arg is a positional argument */
	OPT_ERROR = -2,		/* reported; exit with CTL_USAGE */
};

struct optparse {
	struct ctl *ctl;
	const struct command *cmd;
	int argc;
	char **argv;
	int i;			/* next argument */
	bool positional_only;	/* after "--" */
	const char *arg;	/* the option's value, or the positional */
	char name[64];		/* the option as the user wrote it, for messages */
};

void opt_init(struct optparse *p, struct ctl *ctl, const struct command *cmd,
	      int argc, char **argv);

/* Next option key, OPT_POSITIONAL, OPT_DONE or OPT_ERROR. */
int opt_next(struct optparse *p, const struct opt *opts);

/*
 * Decimal unsigned number in [min, max]: 0, -EINVAL if not a number,
 * -ERANGE if out of range.
 */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

#endif /* KCOAPCTL_ARGS_H */
