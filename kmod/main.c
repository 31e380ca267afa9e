// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Module entry: parameters and the per-network-namespace lifecycle.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "kcoap.h"

static ushort port = KCOAP_DEFAULT_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "UDP port of the CoAP endpoint in every network namespace (default 5683)");

unsigned int kcoap_net_id __read_mostly;

static int __net_init kcoap_net_init(struct net *net)
{
	struct kcoap_net *kn = net_generic(net, kcoap_net_id);
	int err;

	kn->net = net;
	kn->port = port;
	kn->stats = alloc_percpu(struct kcoap_pcpu_stats);
	if (!kn->stats)
		return -ENOMEM;
	err = kcoap_stats_proc_init(kn);
	if (err)
		goto err_stats;
	/* Sockets last: once open, datagrams may arrive on any CPU. */
	err = kcoap_socket_open(kn);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	kcoap_stats_proc_exit(kn);
err_stats:
	free_percpu(kn->stats);
	return err;
}

static void __net_exit kcoap_net_exit(struct net *net)
{
	struct kcoap_net *kn = net_generic(net, kcoap_net_id);

	kcoap_socket_close(kn);
	kcoap_stats_proc_exit(kn);
	free_percpu(kn->stats);
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
	err = register_pernet_subsys(&kcoap_net_ops);
	if (err)
		return err;
	pr_info("CoAP endpoint on UDP port %u\n", port);
	return 0;
}

static void __exit kcoap_exit(void)
{
	unregister_pernet_subsys(&kcoap_net_ops);
	/*
	 * A datagram that found a socket just before it was unhashed may still
	 * be in kcoap_encap_rcv() (with sk_user_data already NULL): wait for
	 * every such softirq reader before the module text goes away.
	 */
	synchronize_net();
}

module_init(kcoap_init);
module_exit(kcoap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CoAP (RFC 7252) endpoint in the kernel for IoT gateways");
MODULE_AUTHOR("The kcoap authors");
MODULE_VERSION("0.1");
