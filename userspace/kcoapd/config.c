// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * /etc/kcoap/kcoapd.conf: "KEY VALUE" lines, '#' comments (kcoapd(8)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcoapd.h"

void kcoapd_config_defaults(struct kcoapd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->store_max = 10000;
	c->value_max = 65536;
}

static int number(const char *path, int line, const char *key, const char *v,
		  unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (errno || *end || end == v || *out < min || *out > max) {
		fprintf(stderr, "kcoapd: %s:%d: %s '%s' is not a number from %lu to %lu\n",
			path, line, key, v, min, max);
		return -EINVAL;
	}
	return 0;
}

int kcoapd_config_load(struct kcoapd_config *c, const char *path)
{
	char buf[512], *key, *val, *save;
	unsigned long n;
	int line = 0, err = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "kcoapd: cannot read %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!err && fgets(buf, sizeof(buf), f)) {
		line++;
		buf[strcspn(buf, "#\n")] = 0;
		key = strtok_r(buf, " \t", &save);
		if (!key)
			continue;
		val = strtok_r(NULL, " \t", &save);
		if (!val || strtok_r(NULL, " \t", &save)) {
			fprintf(stderr, "kcoapd: %s:%d: want \"%s VALUE\"\n", path, line, key);
			err = -EINVAL;
		} else if (!strcmp(key, "prefix")) {
			if (c->n_prefixes == KCOAPD_MAX_PREFIXES || val[0] != '/') {
				fprintf(stderr, "kcoapd: %s:%d: prefix '%s': a path, at most %d of them\n",
					path, line, val, KCOAPD_MAX_PREFIXES);
				err = -EINVAL;
			} else {
				c->prefixes[c->n_prefixes++] = strdup(val);
			}
		} else if (!strcmp(key, "request-entries")) {
			err = number(path, line, key, val, 2, 16384, &n);
			c->req_entries = (uint32_t)n;
		} else if (!strcmp(key, "response-entries")) {
			err = number(path, line, key, val, 2, 16384, &n);
			c->rsp_entries = (uint32_t)n;
		} else if (!strcmp(key, "slot-size")) {
			err = number(path, line, key, val, 256, 65536, &n);
			c->slot_size = (uint32_t)n;
		} else if (!strcmp(key, "store-max")) {
			err = number(path, line, key, val, 1, 10000000, &n);
			c->store_max = n;
		} else if (!strcmp(key, "value-max")) {
			err = number(path, line, key, val, 1, 16 << 20, &n);
			c->value_max = n;
		} else if (!strcmp(key, "push")) {
			if (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "ring")) {
				fprintf(stderr, "kcoapd: %s:%d: push '%s': on, ring or off\n",
					path, line, val);
				err = -EINVAL;
			}
			c->no_push = !strcmp(val, "off");
			c->push_ring = !strcmp(val, "ring");
		} else if (!strcmp(key, "log")) {
			if (strcmp(val, "syslog") && strcmp(val, "stderr")) {
				fprintf(stderr, "kcoapd: %s:%d: log '%s': syslog or stderr\n",
					path, line, val);
				err = -EINVAL;
			}
			c->syslog = !strcmp(val, "syslog");
		} else {
			fprintf(stderr, "kcoapd: %s:%d: unknown setting '%s'\n", path, line, key);
			err = -EINVAL;
		}
	}
	fclose(f);
	return err;
}
