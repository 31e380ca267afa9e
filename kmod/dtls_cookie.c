// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Stateless cookies for DTLS (RFC 6347 §4.2.1). A ClientHello without our
 * cookie gets a HelloVerifyRequest carrying one, and nothing is kept: a
 * spoofed source costs one small datagram (smaller than the ClientHello)
 * and no daemon work. Only a ClientHello that echoes the cookie, which
 * proves the sender receives at its address, makes a handshake entry.
 *
 * The cookie is, as §4.2.1 suggests, a MAC keyed with a secret over the
 * client's address and port and the ClientHello parameters that must not
 * change between the two ClientHellos (client_version, random, session_id,
 * cipher_suites, compression_methods): two SipHash-2-4 values under two
 * random keys of the namespace, 128 bits. As with Echo values
 * (validate.c), the number of the current 30-second epoch of the boot-time
 * clock is part of the input and the current and previous epochs are
 * accepted: a cookie is good for 30 to 60 seconds, with no timer.
 */
#include <linux/siphash.h>
#include <crypto/algapi.h>	/* crypto_memneq() */

#include "kcoap.h"
#include "dtls.h"
#include "dtls_path.h"
#include "peer.h"

/* client_version, random, session_id length: RFC 5246 §7.4.1.2 */
#define KCOAP_HELLO_FIXED	(2 + 32 + 1)

int kcoap_dtls_hello_parse(const u8 *rec, size_t len,
			   struct kcoap_dtls_hello *h)
{
	u32 rlen, blen, foff, flen, n;
	const u8 *b, *end;

	if (len < KCOAP_DTLS_HDR_LEN + 1 || rec[0] != KCOAP_DTLS_CT_HANDSHAKE ||
	    kcoap_get_be16(rec + 3) != 0 ||
	    rec[KCOAP_DTLS_HDR_LEN] != KCOAP_DTLS_HS_CLIENT_HELLO)
		return -ENOENT;
	rlen = kcoap_get_be16(rec + 11);
	if (rec[1] != 0xfe || rlen > len - KCOAP_DTLS_HDR_LEN ||
	    rlen < KCOAP_DTLS_HS_HDR_LEN)
		return -EBADMSG;
	h->rec_seq = kcoap_get_be48(rec + 5);
	b = rec + KCOAP_DTLS_HDR_LEN;
	blen = kcoap_get_be24(b + 1);
	h->msg_seq = kcoap_get_be16(b + 4);
	foff = kcoap_get_be24(b + 6);
	flen = kcoap_get_be24(b + 9);
	if (flen > rlen - KCOAP_DTLS_HS_HDR_LEN || foff > blen ||
	    flen > blen - foff)
		return -EBADMSG;
	/* §4.2.3: one message in pieces; a whole one is offset 0, all of it. */
	if (foff || flen != blen)
		return -EMSGSIZE;
	b += KCOAP_DTLS_HS_HDR_LEN;
	end = b + blen;

	if (end - b < KCOAP_HELLO_FIXED)
		return -EBADMSG;
	/* DTLS 1.0 is 0xfeff, 1.2 0xfefd: a DTLS version at least. */
	if (b[0] != 0xfe)
		return -EBADMSG;
	n = b[KCOAP_HELLO_FIXED - 1];		/* session_id <0..32> */
	if (n > 32 || end - b < KCOAP_HELLO_FIXED + n + 1)
		return -EBADMSG;
	h->pre = b;
	h->pre_len = KCOAP_HELLO_FIXED + n;
	b += h->pre_len;
	h->cookie_len = b[0];			/* cookie <0..2^8-1> */
	h->cookie = b + 1;
	if (end - h->cookie < h->cookie_len + 2)
		return -EBADMSG;
	b = h->cookie + h->cookie_len;
	h->post = b;
	n = kcoap_get_be16(b);		/* cipher_suites <2..2^16-2> */
	if (n < 2 || n % 2 || end - b < 2 + n + 1)
		return -EBADMSG;
	b += 2 + n;
	n = b[0];				/* compression_methods <1..2^8-1> */
	if (n < 1 || end - b < 1 + n)
		return -EBADMSG;
	b += 1 + n;
	h->post_len = b - h->post;
	/* Extensions, if any, are the handshake's business, not the cookie's. */
	return 0;
}

void kcoap_dtls_cookie(struct kcoap_net *kn, const struct kcoap_peer *p,
		       const struct kcoap_dtls_hello *h, u64 epoch, u8 *out)
{
	const siphash_key_t *k = kn->val.cookie_key;
	struct {
		struct kcoap_dedup_key addr;	/* address and port */
		u64 epoch;
		u64 pre, post;
	} in;
	__le64 mac;

	memset(&in, 0, sizeof(in));
	kcoap_peer_key(&in.addr, p, 0);
	in.epoch = epoch;
	in.pre = siphash(h->pre, h->pre_len, &k[0]);
	in.post = siphash(h->post, h->post_len, &k[0]);
	mac = cpu_to_le64(siphash(&in, sizeof(in), &k[0]));
	memcpy(out, &mac, sizeof(mac));
	mac = cpu_to_le64(siphash(&in, sizeof(in), &k[1]));
	memcpy(out + 8, &mac, sizeof(mac));
}

bool kcoap_dtls_cookie_ok(struct kcoap_net *kn, const struct kcoap_peer *p,
			  const struct kcoap_dtls_hello *h, u64 now_s)
{
	u64 epoch = now_s / KCOAP_DTLS_COOKIE_EPOCH;
	u8 c[KCOAP_DTLS_COOKIE_LEN];

	if (h->cookie_len != KCOAP_DTLS_COOKIE_LEN)
		return false;
	kcoap_dtls_cookie(kn, p, h, epoch, c);
	if (!crypto_memneq(c, h->cookie, sizeof(c)))
		return true;
	if (!epoch)
		return false;
	kcoap_dtls_cookie(kn, p, h, epoch - 1, c);
	return !crypto_memneq(c, h->cookie, sizeof(c));
}

/*
 * §4.2.1: server_version DTLS 1.0 whatever will be negotiated, in a record
 * of epoch 0 with the ClientHello's sequence number, as message_seq 0 (so
 * the daemon's ServerHello is message 1: gnutls_dtls_prestate_set()).
 */
void kcoap_dtls_hvr(struct kcoap_net *kn, const struct kcoap_peer *p,
		    const struct kcoap_dtls_hello *h, u64 now_s, u8 *out)
{
	u32 body = 3 + KCOAP_DTLS_COOKIE_LEN;
	u8 *hs = out + KCOAP_DTLS_HDR_LEN;

	out[0] = KCOAP_DTLS_CT_HANDSHAKE;
	kcoap_put_be16(KCOAP_DTLS_VERSION_10, out + 1);
	kcoap_put_be16(0, out + 3);				/* epoch */
	kcoap_put_be48(h->rec_seq, out + 5);
	kcoap_put_be16(KCOAP_DTLS_HS_HDR_LEN + body, out + 11);
	hs[0] = KCOAP_DTLS_HS_HELLO_VERIFY;
	kcoap_put_be24(body, hs + 1);
	kcoap_put_be16(0, hs + 4);				/* message_seq */
	kcoap_put_be24(0, hs + 6);				/* fragment_offset */
	kcoap_put_be24(body, hs + 9);			/* fragment_length */
	hs += KCOAP_DTLS_HS_HDR_LEN;
	kcoap_put_be16(KCOAP_DTLS_VERSION_10, hs);
	hs[2] = KCOAP_DTLS_COOKIE_LEN;
	kcoap_dtls_cookie(kn, p, h, now_s / KCOAP_DTLS_COOKIE_EPOCH, hs + 3);
}
