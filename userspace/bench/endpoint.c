// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The simulated endpoints: one connected, non-blocking UDP socket each, so
 * each has its own source port and the kernel routes once per socket. Sends
 * go out in batches per socket with sendmmsg().
 */
#define _GNU_SOURCE	/* sendmmsg() */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coap.h"
#include "dtls.h"
#include "endpoint.h"

uint32_t rng_next(uint32_t *s)
{
	/* xorshift32: jitter and starting Message IDs, nothing more. */
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

void raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need)
		rl.rlim_max = need;	/* works for root */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "kcoap-bench: cannot raise the open file limit to %u: %s\n",
			need, strerror(errno));
}

int tmpl_build(struct tmpl *t, const struct bench_opts *o, bool observe)
{
	static const uint8_t token[BENCH_TOKEN_LEN];
	struct coap_builder b;
	char seg[256];
	const char *p = o->path;
	int len;

	coap_build_init(&b, t->buf, sizeof(t->buf), o->con ? COAP_TYPE_CON : COAP_TYPE_NON,
			o->method, 0, token, sizeof(token));
	if (observe)
		coap_build_opt_uint(&b, COAP_OPT_OBSERVE, 0);
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		if (n >= sizeof(seg))
			return -1;
		memcpy(seg, p, n);
		seg[n] = 0;
		coap_build_opt_str(&b, COAP_OPT_URI_PATH, seg);
		p += n;
	}
	if (o->payload) {
		uint8_t *pl = coap_build_payload_reserve(&b, o->payload);

		if (pl)
			memset(pl, 'x', o->payload);
	}
	len = coap_build_end(&b);
	if (len < 0)
		return -1;
	t->len = (size_t)len;
	return 0;
}

int endpoint_socket(const struct bench_opts *o, struct endpoint *ep, unsigned int i, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
	int bufsize = 1 << 20;
	int fd;

	fd = socket(o->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "kcoap-bench: socket %u: %s\n", i, strerror(errno));
		return -1;
	}
	/* Room for a window of answers and an Observe burst. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (connect(fd, (const struct sockaddr *)&o->target, o->target_len) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, "kcoap-bench: endpoint %u: %s\n", i, strerror(errno));
		close(fd);
		return -1;
	}
	ep->fd = fd;
	return 0;
}

int endpoints_open(const struct bench_opts *o, struct endpoint *ep,
		   unsigned int n, int epfd, uint32_t *rng)
{
	unsigned int i;

	raise_nofile(n + 64);
	for (i = 0; i < n; i++) {
		if (endpoint_socket(o, &ep[i], i, epfd))
			goto fail;
		ep[i].mid = (uint16_t)rng_next(rng);
		ep[i].gen = (uint16_t)rng_next(rng);
	}
	return 0;
fail:
	endpoints_close(ep, i);
	return -1;
}

void endpoints_close(struct endpoint *ep, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ep[i].tls && ep[i].hs_done)
			bench_dtls_close(&ep[i]);	/* the server may free it now */
		bench_dtls_free(&ep[i]);
		if (ep[i].fd > 0)
			close(ep[i].fd);
		ep[i].fd = -1;
	}
}

void tx_flush(struct txbatch *tx)
{
	unsigned int done = 0;

	while (done < tx->n) {
		int r = sendmmsg(tx->fd, tx->mm + done, tx->n - done, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS, EAGAIN, ECONNREFUSED: the datagram is lost. */
			tx->errors++;
			done++;
			continue;
		}
		tx->datagrams += (unsigned int)r;
		done += (unsigned int)r;
	}
	tx->n = 0;
}

uint8_t *tx_slot(struct txbatch *tx, int fd, size_t len)
{
	unsigned int i;

	if (tx->n && (tx->fd != fd || tx->n == BENCH_BATCH))
		tx_flush(tx);
	tx->fd = fd;
	i = tx->n++;
	tx->iov[i].iov_base = tx->buf[i];
	tx->iov[i].iov_len = len;
	memset(&tx->mm[i], 0, sizeof(tx->mm[i]));
	tx->mm[i].msg_hdr.msg_iov = &tx->iov[i];
	tx->mm[i].msg_hdr.msg_iovlen = 1;
	return tx->buf[i];
}

void tx_request(struct txbatch *tx, struct endpoint *ep, const struct tmpl *t,
		uint16_t mid, uint16_t slot, uint16_t gen)
{
	uint8_t plain[BENCH_MAX_MSG];
	uint8_t *b = ep->tls ? plain : tx_slot(tx, ep->fd, t->len);

	memcpy(b, t->buf, t->len);
	b[2] = (uint8_t)(mid >> 8);
	b[3] = (uint8_t)mid;
	b[4] = (uint8_t)(slot >> 8);
	b[5] = (uint8_t)slot;
	b[6] = (uint8_t)(gen >> 8);
	b[7] = (uint8_t)gen;
	if (ep->tls)
		bench_dtls_seal(tx, ep, plain, t->len);
}

void tx_empty_ack(struct txbatch *tx, struct endpoint *ep, uint16_t mid)
{
	uint8_t plain[COAP_HDR_LEN];

	if (!ep->tls) {
		coap_build_ack(tx_slot(tx, ep->fd, COAP_HDR_LEN), COAP_HDR_LEN, mid);
		return;
	}
	coap_build_ack(plain, COAP_HDR_LEN, mid);
	bench_dtls_seal(tx, ep, plain, COAP_HDR_LEN);
}

const uint8_t *rx_open(struct endpoint *ep, const uint8_t *d, size_t *len,
		       uint8_t *plain, size_t size)
{
	ssize_t n;

	if (!ep->tls)
		return d;
	n = bench_dtls_open(ep, d, *len, plain, size);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return plain;
}

bool reply_parse(const uint8_t *d, size_t len, struct reply *r)
{
	if (len < COAP_HDR_LEN || d[0] >> 6 != COAP_VERSION)
		return false;
	r->type = (d[0] >> 4) & 3;
	r->tkl = d[0] & 15;
	r->code = d[1];
	r->mid = (uint16_t)(d[2] << 8 | d[3]);
	if (r->tkl > COAP_MAX_TOKEN || len < COAP_HDR_LEN + (size_t)r->tkl)
		return false;
	r->slot = r->gen = 0;
	if (r->tkl == BENCH_TOKEN_LEN) {
		r->slot = (uint16_t)(d[4] << 8 | d[5]);
		r->gen = (uint16_t)(d[6] << 8 | d[7]);
	}
	r->data = d;
	r->len = len;
	return true;
}
