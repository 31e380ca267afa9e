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
#include <stddef.h>
#include <unistd.h>

#include "kcoapd.h"

/* A copy of a string from the file, on the config's list. */
struct kcoapd_config_str {
	struct kcoapd_config_str *next;
	char s[];
};

static const char *keep(struct kcoapd_config *c, const char *val)
{
	size_t n = strlen(val) + 1;
	struct kcoapd_config_str *k = malloc(sizeof(*k) + n);

	if (!k) {
		fprintf(stderr, "kcoapd: out of memory reading the settings\n");
		exit(1);
	}
	memcpy(k->s, val, n);
	k->next = c->strings;
	c->strings = k;
	return k->s;
}

void kcoapd_config_free(struct kcoapd_config *c)
{
	struct kcoapd_config_str *k, *next;

	for (k = c->strings; k; k = next) {
		next = k->next;
		free(k);
	}
	c->strings = NULL;
}

void kcoapd_config_defaults(struct kcoapd_config *c)
{
	static char host[64], prefix[128], id[96];

	memset(c, 0, sizeof(*c));
	c->store_max = 10000;
	c->value_max = 65536;
	if (gethostname(host, sizeof(host)) || !host[0])
		strcpy(host, "gateway");
	host[sizeof(host) - 1] = 0;
	snprintf(prefix, sizeof(prefix), "kcoap/%s/", host);
	snprintf(id, sizeof(id), "kcoap-%s", host);
	c->mqtt_url = "mqtt://localhost";
	c->topic_prefix = prefix;
	c->client_id = id;
	c->protocol = 5;
	c->keepalive = 30;
	c->session_expiry = 86400;
	c->queue_max = 10000;
	c->reconnect_max = 30;
	c->subs_max = 1000;
	c->retained_wait = 300;
	c->rd_lifetime_max = 90000;
	c->devices_max = 1000;
	c->ack_timeout = 2000;
	c->max_retransmit = 4;
}

static int number(const char *where, const char *key, const char *v,
		  unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (errno || *end || end == v || *out < min || *out > max || v[0] == '-') {
		fprintf(stderr, "kcoapd: %s: %s '%s' is not a number from %lu to %lu\n",
			where, key, v, min, max);
		return -EINVAL;
	}
	return 0;
}

/* Settings that are strings, kept as given. */
static const struct {
	const char *key;
	size_t off;
} strings[] = {
	{ "topic-prefix", offsetof(struct kcoapd_config, topic_prefix) },
	{ "mqtt-client-id", offsetof(struct kcoapd_config, client_id) },
	{ "mqtt-user", offsetof(struct kcoapd_config, user) },
	{ "mqtt-password", offsetof(struct kcoapd_config, password) },
	{ "mqtt-ca-file", offsetof(struct kcoapd_config, ca_file) },
	{ "mqtt-cert-file", offsetof(struct kcoapd_config, cert_file) },
	{ "mqtt-key-file", offsetof(struct kcoapd_config, key_file) },
};

/* Settings that are numbers: key, where, and the range. */
static const struct {
	const char *key;
	size_t off;
	unsigned long min, max;
} numbers[] = {
	{ "mqtt-keepalive", offsetof(struct kcoapd_config, keepalive), 5, 65535 },
	{ "mqtt-session-expiry", offsetof(struct kcoapd_config, session_expiry), 0, 0xffffffff },
	{ "mqtt-queue-max", offsetof(struct kcoapd_config, queue_max), 1, 60000 },
	{ "mqtt-reconnect-max", offsetof(struct kcoapd_config, reconnect_max), 1, 3600 },
	{ "subscriptions-max", offsetof(struct kcoapd_config, subs_max), 1, 1000000 },
	{ "retained-wait", offsetof(struct kcoapd_config, retained_wait), 0, 10000 },
	{ "rd-lifetime-max", offsetof(struct kcoapd_config, rd_lifetime_max), 1, 0xffffffff },
	{ "devices-max", offsetof(struct kcoapd_config, devices_max), 1, 1000000 },
	{ "coap-ack-timeout", offsetof(struct kcoapd_config, ack_timeout), 100, 60000 },
	/* 10, as the kernel's max-retransmit: a command holds one of few slots
	 * until it gives up, which takes 2^(n+1) - 1 ack timeouts.
	 */
	{ "coap-max-retransmit", offsetof(struct kcoapd_config, max_retransmit), 0, 10 },
};

int kcoapd_config_set(struct kcoapd_config *c, const char *key, const char *val,
		      const char *where)
{
	unsigned long n;
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (!strcmp(key, strings[i].key)) {
			*(const char **)((char *)c + strings[i].off) = keep(c, val);
			return 0;
		}
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (!strcmp(key, numbers[i].key)) {
			if (number(where, key, val, numbers[i].min, numbers[i].max, &n))
				return -EINVAL;
			*(uint32_t *)((char *)c + numbers[i].off) = (uint32_t)n;
			return 0;
		}
	if (!strcmp(key, "mqtt-url")) {
		c->mqtt_url = strcmp(val, "off") ? keep(c, val) : NULL;
		return 0;
	}
	if (!strcmp(key, "mqtt-protocol")) {
		if (strcmp(val, "5") && strcmp(val, "3.1.1")) {
			fprintf(stderr, "kcoapd: %s: mqtt-protocol '%s': 5 or 3.1.1\n", where, val);
			return -EINVAL;
		}
		c->protocol = strcmp(val, "5") ? 4 : 5;
		return 0;
	}
	return 1;
}

int kcoapd_config_load(struct kcoapd_config *c, const char *path)
{
	char buf[512], where[300], *key, *val, *save;
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
		snprintf(where, sizeof(where), "%s:%d", path, line);
		val = strtok_r(NULL, " \t", &save);
		if (val && !strcmp(key, "device")) {
			char *addr = strtok_r(NULL, " \t", &save);

			if (!addr || strtok_r(NULL, " \t", &save) ||
			    c->n_devices == KCOAPD_MAX_DEVICES) {
				fprintf(stderr, "kcoapd: %s: want \"device NAME HOST[:PORT]\" (at most %d)\n",
					where, KCOAPD_MAX_DEVICES);
				err = -EINVAL;
			} else {
				c->devices[c->n_devices][0] = keep(c, val);
				c->devices[c->n_devices][1] = keep(c, addr);
				c->n_devices++;
			}
		} else if (!val || strtok_r(NULL, " \t", &save)) {
			fprintf(stderr, "kcoapd: %s: want \"%s VALUE\"\n", where, key);
			err = -EINVAL;
		} else if (!strcmp(key, "prefix")) {
			if (c->n_prefixes == KCOAPD_MAX_PREFIXES || val[0] != '/') {
				fprintf(stderr, "kcoapd: %s:%d: prefix '%s': a path, at most %d of them\n",
					path, line, val, KCOAPD_MAX_PREFIXES);
				err = -EINVAL;
			} else {
				c->prefixes[c->n_prefixes++] = keep(c, val);
			}
		} else if (!strcmp(key, "request-entries")) {
			err = number(where, key, val, 2, 16384, &n);
			c->req_entries = (uint32_t)n;
		} else if (!strcmp(key, "response-entries")) {
			err = number(where, key, val, 2, 16384, &n);
			c->rsp_entries = (uint32_t)n;
		} else if (!strcmp(key, "slot-size")) {
			err = number(where, key, val, 256, 65536, &n);
			c->slot_size = (uint32_t)n;
		} else if (!strcmp(key, "store-max")) {
			err = number(where, key, val, 1, 10000000, &n);
			c->store_max = n;
		} else if (!strcmp(key, "value-max")) {
			err = number(where, key, val, 1, 16 << 20, &n);
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
		} else if ((err = kcoapd_config_set(c, key, val, where)) > 0) {
			fprintf(stderr, "kcoapd: %s: unknown setting '%s'\n", where, key);
			err = -EINVAL;
		}
	}
	fclose(f);
	return err;
}
