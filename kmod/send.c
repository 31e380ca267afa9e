// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Sending from softirq: route lookup, then udp_tunnel_xmit_skb() or
 * udp_tunnel6_xmit_skb() on the namespace's kernel socket (the pattern of
 * WireGuard's send4/send6). kernel_sendmsg() would need process context.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#endif

#include "kcoap.h"
#include "peer.h"
#include "dtls_path.h"

static struct sk_buff *kcoap_alloc_skb(struct dst_entry *dst, size_t hdr,
				       const void *buf, size_t len)
{
	unsigned int headroom = LL_RESERVED_SPACE(dst->dev) + dst->header_len +
				hdr + sizeof(struct udphdr);
	struct sk_buff *skb;

	skb = alloc_skb(headroom + len, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	skb_put_data(skb, buf, len);
	return skb;
}

static int kcoap_send4(struct kcoap_net *kn, struct socket *sock,
		       const struct kcoap_peer *p, const void *buf, size_t len)
{
	struct flowi4 fl4 = {
		.daddr = p->addr.v4,
		/* A multicast request is answered from a unicast address (§8.1). */
		.saddr = p->multicast ? 0 : p->local.v4,
		.flowi4_oif = p->multicast ? p->ifindex : 0,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_sport = p->local_port,
		.fl4_dport = p->port,
	};
	struct sk_buff *skb;
	struct rtable *rt;

	if (!sock)
		return -ENOTCONN;
	rt = ip_route_output_flow(kn->net, &fl4, sock->sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb = kcoap_alloc_skb(&rt->dst, sizeof(struct iphdr), buf, len);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	udp_tunnel_xmit_skb(rt, sock->sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl4.fl4_sport,
			    fl4.fl4_dport, false, false);
	return 0;
}

static int kcoap_send6(struct kcoap_net *kn, struct socket *sock,
		       const struct kcoap_peer *p, const void *buf, size_t len)
{
	struct flowi6 fl6 = {
		.daddr = p->addr.v6,
		.saddr = p->multicast ? in6addr_any : p->local.v6,
		.flowi6_oif = p->ifindex,
		.flowi6_proto = IPPROTO_UDP,
		.fl6_sport = p->local_port,
		.fl6_dport = p->port,
	};
	struct dst_entry *dst;
	struct sk_buff *skb;

	if (!sock)
		return -ENOTCONN;
	/* Only link-scoped peers need the interface the request came in on. */
	if (!(ipv6_addr_type(&fl6.daddr) & IPV6_ADDR_LINKLOCAL) && !p->multicast)
		fl6.flowi6_oif = 0;
	dst = ipv6_stub->ipv6_dst_lookup_flow(kn->net, sock->sk, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb = kcoap_alloc_skb(dst, sizeof(struct ipv6hdr), buf, len);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	udp_tunnel6_xmit_skb(dst, sock->sk, skb, NULL, &fl6.saddr, &fl6.daddr,
			     0, ip6_dst_hoplimit(dst), 0, fl6.fl6_sport,
			     fl6.fl6_dport, false);
	return 0;
}

int kcoap_xmit(struct kcoap_net *kn, const struct kcoap_peer *p,
	       const void *buf, size_t len, bool dtls)
{
	struct socket *sock;
	int err;

#if IS_ENABLED(CONFIG_KUNIT)
	/* The coaps suite catches what would be sent. */
	KUNIT_STATIC_STUB_REDIRECT(kcoap_xmit, kn, p, buf, len, dtls);
#endif
	/* Softirq callers hold it already; notifications come from process context. */
	rcu_read_lock();
	if (p->family == AF_INET6) {
		sock = dtls ? rcu_dereference(kn->dsock6) : rcu_dereference(kn->sock6);
		err = kcoap_send6(kn, sock, p, buf, len);
	} else {
		sock = dtls ? rcu_dereference(kn->dsock4) : rcu_dereference(kn->sock4);
		err = kcoap_send4(kn, sock, p, buf, len);
	}
	rcu_read_unlock();
	if (unlikely(err)) {
		kcoap_stat_inc(kn, KCOAP_STAT_TX_ERRORS);
		if (p->family == AF_INET6)
			net_dbg_ratelimited("cannot send to [%pI6c]:%u: %d\n",
					    &p->addr.v6, ntohs(p->port), err);
		else
			net_dbg_ratelimited("cannot send to %pI4:%u: %d\n",
					    &p->addr.v4, ntohs(p->port), err);
		return err;
	}
	kcoap_stat_inc(kn, KCOAP_STAT_TX_DATAGRAMS);
	kcoap_stat_add(kn, KCOAP_STAT_TX_BYTES, len);
	return 0;
}

/*
 * Send the CoAP message @buf to @p; softirq, or process context with BH
 * off. A peer of a DTLS session gets it sealed, as a record of that session
 * (dtls_send.c).
 */
int kcoap_send(struct kcoap_net *kn, const struct kcoap_peer *p,
	       const void *buf, size_t len)
{
#if IS_ENABLED(CONFIG_KUNIT)
	/* A suite may catch what would be sent (observe.c's does). */
	KUNIT_STATIC_STUB_REDIRECT(kcoap_send, kn, p, buf, len);
#endif
	if (unlikely(p->session))
		return kcoap_dtls_send(kn, p, buf, len);
	return kcoap_xmit(kn, p, buf, len, false);
}
