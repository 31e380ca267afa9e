// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The bounded peer table of peertab.h. Lookups walk one bucket under RCU;
 * writers (an insert from softirq, the collector from a worker) take the
 * table's lock with BH off. The collector is armed by an insert and stops
 * rearming itself when the table is empty, so an idle namespace costs no
 * wakeups.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "peertab.h"

static struct hlist_head *kcoap_peertab_bucket(struct kcoap_peertab *t,
					       const struct in6_addr *addr)
{
	u64 h = siphash(addr, sizeof(*addr), &t->key);

	return &t->buckets[h & ((1U << KCOAP_PEERTAB_BITS) - 1)];
}

struct kcoap_peerent *kcoap_peertab_lookup(struct kcoap_peertab *t,
					   const struct in6_addr *addr)
{
	struct kcoap_peerent *e;

	hlist_for_each_entry_rcu(e, kcoap_peertab_bucket(t, addr), node)
		if (ipv6_addr_equal(&e->addr, addr))
			return time_before(jiffies, READ_ONCE(e->expires)) ? e : NULL;
	return NULL;
}

struct kcoap_peerent *kcoap_peertab_add(struct kcoap_peertab *t,
					const struct in6_addr *addr, u32 max,
					unsigned long expires, bool *added,
					void (*init)(struct kcoap_peerent *e, void *arg),
					void *arg)
{
	struct hlist_head *head = kcoap_peertab_bucket(t, addr);
	struct kcoap_peerent *e;

	*added = false;
	spin_lock(&t->lock);
	hlist_for_each_entry(e, head, node)
		if (ipv6_addr_equal(&e->addr, addr))
			goto out;	/* live or not yet collected: reused */
	e = NULL;
	if (t->count >= max)
		goto out;
	e = kzalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	if (!e)
		goto out;
	e->addr = *addr;
	e->expires = expires;
	spin_lock_init(&e->lock);
	if (init)
		init(e, arg);
	hlist_add_head_rcu(&e->node, head);
	if (!t->count++)
		mod_delayed_work(system_wq, &t->gc, HZ);
	*added = true;
out:
	spin_unlock(&t->lock);
	return e;
}

u32 kcoap_peertab_count(struct kcoap_peertab *t)
{
	return READ_ONCE(t->count);
}

void kcoap_peertab_collect(struct kcoap_peertab *t)
{
	struct kcoap_peerent *e;
	struct hlist_node *tmp;
	unsigned long now = jiffies;
	u32 i;

	for (i = 0; i < 1U << KCOAP_PEERTAB_BITS; i++) {
		spin_lock_bh(&t->lock);
		hlist_for_each_entry_safe(e, tmp, &t->buckets[i], node) {
			if (time_before(now, READ_ONCE(e->expires)))
				continue;
			hlist_del_rcu(&e->node);
			t->count--;
			kfree_rcu(e, rcu);
		}
		spin_unlock_bh(&t->lock);
	}
}

static void kcoap_peertab_gc(struct work_struct *work)
{
	struct kcoap_peertab *t = container_of(to_delayed_work(work),
					       struct kcoap_peertab, gc);

	kcoap_peertab_collect(t);
	if (READ_ONCE(t->count))
		schedule_delayed_work(&t->gc, HZ);
}

int kcoap_peertab_init(struct kcoap_peertab *t)
{
	t->buckets = kvcalloc(1U << KCOAP_PEERTAB_BITS, sizeof(*t->buckets),
			      GFP_KERNEL_ACCOUNT);
	if (!t->buckets)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	t->count = 0;
	get_random_bytes(&t->key, sizeof(t->key));
	INIT_DELAYED_WORK(&t->gc, kcoap_peertab_gc);
	return 0;
}

/* Nothing reads or inserts any more (the sockets are closed). */
void kcoap_peertab_destroy(struct kcoap_peertab *t)
{
	struct kcoap_peerent *e;
	struct hlist_node *tmp;
	u32 i;

	if (!t->buckets)
		return;
	cancel_delayed_work_sync(&t->gc);
	for (i = 0; i < 1U << KCOAP_PEERTAB_BITS; i++)
		hlist_for_each_entry_safe(e, tmp, &t->buckets[i], node) {
			hlist_del_rcu(&e->node);
			kfree_rcu(e, rcu);
		}
	t->count = 0;
	kvfree(t->buckets);
	t->buckets = NULL;
}
