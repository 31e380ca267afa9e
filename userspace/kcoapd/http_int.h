/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Between the HTTP side (http.c, the page's api.c and www.c) and the CoAP
 * side (http_coap.c) of the proxy. Single-threaded: everything runs in
 * kcoapd's loop.
 */
#ifndef KCOAPD_HTTP_INT_H
#define KCOAPD_HTTP_INT_H

#include <netinet/in.h>

#include "kcoapd.h"

struct MHD_Connection;
struct MHD_Response;
struct hx;		/* one CoAP exchange, or an observation */
struct stream;		/* one Server-Sent Events stream */

/* http_coap.c: the proxy's socket, its fd or -1. */
int http_coap_init(const struct kcoapd_config *c);
void http_coap_settings(const struct kcoapd_config *c);
/* Its port (host order), and kcoap.ko's (the gateway's own resources). */
uint16_t http_coap_port(void);
uint16_t http_coap_local_port(void);
/* A new exchange to @dst for @owner (an observation if @observe), or NULL. */
struct hx *http_coap_new(void *owner, const struct sockaddr_in6 *dst, bool observe);
const uint8_t *http_coap_token(const struct hx *x);
uint16_t http_coap_mid(const struct hx *x);
/* Send the request @msg (copied) and retransmit it until answered; -ENOMEM. */
int http_coap_send(struct hx *x, const uint8_t *msg, size_t len);
/* Its answer is for no one any more. */
void http_coap_orphan(struct hx *x);
/* End it now (an observation is deregistered, RFC 7641 §3.6). */
void http_coap_cancel(struct hx *x);
/* Notifications go to @s from now on. */
void http_coap_attach(struct hx *x, struct stream *s);
void http_coap_receive(void);
void http_coap_tick(uint64_t now);
void http_coap_status(FILE *f);

/*
 * http.c, called by http_coap.c: the answer to @owner's request (a whole
 * body, Block2 put together), or @err -ETIMEDOUT (no answer) or
 * -ECONNRESET (RST); a notification for, or the end of, a stream.
 */
void http_coap_answer(void *owner, struct hx *x, const struct coap_msg *m,
		      const uint8_t *body, size_t len, int err);
void http_stream_event(struct stream *s, const struct coap_msg *m, const uint8_t *p,
		       size_t n);
void http_stream_ended(struct stream *s);

/*
 * api.c and www.c: the page and its JSON (everything not under /hc/ or
 * /coap/). True with *@rsp and *@status set if @url is one of them.
 */
void api_init(const struct kcoapd_config *c, bool bridge);
/* www.c: a file of the page by its URL path, with its media type. */
bool www_file(const char *url, const void **data, size_t *len, const char **type);
bool http_page(struct MHD_Connection *conn, const char *url, const char *method,
	       const uint8_t addr[16], struct MHD_Response **rsp, unsigned int *status);

#endif /* KCOAPD_HTTP_INT_H */
