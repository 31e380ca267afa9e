/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl's resource commands, and what tests and other commands use.
 */
#ifndef KCOAPCTL_RESOURCE_H
#define KCOAPCTL_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "json.h"
#include "kcoap_resource.h"

/*
 * The largest value kcoapctl sends: the largest max-resource-size the
 * kernel accepts (uapi/kcoap.yaml), so nothing larger can be stored.
 */
#define KCOAPCTL_VALUE_MAX 16777216u

extern const struct attr_names resource_attr_names;

/* The arguments of resource add and resource set. */
struct write_args {
	struct kcoap_resource res;	/* path, values, attributes to send */
	const char *path;
	/* Values and --ct options in the order given, paired at the end. */
	struct write_value {
		uint8_t *data;
		size_t len;
	} *values;
	unsigned int n_values;
	struct write_ct {
		uint16_t cf;
		const char *text;
	} *cts;
	unsigned int n_cts;
	bool help;
};

/*
 * Parse them into @wa (zeroed by the caller, freed with write_args_free()):
 * CTL_OK or an exit status, reported.
 */
int parse_write_args(struct ctl *ctl, const struct command *cmd, int argc,
		     char **argv, struct write_args *wa);
void write_args_free(struct write_args *wa);

/* Read all of @file ("-": stdin): 0, -errno, or -EFBIG past the maximum. */
int read_value_file(const char *file, uint8_t **buf, size_t *len);

void print_resource_table(const struct kcoap_resource *v, size_t n, FILE *f);
void print_resource_detail(const struct kcoap_resource *r, FILE *f);
void json_resource(struct json *j, const struct kcoap_resource *r);

#endif /* KCOAPCTL_RESOURCE_H */
