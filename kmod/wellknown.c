// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * GET /.well-known/core (RFC 6690, RFC 7252 §7.2): the resource table as
 * application/link-format, filtered by the request's Uri-Query (RFC 6690
 * §4.1), in Block2 blocks when it is large. The document is generated on
 * every request, keeping only the requested block, so nothing the size of
 * the whole document is ever allocated.
 */
#include <linux/percpu.h>

#include "kcoap.h"
#include "serve.h"

/* One block of the document; softirqs do not nest on a CPU. */
static DEFINE_PER_CPU(u8 [1024], kcoap_wk_block);

static void kcoap_link_of(const struct kcoap_resource *res,
			  const struct kcoap_res_state *st, u8 szx,
			  struct coap_link *l)
{
	memset(l, 0, sizeof(*l));
	l->href = res->path;
	l->rt = st->rt;
	l->ifd = st->ifd;
	l->title = st->title;
	l->ct = st->nrepr ? st->repr[0].ct : -1;
	l->obs = st->obs;
	/* RFC 6690 §3.3 "sz": worth saying when it takes several blocks. */
	if (st->nrepr && st->repr[0].len > coap_block_size(szx))
		l->sz = st->repr[0].len;
}

void kcoap_serve_wellknown(struct kcoap_net *kn, const struct coap_msg *req,
			   bool multicast, u16 mid, u8 *buf,
			   struct kcoap_answer *ans, u8 max_szx)
{
	u8 *block = *this_cpu_ptr(&kcoap_wk_block);
	struct coap_link_writer w;
	struct kcoap_resource *res;
	struct coap_builder b;
	struct coap_block blk;
	struct coap_link link;
	unsigned long id;
	size_t off, total, len;
	u8 *payload;

	if (kcoap_block2_request(req, max_szx, &blk)) {
		/* RFC 7959 §2.2: the reserved SZX 7 is a Bad Request. */
		if (!multicast)
			kcoap_answer_code(req, mid, COAP_CODE_BAD_REQUEST, 60, buf, ans);
		return;
	}
	if (blk.szx > max_szx) {	/* a smaller block, same offset (§2.4) */
		blk.num <<= blk.szx - max_szx;
		blk.szx = max_szx;
	}
	/* NUM is 20 bits on the wire: a block beyond that cannot be answered. */
	if (blk.num > COAP_BLOCK_MAX_NUM) {
		if (!multicast)
			kcoap_answer_code(req, mid, COAP_CODE_BAD_OPTION, 60, buf, ans);
		return;
	}
	off = (size_t)blk.num << (blk.szx + 4);

	coap_link_writer_init(&w, block, off, coap_block_size(blk.szx));
	xa_for_each(&kn->res.ids, id, res) {
		/* "sz" by the configured size: the same document for everyone. */
		kcoap_link_of(res, rcu_dereference(res->state),
			      READ_ONCE(kn->cfg.block_szx), &link);
		if (coap_link_match_req(&link, req))
			coap_link_write(&w, &link);
	}
	total = coap_link_total(&w);
	len = coap_link_stored(&w);

	/* §8.2.1 / RFC 6690 §4.1: a multicast query with no match is silent. */
	if (multicast && !total)
		return;
	if (off && off >= total) {
		kcoap_answer_code(req, mid, COAP_CODE_BAD_OPTION, 60, buf, ans);
		return;
	}
	blk.more = off + len < total;

	coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, COAP_CODE_CONTENT, mid);
	coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, COAP_CF_LINK_FORMAT);
	if (blk.more || blk.num || coap_opt_find(req, COAP_OPT_BLOCK2))
		coap_build_block(&b, COAP_OPT_BLOCK2, &blk);
	if (coap_opt_find(req, COAP_OPT_SIZE2))
		coap_build_opt_uint(&b, COAP_OPT_SIZE2, total);
	if (len) {
		payload = coap_build_payload_reserve(&b, len);
		if (payload)
			memcpy(payload, block, len);
	}
	ans->code = COAP_CODE_CONTENT;
	ans->len = coap_build_end(&b);
}
