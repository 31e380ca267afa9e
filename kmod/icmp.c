// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * ICMP errors about what the kernel sent. UDP hands a tunnel socket's
 * errors to encap_err_rcv (socket.c) instead of its error queue; here a
 * destination unreachable ends the observation it is about: nobody is
 * listening there any more, and notifications to it only load the network
 * (RFC 7641 §4.5 lets the server remove such an observer).
 *
 * Anyone can send an ICMP error, so it counts only if it quotes the CoAP
 * header of the latest notification to an observer at that address and
 * port: its Message ID is not predictable from outside (mid.c). Quotes too short to
 * hold it (an IPv4 router needs to quote only 8 bytes past the IP header,
 * RFC 792) are ignored; hosts quote what we sent (RFC 1812 §4.3.2.3,
 * RFC 4443 §3.1), and the observer is then removed by the CON it no
 * longer acknowledges, as before.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "kcoap.h"
#include "coap.h"
#include "observe.h"

/* Does the error say nobody is there (network, host or port)? */
static bool kcoap_icmp_unreachable(const struct sk_buff *skb, int family)
{
	if (family == AF_INET) {
		const struct icmphdr *ih = icmp_hdr(skb);

		return ih->type == ICMP_DEST_UNREACH &&
		       (ih->code == ICMP_NET_UNREACH || ih->code == ICMP_HOST_UNREACH ||
			ih->code == ICMP_PROT_UNREACH || ih->code == ICMP_PORT_UNREACH);
	}
	if (icmp6_hdr(skb)->icmp6_type != ICMPV6_DEST_UNREACH)
		return false;
	switch (icmp6_hdr(skb)->icmp6_code) {
	case ICMPV6_NOROUTE:
	case ICMPV6_ADDR_UNREACH:
	case ICMPV6_PORT_UNREACH:
		return true;
	default:
		return false;
	}
}

void kcoap_icmp_error(struct sock *sk, struct sk_buff *skb, unsigned int udp_off)
{
	struct kcoap_net *kn = rcu_dereference_sk_user_data(sk);
	const struct udphdr *uh;
	struct udphdr uh_buf;
	struct in6_addr addr;
	u8 hdr[COAP_HDR_LEN];
	const u8 *coap;

	if (!kn || !kcoap_icmp_unreachable(skb, sk->sk_family))
		return;
	/* skb->data is at the quoted IP header, the datagram we sent. */
	if (sk->sk_family == AF_INET)
		ipv6_addr_set_v4mapped(((const struct iphdr *)skb->data)->daddr, &addr);
	else
		addr = ((const struct ipv6hdr *)skb->data)->daddr;
	uh = skb_header_pointer(skb, udp_off, sizeof(uh_buf), &uh_buf);
	coap = skb_header_pointer(skb, udp_off + sizeof(*uh), sizeof(hdr), hdr);
	if (!uh || !coap)
		return;
	kcoap_obs_unreachable(kn, &addr, uh->dest, (coap[2] << 8) | coap[3]);
}
