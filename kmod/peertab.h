/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A bounded table of peer addresses, read under RCU on the hot path: the
 * verified peers (validate.c) and the per-source token buckets
 * (ratelimit.c). A fixed array of buckets, entries of one small size from
 * GFP_ATOMIC, at most a settable number of them; each entry has a time
 * after which a periodic collector frees it.
 */
#ifndef _KCOAP_PEERTAB_H
#define _KCOAP_PEERTAB_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define KCOAP_PEERTAB_BITS	10	/* 1024 buckets: 8 KiB */

struct kcoap_peerent {
	struct hlist_node node;
	struct rcu_head rcu;
	struct in6_addr addr;
	unsigned long expires;		/* jiffies; WRITE_ONCE/READ_ONCE */
	spinlock_t lock;		/* tokens and last */
	u64 tokens;			/* ratelimit.c: ns of credit */
	u64 last;			/* ratelimit.c: ns of the last refill */
};

struct kcoap_peertab {
	struct hlist_head *buckets;
	spinlock_t lock;		/* writers */
	u32 count;			/* under lock */
	siphash_key_t key;
	struct delayed_work gc;
};

int kcoap_peertab_init(struct kcoap_peertab *t);
void kcoap_peertab_destroy(struct kcoap_peertab *t);

/* Under RCU: the live entry for @addr, or NULL. */
struct kcoap_peerent *kcoap_peertab_lookup(struct kcoap_peertab *t,
					   const struct in6_addr *addr);
/*
 * Softirq or BH off: the entry for @addr, added with expiry @expires if it
 * was not there and the table has fewer than @max entries (*@added true);
 * NULL if full or out of memory. Under RCU; @init runs on a new entry
 * before anyone can see it.
 */
struct kcoap_peerent *kcoap_peertab_add(struct kcoap_peertab *t,
					const struct in6_addr *addr, u32 max,
					unsigned long expires, bool *added,
					void (*init)(struct kcoap_peerent *e, void *arg),
					void *arg);
u32 kcoap_peertab_count(struct kcoap_peertab *t);
/* Free every entry past its time now (the collector runs every second). */
void kcoap_peertab_collect(struct kcoap_peertab *t);

#endif /* _KCOAP_PEERTAB_H */
