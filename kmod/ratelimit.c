// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A token bucket per source: per address for IPv4, per /64 for IPv6 (one
 * host usually holds a whole /64), in the bounded peer table. Tokens are
 * kept in nanoseconds, as WireGuard's handshake ratelimiter does: a
 * datagram costs NSEC_PER_SEC / ratelimit-rate, the bucket holds
 * ratelimit-burst of them. A source idle long enough to have refilled its
 * bucket is forgotten by the collector.
 *
 * What is over budget is dropped before it is parsed. A new source that
 * finds the table full is dropped too, unless its address is verified:
 * spoofed sources that fill the table cannot lock out known clients.
 * Datagrams that came over the loopback device are not limited.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>

#include "kcoap.h"
#include "validate.h"

struct kcoap_rl_new {
	u64 now;
	u64 cap;
	u64 cost;
};

static void kcoap_rl_init(struct kcoap_peerent *e, void *arg)
{
	const struct kcoap_rl_new *n = arg;

	e->last = n->now;
	e->tokens = n->cap - n->cost;	/* this datagram */
}

static unsigned long kcoap_rl_expires(u32 rate, u32 burst)
{
	return jiffies + HZ + div_u64((u64)burst * HZ, rate);
}

bool kcoap_ratelimit(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	u32 rate = READ_ONCE(kn->cfg.rl_rate);
	u32 burst = READ_ONCE(kn->cfg.rl_burst);
	struct kcoap_rl_new n;
	struct kcoap_peerent *e;
	struct in6_addr a;
	bool ok, added;

	if (!rate || kcoap_peer_local(p))
		return true;
	if (p->family == AF_INET6) {
		a = p->addr.v6;
		a.s6_addr32[2] = 0;	/* the /64 */
		a.s6_addr32[3] = 0;
	} else {
		ipv6_addr_set_v4mapped(p->addr.v4, &a);
	}
	n.now = ktime_get_coarse_boottime_ns();
	n.cost = NSEC_PER_SEC / rate;
	n.cap = n.cost * max(burst, 1U);

	e = kcoap_peertab_lookup(&kn->val.buckets, &a);
	if (!e) {
		e = kcoap_peertab_add(&kn->val.buckets, &a, READ_ONCE(kn->cfg.rl_max),
				      kcoap_rl_expires(rate, burst), &added,
				      kcoap_rl_init, &n);
		if (!e) {
			if (kcoap_peer_verified(kn, p))
				return true;
			kcoap_stat_inc(kn, KCOAP_STAT_RATELIMIT_FULL);
			return false;
		}
		if (added)
			return true;
	}
	spin_lock(&e->lock);
	e->tokens = min(e->tokens + (n.now - min(e->last, n.now)), n.cap);
	e->last = n.now;
	ok = e->tokens >= n.cost;
	if (ok)
		e->tokens -= n.cost;
	WRITE_ONCE(e->expires, kcoap_rl_expires(rate, burst));
	spin_unlock(&e->lock);
	if (!ok)
		kcoap_stat_inc(kn, KCOAP_STAT_RATELIMITED);
	return ok;
}
