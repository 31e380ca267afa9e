// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS handshakes in flight and sessions of a namespace, and the netlink
 * commands session-add, session-del and session-get (uapi/kcoap.yaml).
 */
#include <net/genetlink.h>

#include <linux/kcoap.h>

#include "kcoap.h"
#include "dtls.h"

/* The kernel's names for the suites are the uapi's values. */
static_assert((int)KCOAP_DTLS_AES_128_CCM_8 == (int)KCOAP_DTLS_SUITE_AES_128_CCM_8);
static_assert((int)KCOAP_DTLS_AES_128_CCM == (int)KCOAP_DTLS_SUITE_AES_128_CCM);
static_assert((int)KCOAP_DTLS_AES_128_GCM == (int)KCOAP_DTLS_SUITE_AES_128_GCM);
static_assert((int)KCOAP_DTLS_AES_256_GCM == (int)KCOAP_DTLS_SUITE_AES_256_GCM);

const struct nla_policy kcoap_session_policy[KCOAP_A_SESSION_MAX + 1] = {
	[KCOAP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KCOAP_A_SESSION_SUITE] = NLA_POLICY_RANGE(NLA_U8, KCOAP_DTLS_AES_128_CCM_8,
						   KCOAP_DTLS_AES_256_GCM),
	[KCOAP_A_SESSION_EPOCH] = { .type = NLA_U16 },
	[KCOAP_A_SESSION_RX_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KCOAP_A_SESSION_RX_SALT] = NLA_POLICY_EXACT_LEN(4),
	[KCOAP_A_SESSION_RX_SEQ] = { .type = NLA_U64 },
	[KCOAP_A_SESSION_TX_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KCOAP_A_SESSION_TX_SALT] = NLA_POLICY_EXACT_LEN(4),
	[KCOAP_A_SESSION_TX_SEQ] = { .type = NLA_U64 },
	[KCOAP_A_SESSION_IDENTITY] = { .type = NLA_NUL_STRING,
				       .len = KCOAP_DTLS_IDENTITY_MAX },
};

int kcoap_nl_session_add(struct sk_buff *skb, struct genl_info *info)
{
	return -EOPNOTSUPP;
}

int kcoap_nl_session_del(struct sk_buff *skb, struct genl_info *info)
{
	return -EOPNOTSUPP;
}

int kcoap_nl_session_get(struct sk_buff *skb, struct genl_info *info)
{
	return -EOPNOTSUPP;
}

int kcoap_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return -EOPNOTSUPP;
}
