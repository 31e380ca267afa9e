// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl: manage kcoap, the in-kernel CoAP endpoint, over generic netlink.
 * This file takes the global options and runs one command or a batch; the
 * commands live in their own files (see ctl.c for the list).
 */
#include <stdio.h>
#include <string.h>

#include <linux/kcoap.h>

#include "ctl.h"

static int usage_error(const char *fmt, const char *arg)
{
	fputs("kcoapctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'kcoapctl --help'.\n", stderr);
	return CTL_USAGE;
}

/* Exit status: the command's, or 1 if its output could not be written. */
static int finish(struct ctl *ctl, int rc)
{
	ctl_close(ctl);
	if (fflush(stdout) || ferror(stdout)) {
		fputs("kcoapctl: error writing the output\n", stderr);
		return rc == CTL_OK ? CTL_FAIL : rc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	const char *batch = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			ctl.json = true;
		} else if (!strcmp(a, "--batch") || !strcmp(a, "-b")) {
			if (++i == argc)
				return usage_error("%s needs a FILE", a);
			batch = argv[i];
		} else if (!strncmp(a, "--batch=", 8)) {
			batch = a + 8;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			ctl_print_usage(stdout);
			return finish(&ctl, CTL_OK);
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("kcoapctl %s (generic netlink family \"%s\" version %d)\n",
			       KCOAPCTL_VERSION, KCOAP_FAMILY_NAME,
			       KCOAP_FAMILY_VERSION);
			return finish(&ctl, CTL_OK);
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (batch) {
		if (i < argc)
			return usage_error("--batch takes no command ('%s')", argv[i]);
		return finish(&ctl, ctl_batch(&ctl, batch));
	}
	return finish(&ctl, ctl_run(&ctl, argc - i, argv + i));
}
