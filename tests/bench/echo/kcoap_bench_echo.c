// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoap_bench_echo.ko: the ceiling for kcoap's answers on this machine. A
 * kernel UDP socket with an encap_rcv hook, like kmod/socket.c, that sends
 * every datagram back to where it came from the way kmod/send.c answers:
 * route lookup, a fresh skb, udp_tunnel_xmit_skb(). No CoAP at all.
 *
 *   insmod kcoap_bench_echo.ko port=5686      (IPv4, initial namespace)
 */
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

static ushort port = 5686;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "UDP port to echo on (default 5686)");

static struct socket *echo_sock;

static void echo_send(struct sock *sk, __be32 saddr, __be32 daddr,
		      __be16 sport, __be16 dport, const void *buf,
		      unsigned int len)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_sport = sport,
		.fl4_dport = dport,
	};
	unsigned int headroom;
	struct sk_buff *skb;
	struct rtable *rt;

	rt = ip_route_output_flow(sock_net(sk), &fl4, sk);
	if (IS_ERR(rt))
		return;
	headroom = LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
		   sizeof(struct iphdr) + sizeof(struct udphdr);
	skb = alloc_skb(headroom + len, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_reserve(skb, headroom);
	skb_put_data(skb, buf, len);
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, sport, dport,
			    false, false);
}

/* Softirq, under RCU, skb->data at the UDP header (see kmod/socket.c). */
static int echo_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct udphdr *uh;
	const struct iphdr *iph;

	if (skb_linearize(skb))
		goto out;
	uh = udp_hdr(skb);
	iph = ip_hdr(skb);
	echo_send(sk, iph->daddr, iph->saddr, uh->dest, uh->source,
		  skb->data + sizeof(*uh), skb->len - sizeof(*uh));
out:
	kfree_skb(skb);
	return 0;
}

static int __init echo_init(void)
{
	struct udp_port_cfg port_cfg = {
		.family = AF_INET,
		.local_ip.s_addr = htonl(INADDR_ANY),
		.local_udp_port = htons(port),
		.use_udp_checksums = 1,
	};
	struct udp_tunnel_sock_cfg tunnel_cfg = {
		.encap_type = 1,
		.encap_rcv = echo_encap_rcv,
	};
	int err;

	err = udp_sock_create(&init_net, &port_cfg, &echo_sock);
	if (err)
		return err;
	setup_udp_tunnel_sock(&init_net, echo_sock, &tunnel_cfg);
	return 0;
}

static void __exit echo_exit(void)
{
	udp_tunnel_sock_release(echo_sock);
}

module_init(echo_init);
module_exit(echo_exit);
MODULE_DESCRIPTION("kcoap benchmark: in-kernel UDP echo on an encap_rcv socket");
MODULE_AUTHOR("The kcoap authors");
MODULE_LICENSE("GPL");
