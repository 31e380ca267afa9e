// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS Connection IDs (RFC 9146) on GnuTLS: the extension, and the record
 * translation (dtls_cid.h). The record formats:
 *
 *   RFC 6347 §4.1:  type | version(2) | epoch(2) | seq(6) | length(2) | fragment
 *   RFC 9146 §4:    25 | version(2) | epoch(2) | seq(6) | cid | length(2) | enc_content
 *
 * With an AEAD suite the fragment (and enc_content) is the 8-byte explicit
 * nonce, the ciphertext and the tag (RFC 5288 §3, RFC 6655 §3); the nonce is
 * the 4-byte implicit one of the record state and the explicit one. The
 * plaintext of a tls12_cid record is DTLSInnerPlaintext: content, the real
 * type, zeros. The additional data is RFC 6347 §4.1.2.1's for the one, and
 * RFC 9146 §5.3's for the other.
 */
#include <string.h>

#include <gnutls/crypto.h>

#include "dtls_cid.h"

#define HDR 13				/* an RFC 6347 record header */
#define EXPLICIT 8			/* the explicit nonce */
#define AAD_MAX (8 + 1 + 1 + 1 + 2 + 2 + 6 + 255 + 2)
#define FRAG_MAX (16384 + 2048)		/* RFC 6347 §4.1: 2^14 + 2048 */

/* ---- the extension (RFC 9146 §3): opaque cid<0..255> ---- */

static struct dtls_cid *cid_of(gnutls_session_t s)
{
	gnutls_ext_priv_data_t p;

	if (gnutls_ext_get_data(s, DTLS_CID_EXT, &p) < 0)
		return NULL;
	return p;
}

static int cid_ext_recv(gnutls_session_t s, const unsigned char *d, size_t len)
{
	struct dtls_cid *c = cid_of(s);

	if (!c)
		return GNUTLS_E_INTERNAL_ERROR;
	if (len < 1 || len != 1 + (size_t)d[0])
		return GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER;
	memcpy(c->tx, d + 1, d[0]);
	c->tx_len = d[0];
	c->offered = true;
	/*
	 * A server answers only an offer (GnuTLS sends a registered
	 * extension in its hello only if the client's had it); a client
	 * hears one only to its own.
	 */
	c->negotiated = true;
	return 0;
}

static int cid_ext_send(gnutls_session_t s, gnutls_buffer_t b)
{
	struct dtls_cid *c = cid_of(s);
	uint8_t n;
	int ret;

	if (!c)
		return GNUTLS_E_INTERNAL_ERROR;
	n = c->rx_len;
	ret = gnutls_buffer_append_data(b, &n, 1);
	if (!ret && n)
		ret = gnutls_buffer_append_data(b, c->rx, n);
	return ret < 0 ? ret : 1 + n;
}

int dtls_cid_register(gnutls_session_t s, struct dtls_cid *c)
{
	int ret;

	c->tx_len = 0;
	c->offered = false;
	c->negotiated = false;
	ret = gnutls_session_ext_register(s, "connection_id", DTLS_CID_EXT, GNUTLS_EXT_TLS,
					  cid_ext_recv, cid_ext_send, NULL, NULL, NULL,
					  GNUTLS_EXT_FLAG_CLIENT_HELLO |
					  GNUTLS_EXT_FLAG_TLS12_SERVER_HELLO |
					  GNUTLS_EXT_FLAG_DTLS);
	if (ret < 0)
		return ret;
	gnutls_ext_set_data(s, DTLS_CID_EXT, c);
	return cid_of(s) == c ? 0 : GNUTLS_E_INTERNAL_ERROR;
}

/* ---- one direction's record state ---- */

struct rstate {
	gnutls_cipher_algorithm_t alg;
	gnutls_datum_t key;
	uint8_t salt[4];
	uint16_t epoch;			/* 0: not known yet */
	size_t tag;
};

/*
 * 1: @st is the state of @read, 0: no keys yet (epoch 0), or an error.
 * The cipher is GnuTLS's current read epoch's (gnutls_cipher_get()): a
 * client that writes its Finished has not read the server's yet, and has
 * GNUTLS_CIPHER_NULL there (so has gnutls_ciphersuite_get() while the
 * handshake runs); out_cipher() finds it then.
 */
static int state_get(gnutls_session_t s, unsigned int read, struct rstate *st)
{
	gnutls_datum_t mac, iv;
	unsigned char sn[8];
	int ret;

	ret = gnutls_record_get_state(s, read, &mac, &iv, &st->key, sn);
	if (ret < 0)
		return ret;
	if (!st->key.size)
		return 0;
	if (mac.size || iv.size != 4)
		return GNUTLS_E_UNIMPLEMENTED_FEATURE;	/* not AES-CCM or -GCM */
	st->alg = gnutls_cipher_get(s);
	st->tag = gnutls_cipher_get_tag_size(st->alg);
	if (st->alg != GNUTLS_CIPHER_NULL && !st->tag)
		return GNUTLS_E_UNIMPLEMENTED_FEATURE;
	memcpy(st->salt, iv.data, 4);
	/*
	 * The epoch is in the sequence number's top 16 bits once a record of
	 * it went through; GnuTLS 3.7.9's read state has 0 until then.
	 */
	st->epoch = (uint16_t)(sn[0] << 8 | sn[1]);
	return 1;
}

static int aead(const struct rstate *st, bool seal, const uint8_t *explicit_nonce,
		const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t in_len,
		uint8_t *out, size_t *out_len)
{
	gnutls_aead_cipher_hd_t h;
	uint8_t nonce[12];
	int ret;

	memcpy(nonce, st->salt, 4);
	memcpy(nonce + 4, explicit_nonce, EXPLICIT);
	ret = gnutls_aead_cipher_init(&h, st->alg, &st->key);
	if (ret < 0)
		return ret;
	if (seal)
		ret = gnutls_aead_cipher_encrypt(h, nonce, sizeof(nonce), aad, aad_len, st->tag,
						 in, in_len, out, out_len);
	else
		ret = gnutls_aead_cipher_decrypt(h, nonce, sizeof(nonce), aad, aad_len, st->tag,
						 in, in_len, out, out_len);
	gnutls_aead_cipher_deinit(h);
	return ret;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 6347 §4.1.2.1 (RFC 5246 §6.2.3.3): epoch, seq, type, version, length. */
static size_t aad_plain(uint8_t *a, const uint8_t *hdr, uint8_t type, size_t plen)
{
	memcpy(a, hdr + 3, 8);
	a[8] = type;
	a[9] = hdr[1];
	a[10] = hdr[2];
	put16(a + 11, plen);
	return 13;
}

/*
 * RFC 9146 §5.3: seq_num_placeholder, tls12_cid, cid_length, tls12_cid,
 * version, epoch, seq, cid, length_of_DTLSInnerPlaintext.
 */
static size_t aad_cid(uint8_t *a, const uint8_t *hdr, const uint8_t *cid, uint8_t cid_len,
		      size_t inner_len)
{
	memset(a, 0xff, 8);
	a[8] = DTLS_CID_CONTENT_TYPE;
	a[9] = cid_len;
	a[10] = DTLS_CID_CONTENT_TYPE;
	memcpy(a + 11, hdr + 1, 10);		/* version, epoch, seq */
	memcpy(a + 21, cid, cid_len);
	put16(a + 21 + cid_len, inner_len);
	return 21 + (size_t)cid_len + 2;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- out: RFC 6347 records of epoch >= 1 become tls12_cid records ---- */

/*
 * The cipher of @st (read epoch 0, see state_get()) is the AES AEAD of its
 * key's size that opens GnuTLS's own record @r: at most three tries, for
 * the one record of a client's Finished.
 */
static int out_cipher(struct rstate *st, const uint8_t *r, size_t flen, uint8_t *pt)
{
	static const gnutls_cipher_algorithm_t aes[2][3] = {
		{ GNUTLS_CIPHER_AES_128_CCM_8, GNUTLS_CIPHER_AES_128_CCM,
		  GNUTLS_CIPHER_AES_128_GCM },
		{ GNUTLS_CIPHER_AES_256_CCM_8, GNUTLS_CIPHER_AES_256_CCM,
		  GNUTLS_CIPHER_AES_256_GCM },
	};
	uint8_t a[13];
	size_t i, plen;

	if (st->key.size != 16 && st->key.size != 32)
		return GNUTLS_E_UNIMPLEMENTED_FEATURE;
	for (i = 0; i < 3; i++) {
		st->alg = aes[st->key.size == 32][i];
		st->tag = gnutls_cipher_get_tag_size(st->alg);
		if (flen < EXPLICIT + st->tag || flen - EXPLICIT - st->tag > FRAG_MAX)
			continue;
		plen = flen - EXPLICIT - st->tag;
		aad_plain(a, r, r[0], plen);
		if (!aead(st, false, r + HDR, a, sizeof(a), r + HDR + EXPLICIT, flen - EXPLICIT,
			  pt, &plen))
			return 0;
	}
	return GNUTLS_E_DECRYPTION_FAILED;
}

ssize_t dtls_cid_out(gnutls_session_t s, const struct dtls_cid *c,
		     const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint8_t pt[FRAG_MAX + 1], a[AAD_MAX];
	struct rstate st;
	size_t off = 0, o = 0;
	bool have = false;
	int ret;

	while (off < len) {
		const uint8_t *r = in + off;
		size_t flen, rlen, plen, clen, alen;

		if (len - off < HDR || (flen = get16(r + 11)) > len - off - HDR)
			return GNUTLS_E_INVALID_REQUEST;	/* GnuTLS writes whole records */
		rlen = HDR + flen;
		if (!c->negotiated || !c->tx_len || !get16(r + 3)) {
			if (cap - o < rlen)
				return GNUTLS_E_SHORT_MEMORY_BUFFER;
			memcpy(out + o, r, rlen);
			o += rlen;
			off += rlen;
			continue;
		}
		if (!have) {
			ret = state_get(s, 0, &st);
			if (ret <= 0)
				return ret ? ret : GNUTLS_E_INVALID_REQUEST;
			if (st.alg == GNUTLS_CIPHER_NULL)
				ret = out_cipher(&st, r, flen, pt);
			if (ret < 0)
				return ret;
			have = true;
		}
		if ((st.epoch && get16(r + 3) != st.epoch) || flen < EXPLICIT + st.tag ||
		    flen - EXPLICIT - st.tag > FRAG_MAX)
			return GNUTLS_E_INVALID_REQUEST;
		plen = flen - EXPLICIT - st.tag;
		alen = aad_plain(a, r, r[0], plen);
		clen = flen - EXPLICIT;
		ret = aead(&st, false, r + HDR, a, alen, r + HDR + EXPLICIT, clen, pt, &plen);
		if (ret < 0)
			return ret;
		/* DTLSInnerPlaintext: the content, its type, no padding. */
		pt[plen] = r[0];
		rlen = 11 + (size_t)c->tx_len + 2 + EXPLICIT + plen + 1 + st.tag;
		if (cap - o < rlen)
			return GNUTLS_E_SHORT_MEMORY_BUFFER;
		out[o] = DTLS_CID_CONTENT_TYPE;
		memcpy(out + o + 1, r + 1, 10);
		memcpy(out + o + 11, c->tx, c->tx_len);
		put16(out + o + 11 + c->tx_len, EXPLICIT + plen + 1 + st.tag);
		memcpy(out + o + 13 + c->tx_len, r + HDR, EXPLICIT);
		alen = aad_cid(a, out + o, c->tx, c->tx_len, plen + 1);
		clen = plen + 1 + st.tag;
		ret = aead(&st, true, r + HDR, a, alen, pt, plen + 1,
			   out + o + 13 + c->tx_len + EXPLICIT, &clen);
		gnutls_memset(pt, 0, plen + 1);
		if (ret < 0)
			return ret;
		o += rlen;
		off += HDR + flen;
	}
	return (ssize_t)o;
}

/* ---- in: tls12_cid records become RFC 6347 records ---- */

/*
 * Open the tls12_cid record @r (@rlen bytes, the CID c->rx) and write it as
 * an RFC 6347 record at @out: its length, 0 to drop it, or an error.
 */
static ssize_t cid_open(const struct rstate *st, const struct dtls_cid *c, const uint8_t *r,
			size_t rlen, uint8_t *out, size_t room)
{
	size_t hl = 13 + (size_t)c->rx_len, flen = rlen - hl, ilen, clen, alen;
	uint8_t pt[FRAG_MAX + 1], a[AAD_MAX], type;
	ssize_t ret;

	if (memcmp(r + 11, c->rx, c->rx_len) || !get16(r + 3) ||
	    (st->epoch && get16(r + 3) != st->epoch) ||
	    flen < EXPLICIT + 1 + st->tag || flen - EXPLICIT - st->tag > FRAG_MAX + 1)
		return 0;
	ilen = flen - EXPLICIT - st->tag;
	alen = aad_cid(a, r, c->rx, c->rx_len, ilen);
	ret = aead(st, false, r + hl, a, alen, r + hl + EXPLICIT, flen - EXPLICIT, pt, &ilen);
	if (ret < 0)
		return 0;		/* RFC 9146 §6: discarded silently */
	while (ilen && !pt[ilen - 1])
		ilen--;
	if (!ilen) {
		ret = 0;		/* no real type: invalid */
		goto out;
	}
	type = pt[--ilen];
	if (room < HDR + EXPLICIT + ilen + st->tag) {
		ret = GNUTLS_E_SHORT_MEMORY_BUFFER;
		goto out;
	}
	out[0] = type;
	memcpy(out + 1, r + 1, 10);
	put16(out + 11, EXPLICIT + ilen + st->tag);
	memcpy(out + HDR, r + hl, EXPLICIT);
	alen = aad_plain(a, out, type, ilen);
	clen = ilen + st->tag;
	ret = aead(st, true, r + hl, a, alen, pt, ilen, out + HDR + EXPLICIT, &clen);
	if (!ret)
		ret = (ssize_t)(HDR + EXPLICIT + ilen + st->tag);
out:
	gnutls_memset(pt, 0, sizeof(pt));
	return ret;
}

ssize_t dtls_cid_in(gnutls_session_t s, const struct dtls_cid *c,
		    const uint8_t *in, size_t len, size_t *used,
		    uint8_t *out, size_t cap)
{
	bool cids = c->negotiated && c->rx_len;
	struct rstate st;
	size_t off = 0, o = 0;
	int have = -1;
	ssize_t ret;

	while (off < len) {
		const uint8_t *r = in + off;
		size_t hl = r[0] == DTLS_CID_CONTENT_TYPE ? 13 + (size_t)c->rx_len : HDR;
		size_t rlen;

		/* Cut short, or a CID record we never asked for: the rest goes. */
		if (len - off < hl || get16(r + hl - 2) > len - off - hl ||
		    (r[0] == DTLS_CID_CONTENT_TYPE && !cids)) {
			off = len;
			break;
		}
		rlen = hl + get16(r + hl - 2);
		if (r[0] != DTLS_CID_CONTENT_TYPE) {
			if (cap - o < rlen)
				return GNUTLS_E_SHORT_MEMORY_BUFFER;
			memcpy(out + o, r, rlen);
			o += rlen;
			off += rlen;
			continue;
		}
		if (have < 0) {
			have = state_get(s, 1, &st);
			if (have < 0)
				return have;
			if (have && st.alg == GNUTLS_CIPHER_NULL)
				return GNUTLS_E_INTERNAL_ERROR;
		}
		if (!have && o) {
			/* GnuTLS reads what came before (a ChangeCipherSpec) first. */
			break;
		}
		if (have) {
			ret = cid_open(&st, c, r, rlen, out + o, cap - o);
			if (ret < 0)
				return ret;
			o += (size_t)ret;
		}
		off += rlen;
	}
	*used = off;
	return (ssize_t)o;
}
