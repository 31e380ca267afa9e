// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Message IDs of the messages the kernel originates: NON responses,
 * separate responses, notifications (RFC 7252 §4.4). A Message ID must not
 * come back towards one peer within EXCHANGE_LIFETIME, and a third party
 * must not be able to guess the IDs another client gets (a spoofed RST
 * with the right ID cancels an observation, RFC 7641 §3.6).
 *
 * Each namespace has KCOAP_MID_BUCKETS counters, each starting at a random
 * value; a peer (address and port) uses the counter that a keyed hash of
 * it picks. Nobody outside learns the key, so nobody can tell which
 * counter another peer uses, nor read it. A peer sees an ID again only
 * after 65536 messages went out through its counter, which it shares
 * with 1/KCOAP_MID_BUCKETS of the other peers: at up to 265 messages a
 * second per counter (65536 in 247 s), that is over a quarter of a million
 * a second for the namespace with the peers spread evenly. Requests do not
 * take IDs: a piggybacked answer carries the request's.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "kcoap.h"
#include "peer.h"

#define KCOAP_MID_BUCKETS	1024

struct kcoap_mids {
	siphash_key_t key;
	atomic_t next[KCOAP_MID_BUCKETS];
};

int kcoap_mid_init(struct kcoap_net *kn)
{
	struct kcoap_mids *m = kmalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	int i;

	if (!m)
		return -ENOMEM;
	get_random_bytes(&m->key, sizeof(m->key));
	for (i = 0; i < KCOAP_MID_BUCKETS; i++)
		atomic_set(&m->next[i], get_random_u32());
	kn->mids = m;
	return 0;
}

void kcoap_mid_exit(struct kcoap_net *kn)
{
	kfree(kn->mids);
	kn->mids = NULL;
}

u16 kcoap_new_mid(struct kcoap_net *kn, const struct kcoap_peer *p)
{
	struct kcoap_mids *m = kn->mids;
	struct kcoap_dedup_key k;
	u32 h;

	kcoap_peer_key(&k, p, 0);
	h = siphash(&k, sizeof(k), &m->key);
	return (u16)atomic_inc_return(&m->next[h % KCOAP_MID_BUCKETS]);
}
