// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * What every kcoapctl command shares: the netlink socket, error reporting
 * with exit statuses, help, and finding the command a line names.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "ctl.h"

static void print_prefix(const struct ctl *ctl)
{
	fputs("kcoapctl: ", stderr);
	if (ctl->line)
		fprintf(stderr, "line %lu: ", ctl->line);
}

int ctl_open(struct ctl *ctl, struct kcoap_nl *nl, const char *what)
{
	int err = kcoap_nl_open(nl);

	if (err == -ENOENT) {
		print_prefix(ctl);
		fprintf(stderr, "%s%sgeneric netlink family \"kcoap\" not found: "
			"is the kcoap module loaded?\n", what ? what : "",
			what ? ": " : "");
		return CTL_UNAVAILABLE;
	}
	if (err < 0) {
		print_prefix(ctl);
		fprintf(stderr, "%s%scannot open a generic netlink socket: %s\n",
			what ? what : "", what ? ": " : "", strerror(-err));
		return CTL_FAIL;
	}
	return CTL_OK;
}

int ctl_connect(struct ctl *ctl)
{
	int rc;

	if (ctl->connected)
		return CTL_OK;
	rc = ctl_open(ctl, &ctl->nl, NULL);
	if (rc == CTL_OK)
		ctl->connected = true;
	return rc;
}

void ctl_close(struct ctl *ctl)
{
	if (ctl->connected)
		kcoap_nl_close(&ctl->nl);
	ctl->connected = false;
}

int ctl_usage(struct ctl *ctl, const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	print_prefix(ctl);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kcoapctl %s%s--help'.\n", cmd ? cmd->name : "",
		cmd ? " " : "");
	return CTL_USAGE;
}

static const char *attr_name(const char *const *names, int n, int type,
			     char *buf, size_t size)
{
	if (names && type > 0 && type < n && names[type])
		return names[type];
	snprintf(buf, size, "%d", type);
	return buf;
}

/* The attribute an extended ack pointed at, as "path" or "repr.size". */
static void print_bad_attr(const struct kcoap_nl *nl,
			   const struct attr_names *names)
{
	char b1[16], b2[16];

	if (nl->bad_attr) {
		fprintf(stderr, " (attribute %s",
			attr_name(names ? names->top : NULL,
				  names ? names->n_top : 0, nl->bad_attr,
				  b1, sizeof(b1)));
		if (nl->bad_nested)
			fprintf(stderr, ".%s",
				attr_name(names ? names->nested : NULL,
					  names ? names->n_nested : 0,
					  nl->bad_nested, b2, sizeof(b2)));
		fputc(')', stderr);
	}
	if (nl->missing_attr)
		fprintf(stderr, " (missing attribute %s)",
			attr_name(names ? names->top : NULL,
				  names ? names->n_top : 0, nl->missing_attr,
				  b1, sizeof(b1)));
}

int ctl_fail(struct ctl *ctl, int err, const struct attr_names *names,
	     const char *fmt, ...)
{
	va_list ap;

	print_prefix(ctl);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(-err));
	if (ctl->connected && ctl->nl.extack[0])
		fprintf(stderr, ": %s", ctl->nl.extack);
	if (ctl->connected)
		print_bad_attr(&ctl->nl, names);
	/*
	 * Changes, the dumps that show other clients and the events group
	 * need CAP_NET_ADMIN over the network namespace.
	 */
	if (err == -EPERM)
		fputs(" (needs CAP_NET_ADMIN in the network namespace's user "
		      "namespace: run as root, or in a namespace you own)", stderr);
	/* Without CAP_NET_ADMIN the send buffer stops at net.core.wmem_max. */
	if (err == -EMSGSIZE)
		fputs(" (larger than the socket send buffer allows: raise "
		      "net.core.wmem_max or run with CAP_NET_ADMIN)", stderr);
	fputc('\n', stderr);
	return CTL_FAIL;
}

void ctl_warn_extack(struct ctl *ctl, const char *what)
{
	if (!ctl->connected || !ctl->nl.extack[0])
		return;
	print_prefix(ctl);
	fprintf(stderr, "%s: warning: %s\n", what, ctl->nl.extack);
}

int ctl_help(const struct command *cmd)
{
	printf("Usage: kcoapctl %s%s%s\n\n%s", cmd->name,
	       cmd->args[0] ? " " : "", cmd->args, cmd->help);
	return CTL_OK;
}

static const struct command *const commands[] = {
	&cmd_resource_add, &cmd_resource_set, &cmd_resource_del,
	&cmd_resource_show, &cmd_stats, &cmd_config_show, &cmd_config_set,
	&cmd_observers, &cmd_peers, &cmd_monitor, &cmd_daemon,
	&cmd_endpoint_show, &cmd_endpoint_add, &cmd_endpoint_del,
	&cmd_session_show, &cmd_session_del,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Groups of commands, and what the group's name alone runs. */
static const struct group {
	const char *name;
	const struct command *dflt;
} groups[] = {
	{ "resource", &cmd_resource_show },
	{ "config", &cmd_config_show },
	{ "endpoint", &cmd_endpoint_show },
	{ "session", &cmd_session_show },
};

void ctl_print_usage(FILE *f)
{
	size_t i;

	fputs("Usage: kcoapctl [--json] COMMAND [ARGS...]\n"
	      "       kcoapctl [--json] --batch FILE\n"
	      "       kcoapctl --help | --version\n\n"
	      "Manage kcoap, the in-kernel CoAP endpoint, over generic netlink.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s %s\n", commands[i]->name, commands[i]->args);
	fputs("\nOptions:\n"
	      "  -j, --json         JSON output from the read commands\n"
	      "  -b, --batch FILE   run the commands in FILE (- for stdin), one\n"
	      "                     per line, stopping at the first failure\n"
	      "  -h, --help         this help; 'kcoapctl COMMAND --help' for a\n"
	      "                     command's\n"
	      "  -V, --version      kcoapctl's version\n\n"
	      "Exit status: 0 success, 1 the kernel refused or the operation\n"
	      "failed, 2 usage error, 3 kcoap not available (module not loaded).\n"
	      "See kcoapctl(8).\n", f);
}

/* Does @name ("resource add") start @argv? Sets *words to its length. */
static bool name_matches(const char *name, int argc, char **argv, int *words)
{
	int w = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (w >= argc || strlen(argv[w]) != len ||
		    strncmp(argv[w], name, len))
			return false;
		w++;
		name += len;
		name += strspn(name, " ");
	}
	*words = w;
	return true;
}

static int group_help(const struct group *g)
{
	size_t i;

	printf("Usage: kcoapctl %s COMMAND [ARGS...]\n\nCommands:\n", g->name);
	for (i = 0; i < N_COMMANDS; i++)
		if (!strncmp(commands[i]->name, g->name, strlen(g->name)) &&
		    commands[i]->name[strlen(g->name)] == ' ')
			printf("  %s %s\n", commands[i]->name, commands[i]->args);
	printf("\n'kcoapctl %s' alone runs '%s'. "
	       "'kcoapctl %s COMMAND --help' tells more.\n",
	       g->name, g->dflt->name, g->name);
	return CTL_OK;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help");
}

/* A group's name followed by nothing, options, or an unknown word. */
static int run_group(struct ctl *ctl, const struct group *g, int argc,
		     char **argv)
{
	if (argc > 1 && is_help(argv[1]))
		return group_help(g);
	if (argc > 1 && argv[1][0] != '-') {
		print_prefix(ctl);
		fprintf(stderr, "unknown command '%s %s'\nTry 'kcoapctl %s --help'.\n",
			g->name, argv[1], g->name);
		return CTL_USAGE;
	}
	return g->dflt->run(ctl, g->dflt, argc - 1, argv + 1);
}

int ctl_run(struct ctl *ctl, int argc, char **argv)
{
	const struct command *best = NULL;
	int best_words = 0, words;
	size_t i;

	if (argc < 1) {
		print_prefix(ctl);
		fputs("no command given\nTry 'kcoapctl --help'.\n", stderr);
		return CTL_USAGE;
	}
	/* "kcoapctl help [COMMAND...]" is "kcoapctl [COMMAND...] --help". */
	if (!strcmp(argv[0], "help") && argc == 1) {
		ctl_print_usage(stdout);
		return CTL_OK;
	}
	if (!strcmp(argv[0], "help")) {
		static char help_opt[] = "--help";
		char *args[8];
		int n = argc - 1 < 6 ? argc - 1 : 6;

		memcpy(args, argv + 1, n * sizeof(*args));
		args[n] = help_opt;
		return ctl_run(ctl, n + 1, args);
	}
	for (i = 0; i < N_COMMANDS; i++) {
		if (name_matches(commands[i]->name, argc, argv, &words) &&
		    words > best_words) {
			best = commands[i];
			best_words = words;
		}
	}
	if (best)
		return best->run(ctl, best, argc - best_words, argv + best_words);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(argv[0], groups[i].name))
			return run_group(ctl, &groups[i], argc, argv);
	print_prefix(ctl);
	fprintf(stderr, "unknown command '%s'\nTry 'kcoapctl --help'.\n", argv[0]);
	return CTL_USAGE;
}
