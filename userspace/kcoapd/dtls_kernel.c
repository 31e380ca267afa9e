// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * dtls.c's way to the kernel (docs/dtls.md): flights down the response
 * ring (KCOAP_RSP_F_DTLS, kicked with the turn's batch), sessions in over
 * netlink (session-add, with the keys; session-del for a handshake that
 * failed), and the identity of a session a request came over, for the ACL
 * (session-get when dtls.c does not know it, e.g. after a restart).
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/kcoap.h>

#include "dtls.h"
#include "kcoap_nl.h"
#include "kcoap_ring.h"
#include "kcoapd.h"

static struct kcoap_nl *nl;
static struct kcoap_ring_user *ring;

static int k_send(uint32_t id, const uint8_t *buf, size_t len)
{
	int err = kcoap_ring_dtls_send(ring, id, buf, len);

	if (err == -ENOSPC) {
		kcoap_ring_kick(ring);
		err = kcoap_ring_dtls_send(ring, id, buf, len);
	}
	if (err)
		kcoapd_log(LOG_WARNING, "dtls %u: a %zu-byte flight not sent: %s", id, len,
			   strerror(-err));
	else
		kick_later();
	return err;
}

static int k_established(uint32_t id, const struct dtls_keys *k)
{
	struct nl_msg *msg = kcoap_nl_msg(nl, KCOAP_CMD_SESSION_ADD, 0, 512);
	int err;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KCOAP_A_SESSION_ID, id) ||
	    nla_put_u8(msg, KCOAP_A_SESSION_SUITE, k->suite) ||
	    nla_put_u16(msg, KCOAP_A_SESSION_EPOCH, k->epoch) ||
	    nla_put(msg, KCOAP_A_SESSION_RX_KEY, k->key_len, k->rx_key) ||
	    nla_put(msg, KCOAP_A_SESSION_RX_SALT, 4, k->rx_salt) ||
	    nla_put_u64(msg, KCOAP_A_SESSION_RX_SEQ, k->rx_seq) ||
	    nla_put(msg, KCOAP_A_SESSION_TX_KEY, k->key_len, k->tx_key) ||
	    nla_put(msg, KCOAP_A_SESSION_TX_SALT, 4, k->tx_salt) ||
	    nla_put_u64(msg, KCOAP_A_SESSION_TX_SEQ, k->tx_seq) ||
	    nla_put_string(msg, KCOAP_A_SESSION_IDENTITY, k->identity) ||
	    (k->cid_len && nla_put(msg, KCOAP_A_SESSION_CID, k->cid_len, k->cid)) ||
	    (k->peer_cid_len &&
	     nla_put(msg, KCOAP_A_SESSION_PEER_CID, k->peer_cid_len, k->peer_cid))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/*
	 * Before the kernel sends our Finished (queued on the ring, kicked at
	 * the end of this turn): the client's first request, right after it,
	 * must find the session established, not a handshake whose records go
	 * up to us.
	 */
	err = kcoap_nl_request(nl, msg, NULL, NULL);
	if (err && nl->extack[0])
		kcoapd_log(LOG_WARNING, "dtls %u: session-add: %s", id, nl->extack);
	return err;
}

static void k_failed(uint32_t id)
{
	struct nl_msg *msg = kcoap_nl_msg(nl, KCOAP_CMD_SESSION_DEL, 0, 16);

	dtls_identity_forget(id);
	if (!msg)
		return;
	if (nla_put_u32(msg, KCOAP_A_SESSION_ID, id)) {
		nlmsg_free(msg);
		return;
	}
	kcoap_ring_kick(ring);		/* an alert may still be on its way down */
	kcoap_nl_request(nl, msg, NULL, NULL);	/* ENOENT: expired already */
}

struct ident {
	char *buf;
	size_t cap;
	bool got;
};

static int parse_identity(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KCOAP_A_SESSION_MAX + 1];
	struct ident *id = arg;

	if (genlmsg_parse(nlh, 0, tb, KCOAP_A_SESSION_MAX, NULL) ||
	    !tb[KCOAP_A_SESSION_IDENTITY])
		return 0;
	snprintf(id->buf, id->cap, "%s", nla_get_string(tb[KCOAP_A_SESSION_IDENTITY]));
	id->got = true;
	return 0;
}

static int k_lookup(uint32_t sid, char *buf, size_t cap)
{
	struct nl_msg *msg = kcoap_nl_msg(nl, KCOAP_CMD_SESSION_GET, 0, 16);
	struct ident id = { buf, cap, false };
	int err;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KCOAP_A_SESSION_ID, sid)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = kcoap_nl_request(nl, msg, parse_identity, &id);
	return err ? err : id.got ? 0 : -ENOENT;
}

static const struct dtls_io io = { k_send, k_established, k_failed };

int dtls_kernel_init(struct kcoap_nl *n, struct kcoap_ring_user *r,
		     const struct kcoapd_config *c)
{
	uint32_t mtu = c->dtls_mtu;

	nl = n;
	ring = r;
	if (mtu > r->info.slot_size)
		mtu = r->info.slot_size;
	return dtls_init(&io, c->dtls_handshakes_max, mtu);
}

const char *req_identity(const struct kcoap_req_desc *d)
{
	const char *id;

	if (!d->session)
		return NULL;
	dtls_session_used(d->session);
	id = dtls_identity(d->session, k_lookup);
	/* A session with no client credentials: only its address speaks. */
	return id && *id ? id : NULL;
}

void dtls_status(FILE *f)
{
	const struct dtls_stats *s = dtls_stats();

	if (!s->on) {
		fputs("dtls off\n", f);
		return;
	}
	fprintf(f, "dtls-handshakes %u %u\n", s->in_flight, s->max);
	fprintf(f, "dtls-established %llu\n", (unsigned long long)s->established);
	fprintf(f, "dtls-failed %llu\n", (unsigned long long)s->failed);
	fprintf(f, "dtls-refused %llu\n", (unsigned long long)s->refused_full);
	fprintf(f, "dtls-linger-evicted %llu\n", (unsigned long long)s->linger_evicted);
	fprintf(f, "dtls-cid-sessions %llu\n", (unsigned long long)s->cid);
}
