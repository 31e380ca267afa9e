/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Observe (RFC 7641): observers of the namespace's resources, their
 * notifications and the retransmission of the confirmable ones.
 */
#ifndef _KCOAP_OBSERVE_H
#define _KCOAP_OBSERVE_H

#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "coap.h"

/* Per namespace. */
struct kcoap_observe {
	spinlock_t lock;		/* the tables, the lists, the counts */
	struct rhashtable by_token;	/* (peer, token): the observation */
	struct rhltable by_mid;		/* (peer, MID of its last notification) */
	struct rhashtable by_peer;	/* address or /64: its observers */
	u32 count;
	atomic_t live;			/* observers not yet freed */
};

/*
 * Per resource: its observers, and how many times it changed, where a new
 * observer's sequence numbers start (each observer has its own after
 * that, RFC 7641 §4.4, so registrations do not move others').
 */
struct kcoap_res_obs {
	struct list_head list;
	u32 count;
	u32 seq;
	bool dead;			/* ended: no registrations until notified */
};

/* One observer as kcoap_obs_snapshot() reports it. */
struct kcoap_obs_info {
	struct in6_addr addr;
	__be16 port;
	u8 tkl;
	u8 token[COAP_MAX_TOKEN];
	bool con_pending;
	int ct;
	u32 seq;
	u32 res_id;
};

struct kcoap_net;
struct kcoap_peer;
struct kcoap_resource;

int kcoap_obs_init(struct kcoap_net *kn);
void kcoap_obs_destroy(struct kcoap_net *kn);

/*
 * Softirq: register @peer's observation of @res with the token of @req
 * (replacing one with the same peer and token, RFC 7641 §4.1), for format
 * @ct (-1: any) in blocks of at most @szx; *seq is the Observe value to
 * answer with. -ENOSPC at the observer limits.
 */
int kcoap_obs_register(struct kcoap_net *kn, struct kcoap_resource *res,
		       const struct kcoap_peer *peer, const struct coap_msg *req,
		       int ct, u8 szx, u32 *seq);
/* Softirq: GET with Observe 1 (§3.6). */
void kcoap_obs_deregister(struct kcoap_net *kn, const struct kcoap_peer *peer,
			  const struct coap_msg *req);
/*
 * Softirq, under RCU: an ICMP destination unreachable quoting our message
 * @mid to @addr (v4-mapped for IPv4) and @port. The observer whose latest
 * notification that was ends (RFC 7641 §4.5: the client is gone); one
 * that only claims to be about us, with another Message ID, does nothing.
 * Each of a peer's observers ends with the error its own notification
 * draws.
 */
void kcoap_obs_unreachable(struct kcoap_net *kn, const struct in6_addr *addr,
			   __be16 port, u16 mid);
/* Softirq: an empty ACK or RST; true if it was for a notification. */
bool kcoap_obs_ack(struct kcoap_net *kn, const struct kcoap_peer *peer, u16 mid);
/*
 * Softirq: @peer, not verified, just registered with @req: its first
 * notification goes out now as CON in blocks its credit allows, and the
 * ACK verifies it (RFC 7641 §4.2, RFC 9175 §2.4).
 */
void kcoap_obs_first(struct kcoap_net *kn, const struct kcoap_peer *peer,
		     const struct coap_msg *req);
bool kcoap_obs_rst(struct kcoap_net *kn, const struct kcoap_peer *peer, u16 mid);

/* Process context, kcoap_net.lock held: the resource changed. */
void kcoap_obs_notify(struct kcoap_net *kn, struct kcoap_resource *res);
/*
 * Process context, kcoap_net.lock held: end the resource's observations,
 * with 4.04 if it is @gone, else with its representation without Observe.
 */
void kcoap_obs_end(struct kcoap_net *kn, struct kcoap_resource *res, bool gone);

unsigned int kcoap_obs_snapshot(struct kcoap_net *kn, struct kcoap_obs_info *out,
				unsigned int max);

/* The Observe value of sequence number @seq: 24 bits that wrap (§4.4). */
static inline u32 kcoap_obs_value(u32 seq)
{
	return seq & 0xffffff;
}

#endif /* _KCOAP_OBSERVE_H */
