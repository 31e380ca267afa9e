// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Commands from MQTT to actuators: a message on
 * {prefix}cmd/{device}/{path...} becomes a CoAP request to the device
 * (rd.c knows where it is), PUT with the message as payload unless the
 * MQTT 5 user properties "method" and "content-format", or a query on the
 * topic's last level ("light?method=post&ct=50"), say otherwise. The
 * device's response is published on {prefix}rsp/{device}/{path...}: its
 * payload, with the code in the user property "code" ("2.04") and the
 * command's correlation data (MQTT 5); under MQTT 3.1.1 the payload is
 * prefixed with a line holding the code. No device: 4.04; no answer: 5.04.
 *
 * The requests are CON, from a socket of kcoapd's own, retransmitted as
 * RFC 7252 §4.2 says (ACK_TIMEOUT 2 s, RANDOM_FACTOR 1.5, MAX_RETRANSMIT
 * 4, or the coap-ack-timeout and coap-max-retransmit settings: §4.8 lets
 * a deployment change them); a separate response is acknowledged
 * (§5.2.2).
 *
 * Stale commands are not executed: one older than command-max-age
 * seconds by its MQTT 5 user property "sent-at" (Unix time, seconds, as
 * the publisher stamps it) is dropped, and one whose Message Expiry
 * Interval (MQTT 5 §3.3.2.3.3; the broker counts down the time it waited)
 * runs out is not sent again. Retained commands never get here (mqtt.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "kcoapd.h"

#define MAX_CMDS 256
#define SEPARATE_WAIT_MS 60000	/* after an empty ACK */

struct cmd {
	bool used, acked;
	uint16_t mid;
	uint8_t token[8];
	struct sockaddr_in6 dst;
	uint8_t *msg;
	size_t len;
	unsigned int tries;
	uint64_t due, timeout;
	uint64_t expires;		/* ms, Message Expiry; 0: never */
	uint64_t since;			/* ms */
	char *rsp_topic;		/* after the prefix */
	mosquitto_property *corr;	/* correlation data, if any */
};

static struct cmd cmds[MAX_CMDS];
static int sock = -1;
static uint16_t next_mid;
static uint32_t ack_timeout, max_retransmit;	/* ms, count */
static uint32_t max_age;			/* s, 0: any */
static unsigned long n_stale;

void command_settings(const struct kcoapd_config *c)
{
	ack_timeout = c->ack_timeout;
	max_retransmit = c->max_retransmit;
	max_age = c->command_max_age;
}

int command_init(const struct kcoapd_config *c)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int off = 0;

	command_settings(c);
	if (getrandom(&next_mid, sizeof(next_mid), 0) < 0)
		next_mid = (uint16_t)getpid();
	sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0 ||
	    setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		kcoapd_log(LOG_ERR, "command socket: %s", strerror(errno));
		return -1;
	}
	return sock;
}

static void publish_rsp(const char *rsp_topic, uint8_t code, const void *payload,
			size_t len, uint32_t cf, const mosquitto_property *corr)
{
	mosquitto_property *props = NULL;
	char topic[640], codestr[8], cfstr[12];
	uint8_t *buf = NULL;
	int err;

	snprintf(codestr, sizeof(codestr), "%u.%02u", code >> 5, code & 31);
	mqtt_topic(rsp_topic, topic, sizeof(topic));
	if (mqtt_v5()) {
		mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "code",
						   codestr);
		if (cf != UINT32_MAX) {
			snprintf(cfstr, sizeof(cfstr), "%u", cf);
			mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY,
							   "content-format", cfstr);
		}
		if (corr) {
			void *v = NULL;
			uint16_t n = 0;

			if (mosquitto_property_read_binary(corr, MQTT_PROP_CORRELATION_DATA,
							   &v, &n, false)) {
				mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA,
							      v, n);
				free(v);
			}
		}
		err = mqtt_publish(topic, payload, len, 1, false, props, NULL, true);
	} else {
		/* MQTT 3.1.1 has no properties: the code is the first line. */
		size_t n = strlen(codestr) + 1;

		buf = malloc(n + len);
		if (!buf)
			return;
		memcpy(buf, codestr, n - 1);
		buf[n - 1] = '\n';
		if (len)
			memcpy(buf + n, payload, len);
		err = mqtt_publish(topic, buf, n + len, 1, false, NULL, NULL, true);
	}
	if (err)
		kcoapd_log(LOG_WARNING, "cmd: response %s on %s lost: %s", codestr, topic,
			   strerror(-err));
	free(buf);
	mosquitto_property_free_all(&props);
}

static void cmd_end(struct cmd *c)
{
	free(c->msg);
	free(c->rsp_topic);
	mosquitto_property_free_all(&c->corr);
	memset(c, 0, sizeof(*c));
}

static int method_of(const char *s, size_t n)
{
	static const struct { const char *name; int code; } m[] = {
		{ "get", COAP_CODE_GET }, { "post", COAP_CODE_POST },
		{ "put", COAP_CODE_PUT }, { "delete", COAP_CODE_DELETE },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].name) == n && !strncasecmp(s, m[i].name, n))
			return m[i].code;
	return -1;
}

/* A Content-Format: a number, or a media type we know. */
static long cf_of(const char *s, size_t n)
{
	char buf[16], *end;
	long v;

	if (n && n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = 0;
		v = strtol(buf, &end, 10);
		if (!*end && v >= 0 && v <= 65535)
			return v;
	}
	return coap_cf_from_name(s, n);
}

/* "key=value&..." after the topic's '?': method and ct. */
static int parse_query(const char *q, int *method, long *cf)
{
	while (q && *q) {
		const char *amp = strchr(q, '&'), *eq = strchr(q, '=');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);

		if (!eq || eq > q + n)
			return -1;
		if (eq - q == 6 && !strncmp(q, "method", 6))
			*method = method_of(eq + 1, (size_t)(q + n - eq - 1));
		else if ((eq - q == 2 && !strncmp(q, "ct", 2)) ||
			 (eq - q == 14 && !strncmp(q, "content-format", 14)))
			*cf = cf_of(eq + 1, (size_t)(q + n - eq - 1));
		else
			return -1;
		if (*method < 0 || *cf < -1)
			return -1;
		q = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* The age in seconds by the user property "sent-at"; -1 if none. */
static long long age_of(const mosquitto_property *props)
{
	const mosquitto_property *p;
	char *name = NULL, *value = NULL, *end;
	long long age = -1;
	bool first = true;

	for (p = props; (p = mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY,
								  &name, &value, !first));
	     first = false) {
		if (!strcasecmp(name, "sent-at")) {
			long long at = strtoll(value, &end, 10);

			/* Not a number: as old as can be, a clock ahead: new. */
			age = *end || end == value ? LLONG_MAX :
			      at > (long long)time(NULL) ? 0 : (long long)time(NULL) - at;
		}
		free(name);
		free(value);
		name = value = NULL;
	}
	return age;
}

static void props_of(const mosquitto_property *props, int *method, long *cf)
{
	const mosquitto_property *p;
	char *name = NULL, *value = NULL;
	bool first = true;

	for (p = props; (p = mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY,
								  &name, &value, !first));
	     first = false) {
		if (!strcasecmp(name, "method"))
			*method = method_of(value, strlen(value));
		else if (!strcasecmp(name, "content-format"))
			*cf = cf_of(value, strlen(value));
		free(name);
		free(value);
		name = value = NULL;
	}
	if (*cf == -1 && props && mosquitto_property_read_string(props, MQTT_PROP_CONTENT_TYPE,
								  &value, false)) {
		*cf = coap_cf_from_name(value, strlen(value));
		free(value);
	}
}

static void transmit(struct cmd *c)
{
	if (sendto(sock, c->msg, c->len, 0, (struct sockaddr *)&c->dst, sizeof(c->dst)) < 0)
		kcoapd_log(LOG_WARNING, "cmd: sendto: %s", strerror(errno));
	else
		kcoapd_log(LOG_DEBUG, "cmd: %s: transmission %u, mid %u, next in %llu ms",
			   c->rsp_topic, c->tries + 1, c->mid, (unsigned long long)c->timeout);
}

void command_message(const char *rest, const void *payload, size_t len,
		     const mosquitto_property *props)
{
	char dev[64], topic[512], path[400], *q;
	const char *slash = strchr(rest, '/');
	struct coap_builder b;
	uint8_t buf[2048];
	struct cmd *c = NULL;
	int method = COAP_CODE_PUT, n, i;
	uint32_t expiry = 0;
	long long age;
	long cf = -1;

	if (!slash || slash == rest || (size_t)(slash - rest) >= sizeof(dev) ||
	    strlen(slash) >= sizeof(path)) {
		kcoapd_log(LOG_WARNING, "cmd: topic cmd/%s: want cmd/DEVICE/PATH", rest);
		return;
	}
	snprintf(dev, sizeof(dev), "%.*s", (int)(slash - rest), rest);
	snprintf(path, sizeof(path), "%s", slash + 1);
	q = strchr(path, '?');
	if (q)
		*q++ = 0;
	snprintf(topic, sizeof(topic), "rsp/%s/%s", dev, path);
	age = age_of(props);
	if (max_age && age > (long long)max_age) {
		if (age == LLONG_MAX)
			kcoapd_log(LOG_WARNING, "cmd: cmd/%s: sent-at is not a number: dropped", rest);
		else
			kcoapd_log(LOG_WARNING, "cmd: cmd/%s sent %lld s ago, over command-max-age %u: dropped",
				   rest, age, max_age);
		n_stale++;
		return;
	}
	props_of(props, &method, &cf);
	if (parse_query(q, &method, &cf) || method < 0 || cf < -1) {
		publish_rsp(topic, COAP_CODE_BAD_REQUEST, NULL, 0, UINT32_MAX, props);
		return;
	}
	for (i = 0; i < MAX_CMDS && !c; i++)
		if (!cmds[i].used)
			c = &cmds[i];
	if (!c) {
		publish_rsp(topic, COAP_CODE_SERVICE_UNAVAILABLE, NULL, 0, UINT32_MAX, props);
		return;
	}
	if (!rd_lookup(dev, &c->dst)) {
		publish_rsp(topic, COAP_CODE_NOT_FOUND, NULL, 0, UINT32_MAX, props);
		return;
	}
	c->mid = next_mid++;
	if (getrandom(c->token, sizeof(c->token), 0) < 0)
		memcpy(c->token, &c->mid, sizeof(c->mid));
	coap_build_init(&b, buf, sizeof(buf), COAP_TYPE_CON, (uint8_t)method, c->mid,
			c->token, sizeof(c->token));
	for (char *seg = path; *seg;) {
		char *end = strchr(seg, '/');
		size_t sn = end ? (size_t)(end - seg) : strlen(seg);

		coap_build_opt(&b, COAP_OPT_URI_PATH, seg, sn);
		seg += sn + (end ? 1 : 0);
	}
	if (cf >= 0)
		coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, (uint32_t)cf);
	if (method != COAP_CODE_GET && method != COAP_CODE_DELETE)
		coap_build_payload(&b, payload, len);
	n = coap_build_end(&b);
	if (n < 0) {
		publish_rsp(topic, COAP_CODE_REQUEST_TOO_LARGE, NULL, 0, UINT32_MAX, props);
		return;
	}
	c->msg = malloc((size_t)n);
	c->rsp_topic = strdup(topic);
	if (!c->msg || !c->rsp_topic || (props && mosquitto_property_copy_all(&c->corr, props))) {
		cmd_end(c);
		return;
	}
	memcpy(c->msg, buf, (size_t)n);
	c->len = (size_t)n;
	c->used = true;
	c->since = now_ms();
	if (props && mosquitto_property_read_int32(props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
						   &expiry, false))
		c->expires = now_ms() + (uint64_t)expiry * 1000;
	/* ACK_TIMEOUT to ACK_TIMEOUT * RANDOM_FACTOR (§4.2). */
	c->timeout = ack_timeout + (uint64_t)(random() % (ack_timeout / 2));
	c->due = now_ms() + c->timeout;
	transmit(c);
}

static struct cmd *match(const struct coap_msg *m, const struct sockaddr_in6 *from)
{
	int i;

	for (i = 0; i < MAX_CMDS; i++) {
		struct cmd *c = &cmds[i];

		if (!c->used || c->dst.sin6_port != from->sin6_port ||
		    memcmp(&c->dst.sin6_addr, &from->sin6_addr, sizeof(from->sin6_addr)))
			continue;
		if ((m->type == COAP_TYPE_ACK || m->type == COAP_TYPE_RST) && m->mid == c->mid)
			return c;
		if ((m->type == COAP_TYPE_CON || m->type == COAP_TYPE_NON) && c->acked &&
		    m->tkl == sizeof(c->token) && !memcmp(coap_token(m), c->token, m->tkl))
			return c;
	}
	return NULL;
}

void command_readable(void)
{
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	uint8_t buf[2048], ack[COAP_HDR_LEN];
	struct coap_msg m;
	struct cmd *c;
	uint32_t cf;
	ssize_t n;

	while ((n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof(from);
		if (coap_parse(&m, buf, (size_t)n))
			continue;
		c = match(&m, &from);
		if (m.type == COAP_TYPE_CON) {
			/* Acknowledge a separate response (or reject a stray one). */
			ack[0] = (COAP_VERSION << 6) | ((c ? COAP_TYPE_ACK : COAP_TYPE_RST) << 4);
			ack[1] = 0;
			ack[2] = m.mid >> 8;
			ack[3] = m.mid & 0xff;
			sendto(sock, ack, sizeof(ack), 0, (struct sockaddr *)&from, sizeof(from));
		}
		if (!c)
			continue;
		if (m.type == COAP_TYPE_RST) {
			publish_rsp(c->rsp_topic, COAP_CODE_BAD_GATEWAY, NULL, 0, UINT32_MAX, c->corr);
			cmd_end(c);
			continue;
		}
		if (m.code == COAP_CODE_EMPTY) {
			/* The answer comes separately (§5.2.2). */
			c->acked = true;
			c->due = now_ms() + SEPARATE_WAIT_MS;
			continue;
		}
		if (coap_opt_uint(&m, COAP_OPT_CONTENT_FORMAT, &cf))
			cf = UINT32_MAX;
		publish_rsp(c->rsp_topic, m.code, m.payload, m.payload_len, cf, c->corr);
		cmd_end(c);
	}
}

void command_tick(uint64_t now)
{
	int i;

	for (i = 0; i < MAX_CMDS; i++) {
		struct cmd *c = &cmds[i];

		if (!c->used)
			continue;
		if (c->expires && now >= c->expires) {
			kcoapd_log(LOG_WARNING, "cmd: %s: its Message Expiry ran out: not sent again",
				   c->rsp_topic);
			n_stale++;
			cmd_end(c);
			continue;
		}
		if (now < c->due)
			continue;
		if (c->acked || c->tries >= max_retransmit) {
			/* rsp_topic is "rsp/DEVICE/PATH...". */
			const char *dev = c->rsp_topic + 4;

			if (c->acked)
				kcoapd_log(LOG_WARNING, "cmd: %.*s acknowledged but sent no response in %u s: 5.04",
					   (int)strcspn(dev, "/"), dev, SEPARATE_WAIT_MS / 1000);
			else
				kcoapd_log(LOG_WARNING, "cmd: no answer from %.*s after %u transmissions: 5.04",
					   (int)strcspn(dev, "/"), dev, c->tries + 1);
			publish_rsp(c->rsp_topic, COAP_CODE_GATEWAY_TIMEOUT, NULL, 0, UINT32_MAX,
				    c->corr);
			cmd_end(c);
			continue;
		}
		c->tries++;
		c->timeout *= 2;
		c->due = now + c->timeout;
		transmit(c);
	}
}

void command_status(FILE *f)
{
	uint64_t now = now_ms();
	int i, n = 0;

	for (i = 0; i < MAX_CMDS; i++)
		n += cmds[i].used;
	fprintf(f, "commands %d %d\n", n, MAX_CMDS);
	for (i = 0; i < MAX_CMDS; i++) {
		const struct cmd *c = &cmds[i];

		if (!c->used)
			continue;
		fputs("command ", f);
		status_word(f, c->rsp_topic + 4);	/* DEVICE/PATH */
		fprintf(f, " %u %llu\n", c->tries + 1, (unsigned long long)(now - c->since));
	}
	fprintf(f, "commands-stale-dropped %lu\n", n_stale);
}

int command_count(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_CMDS; i++)
		n += cmds[i].used;
	return n;
}
