// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Multicast discovery (RFC 7252 §8, §12.8): when enabled, the namespace's
 * sockets join the All-CoAP-Nodes groups on every interface that is up,
 * and on interfaces that come up later.
 *
 * Locking: joining needs RTNL, and releasing a socket that has joined
 * takes RTNL by itself, so sockets must never be closed under RTNL. The
 * order is therefore kcoap_net.lock, then RTNL; the netdevice notifier,
 * which runs under RTNL, only schedules the work below.
 */
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ipv6_stubs.h>

#include "kcoap.h"

/* 224.0.1.187, ff02::fd and ff05::fd (RFC 7252 §12.8). */
static const struct in6_addr kcoap_mc6[] = {
	{ { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd } } },
	{ { { 0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd } } },
};

#define KCOAP_MC4 htonl(0xe00001bb)

static void kcoap_mcast_dev(struct kcoap_net *kn, struct net_device *dev,
			    bool join)
{
	struct socket *sock4 = rcu_dereference_protected(kn->sock4, true);
	struct socket *sock6 = rcu_dereference_protected(kn->sock6, true);
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = KCOAP_MC4,
		.imr_ifindex = dev->ifindex,
	};
	int i, err;

	ASSERT_RTNL();
	if (sock4 && __in_dev_get_rtnl(dev)) {
		lock_sock(sock4->sk);
		err = join ? ip_mc_join_group(sock4->sk, &mreq) :
			     ip_mc_leave_group(sock4->sk, &mreq);
		release_sock(sock4->sk);
		if (join && err && err != -EADDRINUSE)
			pr_debug("cannot join 224.0.1.187 on %s: %d\n", dev->name, err);
	}
	for (i = 0; sock6 && i < ARRAY_SIZE(kcoap_mc6); i++) {
		lock_sock(sock6->sk);
		err = join ? ipv6_stub->ipv6_sock_mc_join(sock6->sk, dev->ifindex,
							  &kcoap_mc6[i]) :
			     ipv6_stub->ipv6_sock_mc_drop(sock6->sk, dev->ifindex,
							  &kcoap_mc6[i]);
		release_sock(sock6->sk);
		if (join && err && err != -EADDRINUSE)
			pr_debug("cannot join %pI6c on %s: %d\n", &kcoap_mc6[i],
				 dev->name, err);
	}
}

/* Join on every interface that is up, or leave everywhere; kn->lock held. */
void kcoap_mcast_update(struct kcoap_net *kn)
{
	bool on = kn->cfg.multicast;
	struct net_device *dev;

	lockdep_assert_held(&kn->lock);
	rtnl_lock();
	for_each_netdev(kn->net, dev) {
		if (!(dev->flags & IFF_MULTICAST))
			continue;
		if (!on || (dev->flags & IFF_UP))
			kcoap_mcast_dev(kn, dev, on);
	}
	rtnl_unlock();
}

static void kcoap_mcast_work(struct work_struct *work)
{
	struct kcoap_net *kn = container_of(work, struct kcoap_net, mcast_work);

	mutex_lock(&kn->lock);
	if (kn->cfg.multicast)
		kcoap_mcast_update(kn);
	mutex_unlock(&kn->lock);
}

static int kcoap_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct kcoap_net *kn = kcoap_net(dev_net(dev));

	if (event == NETDEV_UP && READ_ONCE(kn->cfg.multicast))
		schedule_work(&kn->mcast_work);
	return NOTIFY_DONE;
}

static struct notifier_block kcoap_netdev_notifier = {
	.notifier_call = kcoap_netdev_event,
};

void kcoap_mcast_net_init(struct kcoap_net *kn)
{
	INIT_WORK(&kn->mcast_work, kcoap_mcast_work);
}

void kcoap_mcast_net_exit(struct kcoap_net *kn)
{
	cancel_work_sync(&kn->mcast_work);
}

int __init kcoap_mcast_init(void)
{
	return register_netdevice_notifier(&kcoap_netdev_notifier);
}

void kcoap_mcast_exit(void)
{
	unregister_netdevice_notifier(&kcoap_netdev_notifier);
}
