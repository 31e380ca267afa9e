// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The CoAP side of the HTTP proxy (http.c): requests go out CON from a
 * socket of their own, retransmitted as RFC 7252 §4.2 says (with the
 * coap-ack-timeout and coap-max-retransmit settings, as commands);
 * separate responses are acknowledged (§5.2.2); no answer after the last
 * retransmission (or 60 s after an empty ACK) is -ETIMEDOUT, an HTTP 504.
 * A response in Block2 blocks (RFC 7959 §2.4) is fetched whole, up to
 * http-body-max bytes. An observation (RFC 7641) stays after its first
 * answer: notifications are acknowledged when CON, taken in order
 * (§3.4), and handed to the event stream; one that ends it (not 2.xx)
 * ends the stream; a stream that ends deregisters (§3.6, GET with
 * Observe 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "http_int.h"

#define MAX_HX 256
#define SEPARATE_WAIT_MS 60000

struct hx {
	bool used, sent, acked, observe, registered, orphan;
	uint16_t mid;
	uint8_t token[COAP_MAX_TOKEN];
	struct sockaddr_in6 dst;
	uint8_t *msg;			/* the request as sent */
	size_t len;
	unsigned int tries;
	uint64_t due, timeout;
	void *owner;
	struct stream *s;
	uint32_t last_obs;		/* Observe number of the last notification */
	uint64_t last_obs_at;		/* ms */
	uint8_t *acc;			/* Block2 so far */
	size_t acc_len;
};

static struct hx hxs[MAX_HX];
static int sock = -1;
static uint16_t port, local_port = 5683, next_mid;
static uint32_t ack_timeout, max_retransmit, body_max;
static unsigned long n_sent, n_retransmitted, n_notifications;

void http_coap_settings(const struct kcoapd_config *c)
{
	ack_timeout = c->ack_timeout;
	max_retransmit = c->max_retransmit;
	body_max = c->http_body_max;
}

int http_coap_init(const struct kcoapd_config *c)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t sl = sizeof(sa);
	unsigned int p;
	int off = 0;
	FILE *f;

	http_coap_settings(c);
	if (getrandom(&next_mid, sizeof(next_mid), 0) < 0)
		next_mid = (uint16_t)getpid();
	/* kcoap.ko's port in this namespace: the gateway's own resources. */
	f = fopen("/sys/module/kcoap/parameters/port", "r");
	if (f) {
		if (fscanf(f, "%u", &p) == 1 && p && p < 65536)
			local_port = (uint16_t)p;
		fclose(f);
	}
	sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0 || setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(sock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(sock, (struct sockaddr *)&sa, &sl)) {
		kcoapd_log(LOG_ERR, "http: proxy socket: %s", strerror(errno));
		return -1;
	}
	port = ntohs(sa.sin6_port);
	return sock;
}

uint16_t http_coap_port(void)
{
	return port;
}

uint16_t http_coap_local_port(void)
{
	return local_port;
}

struct hx *http_coap_new(void *owner, const struct sockaddr_in6 *dst, bool observe)
{
	int i;

	for (i = 0; i < MAX_HX; i++) {
		struct hx *x = &hxs[i];

		if (x->used)
			continue;
		memset(x, 0, sizeof(*x));
		x->used = true;
		x->owner = owner;
		x->dst = *dst;
		x->observe = observe;
		x->mid = next_mid++;
		if (getrandom(x->token, sizeof(x->token), 0) < 0)
			memcpy(x->token, &x->mid, sizeof(x->mid));
		return x;
	}
	return NULL;
}

const uint8_t *http_coap_token(const struct hx *x)
{
	return x->token;
}

uint16_t http_coap_mid(const struct hx *x)
{
	return x->mid;
}

static void transmit(struct hx *x)
{
	if (sendto(sock, x->msg, x->len, 0, (struct sockaddr *)&x->dst, sizeof(x->dst)) < 0)
		kcoapd_log(LOG_WARNING, "http: sendto: %s", strerror(errno));
}

/* (Re)start the retransmission clock of what x->msg holds now. */
static void start(struct hx *x)
{
	x->sent = true;
	x->acked = false;
	x->tries = 0;
	/* ACK_TIMEOUT to ACK_TIMEOUT * RANDOM_FACTOR (§4.2). */
	x->timeout = ack_timeout + (uint64_t)(random() % (ack_timeout / 2));
	x->due = now_ms() + x->timeout;
	n_sent++;
	transmit(x);
}

int http_coap_send(struct hx *x, const uint8_t *msg, size_t len)
{
	x->msg = malloc(len);
	if (!x->msg)
		return -ENOMEM;
	memcpy(x->msg, msg, len);
	x->len = len;
	start(x);
	return 0;
}

static void end(struct hx *x)
{
	free(x->msg);
	free(x->acc);
	memset(x, 0, sizeof(*x));
}

/*
 * x->msg again with a new Message ID and Observe @obs (-1: none) and
 * Block2 @blk (NULL: none) instead of what it had; false if it cannot be.
 */
static bool rebuild(struct hx *x, int obs, const struct coap_block *blk)
{
	struct coap_builder b;
	struct coap_msg m;
	uint8_t *buf;
	size_t cap = x->len + 16;
	bool obs_done = obs < 0, blk_done = !blk;
	int i, n;

	buf = malloc(cap);
	if (!buf || coap_parse(&m, x->msg, x->len)) {
		free(buf);
		return false;
	}
	x->mid = next_mid++;
	coap_build_init(&b, buf, cap, COAP_TYPE_CON, m.code, x->mid, x->token, COAP_MAX_TOKEN);
	for (i = 0; i <= m.nopts; i++) {
		const struct coap_opt *o = i < m.nopts ? &m.opts[i] : NULL;
		uint16_t num = o ? o->num : 0xffff;

		if (!obs_done && num >= COAP_OPT_OBSERVE) {
			coap_build_opt_uint(&b, COAP_OPT_OBSERVE, (uint32_t)obs);
			obs_done = true;
		}
		if (!blk_done && num >= COAP_OPT_BLOCK2) {
			coap_build_block(&b, COAP_OPT_BLOCK2, blk);
			blk_done = true;
		}
		if (!o || num == COAP_OPT_BLOCK2 || (num == COAP_OPT_OBSERVE && obs >= 0))
			continue;
		coap_build_opt(&b, o->num, coap_opt_value(&m, o), o->len);
	}
	if (m.payload_len && !blk)
		coap_build_payload(&b, m.payload, m.payload_len);
	n = coap_build_end(&b);
	if (n < 0) {
		free(buf);
		return false;
	}
	free(x->msg);
	x->msg = buf;
	x->len = (size_t)n;
	return true;
}

void http_coap_cancel(struct hx *x)
{
	if (x->registered && rebuild(x, 1, NULL)) {
		/* Deregister; its answer finds no exchange and is let be. */
		x->msg[0] = (uint8_t)((COAP_VERSION << 6) | (COAP_TYPE_NON << 4) | COAP_MAX_TOKEN);
		transmit(x);
	}
	end(x);
}

void http_coap_orphan(struct hx *x)
{
	x->owner = NULL;
	x->orphan = true;
}

void http_coap_attach(struct hx *x, struct stream *s)
{
	x->s = s;
}

static struct hx *match(const struct coap_msg *m, const struct sockaddr_in6 *from)
{
	int i;

	for (i = 0; i < MAX_HX; i++) {
		struct hx *x = &hxs[i];

		if (!x->used || !x->sent || x->dst.sin6_port != from->sin6_port ||
		    memcmp(&x->dst.sin6_addr, &from->sin6_addr, sizeof(from->sin6_addr)))
			continue;
		if ((m->type == COAP_TYPE_ACK || m->type == COAP_TYPE_RST) && m->mid == x->mid &&
		    !x->acked)
			return x;
		if ((m->type == COAP_TYPE_CON || m->type == COAP_TYPE_NON ||
		     (m->type == COAP_TYPE_ACK && m->code)) && m->tkl == COAP_MAX_TOKEN &&
		    !memcmp(coap_token(m), x->token, COAP_MAX_TOKEN))
			return x;
	}
	return NULL;
}

/* RFC 7641 §3.4: is notification @v (at @now) newer than the last one? */
static bool fresher(const struct hx *x, uint32_t v, uint64_t now)
{
	uint32_t v1 = x->last_obs;

	return (v1 < v && v - v1 < (1u << 23)) || (v1 > v && v1 - v > (1u << 23)) ||
	       now > x->last_obs_at + 128000;
}

static void notification(struct hx *x, const struct coap_msg *m)
{
	uint32_t obs;
	uint64_t now = now_ms();

	if (!x->s)
		return;
	if (!coap_opt_uint(m, COAP_OPT_OBSERVE, &obs)) {
		if (!fresher(x, obs, now))
			return;
		x->last_obs = obs;
		x->last_obs_at = now;
	}
	n_notifications++;
	http_stream_event(x->s, m, m->payload, m->payload_len);
	if (COAP_CODE_CLASS(m->code) != 2 || !coap_opt_find(m, COAP_OPT_OBSERVE)) {
		/* The observation is over (§3.2, §4.2). */
		http_stream_ended(x->s);
		end(x);
	}
}

/* A response to x's request (not an empty ACK). */
static void response(struct hx *x, const struct coap_msg *m)
{
	struct coap_block blk;
	uint32_t obs;

	if (!coap_block_get(m, COAP_OPT_BLOCK2, &blk) && !x->observe) {
		size_t off = coap_block_offset(&blk);

		if (off != x->acc_len || off + m->payload_len > body_max) {
			kcoapd_log(LOG_NOTICE, "http: a Block2 response out of order or over http-body-max (%u)",
				   body_max);
			if (x->owner)
				http_coap_answer(x->owner, x, NULL, NULL, 0, -ECONNRESET);
			end(x);
			return;
		}
		if (m->payload_len) {
			uint8_t *a = realloc(x->acc, off + m->payload_len);

			if (!a) {
				end(x);
				return;
			}
			memcpy(a + off, m->payload, m->payload_len);
			x->acc = a;
			x->acc_len = off + m->payload_len;
		}
		if (blk.more && x->owner) {
			blk.num++;
			blk.more = false;
			if (rebuild(x, -1, &blk)) {
				start(x);
				return;
			}
		}
		if (x->owner)
			http_coap_answer(x->owner, x, m, x->acc, x->acc_len, 0);
		end(x);
		return;
	}
	if (x->observe && COAP_CODE_CLASS(m->code) == 2 &&
	    !coap_opt_uint(m, COAP_OPT_OBSERVE, &obs)) {
		x->registered = true;
		x->last_obs = obs;
		x->last_obs_at = now_ms();
	}
	x->sent = true;
	x->acked = true;		/* no more retransmissions */
	x->due = UINT64_MAX;
	if (x->owner) {
		void *owner = x->owner;

		x->owner = NULL;
		http_coap_answer(owner, x, m, m->payload, m->payload_len, 0);
		/* The stream took it, or it was cancelled meanwhile. */
		if (!x->used || x->s)
			return;
	} else if (x->registered) {
		http_coap_cancel(x);
		return;
	}
	end(x);
}

void http_coap_receive(void)
{
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	uint8_t buf[2048], ack[COAP_HDR_LEN];
	struct coap_msg m;
	struct hx *x;
	ssize_t n;

	while ((n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof(from);
		if (coap_parse(&m, buf, (size_t)n))
			continue;
		x = match(&m, &from);
		if (m.type == COAP_TYPE_CON) {
			/* A separate response or a notification: ACK; else RST. */
			coap_build_empty(ack, sizeof(ack), x ? COAP_TYPE_ACK : COAP_TYPE_RST, m.mid);
			sendto(sock, ack, sizeof(ack), 0, (struct sockaddr *)&from, sizeof(from));
		} else if (!x && m.type == COAP_TYPE_NON && m.code) {
			coap_build_rst(ack, sizeof(ack), m.mid);
			sendto(sock, ack, sizeof(ack), 0, (struct sockaddr *)&from, sizeof(from));
		}
		if (!x)
			continue;
		if (m.type == COAP_TYPE_RST) {
			if (x->owner)
				http_coap_answer(x->owner, x, NULL, NULL, 0, -ECONNRESET);
			else if (x->s)
				http_stream_ended(x->s);
			end(x);
		} else if (m.code == COAP_CODE_EMPTY) {
			/* The answer comes separately (§5.2.2). */
			x->acked = true;
			x->due = now_ms() + SEPARATE_WAIT_MS;
		} else if (x->s) {
			notification(x, &m);
		} else {
			response(x, &m);
		}
	}
}

void http_coap_tick(uint64_t now)
{
	int i;

	for (i = 0; i < MAX_HX; i++) {
		struct hx *x = &hxs[i];

		if (!x->used || !x->sent || now < x->due)
			continue;
		if (x->acked || x->tries >= max_retransmit) {
			if (x->owner)
				http_coap_answer(x->owner, x, NULL, NULL, 0, -ETIMEDOUT);
			end(x);
			continue;
		}
		x->tries++;
		x->timeout *= 2;
		x->due = now + x->timeout;
		n_retransmitted++;
		transmit(x);
	}
}

void http_coap_status(FILE *f)
{
	int i, n = 0, obs = 0;

	for (i = 0; i < MAX_HX; i++) {
		n += hxs[i].used;
		obs += hxs[i].used && hxs[i].s;
	}
	fprintf(f, "http-exchanges %d %d\nhttp-observations %d\n", n, MAX_HX, obs);
	fprintf(f, "http-coap-sent %lu\nhttp-coap-retransmitted %lu\nhttp-notifications %lu\n",
		n_sent, n_retransmitted, n_notifications);
}
