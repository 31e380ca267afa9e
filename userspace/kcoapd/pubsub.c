// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * /ps/: CoAP publish and subscribe through the broker, on the paths EMQX's
 * CoAP gateway uses (after the CoAP pub/sub draft), so devices can move
 * between the two.
 *
 * POST or PUT /ps/{topic...} publishes the payload on {prefix}{topic}:
 * NON as QoS 0 (2.04 at once), CON as QoS 1, whose 2.04 waits for the
 * broker's PUBACK (the kernel makes it a separate response if that takes
 * longer than its piggyback window). Uri-Query retain=true and qos=N
 * override. No broker: 5.03 with Max-Age, never a 2.04 for a message the
 * broker did not take. A message in flight when the connection drops
 * stays in libmosquitto's queue (the session is persistent) and is sent
 * again on reconnect; its 2.04 follows that PUBACK. At most mqtt-queue-max
 * wait so.
 *
 * GET /ps/{filter...} subscribes to {prefix}{filter} ('+' and '#' allowed
 * as segments), once per filter however many observers it has. The value
 * goes into the kernel's table at /ps/{filter}, and the kernel answers the
 * GET from there (KCOAP_RSP_F_SERVE): with Observe it registers the
 * observer itself and fans every later message out to all observers (a
 * QoS 1 or 2 message as a CON notification). Before the first answer
 * kcoapd waits up to retained-wait for a retained message; with none, an
 * observer starts from an empty value and a plain GET gets 4.04.
 *
 * A filter with wildcards exists only for its observers: once the kernel
 * says it has none left, kcoapd unsubscribes and deletes the resource. A
 * topic's subscription also keeps its value fresh for plain GETs, so it
 * stays, until subscriptions-max is reached: then the topics nobody
 * observes go first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "kcoapd.h"

#define MAX_WAITERS 64

/* A QoS >= 1 publish awaiting the broker's PUBACK, by Message ID. */
struct pending {
	uint64_t id;			/* the request to answer, 0: none */
	uint64_t since;			/* ms */
	bool used;
};

#define REAP_EVERY_MS 10000
#define REAP_GRACE_MS 10000		/* a new subscription's observers come */
#define PENDING_FORGET_MS 600000	/* libmosquitto must have lost it */

struct waiter {
	uint64_t id;
	bool observe;
};

/* One MQTT subscription, and the kernel resource it feeds. */
struct sub {
	char *filter;			/* after the prefix */
	char *path;			/* "/ps/" + filter */
	bool has_value;			/* the kernel has one */
	uint64_t wait_until;		/* for a retained message */
	uint64_t created;		/* ms */
	struct waiter waiters[MAX_WAITERS];
	unsigned int n_waiters;
};

static struct pending pending[65536];
static uint32_t n_pending, queue_max, subs_max, retained_wait;
static size_t value_max;
static struct sub *subs;
static size_t n_subs;

int pubsub_init(const struct kcoapd_config *c)
{
	queue_max = c->queue_max;
	subs_max = c->subs_max;
	retained_wait = c->retained_wait;
	value_max = c->value_max;
	subs = calloc(subs_max, sizeof(*subs));
	return subs ? 0 : -ENOMEM;
}

/* A query "key=value" of @req as an unsigned number, or @dflt. */
static long query_num(const struct coap_msg *req, const char *key, long dflt, long max)
{
	const uint8_t *v;
	uint16_t n;
	char buf[8];
	char *end;
	long x;

	if (!coap_uri_query_find(req, key, &v, &n))
		return dflt;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = 0;
	x = strtol(buf, &end, 10);
	return *end || x < 0 || x > max ? -1 : x;
}

static int query_bool(const struct coap_msg *req, const char *key)
{
	const uint8_t *v;
	uint16_t n;

	if (!coap_uri_query_find(req, key, &v, &n))
		return 0;
	if ((n == 4 && !memcmp(v, "true", 4)) || (n == 1 && v[0] == '1'))
		return 1;
	if ((n == 5 && !memcmp(v, "false", 5)) || (n == 1 && v[0] == '0'))
		return 0;
	return -1;
}

static bool wildcard(const char *topic)
{
	return strchr(topic, '+') || strchr(topic, '#');
}

static bool publish(uint64_t id, const struct coap_msg *req, const char *topic,
		    struct answer *a)
{
	mosquitto_property *props = NULL;
	uint32_t ct;
	char full[512];
	long qos;
	int retain, mid = 0, err;

	qos = query_num(req, "qos", req->type == COAP_TYPE_CON ? 1 : 0, 2);
	retain = query_bool(req, "retain");
	if (qos < 0 || retain < 0 || !*topic || wildcard(topic)) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return true;
	}
	if (!mqtt_connected()) {
		answer_unavailable(a, mqtt_retry_in());
		return true;
	}
	if (qos && n_pending >= queue_max) {
		answer_unavailable(a, 1);
		return true;
	}
	/* MQTT 5 carries the Content-Format as the message's content type. */
	if (mqtt_v5() && !coap_opt_uint(req, COAP_OPT_CONTENT_FORMAT, &ct) &&
	    ct <= 0xffff && coap_cf_name((uint16_t)ct))
		mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE,
					      coap_cf_name((uint16_t)ct));
	err = mqtt_publish(mqtt_topic(topic, full, sizeof(full)), req->payload,
			   req->payload_len, (int)qos, retain, props, &mid, false);
	mosquitto_property_free_all(&props);
	if (err) {
		if (err == -ENOTCONN)
			answer_unavailable(a, mqtt_retry_in());
		else
			answer_code(a, err == -EMSGSIZE ? COAP_CODE_REQUEST_TOO_LARGE :
				    COAP_CODE_INTERNAL_ERROR);
		return true;
	}
	if (!qos) {
		answer_code(a, COAP_CODE_CHANGED);
		return true;
	}
	/* The 2.04 when the broker has it. */
	if (!pending[mid].used)
		n_pending++;
	pending[mid].used = true;
	pending[mid].id = id;
	pending[mid].since = now_ms();
	return false;
}

void pubsub_puback(int mid, int reason)
{
	struct pending *p;

	if (mid < 0 || mid > 65535 || !pending[mid].used)
		return;		/* a status message, say */
	p = &pending[mid];
	p->used = false;
	n_pending--;
	/* MQTT 5: a reason of 0x80 or more is a refusal (not authorized...). */
	reply_code(p->id, reason >= 0x80 ? COAP_CODE_FORBIDDEN : COAP_CODE_CHANGED);
}

static struct sub *find_sub(const char *filter)
{
	size_t i;

	for (i = 0; i < n_subs; i++)
		if (!strcmp(subs[i].filter, filter))
			return &subs[i];
	return NULL;
}

static void drop_sub(struct sub *s)
{
	char full[512];

	mqtt_unsubscribe(mqtt_topic(s->filter, full, sizeof(full)));
	free(s->filter);
	free(s->path);
	*s = subs[--n_subs];
}

/* The kernel has the value: let it answer the waiters from its table. */
static void serve_waiters(struct sub *s)
{
	unsigned int i;

	for (i = 0; i < s->n_waiters; i++)
		reply_serve(s->waiters[i].id, COAP_CODE_NOT_FOUND);
	s->n_waiters = 0;
}

/* A valid filter: '#' only as the last segment, wildcards only alone. */
static bool filter_ok(const char *f)
{
	const char *seg = f;

	if (!*f || strlen(f) > 400)
		return false;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if ((memchr(seg, '+', n) || memchr(seg, '#', n)) && n != 1)
			return false;
		if (n == 1 && *seg == '#' && end)
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

/*
 * Unsubscribe from filters nobody observes any more; with @topics_too,
 * from topics as well (to make room).
 */
static void reap(bool topics_too)
{
	uint64_t now = now_ms();
	size_t i = 0;

	while (i < n_subs) {
		struct sub *s = &subs[i];
		int n = 1;

		if (!s->n_waiters && now >= s->created + REAP_GRACE_MS &&
		    (topics_too || wildcard(s->filter)))
			n = kernel_observers(s->path);
		/* Gone from the table (-ENOENT) is as good as unobserved. */
		if (n > 0 || (n < 0 && n != -ENOENT)) {
			i++;
			continue;
		}
		kcoapd_log(LOG_INFO, "ps: no observers of %s left: unsubscribed", s->path);
		kernel_delete(s->path);
		drop_sub(s);
	}
}

static bool subscribe(uint64_t id, const struct coap_msg *req, const char *filter,
		      const char *path, struct answer *a)
{
	struct sub *s = find_sub(filter);
	char full[512];
	uint32_t obs;
	bool observe = !coap_opt_uint(req, COAP_OPT_OBSERVE, &obs) && obs == 0;

	if (!filter_ok(filter)) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return true;
	}
	if (!observe && wildcard(filter)) {
		/* A filter has no last value of its own to GET. */
		answer_code(a, COAP_CODE_NOT_FOUND);
		return true;
	}
	if (s && s->has_value) {
		/* Came up between our update and the kernel's table: a race. */
		reply_serve(id, COAP_CODE_NOT_FOUND);
		return false;
	}
	if (!s) {
		if (n_subs == subs_max)
			reap(true);
		if (!mqtt_connected() || n_subs == subs_max) {
			answer_unavailable(a, mqtt_connected() ? 60 : mqtt_retry_in());
			return true;
		}
		s = &subs[n_subs];
		memset(s, 0, sizeof(*s));
		s->filter = strdup(filter);
		s->path = strdup(path);
		if (!s->filter || !s->path || mqtt_subscribe(mqtt_topic(filter, full, sizeof(full)))) {
			free(s->filter);
			free(s->path);
			answer_code(a, COAP_CODE_INTERNAL_ERROR);
			return true;
		}
		n_subs++;
		s->created = now_ms();
		s->wait_until = s->created + retained_wait;
	}
	if (s->n_waiters == MAX_WAITERS) {
		answer_unavailable(a, 1);
		return true;
	}
	s->waiters[s->n_waiters].id = id;
	s->waiters[s->n_waiters].observe = observe;
	s->n_waiters++;
	return false;
}

bool pubsub_handle(uint64_t id, const struct coap_msg *req, const char *path,
		   struct answer *a)
{
	const char *topic = path + 4;	/* after "/ps/" */

	a->delay_ms = 0;
	if (strncmp(path, "/ps/", 4)) {
		answer_code(a, COAP_CODE_NOT_FOUND);
		return true;
	}
	switch (req->code) {
	case COAP_CODE_POST:
	case COAP_CODE_PUT:
		return publish(id, req, topic, a);
	case COAP_CODE_GET:
		return subscribe(id, req, topic, path, a);
	default:
		answer_code(a, COAP_CODE_METHOD_NOT_ALLOWED);
		return true;
	}
}

bool pubsub_adopt(const char *path)
{
	static const uint8_t anyone[16];
	const char *filter = path + 4;
	struct sub *s;

	/* The kernel serves it to anyone: only what anyone may read. */
	if (strncmp(path, "/ps/", 4) || !filter_ok(filter) || find_sub(filter) ||
	    n_subs == subs_max || !acl_check(anyone, NULL, ACL_TOPIC, ACL_READ, filter))
		return false;
	s = &subs[n_subs];
	memset(s, 0, sizeof(*s));
	s->filter = strdup(filter);
	s->path = strdup(path);
	if (!s->filter || !s->path) {
		free(s->filter);
		free(s->path);
		return false;
	}
	/* Subscribed at the connect (pubsub_connected()). */
	s->has_value = true;
	s->created = now_ms();
	n_subs++;
	return true;
}

void pubsub_connected(void)
{
	char full[512];
	size_t i;

	/* The session may be a new one: subscribe again (harmless if not). */
	for (i = 0; i < n_subs; i++)
		if (mqtt_resubscribe(mqtt_topic(subs[i].filter, full, sizeof(full))))
			kcoapd_log(LOG_WARNING, "ps: cannot subscribe to %s again", full);
}

/* The Content-Format of a message: its MQTT 5 content type, else text. */
static uint16_t message_cf(const mosquitto_property *props)
{
	char *type = NULL;
	int cf = COAP_CF_TEXT_PLAIN;

	if (props && mosquitto_property_read_string(props, MQTT_PROP_CONTENT_TYPE, &type, false)) {
		cf = coap_cf_from_name(type, strlen(type));
		if (cf < 0)
			cf = COAP_CF_OCTET_STREAM;
		free(type);
	}
	return (uint16_t)cf;
}

void pubsub_message(const char *rest, const void *payload, size_t len, int qos,
		    const mosquitto_property *props)
{
	uint16_t cf = message_cf(props);
	bool match;
	size_t i;

	if (len > value_max) {
		kcoapd_log(LOG_WARNING, "ps: a message of %zu bytes on %s is over value-max: dropped",
			   len, rest);
		return;
	}
	for (i = 0; i < n_subs; i++) {
		struct sub *s = &subs[i];

		if (strcmp(s->filter, rest) &&
		    (mosquitto_topic_matches_sub(s->filter, rest, &match) || !match))
			continue;
		/* The kernel notifies the observers; QoS 1 and 2 as CON. */
		kernel_update(s->path, cf, qos > 0, payload, len);
		s->has_value = true;
		serve_waiters(s);
	}
}

void pubsub_tick(uint64_t now)
{
	static uint64_t last_reap;
	size_t i = 0;
	int mid;

	if (now >= last_reap + REAP_EVERY_MS) {
		last_reap = now;
		reap(false);
		for (mid = 0; mid < 65536; mid++)
			if (pending[mid].used && now > pending[mid].since + PENDING_FORGET_MS) {
				kcoapd_log(LOG_WARNING, "ps: no PUBACK for message %d in %d s: forgotten",
					   mid, PENDING_FORGET_MS / 1000);
				pending[mid].used = false;
				n_pending--;
			}
	}

	while (i < n_subs) {
		struct sub *s = &subs[i];
		bool observers = false;
		unsigned int w;

		if (!s->n_waiters || s->has_value || now < s->wait_until) {
			i++;
			continue;
		}
		/* No retained message: observers start from nothing. */
		for (w = 0; w < s->n_waiters; w++) {
			if (s->waiters[w].observe)
				observers = true;
			else
				reply_code(s->waiters[w].id, COAP_CODE_NOT_FOUND);
		}
		if (!observers) {
			s->n_waiters = 0;
			drop_sub(s);
			continue;
		}
		kernel_update(s->path, COAP_CF_TEXT_PLAIN, false, NULL, 0);
		s->has_value = true;
		for (w = 0; w < s->n_waiters; w++)
			if (s->waiters[w].observe)
				reply_serve(s->waiters[w].id, COAP_CODE_NOT_FOUND);
		s->n_waiters = 0;
		i++;
	}
}

void pubsub_status(FILE *f)
{
	size_t i;

	fprintf(f, "publishes-awaiting-puback %u %u\n", n_pending, queue_max);
	fprintf(f, "subscriptions %zu %u\n", n_subs, subs_max);
	for (i = 0; i < n_subs; i++) {
		fputs("subscription ", f);
		status_word(f, subs[i].filter);
		fprintf(f, " %u\n", subs[i].n_waiters);
	}
}

size_t pubsub_count(void)
{
	return n_subs;
}

uint32_t pubsub_pending(void)
{
	return n_pending;
}
