// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * GET /.well-known/core (RFC 6690, RFC 7252 §7.2): the resource table as
 * application/link-format, filtered by the request's Uri-Query (RFC 6690
 * §4.1), in Block2 blocks when it is large.
 *
 * The document is rendered by the table's writers, in process context
 * under kcoap_net.lock, once per change of the table, and swapped under
 * RCU; requests in softirq only copy a block of it. Its size is bounded by
 * config wellknown-max-size: links past it are left out. It carries its
 * own copy of each link's attributes, so a filtered query walks the links
 * of the document (bounded by the same limit), never the table.
 */
#include <linux/overflow.h>
#include <linux/slab.h>

#include "kcoap.h"
#include "serve.h"

struct kcoap_wk_link {
	struct coap_link l;		/* strings in the document's allocation */
	u32 off;			/* of the link's text, after its ',' */
	u32 len;
};

struct kcoap_wk_doc {
	struct rcu_head rcu;
	u32 len;			/* bytes of text */
	u32 nlinks;
	u8 etag[KCOAP_ETAG_LEN];	/* a new one per render (RFC 7959 §2.4) */
	const u8 *text;
	struct kcoap_wk_link link[];	/* then the text, then the strings */
};

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

static bool kcoap_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool kcoap_wk_same_link(struct kcoap_net *kn, const struct kcoap_resource *res,
			const struct kcoap_res_state *a,
			const struct kcoap_res_state *b)
{
	u8 szx = READ_ONCE(kn->cfg.block_szx);
	struct coap_link la, lb;

	kcoap_link_of(res, a, szx, &la);
	kcoap_link_of(res, b, szx, &lb);
	return la.ct == lb.ct && la.sz == lb.sz && la.obs == lb.obs &&
	       kcoap_str_eq(la.rt, lb.rt) && kcoap_str_eq(la.ifd, lb.ifd) &&
	       kcoap_str_eq(la.title, lb.title);
}

static size_t kcoap_wk_strs(const struct coap_link *l)
{
	return strlen(l->href) + 1 + (l->rt ? strlen(l->rt) + 1 : 0) +
	       (l->ifd ? strlen(l->ifd) + 1 : 0) +
	       (l->title ? strlen(l->title) + 1 : 0);
}

static const char *kcoap_wk_copy(char **p, const char *s)
{
	size_t n;
	char *d = *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

static void kcoap_wk_publish(struct kcoap_net *kn, struct kcoap_wk_doc *doc)
{
	struct kcoap_res_table *t = &kn->res;
	struct kcoap_wk_doc *old;

	old = rcu_dereference_protected(t->wk, lockdep_is_held(&kn->lock));
	rcu_assign_pointer(t->wk, doc);
	if (old)
		kvfree_rcu(old, rcu);
}

void kcoap_wk_render(struct kcoap_net *kn)
{
	u32 max = READ_ONCE(kn->cfg.wk_max_size);
	u8 szx = READ_ONCE(kn->cfg.block_szx);
	struct kcoap_res_table *t = &kn->res;
	struct kcoap_resource *res;
	struct coap_link_writer w;
	struct kcoap_wk_doc *doc;
	struct kcoap_wk_link *wl;
	bool truncated = false;
	size_t strs = 0, len, before;
	struct coap_link l;
	unsigned long id;
	u32 n = 0, i = 0, etag;
	char *s;

	lockdep_assert_held(&kn->lock);
	/* First what fits, counting only. */
	coap_link_writer_init(&w, NULL, 0, 0);
	xa_for_each(&t->ids, id, res) {
		before = coap_link_total(&w);
		kcoap_link_of(res, kcoap_res_state_locked(res), szx, &l);
		coap_link_write(&w, &l);
		if (coap_link_total(&w) > max) {
			w.pos = before;
			truncated = true;
			break;
		}
		strs += kcoap_wk_strs(&l);
		n++;
	}
	len = coap_link_total(&w);
	kcoap_stat_inc(kn, KCOAP_STAT_WK_RENDERS);
	if (truncated)
		kcoap_stat_inc(kn, KCOAP_STAT_WK_TRUNCATED);
	if (!n) {
		WRITE_ONCE(t->wk_failed, false);
		kcoap_wk_publish(kn, NULL);
		return;
	}
	doc = kvmalloc(size_add(struct_size(doc, link, n), len + strs),
		       GFP_KERNEL_ACCOUNT);
	if (!doc) {
		/* Requests get 5.03 until a later change renders it. */
		WRITE_ONCE(t->wk_failed, true);
		kcoap_wk_publish(kn, NULL);
		return;
	}
	doc->len = len;
	doc->nlinks = n;
	doc->text = (const u8 *)&doc->link[n];
	s = (char *)doc->text + len;
	etag = t->etag_next++;		/* as the resources' (resource.c) */
	doc->etag[0] = etag >> 24;
	doc->etag[1] = etag >> 16;
	doc->etag[2] = etag >> 8;
	doc->etag[3] = etag;

	/* Then the same links again: the table cannot change under the lock. */
	coap_link_writer_init(&w, (u8 *)doc->text, 0, len);
	xa_for_each(&t->ids, id, res) {
		if (i == n)
			break;
		wl = &doc->link[i];
		kcoap_link_of(res, kcoap_res_state_locked(res), szx, &l);
		wl->off = coap_link_total(&w) + (i ? 1 : 0);
		coap_link_write(&w, &l);
		wl->len = coap_link_total(&w) - wl->off;
		wl->l = l;
		wl->l.href = kcoap_wk_copy(&s, l.href);
		wl->l.rt = kcoap_wk_copy(&s, l.rt);
		wl->l.ifd = kcoap_wk_copy(&s, l.ifd);
		wl->l.title = kcoap_wk_copy(&s, l.title);
		i++;
	}
	WRITE_ONCE(t->wk_failed, false);
	kcoap_wk_publish(kn, doc);
}

void kcoap_wk_free(struct kcoap_res_table *t)
{
	kvfree(rcu_dereference_protected(t->wk, true));
	RCU_INIT_POINTER(t->wk, NULL);
}

/* Emit @n document bytes at *@pos, keeping those in [@off, @off + @cap). */
static void kcoap_wk_emit(u8 *dst, size_t off, size_t cap, size_t *pos,
			  const u8 *s, size_t n)
{
	size_t lo = max(*pos, off), hi = min(*pos + n, off + cap);

	if (dst && lo < hi)
		memcpy(dst + (lo - off), s + (lo - *pos), hi - lo);
	*pos += n;
}

/*
 * The document of the links that match @req's queries, or its window
 * [@off, @off + @cap) into @dst (NULL: only the length). A walk over the
 * document's links, whose number wellknown-max-size bounds; it stops
 * past the window unless @whole (Size2 asked).
 */
static size_t kcoap_wk_filter(const struct kcoap_wk_doc *doc,
			      const struct coap_msg *req, u8 *dst, size_t off,
			      size_t cap, bool whole)
{
	size_t pos = 0;
	u32 i;

	for (i = 0; doc && i < doc->nlinks; i++) {
		const struct kcoap_wk_link *wl = &doc->link[i];

		if (!coap_link_match_req(&wl->l, req))
			continue;
		if (pos)
			kcoap_wk_emit(dst, off, cap, &pos, (const u8 *)",", 1);
		kcoap_wk_emit(dst, off, cap, &pos, doc->text + wl->off, wl->len);
		if (!whole && pos > off + cap)
			break;
	}
	return pos;
}

void kcoap_serve_wellknown(struct kcoap_net *kn, const struct coap_msg *req,
			   bool multicast, u16 mid, u8 *buf,
			   struct kcoap_answer *ans, u8 max_szx)
{
	const struct kcoap_wk_doc *doc = rcu_dereference(kn->res.wk);
	bool filtered = coap_opt_find(req, COAP_OPT_URI_QUERY);
	bool size2 = coap_opt_find(req, COAP_OPT_SIZE2);
	struct coap_builder b;
	struct coap_block blk;
	size_t off, total, len, cap;
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
	if (!doc && READ_ONCE(kn->res.wk_failed)) {
		if (!multicast)
			kcoap_answer_code(req, mid, COAP_CODE_SERVICE_UNAVAILABLE,
					  READ_ONCE(kn->cfg.unavailable_max_age),
					  buf, ans);
		return;
	}
	/*
	 * A block past the end (and NUM is 20 bits on the wire) cannot be
	 * honoured: 4.02 Bad Option, the answer to an option the server cannot
	 * process (RFC 7252 §5.9.2.3), as RFC 7959 names no other. Known
	 * before anything is copied, and before any walk when unfiltered.
	 */
	off = (size_t)blk.num << (blk.szx + 4);
	if (blk.num > COAP_BLOCK_MAX_NUM ||
	    (!filtered && off && off >= (doc ? doc->len : 0))) {
		if (!multicast)
			kcoap_answer_code(req, mid, COAP_CODE_BAD_OPTION, 60, buf, ans);
		return;
	}
	cap = coap_block_size(blk.szx);
	if (filtered)
		total = kcoap_wk_filter(doc, req, NULL, off, cap, size2);
	else
		total = doc ? doc->len : 0;

	/* §8.2.1 / RFC 6690 §4.1: a multicast query with no match is silent. */
	if (multicast && !total)
		return;
	if (off && off >= total) {	/* past the end of what matched */
		if (!multicast)
			kcoap_answer_code(req, mid, COAP_CODE_BAD_OPTION, 60, buf, ans);
		return;
	}
	len = min(total - off, cap);
	blk.more = off + len < total;

	coap_build_reply(&b, buf, KCOAP_REPLY_MAX, req, COAP_CODE_CONTENT, mid);
	/* The ETag tells the blocks of one rendering from another's. */
	if (doc)
		coap_build_opt(&b, COAP_OPT_ETAG, doc->etag, KCOAP_ETAG_LEN);
	coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, COAP_CF_LINK_FORMAT);
	if (blk.more || blk.num || coap_opt_find(req, COAP_OPT_BLOCK2))
		coap_build_block(&b, COAP_OPT_BLOCK2, &blk);
	if (size2)
		coap_build_opt_uint(&b, COAP_OPT_SIZE2, total);
	if (len) {
		payload = coap_build_payload_reserve(&b, len);
		if (payload && filtered)
			kcoap_wk_filter(doc, req, payload, off, len, false);
		else if (payload)
			memcpy(payload, doc->text + off, len);
	}
	ans->code = COAP_CODE_CONTENT;
	ans->len = coap_build_end(&b);
}
