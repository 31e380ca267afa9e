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
#include "dtls.h"

static ushort port = KCOAP_DEFAULT_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "UDP port of the endpoint opened in the initial network namespace at load (default 5683, 0 for none)");

unsigned int kcoap_net_id __read_mostly;

/* Defaults; `kcoapctl config` shows and changes them per namespace. */
static void kcoap_config_init(struct kcoap_config *c)
{
	c->port = KCOAP_DEFAULT_PORT;
	c->multicast = 0;
	c->block_szx = 6;			/* 1024-byte blocks */
	c->dedup_con_lifetime = 247;		/* EXCHANGE_LIFETIME, §4.8.2 */
	c->dedup_non_lifetime = 145;		/* NON_LIFETIME, §4.8.2 */
	c->dedup_max_entries = 1 << 18;	/* with the byte budget below */
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
	c->wk_max_size = 65536;			/* bytes of /.well-known/core */
	c->max_msg_size = 1152;			/* RFC 7252 §4.6 */
	c->dedup_max_bytes = 16 << 20;
	c->dedup_max_peer_bytes = 1 << 20;
	c->obs_max_per_peer = 256;
	c->dtls_port = KCOAP_DEFAULT_DTLS_PORT;	/* RFC 7252 §6.2 */
	c->dtls_max_sessions = 4096;
	c->dtls_max_handshakes = 256;
	c->dtls_handshake_timeout = 60;
	c->dtls_idle_timeout = 3600;
	c->dtls_max_hs_per_peer = 64;
}

static void kcoap_bufs_exit(void)
{
	kcoap_dtls_bufs_exit();
	kcoap_obs_bufs_exit();
	kcoap_exchange_bufs_exit();
	kcoap_receive_bufs_exit();
}

static int __init kcoap_bufs_init(void)
{
	if (kcoap_receive_bufs_init() || kcoap_exchange_bufs_init() ||
	    kcoap_obs_bufs_init() || kcoap_dtls_bufs_init()) {
		kcoap_bufs_exit();	/* free_percpu(NULL) is fine */
		return -ENOMEM;
	}
	return 0;
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

/*
 * A new namespace gets only this: nothing here can fail, so creating a
 * namespace never depends on kcoap, and one that never uses kcoap costs
 * no allocation and no grace period. The state comes with the first
 * netlink request that needs it (kcoap_net_setup()), the sockets with
 * endpoint-add.
 */
static int __net_init kcoap_net_init(struct net *net)
{
	struct kcoap_net *kn = kcoap_net(net);

	kn->net = net;
	mutex_init(&kn->lock);
	kcoap_mcast_net_init(kn);
	kcoap_config_init(&kn->cfg);
	return 0;
}

/* The namespace's tables and counters, once; kn->lock held. */
int kcoap_net_setup(struct kcoap_net *kn)
{
	int err;

	lockdep_assert_held(&kn->lock);
	if (kn->ready)
		return 0;
	err = kcoap_stats_init(kn);
	if (err)
		return err;
	err = kcoap_mid_init(kn);
	if (err)
		goto err_stats;
	err = kcoap_res_table_init(&kn->res);
	if (err)
		goto err_mid;
	kn->dedup.stats = kn->stats;
	kcoap_dedup_set_limits(&kn->dedup, kn->cfg.dedup_max_bytes,
			       kn->cfg.dedup_max_peer_bytes);
	err = kcoap_dedup_init(&kn->dedup, kn->cfg.dedup_max_entries);
	if (err)
		goto err_res;
	err = kcoap_obs_init(kn);
	if (err)
		goto err_dedup;
	err = kcoap_validate_init(kn);
	if (err)
		goto err_obs;
	err = kcoap_dtls_net_init(kn);
	if (err)
		goto err_validate;
	/* Readers that see it true see the state whole. */
	smp_store_release(&kn->ready, true);
	return 0;

err_validate:
	kcoap_validate_destroy(kn);
err_obs:
	kcoap_obs_destroy(kn);
err_dedup:
	kcoap_dedup_destroy(&kn->dedup);
err_res:
	kcoap_res_table_destroy(&kn->res);
err_mid:
	kcoap_mid_exit(kn);
err_stats:
	kcoap_stats_exit(kn);
	return err;
}

/* endpoint-add, or the initial namespace at load: kn->lock held. */
int kcoap_endpoint_open(struct kcoap_net *kn, u16 port)
{
	u16 old = kn->cfg.port;
	int err;

	lockdep_assert_held(&kn->lock);
	err = kcoap_net_setup(kn);
	if (err)
		return err;
	if (kcoap_endpoint_is_open(kn))
		return -EEXIST;
	WRITE_ONCE(kn->cfg.port, port);
	err = kcoap_socket_open(kn);
	if (err) {
		WRITE_ONCE(kn->cfg.port, old);
		kcoap_stat_inc(kn, KCOAP_STAT_ENDPOINT_ERRORS);
		return err;
	}
	if (kn->cfg.multicast)
		kcoap_mcast_update(kn);
	/*
	 * coaps beside it. Not being able to is no reason to refuse coap (the
	 * port may be another server's): said and counted, and config-set
	 * dtls-port can try again.
	 */
	err = kcoap_dtls_socket_open(kn);
	if (err) {
		pr_warn("no coaps endpoint: UDP port %u: error %d\n",
			kn->cfg.dtls_port, err);
		kcoap_stat_inc(kn, KCOAP_STAT_ENDPOINT_ERRORS);
	}
	return 0;
}

/*
 * config-set dtls-port, kn->lock held: an open endpoint's coaps sockets
 * move (0 closes them); if the new port cannot be had, the old one stays.
 */
int kcoap_dtls_port_set(struct kcoap_net *kn, u16 port)
{
	u16 old = kn->cfg.dtls_port;
	int err;

	lockdep_assert_held(&kn->lock);
	if (!kcoap_endpoint_is_open(kn)) {
		WRITE_ONCE(kn->cfg.dtls_port, port);
		return 0;
	}
	/* Close first: the new port may be the old one's neighbour in use. */
	kcoap_dtls_socket_close(kn);
	WRITE_ONCE(kn->cfg.dtls_port, port);
	err = kcoap_dtls_socket_open(kn);
	if (err) {
		WRITE_ONCE(kn->cfg.dtls_port, old);
		if (kcoap_dtls_socket_open(kn))
			pr_err("could not reopen coaps port %u\n", old);
	}
	return err;
}

/* endpoint-del: the tables stay, the observations end. kn->lock held. */
int kcoap_endpoint_close(struct kcoap_net *kn)
{
	struct kcoap_resource *res;
	unsigned long id;

	lockdep_assert_held(&kn->lock);
	if (!kcoap_endpoint_is_open(kn))
		return -ENOENT;
	/* A final 4.04 while they can still be sent (RFC 7641 §3.2)... */
	xa_for_each(&kn->res.ids, id, res)
		kcoap_obs_end(kn, res, true);
	kcoap_socket_close(kn, true);
	/* ...and whatever registered meanwhile ends without one. */
	xa_for_each(&kn->res.ids, id, res)
		kcoap_obs_end(kn, res, true);
	return 0;
}

static void __net_exit kcoap_net_exit(struct net *net)
{
	struct kcoap_net *kn = kcoap_net(net);

	kcoap_mcast_net_exit(kn);
	if (!kn->ready)
		return;
	/* While the sockets can still carry the last answers. */
	kcoap_daemon_net_exit(kn);
	kcoap_end_observations(kn);
	/* One grace period: no softirq reader is left after it. */
	kcoap_socket_close(kn, true);
	kcoap_obs_destroy(kn);
	/* After the observers: their notifications may be sealed. */
	kcoap_dtls_net_exit(kn);
	kcoap_validate_destroy(kn);
	kcoap_dedup_destroy(&kn->dedup);
	/*
	 * Resource states are freed by RCU or here: the sockets' grace period
	 * (now, or at an earlier endpoint-del) saw the last softirq reader,
	 * and the observers' timers are gone.
	 */
	kcoap_res_table_destroy(&kn->res);
	kcoap_mid_exit(kn);
	kcoap_stats_exit(kn);
}

static struct pernet_operations kcoap_net_ops = {
	.init = kcoap_net_init,
	.exit = kcoap_net_exit,
	.id = &kcoap_net_id,
	.size = sizeof(struct kcoap_net),
};

/*
 * `modprobe kcoap` serves the initial namespace, as it always has. A port
 * that something else holds does not stop the module: it loads without
 * sockets (endpoint-errors counts it), and endpoint-add can try again.
 */
static void __init kcoap_init_net_endpoint(void)
{
	struct kcoap_net *kn = kcoap_net(&init_net);
	int err;

	if (!port) {
		pr_info("no endpoint (port=0): kcoapctl endpoint add opens one\n");
		return;
	}
	mutex_lock(&kn->lock);
	err = kcoap_endpoint_open(kn, port);
	mutex_unlock(&kn->lock);
	if (err)
		pr_warn("no endpoint: UDP port %u: error %d; kcoapctl endpoint add retries\n",
			port, err);
	else
		pr_info("CoAP endpoint on UDP port %u\n", port);
}

static int __init kcoap_init(void)
{
	int err;

	err = kcoap_bufs_init();
	if (err)
		return err;
	err = kcoap_dedup_global_init();
	if (err)
		goto err_bufs;
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
	kcoap_init_net_endpoint();
	return 0;

err_netlink:
	kcoap_netlink_exit();
err_mcast:
	kcoap_mcast_exit();
err_pernet:
	unregister_pernet_subsys(&kcoap_net_ops);
err_dedup:
	kcoap_dedup_global_exit();
err_bufs:
	kcoap_bufs_exit();
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
	kcoap_bufs_exit();
}

module_init(kcoap_init);
module_exit(kcoap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CoAP (RFC 7252) endpoint in the kernel for IoT gateways");
MODULE_AUTHOR("The kcoap authors");
MODULE_VERSION("0.1");
MODULE_ALIAS_GENL_FAMILY(KCOAP_FAMILY_NAME);
