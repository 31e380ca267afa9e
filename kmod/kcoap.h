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
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"
#include "resource.h"
#include "dedup.h"
#include "validate.h"

struct kcoap_daemon;
struct kcoap_prefixes;
struct kcoap_mids;
struct kcoap_dtls;
struct kcoap_peer;

/* RFC 7252 §6.1 and §6.2: the default ports of "coap" and "coaps". */
#define KCOAP_DEFAULT_PORT 5683
#define KCOAP_DEFAULT_DTLS_PORT 5684

/*
 * Settings of one namespace's endpoint (netlink config-get/config-set).
 * Writers hold kcoap_net.lock; the hot path reads with READ_ONCE().
 */
struct kcoap_config {
	u16 port;
	u8 multicast;
	u8 block_szx;
	u32 dedup_con_lifetime;		/* seconds */
	u32 dedup_non_lifetime;		/* seconds */
	u32 dedup_max_entries;
	u32 res_max_count;
	u32 res_max_size;		/* bytes per representation */
	u32 obs_max_per_res;
	u32 obs_max_total;
	u32 unavailable_max_age;	/* seconds, in 5.03 answers */
	u32 ack_timeout;		/* ms, ACK_TIMEOUT */
	u8 max_retransmit;		/* MAX_RETRANSMIT */
	u32 observe_con_every;		/* every Nth notification is CON */
	u32 piggyback_window;		/* ms, for the daemon's answers */
	u32 daemon_timeout;		/* ms */
	u8 amp_factor;			/* x bytes received; 0: no limit */
	u32 verify_max;			/* verified peers remembered */
	u32 verify_lifetime;		/* seconds */
	u32 rl_rate;			/* datagrams/s per source; 0: off */
	u32 rl_burst;
	u32 rl_max;			/* sources tracked */
	u32 wk_max_size;		/* bytes of /.well-known/core kept */
	u32 max_msg_size;		/* bytes of UDP payload read at most */
	u32 dedup_max_bytes;
	u32 dedup_max_peer_bytes;
	u32 obs_max_per_peer;
	/* DTLS (issue 15) */
	u16 dtls_port;			/* coaps endpoint; 0: none */
	u32 dtls_max_sessions;
	u32 dtls_max_handshakes;	/* in flight */
	u32 dtls_handshake_timeout;	/* seconds */
	u32 dtls_idle_timeout;		/* seconds */
	u32 dtls_max_hs_per_peer;	/* in flight from one peer */
};

struct kcoap_net {
	struct net *net;
	struct kcoap_config cfg;
	/* Serializes configuration, resource table writers, socket reopen. */
	struct mutex lock;
	struct socket __rcu *sock4;
	struct socket __rcu *sock6;
	struct socket __rcu *dsock4;	/* coaps, while the endpoint is open */
	struct socket __rcu *dsock6;
	struct kcoap_pcpu_stats __percpu *stats;
	struct kcoap_stats_sum *stats_base;	/* at the last reset */
	struct kcoap_res_table res;
	struct kcoap_dedup dedup;
	struct kcoap_observe obs;
	struct kcoap_validate val;
	struct kcoap_daemon __rcu *daemon;	/* written under lock */
	struct kcoap_prefixes __rcu *prefixes;	/* the daemon's paths, kept */
	struct work_struct mcast_work;	/* join groups on new interfaces */
	/* Tables and counters set up (kcoap_net_setup()); written under lock. */
	bool ready;
	struct kcoap_mids *mids;	/* mid.c */
	struct kcoap_dtls *dtls;	/* dtls_session.c */
};

extern unsigned int kcoap_net_id;

static inline struct kcoap_net *kcoap_net(const struct net *net)
{
	return net_generic(net, kcoap_net_id);
}

/* main.c: the state, made on first use; the endpoint, on request. */
int kcoap_net_setup(struct kcoap_net *kn);
int kcoap_endpoint_open(struct kcoap_net *kn, u16 port);
int kcoap_endpoint_close(struct kcoap_net *kn);
int kcoap_dtls_port_set(struct kcoap_net *kn, u16 port);

/* Without kn->lock: false until kcoap_net_setup() has finished. */
static inline bool kcoap_ready(struct kcoap_net *kn)
{
	/* Pairs with the release in kcoap_net_setup(). */
	return smp_load_acquire(&kn->ready);
}

/* Under kn->lock (or RCU, as a hint). */
static inline bool kcoap_endpoint_is_open(struct kcoap_net *kn)
{
	return rcu_access_pointer(kn->sock4) || rcu_access_pointer(kn->sock6);
}

/* Count a response sent with @code. */
static inline void kcoap_stat_code(struct kcoap_net *kn, u8 code)
{
	int slot = kcoap_code_slot(code);

	if (slot >= 0)
		this_cpu_inc(kn->stats->code[slot]);
}

/* socket.c */
int kcoap_socket_open(struct kcoap_net *kn);
void kcoap_socket_close(struct kcoap_net *kn, bool dtls);
int kcoap_dtls_socket_open(struct kcoap_net *kn);
void kcoap_dtls_socket_close(struct kcoap_net *kn);

/* receive.c: called from the encap hook in softirq, consumes skb. */
void kcoap_receive(struct kcoap_net *kn, struct sk_buff *skb);
/* The CoAP message of a datagram, or of a DTLS record; softirq. */
void kcoap_receive_msg(struct kcoap_net *kn, const struct kcoap_peer *peer,
		       const u8 *data, unsigned int len);

/* mid.c: the Message ID of a message the kernel originates towards @p. */
int kcoap_mid_init(struct kcoap_net *kn);
void kcoap_mid_exit(struct kcoap_net *kn);
u16 kcoap_new_mid(struct kcoap_net *kn, const struct kcoap_peer *p);

/*
 * icmp.c: an ICMP error quoting a datagram we sent from @sk; @udp_off is
 * where its UDP header starts from skb->data. Softirq, under RCU.
 */
void kcoap_icmp_error(struct sock *sk, struct sk_buff *skb,
		      unsigned int udp_off);

/*
 * Per-CPU scratch buffers of the softirq paths, allocated at load (not
 * DEFINE_PER_CPU: modules share 8 KiB of static per-CPU space).
 */
int kcoap_receive_bufs_init(void);
void kcoap_receive_bufs_exit(void);
int kcoap_exchange_bufs_init(void);
void kcoap_exchange_bufs_exit(void);
int kcoap_obs_bufs_init(void);
void kcoap_obs_bufs_exit(void);
int kcoap_dtls_bufs_init(void);
void kcoap_dtls_bufs_exit(void);

/* multicast.c */
int kcoap_mcast_init(void);
void kcoap_mcast_exit(void);
void kcoap_mcast_net_init(struct kcoap_net *kn);
void kcoap_mcast_net_exit(struct kcoap_net *kn);
void kcoap_mcast_update(struct kcoap_net *kn);

/* netlink.c */
int kcoap_netlink_init(void);
void kcoap_netlink_exit(void);
void kcoap_notify_resource(struct kcoap_net *kn, const char *path, u32 event);
void kcoap_notify_observer(struct kcoap_net *kn, const struct in6_addr *addr,
			   __be16 port, const u8 *token, u8 tkl, const char *path,
			   u32 event);
void kcoap_notify_daemon(struct kcoap_net *kn, pid_t pid, u32 event);
struct genl_family *kcoap_genl_family(void);

#endif /* _KCOAP_H */
