// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * /etc/kcoap/kcoapd.conf: "KEY VALUE" lines (kcoapd(8)). Words are split
 * at blanks; a word may be quoted ("a b", with \" \\ and \# escapes), and
 * '#' starts a comment only at the start of a word, so a password may hold
 * one. Lines may be of any length. The ACL file (acl.c) is split the same
 * way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
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
	c->mqtt_urls[0] = c->mqtt_url;
	c->n_mqtt_urls = 1;
	c->mqtt_urls_default = true;
	c->topic_prefix = prefix;
	c->client_id = id;
	c->protocol = 5;
	c->keepalive = 30;
	c->session_expiry = 86400;
	c->queue_max = 10000;
	c->reconnect_max = 30;
	c->connect_timeout = 10;
	c->subs_max = 1000;
	c->retained_wait = 300;
	c->rd_lifetime_max = 90000;
	c->devices_max = 1000;
	c->ack_timeout = 2000;
	c->max_retransmit = 4;
	c->command_max_age = 300;
	c->stats_interval = 10;
	c->state_dir = KCOAPD_STATE_DIR;
	c->status_dir = "/run/kcoap";
	c->log_level = 6;	/* LOG_INFO */
	c->dtls = -1;
	c->dtls_handshakes_max = 64;
	c->dtls_cid = true;
	c->dtls_mtu = 1232;	/* IPv6's minimum MTU less its headers and UDP's */
	c->http_port = 8080;
	c->http_conns_max = 64;
	c->http_conns_per_ip = 16;
	c->http_body_max = 16384;
	c->http_streams_max = 16;
	c->http_mqtt_ws = "9001";
}

int kcoapd_words(char *line, char **w, int max, bool hash_words)
{
	char *r = line, *o;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || (*r == '#' && (hash_words || !n)))
			return n;
		if (n == max)
			return -E2BIG;
		w[n++] = o = r;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' && *r != '\r') {
			if (*r == '"') {
				for (r++; *r != '"'; r++) {
					if (!*r)
						return -EINVAL;	/* no closing quote */
					if (*r == '\\' && r[1])
						r++;
					*o++ = *r;
				}
				r++;
			} else {
				if (*r == '\\' && r[1])
					r++;
				*o++ = *r++;
			}
		}
		if (*r)
			r++;
		*o = 0;
	}
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
	{ "acl-file", offsetof(struct kcoapd_config, acl_file) },
	{ "state-dir", offsetof(struct kcoapd_config, state_dir) },
	{ "status-dir", offsetof(struct kcoapd_config, status_dir) },
	{ "dtls-psk-file", offsetof(struct kcoapd_config, dtls_psk_file) },
	{ "dtls-cert-file", offsetof(struct kcoapd_config, dtls_cert_file) },
	{ "dtls-key-file", offsetof(struct kcoapd_config, dtls_key_file) },
	{ "dtls-ca-file", offsetof(struct kcoapd_config, dtls_ca_file) },
	{ "dtls-priority", offsetof(struct kcoapd_config, dtls_priority) },
	{ "http-address", offsetof(struct kcoapd_config, http_address) },
	{ "http-mqtt-ws", offsetof(struct kcoapd_config, http_mqtt_ws) },
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
	{ "mqtt-connect-timeout", offsetof(struct kcoapd_config, connect_timeout), 1, 600 },
	{ "subscriptions-max", offsetof(struct kcoapd_config, subs_max), 1, 1000000 },
	{ "retained-wait", offsetof(struct kcoapd_config, retained_wait), 0, 10000 },
	{ "rd-lifetime-max", offsetof(struct kcoapd_config, rd_lifetime_max), 1, 0xffffffff },
	{ "devices-max", offsetof(struct kcoapd_config, devices_max), 1, 1000000 },
	{ "coap-ack-timeout", offsetof(struct kcoapd_config, ack_timeout), 100, 60000 },
	/* 10, as the kernel's max-retransmit: a command holds one of few slots
	 * until it gives up, which takes 2^(n+1) - 1 ack timeouts.
	 */
	{ "coap-max-retransmit", offsetof(struct kcoapd_config, max_retransmit), 0, 10 },
	{ "command-max-age", offsetof(struct kcoapd_config, command_max_age), 0, 604800 },
	{ "stats-interval", offsetof(struct kcoapd_config, stats_interval), 0, 86400 },
	{ "dtls-handshakes-max", offsetof(struct kcoapd_config, dtls_handshakes_max), 1, 65536 },
	{ "dtls-mtu", offsetof(struct kcoapd_config, dtls_mtu), 256, 1500 },
	{ "http-port", offsetof(struct kcoapd_config, http_port), 0, 65535 },
	{ "http-connections-max", offsetof(struct kcoapd_config, http_conns_max), 1, 10000 },
	{ "http-connections-per-ip", offsetof(struct kcoapd_config, http_conns_per_ip), 1, 10000 },
	/* A request body goes in one datagram (no Block1 from the proxy). */
	{ "http-body-max", offsetof(struct kcoapd_config, http_body_max), 16, 65000 },
	{ "http-streams-max", offsetof(struct kcoapd_config, http_streams_max), 0, 1000 },
};

/* "on" or "off" into *@out; else an error naming the setting. */
static int on_off(const char *where, const char *key, const char *v, bool *out)
{
	if (strcmp(v, "on") && strcmp(v, "off")) {
		fprintf(stderr, "kcoapd: %s: %s '%s': on or off\n", where, key, v);
		return -EINVAL;
	}
	*out = !strcmp(v, "on");
	return 0;
}

static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/* The secret in @path: its first line. Group or world readable: a warning. */
static int password_file(struct kcoapd_config *c, const char *where, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct stat st;
	FILE *f = fopen(path, "r");

	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "kcoapd: %s: mqtt-password-file '%s': %s\n", where, path,
			strerror(errno));
		if (f)
			fclose(f);
		return -EINVAL;
	}
	if (st.st_mode & 077)
		fprintf(stderr, "kcoapd: %s: warning: mqtt-password-file '%s' is readable by group or others (mode %03o): chmod 600 it\n",
			where, path, (unsigned int)(st.st_mode & 0777));
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		fprintf(stderr, "kcoapd: %s: mqtt-password-file '%s' is empty\n", where, path);
		free(line);
		return -EINVAL;
	}
	line[strcspn(line, "\r\n")] = 0;
	c->password = keep(c, line);
	memset(line, 0, (size_t)n);
	free(line);
	return 0;
}

int kcoapd_config_url(struct kcoapd_config *c, const char *val, const char *where)
{
	/* The first one replaces the default; "off" clears the list. */
	if (c->mqtt_urls_default || !strcmp(val, "off")) {
		c->n_mqtt_urls = 0;
		c->mqtt_urls_default = false;
	}
	if (strcmp(val, "off")) {
		if (c->n_mqtt_urls == KCOAPD_MAX_BROKERS) {
			fprintf(stderr, "kcoapd: %s: mqtt-url: at most %d broker addresses\n",
				where, KCOAPD_MAX_BROKERS);
			return -EINVAL;
		}
		c->mqtt_urls[c->n_mqtt_urls++] = keep(c, val);
	}
	c->mqtt_url = c->n_mqtt_urls ? c->mqtt_urls[0] : NULL;
	return 0;
}

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
	if (!strcmp(key, "mqtt-url"))
		return kcoapd_config_url(c, val, where);
	if (!strcmp(key, "mqtt-password-file"))
		return password_file(c, where, val);
	if (!strcmp(key, "mqtt-protocol")) {
		if (strcmp(val, "5") && strcmp(val, "3.1.1")) {
			fprintf(stderr, "kcoapd: %s: mqtt-protocol '%s': 5 or 3.1.1\n", where, val);
			return -EINVAL;
		}
		c->protocol = strcmp(val, "5") ? 4 : 5;
		return 0;
	}
	if (!strcmp(key, "echo"))
		return on_off(where, key, val, &c->echo);
	if (!strcmp(key, "dtls-rpk"))
		return on_off(where, key, val, &c->dtls_rpk);
	if (!strcmp(key, "dtls-cid"))
		return on_off(where, key, val, &c->dtls_cid);
	if (!strcmp(key, "dtls")) {
		bool on;

		if (on_off(where, key, val, &on))
			return -EINVAL;
		c->dtls = on;
		return 0;
	}
	if (!strcmp(key, "log-level")) {
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (!strcmp(val, levels[i])) {
				c->log_level = (int)i;
				return 0;
			}
		fprintf(stderr, "kcoapd: %s: log-level '%s': debug, info, notice, warning or err\n",
			where, val);
		return -EINVAL;
	}
	return 1;
}

/* One "KEY VALUE..." line's words; @where is "FILE:LINE". */
static int config_line(struct kcoapd_config *c, char **w, int n, const char *where)
{
	const char *key = w[0], *val = n > 1 ? w[1] : NULL;
	unsigned long num;
	int err = 0;

	if (!strcmp(key, "device")) {
		if (n != 3 || c->n_devices == KCOAPD_MAX_DEVICES) {
			fprintf(stderr, "kcoapd: %s: want \"device NAME HOST[:PORT]\" (at most %d)\n",
				where, KCOAPD_MAX_DEVICES);
			return -EINVAL;
		}
		c->devices[c->n_devices][0] = keep(c, w[1]);
		c->devices[c->n_devices][1] = keep(c, w[2]);
		c->n_devices++;
		return 0;
	}
	if (n != 2) {
		fprintf(stderr, "kcoapd: %s: want \"%s VALUE\"%s%s%s\n", where, key,
			n > 2 ? " (quote a value with blanks: \"" : "", n > 2 ? w[2] : "",
			n > 2 ? "...\")" : "");
		return -EINVAL;
	}
	if (!strcmp(key, "prefix")) {
		if (c->n_prefixes == KCOAPD_MAX_PREFIXES || val[0] != '/') {
			fprintf(stderr, "kcoapd: %s: prefix '%s': a path, at most %d of them\n",
				where, val, KCOAPD_MAX_PREFIXES);
			return -EINVAL;
		}
		c->prefixes[c->n_prefixes++] = keep(c, val);
	} else if (!strcmp(key, "request-entries")) {
		err = number(where, key, val, 2, 16384, &num);
		c->req_entries = (uint32_t)num;
	} else if (!strcmp(key, "response-entries")) {
		err = number(where, key, val, 2, 16384, &num);
		c->rsp_entries = (uint32_t)num;
	} else if (!strcmp(key, "slot-size")) {
		err = number(where, key, val, 256, 65536, &num);
		c->slot_size = (uint32_t)num;
	} else if (!strcmp(key, "store-max")) {
		err = number(where, key, val, 1, 10000000, &num);
		c->store_max = num;
	} else if (!strcmp(key, "value-max")) {
		err = number(where, key, val, 1, 16 << 20, &num);
		c->value_max = num;
	} else if (!strcmp(key, "push")) {
		if (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "ring")) {
			fprintf(stderr, "kcoapd: %s: push '%s': on, ring or off\n", where, val);
			return -EINVAL;
		}
		c->no_push = !strcmp(val, "off");
		c->push_ring = !strcmp(val, "ring");
	} else if (!strcmp(key, "log")) {
		if (strcmp(val, "syslog") && strcmp(val, "stderr")) {
			fprintf(stderr, "kcoapd: %s: log '%s': syslog or stderr\n", where, val);
			return -EINVAL;
		}
		c->syslog = !strcmp(val, "syslog");
	} else if ((err = kcoapd_config_set(c, key, val, where)) > 0) {
		fprintf(stderr, "kcoapd: %s: unknown setting '%s'\n", where, key);
		err = -EINVAL;
	}
	return err;
}

int kcoapd_config_load(struct kcoapd_config *c, const char *path)
{
	char *buf = NULL, where[300], *w[8];
	size_t cap = 0;
	int line = 0, err = 0, n;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		fprintf(stderr, "kcoapd: cannot read %s: %s\n", path, strerror(errno));
		return err;
	}
	while (!err && getline(&buf, &cap, f) >= 0) {
		line++;
		snprintf(where, sizeof(where), "%s:%d", path, line);
		n = kcoapd_words(buf, w, 8, true);
		if (n < 0) {
			fprintf(stderr, "kcoapd: %s: %s\n", where,
				n == -E2BIG ? "too many words" : "a quote is not closed");
			err = -EINVAL;
		} else if (n) {
			err = config_line(c, w, n, where);
		}
	}
	free(buf);
	fclose(f);
	return err;
}
