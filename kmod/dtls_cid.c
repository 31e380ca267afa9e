// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Records with a DTLS 1.2 connection ID (RFC 9146) on a coaps socket.
 *
 * kcoapd asks every client that offers the extension for a CID of
 * KCOAP_DTLS_CID_LEN bytes; session-add puts the session in a table by it.
 * A datagram whose first record is tls12_cid (§4) is for the session its
 * CID names, whatever address it comes from:
 *
 *   a session        its records are opened (§5.3) and dispatched by their
 *                    real type as dtls_receive.c does; one that opened and
 *                    is newer than any before, from another address, moves
 *                    the session there (§6): everything the kernel sends in
 *                    the session goes to the new address from then on.
 *   no session       the client's Finished of a handshake still in kcoapd
 *                    (§7: it is the first record with a CID): up, as
 *                    received, if the address has a handshake entry;
 *                    otherwise dropped, counted in dtls-cid-unknown.
 *
 * Records without CID from the address of a session with one are invalid
 * (§3): dropped, counted in dtls-cid-expected. The CID is not secret and
 * anyone can put it in a record: only the record's authentication makes a
 * move, and §6's "newer" check keeps a replayed record from moving the
 * session back. No return-routability check is made (§6 leaves the
 * strategy open; RFC 9146 §9 names the reflection risk).
 */
#include "kcoap.h"
#include "dtls.h"
#include "dtls_path.h"
#include "peer.h"

/* tls12_cid, version, epoch, sequence_number: the CID comes after. */
#define KCOAP_DTLS_CID_OFF	11
#define KCOAP_DTLS_CID_HDR_LEN	(KCOAP_DTLS_HDR_LEN + KCOAP_DTLS_CID_LEN)

/*
 * An alert of @s that opened, at @plain: close_notify ends the session
 * (true); any other goes up as received.
 */
static bool kcoap_dtls_cid_alert(struct kcoap_net *kn, const struct kcoap_peer *p,
				 struct kcoap_dtls_sess *s, u8 *rec,
				 unsigned int len, const u8 *plain, size_t plen)
{
	/* RFC 5246 §7.2.1: the peer closes; no need to answer in kind. */
	if (plen == 2 && plain[1] == KCOAP_DTLS_ALERT_CLOSE_NOTIFY) {
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CLOSE_NOTIFY);
		kcoap_dtls_del(kn, s);
		return true;
	}
	if (!kcoap_dtls_reclose(s, rec, len))
		kcoap_dtls_up(kn, p, s->id, rec, len);
	return false;
}

/* The records of a datagram for established session @s, from @p. */
static void kcoap_dtls_cid_records(struct kcoap_net *kn,
				   const struct kcoap_peer *p,
				   struct kcoap_dtls_sess *s, u8 *data,
				   unsigned int len)
{
	/* CoAP state knows the peer by where the session began. */
	struct kcoap_peer sp = s->home;
	unsigned int rlen;
	bool moved;
	size_t plen;
	u8 type;
	u8 *plain;
	int err;

	sp.session = s->id;
	while (len) {
		if (data[0] != KCOAP_DTLS_CT_CID) {
			/* §3: the rest of the datagram goes as such records do. */
			kcoap_dtls_cid_expected(kn, p, s, data, len);
			return;
		}
		rlen = len < KCOAP_DTLS_CID_HDR_LEN ? U32_MAX :
		       KCOAP_DTLS_CID_HDR_LEN +
		       kcoap_get_be16(data + KCOAP_DTLS_CID_HDR_LEN - 2);
		if (rlen > len) {
			/* RFC 6347 §4.1.2.7: an invalid record is dropped. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
			return;
		}
		if (memcmp(data + KCOAP_DTLS_CID_OFF, s->cid, KCOAP_DTLS_CID_LEN)) {
			/* Another session's record in this one's datagram. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CID_UNKNOWN);
			return;
		}
		kcoap_stat_inc(kn, KCOAP_STAT_DTLS_RX_RECORDS);
		err = kcoap_dtls_open_cid(s, data, rlen, p, &type, &plen, &moved);
		if (err) {
			kcoap_stat_inc(kn, err == -EALREADY ? KCOAP_STAT_DTLS_REPLAYED :
							      KCOAP_STAT_DTLS_BAD_RECORD);
			goto next;
		}
		/* Before the message is served: its answer goes there. */
		if (moved)
			kcoap_dtls_moved(kn, s);
		plain = data + KCOAP_DTLS_CID_HDR_LEN + 8;
		if (type == KCOAP_DTLS_CT_APPDATA) {
			kcoap_receive_msg(kn, &sp, plain, plen);
		} else if (type == KCOAP_DTLS_CT_ALERT) {
			if (kcoap_dtls_cid_alert(kn, p, s, data, rlen, plain, plen))
				return;		/* the session is gone */
		} else if (!kcoap_dtls_reclose(s, data, rlen)) {
			/* Handshake (a retransmitted Finished), what we do not know. */
			kcoap_dtls_up(kn, p, s->id, data, rlen);
		}
next:
		data += rlen;
		len -= rlen;
	}
}

void kcoap_dtls_cid_receive(struct kcoap_net *kn, const struct kcoap_peer *p,
			    u8 *data, unsigned int len)
{
	struct kcoap_dtls_sess *s = NULL;

	if (len >= KCOAP_DTLS_CID_HDR_LEN)
		s = kcoap_dtls_find_cid(kn, data + KCOAP_DTLS_CID_OFF);
	if (s && READ_ONCE(s->state) == KCOAP_DTLS_ESTABLISHED) {
		kcoap_dtls_cid_records(kn, p, s, data, len);
		return;
	}
	/*
	 * The client's Finished, the first record with our CID (RFC 9146
	 * §7): its handshake is still kcoapd's, which translates it.
	 */
	s = kcoap_dtls_find(kn, p);
	if (s && READ_ONCE(s->state) == KCOAP_DTLS_HANDSHAKE) {
		kcoap_dtls_up(kn, p, s->id, data, len);
		return;
	}
	kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CID_UNKNOWN);
}

void kcoap_dtls_cid_expected(struct kcoap_net *kn, const struct kcoap_peer *p,
			     struct kcoap_dtls_sess *s, const u8 *data,
			     unsigned int len)
{
	unsigned int rlen;

	while (len) {
		rlen = len < KCOAP_DTLS_HDR_LEN ? U32_MAX :
		       KCOAP_DTLS_HDR_LEN + kcoap_get_be16(data + 11);
		if (rlen > len) {
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
			return;
		}
		if (data[0] == KCOAP_DTLS_CT_CID) {
			/* Its length is elsewhere: the rest cannot be split. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_BAD_RECORD);
			return;
		} else if (kcoap_get_be16(data + 3)) {
			/* §3: once encrypted, every record carries the CID. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_CID_EXPECTED);
		} else {
			/* Epoch 0: the handshake's, a retransmitted flight. */
			kcoap_stat_inc(kn, KCOAP_STAT_DTLS_RX_RECORDS);
			kcoap_dtls_up(kn, p, s->id, data, rlen);
		}
		data += rlen;
		len -= rlen;
	}
}
