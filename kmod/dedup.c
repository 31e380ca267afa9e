// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The deduplication cache (RFC 7252 §4.5).
 *
 * Lookups run in softirq on every CPU, so they take no lock: the entries
 * are in an rhashtable read under RCU. Each CPU appends the entries it
 * creates to its own FIFO, under a per-CPU spinlock that only that CPU and
 * the once-a-second expiry work ever take, so there is no shared lock on
 * the hot path. Lifetimes are fixed per message type, so a FIFO is nearly
 * in expiry order and oldest-first eviction is a pop from its head.
 *
 * The table's bucket array is capped so that at the entry limit there are
 * up to two entries per bucket, about 4 bytes per entry (an uncapped
 * rhashtable doubles at 75% load: 8 to 16). Entries come from kmem_caches
 * 8 bytes apart, so an entry with its reply wastes less than 8 bytes to
 * rounding.
 *
 * Memory is bounded in bytes as well as in entries: every entry counts,
 * with its reply, as the slab object it takes, from its allocation until
 * it is freed (also while it waits in its FIFO after it left the table).
 * At the limit an insert pops the oldest entries, at most a reply's worth
 * of small ones: O(1) per insert. Each peer's bytes are counted too, in
 * buckets picked by a keyed hash of its address (its /64 for IPv6).
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "kcoap.h"
#include "coap.h"
#include "serve.h"

struct kcoap_dedup_fifo {
	spinlock_t lock;		/* head, tail */
	struct kcoap_dedup_entry *head;
	struct kcoap_dedup_entry *tail;
};

#define KCOAP_DEDUP_PEERS	1024

struct kcoap_dedup_table {
	struct rhashtable ht;
	struct kcoap_dedup_fifo __percpu *fifo;
	struct kcoap_dedup *owner;
	atomic_t count;			/* allocated and not yet freed */
	atomic_long_t bytes;		/* their slab objects */
	u32 max_entries;
	struct delayed_work gc;
	siphash_key_t peer_key;
	atomic_t peer_bytes[KCOAP_DEDUP_PEERS];
};

#define KCOAP_DEDUP_HDR		offsetof(struct kcoap_dedup_entry, reply)
#define KCOAP_DEDUP_CACHE_MIN	ALIGN(KCOAP_DEDUP_HDR, 8)
#define KCOAP_DEDUP_CACHE_MAX	256
#define KCOAP_DEDUP_NCACHES	((KCOAP_DEDUP_CACHE_MAX - KCOAP_DEDUP_CACHE_MIN) / 8 + 1)
#define KCOAP_DEDUP_KMALLOC	0xff
#define KCOAP_DEDUP_GC_PERIOD	HZ
/* Expired entries an insert frees at most; the GC work frees the rest. */
#define KCOAP_DEDUP_EXPIRE_BATCH 8

/* Has jiffies value @now reached @t? (32-bit, wrap-safe) */
static inline bool kcoap_time_reached(u32 now, u32 t)
{
	return (s32)(now - t) >= 0;
}

static struct kmem_cache *kcoap_dedup_caches[KCOAP_DEDUP_NCACHES];
static char kcoap_dedup_cache_names[KCOAP_DEDUP_NCACHES][20];

static const struct rhashtable_params kcoap_dedup_params = {
	.head_offset = offsetof(struct kcoap_dedup_entry, node),
	.key_offset = offsetof(struct kcoap_dedup_entry, key),
	.key_len = sizeof(struct kcoap_dedup_key),
	.automatic_shrinking = true,
};

static_assert(sizeof(struct kcoap_dedup_key) == 24);
static_assert(offsetof(struct kcoap_dedup_entry, reply) == 56);

int __init kcoap_dedup_global_init(void)
{
	int i;

	for (i = 0; i < KCOAP_DEDUP_NCACHES; i++) {
		unsigned int size = KCOAP_DEDUP_CACHE_MIN + 8 * i;

		snprintf(kcoap_dedup_cache_names[i], sizeof(kcoap_dedup_cache_names[i]),
			 "kcoap_dedup_%u", size);
		kcoap_dedup_caches[i] = kmem_cache_create(kcoap_dedup_cache_names[i],
							  size, 8, 0, NULL);
		if (!kcoap_dedup_caches[i]) {
			kcoap_dedup_global_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void kcoap_dedup_global_exit(void)
{
	int i;

	/* Entries are freed by call_rcu(): wait for the callbacks. */
	rcu_barrier();
	for (i = 0; i < KCOAP_DEDUP_NCACHES; i++) {
		kmem_cache_destroy(kcoap_dedup_caches[i]);
		kcoap_dedup_caches[i] = NULL;
	}
}

static struct kcoap_dedup_entry *kcoap_dedup_alloc(u16 reply_len)
{
	size_t size = KCOAP_DEDUP_HDR + reply_len;
	struct kcoap_dedup_entry *e;
	unsigned int idx;

	if (size > KCOAP_DEDUP_CACHE_MAX) {
		e = kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
		idx = KCOAP_DEDUP_KMALLOC;
	} else {
		idx = (ALIGN(size, 8) - KCOAP_DEDUP_CACHE_MIN) / 8;
		e = kmem_cache_alloc(kcoap_dedup_caches[idx], GFP_ATOMIC | __GFP_NOWARN);
	}
	if (e)
		e->cache = idx;
	return e;
}

/* The bytes an entry is charged: the slab object it takes. */
static unsigned int kcoap_dedup_obj_size(unsigned int idx, u16 reply_len)
{
	if (idx == KCOAP_DEDUP_KMALLOC)
		return kmalloc_size_roundup(KCOAP_DEDUP_HDR + reply_len);
	return KCOAP_DEDUP_CACHE_MIN + 8 * idx;
}

static unsigned int kcoap_dedup_size(u16 reply_len)
{
	size_t size = KCOAP_DEDUP_HDR + reply_len;

	if (size > KCOAP_DEDUP_CACHE_MAX)
		return kmalloc_size_roundup(size);
	return ALIGN(size, 8);
}

/* Which of the table's peer counters @addr is counted in. */
static u16 kcoap_dedup_peer_idx(const struct kcoap_dedup_table *t,
				const struct in6_addr *addr)
{
	u64 h;

	if (ipv6_addr_v4mapped(addr))
		h = siphash_1u32((__force u32)addr->s6_addr32[3], &t->peer_key);
	else	/* one /64, the usual assignment to a single host or link */
		h = siphash_2u32((__force u32)addr->s6_addr32[0],
				 (__force u32)addr->s6_addr32[1], &t->peer_key);
	return h % KCOAP_DEDUP_PEERS;
}

static void kcoap_dedup_free_rcu(struct rcu_head *head)
{
	struct kcoap_dedup_entry *e = container_of(head, struct kcoap_dedup_entry, rcu);

	if (e->cache == KCOAP_DEDUP_KMALLOC)
		kfree(e);
	else
		kmem_cache_free(kcoap_dedup_caches[e->cache], e);
}

static void kcoap_dedup_count_stat(struct kcoap_dedup *d, enum kcoap_stat id,
				   unsigned int n)
{
	if (d->stats && n)
		this_cpu_add(d->stats->cnt[id], n);
}

/*
 * @e was taken out of the table but stays in its FIFO until its turn: it
 * still counts against the limits, since its memory is still taken, but
 * no longer shows in snapshots.
 */
static void kcoap_dedup_gone(struct kcoap_dedup_table *t,
			     struct kcoap_dedup_entry *e)
{
	WRITE_ONCE(e->type, e->type | KCOAP_DEDUP_GONE);
}

static void kcoap_dedup_uncharge(struct kcoap_dedup_table *t,
				 const struct kcoap_dedup_entry *e)
{
	unsigned int size = kcoap_dedup_obj_size(e->cache, e->reply_len);

	atomic_long_sub(size, &t->bytes);
	atomic_sub(size, &t->peer_bytes[kcoap_dedup_peer_idx(t, &e->key.addr)]);
	atomic_dec(&t->count);
}

/*
 * Pop the head of @f (its lock held), take it out of the table if it is
 * still there, and free it after a grace period: a reader may still hold it.
 */
static void kcoap_dedup_pop(struct kcoap_dedup_table *t,
			    struct kcoap_dedup_fifo *f)
{
	struct kcoap_dedup_entry *e = f->head;

	f->head = e->next;
	if (!f->head)
		f->tail = NULL;
	rhashtable_remove_fast(&t->ht, &e->node, kcoap_dedup_params);
	kcoap_dedup_uncharge(t, e);
	call_rcu(&e->rcu, kcoap_dedup_free_rcu);
}

static unsigned int kcoap_dedup_expire_fifo(struct kcoap_dedup_table *t,
					    struct kcoap_dedup_fifo *f, u32 now,
					    unsigned int max)
{
	unsigned int n = 0;

	while (n < max && f->head && kcoap_time_reached(now, f->head->expires)) {
		kcoap_dedup_pop(t, f);
		n++;
	}
	return n;
}

/* Pops that always free the bytes of the largest entry. */
#define KCOAP_DEDUP_REPLY_POPS \
	DIV_ROUND_UP(KCOAP_DEDUP_HDR + KCOAP_REPLY_MAX, KCOAP_DEDUP_CACHE_MIN)

/* Make room at the limit: the oldest entry of this CPU, else of another. */
static bool kcoap_dedup_evict(struct kcoap_dedup_table *t)
{
	int this = raw_smp_processor_id(), cpu;
	struct kcoap_dedup_fifo *f;
	bool done = false;

	f = per_cpu_ptr(t->fifo, this);
	spin_lock(&f->lock);
	if (f->head) {
		kcoap_dedup_pop(t, f);
		done = true;
	}
	spin_unlock(&f->lock);
	if (done)
		return true;
	for_each_possible_cpu(cpu) {
		if (cpu == this)
			continue;
		f = per_cpu_ptr(t->fifo, cpu);
		spin_lock(&f->lock);
		if (f->head) {
			kcoap_dedup_pop(t, f);
			done = true;
		}
		spin_unlock(&f->lock);
		if (done)
			break;
	}
	return done;
}

const struct kcoap_dedup_entry *
kcoap_dedup_lookup(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
		   u32 now)
{
	struct kcoap_dedup_table *t = rcu_dereference(d->tbl);
	struct kcoap_dedup_entry *e;

	if (unlikely(!t))
		return NULL;
	e = rhashtable_lookup(&t->ht, key, kcoap_dedup_params);
	if (e && kcoap_time_reached(now, READ_ONCE(e->expires)))
		return NULL;
	return e;
}

void kcoap_dedup_set_limits(struct kcoap_dedup *d, u32 max_bytes,
			    u32 max_peer_bytes)
{
	WRITE_ONCE(d->max_bytes, max_bytes);
	WRITE_ONCE(d->max_peer_bytes, max_peer_bytes);
}

bool kcoap_dedup_peer_full(struct kcoap_dedup *d, const struct kcoap_dedup_key *key)
{
	struct kcoap_dedup_table *t = rcu_dereference(d->tbl);

	if (unlikely(!t))
		return false;
	/* Not even the smallest entry fits (max_peer_bytes is at least 1024). */
	return atomic_read(&t->peer_bytes[kcoap_dedup_peer_idx(t, &key->addr)]) >
	       (int)(READ_ONCE(d->max_peer_bytes) - KCOAP_DEDUP_CACHE_MIN);
}

/* Is the table at one of its limits, with @size bytes more to come? */
static bool kcoap_dedup_over(struct kcoap_dedup *d, struct kcoap_dedup_table *t,
			     unsigned int size)
{
	return atomic_read(&t->count) >= t->max_entries ||
	       atomic_long_read(&t->bytes) + size > READ_ONCE(d->max_bytes);
}

static enum kcoap_dedup_result
__kcoap_dedup_insert(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
		     u8 type, u32 now, u32 lifetime, const void *reply,
		     u16 reply_len, bool peer_limit)
{
	struct kcoap_dedup_table *t = rcu_dereference(d->tbl);
	unsigned int expired, evicted = 0, size;
	struct kcoap_dedup_entry *e, *old;
	struct kcoap_dedup_fifo *f;
	atomic_t *peer;
	u16 idx;

	if (unlikely(!t))
		return KCOAP_DEDUP_NOMEM;

	/* The peer's share first: over it, nothing else is touched. */
	size = kcoap_dedup_size(reply_len);
	idx = kcoap_dedup_peer_idx(t, &key->addr);
	peer = &t->peer_bytes[idx];
	if (atomic_add_return(size, peer) > READ_ONCE(d->max_peer_bytes) &&
	    peer_limit) {
		atomic_sub(size, peer);
		return KCOAP_DEDUP_PEER_LIMIT;
	}

	f = this_cpu_ptr(t->fifo);
	spin_lock(&f->lock);
	expired = kcoap_dedup_expire_fifo(t, f, now, KCOAP_DEDUP_EXPIRE_BATCH);
	spin_unlock(&f->lock);
	kcoap_dedup_count_stat(d, KCOAP_STAT_DEDUP_EXPIRED, expired);

	/*
	 * Each pop frees at least the smallest object, so a reply's worth is
	 * a bounded number of pops; the bound also stops a loop that other
	 * CPUs keep refilling.
	 */
	while (kcoap_dedup_over(d, t, size) &&
	       evicted < KCOAP_DEDUP_REPLY_POPS && kcoap_dedup_evict(t))
		evicted++;
	kcoap_dedup_count_stat(d, KCOAP_STAT_DEDUP_EVICTED, evicted);

	e = kcoap_dedup_over(d, t, size) ? NULL : kcoap_dedup_alloc(reply_len);
	if (!e) {
		atomic_sub(size, peer);
		return KCOAP_DEDUP_NOMEM;
	}
	e->key = *key;
	e->expires = now + lifetime;
	e->type = type;
	e->reply_len = reply_len;
	if (reply_len)
		memcpy(e->reply, reply, reply_len);

	old = rhashtable_lookup_get_insert_fast(&t->ht, &e->node, kcoap_dedup_params);
	if (old && !IS_ERR(old) && kcoap_time_reached(now, READ_ONCE(old->expires)) &&
	    !rhashtable_remove_fast(&t->ht, &old->node, kcoap_dedup_params)) {
		/* Expired but not yet popped: its FIFO frees it later. */
		kcoap_dedup_gone(t, old);
		old = rhashtable_lookup_get_insert_fast(&t->ht, &e->node,
							kcoap_dedup_params);
	}
	if (old) {
		atomic_sub(size, peer);
		kcoap_dedup_free_rcu(&e->rcu);
		return IS_ERR(old) ? KCOAP_DEDUP_NOMEM : KCOAP_DEDUP_RACED;
	}

	atomic_inc(&t->count);
	atomic_long_add(size, &t->bytes);
	spin_lock(&f->lock);
	e->next = NULL;
	if (f->tail)
		f->tail->next = e;
	else
		f->head = e;
	f->tail = e;
	spin_unlock(&f->lock);
	if (!delayed_work_pending(&t->gc))
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   KCOAP_DEDUP_GC_PERIOD);
	return KCOAP_DEDUP_INSERTED;
}

enum kcoap_dedup_result
kcoap_dedup_insert(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
		   u8 type, u32 now, u32 lifetime, const void *reply,
		   u16 reply_len)
{
	return __kcoap_dedup_insert(d, key, type, now, lifetime, reply,
				    reply_len, true);
}

void kcoap_dedup_complete(struct kcoap_dedup *d, const struct kcoap_dedup_key *key,
			  u32 now, const void *reply, u16 reply_len)
{
	struct kcoap_dedup_table *t = rcu_dereference(d->tbl);
	struct kcoap_dedup_entry *e;
	u32 left;

	if (unlikely(!t))
		return;
	e = rhashtable_lookup(&t->ht, key, kcoap_dedup_params);
	if (!e || !(e->type & KCOAP_DEDUP_PENDING) ||
	    kcoap_time_reached(now, READ_ONCE(e->expires)))
		return;
	left = READ_ONCE(e->expires) - now;
	/*
	 * Out of the table, but not of its FIFO, which frees it in its turn
	 * (as an expired entry replaced by a new one is); a new entry with
	 * the reply takes its place. The request was let in already: the
	 * peer's share does not keep its answer out.
	 */
	if (rhashtable_remove_fast(&t->ht, &e->node, kcoap_dedup_params))
		return;
	kcoap_dedup_gone(t, e);
	__kcoap_dedup_insert(d, key, e->type & ~(KCOAP_DEDUP_PENDING | KCOAP_DEDUP_GONE),
			     now, left, reply, reply_len, false);
}

static unsigned int kcoap_dedup_table_expire(struct kcoap_dedup_table *t, u32 now)
{
	struct kcoap_dedup_fifo *f;
	unsigned int n = 0;
	int cpu;

	unsigned int m;

	for_each_possible_cpu(cpu) {
		f = per_cpu_ptr(t->fifo, cpu);
		do {	/* BH off for a bounded batch at a time */
			spin_lock_bh(&f->lock);
			m = kcoap_dedup_expire_fifo(t, f, now, 256);
			spin_unlock_bh(&f->lock);
			n += m;
			cond_resched();
		} while (m == 256);
	}
	return n;
}

unsigned int kcoap_dedup_expire(struct kcoap_dedup *d, u32 now)
{
	struct kcoap_dedup_table *t = rcu_dereference_protected(d->tbl, true);
	unsigned int n;

	if (!t)
		return 0;
	n = kcoap_dedup_table_expire(t, now);
	local_bh_disable();
	kcoap_dedup_count_stat(d, KCOAP_STAT_DEDUP_EXPIRED, n);
	local_bh_enable();
	return n;
}

/* Expiry for CPUs that receive nothing more; runs while entries remain. */
static void kcoap_dedup_gc(struct work_struct *work)
{
	struct kcoap_dedup_table *t =
		container_of(to_delayed_work(work), struct kcoap_dedup_table, gc);
	unsigned int n = kcoap_dedup_table_expire(t, jiffies);

	local_bh_disable();
	kcoap_dedup_count_stat(t->owner, KCOAP_STAT_DEDUP_EXPIRED, n);
	local_bh_enable();
	if (atomic_read(&t->count))
		queue_delayed_work(system_power_efficient_wq, &t->gc,
				   KCOAP_DEDUP_GC_PERIOD);
}

static struct kcoap_dedup_table *
kcoap_dedup_table_new(struct kcoap_dedup *d, u32 max_entries)
{
	struct rhashtable_params params = kcoap_dedup_params;
	struct kcoap_dedup_table *t;
	int cpu;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	t->fifo = alloc_percpu_gfp(struct kcoap_dedup_fifo, GFP_KERNEL_ACCOUNT);
	if (!t->fifo)
		goto err;
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(t->fifo, cpu)->lock);
	/*
	 * At most 2 entries per bucket at the limit (rhashtable allows
	 * 2 * max_size): 4 bytes of bucket per entry instead of the 8 to 16
	 * that growing at 75% load would cost, for a chain of 1 to 2.
	 */
	params.max_size = roundup_pow_of_two(max_entries) / 2;
	if (rhashtable_init(&t->ht, &params))
		goto err;
	t->owner = d;
	t->max_entries = max_entries;
	get_random_bytes(&t->peer_key, sizeof(t->peer_key));
	INIT_DELAYED_WORK(&t->gc, kcoap_dedup_gc);
	return t;
err:
	free_percpu(t->fifo);
	kfree(t);
	return NULL;
}

/* No reader is left (after a grace period): free everything. */
static void kcoap_dedup_table_free(struct kcoap_dedup_table *t)
{
	struct kcoap_dedup_fifo *f;
	int cpu;

	cancel_delayed_work_sync(&t->gc);
	for_each_possible_cpu(cpu) {
		f = per_cpu_ptr(t->fifo, cpu);
		spin_lock_bh(&f->lock);
		while (f->head)
			kcoap_dedup_pop(t, f);
		spin_unlock_bh(&f->lock);
	}
	rhashtable_destroy(&t->ht);
	free_percpu(t->fifo);
	kfree(t);
}

int kcoap_dedup_init(struct kcoap_dedup *d, u32 max_entries)
{
	struct kcoap_dedup_table *t = kcoap_dedup_table_new(d, max_entries);

	if (!t)
		return -ENOMEM;
	RCU_INIT_POINTER(d->tbl, t);
	return 0;
}

void kcoap_dedup_destroy(struct kcoap_dedup *d)
{
	struct kcoap_dedup_table *t = rcu_dereference_protected(d->tbl, true);

	RCU_INIT_POINTER(d->tbl, NULL);
	if (t) {
		synchronize_rcu();
		kcoap_dedup_table_free(t);
	}
}

int kcoap_dedup_resize(struct kcoap_dedup *d, u32 max_entries)
{
	struct kcoap_dedup_table *t = kcoap_dedup_table_new(d, max_entries);
	struct kcoap_dedup_table *old;

	if (!t)
		return -ENOMEM;
	old = rcu_dereference_protected(d->tbl, true);
	rcu_assign_pointer(d->tbl, t);
	if (old) {
		synchronize_rcu();
		kcoap_dedup_table_free(old);
	}
	return 0;
}

u64 kcoap_dedup_count(struct kcoap_dedup *d)
{
	struct kcoap_dedup_table *t;
	u64 n = 0;

	rcu_read_lock();
	t = rcu_dereference(d->tbl);
	if (t)
		n = atomic_read(&t->count);
	rcu_read_unlock();
	return n;
}

u64 kcoap_dedup_bytes(struct kcoap_dedup *d)
{
	struct kcoap_dedup_table *t;
	u64 n = 0;

	rcu_read_lock();
	t = rcu_dereference(d->tbl);
	if (t)
		n = atomic_long_read(&t->bytes);
	rcu_read_unlock();
	return n;
}

unsigned int kcoap_dedup_snapshot(struct kcoap_dedup *d, u32 now,
				  struct kcoap_dedup_info *out, unsigned int max)
{
	struct kcoap_dedup_table *t = rcu_dereference_protected(d->tbl, true);
	const struct kcoap_dedup_entry *e;
	struct kcoap_dedup_fifo *f;
	unsigned int n = 0;
	int cpu;

	if (!t)
		return 0;
	for_each_possible_cpu(cpu) {
		f = per_cpu_ptr(t->fifo, cpu);
		spin_lock_bh(&f->lock);
		for (e = f->head; e && n < max; e = e->next) {
			if (kcoap_time_reached(now, e->expires) ||
			    (READ_ONCE(e->type) & KCOAP_DEDUP_GONE))
				continue;
			out[n].key = e->key;
			out[n].expires_ms = jiffies_to_msecs(e->expires - now);
			out[n].reply_len = e->reply_len;
			out[n].type = e->type & 3;	/* CON or NON */
			n++;
		}
		spin_unlock_bh(&f->lock);
	}
	return n;
}
