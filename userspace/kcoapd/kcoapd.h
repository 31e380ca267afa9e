/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapd: serves the requests kcoap.ko hands up through the rings.
 */
#ifndef KCOAPD_H
#define KCOAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/kcoap_ring.h>

#include "coap.h"

#define KCOAPD_MAX_PREFIXES 16
#define KCOAPD_MAX_DEVICES 64		/* "device" lines */
#define KCOAPD_MAX_BROKERS 8		/* "mqtt-url" lines: a cluster's nodes */
#define KCOAPD_STATE_DIR "/var/lib/kcoap"

struct kcoapd_config {
	const char *prefixes[KCOAPD_MAX_PREFIXES];
	size_t n_prefixes;
	uint32_t req_entries, rsp_entries, slot_size;
	size_t store_max;		/* resources in the store */
	size_t value_max;		/* bytes of one value */
	bool syslog;
	bool verbose;
	bool no_push;			/* keep the store out of the kernel */
	bool push_ring;			/* push through the ring, not netlink */
	bool echo;			/* serve /echo (a test aid) */
	int log_level;			/* LOG_ERR .. LOG_DEBUG */
	const char *acl_file;		/* NULL: the built-in rules (acl.c) */
	const char *state_dir;		/* the store and registrations (state.c) */
	const char *status_dir;		/* kcoapd.PID.status (status.c) */
	uint32_t command_max_age;	/* seconds, 0: no limit */
	uint32_t stats_interval;	/* seconds between {prefix}stats, 0: none */

	/* The MQTT bridge (mqtt.c, pubsub.c, rd.c, command.c). */
	const char *mqtt_url;		/* the first of mqtt_urls; NULL: off */
	const char *mqtt_urls[KCOAPD_MAX_BROKERS];	/* tried in turn */
	size_t n_mqtt_urls;
	bool mqtt_urls_default;		/* the next mqtt-url replaces them */
	const char *topic_prefix;
	const char *client_id;
	const char *user, *password;
	const char *ca_file, *cert_file, *key_file;
	int protocol;			/* 5, or 4 for 3.1.1 */
	uint32_t keepalive;		/* seconds */
	uint32_t session_expiry;	/* seconds, MQTT 5 */
	uint32_t queue_max;		/* QoS >= 1 publishes awaiting PUBACK */
	uint32_t reconnect_max;		/* seconds */
	uint32_t connect_timeout;	/* seconds to wait for CONNACK */
	uint32_t subs_max;
	uint32_t retained_wait;		/* ms */
	uint32_t rd_lifetime_max;	/* seconds */
	uint32_t devices_max;		/* registrations */
	uint32_t ack_timeout;		/* ms, commands' ACK_TIMEOUT (RFC 7252 §4.8) */
	uint32_t max_retransmit;	/* commands' MAX_RETRANSMIT */
	const char *devices[KCOAPD_MAX_DEVICES][2];	/* name, host[:port] */

	/* The HTTP proxy and the gateway page (http.c). */
	uint32_t http_port;		/* 0: off */
	const char *http_address;	/* NULL: every address */
	uint32_t http_conns_max;	/* connections at once */
	uint32_t http_conns_per_ip;
	uint32_t http_body_max;		/* bytes of a request or response body */
	uint32_t http_streams_max;	/* Server-Sent Events streams */
	const char *http_mqtt_ws;	/* the page's broker: a port or a ws[s]:// URL */
	size_t n_devices;
	/* DTLS (dtls.c): -1 on if credentials are set, 0 off, 1 on. */
	int dtls;
	const char *dtls_psk_file, *dtls_cert_file, *dtls_key_file, *dtls_ca_file;
	const char *dtls_priority;	/* NULL: DTLS_PRIORITY_DEFAULT */
	bool dtls_rpk;
	bool dtls_cid;			/* connection IDs (RFC 9146) if offered */
	uint32_t dtls_handshakes_max;	/* GnuTLS sessions at once */
	uint32_t dtls_mtu;		/* bytes of a flight's datagram */
	struct kcoapd_config_str *strings;	/* what the file gave, to free */
};

/* config.c: KEY VALUE lines of @path into @c; an error names the line. */
int kcoapd_config_load(struct kcoapd_config *c, const char *path);
void kcoapd_config_defaults(struct kcoapd_config *c);
/* The strings the file and kcoapd_config_set() gave; @c is unusable after. */
void kcoapd_config_free(struct kcoapd_config *c);
/* One setting of the bridge; 1 if @key is not one, -EINVAL if bad. */
int kcoapd_config_set(struct kcoapd_config *c, const char *key, const char *val,
		      const char *where);
/*
 * One more broker address (mqtt-url, repeatable): the first replaces the
 * default, "off" clears them; -EINVAL past KCOAPD_MAX_BROKERS.
 */
int kcoapd_config_url(struct kcoapd_config *c, const char *val, const char *where);

/* notify.c: sd_notify(3) to systemd; the watchdog's timerfd or -1. */
void notify_ready(void);
void notify_stopping(void);
int notify_watchdog_fd(void);
void notify_watchdog(int fd);

/*
 * Split @line in place into at most @max words: blanks separate them, "..."
 * quotes (a backslash escapes the next byte), '#' at the start of a word
 * (with @hash_words; else of the first word only) ends the line. The
 * count, -EINVAL for a quote not closed, -E2BIG for too many words.
 */
int kcoapd_words(char *line, char **w, int max, bool hash_words);

/*
 * acl.c: who may do what (kcoapd(8), ACL FILE). A client is its address
 * (IPv4 as ::ffff:a.b.c.d) and, over DTLS, its session's identity (NULL
 * for plain CoAP); its rules are those of the identity sections that name
 * it, then of the address sections that hold it, most specific first, then
 * the default section's. The first rule that speaks of the subject
 * decides; none: refused.
 */
enum acl_kind { ACL_TOPIC, ACL_STORE, ACL_RD };
#define ACL_READ	1	/* GET, Observe */
#define ACL_WRITE	2	/* PUT, POST, DELETE; for ACL_RD: register */
struct acl;
/* The rules of @path, or NULL having said on stderr what is wrong (file:line). */
struct acl *acl_load(const char *path);
/* Without a file: everything but the gateway's own topics. */
struct acl *acl_builtin(void);
void acl_free(struct acl *acl);
bool acl_allows(const struct acl *acl, const uint8_t addr[16], const char *identity,
		enum acl_kind kind, int perm, const char *subject);
/*
 * dtls_kernel.c: the DTLS identity of the session @d came over (for the
 * ACL), or NULL for plain CoAP or a session without client credentials.
 */
const char *req_identity(const struct kcoap_req_desc *d);
/* The rules in force (acl_use() takes @acl and frees the last ones). */
void acl_use(struct acl *acl);
bool acl_check(const uint8_t addr[16], const char *identity, enum acl_kind kind, int perm,
	       const char *subject);
/* MQTT filter levels: every topic of @f matches @p; some topic matches both. */
bool acl_filter_within(const char *f, const char *p);
bool acl_filter_overlaps(const char *f, const char *p);

/* log.c */
void kcoapd_log_init(bool syslog, bool verbose);
void kcoapd_log_level(int level);
void kcoapd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * An answer: the code and the bytes after the token. Handlers build it
 * with a struct coap_builder into buf and call answer_end().
 */
struct answer {
	uint8_t code;
	uint8_t buf[2048];
	size_t len;
	uint32_t delay_ms;		/* answer this much later (diagnostics) */
};

/* store.c: the dynamic resource store, and the /echo diagnostic. */
void store_init(const struct kcoapd_config *c);
void store_handle(const struct kcoap_req_desc *d, const struct coap_msg *req,
		  struct answer *a);

/* store.c: the store on disk (state.c calls these). */
void store_save(FILE *f);
void store_load(FILE *f);
/* Whether the store holds @path. */
bool store_has(const char *path);
/* Every value into the kernel's table again (after a restart). */
void store_push_all(void);

/*
 * status.c: kcoapd's state for kcoapctl daemon, a "KEY VALUE..." line
 * file STATUS-DIR/kcoapd.PID.status rewritten every second, and the
 * {prefix}stats message. status_word() writes a network-supplied word
 * with blanks, control bytes and backslashes as \xNN.
 */
void status_init(const struct kcoapd_config *c, bool bridge);
/* SIGHUP: stats-interval. */
void status_settings(const struct kcoapd_config *c);
void status_tick(uint64_t now);
void status_end(void);
void status_word(FILE *f, const char *s);
/* Each part's lines. */
void store_status(FILE *f);
void pubsub_status(FILE *f);
void rd_status(FILE *f);
void command_status(FILE *f);
void mqtt_status(FILE *f);
/* The stats message's numbers. */
size_t pubsub_count(void);
uint32_t pubsub_pending(void);
size_t rd_count(void);
int command_count(void);
size_t store_count(void);

/* state.c: what survives a restart, under state-dir. */
#define STATE_STORE	1
#define STATE_DEVICES	2
int state_init(const struct kcoapd_config *c);
/* The file @name in state-dir to read, or NULL (none, or no state-dir). */
FILE *state_open(const char *name);
void state_dirty(unsigned int what);
/* Write what changed (atomically); before the answers go out. */
void state_flush(void);

/*
 * kernel.c, at start: the resources under @prefixes (and /ps/) in the
 * kernel's table that kcoapd does not hold are deleted; /ps/ ones are
 * given to pubsub_adopt() first.
 */
void kernel_reconcile(const char *const *prefixes, size_t n, bool bridge);

/* kernel.c: the store's resources in the kernel's table (netlink). */
struct kcoap_nl;
struct kcoap_ring_user;
void kernel_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring);
void kernel_push_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring);
void kernel_push(const char *path, uint16_t ct, const uint8_t *value, size_t len);
void kernel_drop(const char *path);

/* upload.c: Block1 reassembly (RFC 7959 §2.5). */
struct upload_body {
	const uint8_t *data;
	size_t len;
	void *handle;
};

/*
 * Block @blk of a PUT or POST to @path from the client of @d. 0: the body
 * is complete in @body (apply it, answer with Block1 echoed, then
 * upload_done()); 1: a 2.31 Continue is in @a; -1: an error is in @a.
 */
int upload_block(const struct kcoap_req_desc *d, const char *path,
		 const struct coap_msg *req, const struct coap_block *blk,
		 size_t max, struct answer *a, struct upload_body *body);
void upload_done(struct upload_body *body);

/* Build helpers: an answer with @code, options added by the caller. */
void answer_begin(struct answer *a, struct coap_builder *b, uint8_t code);
void answer_end(struct answer *a, struct coap_builder *b);
void answer_code(struct answer *a, uint8_t code);
/* 5.03 with Max-Age @secs (RFC 7252 §5.9.3.4). */
void answer_unavailable(struct answer *a, uint32_t secs);

/* The Uri-Path of @m as "/a/b" into @out; false if it does not fit. */
bool req_path(const struct coap_msg *m, char *out, size_t cap);

/*
 * main.c: answers that come later than the request (the bridge's): queued
 * on the response ring, which is kicked once per turn of the loop.
 */
uint64_t now_ms(void);
void reply(uint64_t id, const struct answer *a);
void reply_code(uint64_t id, uint8_t code);
/* Let the kernel answer @id from its table (KCOAP_RSP_F_SERVE). */
void reply_serve(uint64_t id, uint8_t fallback);
/* Something went down the ring that is not an answer: kick this turn. */
void kick_later(void);

/*
 * kernel.c: a value for @path in the kernel's table, down the ring (so it
 * is ordered with the answers), over netlink if too large for a slot. @con:
 * observers hear of it in a CON notification.
 */
void kernel_update(const char *path, uint16_t ct, bool con,
		   const uint8_t *value, size_t len);
/* The observers of @path in the kernel, or a negative errno. */
int kernel_observers(const char *path);
void kernel_delete(const char *path);
/* @fn for each resource in the kernel's table (values as far as they fit). */
struct kcoap_resource;
int kernel_each(int (*fn)(const struct kcoap_resource *res, void *arg), void *arg);

/* url.c: mqtt[s]://[user[:password]@]host[:port][/], parts decoded. */
struct mqtt_url {
	char host[256], user[256], password[256];
	int port;
	bool tls, has_user, has_password;
};

/* 0, or -EINVAL having said on stderr what is wrong with @url. */
int mqtt_url_parse(const char *url, struct mqtt_url *u);
/*
 * Each of @n URLs into @u[]; they must agree on TLS (one TLS setup serves
 * every node). 0, or -EINVAL having said which URL is wrong.
 */
int mqtt_urls_parse(const char *const *urls, size_t n, struct mqtt_url *u);

/*
 * failover.c: which broker node to try next, and when. A lost connection
 * moves to the next node at once; a failed attempt too, until each node
 * has failed once since the last connection: then a pause, 1, 2, 4 ...
 * seconds up to the maximum, before the next round. With one node every
 * failure pauses. A failover is a connection to another node than the
 * last connection's; the outage is the time from a loss to the next
 * connection.
 */
struct failover {
	size_t n, cur;			/* nodes; the one in use or to try */
	size_t failed;			/* attempts failed since a connection */
	uint32_t backoff, max;		/* seconds */
	long last;			/* the last connection's node, -1: none */
	unsigned long failovers, connects;
	uint64_t lost_ms, outage_ms;	/* the last loss; the last outage */
};
void failover_init(struct failover *f, size_t n, uint32_t max);
/* Connected to f->cur at @now (ms). */
void failover_connected(struct failover *f, uint64_t now);
/* The connection was lost at @now: seconds to wait before trying f->cur. */
uint32_t failover_lost(struct failover *f, uint64_t now);
/* An attempt on f->cur failed: seconds to wait before trying f->cur. */
uint32_t failover_failed(struct failover *f);

/* mqtt.c: the broker connection; its own thread, events to the loop. */
struct mosquitto_message;
typedef struct mqtt5__property mosquitto_property;

/* With @u[@n] from mqtt_urls_parse() of c->mqtt_urls: an eventfd, or -1. */
int mqtt_start(const struct kcoapd_config *c, const struct mqtt_url *u, size_t n);
void mqtt_stop(void);
bool mqtt_connected(void);
/* Seconds until the next connection attempt (for Max-Age), at least 1. */
uint32_t mqtt_retry_in(void);
/* The full topic of @rest: the prefix, then @rest. */
const char *mqtt_topic(const char *rest, char *buf, size_t cap);
/*
 * Publish; *mid (if not NULL) is what mqtt's PUBACK event will name.
 * -ENOTCONN while not connected, unless @keep: then a QoS 1 or 2 message
 * is taken anyway. A QoS 1 or 2 message taken while the connection drops
 * (or with @keep while it is down) stays in libmosquitto's queue and goes
 * out after the reconnect (the session is persistent): that is 0 too.
 */
int mqtt_publish(const char *topic, const void *payload, size_t len, int qos,
		 bool retain, const mosquitto_property *props, int *mid, bool keep);
int mqtt_subscribe(const char *topic);
/* Again after a reconnect: no retained message if the session kept it. */
int mqtt_resubscribe(const char *topic);
int mqtt_unsubscribe(const char *topic);
bool mqtt_v5(void);
/* Read the eventfd and deliver what the broker's thread queued. */
void mqtt_events(void);

/* pubsub.c: /ps/ (CoAP pub/sub paths as EMQX's CoAP gateway has them). */
int pubsub_init(const struct kcoapd_config *c);
/* True if @a is the answer now; else @id is answered later. */
bool pubsub_handle(uint64_t id, const struct coap_msg *req, const char *path,
		   struct answer *a);
void pubsub_connected(void);
void pubsub_puback(int mid, int reason);
/* A message for a subscription; @rest is its topic after the prefix. */
void pubsub_message(const char *rest, const void *payload, size_t len, int qos,
		    const mosquitto_property *props);
void pubsub_tick(uint64_t now);
/* A /ps/ resource a previous kcoapd left in the kernel: subscribe again. */
bool pubsub_adopt(const char *path);

/* rd.c: devices, by registration (RFC 9176) or configuration. */
struct sockaddr_in6;
int rd_init(const struct kcoapd_config *c);
void rd_handle(const struct kcoap_req_desc *d, const struct coap_msg *req,
	       const char *path, struct answer *a);
bool rd_lookup(const char *name, struct sockaddr_in6 *addr);
void rd_connected(void);
void rd_tick(uint64_t now);
void rd_save(FILE *f);
void rd_load(FILE *f);

/* command.c: {prefix}cmd/{device}/{path} to CoAP requests to devices. */
int command_init(const struct kcoapd_config *c);	/* its socket */
/* The settings SIGHUP may change: timing and command-max-age. */
void command_settings(const struct kcoapd_config *c);
void command_message(const char *rest, const void *payload, size_t len,
		     const mosquitto_property *props);
void command_readable(void);
void command_tick(uint64_t now);

/*
 * http.c: the HTTP -> CoAP proxy (RFC 8075) and the gateway page, on
 * libmicrohttpd driven from the main loop. http_start() returns the
 * server's epoll fd (readable: http_run()) and sets *@sock to the proxy's
 * CoAP socket (readable: http_coap_readable()); -1 on failure.
 */
struct kcoap_req_desc;
int http_start(const struct kcoapd_config *c, bool bridge, int *sock);
void http_run(void);
void http_coap_readable(void);
void http_tick(uint64_t now);
void http_stop(void);
void http_settings(const struct kcoapd_config *c);
void http_status(FILE *f);
/* A request the proxy forwarded to the gateway itself (checked already). */
bool http_from_proxy(const struct kcoap_req_desc *d);

/* http_map.c: RFC 8075's mapping (pure functions, unit-tested). */
struct http_target {
	char host[256];
	uint16_t port;			/* 0: the default */
	bool local;			/* the gateway itself */
	char path[512];			/* "/a/b", unescaped */
};

/* A CoAP method code for an HTTP method, or -1 (501). */
int http_method_to_coap(const char *method);
/* The HTTP status for CoAP @code (RFC 8075 §7). */
unsigned int http_status_of(uint8_t code, bool has_payload, bool conditional);
/* The media type of a Content-Format (UINT32_MAX: none, NULL). */
const char *http_content_type_of(uint32_t cf);
/* The Content-Format of a media type: -1 for none given, -2 unknown. */
long http_cf_of(const char *type);
/* An ETag as a quoted strong validator; its length, 0 if @cap is short. */
size_t http_etag_format(const uint8_t *etag, size_t n, char *out, size_t cap);
/* The next entity tag of an If-Match / If-None-Match list: its length, -1. */
int http_etag_parse(const char **s, uint8_t *etag);
/* /hc/coap://HOST[:PORT]/PATH or /coap/PATH: 0, or -1 if neither. */
int http_target_parse(const char *url, struct http_target *t);

#endif /* KCOAPD_H */
