// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * GET answered from the resource table (RFC 7252 §5.8.1, §5.10; RFC 7959
 * Block2), and the answers for what the kernel will not serve.
 */
#include <linux/kcoap.h>

#include "kcoap.h"
#include "daemon.h"
#include "observe.h"
#include "serve.h"

void kcoap_answer_code(const struct coap_msg *req, u16 mid, u8 code,
		       u32 max_age, u8 *buf, struct kcoap_answer *ans)
{
	struct coap_builder b;

	coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, code, mid);
	if (max_age != 60)	/* 60 s is what its absence means (§5.10.5) */
		coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, max_age);
	ans->code = code;
	ans->len = coap_build_end(&b);
}

/*
 * The Block2 option of a request, or block 0 of the server's size if there
 * is none (a server may start block-wise transfer on its own, RFC 7959
 * §2.2). -COAP_ERR_BLOCK_SZX for the reserved SZX 7.
 */
int kcoap_block2_request(const struct coap_msg *req, u8 max_szx,
			 struct coap_block *blk)
{
	int err = coap_block_get(req, COAP_OPT_BLOCK2, blk);

	if (err == -COAP_ERR_NOENT) {
		blk->num = 0;
		blk->szx = max_szx;
		blk->more = false;
		return 0;
	}
	return err;
}

/* Accept (§5.10.4): the representation asked for, or the first one. */
static const struct kcoap_repr *kcoap_pick_repr(const struct kcoap_res_state *st,
						const struct coap_msg *req,
						bool *acceptable)
{
	u32 accept;
	int i;

	*acceptable = true;
	if (coap_opt_uint(req, COAP_OPT_ACCEPT, &accept))
		return st->nrepr ? &st->repr[0] : NULL;
	for (i = 0; i < st->nrepr; i++)
		if (st->repr[i].ct == accept)
			return &st->repr[i];
	*acceptable = false;
	return NULL;
}

/* Does the request list @r's ETag (§5.10.6.2, validation)? */
static bool kcoap_etag_matches(const struct coap_msg *req,
			       const struct kcoap_repr *r)
{
	const struct coap_opt *o;

	for (o = coap_opt_find(req, COAP_OPT_ETAG); o; o = coap_opt_next(req, o))
		if (o->len == KCOAP_ETAG_LEN &&
		    !memcmp(coap_opt_value(req, o), r->etag, KCOAP_ETAG_LEN))
			return true;
	return false;
}

void kcoap_put_content(struct coap_builder *b, const struct kcoap_res_state *st,
		       const struct kcoap_repr *r, s64 observe,
		       const struct coap_block *blk, bool block_opt, bool size2,
		       u32 off, u32 len)
{
	u8 *payload;

	if (r)
		coap_build_opt(b, COAP_OPT_ETAG, r->etag, KCOAP_ETAG_LEN);
	if (observe >= 0)
		coap_build_opt_uint(b, COAP_OPT_OBSERVE, observe);
	if (r)
		coap_build_opt_uint(b, COAP_OPT_CONTENT_FORMAT, r->ct);
	coap_build_opt_uint(b, COAP_OPT_MAX_AGE, st->max_age);
	if (block_opt)
		coap_build_block(b, COAP_OPT_BLOCK2, blk);
	if (size2)
		coap_build_opt_uint(b, COAP_OPT_SIZE2, r ? r->len : 0);
	if (len) {
		payload = coap_build_payload_reserve(b, len);
		if (payload)
			memcpy(payload, r->data + off, len);
	}
}

/*
 * Observe in a GET (RFC 7641 §4.1, §3.6): 0 registers the client on an
 * observable resource, 1 cancels. Returns the Observe value to answer
 * with, or -1 for none (not observable, a limit, or not registering).
 */
static s64 kcoap_serve_observe(struct kcoap_net *kn, struct kcoap_resource *res,
			       const struct kcoap_res_state *st,
			       const struct coap_msg *req, u8 szx,
			       const struct kcoap_peer *peer, bool multicast)
{
	u32 v, seq, accept;

	if (coap_opt_uint(req, COAP_OPT_OBSERVE, &v) || !peer || multicast)
		return -1;
	if (v == 1) {
		kcoap_obs_deregister(kn, peer, req);
		return -1;
	}
	if (v || !st->obs)
		return -1;
	if (kcoap_obs_register(kn, res, peer, req,
			       coap_opt_uint(req, COAP_OPT_ACCEPT, &accept) ? -1 : accept,
			       szx, &seq))
		return -1;
	return kcoap_obs_value(seq);
}

/*
 * The representation and block of @st that @req asks for, into @r, @blk,
 * @off and @len; else the error code to answer with.
 */
static u8 kcoap_get_window(const struct kcoap_res_state *st,
			   const struct coap_msg *req, u8 max_szx,
			   const struct kcoap_repr **r, struct coap_block *blk,
			   u32 *off, u32 *len)
{
	bool acceptable;

	*r = kcoap_pick_repr(st, req, &acceptable);
	if (!acceptable)
		return COAP_CODE_NOT_ACCEPTABLE;
	/* RFC 7959 §2.2: the reserved SZX 7 is a Bad Request. */
	if (kcoap_block2_request(req, max_szx, blk))
		return COAP_CODE_BAD_REQUEST;
	/* A block past the end: the option cannot be honoured. */
	if (coap_block_window(blk, max_szx, *r ? (*r)->len : 0, off, len))
		return COAP_CODE_BAD_OPTION;
	return 0;
}

static void kcoap_serve_get(struct kcoap_net *kn, struct kcoap_resource *res,
			    const struct kcoap_res_state *st,
			    const struct coap_msg *req,
			    const struct kcoap_peer *peer, bool multicast,
			    u16 mid, u8 *buf, struct kcoap_answer *ans,
			    u8 max_szx)
{
	const struct kcoap_res_state *now;
	const struct kcoap_repr *r;
	struct coap_builder b;
	struct coap_block blk;
	u32 off, len;
	s64 observe;
	u8 err;

	err = kcoap_get_window(st, req, max_szx, &r, &blk, &off, &len);
	if (err) {
		kcoap_answer_code(req, mid, err, 60, buf, ans);
		return;
	}
	/*
	 * Notifications come in blocks of the size settled on here, or of
	 * the smaller size an unverified peer's credit forced.
	 */
	observe = kcoap_serve_observe(kn, res, st, req,
				      coap_opt_find(req, COAP_OPT_BLOCK2) ||
				      max_szx < READ_ONCE(kn->cfg.block_szx) ?
				      blk.szx : COAP_BLOCK_MAX_SZX,
				      peer, multicast);
	/*
	 * A new observer is answered from the state as it is now: a change
	 * whose fan-out started before the registration missed it, but its
	 * state is already visible here.
	 */
	now = observe >= 0 ? rcu_dereference(res->state) : st;
	if (now != st) {
		st = now;
		err = kcoap_get_window(st, req, max_szx, &r, &blk, &off, &len);
		if (err) {
			kcoap_obs_deregister(kn, peer, req);
			kcoap_answer_code(req, mid, err, 60, buf, ans);
			return;
		}
	}
	if (r && kcoap_etag_matches(req, r)) {
		/* 2.03 Valid: the client's copy is current; no payload. */
		coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, COAP_CODE_VALID, mid);
		coap_build_opt(&b, COAP_OPT_ETAG, r->etag, KCOAP_ETAG_LEN);
		if (observe >= 0)
			coap_build_opt_uint(&b, COAP_OPT_OBSERVE, observe);
		coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, st->max_age);
		ans->code = COAP_CODE_VALID;
		ans->len = coap_build_end(&b);
		goto out;
	}
	coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, COAP_CODE_CONTENT, mid);
	/* Block2 only when the answer is one block of several, or asked for. */
	kcoap_put_content(&b, st, r, observe, &blk,
			  blk.more || blk.num || coap_opt_find(req, COAP_OPT_BLOCK2),
			  coap_opt_find(req, COAP_OPT_SIZE2), off, len);
	ans->code = COAP_CODE_CONTENT;
	ans->len = coap_build_end(&b);
out:
	ans->registered = observe >= 0;
}

/* Uri-Path joined as "/a/b" into @path; false if no resource can have it. */
static bool kcoap_req_path(const struct coap_msg *req, char *path, u32 *len)
{
	const struct coap_opt *o;
	u32 n = 0;

	for (o = coap_opt_find(req, COAP_OPT_URI_PATH); o; o = coap_opt_next(req, o)) {
		const u8 *seg = coap_opt_value(req, o);

		/* Table paths have no empty segments and no '/' inside one. */
		if (!o->len || memchr(seg, '/', o->len) ||
		    n + 1 + o->len > KCOAP_PATH_MAX)
			return false;
		path[n++] = '/';
		memcpy(path + n, seg, o->len);
		n += o->len;
	}
	if (!n)
		path[n++] = '/';
	*len = n;
	return true;
}

static bool kcoap_is_wellknown(const struct coap_msg *req)
{
	return coap_uri_path_match(req, "/.well-known/core");
}

void kcoap_serve(struct kcoap_net *kn, const struct coap_msg *req,
		 const struct kcoap_peer *peer, bool multicast, u16 mid, u8 *buf,
		 struct kcoap_answer *ans)
{
	kcoap_serve_szx(kn, req, peer, multicast, mid, buf, ans,
			READ_ONCE(kn->cfg.block_szx));
}

void kcoap_serve_szx(struct kcoap_net *kn, const struct coap_msg *req,
		     const struct kcoap_peer *peer, bool multicast, u16 mid,
		     u8 *buf, struct kcoap_answer *ans, u8 max_szx)
{
	const struct kcoap_res_state *st;
	struct kcoap_resource *res;
	char path[KCOAP_PATH_MAX];
	u32 path_len;

	ans->code = 0;
	ans->len = 0;
	ans->unhandled = false;
	ans->registered = false;

	/* §5.7.2: a server that is not a proxy answers 5.05. */
	if (coap_opt_find(req, COAP_OPT_PROXY_URI) ||
	    coap_opt_find(req, COAP_OPT_PROXY_SCHEME)) {
		kcoap_answer_code(req, mid, COAP_CODE_PROXYING_NOT_SUPPORTED, 60,
				  buf, ans);
		return;
	}
	if (kcoap_is_wellknown(req)) {
		if (req->code == COAP_CODE_GET)
			kcoap_serve_wellknown(kn, req, multicast, mid, buf, ans,
					      max_szx);
		else
			kcoap_answer_code(req, mid, COAP_CODE_METHOD_NOT_ALLOWED,
					  60, buf, ans);
		return;
	}

	if (!kcoap_req_path(req, path, &path_len)) {
		kcoap_answer_code(req, mid, COAP_CODE_NOT_FOUND, 60, buf, ans);
		return;
	}
	res = kcoap_res_lookup(&kn->res, path, path_len);
	if (!res && kcoap_daemon_serves(kn, path, path_len)) {
		/* The daemon's: handed up, or 5.03 if that cannot be. */
		ans->unhandled = true;
		kcoap_answer_code(req, mid, COAP_CODE_SERVICE_UNAVAILABLE,
				  READ_ONCE(kn->cfg.unavailable_max_age), buf, ans);
		return;
	}
	if (!res) {
		kcoap_answer_code(req, mid, COAP_CODE_NOT_FOUND, 60, buf, ans);
		return;
	}
	st = rcu_dereference(res->state);
	/* Served only in a DTLS session: RFC 7252 §5.9.2.2, §9. */
	if (unlikely(st->secure) && !(peer && peer->session)) {
		kcoap_answer_code(req, mid, COAP_CODE_UNAUTHORIZED, 60, buf, ans);
		return;
	}
	if (req->code >= 32 || !(st->methods & BIT(req->code))) {
		kcoap_answer_code(req, mid, COAP_CODE_METHOD_NOT_ALLOWED, 60, buf, ans);
		return;
	}
	if (req->code != COAP_CODE_GET) {
		/* Allowed, but only the daemon can serve it: try again later. */
		ans->unhandled = true;
		kcoap_answer_code(req, mid, COAP_CODE_SERVICE_UNAVAILABLE,
				  READ_ONCE(kn->cfg.unavailable_max_age), buf, ans);
		return;
	}
	kcoap_serve_get(kn, res, st, req, peer, multicast, mid, buf, ans, max_szx);
}
