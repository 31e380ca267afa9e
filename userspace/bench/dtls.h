/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * coaps:// for kcoap-bench: each endpoint a GnuTLS DTLS 1.2 client session
 * with a pre-shared key. GnuTLS does the handshakes and the records; the
 * datagrams still go through the endpoints' sockets and the load loop's
 * batches, so a sealed request costs the generator one GnuTLS call more
 * than a plain one, and the server's side is what is measured.
 */
#ifndef KCOAP_BENCH_DTLS_H
#define KCOAP_BENCH_DTLS_H

#include <sys/types.h>

#include "bench.h"

struct endpoint;
struct txbatch;

/*
 * TLS_PSK_WITH_AES_128_CCM_8, the suite RFC 7252 §9.1.3.1 makes mandatory
 * for PSK and the one libcoap's clients and kcoap's kernel record layer
 * start with; no certificates, no key exchange but the PSK itself.
 */
#define BENCH_DTLS_PRIORITY \
	"NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+GROUP-ALL"

/* Credentials and priority for every session; 0 or -1 with a message. */
int bench_dtls_init(const struct bench_opts *o);
void bench_dtls_end(void);

/* A new client session on @ep->fd (closes one it had). */
int bench_dtls_session(struct endpoint *ep);
void bench_dtls_free(struct endpoint *ep);

/*
 * Drive @ep's handshake: with the datagram @d (NULL: none, a timeout may
 * have passed). 1 when done, 0 while it goes on (ep->hs_next_ns says when
 * to call again without a datagram), -1 when it failed (message printed
 * when @verbose).
 */
int bench_dtls_handshake(struct endpoint *ep, const uint8_t *d, size_t len, uint64_t now,
			 bool verbose);

/* The first handshake's outcome, as GnuTLS describes it; "" before. */
const char *bench_dtls_suite(void);

/* close_notify (RFC 5246 §7.2.1), sent at once; the session stays. */
void bench_dtls_close(struct endpoint *ep);

/* Seal @len bytes of CoAP into one record, queued on @tx. */
void bench_dtls_seal(struct txbatch *tx, struct endpoint *ep, const uint8_t *p, size_t len);

/*
 * Open the first application record of datagram @d into @out. Its length,
 * or -1: not application data (a retransmitted handshake flight, an alert)
 * or it did not authenticate or was a replay.
 */
ssize_t bench_dtls_open(struct endpoint *ep, const uint8_t *d, size_t len,
			uint8_t *out, size_t size);

/*
 * Handshake every endpoint before the load starts, at most @window at a
 * time (servers bound the handshakes in flight: libcoap at 100 by
 * default). 0 when all are done, else -1 with a message.
 */
int bench_dtls_connect_all(const struct bench_opts *o, struct endpoint *ep, unsigned int n,
			   int epfd);

/* The full-handshake mode (--handshakes): bench_run()'s counterpart. */
int bench_handshakes(const struct bench_opts *o, struct bench_result *r);

#endif
