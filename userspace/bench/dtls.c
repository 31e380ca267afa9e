// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS client sessions for kcoap-bench, on GnuTLS: see dtls.h. Each
 * session's transport is its endpoint: what GnuTLS writes goes straight
 * out with send() during a handshake and into the current sendmmsg()
 * batch afterwards; what it reads is the one datagram being handed to it
 * (the epoll loop has already read it with recvmmsg()), or nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/dtls.h>

#include "dtls.h"
#include "endpoint.h"

static gnutls_psk_client_credentials_t psk_cred;
static gnutls_priority_t prio;
static char suite[96];		/* what the first handshake negotiated */
static unsigned int hs_timeout_ms;

/* What the transport functions see: set around each GnuTLS call. */
static struct {
	const uint8_t *d;	/* the datagram to read, NULL: none */
	size_t len;
	struct txbatch *tx;	/* where to queue what is written, NULL: send() */
	struct endpoint *ep;
} io;

static ssize_t push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	struct endpoint *ep = p;
	ssize_t n;

	if (io.tx && io.ep == ep && len <= BENCH_MAX_MSG) {
		memcpy(tx_slot(io.tx, ep->fd, len), buf, len);
		return (ssize_t)len;
	}
	n = send(ep->fd, buf, len, 0);
	if (n < 0 && errno != EINTR && errno != EAGAIN)
		return (ssize_t)len;	/* lost on the way, as a datagram may be */
	return n;
}

static ssize_t pull(gnutls_transport_ptr_t p, void *buf, size_t size)
{
	struct endpoint *ep = p;
	size_t n;

	if (!io.d || io.ep != ep) {
		gnutls_transport_set_errno(ep->tls, EAGAIN);
		return -1;
	}
	n = io.len < size ? io.len : size;
	memcpy(buf, io.d, n);
	io.d = NULL;
	return (ssize_t)n;
}

static int pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	(void)ms;
	return io.d && io.ep == p ? 1 : 0;
}

int bench_dtls_init(const struct bench_opts *o)
{
	gnutls_datum_t key = {
		.data = (unsigned char *)(uintptr_t)o->psk_key,
		.size = (unsigned int)strlen(o->psk_key),
	};
	const char *err = NULL;
	int ret;

	hs_timeout_ms = (unsigned int)(o->hs_timeout * 1000);
	ret = gnutls_global_init();
	if (ret < 0)
		goto fail;
	ret = gnutls_psk_allocate_client_credentials(&psk_cred);
	if (ret < 0)
		goto fail;
	/* The key as given, byte for byte, as libcoap's -k takes it. */
	ret = gnutls_psk_set_client_credentials(psk_cred, o->psk_identity, &key,
						GNUTLS_PSK_KEY_RAW);
	if (ret < 0)
		goto fail;
	ret = gnutls_priority_init(&prio, o->priority ? o->priority : BENCH_DTLS_PRIORITY, &err);
	if (ret < 0) {
		fprintf(stderr, "kcoap-bench: --priority: GnuTLS does not take '%s' at '%s': %s\n",
			o->priority ? o->priority : BENCH_DTLS_PRIORITY, err ? err : "?",
			gnutls_strerror(ret));
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "kcoap-bench: GnuTLS PSK credentials: %s\n", gnutls_strerror(ret));
	return -1;
}

void bench_dtls_end(void)
{
	if (prio)
		gnutls_priority_deinit(prio);
	if (psk_cred)
		gnutls_psk_free_client_credentials(psk_cred);
	prio = NULL;
	psk_cred = NULL;
	gnutls_global_deinit();
}

void bench_dtls_free(struct endpoint *ep)
{
	if (ep->tls)
		gnutls_deinit(ep->tls);
	ep->tls = NULL;
}

int bench_dtls_session(struct endpoint *ep)
{
	gnutls_session_t s;
	int ret;

	bench_dtls_free(ep);
	/* No tickets: every handshake of --handshakes is a full one. */
	ret = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK |
			  GNUTLS_NO_TICKETS);
	if (ret < 0)
		goto fail;
	ret = gnutls_priority_set(s, prio);
	if (!ret)
		ret = gnutls_credentials_set(s, GNUTLS_CRD_PSK, psk_cred);
	if (ret < 0) {
		gnutls_deinit(s);
		goto fail;
	}
	gnutls_transport_set_ptr(s, ep);
	gnutls_transport_set_push_function(s, push);
	gnutls_transport_set_pull_function(s, pull);
	gnutls_transport_set_pull_timeout_function(s, pull_timeout);
	gnutls_dtls_set_mtu(s, BENCH_MAX_MSG);
	/* RFC 6347 §4.2.4: 1 s to the first retransmission, then doubling. */
	gnutls_dtls_set_timeouts(s, 1000, hs_timeout_ms);
	ep->tls = s;
	ep->hs_done = false;
	ep->hs_next_ns = 0;
	return 0;
fail:
	fprintf(stderr, "kcoap-bench: GnuTLS session: %s\n", gnutls_strerror(ret));
	return -1;
}

int bench_dtls_handshake(struct endpoint *ep, const uint8_t *d, size_t len, uint64_t now,
			 bool verbose)
{
	int ret;

	if (ep->hs_done)
		return 1;
	io.d = d;
	io.len = len;
	io.ep = ep;
	io.tx = NULL;
	ret = gnutls_handshake(ep->tls);
	io.d = NULL;
	io.ep = NULL;
	if (!ret) {
		ep->hs_done = true;
		if (!suite[0]) {
			char *desc = gnutls_session_get_desc(ep->tls);

			snprintf(suite, sizeof(suite), "%s", desc ? desc : "?");
			gnutls_free(desc);
		}
		return 1;
	}
	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(ret)) {
		ep->hs_next_ns = now + (uint64_t)gnutls_dtls_get_timeout(ep->tls) * 1000000u;
		return 0;
	}
	if (verbose)
		fprintf(stderr, "kcoap-bench: handshake: %s\n", gnutls_strerror(ret));
	return -1;
}

const char *bench_dtls_suite(void)
{
	return suite;
}

void bench_dtls_close(struct endpoint *ep)
{
	io.ep = ep;
	io.tx = NULL;
	gnutls_bye(ep->tls, GNUTLS_SHUT_WR);
	io.ep = NULL;
}

void bench_dtls_seal(struct txbatch *tx, struct endpoint *ep, const uint8_t *p, size_t len)
{
	io.tx = tx;
	io.ep = ep;
	if (gnutls_record_send(ep->tls, p, len) < 0)
		tx->errors++;
	io.tx = NULL;
	io.ep = NULL;
}

ssize_t bench_dtls_open(struct endpoint *ep, const uint8_t *d, size_t len,
			uint8_t *out, size_t size)
{
	ssize_t n;

	io.d = d;
	io.len = len;
	io.ep = ep;
	io.tx = NULL;
	n = gnutls_record_recv(ep->tls, out, size);
	io.d = NULL;
	io.ep = NULL;
	return n > 0 ? n : -1;
}

static int connect_one(struct endpoint *ep, uint64_t now)
{
	if (bench_dtls_session(ep))
		return -1;
	ep->hs_start_ns = now;
	return bench_dtls_handshake(ep, NULL, 0, now, true);
}

int bench_dtls_connect_all(const struct bench_opts *o, struct endpoint *ep, unsigned int n,
			   int epfd)
{
	static uint8_t buf[BENCH_MAX_MSG];
	struct epoll_event ev[256];
	unsigned int next = 0, done = 0, busy = 0, failed = 0, i;
	uint64_t t0 = now_ns(), last = t0;

	while (done + failed < n) {
		uint64_t now = now_ns();
		int k, nev;

		while (next < n && busy < o->hs_window) {
			int r = connect_one(&ep[next++], now);

			if (r < 0)
				failed++;
			else if (r)
				done++;
			else
				busy++;
		}
		nev = epoll_wait(epfd, ev, 256, 10);
		if (nev < 0 && errno != EINTR) {
			perror("kcoap-bench: epoll_wait");
			return -1;
		}
		now = now_ns();
		for (k = 0; k < nev; k++) {
			struct endpoint *e = &ep[ev[k].data.u32];
			ssize_t len;

			while ((len = recv(e->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				int r;

				if (e->hs_done || !e->tls)
					continue;	/* a late retransmission */
				r = bench_dtls_handshake(e, buf, (size_t)len, now, true);
				if (r) {
					busy--;
					r > 0 ? done++ : failed++;
				}
			}
		}
		for (i = 0; i < next; i++) {
			int r;

			if (!ep[i].tls || ep[i].hs_done || now < ep[i].hs_next_ns)
				continue;
			r = bench_dtls_handshake(&ep[i], NULL, 0, now, true);
			if (r) {
				busy--;
				r > 0 ? done++ : failed++;
			}
		}
		if (o->progress && now - last >= 1000000000u) {
			fprintf(stderr, "kcoap-bench: %u of %u sessions up, %u failed\n",
				done, n, failed);
			last = now;
		}
	}
	if (o->progress || failed)
		fprintf(stderr, "kcoap-bench: %u of %u DTLS sessions up in %.2f s%s\n", done, n,
			(double)(now_ns() - t0) / 1e9, failed ? ": the others failed" : "");
	return failed ? -1 : 0;
}
