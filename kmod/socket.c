// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The kernel UDP sockets, one IPv4 and one IPv6 per network namespace for
 * coap and as many for coaps (RFC 7252 §6.2, dtls-port), and the
 * encapsulation receive hooks that hand datagrams to receive.c and
 * dtls_receive.c: each kind of socket has its own, so the plain path does
 * not even test a port. This is the only file that knows the socket API.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include "kcoap.h"
#include "dtls_path.h"

/*
 * Runs in softirq under rcu_read_lock(), after UDP checksum validation, with
 * skb->data at the UDP header, possibly on several CPUs at once. Returning 0
 * tells UDP the skb is consumed.
 */
static int kcoap_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct kcoap_net *kn = rcu_dereference_sk_user_data(sk);

	/* The socket is being released: its namespace state may be gone. */
	if (unlikely(!kn)) {
		kfree_skb(skb);
		return 0;
	}
	kcoap_receive(kn, skb);
	return 0;
}

/* The same, for a coaps socket. */
static int kcoap_dtls_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct kcoap_net *kn = rcu_dereference_sk_user_data(sk);

	if (unlikely(!kn)) {
		kfree_skb(skb);
		return 0;
	}
	kcoap_dtls_receive(kn, skb);
	return 0;
}

/*
 * An ICMP error about a datagram we sent (softirq, under RCU), with
 * skb->data at the quoted IP header. Linux 6.2 changed the arguments
 * (Kbuild tells which the headers have).
 */
#ifdef KCOAP_ERR_RCV_PAYLOAD
static void kcoap_encap_err_rcv(struct sock *sk, struct sk_buff *skb, int err,
				__be16 port, u32 info, u8 *payload)
{
	/* @payload is just past the quoted UDP header. */
	kcoap_icmp_error(sk, skb, payload - sizeof(struct udphdr) - skb->data);
}
#else
static void kcoap_encap_err_rcv(struct sock *sk, struct sk_buff *skb,
				unsigned int udp_offset)
{
	kcoap_icmp_error(sk, skb, udp_offset);
}
#endif

static int kcoap_sock_create(struct kcoap_net *kn, int family, u16 port,
			     bool dtls, struct socket **sockp)
{
	struct udp_port_cfg port_cfg = {
		.family = family,
		.local_udp_port = htons(port),
	};
	/*
	 * An ICMP error about a DTLS record quotes no CoAP Message ID: the
	 * coaps sockets let them be (a session ends by expiry).
	 */
	struct udp_tunnel_sock_cfg tunnel_cfg = {
		.sk_user_data = kn,
		.encap_type = 1,
		.encap_rcv = dtls ? kcoap_dtls_encap_rcv : kcoap_encap_rcv,
		.encap_err_rcv = dtls ? NULL : kcoap_encap_err_rcv,
	};
	struct socket *sock;
	int err;

	if (family == AF_INET6) {
		/* Separate v4 and v6 sockets, so each sees its own family. */
		port_cfg.ipv6_v6only = 1;
		port_cfg.use_udp6_tx_checksums = 1;
		port_cfg.use_udp6_rx_checksums = 1;
	} else {
		port_cfg.local_ip.s_addr = htonl(INADDR_ANY);
		port_cfg.use_udp_checksums = 1;
	}
	err = udp_sock_create(kn->net, &port_cfg, &sock);
	if (err)
		return err;
	setup_udp_tunnel_sock(kn->net, sock, &tunnel_cfg);
	*sockp = sock;
	return 0;
}

/* A pair of sockets on @port: IPv4, and IPv6 unless it is disabled. */
static int kcoap_sock_pair(struct kcoap_net *kn, u16 port, bool dtls,
			   struct socket **sock4, struct socket **sock6)
{
	const char *what = dtls ? "coaps" : "UDP";
	int err;

	err = kcoap_sock_create(kn, AF_INET, port, dtls, sock4);
	if (err) {
		pr_err("cannot open %s port %u (IPv4): error %d\n", what, port, err);
		return err;
	}
	err = kcoap_sock_create(kn, AF_INET6, port, dtls, sock6);
	if (err == -EAFNOSUPPORT) {
		/* IPv6 disabled at boot (ipv6.disable=1): serve IPv4 only. */
		if (!dtls)
			pr_info("IPv6 unavailable, serving IPv4 only\n");
		*sock6 = NULL;
	} else if (err) {
		pr_err("cannot open %s port %u (IPv6): error %d\n", what, port, err);
		udp_tunnel_sock_release(*sock4);
		return err;
	}
	return 0;
}

int kcoap_socket_open(struct kcoap_net *kn)
{
	struct socket *sock4, *sock6;
	int err;

	err = kcoap_sock_pair(kn, kn->cfg.port, false, &sock4, &sock6);
	if (err)
		return err;
	rcu_assign_pointer(kn->sock4, sock4);
	rcu_assign_pointer(kn->sock6, sock6);
	return 0;
}

int kcoap_dtls_socket_open(struct kcoap_net *kn)
{
	struct socket *sock4, *sock6;
	int err;

	if (!kn->cfg.dtls_port)
		return 0;
	err = kcoap_sock_pair(kn, kn->cfg.dtls_port, true, &sock4, &sock6);
	if (err)
		return err;
	rcu_assign_pointer(kn->dsock4, sock4);
	rcu_assign_pointer(kn->dsock6, sock6);
	return 0;
}

/*
 * Writers of the socket pointers hold kn->lock (endpoint-add and -del,
 * config-set), or are the namespace's exit, when nothing else runs.
 */
#define kcoap_sock_owned(p) rcu_dereference_protected(p, true)

static void kcoap_sock_release(struct socket *sock)
{
	kernel_sock_shutdown(sock, SHUT_RDWR);
	sock_release(sock);
}

/* Take @p's socket out (kn->lock held): no new encap_rcv finds kn in it. */
static struct socket *kcoap_sock_take(struct socket __rcu **p)
{
	struct socket *sock = kcoap_sock_owned(*p);

	RCU_INIT_POINTER(*p, NULL);
	if (sock)
		rcu_assign_sk_user_data(sock->sk, NULL);
	return sock;
}

/*
 * What udp_tunnel_sock_release() does, with one grace period for all the
 * sockets rather than one each: once it has passed, no encap_rcv still
 * holds kn.
 */
static void kcoap_socks_release(struct socket **sock, unsigned int n)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++)
		any |= !!sock[i];
	if (!any)
		return;
	synchronize_rcu();
	for (i = 0; i < n; i++)
		if (sock[i])
			kcoap_sock_release(sock[i]);
}

/* The coap sockets, and the coaps ones with them if @dtls. */
void kcoap_socket_close(struct kcoap_net *kn, bool dtls)
{
	struct socket *sock[4] = {
		kcoap_sock_take(&kn->sock6), kcoap_sock_take(&kn->sock4),
	};

	if (dtls) {
		sock[2] = kcoap_sock_take(&kn->dsock6);
		sock[3] = kcoap_sock_take(&kn->dsock4);
	}
	kcoap_socks_release(sock, ARRAY_SIZE(sock));
}

void kcoap_dtls_socket_close(struct kcoap_net *kn)
{
	struct socket *sock[2] = {
		kcoap_sock_take(&kn->dsock6), kcoap_sock_take(&kn->dsock4),
	};

	kcoap_socks_release(sock, ARRAY_SIZE(sock));
}
