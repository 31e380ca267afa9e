// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * What leaves through the coaps sockets: CoAP messages to a session's
 * peer, sealed as one application data record each (RFC 7252 §9.1: one
 * message per record), and the daemon's handshake datagrams as they are.
 * kcoap_send() comes here for any peer with a session, so answers, empty
 * ACKs and RSTs, separate responses, retransmissions, notifications and
 * Block2 blocks are all sealed, each with the next sequence number of the
 * session's write state, to the session's current address. A message for
 * a session that is gone is not sent (tx-errors).
 */
#include <linux/percpu.h>

#include "kcoap.h"
#include "dtls.h"
#include "dtls_path.h"
#include "peer.h"
#include "serve.h"

/*
 * Header, explicit nonce and tag: 37 at most with the suites of dtls.h;
 * a peer's CID (RFC 9146 §4) and the real type byte add up to 256.
 */
#define KCOAP_DTLS_OVERHEAD_MAX	(64 + KCOAP_DTLS_CID_MAX + 1)

/* A sealed record; softirqs do not nest on a CPU, and BH is off here. */
struct kcoap_dtls_buf {
	u8 b[KCOAP_REPLY_MAX + KCOAP_DTLS_OVERHEAD_MAX];
};

static struct kcoap_dtls_buf __percpu *kcoap_dtls_out __read_mostly;

int __init kcoap_dtls_bufs_init(void)
{
	kcoap_dtls_out = alloc_percpu(struct kcoap_dtls_buf);
	return kcoap_dtls_out ? 0 : -ENOMEM;
}

void kcoap_dtls_bufs_exit(void)
{
	free_percpu(kcoap_dtls_out);
}

int kcoap_dtls_send(struct kcoap_net *kn, const struct kcoap_peer *p,
		    const void *buf, size_t len)
{
	struct kcoap_dtls_sess *s;
	struct kcoap_peer to;
	int n, err;
	u8 *out;

	local_bh_disable();
	rcu_read_lock();
	s = kcoap_dtls_get(kn, p->session);
	if (likely(s && READ_ONCE(s->state) == KCOAP_DTLS_ESTABLISHED)) {
		out = this_cpu_ptr(kcoap_dtls_out)->b;
		/* To where the peer is now (RFC 9146 §6 may move it). */
		n = kcoap_dtls_seal_to(s, KCOAP_DTLS_CT_APPDATA, buf, len, out,
				       sizeof(struct kcoap_dtls_buf), &to);
		if (likely(n > 0)) {
			/* It counts its own failures. */
			err = kcoap_xmit(kn, &to, out, n, true);
			if (!err)
				kcoap_stat_inc(kn, KCOAP_STAT_DTLS_TX_RECORDS);
			goto out;
		}
	}
	/* The session ended or expired, or the record could not be made. */
	err = -ENOTCONN;
	kcoap_stat_inc(kn, KCOAP_STAT_TX_ERRORS);
out:
	rcu_read_unlock();
	local_bh_enable();
	return err;
}

void kcoap_dtls_send_raw(struct kcoap_net *kn, u32 id, const u8 *buf,
			 size_t len)
{
	struct kcoap_dtls_sess *s;
	struct kcoap_peer to;

	rcu_read_lock();
	s = kcoap_dtls_get(kn, id);
	/* At least a record header: the daemon sends DTLS, nothing else. */
	if (!s || len < KCOAP_DTLS_HDR_LEN || buf[1] != 0xfe) {
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_RAW_REFUSED);
	} else {
		/* The session's current address (RFC 9146 §6). */
		spin_lock_bh(&s->lock);
		to = s->peer;
		spin_unlock_bh(&s->lock);
		kcoap_xmit(kn, &to, buf, len, true);
	}
	rcu_read_unlock();
}
