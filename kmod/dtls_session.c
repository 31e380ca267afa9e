// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS handshakes in flight and sessions of a namespace, and the netlink
 * commands session-add, session-del and session-get (uapi/kcoap.yaml).
 *
 * Every entry is in two tables: by id (the ring's handshake id, which the
 * session keeps) and by peer address and port; a session with a
 * connection ID (RFC 9146) in a third, by it. Readers (the receive path in
 * softirq, sends) look up under RCU; writers take the table's lock. A
 * session whose peer moved (§6, dtls_cid.c) moves in the address table.
 * An entry starts as a handshake, made in softirq for a ClientHello whose
 * cookie checked, at most dtls-max-handshakes of them and
 * dtls-max-handshakes-per-peer from one peer (an IPv4 address, an IPv6
 * /64: one host cannot take them all), each living at most
 * dtls-handshake-timeout. session-add (process context) gives it its keys
 * and makes it a session: at most dtls-max-sessions, each living until
 * dtls-idle-timeout passes without a record from its peer, or until it is
 * deleted (session-del, close_notify). A deleted entry leaves the tables at
 * once and is freed by the table's work after a grace period: freeing a
 * crypto transform is not promised to be safe in atomic context.
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <linux/kcoap.h>

#include "kcoap.h"
#include "dtls.h"

/* The kernel's names for the suites are the uapi's values. */
static_assert((int)KCOAP_DTLS_AES_128_CCM_8 == (int)KCOAP_DTLS_SUITE_AES_128_CCM_8);
static_assert((int)KCOAP_DTLS_AES_128_CCM == (int)KCOAP_DTLS_SUITE_AES_128_CCM);
static_assert((int)KCOAP_DTLS_AES_128_GCM == (int)KCOAP_DTLS_SUITE_AES_128_GCM);
static_assert((int)KCOAP_DTLS_AES_256_GCM == (int)KCOAP_DTLS_SUITE_AES_256_GCM);
static_assert(sizeof_field(struct kcoap_dtls_sess, identity) == KCOAP_DTLS_IDENTITY_MAX + 1);

struct kcoap_dtls {
	struct rhashtable by_id;
	struct rhashtable by_addr;
	struct rhashtable by_cid;
	struct rhashtable by_peer;	/* handshakes per peer; under lock */
	/* Writers of the tables, the counts and next_id. */
	spinlock_t lock;
	u32 sessions, handshakes;	/* read without the lock: READ_ONCE */
	u32 next_id;
	/* Expiry, and freeing what was deleted. */
	struct delayed_work gc;
	struct llist_head dead;
	struct kcoap_net *kn;
};

static const struct rhashtable_params kcoap_dtls_id_params = {
	.head_offset = offsetof(struct kcoap_dtls_sess, by_id),
	.key_offset = offsetof(struct kcoap_dtls_sess, id),
	.key_len = sizeof_field(struct kcoap_dtls_sess, id),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kcoap_dtls_addr_params = {
	.head_offset = offsetof(struct kcoap_dtls_sess, by_addr),
	.key_offset = offsetof(struct kcoap_dtls_sess, addr),
	.key_len = sizeof(struct kcoap_dedup_key),
	.automatic_shrinking = true,
};

static const struct rhashtable_params kcoap_dtls_cid_params = {
	.head_offset = offsetof(struct kcoap_dtls_sess, by_cid),
	.key_offset = offsetof(struct kcoap_dtls_sess, cid),
	.key_len = KCOAP_DTLS_CID_LEN,
	.automatic_shrinking = true,
};

/* Handshakes in flight from one peer: an IPv4 address, an IPv6 /64. */
struct kcoap_dtls_peer {
	struct rhash_head node;
	struct in6_addr prefix;
	u32 count;
	struct rcu_head rcu;
};

static const struct rhashtable_params kcoap_dtls_peer_params = {
	.head_offset = offsetof(struct kcoap_dtls_peer, node),
	.key_offset = offsetof(struct kcoap_dtls_peer, prefix),
	.key_len = sizeof(struct in6_addr),
	.automatic_shrinking = true,
};

/* The table's key of a peer: address and port; Message ID, session 0. */
static void kcoap_dtls_key(struct kcoap_dedup_key *k, const struct kcoap_peer *p)
{
	memset(k, 0, sizeof(*k));
	kcoap_peer_key(k, p, 0);
	k->session = 0;
}

/* How often the work looks for expired entries. */
static unsigned long kcoap_dtls_gc_period(struct kcoap_net *kn)
{
	u32 t = min(READ_ONCE(kn->cfg.dtls_handshake_timeout),
		    READ_ONCE(kn->cfg.dtls_idle_timeout));

	return clamp_t(unsigned long, t * HZ / 4, HZ, 30 * HZ);
}

struct kcoap_dtls_sess *kcoap_dtls_find(struct kcoap_net *kn,
					const struct kcoap_peer *p)
{
	struct kcoap_dtls *dt = kn->dtls;
	struct kcoap_dedup_key k;

	if (!dt)
		return NULL;
	kcoap_dtls_key(&k, p);
	return rhashtable_lookup(&dt->by_addr, &k, kcoap_dtls_addr_params);
}

struct kcoap_dtls_sess *kcoap_dtls_get(struct kcoap_net *kn, u32 id)
{
	struct kcoap_dtls *dt = kn->dtls;

	if (!dt || !id)
		return NULL;
	return rhashtable_lookup(&dt->by_id, &id, kcoap_dtls_id_params);
}

struct kcoap_dtls_sess *kcoap_dtls_find_cid(struct kcoap_net *kn, const u8 *cid)
{
	struct kcoap_dtls *dt = kn->dtls;

	if (!dt)
		return NULL;
	return rhashtable_lookup(&dt->by_cid, cid, kcoap_dtls_cid_params);
}

u32 kcoap_dtls_count(struct kcoap_net *kn, enum kcoap_dtls_state state)
{
	struct kcoap_dtls *dt = kn->dtls;

	if (!dt)
		return 0;
	return state == KCOAP_DTLS_HANDSHAKE ? READ_ONCE(dt->handshakes) :
	       READ_ONCE(dt->sessions);
}

static void kcoap_dtls_prefix(struct in6_addr *pfx, const struct kcoap_dtls_sess *s)
{
	*pfx = s->addr.addr;
	if (!ipv6_addr_v4mapped(pfx)) {
		pfx->s6_addr32[2] = 0;
		pfx->s6_addr32[3] = 0;
	}
}

/*
 * dt->lock held: count handshake @s against its peer, at most @max, with
 * *@new_pp for the peer's first (then taken). -ENOSPC at the limit.
 */
static int kcoap_dtls_peer_get(struct kcoap_dtls *dt, const struct kcoap_dtls_sess *s,
			       u32 max, struct kcoap_dtls_peer **new_pp)
{
	struct kcoap_dtls_peer *pp;
	struct in6_addr pfx;
	int err;

	lockdep_assert_held(&dt->lock);
	kcoap_dtls_prefix(&pfx, s);
	pp = rhashtable_lookup_fast(&dt->by_peer, &pfx, kcoap_dtls_peer_params);
	if ((pp ? pp->count : 0) >= max)
		return -ENOSPC;
	if (!pp) {
		pp = *new_pp;
		if (!pp)
			return -ENOMEM;
		pp->prefix = pfx;
		err = rhashtable_insert_fast(&dt->by_peer, &pp->node,
					     kcoap_dtls_peer_params);
		if (err)
			return err;
		*new_pp = NULL;
	}
	pp->count++;
	return 0;
}

/* dt->lock held: handshake @s is no longer in flight. */
static void kcoap_dtls_peer_put(struct kcoap_dtls *dt, const struct kcoap_dtls_sess *s)
{
	struct kcoap_dtls_peer *pp;
	struct in6_addr pfx;

	lockdep_assert_held(&dt->lock);
	kcoap_dtls_prefix(&pfx, s);
	pp = rhashtable_lookup_fast(&dt->by_peer, &pfx, kcoap_dtls_peer_params);
	if (WARN_ON_ONCE(!pp) || --pp->count)
		return;
	rhashtable_remove_fast(&dt->by_peer, &pp->node, kcoap_dtls_peer_params);
	kfree_rcu(pp, rcu);
}

/* Out of both tables and the counts; the work frees it. dt->lock held. */
static void kcoap_dtls_unlink(struct kcoap_dtls *dt, struct kcoap_dtls_sess *s)
{
	lockdep_assert_held(&dt->lock);
	if (s->unlinked)
		return;
	s->unlinked = true;
	rhashtable_remove_fast(&dt->by_id, &s->by_id, kcoap_dtls_id_params);
	/* Not there if a newer handshake of its peer took its place. */
	rhashtable_remove_fast(&dt->by_addr, &s->by_addr, kcoap_dtls_addr_params);
	if (s->cid_len)
		rhashtable_remove_fast(&dt->by_cid, &s->by_cid, kcoap_dtls_cid_params);
	if (s->state == KCOAP_DTLS_HANDSHAKE) {
		WRITE_ONCE(dt->handshakes, dt->handshakes - 1);
		kcoap_dtls_peer_put(dt, s);
	} else {
		WRITE_ONCE(dt->sessions, dt->sessions - 1);
	}
	llist_add(&s->dead, &dt->dead);
}

void kcoap_dtls_del(struct kcoap_net *kn, struct kcoap_dtls_sess *s)
{
	struct kcoap_dtls *dt = kn->dtls;

	spin_lock_bh(&dt->lock);
	kcoap_dtls_unlink(dt, s);
	spin_unlock_bh(&dt->lock);
	mod_delayed_work(system_wq, &dt->gc, 0);
}

static void kcoap_dtls_free(struct kcoap_dtls_sess *s)
{
	kcoap_dtls_dir_free(&s->rx);
	kcoap_dtls_dir_free(&s->tx);
	kfree(s->peer_cid);
	kfree_sensitive(s);
}

/* Free what was deleted; process context. */
static void kcoap_dtls_reap(struct kcoap_dtls *dt)
{
	struct kcoap_dtls_sess *s, *next;
	struct llist_node *list = llist_del_all(&dt->dead);

	if (!list)
		return;
	/* Readers that found them under RCU are done after this. */
	synchronize_rcu();
	llist_for_each_entry_safe(s, next, list, dead)
		kcoap_dtls_free(s);
}

/* An id no live entry has, never 0. dt->lock held. */
static u32 kcoap_dtls_new_id(struct kcoap_dtls *dt)
{
	u32 id;

	do {
		id = ++dt->next_id;
	} while (!id || rhashtable_lookup_fast(&dt->by_id, &id, kcoap_dtls_id_params));
	return id;
}

struct kcoap_dtls_sess *kcoap_dtls_handshake_new(struct kcoap_net *kn,
						 const struct kcoap_peer *p)
{
	struct kcoap_dtls *dt = kn->dtls;
	struct kcoap_dtls_peer *new_pp;
	struct kcoap_dtls_sess *s, *old;
	u32 max = READ_ONCE(kn->cfg.dtls_max_handshakes);
	int err;

	if (!dt)
		return NULL;
	old = kcoap_dtls_find(kn, p);
	if (old && READ_ONCE(old->state) == KCOAP_DTLS_HANDSHAKE)
		return old;
	if (READ_ONCE(dt->handshakes) >= max)
		goto full;
	s = kzalloc(sizeof(*s), GFP_ATOMIC | __GFP_NOWARN);
	if (!s)
		return NULL;
	kcoap_dtls_key(&s->addr, p);
	s->peer = *p;
	s->peer.session = 0;
	s->state = KCOAP_DTLS_HANDSHAKE;
	spin_lock_init(&s->lock);
	s->created = jiffies;
	s->last_rx = s->created;
	/* Its peer's first handshake, most likely. */
	new_pp = kzalloc(sizeof(*new_pp), GFP_ATOMIC | __GFP_NOWARN);

	spin_lock_bh(&dt->lock);
	old = rhashtable_lookup_fast(&dt->by_addr, &s->addr, kcoap_dtls_addr_params);
	if (old && old->state == KCOAP_DTLS_HANDSHAKE) {
		/* Made on another CPU meanwhile. */
		spin_unlock_bh(&dt->lock);
		kfree(new_pp);
		kfree(s);
		return old;
	}
	if (dt->handshakes >= max) {
		spin_unlock_bh(&dt->lock);
		kfree(new_pp);
		kfree(s);
		goto full;
	}
	err = kcoap_dtls_peer_get(dt, s, READ_ONCE(kn->cfg.dtls_max_hs_per_peer),
				  &new_pp);
	if (err) {
		spin_unlock_bh(&dt->lock);
		kfree(new_pp);
		kfree(s);
		if (err == -ENOSPC)
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_HANDSHAKE_PEER_LIMIT);
		return NULL;
	}
	s->id = kcoap_dtls_new_id(dt);
	err = rhashtable_insert_fast(&dt->by_id, &s->by_id, kcoap_dtls_id_params);
	if (err) {
		kcoap_dtls_peer_put(dt, s);
		goto err_unlock;
	}
	if (old) {
		/* The peer handshakes again (RFC 6347 §4.2.8). */
		err = rhashtable_replace_fast(&dt->by_addr, &old->by_addr,
					      &s->by_addr, kcoap_dtls_addr_params);
		s->replaces = old->id;
	} else {
		err = rhashtable_insert_fast(&dt->by_addr, &s->by_addr,
					     kcoap_dtls_addr_params);
	}
	if (err) {
		rhashtable_remove_fast(&dt->by_id, &s->by_id, kcoap_dtls_id_params);
		kcoap_dtls_peer_put(dt, s);
		/* Readers may have seen it in by_id: through the work. */
		s->unlinked = true;
		llist_add(&s->dead, &dt->dead);
		spin_unlock_bh(&dt->lock);
		kfree(new_pp);
		mod_delayed_work(system_wq, &dt->gc, 0);
		return NULL;
	}
	WRITE_ONCE(dt->handshakes, dt->handshakes + 1);
	spin_unlock_bh(&dt->lock);
	kfree(new_pp);
	if (!delayed_work_pending(&dt->gc))
		mod_delayed_work(system_wq, &dt->gc, kcoap_dtls_gc_period(kn));
	return s;

err_unlock:
	spin_unlock_bh(&dt->lock);
	kfree(new_pp);
	kfree(s);
	return NULL;
full:
	kcoap_stat_inc(kn, KCOAP_STAT_DTLS_HANDSHAKE_FULL);
	return NULL;
}

int kcoap_dtls_establish(struct kcoap_net *kn, const struct kcoap_dtls_keys *k,
			 struct netlink_ext_ack *extack)
{
	struct kcoap_dtls *dt = kn->dtls;
	struct kcoap_dtls_dir rx = {}, tx = {};
	struct kcoap_dtls_sess *s, *old = NULL;
	u8 *peer_cid = NULL;
	int err;

	if (!dt) {
		NL_SET_ERR_MSG(extack, "no DTLS handshake with this id");
		return -ENOENT;
	}
	if (k->peer_cid_len) {
		peer_cid = kmemdup(k->peer_cid, k->peer_cid_len, GFP_KERNEL_ACCOUNT);
		if (!peer_cid)
			return -ENOMEM;
	}
	/* The transforms first, in process context (they may sleep). */
	err = kcoap_dtls_dir_init(&rx, k->suite, k->rx_key, k->keylen,
				  k->rx_salt, k->rx_seq) ?:
	      kcoap_dtls_dir_init(&tx, k->suite, k->tx_key, k->keylen,
				  k->tx_salt, k->tx_seq);
	if (err == -EINVAL) {
		NL_SET_ERR_MSG(extack, "key length does not fit the suite");
		goto err_keys;
	} else if (err) {
		/* No ccm or gcm module, say. */
		NL_SET_ERR_MSG(extack, "cannot set up the suite's AEAD");
		err = err == -ENOMEM ? err : -EOPNOTSUPP;
		goto err_keys;
	}

	rcu_read_lock();
	spin_lock_bh(&dt->lock);
	s = rhashtable_lookup_fast(&dt->by_id, &k->id, kcoap_dtls_id_params);
	if (!s || s->unlinked) {
		NL_SET_ERR_MSG(extack, "no DTLS handshake with this id");
		err = -ENOENT;
		goto err_unlock;
	}
	if (s->state != KCOAP_DTLS_HANDSHAKE) {
		NL_SET_ERR_MSG(extack, "this DTLS session is established already");
		err = -EEXIST;
		goto err_unlock;
	}
	if (s->replaces) {
		old = rhashtable_lookup_fast(&dt->by_id, &s->replaces,
					     kcoap_dtls_id_params);
		if (old && (old->state != KCOAP_DTLS_ESTABLISHED ||
			    memcmp(&old->addr, &s->addr, sizeof(s->addr))))
			old = NULL;
	}
	if (dt->sessions - !!old >= READ_ONCE(kn->cfg.dtls_max_sessions)) {
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_SESSION_FULL);
		NL_SET_ERR_MSG(extack, "dtls-max-sessions sessions exist already");
		err = -ENOSPC;
		goto err_unlock;
	}
	if (k->cid) {
		/*
		 * RFC 9146 §3: the CID names the session; readers that find
		 * it before it is established take the handshake's path.
		 */
		memcpy(s->cid, k->cid, KCOAP_DTLS_CID_LEN);
		err = rhashtable_lookup_insert_fast(&dt->by_cid, &s->by_cid,
						    kcoap_dtls_cid_params);
		if (err) {
			memset(s->cid, 0, sizeof(s->cid));
			if (err == -EEXIST)
				NL_SET_ERR_MSG(extack, "cid in use");
			goto err_unlock;
		}
	}
	if (old)
		kcoap_dtls_unlink(dt, old);

	spin_lock(&s->lock);
	s->suite = k->suite;
	s->epoch = k->epoch;
	s->rx = rx;
	s->tx = tx;
	s->cid_len = k->cid ? KCOAP_DTLS_CID_LEN : 0;
	s->peer_cid = peer_cid;
	s->peer_cid_len = k->peer_cid_len;
	s->home = s->peer;
	strscpy(s->identity, k->identity ?: "", sizeof(s->identity));
	s->last_rx = jiffies;
	/* Pairs with the lock the record layer takes before it reads state. */
	WRITE_ONCE(s->state, KCOAP_DTLS_ESTABLISHED);
	spin_unlock(&s->lock);
	WRITE_ONCE(dt->handshakes, dt->handshakes - 1);
	kcoap_dtls_peer_put(dt, s);
	WRITE_ONCE(dt->sessions, dt->sessions + 1);
	spin_unlock_bh(&dt->lock);
	rcu_read_unlock();
	if (old)
		mod_delayed_work(system_wq, &dt->gc, 0);
	return 0;

err_unlock:
	spin_unlock_bh(&dt->lock);
	rcu_read_unlock();
err_keys:
	kcoap_dtls_dir_free(&rx);
	kcoap_dtls_dir_free(&tx);
	kfree(peer_cid);
	return err;
}

void kcoap_dtls_moved(struct kcoap_net *kn, struct kcoap_dtls_sess *s)
{
	struct kcoap_dtls *dt = kn->dtls;
	struct kcoap_dedup_key k;
	bool listed;

	spin_lock_bh(&dt->lock);
	spin_lock(&s->lock);
	kcoap_dtls_key(&k, &s->peer);
	spin_unlock(&s->lock);
	/* Gone, or moved there already by a later record on another CPU. */
	if (s->unlinked || !memcmp(&k, &s->addr, sizeof(k))) {
		spin_unlock_bh(&dt->lock);
		return;
	}
	/* Not there if a new handshake from the old address took its place. */
	listed = rhashtable_lookup_fast(&dt->by_addr, &s->addr,
					kcoap_dtls_addr_params) == s;
	if (listed)
		rhashtable_remove_fast(&dt->by_addr, &s->by_addr,
				       kcoap_dtls_addr_params);
	spin_lock(&s->lock);
	s->addr = k;
	spin_unlock(&s->lock);
	/*
	 * Lookups that walk its old chain meanwhile see the move and start
	 * again (rhashtable's nulls). If the new address has an entry of its
	 * own (another client's handshake or session), that one keeps it:
	 * this session is found by its CID only (insert_fast would put it
	 * first in the chain, in front of the other's). Deleting an entry
	 * that is not listed is harmless.
	 */
	rhashtable_lookup_insert_fast(&dt->by_addr, &s->by_addr,
				      kcoap_dtls_addr_params);
	spin_unlock_bh(&dt->lock);
	kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CID_MIGRATED);
}

/* Remove the handshakes and sessions past their time; returns how many. */
unsigned int kcoap_dtls_expire(struct kcoap_net *kn, unsigned long now)
{
	unsigned long hs = READ_ONCE(kn->cfg.dtls_handshake_timeout) * HZ;
	unsigned long idle = READ_ONCE(kn->cfg.dtls_idle_timeout) * HZ;
	struct kcoap_dtls *dt = kn->dtls;
	struct rhashtable_iter iter;
	struct kcoap_dtls_sess *s;
	unsigned int n = 0;
	bool old;

	rhashtable_walk_enter(&dt->by_id, &iter);
	rhashtable_walk_start(&iter);
	while ((s = rhashtable_walk_next(&iter))) {
		if (IS_ERR(s))
			continue;	/* -EAGAIN: resized, go on */
		if (READ_ONCE(s->state) == KCOAP_DTLS_HANDSHAKE)
			old = time_after_eq(now, s->created + hs);
		else
			old = time_after_eq(now, READ_ONCE(s->last_rx) + idle);
		if (!old)
			continue;
		spin_lock_bh(&dt->lock);
		if (!s->unlinked) {
			kcoap_dtls_unlink(dt, s);
			n++;
		}
		spin_unlock_bh(&dt->lock);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	if (n)
		kcoap_stat_add(kn, KCOAP_STAT_DTLS_EXPIRED, n);
	return n;
}

static void kcoap_dtls_gc(struct work_struct *work)
{
	struct kcoap_dtls *dt = container_of(to_delayed_work(work),
					     struct kcoap_dtls, gc);

	kcoap_dtls_expire(dt->kn, jiffies);
	kcoap_dtls_reap(dt);
	if (READ_ONCE(dt->sessions) || READ_ONCE(dt->handshakes))
		mod_delayed_work(system_wq, &dt->gc, kcoap_dtls_gc_period(dt->kn));
}

int kcoap_dtls_net_init(struct kcoap_net *kn)
{
	struct kcoap_dtls *dt = kzalloc(sizeof(*dt), GFP_KERNEL_ACCOUNT);
	int err;

	if (!dt)
		return -ENOMEM;
	err = rhashtable_init(&dt->by_id, &kcoap_dtls_id_params);
	if (err)
		goto err_free;
	err = rhashtable_init(&dt->by_addr, &kcoap_dtls_addr_params);
	if (err)
		goto err_id;
	err = rhashtable_init(&dt->by_cid, &kcoap_dtls_cid_params);
	if (err)
		goto err_addr;
	err = rhashtable_init(&dt->by_peer, &kcoap_dtls_peer_params);
	if (err)
		goto err_cid;
	spin_lock_init(&dt->lock);
	init_llist_head(&dt->dead);
	INIT_DELAYED_WORK(&dt->gc, kcoap_dtls_gc);
	dt->next_id = get_random_u32();
	dt->kn = kn;
	kn->dtls = dt;
	return 0;

err_cid:
	rhashtable_destroy(&dt->by_cid);
err_addr:
	rhashtable_destroy(&dt->by_addr);
err_id:
	rhashtable_destroy(&dt->by_id);
err_free:
	kfree(dt);
	return err;
}

static void kcoap_dtls_free_one(void *ptr, void *arg)
{
	kcoap_dtls_free(ptr);
}

static void kcoap_dtls_free_peer(void *ptr, void *arg)
{
	kfree(ptr);
}

/* The namespace goes: no socket, no netlink caller, no sender is left. */
void kcoap_dtls_net_exit(struct kcoap_net *kn)
{
	struct kcoap_dtls *dt = kn->dtls;

	if (!dt)
		return;
	cancel_delayed_work_sync(&dt->gc);
	kcoap_dtls_reap(dt);
	/* The entries in the tables go with them (the others hold subsets). */
	rhashtable_free_and_destroy(&dt->by_peer, kcoap_dtls_free_peer, NULL);
	rhashtable_destroy(&dt->by_cid);
	rhashtable_destroy(&dt->by_addr);
	rhashtable_free_and_destroy(&dt->by_id, kcoap_dtls_free_one, NULL);
	kn->dtls = NULL;
	kfree(dt);
}

/* Netlink */

const struct nla_policy kcoap_session_policy[KCOAP_A_SESSION_MAX + 1] = {
	[KCOAP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KCOAP_A_SESSION_SUITE] = NLA_POLICY_RANGE(NLA_U8, KCOAP_DTLS_AES_128_CCM_8,
						   KCOAP_DTLS_AES_256_GCM),
	[KCOAP_A_SESSION_EPOCH] = { .type = NLA_U16 },
	[KCOAP_A_SESSION_RX_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KCOAP_A_SESSION_RX_SALT] = NLA_POLICY_EXACT_LEN(4),
	[KCOAP_A_SESSION_RX_SEQ] = { .type = NLA_U64 },
	[KCOAP_A_SESSION_TX_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KCOAP_A_SESSION_TX_SALT] = NLA_POLICY_EXACT_LEN(4),
	[KCOAP_A_SESSION_TX_SEQ] = { .type = NLA_U64 },
	[KCOAP_A_SESSION_IDENTITY] = { .type = NLA_NUL_STRING,
				       .len = KCOAP_DTLS_IDENTITY_MAX },
	[KCOAP_A_SESSION_CID] = NLA_POLICY_EXACT_LEN(KCOAP_DTLS_CID_LEN),
	[KCOAP_A_SESSION_PEER_CID] = NLA_POLICY_RANGE(NLA_BINARY, 1, KCOAP_DTLS_CID_MAX),
};

static struct kcoap_net *kcoap_dtls_info_net(struct genl_info *info)
{
	return kcoap_net(genl_info_net(info));
}

/* The namespace's table, once set up (NULL before: no entries). */
static struct kcoap_dtls *kcoap_dtls_of(struct kcoap_net *kn)
{
	return kcoap_ready(kn) ? kn->dtls : NULL;
}

/* Which attribute an EEXIST of session-add points at: the cid, if taken. */
static bool kcoap_dtls_cid_in_use(struct kcoap_net *kn, const u8 *cid)
{
	bool taken;

	rcu_read_lock();
	taken = kcoap_dtls_find_cid(kn, cid);
	rcu_read_unlock();
	return taken;
}

int kcoap_nl_session_add(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_dtls_info_net(info);
	struct nlattr **a = info->attrs;
	struct kcoap_dtls_keys *k;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_SUITE) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_EPOCH) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_RX_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_RX_SALT) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_RX_SEQ) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_TX_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_TX_SALT) ||
	    GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_TX_SEQ))
		return -EINVAL;
	if (nla_len(a[KCOAP_A_SESSION_RX_KEY]) != nla_len(a[KCOAP_A_SESSION_TX_KEY])) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_SESSION_TX_KEY],
				    "rx-key and tx-key differ in length");
		return -EINVAL;
	}
	/* RFC 6347 §4.1: epoch 0 is the handshake's, without keys. */
	if (!nla_get_u16(a[KCOAP_A_SESSION_EPOCH])) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_SESSION_EPOCH],
				    "epoch 0 has no keys");
		return -EINVAL;
	}
	if (nla_get_u64(a[KCOAP_A_SESSION_RX_SEQ]) >> 48) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_SESSION_RX_SEQ],
				    "sequence numbers have 48 bits");
		return -EINVAL;
	}
	if (nla_get_u64(a[KCOAP_A_SESSION_TX_SEQ]) >> 48) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_SESSION_TX_SEQ],
				    "sequence numbers have 48 bits");
		return -EINVAL;
	}
	if (!kcoap_dtls_of(kn)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_SESSION_ID],
				    "no DTLS handshake with this id");
		return -ENOENT;
	}
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->id = nla_get_u32(a[KCOAP_A_SESSION_ID]);
	k->suite = nla_get_u8(a[KCOAP_A_SESSION_SUITE]);
	k->epoch = nla_get_u16(a[KCOAP_A_SESSION_EPOCH]);
	k->keylen = nla_len(a[KCOAP_A_SESSION_RX_KEY]);
	nla_memcpy(k->rx_key, a[KCOAP_A_SESSION_RX_KEY], sizeof(k->rx_key));
	nla_memcpy(k->tx_key, a[KCOAP_A_SESSION_TX_KEY], sizeof(k->tx_key));
	nla_memcpy(k->rx_salt, a[KCOAP_A_SESSION_RX_SALT], sizeof(k->rx_salt));
	nla_memcpy(k->tx_salt, a[KCOAP_A_SESSION_TX_SALT], sizeof(k->tx_salt));
	k->rx_seq = nla_get_u64(a[KCOAP_A_SESSION_RX_SEQ]);
	k->tx_seq = nla_get_u64(a[KCOAP_A_SESSION_TX_SEQ]);
	if (a[KCOAP_A_SESSION_IDENTITY])
		k->identity = nla_data(a[KCOAP_A_SESSION_IDENTITY]);
	if (a[KCOAP_A_SESSION_CID])
		k->cid = nla_data(a[KCOAP_A_SESSION_CID]);
	if (a[KCOAP_A_SESSION_PEER_CID]) {
		k->peer_cid = nla_data(a[KCOAP_A_SESSION_PEER_CID]);
		k->peer_cid_len = nla_len(a[KCOAP_A_SESSION_PEER_CID]);
	}
	err = kcoap_dtls_establish(kn, k, info->extack);
	if (err == -EEXIST && k->cid && kcoap_dtls_cid_in_use(kn, k->cid))
		NL_SET_BAD_ATTR(info->extack, a[KCOAP_A_SESSION_CID]);
	else if (err == -ENOENT || err == -EEXIST)
		NL_SET_BAD_ATTR(info->extack, a[KCOAP_A_SESSION_ID]);
	else if (err == -EINVAL)
		NL_SET_BAD_ATTR(info->extack, a[KCOAP_A_SESSION_RX_KEY]);
	kfree_sensitive(k);
	return err;
}

int kcoap_nl_session_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_dtls_info_net(info);
	struct kcoap_dtls_sess *s = NULL;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_ID))
		return -EINVAL;
	rcu_read_lock();
	if (kcoap_dtls_of(kn))
		s = kcoap_dtls_get(kn, nla_get_u32(info->attrs[KCOAP_A_SESSION_ID]));
	if (s)
		kcoap_dtls_del(kn, s);
	rcu_read_unlock();
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCOAP_A_SESSION_ID],
				    "no DTLS session or handshake with this id");
		return -ENOENT;
	}
	return 0;
}

/* What session-get shows, copied under the entry's lock. */
struct kcoap_dtls_info {
	struct kcoap_dedup_key addr;
	u32 id;
	u8 family, suite, state;
	u16 epoch;
	u32 age, idle;
	u64 rx_seq, tx_seq;
	u64 rx_records, tx_records, rx_bad, rx_replayed;
	char identity[KCOAP_DTLS_IDENTITY_MAX + 1];
	u8 cid_len, peer_cid_len;
	u8 cid[KCOAP_DTLS_CID_LEN];
	u8 peer_cid[KCOAP_DTLS_CID_MAX];
};

static void kcoap_dtls_info(struct kcoap_dtls_sess *s, struct kcoap_dtls_info *i)
{
	unsigned long now = jiffies;

	spin_lock_bh(&s->lock);
	i->addr = s->addr;
	i->id = s->id;
	i->family = s->peer.family;
	i->suite = s->suite;
	i->state = s->state;
	i->epoch = s->epoch;
	i->age = (now - s->created) / HZ;
	i->idle = (now - s->last_rx) / HZ;
	i->rx_seq = s->rx.seq;
	i->tx_seq = s->tx.seq;
	i->rx_records = s->rx_records;
	i->tx_records = s->tx_records;
	i->rx_bad = s->rx_bad;
	i->rx_replayed = s->rx_replayed;
	memcpy(i->identity, s->identity, sizeof(i->identity));
	i->cid_len = s->cid_len;
	memcpy(i->cid, s->cid, sizeof(i->cid));
	i->peer_cid_len = s->peer_cid_len;
	if (s->peer_cid_len)
		memcpy(i->peer_cid, s->peer_cid, s->peer_cid_len);
	spin_unlock_bh(&s->lock);
}

static int kcoap_put_session(struct sk_buff *skb, const struct kcoap_dtls_info *i)
{
	bool est = i->state == KCOAP_DTLS_ESTABLISHED;

	if (nla_put_u32(skb, KCOAP_A_SESSION_ID, i->id) ||
	    nla_put(skb, KCOAP_A_SESSION_ADDR, sizeof(i->addr.addr), &i->addr.addr) ||
	    nla_put_be16(skb, KCOAP_A_SESSION_PORT, i->addr.port) ||
	    nla_put_u8(skb, KCOAP_A_SESSION_FAMILY, i->family) ||
	    nla_put_u8(skb, KCOAP_A_SESSION_STATE, i->state) ||
	    nla_put_u32(skb, KCOAP_A_SESSION_AGE, i->age) ||
	    nla_put_u32(skb, KCOAP_A_SESSION_IDLE, i->idle))
		return -EMSGSIZE;
	if (est &&
	    (nla_put_u8(skb, KCOAP_A_SESSION_SUITE, i->suite) ||
	     nla_put_u16(skb, KCOAP_A_SESSION_EPOCH, i->epoch) ||
	     nla_put_string(skb, KCOAP_A_SESSION_IDENTITY, i->identity) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_RX_SEQ, i->rx_seq,
			       KCOAP_A_SESSION_PAD) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_TX_SEQ, i->tx_seq,
			       KCOAP_A_SESSION_PAD) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_RX_RECORDS, i->rx_records,
			       KCOAP_A_SESSION_PAD) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_TX_RECORDS, i->tx_records,
			       KCOAP_A_SESSION_PAD) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_RX_BAD, i->rx_bad,
			       KCOAP_A_SESSION_PAD) ||
	     nla_put_u64_64bit(skb, KCOAP_A_SESSION_RX_REPLAYED, i->rx_replayed,
			       KCOAP_A_SESSION_PAD)))
		return -EMSGSIZE;
	/* On the wire in every record: not secret. */
	if (est && i->cid_len &&
	    nla_put(skb, KCOAP_A_SESSION_CID, i->cid_len, i->cid))
		return -EMSGSIZE;
	if (est && i->peer_cid_len &&
	    nla_put(skb, KCOAP_A_SESSION_PEER_CID, i->peer_cid_len, i->peer_cid))
		return -EMSGSIZE;
	return 0;
}

int kcoap_nl_session_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_dtls_info_net(info);
	struct kcoap_dtls_sess *s = NULL;
	struct kcoap_dtls_info *i;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_SESSION_ID))
		return -EINVAL;
	i = kmalloc(sizeof(*i), GFP_KERNEL);
	if (!i)
		return -ENOMEM;
	rcu_read_lock();
	if (kcoap_dtls_of(kn))
		s = kcoap_dtls_get(kn, nla_get_u32(info->attrs[KCOAP_A_SESSION_ID]));
	if (s)
		kcoap_dtls_info(s, i);
	rcu_read_unlock();
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCOAP_A_SESSION_ID],
				    "no DTLS session or handshake with this id");
		err = -ENOENT;
		goto out;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, kcoap_genl_family(), 0,
				KCOAP_CMD_SESSION_GET);
	if (!hdr || kcoap_put_session(msg, i)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out:
	kfree(i);
	return err;
}

/*
 * A dump walks the id table across its parts (cb->args[0]: the walker,
 * made on the first part, freed in kcoap_nl_session_done()); a resize
 * meanwhile may show an entry twice, never a torn one.
 */
struct kcoap_dtls_dump {
	struct rhashtable_iter iter;
	struct kcoap_dtls_info i;
};

int kcoap_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcoap_net *kn = kcoap_net(sock_net(cb->skb->sk));
	struct kcoap_dtls_dump *d = (void *)cb->args[0];
	struct kcoap_dtls *dt = kcoap_dtls_of(kn);
	struct kcoap_dtls_sess *s;
	void *hdr;

	if (!dt || cb->args[1])
		return 0;
	if (!d) {
		d = kmalloc(sizeof(*d), GFP_KERNEL);
		if (!d)
			return -ENOMEM;
		rhashtable_walk_enter(&dt->by_id, &d->iter);
		cb->args[0] = (long)d;
	}
	rhashtable_walk_start(&d->iter);
	while ((s = rhashtable_walk_peek(&d->iter))) {
		if (IS_ERR(s)) {
			if (PTR_ERR(s) == -EAGAIN)
				continue;
			break;
		}
		kcoap_dtls_info(s, &d->i);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  kcoap_genl_family(), NLM_F_MULTI,
				  KCOAP_CMD_SESSION_GET);
		if (!hdr)
			break;
		if (kcoap_put_session(skb, &d->i)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		rhashtable_walk_next(&d->iter);
	}
	if (!s)
		cb->args[1] = 1;	/* the end: the next part is empty */
	rhashtable_walk_stop(&d->iter);
	return skb->len;
}

int kcoap_nl_session_done(struct netlink_callback *cb)
{
	struct kcoap_dtls_dump *d = (void *)cb->args[0];

	if (d) {
		rhashtable_walk_exit(&d->iter);
		kfree(d);
	}
	return 0;
}
