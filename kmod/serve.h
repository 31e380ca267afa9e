/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Answering requests in the kernel: from the resource table, and
 * /.well-known/core from the table's links.
 */
#ifndef _KCOAP_SERVE_H
#define _KCOAP_SERVE_H

#include "coap.h"

/* A reply carries at most one block of 1024 bytes plus its header. */
#define KCOAP_REPLY_MAX	(1024 + 128)

struct kcoap_net;
struct kcoap_peer;
struct kcoap_res_state;
struct kcoap_repr;

/* What kcoap_serve() decided. */
struct kcoap_answer {
	u8 code;		/* response code; 0: send nothing */
	bool unhandled;		/* a request only the daemon could serve */
	bool registered;	/* an observer was registered (RFC 7641) */
	int len;		/* bytes written to the buffer */
};

/*
 * Softirq, under RCU: answer request @req from @peer (NULL: no Observe)
 * into @buf (KCOAP_REPLY_MAX bytes). A CON request gets a piggybacked ACK,
 * a NON one a NON response with Message ID @mid. @multicast requests get no
 * error answers.
 */
void kcoap_serve(struct kcoap_net *kn, const struct coap_msg *req,
		 const struct kcoap_peer *peer, bool multicast, u16 mid, u8 *buf,
		 struct kcoap_answer *ans);

/* The same, in blocks of at most 16 << @max_szx bytes. */
void kcoap_serve_szx(struct kcoap_net *kn, const struct coap_msg *req,
		     const struct kcoap_peer *peer, bool multicast, u16 mid,
		     u8 *buf, struct kcoap_answer *ans, u8 max_szx);

/*
 * The options and payload of a 2.05 with representation @r (NULL: none)
 * of @st: ETag, Observe (if @observe >= 0), Content-Format, Max-Age, Block2
 * (if @block_opt), Size2 (if @size2), then bytes [off, off + len) of @r.
 */
void kcoap_put_content(struct coap_builder *b, const struct kcoap_res_state *st,
		       const struct kcoap_repr *r, s64 observe,
		       const struct coap_block *blk, bool block_opt, bool size2,
		       u32 off, u32 len);

/* wellknown.c: GET /.well-known/core (RFC 6690), Block2 as needed. */
void kcoap_serve_wellknown(struct kcoap_net *kn, const struct coap_msg *req,
			   bool multicast, u16 mid, u8 *buf,
			   struct kcoap_answer *ans, u8 max_szx);

/* Shared by both: an answer with just a code (and Max-Age if nonzero). */
void kcoap_answer_code(const struct coap_msg *req, u16 mid, u8 code,
		       u32 max_age, u8 *buf, struct kcoap_answer *ans);

int kcoap_block2_request(const struct coap_msg *req, u8 max_szx,
			 struct coap_block *blk);

#endif /* _KCOAP_SERVE_H */
