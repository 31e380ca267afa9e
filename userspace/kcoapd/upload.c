// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Block1 uploads (RFC 7959 §2.5): a PUT or POST body sent in blocks is
 * reassembled per client endpoint, path and Request-Tag (RFC 9175 §3),
 * then handed to the store whole. A block out of order gets 4.08 Request
 * Entity Incomplete (§2.9.2); a body larger than value-max gets 4.13 with
 * Size1 saying how much fits (§2.9.3), as soon as Size1 or the blocks show
 * it. At most MAX_UPLOADS at once; one idle for EXCHANGE_LIFETIME is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kcoapd.h"

#define MAX_UPLOADS	64
#define IDLE_MS		(247 * 1000)	/* EXCHANGE_LIFETIME */

struct upload {
	bool used;
	uint8_t addr[16];
	uint16_t port;
	uint8_t code;			/* PUT or POST */
	char path[300];
	uint8_t tag[8];
	uint8_t tag_len;
	uint8_t *buf;
	size_t len;
	uint64_t touched_ms;
};

static struct upload uploads[MAX_UPLOADS];

static void drop(struct upload *u)
{
	free(u->buf);
	memset(u, 0, sizeof(*u));
}

static struct upload *find(const struct kcoap_req_desc *d, const char *path,
			   const struct coap_msg *req, bool create)
{
	const struct coap_opt *tag = coap_opt_find(req, COAP_OPT_REQUEST_TAG);
	uint8_t tag_len = tag && tag->len <= 8 ? (uint8_t)tag->len : 0;
	uint64_t now = now_ms();
	struct upload *free_slot = NULL;
	size_t i;

	for (i = 0; i < MAX_UPLOADS; i++) {
		struct upload *u = &uploads[i];

		if (u->used && now - u->touched_ms > IDLE_MS)
			drop(u);
		if (!u->used) {
			if (!free_slot)
				free_slot = u;
			continue;
		}
		if (!memcmp(u->addr, d->addr, 16) && u->port == d->port &&
		    u->code == req->code && !strcmp(u->path, path) &&
		    u->tag_len == tag_len &&
		    (!tag_len || !memcmp(u->tag, coap_opt_value(req, tag), tag_len)))
			return u;
	}
	if (!create || !free_slot)
		return NULL;
	free_slot->used = true;
	memcpy(free_slot->addr, d->addr, 16);
	free_slot->port = d->port;
	free_slot->code = req->code;
	snprintf(free_slot->path, sizeof(free_slot->path), "%s", path);
	free_slot->tag_len = tag_len;
	if (tag_len)
		memcpy(free_slot->tag, coap_opt_value(req, tag), tag_len);
	return free_slot;
}

/* An answer with @code and the Block1 option @blk echoed (and Size1). */
static void block_answer(struct answer *a, uint8_t code, const struct coap_block *blk,
			 uint32_t size1)
{
	struct coap_builder b;

	answer_begin(a, &b, code);
	if (blk)
		coap_build_block(&b, COAP_OPT_BLOCK1, blk);
	if (size1)
		coap_build_opt_uint(&b, COAP_OPT_SIZE1, size1);
	answer_end(a, &b);
}

int upload_block(const struct kcoap_req_desc *d, const char *path,
		 const struct coap_msg *req, const struct coap_block *blk,
		 size_t max, struct answer *a, struct upload_body *body)
{
	uint32_t size1, off = coap_block_offset(blk), bs = coap_block_size(blk->szx);
	struct upload *u = find(d, path, req, blk->num == 0);
	uint8_t *nb;

	if (!coap_opt_uint(req, COAP_OPT_SIZE1, &size1) && size1 > max) {
		if (u)
			drop(u);
		block_answer(a, COAP_CODE_REQUEST_TOO_LARGE, NULL, (uint32_t)max);
		return -1;
	}
	if (blk->num == 0 && u && u->len) {
		/* Block 0 again: the client starts over. */
		free(u->buf);
		u->buf = NULL;
		u->len = 0;
	}
	/* §2.5: all but the last block are full; each starts where we are. */
	if (!u || off != u->len || (blk->more && req->payload_len != bs)) {
		if (u)
			drop(u);
		block_answer(a, COAP_CODE_REQUEST_INCOMPLETE, NULL, 0);
		return -1;
	}
	if (u->len + req->payload_len > max) {
		drop(u);
		block_answer(a, COAP_CODE_REQUEST_TOO_LARGE, NULL, (uint32_t)max);
		return -1;
	}
	nb = realloc(u->buf, u->len + req->payload_len + 1);
	if (!nb) {
		drop(u);
		block_answer(a, COAP_CODE_SERVICE_UNAVAILABLE, NULL, 0);
		return -1;
	}
	u->buf = nb;
	memcpy(u->buf + u->len, req->payload, req->payload_len);
	u->len += req->payload_len;
	u->touched_ms = now_ms();
	if (blk->more) {
		block_answer(a, COAP_CODE_CONTINUE, blk, 0);
		return 1;
	}
	/* Complete: the caller applies it, then calls upload_done(). */
	body->data = u->buf;
	body->len = u->len;
	body->handle = u;
	return 0;
}

void upload_done(struct upload_body *body)
{
	if (body->handle)
		drop(body->handle);
	body->handle = NULL;
}
