/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * State shared by the module's files: one struct kcoap_net per network
 * namespace, reached from the UDP sockets' sk_user_data on the hot path.
 */
#ifndef _KCOAP_H
#define _KCOAP_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "stats.h"

/* RFC 7252 §6.1: the default port for the "coap" scheme. */
#define KCOAP_DEFAULT_PORT 5683

struct kcoap_net {
	struct net *net;
	u16 port;
	struct socket __rcu *sock4;
	struct socket __rcu *sock6;
	struct kcoap_pcpu_stats __percpu *stats;
};

extern unsigned int kcoap_net_id;

/* socket.c */
int kcoap_socket_open(struct kcoap_net *kn);
void kcoap_socket_close(struct kcoap_net *kn);

/* receive.c: called from the encap hook in softirq, consumes skb. */
void kcoap_receive(struct kcoap_net *kn, struct sk_buff *skb);

#endif /* _KCOAP_H */
