// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * One DTLS 1.2 record (RFC 6347 §4.1) protected by an AEAD suite:
 *
 *   type(1) version(2) epoch(2) sequence_number(6) length(2)
 *   nonce_explicit(8) ciphertext(length - 8 - tag) tag
 *
 * The nonce is the 4-byte salt from the key block followed by
 * nonce_explicit (RFC 5288 §3, RFC 6655 §3); we send epoch||seq there, as
 * both RFCs suggest. The additional data is epoch||seq, type, version and
 * the plaintext's length (RFC 5246 §6.2.3.3, with RFC 6347 §4.1.2.1's
 * seq_num). The AEADs are synchronous (CRYPTO_ALG_ASYNC masked out), so
 * open and seal run to completion in softirq.
 *
 * With a connection ID (RFC 9146 §4) the record is
 *
 *   tls12_cid(1) version(2) epoch(2) sequence_number(6) cid length(2)
 *   nonce_explicit(8) enc(content real_type zeros) tag
 *
 * and its additional data that of §5.3.
 */
#include <crypto/aead.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#ifdef KCOAP_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "dtls.h"

#define KCOAP_DTLS_NONCE_EXPLICIT	8
#define KCOAP_DTLS_AAD_LEN		13
#define KCOAP_DTLS_SEQ_MAX		((1ULL << 48) - 1)
#define KCOAP_DTLS_WINDOW		64	/* RFC 6347 §4.1.2.6: at least 32 */
/* Scatterlist entries for the record's payload: a page each, and one more. */
#define KCOAP_DTLS_SG_MAX		(DIV_ROUND_UP(65536, PAGE_SIZE) + 2)

static unsigned int kcoap_dtls_tag_len(u8 suite)
{
	return suite == KCOAP_DTLS_AES_128_CCM_8 ? 8 : 16;
}

static bool kcoap_dtls_is_ccm(u8 suite)
{
	return suite == KCOAP_DTLS_AES_128_CCM_8 || suite == KCOAP_DTLS_AES_128_CCM;
}

int kcoap_dtls_dir_init(struct kcoap_dtls_dir *d, u8 suite, const u8 *key,
			unsigned int keylen, const u8 *salt, u64 seq)
{
	struct crypto_aead *tfm;
	int err;

	switch (suite) {
	case KCOAP_DTLS_AES_128_CCM_8:
	case KCOAP_DTLS_AES_128_CCM:
	case KCOAP_DTLS_AES_128_GCM:
		if (keylen != 16)
			return -EINVAL;
		break;
	case KCOAP_DTLS_AES_256_GCM:
		if (keylen != 32)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (seq > KCOAP_DTLS_SEQ_MAX)
		return -EINVAL;
	/* Masking out CRYPTO_ALG_ASYNC: only synchronous implementations. */
	tfm = crypto_alloc_aead(kcoap_dtls_is_ccm(suite) ? "ccm(aes)" : "gcm(aes)",
				0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_aead_setauthsize(tfm, kcoap_dtls_tag_len(suite)) ?:
	      crypto_aead_setkey(tfm, key, keylen);
	if (err) {
		crypto_free_aead(tfm);
		return err;
	}
	d->tfm = tfm;
	memcpy(d->salt, salt, sizeof(d->salt));
	d->seq = seq;
	/* Receiving: everything before @seq counts as seen. */
	d->window = ~0ULL;
	return 0;
}

/* Process context: freeing a transform may sleep in some implementations. */
void kcoap_dtls_dir_free(struct kcoap_dtls_dir *d)
{
	if (d->tfm)
		crypto_free_aead(d->tfm);
	d->tfm = NULL;
	memzero_explicit(d->salt, sizeof(d->salt));
}

unsigned int kcoap_dtls_overhead(const struct kcoap_dtls_sess *s)
{
	/* The peer CID, and the real type in the plaintext (RFC 9146 §4). */
	unsigned int cid = s->peer_cid_len ? s->peer_cid_len + 1 : 0;

	return KCOAP_DTLS_HDR_LEN + KCOAP_DTLS_NONCE_EXPLICIT +
	       kcoap_dtls_tag_len(s->suite) + cid;
}

/*
 * Map @len bytes at @buf: kmalloc'ed or skb memory, but also vmalloc'ed
 * (per-CPU scratch buffers, stacks) page by page.
 */
static int kcoap_dtls_sg_buf(struct scatterlist *sg, int nents, void *buf,
			     size_t len)
{
	bool vm = is_vmalloc_addr(buf);
	int n = 0;

	while (len) {
		size_t off = offset_in_page(buf);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - off);

		if (n == nents)
			return -EMSGSIZE;
		sg_set_page(&sg[n++], vm ? vmalloc_to_page(buf) : virt_to_page(buf),
			    chunk, off);
		buf += chunk;
		len -= chunk;
	}
	return n;
}

int kcoap_dtls_aead(const struct kcoap_dtls_dir *d, u8 suite, const u8 *aad,
		    unsigned int aad_len, const u8 *explicit, u8 *data,
		    unsigned int len, bool enc)
{
	struct crypto_aead *tfm = d->tfm;
	struct aead_request *req;
	struct scatterlist *sg;
	unsigned int tag = kcoap_dtls_tag_len(suite);
	size_t reqsize = ALIGN(sizeof(*req) + crypto_aead_reqsize(tfm),
			       __alignof__(struct scatterlist));
	u8 *iv, *ad;
	int n, err;

	/*
	 * The request, scatterlist, iv and additional data in one atomic
	 * allocation: its size depends on the transform only (a few hundred
	 * bytes), not on the record.
	 */
	if (aad_len > KCOAP_DTLS_AAD_MAX)
		return -EINVAL;
	req = kmalloc(reqsize + KCOAP_DTLS_SG_MAX * sizeof(*sg) + 16 + aad_len,
		      GFP_ATOMIC | __GFP_NOWARN);
	if (!req)
		return -ENOMEM;
	sg = (void *)req + reqsize;
	iv = (u8 *)&sg[KCOAP_DTLS_SG_MAX];
	ad = iv + 16;
	memcpy(ad, aad, aad_len);

	memset(iv, 0, 16);
	if (kcoap_dtls_is_ccm(suite)) {
		/* RFC 3610 §2.3: flags byte L' = L - 1, L = 15 - 12 = 3. */
		iv[0] = 2;
		memcpy(iv + 1, d->salt, 4);
		memcpy(iv + 5, explicit, KCOAP_DTLS_NONCE_EXPLICIT);
	} else {
		memcpy(iv, d->salt, 4);
		memcpy(iv + 4, explicit, KCOAP_DTLS_NONCE_EXPLICIT);
	}

	sg_init_table(sg, KCOAP_DTLS_SG_MAX);
	sg_set_buf(&sg[0], ad, aad_len);
	n = kcoap_dtls_sg_buf(sg + 1, KCOAP_DTLS_SG_MAX - 1, data,
			      enc ? len + tag : len);
	if (n < 0) {
		err = n;
		goto out;
	}
	sg_mark_end(&sg[n]);

	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, sg, sg, len, iv);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
out:
	kfree_sensitive(req);
	return err;
}

/* RFC 6347 §4.1.2.6: is @seq new to the window of @d? */
static bool kcoap_dtls_window_ok(const struct kcoap_dtls_dir *d, u64 seq)
{
	u64 back;

	if (seq >= d->seq)
		return true;
	back = d->seq - 1 - seq;
	return back < KCOAP_DTLS_WINDOW && !(d->window & (1ULL << back));
}

/* Only after the record authenticated (§4.1.2.6). */
static void kcoap_dtls_window_mark(struct kcoap_dtls_dir *d, u64 seq)
{
	u64 shift;

	if (seq >= d->seq) {
		shift = seq + 1 - d->seq;
		d->window = shift >= KCOAP_DTLS_WINDOW ? 0 : d->window << shift;
		d->window |= 1;
		d->seq = seq + 1;
	} else {
		d->window |= 1ULL << (d->seq - 1 - seq);
	}
}

static void kcoap_dtls_aad(u8 *aad, const u8 *hdr, unsigned int plen)
{
	memcpy(aad, hdr + 3, 8);		/* epoch || sequence_number */
	aad[8] = hdr[0];			/* type */
	memcpy(aad + 9, hdr + 1, 2);		/* version */
	put_unaligned_be16(plen, aad + 11);
}

/*
 * RFC 9146 §5.3: seq_num_placeholder, tls12_cid, cid_length, then the
 * header as sent (tls12_cid, version, epoch, sequence_number, cid) and the
 * length of the DTLSInnerPlaintext. Its length.
 */
static unsigned int kcoap_dtls_aad_cid(u8 *aad, const u8 *hdr, u8 cid_len,
				       unsigned int plen)
{
	memset(aad, 0xff, 8);
	aad[8] = KCOAP_DTLS_CT_CID;
	aad[9] = cid_len;
	memcpy(aad + 10, hdr, 11 + cid_len);
	put_unaligned_be16(plen, aad + 21 + cid_len);
	return 23 + cid_len;
}

/*
 * Open the record at @rec, whose header has @cid_len bytes of CID (0: an
 * RFC 6347 record); kcoap_dtls_open() and kcoap_dtls_open_cid() say the rest.
 */
static int kcoap_dtls_open_rec(struct kcoap_dtls_sess *s, u8 *rec, size_t len,
			       u8 cid_len, const struct kcoap_peer *from,
			       u8 *type, size_t *plen, bool *moved)
{
	unsigned int hlen = KCOAP_DTLS_HDR_LEN + cid_len;
	unsigned int tag, body, clen, aad_len, ilen;
	u8 aad[KCOAP_DTLS_AAD_LEN + 10 + KCOAP_DTLS_CID_LEN];
	struct kcoap_dedup_key a, b;
	u8 *inner;
	u64 seq;
	int err;

	if (len < hlen)
		return -EBADMSG;
	body = get_unaligned_be16(rec + hlen - 2);
	if (get_unaligned_be16(rec + 1) != KCOAP_DTLS_VERSION_12 ||
	    body != len - hlen)
		return -EBADMSG;
	spin_lock_bh(&s->lock);
	if (READ_ONCE(s->state) != KCOAP_DTLS_ESTABLISHED ||
	    get_unaligned_be16(rec + 3) != s->epoch) {
		spin_unlock_bh(&s->lock);
		return -EBADMSG;
	}
	tag = kcoap_dtls_tag_len(s->suite);
	/* A tls12_cid record has the real type at least (RFC 9146 §4). */
	if (body < KCOAP_DTLS_NONCE_EXPLICIT + tag + !!cid_len ||
	    (cid_len && memcmp(rec + 11, s->cid, cid_len))) {
		s->rx_bad++;
		spin_unlock_bh(&s->lock);
		return -EBADMSG;
	}
	seq = get_unaligned_be64(rec + 3) & KCOAP_DTLS_SEQ_MAX;
	if (!kcoap_dtls_window_ok(&s->rx, seq)) {
		s->rx_replayed++;
		spin_unlock_bh(&s->lock);
		return -EALREADY;
	}
	spin_unlock_bh(&s->lock);

	/* The transform's key does not change while the session lives. */
	clen = body - KCOAP_DTLS_NONCE_EXPLICIT;
	ilen = clen - tag;
	if (cid_len)
		aad_len = kcoap_dtls_aad_cid(aad, rec, cid_len, ilen);
	else
		kcoap_dtls_aad(aad, rec, ilen);
	err = kcoap_dtls_aead(&s->rx, s->suite, aad,
			      cid_len ? aad_len : KCOAP_DTLS_AAD_LEN,
			      rec + hlen, rec + hlen + KCOAP_DTLS_NONCE_EXPLICIT,
			      clen, false);
	inner = rec + hlen + KCOAP_DTLS_NONCE_EXPLICIT;
	if (!err && cid_len) {
		/* DTLSInnerPlaintext: the real type is the last non-zero byte. */
		while (ilen && !inner[ilen - 1])
			ilen--;
		if (!ilen)
			err = -EBADMSG;
	}

	spin_lock_bh(&s->lock);
	if (err == -ENOMEM) {
		/* Not the record's fault: it was not judged. */
	} else if (err) {
		s->rx_bad++;
		err = -EBADMSG;
	} else if (!kcoap_dtls_window_ok(&s->rx, seq)) {
		/* The same record, opened on another CPU meanwhile. */
		s->rx_replayed++;
		err = -EALREADY;
	} else {
		/*
		 * RFC 9146 §6: the peer's address changes only for a record
		 * that authenticated and is newer than every one before (a
		 * session has one epoch: newer is a higher sequence number).
		 */
		if (from && seq >= s->rx.seq) {
			kcoap_peer_key(&a, from, 0);
			kcoap_peer_key(&b, &s->peer, 0);
			if (a.port != b.port || !ipv6_addr_equal(&a.addr, &b.addr)) {
				s->peer = *from;
				s->peer.session = 0;
				*moved = true;
			}
		}
		kcoap_dtls_window_mark(&s->rx, seq);
		s->rx_records++;
		WRITE_ONCE(s->last_rx, jiffies);
	}
	spin_unlock_bh(&s->lock);
	if (err)
		return err;
	if (cid_len) {
		*type = inner[ilen - 1];
		*plen = ilen - 1;
	} else {
		*type = rec[0];
		*plen = ilen;
	}
	return 0;
}

int kcoap_dtls_open(struct kcoap_dtls_sess *s, u8 *rec, size_t len,
		    u8 *type, size_t *plen)
{
	return kcoap_dtls_open_rec(s, rec, len, 0, NULL, type, plen, NULL);
}

int kcoap_dtls_open_cid(struct kcoap_dtls_sess *s, u8 *rec, size_t len,
			const struct kcoap_peer *from, u8 *type, size_t *plen,
			bool *moved)
{
	bool m = false;
	int err;

	/* Read without the lock: set before the session was established. */
	if (!s->cid_len || rec[0] != KCOAP_DTLS_CT_CID)
		return -EBADMSG;
	err = kcoap_dtls_open_rec(s, rec, len, s->cid_len, from, type, plen, &m);
	if (moved)
		*moved = m;
	return err;
}

int kcoap_dtls_reclose(struct kcoap_dtls_sess *s, u8 *rec, size_t len)
{
	unsigned int hlen = KCOAP_DTLS_HDR_LEN + s->cid_len;
	unsigned int tag = kcoap_dtls_tag_len(s->suite);
	u8 aad[KCOAP_DTLS_AAD_LEN + 10 + KCOAP_DTLS_CID_LEN];
	unsigned int ilen, aad_len;

	if (!s->cid_len || len < hlen + KCOAP_DTLS_NONCE_EXPLICIT + tag)
		return -EINVAL;
	ilen = len - hlen - KCOAP_DTLS_NONCE_EXPLICIT - tag;
	aad_len = kcoap_dtls_aad_cid(aad, rec, s->cid_len, ilen);
	return kcoap_dtls_aead(&s->rx, s->suite, aad, aad_len, rec + hlen,
			       rec + hlen + KCOAP_DTLS_NONCE_EXPLICIT, ilen, true);
}

int kcoap_dtls_seal_to(struct kcoap_dtls_sess *s, u8 type, const void *in,
		       size_t len, u8 *out, size_t out_size,
		       struct kcoap_peer *to)
{
	u8 cid_len = s->peer_cid_len;
	unsigned int hlen = KCOAP_DTLS_HDR_LEN + cid_len;
	unsigned int tag, total, ilen, aad_len;
	u8 aad[KCOAP_DTLS_AAD_MAX];
	u8 *body = out + hlen;
	u64 seq;
	int err;

	/* RFC 9146 §4: DTLSInnerPlaintext is the content and its real type. */
	ilen = len + !!cid_len;
	spin_lock_bh(&s->lock);
	if (READ_ONCE(s->state) != KCOAP_DTLS_ESTABLISHED) {
		spin_unlock_bh(&s->lock);
		return -ENOTCONN;
	}
	tag = kcoap_dtls_tag_len(s->suite);
	total = hlen + KCOAP_DTLS_NONCE_EXPLICIT + ilen + tag;
	if (ilen > U16_MAX - KCOAP_DTLS_NONCE_EXPLICIT - tag || total > out_size) {
		spin_unlock_bh(&s->lock);
		return -EMSGSIZE;
	}
	/* RFC 6347 §4.1: a sequence number is never used twice in an epoch. */
	if (s->tx.seq > KCOAP_DTLS_SEQ_MAX) {
		spin_unlock_bh(&s->lock);
		return -EOVERFLOW;
	}
	seq = s->tx.seq++;
	s->tx_records++;
	if (to)
		*to = s->peer;
	spin_unlock_bh(&s->lock);

	/* First: with a CID, the header reaches into where @in may be. */
	memmove(body + KCOAP_DTLS_NONCE_EXPLICIT, in, len);
	put_unaligned_be16(KCOAP_DTLS_VERSION_12, out + 1);
	put_unaligned_be64((u64)s->epoch << 48 | seq, out + 3);
	put_unaligned_be16(total - hlen, out + hlen - 2);
	/* nonce_explicit: the record's epoch and sequence number. */
	memcpy(body, out + 3, KCOAP_DTLS_NONCE_EXPLICIT);
	if (cid_len) {
		out[0] = KCOAP_DTLS_CT_CID;
		memcpy(out + 11, s->peer_cid, cid_len);
		body[KCOAP_DTLS_NONCE_EXPLICIT + len] = type;
		aad_len = kcoap_dtls_aad_cid(aad, out, cid_len, ilen);
	} else {
		out[0] = type;
		kcoap_dtls_aad(aad, out, len);
		aad_len = KCOAP_DTLS_AAD_LEN;
	}
	err = kcoap_dtls_aead(&s->tx, s->suite, aad, aad_len, body,
			      body + KCOAP_DTLS_NONCE_EXPLICIT, ilen, true);
	return err ?: total;
}

int kcoap_dtls_seal(struct kcoap_dtls_sess *s, u8 type, const void *in,
		    size_t len, u8 *out, size_t out_size)
{
	return kcoap_dtls_seal_to(s, type, in, len, out, out_size, NULL);
}
