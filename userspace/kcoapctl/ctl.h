/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl: what every command shares. A command is a function that gets
 * its arguments (after the command's words), does its work on the shared
 * netlink socket and returns the process exit status.
 */
#ifndef KCOAPCTL_CTL_H
#define KCOAPCTL_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "kcoap_nl.h"

#define KCOAPCTL_VERSION "0.1"

/* Exit statuses; docs/kcoapctl.8 documents them. */
enum {
	CTL_OK = 0,		/* success */
	CTL_FAIL = 1,		/* the kernel refused, or the operation failed */
	CTL_USAGE = 2,		/* bad command line; nothing was sent */
	CTL_UNAVAILABLE = 3,	/* no "kcoap" generic netlink family */
};

struct ctl {
	struct kcoap_nl nl;	/* opened on first use, kept for a batch */
	bool connected;
	bool json;		/* --json given before the command */
	unsigned long line;	/* line of the batch being run, or 0 */
};

/* Names of one attribute set, indexed by type, to explain extended acks. */
struct attr_names {
	const char *const *top;
	int n_top;
	const char *const *nested;	/* inside the set's one nest type */
	int n_nested;
};

struct command {
	const char *name;	/* the words that select it: "resource add" */
	int (*run)(struct ctl *ctl, const struct command *cmd, int argc,
		   char **argv);
	const char *args;	/* synopsis after the name */
	const char *help;	/* what it does, then its options */
};

/* The shared socket, connected on first use: CTL_OK or an exit status. */
int ctl_connect(struct ctl *ctl);

/*
 * Open a socket of one's own (for the events group) with the same error
 * reporting, prefixed with @what if not NULL: CTL_OK or an exit status.
 */
int ctl_open(struct ctl *ctl, struct kcoap_nl *nl, const char *what);

void ctl_close(struct ctl *ctl);

/* Report a usage error about @cmd; returns CTL_USAGE. */
int ctl_usage(struct ctl *ctl, const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Report a failed operation: @what, strerror(-err), the kernel's extended
 * ack and the attribute it named (looked up in @names, may be NULL), and a
 * hint for EPERM. Returns CTL_FAIL.
 */
int ctl_fail(struct ctl *ctl, int err, const struct attr_names *names,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Show a warning the kernel attached to a successful request, if any. */
void ctl_warn_extack(struct ctl *ctl, const char *what);

/* Print "Usage: ..." and the help of @cmd on stdout; returns CTL_OK. */
int ctl_help(const struct command *cmd);

/* Run one command line (argv[0] is the command's first word). */
int ctl_run(struct ctl *ctl, int argc, char **argv);

/* Top-level help, on @f. */
void ctl_print_usage(FILE *f);

/* Run the commands of @file ("-": stdin), one per line. */
int ctl_batch(struct ctl *ctl, const char *file);

/*
 * Split @line in place into words: blanks separate, '...' and "..." quote,
 * a backslash escapes the next character (in "..." only \" and \\), and a
 * word starting with '#' begins a comment. Returns the number of words,
 * or -1 with *err set for an unterminated quote or more than @max words.
 */
int batch_split(char *line, char **argv, int max, const char **err);

/* The commands (one file each, or by subject). */
extern const struct command cmd_resource_add, cmd_resource_set,
	cmd_resource_del, cmd_resource_show, cmd_stats, cmd_config_show,
	cmd_config_set, cmd_observers, cmd_peers, cmd_monitor, cmd_daemon,
	cmd_endpoint_show, cmd_endpoint_add, cmd_endpoint_del, cmd_session_show,
	cmd_session_del;

#endif /* KCOAPCTL_CTL_H */
