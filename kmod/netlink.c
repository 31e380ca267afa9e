// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The generic netlink family "kcoap" (uapi/kcoap.yaml documents it):
 * resources, statistics, configuration, observers and deduplication state
 * of the caller's network namespace, and the "events" multicast group.
 * Handlers run in process context; writers take kcoap_net.lock.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "kcoap.h"
#include "coap.h"
#include "daemon.h"
#include "dtls.h"
#include "observe.h"
#include <linux/kcoap.h>

/* Values included in replies: one data attribute, or less in dumps. */
#define KCOAP_NL_DATA_DO	KCOAP_DATA_PART_MAX
#define KCOAP_NL_DATA_DUMP	1024
#define KCOAP_PEER_DUMP_DEFAULT	1000

static struct genl_family kcoap_family;

enum kcoap_mcgrp { KCOAP_MCGRP_EVENTS_ID };

static const struct genl_multicast_group kcoap_mcgrps[] = {
	/* Events name observers' addresses and tokens: admins only. */
	[KCOAP_MCGRP_EVENTS_ID] = {
		.name = KCOAP_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static const struct nla_policy kcoap_repr_policy[KCOAP_A_REPR_MAX + 1] = {
	[KCOAP_A_REPR_CONTENT_FORMAT] = { .type = NLA_U16 },
	[KCOAP_A_REPR_SIZE] = { .type = NLA_U32 },
};

#define KCOAP_METHODS_ALL (KCOAP_METHOD_GET | KCOAP_METHOD_POST | \
			   KCOAP_METHOD_PUT | KCOAP_METHOD_DELETE | \
			   KCOAP_METHOD_FETCH | KCOAP_METHOD_PATCH | \
			   KCOAP_METHOD_IPATCH)

static const struct nla_policy kcoap_resource_policy[KCOAP_A_RESOURCE_MAX + 1] = {
	[KCOAP_A_RESOURCE_PATH] = { .type = NLA_NUL_STRING, .len = KCOAP_PATH_MAX },
	[KCOAP_A_RESOURCE_REPR] = NLA_POLICY_NESTED(kcoap_repr_policy),
	[KCOAP_A_RESOURCE_DATA] = { .type = NLA_BINARY, .len = KCOAP_DATA_PART_MAX },
	[KCOAP_A_RESOURCE_MAX_AGE] = { .type = NLA_U32 },
	[KCOAP_A_RESOURCE_RT] = { .type = NLA_NUL_STRING, .len = KCOAP_ATTR_STR_MAX },
	[KCOAP_A_RESOURCE_IF] = { .type = NLA_NUL_STRING, .len = KCOAP_ATTR_STR_MAX },
	[KCOAP_A_RESOURCE_TITLE] = { .type = NLA_NUL_STRING, .len = KCOAP_ATTR_STR_MAX },
	[KCOAP_A_RESOURCE_OBS] = NLA_POLICY_MAX(NLA_U8, 1),
	[KCOAP_A_RESOURCE_METHODS] = NLA_POLICY_MASK(NLA_U32, KCOAP_METHODS_ALL),
	[KCOAP_A_RESOURCE_SECURE] = NLA_POLICY_MAX(NLA_U8, 1),
};

static struct netlink_range_validation kcoap_range_lifetime = {
	.min = 1, .max = 86400,
};

static struct netlink_range_validation kcoap_range_dedup_max = {
	.min = 16, .max = 1 << 24,
};

static struct netlink_range_validation kcoap_range_res_count = {
	.min = 1, .max = 1 << 20,
};

static struct netlink_range_validation kcoap_range_res_size = {
	.min = 1, .max = 1 << 24,
};

static struct netlink_range_validation kcoap_range_obs_per_res = {
	.min = 0, .max = 1 << 20,
};

static struct netlink_range_validation kcoap_range_obs_total = {
	.min = 0, .max = 1 << 24,
};

static struct netlink_range_validation kcoap_range_daemon_timeout = {
	.min = 100, .max = 600000,
};

static struct netlink_range_validation kcoap_range_ack_timeout = {
	.min = 100, .max = 60000,
};

static struct netlink_range_validation kcoap_range_wk_max = {
	.min = 64, .max = 1 << 24,
};

static struct netlink_range_validation kcoap_range_msg_size = {
	.min = 64, .max = 65507,
};

static struct netlink_range_validation kcoap_range_dedup_bytes = {
	.min = 65536, .max = 1 << 30,
};

static struct netlink_range_validation kcoap_range_dedup_peer_bytes = {
	.min = 1024, .max = 1 << 30,
};

static struct netlink_range_validation kcoap_range_peer_limit = {
	.min = 1, .max = 65536,
};

static struct netlink_range_validation kcoap_range_verify_max = {
	.min = 0, .max = 16777216,
};

static struct netlink_range_validation kcoap_range_verify_lifetime = {
	.min = 1, .max = 604800,
};

static struct netlink_range_validation kcoap_range_rl_rate = {
	.min = 0, .max = 10000000,
};

static struct netlink_range_validation kcoap_range_rl_burst = {
	.min = 1, .max = 10000000,
};

static struct netlink_range_validation kcoap_range_rl_max = {
	.min = 16, .max = 16777216,
};

static struct netlink_range_validation kcoap_range_dtls_sessions = {
	.min = 0, .max = 1 << 20,
};

static struct netlink_range_validation kcoap_range_dtls_handshakes = {
	.min = 0, .max = 65536,
};

static struct netlink_range_validation kcoap_range_dtls_hs_timeout = {
	.min = 1, .max = 3600,
};

static struct netlink_range_validation kcoap_range_dtls_idle = {
	.min = 1, .max = 604800,
};

/* The ranges are those of uapi/kcoap.yaml. */
static const struct nla_policy kcoap_config_policy[KCOAP_A_CONFIG_MAX + 1] = {
	[KCOAP_A_CONFIG_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KCOAP_A_CONFIG_DEDUP_CON_LIFETIME] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_lifetime),
	[KCOAP_A_CONFIG_DEDUP_NON_LIFETIME] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_lifetime),
	[KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dedup_max),
	[KCOAP_A_CONFIG_RESOURCE_MAX_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_res_count),
	[KCOAP_A_CONFIG_RESOURCE_MAX_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_res_size),
	[KCOAP_A_CONFIG_OBSERVER_MAX_PER_RESOURCE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_obs_per_res),
	[KCOAP_A_CONFIG_OBSERVER_MAX_TOTAL] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_obs_total),
	[KCOAP_A_CONFIG_MULTICAST] = NLA_POLICY_MAX(NLA_U8, 1),
	[KCOAP_A_CONFIG_BLOCK_SZX] = NLA_POLICY_MAX(NLA_U8, COAP_BLOCK_MAX_SZX),
	[KCOAP_A_CONFIG_UNAVAILABLE_MAX_AGE] = { .type = NLA_U32 },
	[KCOAP_A_CONFIG_ACK_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_ack_timeout),
	[KCOAP_A_CONFIG_MAX_RETRANSMIT] = NLA_POLICY_MAX(NLA_U8, 10),
	[KCOAP_A_CONFIG_OBSERVE_CON_EVERY] = { .type = NLA_U32 },
	[KCOAP_A_CONFIG_PIGGYBACK_WINDOW] = NLA_POLICY_MAX(NLA_U32, 10000),
	[KCOAP_A_CONFIG_DAEMON_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_daemon_timeout),
	[KCOAP_A_CONFIG_AMP_FACTOR] = NLA_POLICY_MAX(NLA_U8, 100),
	[KCOAP_A_CONFIG_VERIFY_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_verify_max),
	[KCOAP_A_CONFIG_VERIFY_LIFETIME] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_verify_lifetime),
	[KCOAP_A_CONFIG_RATELIMIT_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_rl_rate),
	[KCOAP_A_CONFIG_RATELIMIT_BURST] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_rl_burst),
	[KCOAP_A_CONFIG_RATELIMIT_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_rl_max),
	[KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_wk_max),
	[KCOAP_A_CONFIG_MAX_MESSAGE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_msg_size),
	[KCOAP_A_CONFIG_DEDUP_MAX_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dedup_bytes),
	[KCOAP_A_CONFIG_DEDUP_MAX_PEER_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dedup_peer_bytes),
	[KCOAP_A_CONFIG_OBSERVER_MAX_PER_PEER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_obs_per_res),
	[KCOAP_A_CONFIG_DTLS_PORT] = { .type = NLA_U16 },
	[KCOAP_A_CONFIG_DTLS_MAX_SESSIONS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dtls_sessions),
	[KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dtls_handshakes),
	[KCOAP_A_CONFIG_DTLS_HANDSHAKE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dtls_hs_timeout),
	[KCOAP_A_CONFIG_DTLS_IDLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dtls_idle),
	[KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES_PER_PEER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_dtls_handshakes),
};

static struct netlink_range_validation kcoap_range_ring_entries = {
	.min = KCOAP_RING_ENTRIES_MIN, .max = KCOAP_RING_ENTRIES_MAX,
};

static struct netlink_range_validation kcoap_range_slot = {
	.min = KCOAP_RING_SLOT_MIN, .max = KCOAP_RING_SLOT_MAX,
};

static const struct nla_policy kcoap_daemon_policy[KCOAP_A_DAEMON_MAX + 1] = {
	[KCOAP_A_DAEMON_FD] = { .type = NLA_U32 },
	[KCOAP_A_DAEMON_REQ_ENTRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_ring_entries),
	[KCOAP_A_DAEMON_RSP_ENTRIES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_ring_entries),
	[KCOAP_A_DAEMON_SLOT_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_slot),
	[KCOAP_A_DAEMON_PREFIX] = { .type = NLA_NUL_STRING, .len = KCOAP_PATH_MAX },
};

static const struct nla_policy kcoap_endpoint_policy[KCOAP_A_ENDPOINT_MAX + 1] = {
	[KCOAP_A_ENDPOINT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy kcoap_peer_policy[KCOAP_A_PEER_MAX + 1] = {
	[KCOAP_A_PEER_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &kcoap_range_peer_limit),
};

static struct kcoap_net *kcoap_info_net(struct genl_info *info)
{
	return kcoap_net(genl_info_net(info));
}

static struct kcoap_net *kcoap_cb_net(struct netlink_callback *cb)
{
	return kcoap_net(sock_net(cb->skb->sk));
}

/* Events */

/* An event for the "events" group, if anyone listens; *hdr its header. */
static struct sk_buff *kcoap_event_new(struct kcoap_net *kn, u8 cmd, gfp_t gfp,
				       void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&kcoap_family, kn->net, KCOAP_MCGRP_EVENTS_ID))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &kcoap_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* Send it, unless putting its attributes failed (@err). */
static void kcoap_event_send(struct kcoap_net *kn, struct sk_buff *skb,
			     void *hdr, int err, gfp_t gfp)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&kcoap_family, kn->net, skb, 0,
				KCOAP_MCGRP_EVENTS_ID, gfp);
}

void kcoap_notify_resource(struct kcoap_net *kn, const char *path, u32 event)
{
	void *hdr;
	struct sk_buff *skb = kcoap_event_new(kn, KCOAP_CMD_RESOURCE_NTF,
					      GFP_KERNEL, &hdr);

	if (skb)
		kcoap_event_send(kn, skb, hdr,
				 nla_put_string(skb, KCOAP_A_RESOURCE_PATH, path) ||
				 nla_put_u32(skb, KCOAP_A_RESOURCE_EVENT, event),
				 GFP_KERNEL);
}

void kcoap_notify_daemon(struct kcoap_net *kn, pid_t pid, u32 event)
{
	void *hdr;
	struct sk_buff *skb = kcoap_event_new(kn, KCOAP_CMD_DAEMON_NTF,
					      GFP_KERNEL, &hdr);

	if (skb)
		kcoap_event_send(kn, skb, hdr,
				 nla_put_u32(skb, KCOAP_A_DAEMON_PID, pid) ||
				 nla_put_u32(skb, KCOAP_A_DAEMON_EVENT, event),
				 GFP_KERNEL);
}

/* Also from softirq (registrations, timeouts): GFP_ATOMIC. */
void kcoap_notify_observer(struct kcoap_net *kn, const struct in6_addr *addr,
			   __be16 port, const u8 *token, u8 tkl, const char *path,
			   u32 event)
{
	bool v4 = ipv6_addr_v4mapped(addr);
	void *hdr;
	struct sk_buff *skb = kcoap_event_new(kn, KCOAP_CMD_OBSERVER_NTF,
					      GFP_ATOMIC, &hdr);

	if (skb)
		kcoap_event_send(kn, skb, hdr,
				 nla_put(skb, KCOAP_A_OBSERVER_ADDR, v4 ? 4 : 16,
					 v4 ? (const void *)&addr->s6_addr32[3] : addr) ||
				 nla_put_be16(skb, KCOAP_A_OBSERVER_PORT, port) ||
				 nla_put(skb, KCOAP_A_OBSERVER_TOKEN, tkl, token) ||
				 nla_put_string(skb, KCOAP_A_OBSERVER_PATH, path) ||
				 nla_put_u32(skb, KCOAP_A_OBSERVER_EVENT, event),
				 GFP_ATOMIC);
}

/* Resources */

/* What a resource-add or resource-set request asks for. */
struct kcoap_res_req {
	const char *path;
	const char *rt, *ifd, *title;
	u8 nrepr;			/* 0: keep the old representations */
	struct {
		u16 ct;
		u32 size;
	} repr[KCOAP_MAX_REPRS];
	u64 data_len;			/* sum of the data parts */
};

static int kcoap_parse_reprs(struct kcoap_net *kn, struct genl_info *info,
			     struct kcoap_res_req *req)
{
	struct nlattr *tb[KCOAP_A_REPR_MAX + 1];
	u32 max_size = READ_ONCE(kn->cfg.res_max_size);
	u64 want = 0;
	struct nlattr *a;
	int rem, i, err;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) == KCOAP_A_RESOURCE_DATA) {
			req->data_len += nla_len(a);
			continue;
		}
		if (nla_type(a) != KCOAP_A_RESOURCE_REPR)
			continue;
		if (req->nrepr == KCOAP_MAX_REPRS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "too many representations (at most 8)");
			return -E2BIG;
		}
		err = nla_parse_nested(tb, KCOAP_A_REPR_MAX, a,
				       kcoap_repr_policy, info->extack);
		if (err)
			return err;
		if (!tb[KCOAP_A_REPR_CONTENT_FORMAT] || !tb[KCOAP_A_REPR_SIZE]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "repr needs content-format and size");
			return -EINVAL;
		}
		req->repr[req->nrepr].ct = nla_get_u16(tb[KCOAP_A_REPR_CONTENT_FORMAT]);
		req->repr[req->nrepr].size = nla_get_u32(tb[KCOAP_A_REPR_SIZE]);
		if (req->repr[req->nrepr].size > max_size) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KCOAP_A_REPR_SIZE],
					    "value larger than config max-resource-size");
			return -EFBIG;
		}
		for (i = 0; i < req->nrepr; i++) {
			if (req->repr[i].ct == req->repr[req->nrepr].ct) {
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "two representations with one content-format");
				return -EINVAL;
			}
		}
		want += req->repr[req->nrepr].size;
		req->nrepr++;
	}
	if (want != req->data_len) {
		NL_SET_ERR_MSG(info->extack,
			       "data length does not match the repr sizes");
		return -EINVAL;
	}
	return 0;
}

static const char *kcoap_attr_str(struct genl_info *info, int type,
				  const char *old)
{
	return info->attrs[type] ? nla_data(info->attrs[type]) : old;
}

static size_t kcoap_strsize(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy a string into the state's trailing space; advance @p. */
static const char *kcoap_put_str(char **p, const char *s)
{
	size_t size = kcoap_strsize(s);
	char *d = *p;

	if (!s)
		return NULL;
	memcpy(d, s, size);
	*p += size;
	return d;
}

/*
 * Build the next state of a resource from @req and the request's
 * attributes, starting from @old (NULL for a new resource).
 */
static struct kcoap_res_state *
kcoap_build_state(struct kcoap_net *kn, struct genl_info *info,
		  struct kcoap_res_req *req, const struct kcoap_res_state *old)
{
	bool new_data = req->nrepr || !old;
	u8 nrepr = new_data ? req->nrepr : old->nrepr;
	size_t data = new_data ? req->data_len : old->size;
	struct kcoap_res_state *st;
	struct nlattr *a;
	u8 *d;
	char *s;
	int rem, i;

	req->rt = kcoap_attr_str(info, KCOAP_A_RESOURCE_RT, old ? old->rt : NULL);
	req->ifd = kcoap_attr_str(info, KCOAP_A_RESOURCE_IF, old ? old->ifd : NULL);
	req->title = kcoap_attr_str(info, KCOAP_A_RESOURCE_TITLE,
				    old ? old->title : NULL);
	st = kcoap_res_state_alloc(nrepr, data + kcoap_strsize(req->rt) +
				   kcoap_strsize(req->ifd) +
				   kcoap_strsize(req->title));
	if (!st)
		return NULL;

	d = (u8 *)&st->repr[nrepr];
	if (new_data) {
		for (i = 0; i < nrepr; i++) {
			st->repr[i].ct = req->repr[i].ct;
			st->repr[i].len = req->repr[i].size;
			kcoap_res_new_etag(&kn->res, &st->repr[i]);
		}
		nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
			if (nla_type(a) != KCOAP_A_RESOURCE_DATA)
				continue;
			memcpy(d + st->size, nla_data(a), nla_len(a));
			st->size += nla_len(a);
		}
	} else {
		memcpy(st->repr, old->repr, nrepr * sizeof(st->repr[0]));
		st->size = old->size;
		/* The values are contiguous from the first one on. */
		if (nrepr)
			memcpy(d, old->repr[0].data, old->size);
	}
	for (i = 0; i < nrepr; i++) {
		st->repr[i].data = d;
		d += st->repr[i].len;
	}

	s = (char *)d;
	st->rt = kcoap_put_str(&s, req->rt);
	st->ifd = kcoap_put_str(&s, req->ifd);
	st->title = kcoap_put_str(&s, req->title);

	st->max_age = old ? old->max_age : 60;	/* RFC 7252 §5.10.5 default */
	st->methods = old ? old->methods : KCOAP_METHOD_GET;
	st->obs = old ? old->obs : false;
	st->secure = old ? old->secure : false;
	if (info->attrs[KCOAP_A_RESOURCE_MAX_AGE])
		st->max_age = nla_get_u32(info->attrs[KCOAP_A_RESOURCE_MAX_AGE]);
	if (info->attrs[KCOAP_A_RESOURCE_METHODS])
		st->methods = nla_get_u32(info->attrs[KCOAP_A_RESOURCE_METHODS]);
	if (info->attrs[KCOAP_A_RESOURCE_OBS])
		st->obs = nla_get_u8(info->attrs[KCOAP_A_RESOURCE_OBS]);
	if (info->attrs[KCOAP_A_RESOURCE_SECURE])
		st->secure = nla_get_u8(info->attrs[KCOAP_A_RESOURCE_SECURE]);
	return st;
}

static int kcoap_nl_resource_write(struct sk_buff *skb, struct genl_info *info,
				   bool add)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct kcoap_res_req req = {};
	struct kcoap_resource *res = NULL;
	struct kcoap_res_state *st;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_RESOURCE_PATH))
		return -EINVAL;
	req.path = nla_data(info->attrs[KCOAP_A_RESOURCE_PATH]);
	err = kcoap_res_path_check(req.path, info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[KCOAP_A_RESOURCE_PATH]);
		return err;
	}
	err = kcoap_parse_reprs(kn, info, &req);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	err = kcoap_net_setup(kn);
	if (err)
		goto out;
	if (!add) {
		res = kcoap_res_lookup(&kn->res, req.path, strlen(req.path));
		if (!res) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[KCOAP_A_RESOURCE_PATH],
					    "no resource with this path");
			err = -ENOENT;
			goto out;
		}
	}
	st = kcoap_build_state(kn, info, &req,
			       res ? kcoap_res_state_locked(res) : NULL);
	if (!st) {
		err = -ENOMEM;
		goto out;
	}
	if (st->obs && !(st->methods & KCOAP_METHOD_GET)) {
		NL_SET_ERR_MSG(info->extack, "an observable resource must allow GET");
		kcoap_res_state_free(st);
		err = -EINVAL;
		goto out;
	}
	if (add) {
		err = kcoap_res_add(kn, req.path, st, info->extack);
	} else {
		kcoap_res_replace(kn, res, st);
		err = 0;
		/* RFC 7641: every change reaches the observers. */
		if (st->obs)
			kcoap_obs_notify(kn, res);
		else
			kcoap_obs_end(kn, res, false);
	}
	if (!err)
		kcoap_notify_resource(kn, req.path,
				      add ? KCOAP_EVENT_ADDED : KCOAP_EVENT_CHANGED);
out:
	mutex_unlock(&kn->lock);
	return err;
}

static int kcoap_nl_resource_add(struct sk_buff *skb, struct genl_info *info)
{
	return kcoap_nl_resource_write(skb, info, true);
}

static int kcoap_nl_resource_set(struct sk_buff *skb, struct genl_info *info)
{
	return kcoap_nl_resource_write(skb, info, false);
}

static int kcoap_nl_resource_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct kcoap_resource *res;
	const char *path;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_RESOURCE_PATH))
		return -EINVAL;
	path = nla_data(info->attrs[KCOAP_A_RESOURCE_PATH]);
	mutex_lock(&kn->lock);
	res = kn->ready ? kcoap_res_lookup(&kn->res, path, strlen(path)) : NULL;
	if (res) {
		kcoap_obs_end(kn, res, true);
		kcoap_notify_resource(kn, res->path, KCOAP_EVENT_DELETED);
		kcoap_res_del(kn, res);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCOAP_A_RESOURCE_PATH],
				    "no resource with this path");
		err = -ENOENT;
	}
	mutex_unlock(&kn->lock);
	return err;
}

static int kcoap_put_resource(struct sk_buff *skb, const struct kcoap_resource *res,
			      const struct kcoap_res_state *st, size_t data_max)
{
	struct nlattr *nest;
	size_t off;
	int i;

	if (nla_put_string(skb, KCOAP_A_RESOURCE_PATH, res->path) ||
	    nla_put_u32(skb, KCOAP_A_RESOURCE_ID, res->id) ||
	    nla_put_u32(skb, KCOAP_A_RESOURCE_MAX_AGE, st->max_age) ||
	    nla_put_u8(skb, KCOAP_A_RESOURCE_OBS, st->obs) ||
	    (st->secure && nla_put_u8(skb, KCOAP_A_RESOURCE_SECURE, 1)) ||
	    nla_put_u32(skb, KCOAP_A_RESOURCE_METHODS, st->methods) ||
	    nla_put_u32(skb, KCOAP_A_RESOURCE_OBSERVERS, READ_ONCE(res->obs.count)) ||
	    (st->rt && nla_put_string(skb, KCOAP_A_RESOURCE_RT, st->rt)) ||
	    (st->ifd && nla_put_string(skb, KCOAP_A_RESOURCE_IF, st->ifd)) ||
	    (st->title && nla_put_string(skb, KCOAP_A_RESOURCE_TITLE, st->title)))
		return -EMSGSIZE;
	for (i = 0; i < st->nrepr; i++) {
		nest = nla_nest_start(skb, KCOAP_A_RESOURCE_REPR);
		if (!nest ||
		    nla_put_u16(skb, KCOAP_A_REPR_CONTENT_FORMAT, st->repr[i].ct) ||
		    nla_put_u32(skb, KCOAP_A_REPR_SIZE, st->repr[i].len) ||
		    nla_put(skb, KCOAP_A_REPR_ETAG, KCOAP_ETAG_LEN, st->repr[i].etag))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (st->size > data_max)
		return nla_put_flag(skb, KCOAP_A_RESOURCE_DATA_OMITTED);
	for (off = 0; off < st->size; off += KCOAP_DATA_PART_MAX) {
		if (nla_put(skb, KCOAP_A_RESOURCE_DATA,
			    min_t(size_t, st->size - off, KCOAP_DATA_PART_MAX),
			    st->repr[0].data + off))
			return -EMSGSIZE;
	}
	return 0;
}

static int kcoap_nl_resource_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct kcoap_resource *res;
	struct sk_buff *msg;
	const char *path;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCOAP_A_RESOURCE_PATH))
		return -EINVAL;
	path = nla_data(info->attrs[KCOAP_A_RESOURCE_PATH]);
	msg = genlmsg_new(KCOAP_NL_DATA_DO + NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kcoap_family, 0, KCOAP_CMD_RESOURCE_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_msg;
	}
	mutex_lock(&kn->lock);
	res = kn->ready ? kcoap_res_lookup(&kn->res, path, strlen(path)) : NULL;
	if (res)
		err = kcoap_put_resource(msg, res, kcoap_res_state_locked(res),
					 KCOAP_NL_DATA_DO);
	mutex_unlock(&kn->lock);
	if (!res) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCOAP_A_RESOURCE_PATH],
				    "no resource with this path");
		err = -ENOENT;
	}
	if (err)
		goto err_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return err;
}

/*
 * A dump resumes after the last resource id it sent (cb->args[0]), so
 * resources added or deleted between the parts of a dump neither repeat
 * nor stop it.
 */
static int kcoap_nl_resource_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcoap_net *kn = kcoap_cb_net(cb);
	unsigned long id = cb->args[0];
	struct kcoap_resource *res;
	void *hdr;
	int err = 0;

	if (!kcoap_ready(kn))
		return 0;
	mutex_lock(&kn->lock);
	xa_for_each_start(&kn->res.ids, id, res, id) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &kcoap_family, NLM_F_MULTI, KCOAP_CMD_RESOURCE_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = kcoap_put_resource(skb, res, kcoap_res_state_locked(res),
					 KCOAP_NL_DATA_DUMP);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	mutex_unlock(&kn->lock);
	/* Something sent: the rest comes in the next part of the dump. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Statistics */

static int kcoap_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct kcoap_stats_sum *sum;
	struct nlattr *nest;
	struct sk_buff *msg;
	int i, err = -EMSGSIZE;
	void *hdr;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!sum || !msg) {
		err = -ENOMEM;
		goto out;
	}
	/* No state yet: every counter is 0. */
	if (kcoap_ready(kn))
		kcoap_stats_read(kn, sum);
	else
		memset(sum, 0, sizeof(*sum));
	hdr = genlmsg_put_reply(msg, info, &kcoap_family, 0, KCOAP_CMD_STATS_GET);
	if (!hdr)
		goto out;
	for (i = 0; i < KCOAP_STAT_COUNT; i++) {
		if (nla_put_u64_64bit(msg, kcoap_stat_attr(i), sum->cnt[i],
				      KCOAP_A_STATS_PAD))
			goto out;
	}
	mutex_lock(&kn->lock);
	err = nla_put_u64_64bit(msg, KCOAP_A_STATS_DEDUP_ENTRIES,
				kn->ready ? kcoap_dedup_count(&kn->dedup) : 0,
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_DEDUP_BYTES,
				kn->ready ? kcoap_dedup_bytes(&kn->dedup) : 0,
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_RESOURCES, kn->res.count,
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_RESOURCE_BYTES, kn->res.bytes,
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_OBSERVERS, READ_ONCE(kn->obs.count),
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_VERIFIED_PEERS,
				kcoap_peertab_count(&kn->val.verified),
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_RATELIMIT_SOURCES,
				kcoap_peertab_count(&kn->val.buckets),
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_DTLS_SESSIONS,
				kn->ready ? kcoap_dtls_count(kn, KCOAP_DTLS_ESTABLISHED) : 0,
				KCOAP_A_STATS_PAD) ||
	      nla_put_u64_64bit(msg, KCOAP_A_STATS_DTLS_HANDSHAKES,
				kn->ready ? kcoap_dtls_count(kn, KCOAP_DTLS_HANDSHAKE) : 0,
				KCOAP_A_STATS_PAD);
	mutex_unlock(&kn->lock);
	if (err) {
		err = -EMSGSIZE;
		goto out;
	}
	err = -EMSGSIZE;
	for (i = 0; i < KCOAP_CODE_SLOTS; i++) {
		if (!sum->code[i])
			continue;
		nest = nla_nest_start(msg, KCOAP_A_STATS_TX_CODE);
		if (!nest ||
		    nla_put_u8(msg, KCOAP_A_CODE_COUNT_CODE, kcoap_slot_code(i)) ||
		    nla_put_u64_64bit(msg, KCOAP_A_CODE_COUNT_COUNT, sum->code[i],
				      KCOAP_A_CODE_COUNT_PAD))
			goto out;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	kfree(sum);
	return genlmsg_reply(msg, info);
out:
	nlmsg_free(msg);
	kfree(sum);
	return err;
}

static int kcoap_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);

	if (kcoap_ready(kn))
		kcoap_stats_reset(kn);
	return 0;
}

/* Configuration */

static int kcoap_put_config(struct sk_buff *skb, const struct kcoap_config *c)
{
	if (nla_put_u16(skb, KCOAP_A_CONFIG_PORT, c->port) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DEDUP_CON_LIFETIME, c->dedup_con_lifetime) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DEDUP_NON_LIFETIME, c->dedup_non_lifetime) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES, c->dedup_max_entries) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_RESOURCE_MAX_COUNT, c->res_max_count) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_RESOURCE_MAX_SIZE, c->res_max_size) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_OBSERVER_MAX_PER_RESOURCE, c->obs_max_per_res) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_OBSERVER_MAX_TOTAL, c->obs_max_total) ||
	    nla_put_u8(skb, KCOAP_A_CONFIG_MULTICAST, c->multicast) ||
	    nla_put_u8(skb, KCOAP_A_CONFIG_BLOCK_SZX, c->block_szx) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_UNAVAILABLE_MAX_AGE, c->unavailable_max_age) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_ACK_TIMEOUT, c->ack_timeout) ||
	    nla_put_u8(skb, KCOAP_A_CONFIG_MAX_RETRANSMIT, c->max_retransmit) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_OBSERVE_CON_EVERY, c->observe_con_every) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_PIGGYBACK_WINDOW, c->piggyback_window) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DAEMON_TIMEOUT, c->daemon_timeout) ||
	    nla_put_u8(skb, KCOAP_A_CONFIG_AMP_FACTOR, c->amp_factor) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_VERIFY_MAX, c->verify_max) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_VERIFY_LIFETIME, c->verify_lifetime) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_RATELIMIT_RATE, c->rl_rate) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_RATELIMIT_BURST, c->rl_burst) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_RATELIMIT_MAX, c->rl_max) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE, c->wk_max_size) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_MAX_MESSAGE_SIZE, c->max_msg_size) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DEDUP_MAX_BYTES, c->dedup_max_bytes) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DEDUP_MAX_PEER_BYTES, c->dedup_max_peer_bytes) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_OBSERVER_MAX_PER_PEER, c->obs_max_per_peer) ||
	    nla_put_u16(skb, KCOAP_A_CONFIG_DTLS_PORT, c->dtls_port) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DTLS_MAX_SESSIONS, c->dtls_max_sessions) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES, c->dtls_max_handshakes) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DTLS_HANDSHAKE_TIMEOUT,
			c->dtls_handshake_timeout) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DTLS_IDLE_TIMEOUT, c->dtls_idle_timeout) ||
	    nla_put_u32(skb, KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES_PER_PEER,
			c->dtls_max_hs_per_peer))
		return -EMSGSIZE;
	return 0;
}

static int kcoap_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kcoap_family, 0, KCOAP_CMD_CONFIG_GET);
	mutex_lock(&kn->lock);
	err = hdr ? kcoap_put_config(msg, &kn->cfg) : -EMSGSIZE;
	mutex_unlock(&kn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static void kcoap_cfg_u32(const struct nlattr *a, u32 *field)
{
	if (a)
		WRITE_ONCE(*field, nla_get_u32(a));
}

static void kcoap_cfg_u16(const struct nlattr *a, u16 *field)
{
	if (a)
		WRITE_ONCE(*field, nla_get_u16(a));
}

static void kcoap_cfg_u8(const struct nlattr *a, u8 *field)
{
	if (a)
		WRITE_ONCE(*field, nla_get_u8(a));
}

static int kcoap_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct kcoap_config *c = &kn->cfg;
	struct nlattr **a = info->attrs;
	int err;

	mutex_lock(&kn->lock);
	err = kcoap_net_setup(kn);
	if (err)
		goto out;
	if (a[KCOAP_A_CONFIG_PORT] && nla_get_u16(a[KCOAP_A_CONFIG_PORT]) != c->port &&
	    !kcoap_endpoint_is_open(kn)) {
		/* The port endpoint-add will use. */
		kcoap_cfg_u16(a[KCOAP_A_CONFIG_PORT], &c->port);
	} else if (a[KCOAP_A_CONFIG_PORT] &&
		   nla_get_u16(a[KCOAP_A_CONFIG_PORT]) != c->port) {
		u16 old = c->port;

		/* Close first: the new port may be the old one's neighbour in use. */
		kcoap_socket_close(kn, false);
		WRITE_ONCE(c->port, nla_get_u16(a[KCOAP_A_CONFIG_PORT]));
		err = kcoap_socket_open(kn);
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_CONFIG_PORT],
					    "cannot bind this UDP port");
			WRITE_ONCE(c->port, old);
			if (kcoap_socket_open(kn))
				pr_err("could not reopen UDP port %u\n", old);
			else if (c->multicast)
				kcoap_mcast_update(kn);
			goto out;
		}
		if (c->multicast)
			kcoap_mcast_update(kn);
	}
	if (a[KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES] &&
	    nla_get_u32(a[KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES]) != c->dedup_max_entries) {
		/* The table is sized for its limit: a new limit starts afresh. */
		err = kcoap_dedup_resize(&kn->dedup,
					 nla_get_u32(a[KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES]));
		if (err)
			goto out;
		kcoap_cfg_u32(a[KCOAP_A_CONFIG_DEDUP_MAX_ENTRIES], &c->dedup_max_entries);
	}
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DEDUP_CON_LIFETIME], &c->dedup_con_lifetime);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DEDUP_NON_LIFETIME], &c->dedup_non_lifetime);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_RESOURCE_MAX_COUNT], &c->res_max_count);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_RESOURCE_MAX_SIZE], &c->res_max_size);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_OBSERVER_MAX_PER_RESOURCE], &c->obs_max_per_res);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_OBSERVER_MAX_TOTAL], &c->obs_max_total);
	if (a[KCOAP_A_CONFIG_MULTICAST] &&
	    nla_get_u8(a[KCOAP_A_CONFIG_MULTICAST]) != c->multicast) {
		kcoap_cfg_u8(a[KCOAP_A_CONFIG_MULTICAST], &c->multicast);
		kcoap_mcast_update(kn);
	}
	if ((a[KCOAP_A_CONFIG_BLOCK_SZX] &&
	     nla_get_u8(a[KCOAP_A_CONFIG_BLOCK_SZX]) != c->block_szx) ||
	    (a[KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE] &&
	     nla_get_u32(a[KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE]) != c->wk_max_size)) {
		/* The links' "sz" depends on the block size. */
		kcoap_cfg_u8(a[KCOAP_A_CONFIG_BLOCK_SZX], &c->block_szx);
		kcoap_cfg_u32(a[KCOAP_A_CONFIG_WELLKNOWN_MAX_SIZE], &c->wk_max_size);
		kcoap_wk_render(kn);
	}
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_UNAVAILABLE_MAX_AGE], &c->unavailable_max_age);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_ACK_TIMEOUT], &c->ack_timeout);
	kcoap_cfg_u8(a[KCOAP_A_CONFIG_MAX_RETRANSMIT], &c->max_retransmit);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_OBSERVE_CON_EVERY], &c->observe_con_every);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_PIGGYBACK_WINDOW], &c->piggyback_window);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DAEMON_TIMEOUT], &c->daemon_timeout);
	kcoap_cfg_u8(a[KCOAP_A_CONFIG_AMP_FACTOR], &c->amp_factor);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_VERIFY_MAX], &c->verify_max);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_VERIFY_LIFETIME], &c->verify_lifetime);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_RATELIMIT_RATE], &c->rl_rate);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_RATELIMIT_BURST], &c->rl_burst);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_RATELIMIT_MAX], &c->rl_max);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_MAX_MESSAGE_SIZE], &c->max_msg_size);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DEDUP_MAX_BYTES], &c->dedup_max_bytes);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DEDUP_MAX_PEER_BYTES], &c->dedup_max_peer_bytes);
	kcoap_dedup_set_limits(&kn->dedup, c->dedup_max_bytes, c->dedup_max_peer_bytes);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_OBSERVER_MAX_PER_PEER], &c->obs_max_per_peer);
	if (a[KCOAP_A_CONFIG_DTLS_PORT] &&
	    nla_get_u16(a[KCOAP_A_CONFIG_DTLS_PORT]) != c->dtls_port) {
		/* An open endpoint moves its coaps sockets (0: closes them). */
		err = kcoap_dtls_port_set(kn, nla_get_u16(a[KCOAP_A_CONFIG_DTLS_PORT]));
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCOAP_A_CONFIG_DTLS_PORT],
					    "cannot bind this UDP port for coaps");
			goto out;
		}
	}
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DTLS_MAX_SESSIONS], &c->dtls_max_sessions);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES], &c->dtls_max_handshakes);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DTLS_HANDSHAKE_TIMEOUT],
		      &c->dtls_handshake_timeout);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DTLS_IDLE_TIMEOUT], &c->dtls_idle_timeout);
	kcoap_cfg_u32(a[KCOAP_A_CONFIG_DTLS_MAX_HANDSHAKES_PER_PEER],
		      &c->dtls_max_hs_per_peer);
out:
	mutex_unlock(&kn->lock);
	return err;
}

/* Endpoint */

static int kcoap_nl_endpoint_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[KCOAP_A_ENDPOINT_PORT];
	struct kcoap_net *kn = kcoap_info_net(info);
	int err;

	mutex_lock(&kn->lock);
	err = kcoap_endpoint_open(kn, a ? nla_get_u16(a) : kn->cfg.port);
	mutex_unlock(&kn->lock);
	if (err == -EEXIST)
		NL_SET_ERR_MSG(info->extack,
			       "this namespace has its endpoint (endpoint-del first)");
	else if (err == -EADDRINUSE)
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "the UDP port is in use in this namespace");
	else if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "cannot open the UDP sockets");
	return err;
}

static int kcoap_nl_endpoint_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	int err;

	mutex_lock(&kn->lock);
	err = kcoap_endpoint_close(kn);
	mutex_unlock(&kn->lock);
	if (err)
		NL_SET_ERR_MSG(info->extack, "this namespace has no endpoint");
	return err;
}

static int kcoap_nl_endpoint_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kcoap_net *kn = kcoap_info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kcoap_family, 0, KCOAP_CMD_ENDPOINT_GET);
	mutex_lock(&kn->lock);
	err = !hdr ||
	      nla_put_u16(msg, KCOAP_A_ENDPOINT_PORT, kn->cfg.port) ||
	      nla_put_u8(msg, KCOAP_A_ENDPOINT_OPEN, kcoap_endpoint_is_open(kn)) ||
	      nla_put_u8(msg, KCOAP_A_ENDPOINT_IPV6, !!rcu_access_pointer(kn->sock6));
	mutex_unlock(&kn->lock);
	if (err) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Observers: a snapshot taken when the dump starts, like the peers. */
struct kcoap_obs_dump {
	unsigned int n;
	unsigned int next;
	struct kcoap_obs_info e[];
};

static int kcoap_nl_observer_start(struct netlink_callback *cb)
{
	struct kcoap_net *kn = kcoap_cb_net(cb);
	struct kcoap_obs_dump *dump;
	unsigned int max;

	mutex_lock(&kn->lock);
	max = kn->ready ? READ_ONCE(kn->obs.count) : 0;
	dump = kvmalloc(struct_size(dump, e, max), GFP_KERNEL_ACCOUNT);
	if (dump) {
		dump->n = max ? kcoap_obs_snapshot(kn, dump->e, max) : 0;
		dump->next = 0;
	}
	mutex_unlock(&kn->lock);
	if (!dump)
		return -ENOMEM;
	cb->args[0] = (long)dump;
	return 0;
}

static int kcoap_put_observer(struct kcoap_net *kn, struct sk_buff *skb,
			      const struct kcoap_obs_info *e)
{
	bool v4 = ipv6_addr_v4mapped(&e->addr);
	struct kcoap_resource *res;
	int err = 0;

	if (nla_put(skb, KCOAP_A_OBSERVER_ADDR, v4 ? 4 : 16,
		    v4 ? (const void *)&e->addr.s6_addr32[3] : &e->addr) ||
	    nla_put_be16(skb, KCOAP_A_OBSERVER_PORT, e->port) ||
	    nla_put(skb, KCOAP_A_OBSERVER_TOKEN, e->tkl, e->token) ||
	    nla_put_u32(skb, KCOAP_A_OBSERVER_SEQ, kcoap_obs_value(e->seq)) ||
	    nla_put_u8(skb, KCOAP_A_OBSERVER_CON_PENDING, e->con_pending) ||
	    (e->ct >= 0 && nla_put_u16(skb, KCOAP_A_OBSERVER_CONTENT_FORMAT, e->ct)))
		return -EMSGSIZE;
	mutex_lock(&kn->lock);
	res = xa_load(&kn->res.ids, e->res_id);
	if (res)
		err = nla_put_string(skb, KCOAP_A_OBSERVER_PATH, res->path);
	mutex_unlock(&kn->lock);
	return err;
}

static int kcoap_nl_observer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcoap_obs_dump *dump = (void *)cb->args[0];
	struct kcoap_net *kn = kcoap_cb_net(cb);
	void *hdr;

	for (; dump->next < dump->n; dump->next++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &kcoap_family, NLM_F_MULTI, KCOAP_CMD_OBSERVER_GET);
		if (!hdr)
			break;
		if (kcoap_put_observer(kn, skb, &dump->e[dump->next])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	return skb->len;
}

/*
 * Deduplication entries: a snapshot of at most "limit" of them is taken
 * when the dump starts, so the dump is consistent and its size bounded.
 */
struct kcoap_peer_dump {
	unsigned int n;
	unsigned int next;
	struct kcoap_dedup_info e[];
};

/*
 * The dump's own request ("limit") is parsed here rather than through
 * genl_dumpit_info(), whose layout differs between 6.1 and 6.12.
 */
static int kcoap_nl_peer_start(struct netlink_callback *cb)
{
	struct kcoap_net *kn = kcoap_cb_net(cb);
	struct nlattr *tb[KCOAP_A_PEER_MAX + 1];
	struct kcoap_peer_dump *dump;
	u32 limit = KCOAP_PEER_DUMP_DEFAULT;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, KCOAP_A_PEER_MAX,
			  kcoap_peer_policy, cb->extack);
	if (err)
		return err;
	if (tb[KCOAP_A_PEER_LIMIT])
		limit = nla_get_u32(tb[KCOAP_A_PEER_LIMIT]);
	dump = kvmalloc(struct_size(dump, e, limit), GFP_KERNEL_ACCOUNT);
	if (!dump)
		return -ENOMEM;
	mutex_lock(&kn->lock);
	dump->n = kn->ready ? kcoap_dedup_snapshot(&kn->dedup, jiffies, dump->e, limit) : 0;
	mutex_unlock(&kn->lock);
	dump->next = 0;
	cb->args[0] = (long)dump;
	return 0;
}

static int kcoap_put_peer(struct sk_buff *skb, const struct kcoap_dedup_info *e)
{
	const struct in6_addr *a = &e->key.addr;
	bool v4 = ipv6_addr_v4mapped(a);

	if (nla_put(skb, KCOAP_A_PEER_ADDR, v4 ? 4 : 16, v4 ? &a->s6_addr32[3] : (void *)a) ||
	    nla_put_be16(skb, KCOAP_A_PEER_PORT, e->key.port) ||
	    nla_put_u16(skb, KCOAP_A_PEER_MID, e->key.mid) ||
	    nla_put_u8(skb, KCOAP_A_PEER_TYPE, e->type) ||
	    nla_put_u32(skb, KCOAP_A_PEER_EXPIRES, e->expires_ms) ||
	    nla_put_u32(skb, KCOAP_A_PEER_REPLY_LEN, e->reply_len))
		return -EMSGSIZE;
	return 0;
}

static int kcoap_nl_peer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcoap_peer_dump *dump = (void *)cb->args[0];
	void *hdr;

	for (; dump->next < dump->n; dump->next++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &kcoap_family, NLM_F_MULTI, KCOAP_CMD_PEER_GET);
		if (!hdr)
			break;
		if (kcoap_put_peer(skb, &dump->e[dump->next])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	return skb->len;
}

/* The end of a dump from a snapshot (peers, observers). */
static int kcoap_nl_snapshot_done(struct netlink_callback *cb)
{
	kvfree((void *)cb->args[0]);
	return 0;
}

static const struct genl_ops kcoap_ops[] = {
	{
		.cmd = KCOAP_CMD_RESOURCE_ADD,
		.doit = kcoap_nl_resource_add,
		.policy = kcoap_resource_policy,
		.maxattr = KCOAP_A_RESOURCE_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_RESOURCE_SET,
		.doit = kcoap_nl_resource_set,
		.policy = kcoap_resource_policy,
		.maxattr = KCOAP_A_RESOURCE_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_RESOURCE_DEL,
		.doit = kcoap_nl_resource_del,
		.policy = kcoap_resource_policy,
		.maxattr = KCOAP_A_RESOURCE_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_RESOURCE_GET,
		.doit = kcoap_nl_resource_get,
		.dumpit = kcoap_nl_resource_dump,
		.policy = kcoap_resource_policy,
		.maxattr = KCOAP_A_RESOURCE_MAX,
	}, {
		.cmd = KCOAP_CMD_STATS_GET,
		.doit = kcoap_nl_stats_get,
	}, {
		.cmd = KCOAP_CMD_STATS_RESET,
		.doit = kcoap_nl_stats_reset,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_CONFIG_GET,
		.doit = kcoap_nl_config_get,
	}, {
		.cmd = KCOAP_CMD_CONFIG_SET,
		.doit = kcoap_nl_config_set,
		.policy = kcoap_config_policy,
		.maxattr = KCOAP_A_CONFIG_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_OBSERVER_GET,
		.start = kcoap_nl_observer_start,
		.dumpit = kcoap_nl_observer_dump,
		.done = kcoap_nl_snapshot_done,
		/* Other clients' addresses and tokens. */
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_PEER_GET,
		.start = kcoap_nl_peer_start,
		.dumpit = kcoap_nl_peer_dump,
		.done = kcoap_nl_snapshot_done,
		.policy = kcoap_peer_policy,
		.maxattr = KCOAP_A_PEER_MAX,
		/* Other clients' addresses and Message IDs. */
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_DAEMON_ATTACH,
		.doit = kcoap_nl_daemon_attach,
		.policy = kcoap_daemon_policy,
		.maxattr = KCOAP_A_DAEMON_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_DAEMON_DETACH,
		.doit = kcoap_nl_daemon_detach,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_DAEMON_GET,
		.doit = kcoap_nl_daemon_get,
	}, {
		.cmd = KCOAP_CMD_ENDPOINT_ADD,
		.doit = kcoap_nl_endpoint_add,
		.policy = kcoap_endpoint_policy,
		.maxattr = KCOAP_A_ENDPOINT_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_ENDPOINT_DEL,
		.doit = kcoap_nl_endpoint_del,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_ENDPOINT_GET,
		.doit = kcoap_nl_endpoint_get,
	}, {
		.cmd = KCOAP_CMD_SESSION_ADD,
		.doit = kcoap_nl_session_add,
		.policy = kcoap_session_policy,
		.maxattr = KCOAP_A_SESSION_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_SESSION_DEL,
		.doit = kcoap_nl_session_del,
		.policy = kcoap_session_policy,
		.maxattr = KCOAP_A_SESSION_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KCOAP_CMD_SESSION_GET,
		.doit = kcoap_nl_session_get,
		.dumpit = kcoap_nl_session_dump,
		.done = kcoap_nl_session_done,
		.policy = kcoap_session_policy,
		.maxattr = KCOAP_A_SESSION_MAX,
		/* Peers' addresses and identities. */
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family kcoap_family __ro_after_init = {
	.name = KCOAP_FAMILY_NAME,
	.version = KCOAP_FAMILY_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = kcoap_ops,
	.n_ops = ARRAY_SIZE(kcoap_ops),
	.mcgrps = kcoap_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kcoap_mcgrps),
};

struct genl_family *kcoap_genl_family(void)
{
	return &kcoap_family;
}

int __init kcoap_netlink_init(void)
{
	return genl_register_family(&kcoap_family);
}

void kcoap_netlink_exit(void)
{
	genl_unregister_family(&kcoap_family);
}
