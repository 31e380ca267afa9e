// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Observe (RFC 7641) in the kernel. A GET with Observe 0 on an observable
 * resource registers the client (peer and token, §4.1); every change of the
 * resource is then pushed to it. The representation is encoded once per
 * Content-Format for a whole fan-out, and each observer's notification is
 * that template with its own header, token and sequence number spliced in.
 *
 * Observers that asked for smaller blocks (RFC 7959 §2.6) get their own
 * template too: one per Content-Format and block size.
 *
 * Notifications are NON, except every Nth (observe-con-every) and at least
 * one a day (§4.5), which are CON and retransmitted from a timer (RFC 7252
 * §4.2); an observer that never acknowledges one is removed. While a CON is
 * outstanding to an observer (NSTART 1), a newer state is not queued: it
 * replaces the old one at the next transmission (§4.5.2).
 *
 * by_mid is a list table: the 16-bit Message IDs come around, and two
 * observations of one peer may have notifications 65536 IDs apart.
 *
 * Locking: kcoap_observe.lock guards the two tables, the resources' lists
 * and the counts; each observer's lock guards its transmission state and
 * is taken inside the table lock, never around it. An observer is freed
 * when its last reference goes: the tables hold one, an armed timer one,
 * and a fan-out in progress one per observer.
 */
#include <linux/jhash.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/wait_bit.h>
#include <linux/kcoap.h>

#include "kcoap.h"
#include "observe.h"
#include "peer.h"
#include "retransmit.h"
#include "serve.h"

/* §4.5: a notification is confirmable at least once every 24 hours. */
#define KCOAP_OBS_CON_PERIOD	(24 * 3600 * HZ)
#define KCOAP_OBS_SEQ_PLACEHOLDER 0xffffff

struct kcoap_obs_key {
	struct in6_addr addr;
	__be16 port;
	u8 tkl;
	u8 token[COAP_MAX_TOKEN];
	u8 zero;
	u32 session;			/* its DTLS session, 0: plain */
};

/* The observers of one peer (an IPv4 address, an IPv6 /64). */
struct kcoap_obs_peer {
	struct rhash_head node;
	struct in6_addr prefix;
	u32 count;
	struct rcu_head rcu;
};

struct kcoap_observer {
	struct rhash_head tnode;
	struct rhlist_head mnode;	/* MIDs repeat: a list table */
	struct list_head list;		/* the resource's, then a batch to end */
	struct rcu_head rcu;
	refcount_t ref;
	struct kcoap_obs_key key;
	int ct;				/* Accept at registration, or -1 */
	struct kcoap_net *kn;
	struct kcoap_resource *res;
	struct kcoap_peer peer;
	struct timer_list timer;
	u8 szx;				/* largest block size it accepts */

	/* Transmission state, under lock (the order leaves no hole on stock kernels). */
	bool dead;			/* unlinked: send nothing more */
	bool mhashed;
	bool con_out;			/* a CON awaits its ACK */
	bool pending;			/* a newer state awaits that ACK */
	bool verified;			/* its address is: no credit needed */
	spinlock_t lock;		/* dead to since_con */
	struct kcoap_dedup_key mkey;	/* peer and MID of the last one sent */
	struct kcoap_retx retx;
	unsigned long last_con;
	u32 seq;			/* of the last notification sent */
	u32 since_con;
	u32 etag;			/* of the state it carried */
	u32 credit;			/* bytes it may still get unverified */
};

static const struct rhashtable_params kcoap_obs_token_params = {
	.head_offset = offsetof(struct kcoap_observer, tnode),
	.key_offset = offsetof(struct kcoap_observer, key),
	.key_len = sizeof(struct kcoap_obs_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kcoap_obs_peer_params = {
	.head_offset = offsetof(struct kcoap_obs_peer, node),
	.key_offset = offsetof(struct kcoap_obs_peer, prefix),
	.key_len = sizeof(struct in6_addr),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kcoap_obs_mid_params = {
	.head_offset = offsetof(struct kcoap_observer, mnode),
	.key_offset = offsetof(struct kcoap_observer, mkey),
	.key_len = sizeof(struct kcoap_dedup_key),
	.automatic_shrinking = true,
};

/*
 * A notification's bytes but for header, token and Observe value: built
 * once per Content-Format for a fan-out.
 */
struct kcoap_obs_tmpl {
	int ct;				/* the observers it is for */
	u8 szx;				/* and their block size */
	u8 code;			/* 2.05, or 4.06 when that format is gone */
	bool observe;			/* false for 4.06: it ends the observation */
	bool con;			/* the state asks for a CON */
	u32 etag;			/* of the representation, 0 for none */
	u8 obs_delta;			/* option delta of Observe */
	u16 head;			/* option bytes before Observe */
	u16 rest;			/* where the bytes after Observe start */
	int len;			/* of the whole reference message */
	u8 buf[KCOAP_REPLY_MAX];
};

/* Softirq scratch for retransmissions; softirqs do not nest on a CPU. */
struct kcoap_obs_scratch {
	struct kcoap_obs_tmpl tmpl;
	u8 out[KCOAP_REPLY_MAX];
};

static struct kcoap_obs_scratch __percpu *kcoap_obs_scratch __read_mostly;

/*
 * Observers have their own cache: at 272 bytes on stock kernels (with the
 * DTLS session in their key, peer and MID key) they would take 512 from
 * kmalloc.
 */
static struct kmem_cache *kcoap_obs_cache __read_mostly;

int __init kcoap_obs_bufs_init(void)
{
	kcoap_obs_scratch = alloc_percpu(struct kcoap_obs_scratch);
	kcoap_obs_cache = KMEM_CACHE(kcoap_observer, 0);
	return kcoap_obs_scratch && kcoap_obs_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): no observer is waiting to be freed. */
void kcoap_obs_bufs_exit(void)
{
	kmem_cache_destroy(kcoap_obs_cache);
	free_percpu(kcoap_obs_scratch);
}

static void kcoap_obs_key(struct kcoap_obs_key *key, const struct kcoap_peer *p,
			  const struct coap_msg *req)
{
	struct kcoap_dedup_key k;

	memset(key, 0, sizeof(*key));
	kcoap_peer_key(&k, p, 0);
	key->addr = k.addr;
	key->port = k.port;
	key->session = k.session;
	key->tkl = req->tkl;
	memcpy(key->token, coap_token(req), req->tkl);
}

/* What counts as one peer: an IPv4 address, or an IPv6 /64. */
static void kcoap_obs_prefix(struct in6_addr *pfx, const struct in6_addr *addr)
{
	*pfx = *addr;
	if (!ipv6_addr_v4mapped(addr)) {
		pfx->s6_addr32[2] = 0;
		pfx->s6_addr32[3] = 0;
	}
}

/* kcoap_observe.lock held: the peer entry of @addr, NULL if none. */
static struct kcoap_obs_peer *kcoap_obs_peer_find(struct kcoap_observe *obs,
						  const struct in6_addr *addr)
{
	struct in6_addr pfx;

	kcoap_obs_prefix(&pfx, addr);
	return rhashtable_lookup_fast(&obs->by_peer, &pfx, kcoap_obs_peer_params);
}

static void kcoap_obs_free_rcu(struct rcu_head *head)
{
	struct kcoap_observer *o = container_of(head, struct kcoap_observer, rcu);
	atomic_t *live = &o->kn->obs.live;

	kmem_cache_free(kcoap_obs_cache, o);
	if (atomic_dec_and_test(live))
		wake_up_var(live);
}

static void kcoap_obs_put(struct kcoap_observer *o)
{
	if (refcount_dec_and_test(&o->ref))
		call_rcu(&o->rcu, kcoap_obs_free_rcu);
}

static void kcoap_obs_event(struct kcoap_observer *o, u32 event)
{
	kcoap_notify_observer(o->kn, &o->key.addr, o->key.port, o->key.token,
			      o->key.tkl, o->res->path, event);
}

/*
 * Take @o out of the tables and its resource's list; kcoap_observe.lock
 * held. The caller drops the tables' reference after unlocking.
 */
static void kcoap_obs_unlink(struct kcoap_observe *obs, struct kcoap_observer *o)
{
	struct kcoap_obs_peer *pp = kcoap_obs_peer_find(obs, &o->key.addr);

	rhashtable_remove_fast(&obs->by_token, &o->tnode, kcoap_obs_token_params);
	list_del(&o->list);
	if (!WARN_ON_ONCE(!pp) && !--pp->count) {
		rhashtable_remove_fast(&obs->by_peer, &pp->node, kcoap_obs_peer_params);
		kfree_rcu(pp, rcu);
	}
	o->res->obs.count--;
	obs->count--;
	spin_lock(&o->lock);
	o->dead = true;
	if (o->mhashed)
		rhltable_remove(&obs->by_mid, &o->mnode, kcoap_obs_mid_params);
	o->mhashed = false;
	spin_unlock(&o->lock);
}

/* After kcoap_obs_unlink(): stop the timer and drop the tables' reference. */
static void kcoap_obs_release(struct kcoap_observer *o)
{
	if (timer_delete(&o->timer))
		kcoap_obs_put(o);
	kcoap_obs_put(o);
}

/* The block size @o gets now: its own, or the server's if smaller. */
static u8 kcoap_obs_szx(const struct kcoap_observer *o)
{
	return min_t(u8, o->szx, READ_ONCE(o->kn->cfg.block_szx));
}

/* Build the template for observers of format @ct from state @st. */
static void kcoap_obs_tmpl_build(const struct kcoap_res_state *st, int ct,
				 u8 szx, struct kcoap_obs_tmpl *t)
{
	const struct kcoap_repr *r = NULL;
	struct coap_builder b;
	struct coap_block blk = { .szx = szx };
	u32 off, len;
	int i;

	t->ct = ct;
	t->szx = szx;
	t->code = COAP_CODE_CONTENT;
	t->con = st->con;
	for (i = 0; i < st->nrepr && !r; i++)
		if (ct < 0 || st->repr[i].ct == ct)
			r = &st->repr[i];
	if (ct >= 0 && !r)
		t->code = COAP_CODE_NOT_ACCEPTABLE;	/* ends the observation */
	t->etag = 0;
	if (r)
		memcpy(&t->etag, r->etag, sizeof(t->etag));

	coap_build_init(&b, t->buf, sizeof(t->buf), COAP_TYPE_NON, t->code, 0,
			NULL, 0);
	t->head = r ? 1 + KCOAP_ETAG_LEN : 0;
	t->obs_delta = r ? COAP_OPT_OBSERVE - COAP_OPT_ETAG : COAP_OPT_OBSERVE;
	t->rest = COAP_HDR_LEN + t->head + 4;	/* Observe: 1 + 3 bytes here */
	t->observe = t->code == COAP_CODE_CONTENT;
	if (!t->observe) {
		/* RFC 7641 §4.2: a non-2.xx notification has no Observe. */
		t->len = coap_build_end(&b);
		return;
	}
	/* A large representation: its first block; the client GETs the rest. */
	coap_block_window(&blk, blk.szx, r ? r->len : 0, &off, &len);
	kcoap_put_content(&b, st, r, KCOAP_OBS_SEQ_PLACEHOLDER, &blk, blk.more,
			  false, off, len);
	t->len = coap_build_end(&b);
}

/* Splice @o's header, token and sequence number into template @t. */
static int kcoap_obs_emit(const struct kcoap_observer *o,
			  const struct kcoap_obs_tmpl *t, u8 type, u16 mid,
			  u32 seq, u8 *out)
{
	u32 v = kcoap_obs_value(seq);
	int n = 0, vlen = v > 0xffff ? 3 : v > 0xff ? 2 : v ? 1 : 0;
	int i;

	if (t->len < 0)
		return t->len;
	out[n++] = (COAP_VERSION << 6) | (type << 4) | o->key.tkl;
	out[n++] = t->code;
	out[n++] = mid >> 8;
	out[n++] = mid;
	memcpy(out + n, o->key.token, o->key.tkl);
	n += o->key.tkl;
	if (!t->observe) {
		memcpy(out + n, t->buf + COAP_HDR_LEN, t->len - COAP_HDR_LEN);
		return n + t->len - COAP_HDR_LEN;
	}
	memcpy(out + n, t->buf + COAP_HDR_LEN, t->head);
	n += t->head;
	out[n++] = (t->obs_delta << 4) | vlen;
	for (i = vlen - 1; i >= 0; i--)
		out[n++] = v >> (8 * i);
	memcpy(out + n, t->buf + t->rest, t->len - t->rest);
	return n + t->len - t->rest;
}

/*
 * Index @o by the Message ID of its latest notification; @o->lock held.
 * The entry is unhashed before its key changes: the table finds entries
 * by the hash of the key they were inserted with.
 */
static void kcoap_obs_set_mid(struct kcoap_observer *o, u16 mid)
{
	struct kcoap_observe *obs = &o->kn->obs;

	if (o->mhashed)
		rhltable_remove(&obs->by_mid, &o->mnode, kcoap_obs_mid_params);
	o->mkey.mid = mid;
	o->mhashed = !rhltable_insert(&obs->by_mid, &o->mnode,
				      kcoap_obs_mid_params);
}

/* Arm the retransmission timer; its reference is taken if it was idle. */
static void kcoap_obs_arm(struct kcoap_observer *o)
{
	if (!mod_timer(&o->timer, jiffies + o->retx.timeout))
		refcount_inc(&o->ref);
}

/* How a notification goes out. */
enum kcoap_obs_tx {
	KCOAP_OBS_NEW,		/* a new message: NON, or CON with its own timer */
	KCOAP_OBS_AGAIN,	/* the outstanding CON again, same Message ID */
	KCOAP_OBS_REPLACE,	/* a newer state in place of the outstanding CON */
};

/*
 * Send @o the notification from template @t: its next sequence number,
 * or the same one again for a retransmission. @o->lock held, BH off.
 * Returns false if it ended the observation (a 4.06: the observer's
 * format is gone).
 */
static bool kcoap_obs_xmit(struct kcoap_observer *o, const struct kcoap_obs_tmpl *t,
			   enum kcoap_obs_tx how, u8 *out)
{
	struct kcoap_net *kn = o->kn;
	u32 every = READ_ONCE(kn->cfg.observe_con_every);
	u32 seq = how == KCOAP_OBS_AGAIN ? o->seq : o->seq + 1;
	bool con = true;
	u16 mid;
	int len;

	if (!o->verified && kcoap_peer_verified(kn, &o->peer))
		o->verified = true;
	if (how == KCOAP_OBS_NEW)
		con = t->con || (every && ++o->since_con >= every) ||
		      time_after(jiffies, o->last_con + KCOAP_OBS_CON_PERIOD) ||
		      !o->verified;	/* its ACK verifies the address */
	mid = how == KCOAP_OBS_AGAIN ? o->mkey.mid :
	      kcoap_new_mid(kn, &o->peer);
	len = kcoap_obs_emit(o, t, con ? COAP_TYPE_CON : COAP_TYPE_NON, mid,
			     seq, out);
	if (len <= 0)
		return true;
	/*
	 * Unverified, it lives on what its registration earned (validate.h):
	 * a retransmission over it is skipped (the timer gives up in the
	 * end), a new notification over it ends the observation.
	 */
	if (!o->verified) {
		if (len > o->credit) {
			kcoap_stat_inc(kn, KCOAP_STAT_AMP_LIMITED);
			return how != KCOAP_OBS_NEW;
		}
		o->credit -= len;
	}

	/* Remember the MID, so an ACK or RST finds the observer (§3.6). */
	if (how != KCOAP_OBS_AGAIN)
		kcoap_obs_set_mid(o, mid);
	if (!kcoap_send(kn, &o->peer, out, len)) {
		if (how == KCOAP_OBS_AGAIN) {
			kcoap_stat_inc(kn, KCOAP_STAT_TX_RETRANSMIT);
		} else {
			kcoap_stat_inc(kn, KCOAP_STAT_TX_NOTIFY);
			kcoap_stat_code(kn, t->code);
			if (con)
				kcoap_stat_inc(kn, KCOAP_STAT_TX_NOTIFY_CON);
		}
	}
	o->seq = seq;
	o->etag = t->etag;
	if (t->code != COAP_CODE_CONTENT)
		return false;
	if (how == KCOAP_OBS_NEW && con) {
		o->con_out = true;
		o->since_con = 0;
		o->last_con = jiffies;
		kcoap_retx_start(&o->retx,
				 msecs_to_jiffies(READ_ONCE(kn->cfg.ack_timeout)),
				 get_random_u32());
		kcoap_obs_arm(o);
	}
	return true;
}

/* Unlink @o after a failed or final notification; softirq or BH off. */
static void kcoap_obs_drop(struct kcoap_observer *o, enum kcoap_stat why)
{
	struct kcoap_observe *obs = &o->kn->obs;
	bool unlinked = false;

	spin_lock(&obs->lock);
	if (!o->dead) {
		kcoap_obs_unlink(obs, o);
		unlinked = true;
	}
	spin_unlock(&obs->lock);
	if (unlinked) {
		kcoap_stat_inc(o->kn, why);
		kcoap_obs_event(o, KCOAP_EVENT_DELETED);
		kcoap_obs_release(o);
	}
}

/* The retransmission timer (softirq). */
static void kcoap_obs_timer(struct timer_list *t)
{
	struct kcoap_observer *o = from_timer(o, t, timer);
	struct kcoap_obs_scratch *s = this_cpu_ptr(kcoap_obs_scratch);
	struct kcoap_net *kn = o->kn;
	bool give_up = false, ended = false, newer;

	rcu_read_lock();
	spin_lock(&o->lock);
	/*
	 * Nothing to do if the ACK came, or if it came and a new CON re-armed
	 * the timer while this callback waited for the lock.
	 */
	if (o->dead || !o->con_out || timer_pending(&o->timer))
		goto out;
	if (!kcoap_retx_next(&o->retx, READ_ONCE(kn->cfg.max_retransmit))) {
		o->con_out = false;	/* a late ACK finds nothing now */
		give_up = true;
		goto out;
	}
	kcoap_obs_tmpl_build(rcu_dereference(o->res->state), o->ct,
			     kcoap_obs_szx(o), &s->tmpl);
	/*
	 * A retransmission must be the same message (RFC 7252 §4.2): if the
	 * state changed since, the newer one goes out in its place as a new
	 * message, keeping the retransmission counter and timeout (RFC 7641
	 * §4.5.2), with a sequence number past the one sent.
	 */
	newer = o->pending || s->tmpl.etag != o->etag ||
		s->tmpl.code != COAP_CODE_CONTENT;
	o->pending = false;
	if (kcoap_obs_xmit(o, &s->tmpl,
			   newer ? KCOAP_OBS_REPLACE : KCOAP_OBS_AGAIN, s->out))
		kcoap_obs_arm(o);
	else
		ended = true;	/* its format is gone: that was the last one */
out:
	spin_unlock(&o->lock);
	if (give_up)	/* §4.5: an observer that does not acknowledge is gone */
		kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_TIMEOUT);
	else if (ended)
		kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_CANCEL);
	rcu_read_unlock();
	kcoap_obs_put(o);	/* the timer's reference */
}

int kcoap_obs_register(struct kcoap_net *kn, struct kcoap_resource *res,
		       const struct kcoap_peer *peer, const struct coap_msg *req,
		       int ct, u8 szx, u32 *seq)
{
	struct kcoap_observe *obs = &kn->obs;
	struct kcoap_obs_peer *pp, *new_pp;
	struct kcoap_observer *o, *old;
	struct kcoap_obs_key key;
	bool peer_limit = false;
	int err = 0;

	kcoap_obs_key(&key, peer, req);
	o = kmem_cache_zalloc(kcoap_obs_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!o)
		return -ENOMEM;
	refcount_set(&o->ref, 1);
	o->key = key;
	o->kn = kn;
	o->res = res;
	o->peer = *peer;
	o->ct = ct;
	o->szx = szx;
	o->last_con = jiffies;
	o->verified = !kcoap_peer_unverified(kn, peer);
	/* The empty ACK of a CON registration comes out of it (receive.c). */
	o->credit = kcoap_amp_credit(kn, req->len);
	if (req->type == COAP_TYPE_CON)
		o->credit -= min_t(u32, o->credit, COAP_HDR_LEN);
	o->mkey.addr = key.addr;
	o->mkey.port = key.port;
	spin_lock_init(&o->lock);
	timer_setup(&o->timer, kcoap_obs_timer, 0);

	/* Most registrations are a peer's first: its entry, if it needs one. */
	new_pp = kzalloc(sizeof(*new_pp), GFP_ATOMIC | __GFP_NOWARN);
	if (new_pp)
		kcoap_obs_prefix(&new_pp->prefix, &key.addr);

	atomic_inc(&obs->live);
	spin_lock(&obs->lock);
	old = rhashtable_lookup_fast(&obs->by_token, &key, kcoap_obs_token_params);
	if (old)	/* same peer and token: this registration replaces it */
		kcoap_obs_unlink(obs, old);
	pp = kcoap_obs_peer_find(obs, &key.addr);
	if (res->obs.dead) {		/* being deleted right now */
		err = -ENOENT;
	} else if (res->obs.count >= READ_ONCE(kn->cfg.obs_max_per_res) ||
	    obs->count >= READ_ONCE(kn->cfg.obs_max_total)) {
		err = -ENOSPC;
	} else if ((pp ? pp->count : 0) >= READ_ONCE(kn->cfg.obs_max_per_peer)) {
		err = -ENOSPC;
		peer_limit = true;
	} else if (!pp && !new_pp) {
		err = -ENOMEM;
	} else if (!pp) {
		err = rhashtable_insert_fast(&obs->by_peer, &new_pp->node,
					     kcoap_obs_peer_params);
		if (!err) {
			pp = new_pp;
			new_pp = NULL;
		}
	}
	if (!err) {
		err = rhashtable_insert_fast(&obs->by_token, &o->tnode,
					     kcoap_obs_token_params);
		if (err && !pp->count) {
			rhashtable_remove_fast(&obs->by_peer, &pp->node,
					       kcoap_obs_peer_params);
			kfree_rcu(pp, rcu);
		}
	}
	if (!err) {
		list_add_tail(&o->list, &res->obs.list);
		pp->count++;
		res->obs.count++;
		obs->count++;
		/*
		 * Its own sequence numbers (RFC 7641 §4.4), from where the
		 * resource's changes are, or past the ones of the observation
		 * it renews, which the client has seen.
		 */
		o->seq = res->obs.seq;
		if (old && (s32)(old->seq + 1 - o->seq) > 0)
			o->seq = old->seq + 1;
		*seq = o->seq;
	}
	spin_unlock(&obs->lock);
	kfree(new_pp);
	if (peer_limit)
		kcoap_stat_inc(kn, KCOAP_STAT_OBSERVE_PEER_LIMIT);

	/* Events for what a listener sees change: not for a mere renewal. */
	if (old && (err || old->res != res))
		kcoap_obs_event(old, KCOAP_EVENT_DELETED);
	if (!err && (!old || old->res != res))
		kcoap_obs_event(o, KCOAP_EVENT_ADDED);
	if (old)
		kcoap_obs_release(old);
	if (err) {
		kmem_cache_free(kcoap_obs_cache, o);
		atomic_dec(&obs->live);
		kcoap_stat_inc(kn, KCOAP_STAT_OBSERVE_REFUSED);
		return err;
	}
	return 0;
}

void kcoap_obs_deregister(struct kcoap_net *kn, const struct kcoap_peer *peer,
			  const struct coap_msg *req)
{
	struct kcoap_observe *obs = &kn->obs;
	struct kcoap_observer *o;
	struct kcoap_obs_key key;

	kcoap_obs_key(&key, peer, req);
	spin_lock(&obs->lock);
	o = rhashtable_lookup_fast(&obs->by_token, &key, kcoap_obs_token_params);
	if (o)
		kcoap_obs_unlink(obs, o);
	spin_unlock(&obs->lock);
	if (o) {
		kcoap_stat_inc(kn, KCOAP_STAT_OBSERVE_CANCEL);
		kcoap_obs_event(o, KCOAP_EVENT_DELETED);
		kcoap_obs_release(o);
	}
}

/*
 * The observer whose latest notification to @peer had Message ID @mid (a
 * CON still unacknowledged if @con_only); NULL if none. RCU read side.
 * The fields are read without the observer's lock: the caller takes it
 * and checks them again with kcoap_obs_mid_is().
 */
static struct kcoap_observer *kcoap_obs_by_mid(struct kcoap_net *kn,
					       const struct kcoap_peer *peer,
					       u16 mid, bool con_only)
{
	struct kcoap_dedup_key key;
	struct rhlist_head *list, *pos;
	struct kcoap_observer *o;

	kcoap_peer_key(&key, peer, mid);
	list = rhltable_lookup(&kn->obs.by_mid, &key, kcoap_obs_mid_params);
	rhl_for_each_entry_rcu(o, pos, list, mnode)
		if (!READ_ONCE(o->dead) && READ_ONCE(o->mkey.mid) == mid &&
		    (READ_ONCE(o->con_out) || !con_only))
			return o;
	return NULL;
}

static bool kcoap_obs_mid_is(const struct kcoap_observer *o, u16 mid,
			     bool con_only)
{
	lockdep_assert_held(&o->lock);
	return !o->dead && o->mkey.mid == mid && (o->con_out || !con_only);
}

bool kcoap_obs_ack(struct kcoap_net *kn, const struct kcoap_peer *peer, u16 mid)
{
	struct kcoap_observer *o = kcoap_obs_by_mid(kn, peer, mid, true);
	struct kcoap_obs_scratch *s;
	bool ok = true;

	if (!o)
		return false;
	spin_lock(&o->lock);
	if (!kcoap_obs_mid_is(o, mid, true)) {
		spin_unlock(&o->lock);
		return false;
	}
	kcoap_stat_inc(kn, KCOAP_STAT_RX_ACK);
	o->con_out = false;
	o->verified = true;	/* it gets what we send: RFC 9175 §2.4 */
	if (timer_delete(&o->timer))
		kcoap_obs_put(o);
	if (o->pending) {
		/* The state that waited for this ACK goes out now. */
		o->pending = false;
		s = this_cpu_ptr(kcoap_obs_scratch);
		kcoap_obs_tmpl_build(rcu_dereference(o->res->state), o->ct,
				     kcoap_obs_szx(o), &s->tmpl);
		ok = kcoap_obs_xmit(o, &s->tmpl, KCOAP_OBS_NEW, s->out);
	}
	spin_unlock(&o->lock);
	if (!ok)
		kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_CANCEL);
	return true;
}

void kcoap_obs_first(struct kcoap_net *kn, const struct kcoap_peer *peer,
		     const struct coap_msg *req)
{
	struct kcoap_obs_scratch *s = this_cpu_ptr(kcoap_obs_scratch);
	struct kcoap_observer *o;
	struct kcoap_obs_key key;
	bool ok = true;
	int szx, len;

	kcoap_obs_key(&key, peer, req);
	o = rhashtable_lookup(&kn->obs.by_token, &key, kcoap_obs_token_params);
	if (!o)
		return;
	spin_lock(&o->lock);
	if (o->dead || o->con_out || o->verified) {
		spin_unlock(&o->lock);
		return;
	}
	/* Blocks small enough for its credit, if there are any (RFC 7959 §2.2). */
	for (szx = kcoap_obs_szx(o); ; szx--) {
		kcoap_obs_tmpl_build(rcu_dereference(o->res->state), o->ct, szx,
				     &s->tmpl);
		len = kcoap_obs_emit(o, &s->tmpl, COAP_TYPE_CON, 0, o->seq + 1,
				     s->out);
		if (len <= (int)o->credit || !szx)
			break;
	}
	WRITE_ONCE(o->szx, szx);
	ok = kcoap_obs_xmit(o, &s->tmpl, KCOAP_OBS_NEW, s->out);
	spin_unlock(&o->lock);
	if (!ok)
		kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_CANCEL);
}

bool kcoap_obs_rst(struct kcoap_net *kn, const struct kcoap_peer *peer, u16 mid)
{
	struct kcoap_observer *o = kcoap_obs_by_mid(kn, peer, mid, false);

	if (!o)
		return false;
	/* §3.6: a RST to a notification ends the observation. */
	kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_CANCEL);
	return true;
}

void kcoap_obs_unreachable(struct kcoap_net *kn, const struct in6_addr *addr,
			   __be16 port, u16 mid)
{
	struct kcoap_dedup_key key = { .addr = *addr, .port = port, .mid = mid };
	struct rhlist_head *list, *pos;
	struct kcoap_observer *o;

	list = rhltable_lookup(&kn->obs.by_mid, &key, kcoap_obs_mid_params);
	rhl_for_each_entry_rcu(o, pos, list, mnode) {
		if (!READ_ONCE(o->dead) && READ_ONCE(o->mkey.mid) == mid) {
			kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_UNREACHABLE);
			return;
		}
	}
}

/* Templates kept during one fan-out; more combinations are rebuilt. */
#define KCOAP_OBS_TMPLS 8

struct kcoap_obs_fanout {
	const struct kcoap_res_state *st;
	struct kcoap_obs_tmpl *t[KCOAP_OBS_TMPLS];
	int n;
	struct kcoap_obs_tmpl *spare;
	u8 out[KCOAP_REPLY_MAX];
};

/* The template for @o in fan-out @f, built on first use. */
static struct kcoap_obs_tmpl *kcoap_obs_tmpl_for(struct kcoap_obs_fanout *f,
						 const struct kcoap_observer *o)
{
	struct kcoap_obs_tmpl *t;
	u8 szx = kcoap_obs_szx(o);
	int i;

	for (i = 0; i < f->n; i++)
		if (f->t[i]->ct == o->ct && f->t[i]->szx == szx)
			return f->t[i];
	t = NULL;
	if (f->n < KCOAP_OBS_TMPLS)
		t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (t)
		f->t[f->n++] = t;
	else
		t = f->spare;	/* rare: an odd format and block size mix */
	kcoap_obs_tmpl_build(f->st, o->ct, szx, t);
	return t;
}

/*
 * Take a reference on each of @res's observers, into an array: sending
 * may take long, and the list may change meanwhile. NULL if out of memory.
 */
static struct kcoap_observer **kcoap_obs_batch(struct kcoap_net *kn,
					       struct kcoap_resource *res,
					       u32 *n)
{
	struct kcoap_observer **v = NULL, *o;
	u32 cap = 0;

	for (;;) {
		spin_lock_bh(&kn->obs.lock);
		if (res->obs.count <= cap)
			break;
		cap = res->obs.count + 16;
		spin_unlock_bh(&kn->obs.lock);
		kvfree(v);
		v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return NULL;
	}
	res->obs.dead = false;		/* observable again, if it was not */
	res->obs.seq++;
	*n = 0;
	list_for_each_entry(o, &res->obs.list, list) {
		refcount_inc(&o->ref);
		v[(*n)++] = o;
	}
	spin_unlock_bh(&kn->obs.lock);
	return v;
}

void kcoap_obs_notify(struct kcoap_net *kn, struct kcoap_resource *res)
{
	struct kcoap_observer **batch, *o;
	struct kcoap_obs_fanout *f;
	struct kcoap_obs_tmpl *t;
	u32 i, n;
	bool ok;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (f)
		f->spare = kmalloc(sizeof(*f->spare), GFP_KERNEL);
	batch = f && f->spare ? kcoap_obs_batch(kn, res, &n) : NULL;
	if (!batch) {
		/* Observers keep the old state; the next change retries. */
		if (f)
			kfree(f->spare);
		kfree(f);
		return;
	}
	f->st = kcoap_res_state_locked(res);

	for (i = 0; i < n; i++) {
		o = batch[i];
		t = kcoap_obs_tmpl_for(f, o);
		ok = true;
		local_bh_disable();
		spin_lock(&o->lock);
		if (!o->dead) {
			if (o->con_out)
				o->pending = true;	/* NSTART 1 (§4.5.2) */
			else
				ok = kcoap_obs_xmit(o, t, KCOAP_OBS_NEW, f->out);
		}
		spin_unlock(&o->lock);
		if (!ok)
			kcoap_obs_drop(o, KCOAP_STAT_OBSERVE_CANCEL);
		local_bh_enable();
		kcoap_obs_put(o);
		if (i % 64 == 63)
			cond_resched();
	}
	kvfree(batch);
	while (f->n)
		kfree(f->t[--f->n]);
	kfree(f->spare);
	kfree(f);
}

/*
 * The last notification: 4.04 when the resource is gone (§4.2: a non-2.xx
 * notification ends the observation), else its representation without
 * Observe, which ends it as well (§3.2).
 */
static void kcoap_obs_send_end(struct kcoap_observer *o,
			       const struct kcoap_res_state *st, u8 *out)
{
	const struct kcoap_repr *r = NULL;
	struct coap_block blk = { .szx = kcoap_obs_szx(o) };
	struct coap_builder b;
	u8 code = st ? COAP_CODE_CONTENT : COAP_CODE_NOT_FOUND;
	u32 off = 0, len = 0;
	int i, n;

	for (i = 0; st && i < st->nrepr && !r; i++)
		if (o->ct < 0 || st->repr[i].ct == o->ct)
			r = &st->repr[i];
	if (st && o->ct >= 0 && !r)
		code = COAP_CODE_NOT_ACCEPTABLE;
	coap_build_init(&b, out, KCOAP_REPLY_MAX, COAP_TYPE_NON, code,
			kcoap_new_mid(o->kn, &o->peer), o->key.token, o->key.tkl);
	if (code == COAP_CODE_CONTENT) {
		coap_block_window(&blk, blk.szx, r ? r->len : 0, &off, &len);
		kcoap_put_content(&b, st, r, -1, &blk, blk.more, false, off, len);
	}
	n = coap_build_end(&b);
	if (n > 0 && !o->verified && n > READ_ONCE(o->credit)) {
		kcoap_stat_inc(o->kn, KCOAP_STAT_AMP_LIMITED);
		return;
	}
	if (n > 0 && !kcoap_send(o->kn, &o->peer, out, n))
		kcoap_stat_code(o->kn, code);
}

void kcoap_obs_end(struct kcoap_net *kn, struct kcoap_resource *res, bool gone)
{
	const struct kcoap_res_state *st = gone ? NULL : kcoap_res_state_locked(res);
	struct kcoap_observer *o, *tmp;
	LIST_HEAD(batch);
	u8 *out;

	out = kmalloc(KCOAP_REPLY_MAX, GFP_KERNEL);
	spin_lock_bh(&kn->obs.lock);
	/* No registration from now on, until it is observable again. */
	res->obs.dead = true;
	list_for_each_entry_safe(o, tmp, &res->obs.list, list) {
		kcoap_obs_unlink(&kn->obs, o);
		list_add_tail(&o->list, &batch);
	}
	spin_unlock_bh(&kn->obs.lock);

	list_for_each_entry_safe(o, tmp, &batch, list) {
		list_del(&o->list);
		if (out) {
			local_bh_disable();
			kcoap_obs_send_end(o, st, out);
			local_bh_enable();
		}
		kcoap_obs_event(o, KCOAP_EVENT_DELETED);
		/* No callback may run after the module or namespace is gone. */
		if (timer_shutdown_sync(&o->timer))
			kcoap_obs_put(o);
		kcoap_obs_put(o);
	}
	kfree(out);
}

unsigned int kcoap_obs_snapshot(struct kcoap_net *kn, struct kcoap_obs_info *out,
				unsigned int max)
{
	struct kcoap_resource *res;
	struct kcoap_observer *o;
	unsigned long id;
	unsigned int n = 0;

	lockdep_assert_held(&kn->lock);
	spin_lock_bh(&kn->obs.lock);
	xa_for_each(&kn->res.ids, id, res) {
		list_for_each_entry(o, &res->obs.list, list) {
			if (n == max)
				goto out;
			out[n].addr = o->key.addr;
			out[n].port = o->key.port;
			out[n].tkl = o->key.tkl;
			memcpy(out[n].token, o->key.token, sizeof(o->key.token));
			out[n].ct = o->ct;
			out[n].res_id = res->id;
			spin_lock(&o->lock);
			out[n].seq = o->seq;
			out[n].con_pending = o->con_out;
			spin_unlock(&o->lock);
			n++;
		}
	}
out:
	spin_unlock_bh(&kn->obs.lock);
	return n;
}

int kcoap_obs_init(struct kcoap_net *kn)
{
	int err;

	spin_lock_init(&kn->obs.lock);
	kn->obs.count = 0;
	atomic_set(&kn->obs.live, 0);
	err = rhashtable_init(&kn->obs.by_token, &kcoap_obs_token_params);
	if (err)
		return err;
	err = rhltable_init(&kn->obs.by_mid, &kcoap_obs_mid_params);
	if (err)
		goto err_token;
	err = rhashtable_init(&kn->obs.by_peer, &kcoap_obs_peer_params);
	if (err)
		goto err_mid;
	return 0;
err_mid:
	rhltable_destroy(&kn->obs.by_mid);
err_token:
	rhashtable_destroy(&kn->obs.by_token);
	return err;
}

/*
 * Every resource's observations have been ended already. Observers dropped
 * before may still have a timer callback running, which holds the last
 * reference: wait until each one has been freed, since they point at @kn.
 */
void kcoap_obs_destroy(struct kcoap_net *kn)
{
	WARN_ON(kn->obs.count);
	wait_var_event(&kn->obs.live, !atomic_read(&kn->obs.live));
	rhashtable_destroy(&kn->obs.by_peer);
	rhltable_destroy(&kn->obs.by_mid);
	rhashtable_destroy(&kn->obs.by_token);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "observe_kunit.c"
#endif
