// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The receive path, called from the encap hook in softirq. For now it only
 * counts what arrives.
 */
#include <linux/udp.h>

#include "kcoap.h"

void kcoap_receive(struct kcoap_net *kn, struct sk_buff *skb)
{
	kcoap_stat_inc(kn, KCOAP_STAT_RX_DATAGRAMS);
	kcoap_stat_add(kn, KCOAP_STAT_RX_BYTES, skb->len - sizeof(struct udphdr));
	if (skb->protocol == htons(ETH_P_IPV6))
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV6);
	else
		kcoap_stat_inc(kn, KCOAP_STAT_RX_IPV4);
	consume_skb(skb);
}
