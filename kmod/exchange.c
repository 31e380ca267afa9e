// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Requests handed up to the daemon, from the datagram to the answer.
 *
 * A CON request is answered piggybacked if the daemon answers within
 * piggyback-window; else the kernel sends an empty ACK then, and the
 * answer later as a separate CON response, retransmitted until the client
 * acknowledges it (RFC 7252 §5.2.2, §4.2). Meanwhile the dedupe entry is
 * pending: a duplicate gets an empty ACK, which also means the answer
 * must now be separate. Once the answer is known, the dedupe entry keeps
 * it in piggybacked form, which is what a duplicate gets from then on.
 * A NON request gets a NON answer. No answer within daemon-timeout, a
 * daemon that detaches or a daemon that answers garbage: 5.03 or 5.00.
 *
 * An exchange is referenced by the daemon's table (its ID) and by its
 * armed timer; its lock orders the state changes, which run in softirq
 * (timer, duplicates, ACKs) and with BH off (the daemon's responses).
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timer.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#endif

#include "coap.h"
#include "daemon.h"
#include "kcoap.h"
#include "peer.h"
#include "dtls_path.h"
#include "retransmit.h"
#include "serve.h"
#include "validate.h"

enum kcoap_x_state {
	KCOAP_X_WAIT,		/* nothing sent yet */
	KCOAP_X_ACKED,		/* empty ACK sent (CON), or a NON request */
	KCOAP_X_SEPARATE,	/* separate CON response out, awaiting ACK */
	KCOAP_X_DONE,
};

struct kcoap_exchange {
	struct rhash_head knode;	/* in by_key: duplicates find it */
	struct rhash_head mnode;	/* in by_mid while SEPARATE */
	struct rcu_head rcu;
	refcount_t ref;
	struct kcoap_daemon *d;
	struct kcoap_net *kn;
	struct kcoap_peer peer;
	struct kcoap_dedup_key key;	/* peer, request MID */
	struct kcoap_dedup_key mkey;	/* peer, separate response MID */
	u32 id;
	u8 type;			/* of the request */
	bool idempotent;		/* a GET or FETCH: its answer is not kept */
	u8 tkl;
	u8 token[COAP_MAX_TOKEN];

	spinlock_t lock;		/* everything below */
	u8 state;
	struct timer_list timer;
	unsigned long deadline;		/* daemon-timeout */
	struct kcoap_retx retx;
	u16 rsp_len;
	u8 *rsp;			/* the separate response, to resend */
	u16 req_len;
	u8 *req;			/* a GET, for KCOAP_RSP_F_SERVE */
	bool verified;			/* the peer's address (validate.h) */
	u32 credit;			/* bytes left to send it unverified */
};

static const struct rhashtable_params kcoap_x_key_params = {
	.head_offset = offsetof(struct kcoap_exchange, knode),
	.key_offset = offsetof(struct kcoap_exchange, key),
	.key_len = sizeof(struct kcoap_dedup_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kcoap_x_mid_params = {
	.head_offset = offsetof(struct kcoap_exchange, mnode),
	.key_offset = offsetof(struct kcoap_exchange, mkey),
	.key_len = sizeof(struct kcoap_dedup_key),
	.automatic_shrinking = true,
};

static void kcoap_x_free_rcu(struct rcu_head *head)
{
	struct kcoap_exchange *x = container_of(head, struct kcoap_exchange, rcu);

	kfree(x->rsp);
	kfree(x->req);
	kfree(x);
}

static void kcoap_x_put(struct kcoap_exchange *x)
{
	if (refcount_dec_and_test(&x->ref))
		call_rcu(&x->rcu, kcoap_x_free_rcu);
}

static void kcoap_x_arm(struct kcoap_exchange *x, unsigned long when)
{
	if (!mod_timer(&x->timer, when))
		refcount_inc(&x->ref);
}

/*
 * The exchange is over: out of the ID table and by_mid, timer stopped
 * (not waited for: it may be what runs this), the table's reference
 * dropped. @x->lock held; the caller still holds a reference.
 */
static void kcoap_x_finish(struct kcoap_exchange *x)
{
	struct kcoap_daemon *d = x->d;

	if (x->state == KCOAP_X_DONE)
		return;
	if (x->state == KCOAP_X_SEPARATE)
		rhashtable_remove_fast(&d->by_mid, &x->mnode, kcoap_x_mid_params);
	rhashtable_remove_fast(&d->by_key, &x->knode, kcoap_x_key_params);
	x->state = KCOAP_X_DONE;
	if (timer_delete(&x->timer))
		kcoap_x_put(x);
	xa_erase_bh(&d->xa, x->id);
	atomic_dec(&d->inflight);
	kcoap_x_put(x);
}

/*
 * May @len more bytes go to @x's peer? Charged to the request's credit
 * while its address is not verified; one lookup only past the credit.
 * @x->lock held.
 */
static bool kcoap_x_may_send(struct kcoap_exchange *x, u32 len)
{
	if (x->verified)
		return true;
	if (len <= x->credit) {
		x->credit -= len;
		return true;
	}
	if (kcoap_peer_verified(x->kn, &x->peer)) {
		x->verified = true;
		return true;
	}
	kcoap_stat_inc(x->kn, KCOAP_STAT_AMP_LIMITED);
	return false;
}

/* The empty ACK of @x's CON request, within its credit. */
static void kcoap_x_ack(struct kcoap_exchange *x)
{
	if (kcoap_x_may_send(x, COAP_HDR_LEN))
		kcoap_send_empty(x->kn, &x->peer, COAP_TYPE_ACK, x->key.mid);
}

/*
 * Send @x its answer: @code, then @rest (options and payload, as after
 * the token). @x->lock held, BH off. A NON request gets a NON response;
 * a CON one a piggybacked ACK if nothing went out yet, else a separate
 * response: CON and retransmitted if @con, else NON.
 */
static void kcoap_x_answer(struct kcoap_exchange *x, u8 code, const u8 *rest,
			   u32 len, bool con, u8 *out)
{
	struct kcoap_net *kn = x->kn;
	u32 n = COAP_HDR_LEN + x->tkl;
	u8 type = COAP_TYPE_NON;
	bool separate = false;
	u16 mid;

	/* One answer per exchange: a late second one is dropped. */
	if ((x->state != KCOAP_X_WAIT && x->state != KCOAP_X_ACKED) ||
	    n + len > KCOAP_REPLY_MAX)
		return;
	/* RFC 7252 §8.2: no error answers to multicast requests. */
	if (x->peer.multicast && COAP_CODE_CLASS(code) != 2) {
		kcoap_x_finish(x);
		return;
	}
	if (x->type == COAP_TYPE_CON && x->state == KCOAP_X_WAIT) {
		type = COAP_TYPE_ACK;
		mid = x->key.mid;
	} else {
		mid = kcoap_new_mid(kn, &x->peer);
		separate = x->type == COAP_TYPE_CON;
		if (separate && con)
			type = COAP_TYPE_CON;
	}
	out[0] = (COAP_VERSION << 6) | (type << 4) | x->tkl;
	out[1] = code;
	out[2] = mid >> 8;
	out[3] = mid;
	memcpy(out + COAP_HDR_LEN, x->token, x->tkl);
	memcpy(out + n, rest, len);
	n += len;
	if (!kcoap_x_may_send(x, n)) {
		/* Over the credit: 4.01 with Echo instead (RFC 9175 §2.3). */
		n = COAP_HDR_LEN + x->tkl;
		out[1] = COAP_CODE_UNAUTHORIZED;
		kcoap_echo_opt(kn, &x->peer, out + n);
		n += KCOAP_ECHO_OPT_LEN;
		code = COAP_CODE_UNAUTHORIZED;
		if (x->peer.multicast || !kcoap_x_may_send(x, n)) {
			kcoap_x_finish(x);
			return;
		}
		kcoap_stat_inc(kn, KCOAP_STAT_TX_ECHO);
	}

	if (!kcoap_send(kn, &x->peer, out, n)) {
		kcoap_stat_code(kn, code);
		if (separate)
			kcoap_stat_inc(kn, KCOAP_STAT_TX_SEPARATE);
	}
	if (x->type == COAP_TYPE_CON && x->idempotent && type == COAP_TYPE_ACK) {
		/*
		 * A GET or FETCH answered piggybacked, and so over: its answer
		 * is not kept, a duplicate is handed up again (§4.5). A separate
		 * one lives until acknowledged, and its duplicates get it.
		 */
		kcoap_dedup_complete(&kn->dedup, &x->key, jiffies, NULL, 0);
	} else if (x->type == COAP_TYPE_CON) {
		/* Duplicates get the answer, piggybacked, from now on. */
		out[0] = (COAP_VERSION << 6) | (COAP_TYPE_ACK << 4) | x->tkl;
		out[2] = x->key.mid >> 8;
		out[3] = x->key.mid;
		kcoap_dedup_complete(&kn->dedup, &x->key, jiffies, out, n);
	}
	if (type != COAP_TYPE_CON) {
		kcoap_x_finish(x);
		return;
	}
	/* A separate CON response: kept until acknowledged (§4.2). */
	x->rsp = kmemdup(out, n, GFP_ATOMIC | __GFP_NOWARN);
	if (!x->rsp) {
		kcoap_x_finish(x);
		return;
	}
	x->rsp[0] = (COAP_VERSION << 6) | (COAP_TYPE_CON << 4) | x->tkl;
	x->rsp[2] = mid >> 8;
	x->rsp[3] = mid;
	x->rsp_len = n;
	x->mkey = x->key;
	x->mkey.mid = mid;
	if (rhashtable_insert_fast(&x->d->by_mid, &x->mnode, kcoap_x_mid_params)) {
		kcoap_x_finish(x);
		return;
	}
	x->state = KCOAP_X_SEPARATE;
	kcoap_retx_start(&x->retx, msecs_to_jiffies(READ_ONCE(kn->cfg.ack_timeout)),
			 get_random_u32());
	kcoap_x_arm(x, jiffies + x->retx.timeout);
}

/* Max-Age @value (§5.10.5) as the option bytes of an answer. */
static u32 kcoap_x_max_age(u32 value, u8 *buf)
{
	struct coap_builder b;
	int n;

	coap_build_init(&b, buf, 16, COAP_TYPE_ACK, COAP_CODE_SERVICE_UNAVAILABLE,
			0, NULL, 0);
	coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, value);
	n = coap_build_end(&b);
	if (n < COAP_HDR_LEN)
		return 0;
	memmove(buf, buf + COAP_HDR_LEN, n - COAP_HDR_LEN);
	return n - COAP_HDR_LEN;
}

static void kcoap_x_unavailable(struct kcoap_exchange *x, bool con, u8 *out)
{
	u8 opts[16];
	u32 n = kcoap_x_max_age(READ_ONCE(x->kn->cfg.unavailable_max_age), opts);

	kcoap_x_answer(x, COAP_CODE_SERVICE_UNAVAILABLE, opts, n, con, out);
}

/* Softirq scratch for the timer; softirqs do not nest on a CPU. */
struct kcoap_x_buf {
	u8 b[KCOAP_REPLY_MAX];
};

static struct kcoap_x_buf __percpu *kcoap_x_out __read_mostly;

int __init kcoap_exchange_bufs_init(void)
{
	kcoap_x_out = alloc_percpu(struct kcoap_x_buf);
	return kcoap_x_out ? 0 : -ENOMEM;
}

void kcoap_exchange_bufs_exit(void)
{
	free_percpu(kcoap_x_out);
}

static void kcoap_x_timer(struct timer_list *t)
{
	struct kcoap_exchange *x = from_timer(x, t, timer);
	struct kcoap_net *kn = x->kn;
	u8 *out = this_cpu_ptr(kcoap_x_out)->b;

	/* The dedupe table and the socket are read under RCU, as in receive. */
	rcu_read_lock();
	spin_lock(&x->lock);
	if (timer_pending(&x->timer))	/* re-armed meanwhile */
		goto out;
	switch (x->state) {
	case KCOAP_X_WAIT:
		/* The window passed: acknowledge now, answer later (§5.2.2). */
		kcoap_x_ack(x);
		x->state = KCOAP_X_ACKED;
		kcoap_x_arm(x, x->deadline);
		break;
	case KCOAP_X_ACKED:
		kcoap_stat_inc(kn, KCOAP_STAT_DAEMON_TIMEOUT);
		kcoap_x_unavailable(x, true, out);
		break;
	case KCOAP_X_SEPARATE:
		if (!kcoap_retx_next(&x->retx, READ_ONCE(kn->cfg.max_retransmit))) {
			kcoap_stat_inc(kn, KCOAP_STAT_SEPARATE_TIMEOUT);
			kcoap_x_finish(x);
			break;
		}
		if (kcoap_x_may_send(x, x->rsp_len) &&
		    !kcoap_send(kn, &x->peer, x->rsp, x->rsp_len))
			kcoap_stat_inc(kn, KCOAP_STAT_TX_RETRANSMIT);
		kcoap_x_arm(x, jiffies + x->retx.timeout);
		break;
	}
out:
	spin_unlock(&x->lock);
	rcu_read_unlock();
	kcoap_x_put(x);		/* the timer's reference */
}

/* Where a request handed up came from: @p, in the ring's terms. */
static void kcoap_desc_peer(struct kcoap_req_desc *desc,
			    const struct kcoap_peer *p)
{
	struct kcoap_dedup_key key;

	kcoap_peer_key(&key, p, 0);
	memcpy(desc->addr, &key.addr, sizeof(desc->addr));
	if (p->family == AF_INET6)
		memcpy(desc->local, &p->local.v6, sizeof(desc->local));
	else
		ipv6_addr_set_v4mapped(p->local.v4, (struct in6_addr *)desc->local);
	desc->port = p->port;
	desc->family = p->family;
	desc->flags = p->multicast ? KCOAP_REQ_F_MULTICAST : 0;
	desc->ifindex = p->ifindex;
	desc->session = p->session;
}

int kcoap_dtls_hand_up(struct kcoap_net *kn, const struct kcoap_peer *p,
		       u32 id, const void *data, u32 len)
{
	struct kcoap_daemon *d = rcu_dereference(kn->daemon);
	struct kcoap_req_desc desc = {};
	int err = -ENOTCONN;

#if IS_ENABLED(CONFIG_KUNIT)
	KUNIT_STATIC_STUB_REDIRECT(kcoap_dtls_hand_up, kn, p, id, data, len);
#endif
	if (d) {
		kcoap_desc_peer(&desc, p);
		desc.id = id;
		desc.session = id;
		desc.flags |= KCOAP_REQ_F_DTLS;
		err = kcoap_ring_put(d->ring, &desc, data, len);
		if (err == -EPROTO)
			kcoap_stat_inc(kn, KCOAP_STAT_RING_BAD);
	}
	if (err)
		kcoap_stat_inc(kn, KCOAP_STAT_HANDUP_REFUSED);
	return err;
}

u8 kcoap_exchange_start(struct kcoap_net *kn, const struct kcoap_peer *p,
			const struct coap_msg *req,
			const struct kcoap_dedup_key *key)
{
	struct kcoap_daemon *d = rcu_dereference(kn->daemon);
	/*
	 * Timers take the full jiffies. The dedupe cache keeps 32-bit times
	 * (wrap-safe), but a deadline made from those would lie in the past
	 * once jiffies passes 2^32, five minutes after boot on 64-bit.
	 */
	unsigned long t = jiffies;
	u32 now = t;
	struct kcoap_req_desc desc = {};
	struct kcoap_exchange *x;
	u32 window;
	int err;

	if (!d)
		return COAP_CODE_SERVICE_UNAVAILABLE;
	if (req->len > d->size.slot_size)
		return COAP_CODE_REQUEST_TOO_LARGE;
	if (atomic_inc_return(&d->inflight) > d->max_inflight)
		goto busy;
	x = kzalloc(sizeof(*x), GFP_ATOMIC | __GFP_NOWARN);
	if (!x)
		goto busy;
	refcount_set(&x->ref, 1);
	x->d = d;
	x->kn = kn;
	x->peer = *p;
	x->key = *key;
	x->type = req->type;
	x->idempotent = req->code == COAP_CODE_GET || req->code == COAP_CODE_FETCH;
	x->tkl = req->tkl;
	x->verified = kcoap_peer_local(p);
	x->credit = kcoap_amp_credit(kn, req->len);
	memcpy(x->token, coap_token(req), req->tkl);
	if (req->code == COAP_CODE_GET) {
		/* Small, and bounded by max-inflight like the exchange. */
		x->req = kmemdup(req->data, req->len, GFP_ATOMIC | __GFP_NOWARN);
		x->req_len = x->req ? req->len : 0;
	}
	spin_lock_init(&x->lock);
	timer_setup(&x->timer, kcoap_x_timer, 0);
	x->state = req->type == COAP_TYPE_CON ? KCOAP_X_WAIT : KCOAP_X_ACKED;
	x->deadline = t + msecs_to_jiffies(READ_ONCE(kn->cfg.daemon_timeout));

	/*
	 * Locked before anyone can find it, by ID (a daemon answering
	 * before the request is even on the ring) or by key (a duplicate):
	 * they wait until it is all in place.
	 */
	spin_lock(&x->lock);
	err = xa_alloc_cyclic(&d->xa, &x->id, x, xa_limit_32b, &d->xa_next,
			      GFP_ATOMIC | __GFP_NOWARN);
	if (err >= 0) {
		err = rhashtable_insert_fast(&d->by_key, &x->knode, kcoap_x_key_params);
		if (err)
			xa_erase(&d->xa, x->id);
	}
	if (err < 0) {
		spin_unlock(&x->lock);
		kfree(x->req);
		kfree(x);
		goto busy;
	}
	desc.id = x->id;
	kcoap_desc_peer(&desc, p);

	err = kcoap_ring_put(d->ring, &desc, req->data, req->len);
	if (err) {
		if (err == -EPROTO)
			kcoap_stat_inc(kn, KCOAP_STAT_RING_BAD);
		kcoap_x_finish(x);	/* drops the tables' reference */
		spin_unlock(&x->lock);
		kcoap_stat_inc(kn, KCOAP_STAT_HANDUP_REFUSED);
		return COAP_CODE_SERVICE_UNAVAILABLE;
	}
	kcoap_stat_inc(kn, KCOAP_STAT_RX_HANDED_UP);
	/*
	 * Remembered now, so a duplicate is not handed up again: a CON's
	 * entry is pending until the answer completes it (§4.5).
	 */
	if (req->type == COAP_TYPE_CON)
		kcoap_dedup_insert(&kn->dedup, key, COAP_TYPE_CON | KCOAP_DEDUP_PENDING,
				   now, READ_ONCE(kn->cfg.dedup_con_lifetime) * HZ,
				   NULL, 0);
	else
		kcoap_dedup_insert(&kn->dedup, key, COAP_TYPE_NON, now,
				   READ_ONCE(kn->cfg.dedup_non_lifetime) * HZ, NULL, 0);
	window = READ_ONCE(kn->cfg.piggyback_window);
	if (x->state == KCOAP_X_WAIT && !window) {
		kcoap_x_ack(x);
		x->state = KCOAP_X_ACKED;
	}
	kcoap_x_arm(x, x->state == KCOAP_X_WAIT ?
		    t + msecs_to_jiffies(window) : x->deadline);
	spin_unlock(&x->lock);
	return 0;

busy:
	atomic_dec(&d->inflight);
	kcoap_stat_inc(kn, KCOAP_STAT_HANDUP_REFUSED);
	return COAP_CODE_SERVICE_UNAVAILABLE;
}

bool kcoap_exchange_acked(struct kcoap_net *kn, const struct kcoap_peer *p,
			  u16 mid)
{
	struct kcoap_daemon *d = rcu_dereference(kn->daemon);
	struct kcoap_dedup_key key;
	struct kcoap_exchange *x;
	bool done = false;

	if (!d)
		return false;
	kcoap_peer_key(&key, p, mid);
	x = rhashtable_lookup(&d->by_key, &key, kcoap_x_key_params);
	if (!x || !refcount_inc_not_zero(&x->ref))
		return false;
	spin_lock(&x->lock);
	/*
	 * Under the lock, so that the empty ACK cannot overtake an answer
	 * piggybacked with the same MID: after an empty ACK, the answer can
	 * only be separate (§5.2.2).
	 */
	if (x->state == KCOAP_X_WAIT || x->state == KCOAP_X_ACKED) {
		kcoap_send_empty(kn, p, COAP_TYPE_ACK, mid);
		if (x->state == KCOAP_X_WAIT) {
			x->state = KCOAP_X_ACKED;
			kcoap_x_arm(x, x->deadline);
		}
		done = true;
	}
	spin_unlock(&x->lock);
	kcoap_x_put(x);
	return done;
}

bool kcoap_exchange_ack(struct kcoap_net *kn, const struct kcoap_peer *p,
			u16 mid, bool rst)
{
	struct kcoap_daemon *d = rcu_dereference(kn->daemon);
	struct kcoap_dedup_key key;
	struct kcoap_exchange *x;

	if (!d)
		return false;
	kcoap_peer_key(&key, p, mid);
	x = rhashtable_lookup(&d->by_mid, &key, kcoap_x_mid_params);
	if (!x || !refcount_inc_not_zero(&x->ref))
		return false;
	spin_lock(&x->lock);
	if (x->state == KCOAP_X_SEPARATE && x->mkey.mid == mid) {
		if (!rst)
			kcoap_stat_inc(kn, KCOAP_STAT_RX_ACK);
		kcoap_x_finish(x);	/* a RST ends it as well (§4.2) */
	}
	spin_unlock(&x->lock);
	kcoap_x_put(x);
	return true;
}

/*
 * KCOAP_RSP_F_SERVE: answer @x's GET from the table, as receive.c would
 * have (registering an observer for Observe), into @d->buf. Returns the
 * answer's code with its options and payload at @d->buf + *off, *len; 0
 * if the table cannot answer it.
 */
static u8 kcoap_x_serve(struct kcoap_daemon *d, struct kcoap_exchange *x,
			u32 *off, u32 *len)
{
	struct kcoap_answer ans = {};

	if (!x->req || coap_parse(d->msg, x->req, x->req_len))
		return 0;
	kcoap_serve(d->kn, d->msg, &x->peer, false, 0, d->buf, &ans);
	*off = COAP_HDR_LEN + x->tkl;
	if (ans.unhandled || !ans.code || ans.len < *off)
		return 0;
	*len = ans.len - *off;
	return ans.code;
}

/* One response from the ring; BH off, under RCU. */
static void kcoap_x_response(struct kcoap_daemon *d,
			     const struct kcoap_rsp_desc *desc, bool bad)
{
	struct kcoap_net *kn = d->kn;
	struct kcoap_exchange *x;
	u32 n, off = 0, len = desc->data_len;
	u8 code = desc->code;
	int err = -EMSGSIZE;

	if (bad)
		kcoap_stat_inc(kn, KCOAP_STAT_RING_BAD);
	x = desc->id <= U32_MAX ? xa_load(&d->xa, desc->id) : NULL;
	if (!x || !refcount_inc_not_zero(&x->ref))
		return;		/* timed out already: too late */
	if (!bad && desc->flags & KCOAP_RSP_F_SERVE) {
		code = kcoap_x_serve(d, x, &off, &len);
		if (!code) {
			code = desc->code;	/* the daemon's fallback */
			len = 0;
		}
	}
	/* What the daemon wrote must make a well-formed response. */
	n = COAP_HDR_LEN + x->tkl + len;
	if (!bad && n <= KCOAP_REPLY_MAX) {
		d->out[0] = (COAP_VERSION << 6) | (COAP_TYPE_ACK << 4) | x->tkl;
		d->out[1] = code;
		d->out[2] = 0;
		d->out[3] = 0;
		memcpy(d->out + COAP_HDR_LEN, x->token, x->tkl);
		memcpy(d->out + COAP_HDR_LEN + x->tkl, d->buf + off, len);
		err = coap_parse(d->msg, d->out, n);
	}
	spin_lock(&x->lock);
	if (!err) {
		kcoap_x_answer(x, code, d->buf + off, len, true, d->out);
	} else {
		if (!bad)
			kcoap_stat_inc(kn, KCOAP_STAT_RING_BAD);
		kcoap_x_answer(x, COAP_CODE_INTERNAL_ERROR, NULL, 0, true, d->out);
	}
	spin_unlock(&x->lock);
	kcoap_x_put(x);
}

void kcoap_exchange_responses(struct kcoap_daemon *d)
{
	struct kcoap_rsp_desc desc;
	u32 i;
	int ret;

	lockdep_assert_held(&d->lock);
	mutex_lock(&d->ring->rsp_lock);
	/* At most one ring's worth per kick: a daemon cannot keep us here. */
	for (i = 0; i < d->size.rsp_entries; i++) {
		if (i % 64 == 63)
			cond_resched();
		ret = kcoap_ring_get(d->ring, &desc, d->buf, d->size.slot_size);
		if (ret == 0)
			break;
		if (ret == -EPROTO) {
			kcoap_stat_inc(d->kn, KCOAP_STAT_RING_BAD);
			break;
		}
		if (ret > 0 && desc.flags & KCOAP_RSP_F_UPDATE) {
			if (kcoap_daemon_update(d, d->buf, desc.data_len,
						desc.flags & KCOAP_RSP_F_CON))
				kcoap_stat_inc(d->kn, KCOAP_STAT_RING_BAD);
			continue;
		}
		if (ret > 0 && desc.flags & KCOAP_RSP_F_DTLS) {
			local_bh_disable();
			kcoap_dtls_send_raw(d->kn, desc.id, d->buf, desc.data_len);
			local_bh_enable();
			continue;
		}
		/* A bad entry: if its ID is an exchange's, that gets 5.00. */
		local_bh_disable();
		rcu_read_lock();
		kcoap_x_response(d, &desc, ret < 0);
		rcu_read_unlock();
		local_bh_enable();
	}
	/* The entries were copied out: the daemon may reuse them. */
	kcoap_ring_rsp_done(d->ring);
	mutex_unlock(&d->ring->rsp_lock);
}

/* The exchange at or after *id, with a reference; NULL past the last. */
static struct kcoap_exchange *kcoap_x_next(struct kcoap_daemon *d,
					   unsigned long *id)
{
	struct kcoap_exchange *x;

	rcu_read_lock();
	for (;;) {
		x = xa_find(&d->xa, id, ULONG_MAX, XA_PRESENT);
		if (!x || refcount_inc_not_zero(&x->ref))
			break;
		(*id)++;	/* being freed: the next one */
	}
	rcu_read_unlock();
	return x;
}

void kcoap_exchange_fail_all(struct kcoap_daemon *d)
{
	struct kcoap_exchange *x;
	unsigned long id = 0;

	lockdep_assert_held(&d->lock);
	while ((x = kcoap_x_next(d, &id))) {
		id++;
		local_bh_disable();
		rcu_read_lock();
		spin_lock(&x->lock);
		if (x->state == KCOAP_X_SEPARATE)
			kcoap_x_finish(x);	/* its answer went out already */
		else
			kcoap_x_unavailable(x, false, d->out);
		spin_unlock(&x->lock);
		rcu_read_unlock();
		local_bh_enable();
		/* No callback may run once the daemon is gone. */
		if (timer_shutdown_sync(&x->timer))
			kcoap_x_put(x);
		kcoap_x_put(x);
	}
}

int kcoap_exchange_init(struct kcoap_daemon *d)
{
	int err;

	xa_init_flags(&d->xa, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	atomic_set(&d->inflight, 0);
	err = rhashtable_init(&d->by_key, &kcoap_x_key_params);
	if (err)
		return err;
	err = rhashtable_init(&d->by_mid, &kcoap_x_mid_params);
	if (err)
		rhashtable_destroy(&d->by_key);
	return err;
}

/* After kcoap_exchange_fail_all() and a grace period. */
void kcoap_exchange_destroy(struct kcoap_daemon *d)
{
	WARN_ON(!xa_empty(&d->xa));
	xa_destroy(&d->xa);
	rhashtable_destroy(&d->by_mid);
	rhashtable_destroy(&d->by_key);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "exchange_kunit.c"
#endif
