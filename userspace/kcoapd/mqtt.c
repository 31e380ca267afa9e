// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The broker connection, through libmosquitto. A thread of its own
 * connects (blocking in DNS, TCP and TLS is fine there), runs the client's
 * network loop and reconnects with exponential backoff; the session is
 * persistent (clean start off, MQTT 5 session expiry), so subscriptions
 * and QoS 1 messages survive a reconnect. The Last Will is a retained
 * "offline" on {prefix}status; every connect publishes a retained "online"
 * there.
 *
 * Callbacks run on that thread: they only queue events, and an eventfd
 * wakes the daemon's loop, which handles them (mqtt_events()). Publishing
 * and subscribing from the loop is safe: libmosquitto locks for threaded
 * clients.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "kcoapd.h"

enum ev_type { EV_CONNECTED, EV_DISCONNECTED, EV_PUBACK, EV_MESSAGE };

struct ev {
	struct ev *next;
	enum ev_type type;
	int mid, rc, qos;
	bool retain;
	char *topic;
	void *payload;
	size_t len;
	mosquitto_property *props;
};

static struct mosquitto *mosq;
static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct ev *head, **tail = &head;
static int efd = -1;
static atomic_bool connected, stopping;
static atomic_uint_fast64_t next_try_ms;
static const struct kcoapd_config *cfg;
static struct mqtt_url url;
static char status_topic[512];
static char last_error[256];		/* under lock */
static uint64_t last_error_at;		/* Unix seconds */
static unsigned long n_retained_cmds;

/* What went wrong last, for kcoapctl daemon (status.c). */
static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_error(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	last_error_at = (uint64_t)time(NULL);
	pthread_mutex_unlock(&lock);
}

void mqtt_status(FILE *f)
{
	if (!mosq) {
		fprintf(f, "broker off\n");
		return;
	}
	fprintf(f, "broker %s%s%s:%d %s\n", strchr(url.host, ':') ? "[" : "", url.host,
		strchr(url.host, ':') ? "]" : "", url.port,
		connected ? "connected" : "disconnected");
	pthread_mutex_lock(&lock);
	if (last_error[0])
		fprintf(f, "broker-error %llu %s\n", (unsigned long long)last_error_at, last_error);
	pthread_mutex_unlock(&lock);
	fprintf(f, "commands-retained-dropped %lu\n", n_retained_cmds);
}

static void post(struct ev *e)
{
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	*tail = e;
	tail = &e->next;
	pthread_mutex_unlock(&lock);
	if (write(efd, &one, sizeof(one)) < 0)
		kcoapd_log(LOG_WARNING, "mqtt: eventfd: %s", strerror(errno));
}

static void post_simple(enum ev_type type, int mid, int rc)
{
	struct ev *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	e->type = type;
	e->mid = mid;
	e->rc = rc;
	post(e);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	(void)obj;
	(void)props;
	if (rc) {
		const char *why = cfg->protocol == 5 ? mosquitto_reason_string(rc) :
				  mosquitto_connack_string(rc);

		kcoapd_log(LOG_WARNING, "mqtt: %s:%d refused the connection: %s", url.host,
			   url.port, why);
		set_error("refused the connection: %s", why);
		return;
	}
	kcoapd_log(LOG_INFO, "mqtt: connected to %s:%d%s", url.host, url.port,
		   flags & 1 ? " (session resumed)" : "");
	connected = true;
	mosquitto_publish(m, NULL, status_topic, 6, "online", 1, true);
	post_simple(EV_CONNECTED, 0, flags);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc,
			  const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	(void)props;
	if (connected) {
		kcoapd_log(LOG_WARNING, "mqtt: connection to %s:%d lost (%s)", url.host, url.port,
			   mosquitto_strerror(rc));
		set_error("connection lost: %s", mosquitto_strerror(rc));
	}
	connected = false;
	post_simple(EV_DISCONNECTED, 0, rc);
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason,
		       const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	(void)props;
	post_simple(EV_PUBACK, mid, reason);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct ev *e = calloc(1, sizeof(*e));

	(void)m;
	(void)obj;
	if (!e)
		return;
	e->type = EV_MESSAGE;
	e->qos = msg->qos;
	e->retain = msg->retain;
	e->topic = strdup(msg->topic);
	e->len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	e->payload = malloc(e->len + 1);
	if (!e->topic || !e->payload || (props && mosquitto_property_copy_all(&e->props, props))) {
		free(e->topic);
		free(e->payload);
		free(e);
		kcoapd_log(LOG_WARNING, "mqtt: out of memory, a message on %s dropped", msg->topic);
		return;
	}
	if (e->len)
		memcpy(e->payload, msg->payload, e->len);
	((char *)e->payload)[e->len] = 0;
	post(e);
}

static int connect_once(void)
{
	mosquitto_property *props = NULL;
	int rc;

	if (cfg->protocol != 5)
		return mosquitto_connect(mosq, url.host, url.port, (int)cfg->keepalive);
	/* Clean start is off: keep the session for this long after we go. */
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
				     cfg->session_expiry);
	rc = mosquitto_connect_bind_v5(mosq, url.host, url.port, (int)cfg->keepalive, NULL, props);
	mosquitto_property_free_all(&props);
	return rc;
}

/* Sleep @secs, or until mqtt_stop(). */
static void pause_for(unsigned int secs)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	pthread_mutex_lock(&lock);
	while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&lock);
}

static void *run(void *arg)
{
	unsigned int backoff = 1;
	int rc, last_err = -1;

	(void)arg;
	while (!stopping) {
		rc = connect_once();
		if (rc == MOSQ_ERR_SUCCESS) {
			last_err = -1;
			while (!stopping && (rc = mosquitto_loop(mosq, 1000, 1)) == MOSQ_ERR_SUCCESS)
				if (connected)
					backoff = 1;
			if (connected) {
				/* The loop failed without a disconnect callback. */
				connected = false;
				post_simple(EV_DISCONNECTED, 0, rc);
			}
		} else if (rc != last_err) {
			/* Said once per kind of failure, not at every retry. */
			const char *why = rc == MOSQ_ERR_ERRNO ? strerror(errno) :
					  mosquitto_strerror(rc);

			kcoapd_log(LOG_WARNING, "mqtt: cannot connect to %s:%d: %s; retrying",
				   url.host, url.port, why);
			set_error("cannot connect: %s", why);
			last_err = rc;
		}
		if (stopping)
			break;
		next_try_ms = now_ms() + backoff * 1000ULL;
		pause_for(backoff);
		backoff = backoff * 2 > cfg->reconnect_max ? cfg->reconnect_max : backoff * 2;
	}
	return NULL;
}

int mqtt_start(const struct kcoapd_config *c, const struct mqtt_url *u)
{
	int v = c->protocol == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311;
	int rc;

	cfg = c;
	mosquitto_lib_init();
	/* A persistent session needs a stable client id: clean_session false. */
	mosq = mosquitto_new(c->client_id, false, NULL);
	if (!mosq) {
		fprintf(stderr, "kcoapd: mqtt-client-id '%s': %s\n", c->client_id, strerror(errno));
		return -1;
	}
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, v);
	url = *u;
	if (strlen(c->topic_prefix) > 128 || strpbrk(c->topic_prefix, "+#")) {
		fprintf(stderr, "kcoapd: topic-prefix '%s': at most 128 bytes, no '+' or '#'\n",
			c->topic_prefix);
		return -1;
	}
	/* The settings win over the URL. */
	if (c->user)
		mosquitto_username_pw_set(mosq, c->user, c->password);
	else if (url.has_user)
		mosquitto_username_pw_set(mosq, url.user,
					  url.has_password ? url.password : c->password);
	if (url.tls || c->ca_file) {
		rc = mosquitto_tls_set(mosq, c->ca_file, c->ca_file ? NULL : "/etc/ssl/certs",
				       c->cert_file, c->key_file, NULL);
		if (rc) {
			fprintf(stderr, "kcoapd: TLS settings (mqtt-ca-file '%s', mqtt-cert-file '%s', mqtt-key-file '%s'): %s\n",
				c->ca_file ? c->ca_file : "", c->cert_file ? c->cert_file : "",
				c->key_file ? c->key_file : "", mosquitto_strerror(rc));
			return -1;
		}
	}
	snprintf(status_topic, sizeof(status_topic), "%sstatus", c->topic_prefix);
	rc = mosquitto_will_set(mosq, status_topic, 7, "offline", 1, true);
	if (rc) {
		fprintf(stderr, "kcoapd: topic-prefix '%s': %s\n", c->topic_prefix,
			mosquitto_strerror(rc));
		return -1;
	}
	mosquitto_threaded_set(mosq, true);
	mosquitto_connect_v5_callback_set(mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(mosq, on_disconnect);
	mosquitto_publish_v5_callback_set(mosq, on_publish);
	mosquitto_message_v5_callback_set(mosq, on_message);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || pthread_create(&thread, NULL, run, NULL)) {
		fprintf(stderr, "kcoapd: mqtt thread: %s\n", strerror(errno));
		return -1;
	}
	kcoapd_log(LOG_INFO, "mqtt: broker %s:%d%s, MQTT %s, client id %s, topics %s...",
		   url.host, url.port, url.tls ? " (TLS)" : "", c->protocol == 5 ? "5" : "3.1.1",
		   c->client_id, c->topic_prefix);
	return efd;
}

void mqtt_stop(void)
{
	int i;

	if (!mosq)
		return;
	if (connected) {
		/* A clean exit sends no Will: say it ourselves. */
		int mid = 0;

		mosquitto_publish(mosq, &mid, status_topic, 7, "offline", 1, true);
		for (i = 0; i < 20 && connected && mosquitto_want_write(mosq); i++)
			usleep(50000);
		mosquitto_disconnect(mosq);
	}
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	mosquitto_destroy(mosq);
	mosq = NULL;
	mosquitto_lib_cleanup();
}

bool mqtt_connected(void)
{
	return connected;
}

bool mqtt_v5(void)
{
	return cfg->protocol == 5;
}

uint32_t mqtt_retry_in(void)
{
	uint64_t next = next_try_ms, now = now_ms();

	return next > now + 1000 ? (uint32_t)((next - now + 999) / 1000) : 1;
}

const char *mqtt_topic(const char *rest, char *buf, size_t cap)
{
	/* Too long: an empty topic, which every publish refuses. */
	if ((size_t)snprintf(buf, cap, "%s%s", cfg->topic_prefix, rest) >= cap)
		buf[0] = 0;
	return buf;
}

int mqtt_publish(const char *topic, const void *payload, size_t len, int qos,
		 bool retain, const mosquitto_property *props, int *mid, bool keep)
{
	int rc;

	if (!connected && !(keep && qos > 0))
		return -ENOTCONN;
	if (!*topic)
		return -EINVAL;
	if (len > 268435455)
		return -EMSGSIZE;
	if (cfg->protocol == 5)
		rc = mosquitto_publish_v5(mosq, mid, topic, (int)len, payload, qos, retain, props);
	else
		rc = mosquitto_publish(mosq, mid, topic, (int)len, payload, qos, retain);
	switch (rc) {
	case MOSQ_ERR_SUCCESS:
		return 0;
	case MOSQ_ERR_NO_CONN:
	case MOSQ_ERR_CONN_LOST:
		/* QoS 1 and 2: queued all the same, sent after the reconnect. */
		return qos > 0 ? 0 : -ENOTCONN;
	case MOSQ_ERR_NOMEM:
		return -ENOMEM;
	case MOSQ_ERR_PAYLOAD_SIZE:
	case MOSQ_ERR_OVERSIZE_PACKET:
		return -EMSGSIZE;
	default:
		return -EINVAL;
	}
}

int mqtt_subscribe(const char *topic)
{
	return mosquitto_subscribe(mosq, NULL, topic, 1) ? -EIO : 0;
}

int mqtt_resubscribe(const char *topic)
{
	/* MQTT 5 retain handling 1: the retained message only if the broker
	 * lost the subscription (a retained copy would be older than what
	 * the session queued meanwhile).
	 */
	if (cfg->protocol != 5)
		return mqtt_subscribe(topic);
	return mosquitto_subscribe_v5(mosq, NULL, topic, 1, MQTT_SUB_OPT_SEND_RETAIN_NEW,
				      NULL) ? -EIO : 0;
}

/*
 * The command topics: under MQTT 5 with retain handling 2 (no retained
 * message at subscribe time) and retain as published (a command that was
 * published retained still says so), MQTT 5 §3.8.3.1. Retained commands
 * are never executed either way (mqtt_events()).
 */
static int subscribe_commands(void)
{
	char t[512];

	mqtt_topic("cmd/#", t, sizeof(t));
	if (cfg->protocol != 5)
		return mqtt_subscribe(t);
	return mosquitto_subscribe_v5(mosq, NULL, t, 1, MQTT_SUB_OPT_SEND_RETAIN_NEVER |
				      MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, NULL) ? -EIO : 0;
}

int mqtt_unsubscribe(const char *topic)
{
	return mosquitto_unsubscribe(mosq, NULL, topic) ? -EIO : 0;
}

void mqtt_events(void)
{
	size_t plen = strlen(cfg->topic_prefix);
	struct ev *e, *next;
	uint64_t n;

	if (read(efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		kcoapd_log(LOG_WARNING, "mqtt: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&lock);
	e = head;
	head = NULL;
	tail = &head;
	pthread_mutex_unlock(&lock);
	for (; e; e = next) {
		next = e->next;
		switch (e->type) {
		case EV_CONNECTED:
			if (subscribe_commands())
				kcoapd_log(LOG_WARNING, "mqtt: cannot subscribe to %scmd/#",
					   cfg->topic_prefix);
			pubsub_connected();
			rd_connected();
			break;
		case EV_DISCONNECTED:
			break;
		case EV_PUBACK:
			pubsub_puback(e->mid, e->rc);
			break;
		case EV_MESSAGE:
			if (strncmp(e->topic, cfg->topic_prefix, plen))
				break;
			if (!strncmp(e->topic + plen, "cmd/", 4) && e->retain) {
				/* A retained command would run at every reconnect. */
				kcoapd_log(LOG_WARNING, "cmd: a retained message on %s: not executed",
					   e->topic);
				n_retained_cmds++;
			} else if (!strncmp(e->topic + plen, "cmd/", 4)) {
				command_message(e->topic + plen + 4, e->payload, e->len, e->props);
			} else {
				pubsub_message(e->topic + plen, e->payload, e->len, e->qos, e->props);
			}
			break;
		}
		free(e->topic);
		free(e->payload);
		mosquitto_property_free_all(&e->props);
		free(e);
	}
}
