// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl --batch FILE: one command per line on one netlink socket (the
 * family is resolved once), stopping at the first failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define BATCH_MAX_WORDS 1024

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy a quoted string from *r (after the quote) to *w; false if open. */
static bool copy_quoted(char **r, char **w, char quote)
{
	while (**r && **r != quote) {
		/* In "...", backslash escapes only " and \, as in the shell. */
		if (quote == '"' && **r == '\\' && ((*r)[1] == '"' || (*r)[1] == '\\'))
			(*r)++;
		*(*w)++ = *(*r)++;
	}
	if (!**r)
		return false;
	(*r)++;
	return true;
}

int batch_split(char *line, char **argv, int max, const char **err)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (is_blank(*r))
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			*err = "too many words";
			return -1;
		}
		argv[n++] = w;
		/* The word is rewritten in place: w never passes r. */
		while (*r && !is_blank(*r)) {
			if (*r == '\'' || *r == '"') {
				char q = *r++;

				if (!copy_quoted(&r, &w, q)) {
					*err = q == '"' ? "unterminated \"" :
							  "unterminated '";
					return -1;
				}
			} else if (*r == '\\' && r[1]) {
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
}

static int run_line(struct ctl *ctl, char *line)
{
	static char *argv[BATCH_MAX_WORDS];
	const char *err = NULL;
	int argc;

	argc = batch_split(line, argv, BATCH_MAX_WORDS, &err);
	if (argc < 0) {
		fprintf(stderr, "kcoapctl: line %lu: %s\n", ctl->line, err);
		return CTL_USAGE;
	}
	if (argc == 0)
		return CTL_OK;
	/* Lines copied from a shell may keep the program's name. */
	if (!strcmp(argv[0], "kcoapctl")) {
		if (argc == 1)
			return CTL_OK;
		return ctl_run(ctl, argc - 1, argv + 1);
	}
	return ctl_run(ctl, argc, argv);
}

int ctl_batch(struct ctl *ctl, const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	unsigned long n = 0;
	size_t cap = 0;
	char *line = NULL;
	int rc = CTL_OK;

	if (!f) {
		fprintf(stderr, "kcoapctl: --batch %s: %s\n", file, strerror(errno));
		return CTL_FAIL;
	}
	while (getline(&line, &cap, f) >= 0) {
		ctl->line = ++n;
		rc = run_line(ctl, line);
		/* Output of each command before the next one's errors. */
		fflush(stdout);
		if (rc != CTL_OK)
			break;
	}
	if (rc == CTL_OK && ferror(f)) {
		fprintf(stderr, "kcoapctl: --batch %s: read error\n", file);
		rc = CTL_FAIL;
	}
	ctl->line = 0;
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}
