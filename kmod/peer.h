/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The two ends of a received datagram, read once from its headers.
 */
#ifndef _KCOAP_PEER_H
#define _KCOAP_PEER_H

#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "dedup.h"

struct kcoap_peer {
	union {
		__be32 v4;
		struct in6_addr v6;
	} addr, local;			/* the peer's, and ours it wrote to */
	__be16 port;
	__be16 local_port;
	int ifindex;			/* where it came in */
	u8 family;
	bool multicast;			/* sent to a multicast group */
	u32 session;			/* DTLS session id (dtls.h); 0: plain */
};

/* @skb is at the UDP header, as encap_rcv gets it. */
static inline void kcoap_peer_from_skb(struct kcoap_peer *p,
				       const struct sk_buff *skb)
{
	const struct udphdr *uh = udp_hdr(skb);

	p->port = uh->source;
	p->local_port = uh->dest;
	p->ifindex = skb->skb_iif;
	p->session = 0;
	if (skb->protocol == htons(ETH_P_IPV6)) {
		p->family = AF_INET6;
		p->addr.v6 = ipv6_hdr(skb)->saddr;
		p->local.v6 = ipv6_hdr(skb)->daddr;
		p->multicast = ipv6_addr_is_multicast(&p->local.v6);
	} else {
		p->family = AF_INET;
		p->addr.v4 = ip_hdr(skb)->saddr;
		p->local.v4 = ip_hdr(skb)->daddr;
		p->multicast = ipv4_is_multicast(p->local.v4);
	}
}

static inline void kcoap_peer_key(struct kcoap_dedup_key *key,
				  const struct kcoap_peer *p, u16 mid)
{
	if (p->family == AF_INET6)
		key->addr = p->addr.v6;
	else
		ipv6_addr_set_v4mapped(p->addr.v4, &key->addr);
	key->port = p->port;
	key->mid = mid;
	key->session = p->session;
}

/* send.c */
int kcoap_send(struct kcoap_net *kn, const struct kcoap_peer *p,
	       const void *buf, size_t len);
/* The datagram @buf as it is, from the coap or (@dtls) the coaps socket. */
int kcoap_xmit(struct kcoap_net *kn, const struct kcoap_peer *p,
	       const void *buf, size_t len, bool dtls);
/* receive.c: an empty ACK or RST echoing @mid, counted. */
void kcoap_send_empty(struct kcoap_net *kn, const struct kcoap_peer *p,
		      u8 type, u16 mid);

#endif /* _KCOAP_PEER_H */
