// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Module entry: parameters and the per-network-namespace lifecycle.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/kcoap.h>

#include "kcoap.h"
#include "daemon.h"

static ushort port = KCOAP_DEFAULT_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "UDP port of the CoAP endpoint in new network namespaces (default 5683)");

unsigned int kcoap_net_id __read_mostly;

/* Defaults; `kcoapctl config` shows and changes them per namespace. */
static void kcoap_config_init(struct kcoap_config *c)
{
	c->port = port;
	c->multicast = 0;
	c->block_szx = 6;			/* 1024-byte blocks */
	c->dedup_con_lifetime = 247;		/* EXCHANGE_LIFETIME, §4.8.2 */
	c->dedup_non_lifetime = 145;		/* NON_LIFETIME, §4.8.2 */
	c->dedup_max_entries = 1 << 20;
	c->res_max_count = 65536;
	c->res_max_size = 1 << 20;
	c->obs_max_per_res = 4096;
	c->obs_max_total = 65536;
	c->unavailable_max_age = 30;
	c->ack_timeout = 2000;			/* ACK_TIMEOUT, §4.8 */
	c->max_retransmit = 4;			/* MAX_RETRANSMIT, §4.8 */
	c->observe_con_every = 0;		/* only the daily CON, RFC 7641 §4.5 */
	c->piggyback_window = 200;		/* ms before a separate response */
	c->daemon_timeout = 30000;		/* ms before 5.03 */
	c->amp_factor = 3;			/* RFC 9175 §2.4 */
	c->verify_max = 16384;
	c->verify_lifetime = 600;
	c->rl_rate = 1000;			/* per source and second */
	c->rl_burst = 2000;
	c->rl_max = 8192;
}

/* The namespace or the module goes: every observation ends with 4.04. */
static void kcoap_end_observations(struct kcoap_net *kn)
{
	struct kcoap_resource *res;
	unsigned long id;

	mutex_lock(&kn->lock);
	xa_for_each(&kn->res.ids, id, res)
		kcoap_obs_end(kn, res, true);
	mutex_unlock(&kn->lock);
}

static int __net_init kcoap_net_init(struct net *net)
{
	struct kcoap_net *kn = kcoap_net(net);
	int err;

	kn->net = net;
	mutex_init(&kn->lock);
	kcoap_mcast_net_init(kn);
	kcoap_config_init(&kn->cfg);
	err = kcoap_stats_init(kn);
	if (err)
		return err;
	err = kcoap_res_table_init(&kn->res);
	if (err)
		goto err_stats;
	kn->dedup.stats = kn->stats;
	err = kcoap_dedup_init(&kn->dedup, kn->cfg.dedup_max_entries);
	if (err)
		goto err_res;
	err = kcoap_obs_init(kn);
	if (err)
		goto err_dedup;
	err = kcoap_validate_init(kn);
	if (err)
		goto err_obs;
	/* Sockets last: once open, datagrams may arrive on any CPU. */
	err = kcoap_socket_open(kn);
	if (err)
		goto err_val;
	return 0;

err_val:
	kcoap_validate_destroy(kn);
err_obs:
	kcoap_obs_destroy(kn);
err_dedup:
	kcoap_dedup_destroy(&kn->dedup);
err_res:
	kcoap_res_table_destroy(&kn->res);
err_stats:
	kcoap_stats_exit(kn);
	return err;
}

static void __net_exit kcoap_net_exit(struct net *net)
{
	struct kcoap_net *kn = kcoap_net(net);

	kcoap_mcast_net_exit(kn);
	/* While the sockets can still carry the last answers. */
	kcoap_daemon_net_exit(kn);
	kcoap_end_observations(kn);
	kcoap_socket_close(kn);
	kcoap_obs_destroy(kn);
	kcoap_validate_destroy(kn);
	kcoap_dedup_destroy(&kn->dedup);
	/* Resource states are freed by RCU; none is read any more. */
	synchronize_rcu();
	kcoap_res_table_destroy(&kn->res);
	kcoap_stats_exit(kn);
}

static struct pernet_operations kcoap_net_ops = {
	.init = kcoap_net_init,
	.exit = kcoap_net_exit,
	.id = &kcoap_net_id,
	.size = sizeof(struct kcoap_net),
};

static int __init kcoap_init(void)
{
	int err;

	if (!port) {
		pr_err("port=0 is not a valid UDP port\n");
		return -EINVAL;
	}
	kcoap_receive_init();
	err = kcoap_dedup_global_init();
	if (err)
		return err;
	err = register_pernet_subsys(&kcoap_net_ops);
	if (err)
		goto err_dedup;
	err = kcoap_mcast_init();
	if (err)
		goto err_pernet;
	/* Netlink last: its handlers need every namespace's state. */
	err = kcoap_netlink_init();
	if (err)
		goto err_mcast;
	/* /dev/kcoap: attached over netlink. */
	err = kcoap_daemon_init();
	if (err)
		goto err_netlink;
	pr_info("CoAP endpoint on UDP port %u\n", port);
	return 0;

err_netlink:
	kcoap_netlink_exit();
err_mcast:
	kcoap_mcast_exit();
err_pernet:
	unregister_pernet_subsys(&kcoap_net_ops);
err_dedup:
	kcoap_dedup_global_exit();
	return err;
}

static void __exit kcoap_exit(void)
{
	kcoap_daemon_exit();
	kcoap_netlink_exit();
	kcoap_mcast_exit();
	unregister_pernet_subsys(&kcoap_net_ops);
	/*
	 * A datagram that found a socket just before it was unhashed may still
	 * be in kcoap_encap_rcv() (with sk_user_data already NULL): wait for
	 * every such softirq reader before the module text goes away.
	 */
	synchronize_net();
	/* Then for the RCU callbacks that free entries into our caches. */
	kcoap_dedup_global_exit();
}

module_init(kcoap_init);
module_exit(kcoap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CoAP (RFC 7252) endpoint in the kernel for IoT gateways");
MODULE_AUTHOR("The kcoap authors");
MODULE_VERSION("0.1");
MODULE_ALIAS_GENL_FAMILY(KCOAP_FAMILY_NAME);
