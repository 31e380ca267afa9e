// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Host unit tests of kcoapd's DTLS handshakes (dtls.c) against a GnuTLS
 * client in the same process, over memory. This file plays the kernel: it
 * answers the client's first ClientHello with a HelloVerifyRequest as
 * kcoap.ko does (RFC 6347 §4.2.1), hands the rest to dtls_datagram() and
 * the daemon's flights to the client. Once the handshake is done, the keys
 * the daemon would give the kernel are checked the way the kernel uses
 * them: a record the client seals after the handshake opens with the read
 * key and salt at the sequence number given, and a record sealed with the
 * write key is one the client's GnuTLS accepts. A wrong or unknown PSK
 * fails; secret files that others can read are refused.
 * TAP on stdout, numbering on from the count in the first argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <time.h>

#include "dtls.h"
#include "dtls_cid.h"
#include "kcoapd.h"
#include "tap.h"

static char dir[] = "/tmp/dtls_test.XXXXXX";

/* ---- stderr into a file, to check messages ---- */

static int saved_fd = -1;

static void err_begin(void)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "%s/stderr", dir);
	fflush(stderr);
	saved_fd = dup(2);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved_fd < 0 || fd < 0 || dup2(fd, 2) < 0)
		exit(2);
	close(fd);
}

static void err_end(char *err, size_t len)
{
	char p[64];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/stderr", dir);
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	f = fopen(p, "r");
	n = f ? fread(err, 1, len - 1, f) : 0;
	err[n] = 0;
	while (n && err[n - 1] == '\n')
		err[--n] = 0;
	if (f)
		fclose(f);
}

static const char *file(const char *name, const char *text, mode_t mode)
{
	static char p[8][128];
	static int k;
	char *path = p[k++ % 8];
	FILE *f;

	snprintf(path, 128, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		exit(2);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* ---- the client, its inbox, and the "kernel" between ---- */

#define ID 7
#define BOX 16

struct box {
	uint8_t d[BOX][2048];
	size_t len[BOX];
	unsigned int head, n;
};

static struct box to_client;
static gnutls_session_t cli;
static bool hvr_sent, capture;		/* capture: keep the client's next record */
static uint8_t last_ch[2048];		/* the last ClientHello with a cookie */
static size_t last_ch_len;
static uint8_t good_ch[2048];		/* one that led to a session */
static size_t good_ch_len;
static uint8_t captured[2048];
static size_t captured_len;
static int n_established, n_failed;
static struct dtls_keys keys;
static uint64_t now = 1000;
/* The client's connection ID (RFC 9146), when cli_cid_on; records seen. */
static bool cli_cid_on;
static struct dtls_cid ccid;
static int cid_to_srv, cid_to_cli;	/* tls12_cid records each way */
/*
 * GnuTLS pushes each record as a datagram of its own; other clients put a
 * flight in one (ClientKeyExchange, ChangeCipherSpec, Finished), and so
 * does the kernel hand it up. With coalesce, each side's flight goes as one.
 */
static bool coalesce;
static uint8_t cli_flight[4096], srv_flight[4096];
static size_t cli_flight_len, srv_flight_len;

/* tls12_cid records in datagram @d whose CIDs are @cid_len bytes. */
static int cid_records(const uint8_t *d, size_t len, size_t cid_len)
{
	size_t off = 0, hl;
	int n = 0;

	while (off < len) {
		hl = d[off] == DTLS_CID_CONTENT_TYPE ? 13 + cid_len : 13;
		if (len - off < hl)
			break;
		n += d[off] == DTLS_CID_CONTENT_TYPE;
		off += hl + (size_t)(d[off + hl - 2] << 8 | d[off + hl - 1]);
	}
	return n;
}

static void box_put(struct box *b, const void *d, size_t len)
{
	unsigned int k = (b->head + b->n) % BOX;

	if (b->n == BOX || len > sizeof(b->d[0]))
		return;
	memcpy(b->d[k], d, len);
	b->len[k] = len;
	b->n++;
}

/* RFC 6347 §4.2.1: version, random, session_id; cookie length after. */
static bool has_cookie(const uint8_t *d, size_t len)
{
	size_t off = 13 + 12 + 2 + 32;

	if (len < off + 1)
		return false;
	off += 1 + d[off];
	return len > off && d[off] > 0;
}

/* What kcoap.ko answers a ClientHello without a cookie with. */
static void send_hvr(const uint8_t *ch)
{
	uint8_t r[13 + 12 + 3 + 16];
	size_t i;

	memset(r, 0, sizeof(r));
	r[0] = 22;
	r[1] = 0xfe;
	r[2] = 0xff;
	memcpy(r + 3, ch + 3, 8);		/* epoch 0, the ClientHello's seq */
	r[11] = 0;
	r[12] = 12 + 3 + 16;
	r[13] = 3;				/* hello_verify_request */
	r[16] = 3 + 16;				/* length */
	r[24] = 3 + 16;				/* fragment length; message_seq 0 */
	r[25] = 0xfe;
	r[26] = 0xff;
	r[27] = 16;
	for (i = 0; i < 16; i++)
		r[28 + i] = (uint8_t)(0xa0 + i);
	box_put(&to_client, r, sizeof(r));
}

static ssize_t cli_push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	static uint8_t tx[4096];
	const uint8_t *d = buf;
	size_t orig = len;

	(void)p;
	if (cli_cid_on && ccid.negotiated) {
		ssize_t n = dtls_cid_out(cli, &ccid, d, len, tx, sizeof(tx));

		if (n < 0) {
			diag("client dtls_cid_out: %s", gnutls_strerror((int)n));
			return (ssize_t)orig;
		}
		d = tx;
		len = (size_t)n;
		cid_to_srv += cid_records(d, len, ccid.tx_len);
	}
	if (capture) {
		memcpy(captured, d, len);
		captured_len = len;
		capture = false;
		return (ssize_t)orig;
	}
	if (len > 13 && d[0] == 22 && d[13] == 1 && !has_cookie(d, len)) {
		hvr_sent = true;
		send_hvr(d);
		return (ssize_t)orig;
	}
	if (len > 13 && d[0] == 22 && d[13] == 1) {
		memcpy(last_ch, d, len);
		last_ch_len = len;
	}
	if (coalesce && len <= sizeof(cli_flight) - cli_flight_len) {
		memcpy(cli_flight + cli_flight_len, d, len);
		cli_flight_len += len;
		return (ssize_t)orig;
	}
	dtls_datagram(ID, d, len, now);
	return (ssize_t)orig;
}

/* The flights pushed since the last call, one datagram each way. */
static void flights_flush(void)
{
	size_t n = cli_flight_len;

	cli_flight_len = 0;
	if (n)
		dtls_datagram(ID, cli_flight, n, now);
	if (srv_flight_len)
		box_put(&to_client, srv_flight, srv_flight_len);
	srv_flight_len = 0;
}

/*
 * The client's pull with its CID: the part of the head datagram before a
 * CID record it cannot open yet, the rest stays for the next pull.
 */
static ssize_t cli_pull_cid(void *buf, size_t len)
{
	struct box *b = &to_client;
	size_t used;
	ssize_t n;

	while (b->n) {
		uint8_t *d = b->d[b->head];
		size_t *dl = &b->len[b->head];

		n = dtls_cid_in(cli, &ccid, d, *dl, &used, buf, len);
		if (n < 0 || used >= *dl) {
			b->head = (b->head + 1) % BOX;
			b->n--;
		} else {
			memmove(d, d + used, *dl - used);
			*dl -= used;
		}
		if (n > 0)
			return n;
	}
	gnutls_transport_set_errno(cli, EAGAIN);
	return -1;
}

static ssize_t cli_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct box *b = &to_client;
	size_t n;

	(void)p;
	if (cli_cid_on && ccid.negotiated && ccid.rx_len)
		return cli_pull_cid(buf, len);
	if (!b->n) {
		gnutls_transport_set_errno(cli, EAGAIN);
		return -1;
	}
	n = b->len[b->head] < len ? b->len[b->head] : len;
	memcpy(buf, b->d[b->head], n);
	b->head = (b->head + 1) % BOX;
	b->n--;
	return (ssize_t)n;
}

static int cli_pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	(void)p;
	(void)ms;
	return to_client.n ? 1 : 0;
}

static bool drop_ccs;			/* lose the daemon's next CCS flight */
static int dropping;

static int io_send(uint32_t id, const uint8_t *buf, size_t len)
{
	if (drop_ccs && len && buf[0] == 20) {
		drop_ccs = false;
		dropping = 2;		/* it, and the Finished after it */
	}
	if (dropping) {
		dropping--;
		return 0;
	}
	if (id != ID)
		return 0;
	cid_to_cli += cid_records(buf, len, ccid.rx_len);
	if (coalesce && len <= sizeof(srv_flight) - srv_flight_len) {
		memcpy(srv_flight + srv_flight_len, buf, len);
		srv_flight_len += len;
		return 0;
	}
	box_put(&to_client, buf, len);
	return 0;
}

static int established_err;		/* what session-add says next */

static int io_established(uint32_t id, const struct dtls_keys *k)
{
	int err = established_err;

	(void)id;
	established_err = 0;
	if (err)
		return err;
	keys = *k;
	n_established++;
	return 0;
}

static void io_failed(uint32_t id)
{
	(void)id;
	n_failed++;
}

static const struct dtls_io io = { io_send, io_established, io_failed };

static gnutls_psk_client_credentials_t psk_cred;
static gnutls_certificate_credentials_t cert_cred;

/* A client with @prio and @flags; the handshake driven to the end. */
static int handshake_with(const char *prio, unsigned int flags)
{
	int ret = GNUTLS_E_AGAIN, i;

	memset(&to_client, 0, sizeof(to_client));
	hvr_sent = false;
	gnutls_init(&cli, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK | flags);
	gnutls_priority_set_direct(cli, prio, NULL);
	if (psk_cred)
		gnutls_credentials_set(cli, GNUTLS_CRD_PSK, psk_cred);
	if (cert_cred)
		gnutls_credentials_set(cli, GNUTLS_CRD_CERTIFICATE, cert_cred);
	gnutls_transport_set_push_function(cli, cli_push);
	gnutls_transport_set_pull_function(cli, cli_pull);
	gnutls_transport_set_pull_timeout_function(cli, cli_pull_timeout);
	gnutls_dtls_set_mtu(cli, 1200);
	cid_to_srv = cid_to_cli = 0;
	if (cli_cid_on && dtls_cid_register(cli, &ccid))
		diag("the client's dtls_cid_register failed");
	for (i = 0; i < 50 && ret < 0; i++) {
		ret = gnutls_handshake(cli);
		flights_flush();
		if (ret < 0 && gnutls_error_is_fatal(ret))
			break;
	}
	return ret;
}

/* A PSK client with @prio and @identity/@key. */
static int handshake(const char *prio, const char *identity, const char *key)
{
	gnutls_datum_t k = { (unsigned char *)(uintptr_t)key, (unsigned int)strlen(key) };

	gnutls_psk_allocate_client_credentials(&psk_cred);
	gnutls_psk_set_client_credentials(psk_cred, identity, &k, GNUTLS_PSK_KEY_RAW);
	return handshake_with(prio, 0);
}

static void client_end(void)
{
	gnutls_deinit(cli);
	if (psk_cred)
		gnutls_psk_free_client_credentials(psk_cred);
	if (cert_cred)
		gnutls_certificate_free_credentials(cert_cred);
	psk_cred = NULL;
	cert_cred = NULL;
	cli_cid_on = false;
	coalesce = false;
	dtls_tick(now + 120000);	/* the server's lingering session goes */
}

static gnutls_cipher_algorithm_t cipher_of(uint8_t suite)
{
	return suite == DTLS_AES_128_CCM_8 ? GNUTLS_CIPHER_AES_128_CCM_8 :
	       suite == DTLS_AES_128_CCM ? GNUTLS_CIPHER_AES_128_CCM :
	       suite == DTLS_AES_128_GCM ? GNUTLS_CIPHER_AES_128_GCM :
	       GNUTLS_CIPHER_AES_256_GCM;
}

static size_t tag_of(uint8_t suite)
{
	return suite == DTLS_AES_128_CCM_8 ? 8 : 16;
}

/* The AAD of RFC 5246 §6.2.3.3 with DTLS's epoch and seq (RFC 6347 §4.1.2.1). */
static void aad(uint8_t a[13], const uint8_t *hdr, size_t plen)
{
	memcpy(a, hdr + 3, 8);
	a[8] = hdr[0];
	a[9] = hdr[1];
	a[10] = hdr[2];
	a[11] = (uint8_t)(plen >> 8);
	a[12] = (uint8_t)plen;
}

/* Open the record @r with the read key, as the kernel would: 0 and @out. */
static int open_record(const struct dtls_keys *k, const uint8_t *r, size_t len,
		       uint8_t *out, size_t *olen)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t key = { (unsigned char *)(uintptr_t)k->rx_key, k->key_len };
	uint8_t nonce[12], a[13];
	size_t tag = tag_of(k->suite), clen;
	int ret;

	if (len < 13 + 8 + tag)
		return -1;
	clen = len - 13 - 8;
	memcpy(nonce, k->rx_salt, 4);
	memcpy(nonce + 4, r + 13, 8);
	aad(a, r, clen - tag);
	if (gnutls_aead_cipher_init(&h, cipher_of(k->suite), &key))
		return -1;
	*olen = 2048;
	ret = gnutls_aead_cipher_decrypt(h, nonce, 12, a, 13, tag, r + 21, clen, out, olen);
	gnutls_aead_cipher_deinit(h);
	return ret;
}

/* Seal @p as application data with the write key at tx_seq; the length. */
static size_t seal_record(const struct dtls_keys *k, const char *p, uint8_t *r)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t key = { (unsigned char *)(uintptr_t)k->tx_key, k->key_len };
	size_t plen = strlen(p), tag = tag_of(k->suite), clen = plen + tag;
	uint8_t nonce[12];
	int i;

	r[0] = 23;
	r[1] = 0xfe;
	r[2] = 0xfd;
	r[3] = (uint8_t)(k->epoch >> 8);
	r[4] = (uint8_t)k->epoch;
	for (i = 0; i < 6; i++)
		r[5 + i] = (uint8_t)(k->tx_seq >> (8 * (5 - i)));
	r[11] = (uint8_t)((8 + clen) >> 8);
	r[12] = (uint8_t)(8 + clen);
	memcpy(r + 13, r + 3, 8);		/* the explicit nonce: epoch, seq */
	memcpy(nonce, k->tx_salt, 4);
	memcpy(nonce + 4, r + 13, 8);
	{
		uint8_t a[13];

		aad(a, r, plen);
		if (gnutls_aead_cipher_init(&h, cipher_of(k->suite), &key))
			return 0;
		if (gnutls_aead_cipher_encrypt(h, nonce, 12, a, 13, tag, p, plen, r + 21, &clen)) {
			gnutls_aead_cipher_deinit(h);
			return 0;
		}
		gnutls_aead_cipher_deinit(h);
	}
	return 13 + 8 + clen;
}

static uint64_t seq_of(const uint8_t *r)
{
	uint64_t v = 0;
	int i;

	for (i = 5; i < 11; i++)
		v = v << 8 | r[i];
	return v;
}

#define CLI_PRIO "NONE:+VERS-DTLS1.2:+%s:+AEAD:+PSK:+COMP-NULL:+SIGN-ALL:+GROUP-ALL"

static struct dtls_creds *creds_of(const char *psk_file)
{
	struct kcoapd_config c;
	struct dtls_creds *cr = NULL;

	kcoapd_config_defaults(&c);
	c.dtls_psk_file = psk_file;
	if (dtls_creds_load(&c, &cr))
		return NULL;
	return cr;
}

static void test_psk(const char *cipher, uint8_t suite)
{
	char prio[256];
	uint8_t rec[2048], pt[2048];
	size_t plen = 0, rlen;
	int ret, e0 = n_established;

	snprintf(prio, sizeof(prio), CLI_PRIO, cipher);
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret == 0 && hvr_sent && n_established == e0 + 1,
	   "%s: the handshake completes after the kernel's cookie exchange (%s)", cipher,
	   ret ? gnutls_strerror(ret) : "ok");
	memcpy(good_ch, last_ch, last_ch_len);
	good_ch_len = last_ch_len;
	ok(keys.suite == suite && keys.epoch == 1 &&
	   keys.key_len == (suite == DTLS_AES_256_GCM ? 32 : 16) &&
	   !strcmp(keys.identity, "client_identity"),
	   "%s: suite %u, epoch %u, %u-byte keys, identity '%s'", cipher, keys.suite,
	   keys.epoch, keys.key_len, keys.identity);
	/* The client's first application record: the kernel's read state opens it. */
	capture = true;
	captured_len = 0;
	gnutls_record_send(cli, "GET /x", 6);
	if (!captured_len)
		captured_len = 1;
	ok(captured_len > 13 && captured[0] == 23 && seq_of(captured) == keys.rx_seq,
	   "%s: the client's next record has the read sequence number given (%llu)", cipher,
	   (unsigned long long)keys.rx_seq);
	ok(open_record(&keys, captured, captured_len, pt, &plen) == 0 && plen == 6 &&
	   !memcmp(pt, "GET /x", 6), "%s: it opens with the read key and salt", cipher);
	captured[captured_len - 1] ^= 1;
	ok(open_record(&keys, captured, captured_len, pt, &plen) != 0,
	   "%s: one bit flipped, it does not", cipher);
	/* A record the kernel seals with the write state: the client takes it. */
	rlen = seal_record(&keys, "2.05 hello", rec);
	box_put(&to_client, rec, rlen);
	ret = (int)gnutls_record_recv(cli, pt, sizeof(pt));
	ok(ret == 10 && !memcmp(pt, "2.05 hello", 10),
	   "%s: a record sealed with the write key at seq %llu is accepted by the client",
	   cipher, (unsigned long long)keys.tx_seq);
	client_end();
}

/*
 * RFC 9146 §5.3, written here apart from lib/dtls_cid.c, as the kernel
 * does: the additional data of a tls12_cid record @r whose CID is @cid.
 */
static size_t aad_cid(uint8_t *a, const uint8_t *r, const uint8_t *cid, size_t cid_len,
		      size_t inner_len)
{
	memset(a, 0xff, 8);			/* seq_num_placeholder */
	a[8] = 25;				/* tls12_cid */
	a[9] = (uint8_t)cid_len;
	a[10] = 25;
	memcpy(a + 11, r + 1, 2);		/* version */
	memcpy(a + 13, r + 3, 8);		/* epoch, sequence_number */
	memcpy(a + 21, cid, cid_len);
	a[21 + cid_len] = (uint8_t)(inner_len >> 8);
	a[22 + cid_len] = (uint8_t)inner_len;
	return 23 + cid_len;
}

/* Open the tls12_cid record @r with the read key and @k's CID: 0, @out, @type. */
static int open_cid_record(const struct dtls_keys *k, const uint8_t *r, size_t len,
			   uint8_t *out, size_t *olen, uint8_t *type)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t key = { (unsigned char *)(uintptr_t)k->rx_key, k->key_len };
	size_t tag = tag_of(k->suite), hl = 13 + (size_t)k->cid_len, clen, alen;
	uint8_t nonce[12], a[300];
	int ret;

	if (len < hl + 8 + tag || r[0] != 25 || memcmp(r + 11, k->cid, k->cid_len) ||
	    (size_t)(r[hl - 2] << 8 | r[hl - 1]) != len - hl)
		return -1;
	clen = len - hl - 8;
	memcpy(nonce, k->rx_salt, 4);
	memcpy(nonce + 4, r + hl, 8);
	alen = aad_cid(a, r, k->cid, k->cid_len, clen - tag);
	if (gnutls_aead_cipher_init(&h, cipher_of(k->suite), &key))
		return -1;
	*olen = 2048;
	ret = gnutls_aead_cipher_decrypt(h, nonce, 12, a, alen, tag, r + hl + 8, clen, out, olen);
	gnutls_aead_cipher_deinit(h);
	while (!ret && *olen && !out[*olen - 1])
		(*olen)--;
	if (ret || !*olen)
		return -1;
	*type = out[--(*olen)];
	return 0;
}

/*
 * Seal @p (@type, then @pad zeros: DTLSInnerPlaintext) as the kernel does
 * for a client with a CID: the write key at tx_seq, the peer's CID.
 */
static size_t seal_cid_record(const struct dtls_keys *k, uint8_t type, const char *p,
			      size_t pad, uint8_t *r)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t key = { (unsigned char *)(uintptr_t)k->tx_key, k->key_len };
	size_t plen = strlen(p), ilen = plen + 1 + pad, tag = tag_of(k->suite), clen, alen;
	size_t hl = 13 + (size_t)k->peer_cid_len;
	uint8_t nonce[12], a[300], inner[512];
	int i, ret;

	memcpy(inner, p, plen);
	inner[plen] = type;
	memset(inner + plen + 1, 0, pad);
	r[0] = 25;
	r[1] = 0xfe;
	r[2] = 0xfd;
	r[3] = (uint8_t)(k->epoch >> 8);
	r[4] = (uint8_t)k->epoch;
	for (i = 0; i < 6; i++)
		r[5 + i] = (uint8_t)(k->tx_seq >> (8 * (5 - i)));
	memcpy(r + 11, k->peer_cid, k->peer_cid_len);
	clen = 8 + ilen + tag;
	r[hl - 2] = (uint8_t)(clen >> 8);
	r[hl - 1] = (uint8_t)clen;
	memcpy(r + hl, r + 3, 8);		/* the explicit nonce: epoch, seq */
	memcpy(nonce, k->tx_salt, 4);
	memcpy(nonce + 4, r + hl, 8);
	alen = aad_cid(a, r, k->peer_cid, k->peer_cid_len, ilen);
	if (gnutls_aead_cipher_init(&h, cipher_of(k->suite), &key))
		return 0;
	clen = ilen + tag;
	ret = gnutls_aead_cipher_encrypt(h, nonce, 12, a, alen, tag, inner, ilen, r + hl + 8, &clen);
	gnutls_aead_cipher_deinit(h);
	return ret ? 0 : hl + 8 + clen;
}

static void cid_hex(const uint8_t *c, size_t n, char *out)
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", c[i]);
}

/*
 * A client that offers a CID (@mine, @mine_len bytes: may be none) with
 * lib/dtls_cid.c against dtls.c: both Finished messages travel as
 * tls12_cid records, and the keys handed to the kernel carry both CIDs.
 */
static void test_cid(const char *cipher, const uint8_t *mine, uint8_t mine_len, bool flights)
{
	char prio[256], hex[600], what[80];
	uint8_t rec[2048], pt[2048], type = 0, out[2048];
	struct dtls_keys other;
	size_t plen = 0, rlen, used;
	int ret, e0 = n_established;
	ssize_t n;

	snprintf(what, sizeof(what), "cid %s, the client's %u bytes, %s", cipher, mine_len,
		 flights ? "a flight a datagram" : "a record a datagram");
	snprintf(prio, sizeof(prio), CLI_PRIO, cipher);
	memset(&ccid, 0, sizeof(ccid));
	if (mine_len)
		memcpy(ccid.rx, mine, mine_len);
	ccid.rx_len = mine_len;
	cli_cid_on = true;
	coalesce = flights;
	ret = handshake(prio, "client_identity", "secretPSK");
	coalesce = false;
	cid_hex(ccid.tx, ccid.tx_len, hex);
	ok(ret == 0 && n_established == e0 + 1 && ccid.negotiated && ccid.offered &&
	   ccid.tx_len == KCOAP_DTLS_CID_LEN,
	   "%s: the handshake completes, the server's CID is %s (%s)", what, hex,
	   ret ? gnutls_strerror(ret) : "ok");
	ok(cid_to_srv == 1 && cid_to_cli == (mine_len ? 1 : 0),
	   "%s: Finished travels as a tls12_cid record to the server (%d) and %s (%d)", what,
	   cid_to_srv, mine_len ? "to the client" : "not to the client, its CID empty",
	   cid_to_cli);
	cid_hex(keys.peer_cid, keys.peer_cid_len, hex);
	ok(keys.cid_len == KCOAP_DTLS_CID_LEN && !memcmp(keys.cid, ccid.tx, keys.cid_len) &&
	   keys.peer_cid_len == mine_len && (!mine_len || !memcmp(keys.peer_cid, mine, mine_len)),
	   "%s: the keys carry the server's CID and the client's ('%.16s%s')", what, hex,
	   strlen(hex) > 16 ? "..." : "");

	/* The client's first application record, through dtls_cid_out. */
	capture = true;
	captured_len = 0;
	gnutls_record_send(cli, "GET /cid", 8);
	ok(captured_len > 21 && captured[0] == 25 && !memcmp(captured + 11, keys.cid, 8) &&
	   seq_of(captured) == keys.rx_seq,
	   "%s: the client's next record is tls12_cid, the server's CID, seq %llu", what,
	   (unsigned long long)keys.rx_seq);
	ok(open_cid_record(&keys, captured, captured_len, pt, &plen, &type) == 0 && type == 23 &&
	   plen == 8 && !memcmp(pt, "GET /cid", 8),
	   "%s: it opens with the read key and RFC 9146 §5.3's additional data", what);
	other = keys;
	other.cid[0] ^= 1;
	memcpy(rec, captured, captured_len);
	rec[11] ^= 1;
	ok(open_cid_record(&other, rec, captured_len, pt, &plen, &type) != 0,
	   "%s: with another CID in header and AAD it does not", what);
	if (captured_len)
		captured[captured_len - 1] ^= 1;
	ok(open_cid_record(&keys, captured, captured_len, pt, &plen, &type) != 0,
	   "%s: one bit flipped, it does not", what);

	/* What the kernel seals to this client: its CID, or none. */
	if (mine_len) {
		rlen = seal_cid_record(&keys, 23, "2.05 cid", 3, rec);
		box_put(&to_client, rec, rlen);
		ret = (int)gnutls_record_recv(cli, pt, sizeof(pt));
		ok(ret == 8 && !memcmp(pt, "2.05 cid", 8),
		   "%s: a tls12_cid record sealed at seq %llu, padded, is accepted by the client",
		   what, (unsigned long long)keys.tx_seq);
		keys.tx_seq++;
		rlen = seal_cid_record(&keys, 23, "", 4, rec);
		rec[13 + mine_len + 8] ^= 0;	/* DTLSInnerPlaintext: type 23, zeros */
		n = dtls_cid_in(cli, &ccid, rec, rlen, &used, out, sizeof(out));
		ok(n == (ssize_t)(13 + 8 + tag_of(keys.suite)) && used == rlen,
		   "%s: empty content with padding opens to an empty record", what);
		keys.tx_seq++;
		rlen = seal_cid_record(&keys, 0, "", 4, rec);
		n = dtls_cid_in(cli, &ccid, rec, rlen, &used, out, sizeof(out));
		ok(n == 0 && used == rlen, "%s: all zeros (no real type): dropped", what);
		rlen = seal_cid_record(&keys, 23, "x", 0, rec);
		rec[11] ^= 0x80;
		n = dtls_cid_in(cli, &ccid, rec, rlen, &used, out, sizeof(out));
		ok(n == 0 && used == rlen, "%s: another CID: dropped", what);
		n = dtls_cid_in(cli, &ccid, rec, 13 + mine_len - 1, &used, out, sizeof(out));
		ok(n == 0 && used == 13u + mine_len - 1, "%s: cut short: dropped", what);
	} else {
		rlen = seal_record(&keys, "2.05 plain", rec);
		box_put(&to_client, rec, rlen);
		ret = (int)gnutls_record_recv(cli, pt, sizeof(pt));
		ok(ret == 10 && !memcmp(pt, "2.05 plain", 10),
		   "%s: a plain record sealed at seq %llu is accepted by the client", what,
		   (unsigned long long)keys.tx_seq);
	}
	client_end();
}

/* Our Finished lost, with CIDs: the lingering session repeats it as one. */
static void test_cid_lost_finished(void)
{
	static const uint8_t mine[] = { 0xc1, 0xd0 };
	char prio[256];
	int ret, i, e0 = n_established;

	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	memset(&ccid, 0, sizeof(ccid));
	memcpy(ccid.rx, mine, sizeof(mine));
	ccid.rx_len = sizeof(mine);
	cli_cid_on = true;
	coalesce = true;
	drop_ccs = true;
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret == GNUTLS_E_AGAIN && !drop_ccs && n_established == e0 + 1 && cid_to_cli == 0,
	   "cid: our Finished lost, the session is installed, the client waits");
	for (i = 0; i < 30 && ret == GNUTLS_E_AGAIN; i++) {
		usleep(100000);
		ret = gnutls_handshake(cli);
		flights_flush();
	}
	ok(ret == 0 && n_established == e0 + 1 && cid_to_srv == 2 && cid_to_cli == 1,
	   "cid: its flight again (a second CID record) gets our Finished again as one (%s)",
	   ret ? gnutls_strerror(ret) : "ok");
	client_end();
}

/* The kernel has the CID already (EEXIST): that handshake fails, logged. */
static void test_cid_in_use(void)
{
	char prio[256], err[1024];
	int ret, e0 = n_established, f0 = n_failed;
	uint8_t pt[64];

	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	memset(&ccid, 0, sizeof(ccid));
	cli_cid_on = true;
	established_err = -EEXIST;
	kcoapd_log_level(4);
	err_begin();
	ret = handshake(prio, "client_identity", "secretPSK");
	err_end(err, sizeof(err));
	kcoapd_log_level(getenv("DTLS_TEST_DEBUG") ? 7 : 3);
	ok(ret == 0 && n_established == e0 && n_failed == f0 + 1 && !dtls_stats()->in_flight &&
	   ccid.tx_len == 8 && strstr(err, "cid") && strstr(err, "another session"),
	   "cid: session-add says EEXIST: the handshake fails, the kernel told: %s", err);
	ret = (int)gnutls_record_recv(cli, pt, sizeof(pt));
	ok(ret == GNUTLS_E_FATAL_ALERT_RECEIVED &&
	   gnutls_alert_get(cli) == GNUTLS_A_INTERNAL_ERROR,
	   "cid: the client, which has our Finished, hears a fatal internal_error alert (%s)",
	   gnutls_strerror(ret));
	client_end();
}

/* dtls-cid off, or a client that does not offer it: no CID. */
static void test_cid_none(void)
{
	static const uint8_t mine[] = { 1, 2, 3, 4 };
	struct kcoapd_config c;
	struct dtls_creds *cr = NULL;
	char prio[256];
	int ret, e0 = n_established;

	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret == 0 && n_established == e0 + 1 && !keys.cid_len && !keys.peer_cid_len,
	   "a client that does not offer the extension: no CID in the keys");
	client_end();

	kcoapd_config_defaults(&c);
	ok(c.dtls_cid, "dtls-cid is on by default");
	c.dtls_psk_file = file("psk", "client_identity:secretPSK\n", 0600);
	c.dtls_cid = false;
	if (dtls_creds_load(&c, &cr))
		cr = NULL;
	ok(cr && !strstr(dtls_creds_describe(cr), "connection IDs"), "dtls-cid off loads: %s",
	   dtls_creds_describe(cr));
	dtls_use(cr);
	memset(&ccid, 0, sizeof(ccid));
	memcpy(ccid.rx, mine, sizeof(mine));
	ccid.rx_len = sizeof(mine);
	cli_cid_on = true;
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret == 0 && n_established == e0 + 2 && !ccid.negotiated && !ccid.offered &&
	   !keys.cid_len && !keys.peer_cid_len && !cid_to_srv && !cid_to_cli,
	   "dtls-cid off: offered, not answered, no CID anywhere (%s)",
	   ret ? gnutls_strerror(ret) : "ok");
	client_end();
	c.dtls_cid = true;
	if (dtls_creds_load(&c, &cr))
		cr = NULL;
	ok(cr && strstr(dtls_creds_describe(cr), "connection IDs"), "dtls-cid on: %s",
	   dtls_creds_describe(cr));
	dtls_use(cr);
}

static void test_psk_files(void)
{
	char err[1024];
	struct dtls_creds *cr;
	struct kcoapd_config c;
	int rc;

	cr = creds_of(file("psk", "# devices\nclient_identity:secretPSK\n\nhexid:0x00112233445566778899aabbccddeeff\n", 0600));
	ok(cr && strstr(dtls_creds_describe(cr), "2 PSK identities"),
	   "a PSK file with a text and a hex key loads: %s", dtls_creds_describe(cr));
	dtls_creds_put(cr);

	err_begin();
	cr = creds_of(file("psk644", "a:b\n", 0644));
	err_end(err, sizeof(err));
	ok(!cr && strstr(err, "dtls-psk-file") && strstr(err, "psk644") && strstr(err, "mode 644"),
	   "a group/world readable PSK file is refused, named with its mode: %s", err);
	err_begin();
	cr = creds_of(file("psk640", "a:b\n", 0640));
	err_end(err, sizeof(err));
	ok(!cr && strstr(err, "mode 640"), "mode 640 too");

	err_begin();
	cr = creds_of(file("pskbad", "a:0x123\n", 0600));
	err_end(err, sizeof(err));
	ok(!cr && strstr(err, "pskbad:1") && strstr(err, "hex") && !strstr(err, "123"),
	   "an odd hex key is refused by line, the key not shown: %s", err);
	err_begin();
	cr = creds_of(file("pskdup", "a:b\na:c\n", 0600));
	err_end(err, sizeof(err));
	ok(!cr && strstr(err, "pskdup:2") && strstr(err, "'a' again"), "an identity twice: %s", err);
	err_begin();
	cr = creds_of(file("pskempty", "# none\n", 0600));
	err_end(err, sizeof(err));
	ok(!cr && strstr(err, "no \"IDENTITY:KEY\""), "no identity at all: %s", err);

	kcoapd_config_defaults(&c);
	c.dtls_key_file = file("key", "not a key\n", 0644);
	c.dtls_cert_file = file("cert", "not a cert\n", 0644);
	err_begin();
	rc = dtls_creds_load(&c, &cr);
	err_end(err, sizeof(err));
	ok(rc && strstr(err, "dtls-key-file") && strstr(err, "mode 644"),
	   "a readable private key file is refused, with its mode: %s", err);

	kcoapd_config_defaults(&c);
	ok(dtls_creds_load(&c, &cr) == 0 && !cr, "no credentials: DTLS is off");
	c.dtls = 1;
	err_begin();
	rc = dtls_creds_load(&c, &cr);
	err_end(err, sizeof(err));
	ok(rc && strstr(err, "dtls on"), "dtls on without credentials: an error");
	c.dtls = -1;
	c.dtls_psk_file = file("psk", "a:b\n", 0600);
	c.dtls_priority = "NONE:+BOGUS";
	err_begin();
	rc = dtls_creds_load(&c, &cr);
	err_end(err, sizeof(err));
	ok(rc && strstr(err, "dtls-priority") && strstr(err, "BOGUS"),
	   "a bad dtls-priority is named: %s", err);
}

/*
 * The daemon's last flight (ChangeCipherSpec, Finished) is lost: the
 * client sends its own again, the lingering GnuTLS session answers, and
 * the write sequence numbers the kernel was given are still unused.
 */
static void test_lost_finished(bool flights)
{
	char prio[256];
	uint8_t rec[2048], pt[2048];
	int ret, i, e0 = n_established;
	size_t rlen;

	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	drop_ccs = true;
	coalesce = flights;
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret == GNUTLS_E_AGAIN && !drop_ccs && n_established == e0 + 1,
	   "our Finished lost (%s): the session is installed, the client still waits",
	   flights ? "a flight a datagram" : "a record a datagram");
	for (i = 0; i < 30 && ret == GNUTLS_E_AGAIN; i++) {
		usleep(100000);		/* the client's GnuTLS retransmits after 1 s */
		ret = gnutls_handshake(cli);
		flights_flush();
	}
	ok(ret == 0 && n_established == e0 + 1,
	   "its retransmitted flight gets our Finished again (%s)", ret ? gnutls_strerror(ret) : "ok");
	rlen = seal_record(&keys, "2.05 after", rec);
	box_put(&to_client, rec, rlen);
	ret = (int)gnutls_record_recv(cli, pt, sizeof(pt));
	ok(ret == 10 && !memcmp(pt, "2.05 after", 10),
	   "a record the kernel seals at seq %llu is still accepted",
	   (unsigned long long)keys.tx_seq);
	dtls_session_used(ID);
	ok(dtls_stats()->in_flight == 0, "the first request over the session ends the linger");
	client_end();
}

static void test_failures(void)
{
	char prio[256];
	int ret, f0 = n_failed, e0 = n_established;

	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	ret = handshake(prio, "client_identity", "wrongPSK");
	ok(ret < 0 && n_established == e0, "a wrong PSK: no session (client: %s)",
	   gnutls_strerror(ret));
	/* The bad Finished was dropped: the handshake ends at its deadline. */
	dtls_tick(now + 59000);
	ok(dtls_stats()->in_flight == 1 && n_failed == f0, "it waits for a good Finished");
	dtls_tick(now + 61000);
	ok(n_failed == f0 + 1 && !dtls_stats()->in_flight,
	   "and gives up after 60 s, the kernel told");
	client_end();
	ret = handshake(prio, "nobody", "secretPSK");
	dtls_tick(now + 61000);
	ok(ret < 0 && n_established == e0 && n_failed == f0 + 2 && !dtls_stats()->in_flight,
	   "an unknown identity fails too (client: %s)", gnutls_strerror(ret));
	client_end();
	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-256-CCM");
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret < 0 && n_established == e0 && n_failed == f0 + 3 && !dtls_stats()->in_flight,
	   "a suite the kernel cannot run is not agreed");
	client_end();
}

static void test_limits(void)
{
	const struct dtls_stats *s = dtls_stats();
	uint64_t full = s->refused_full, ign = s->ignored, ev;
	int f0 = n_failed, ret;
	uint8_t ch[64];
	char prio[160];

	/* The ClientHello of the last handshake, from two more peers. */
	dtls_datagram(100, good_ch, good_ch_len, now);
	dtls_datagram(101, good_ch, good_ch_len, now);
	ok(good_ch_len && dtls_stats()->in_flight == 1 && s->refused_full == full + 1 &&
	   n_failed == f0 + 1,
	   "beyond dtls-handshakes-max (1 here) a handshake is refused and the kernel told");
	dtls_tick(now + 120000);
	ok(dtls_stats()->in_flight == 0 && n_failed == f0 + 2,
	   "a handshake that hears nothing more times out (%u left)", dtls_stats()->in_flight);
	/* A finished handshake lingers in its slot; a new one takes it. */
	snprintf(prio, sizeof(prio), CLI_PRIO, "AES-128-CCM-8");
	ret = handshake(prio, "client_identity", "secretPSK");
	ok(ret >= 0 && dtls_stats()->in_flight == 1, "a finished handshake lingers (%s)",
	   gnutls_strerror(ret));
	ev = s->linger_evicted;
	dtls_datagram(104, good_ch, good_ch_len, now);
	ok(dtls_stats()->in_flight == 1 && s->refused_full == full + 1 &&
	   s->linger_evicted == ev + 1,
	   "a new handshake takes its slot instead of being refused");
	gnutls_deinit(cli);
	gnutls_psk_free_client_credentials(psk_cred);
	psk_cred = NULL;
	dtls_tick(now + 120000);
	memcpy(ch, good_ch, sizeof(ch));
	ch[13] = 2;
	dtls_datagram(102, ch, sizeof(ch), now);
	ok(s->ignored == ign + 1 && !dtls_stats()->in_flight,
	   "a datagram of no handshake that is no ClientHello is ignored");
	f0 = n_failed;
	dtls_use(NULL);
	dtls_datagram(103, good_ch, good_ch_len, now);
	ok(s->ignored == ign + 2 && n_failed == f0 + 1 && !dtls_stats()->in_flight,
	   "with DTLS off a ClientHello is refused and the kernel told at once");
}


/* ---- certificates and raw keys, made now ---- */

struct pki {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	char crt_path[128], key_path[128];
	uint8_t der[2048], spki[512];
	size_t der_len, spki_len;
};

static int save(const char *path, const gnutls_datum_t *d, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(d->data, 1, d->size, f) != d->size)
		return -1;
	fclose(f);
	return chmod(path, mode);
}

/* An ECDSA P-256 key and a certificate for @cn, signed by @by (NULL: itself). */
static int mk_pki(struct pki *p, const char *name, const char *cn, struct pki *by, bool ca)
{
	static unsigned char serial = 1;
	gnutls_datum_t d;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	snprintf(p->crt_path, sizeof(p->crt_path), "%s/%s.pem", dir, name);
	snprintf(p->key_path, sizeof(p->key_path), "%s/%s.key", dir, name);
	ret |= gnutls_x509_privkey_init(&p->key);
	ret |= gnutls_x509_privkey_generate(p->key, GNUTLS_PK_ECDSA,
					    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	ret |= gnutls_x509_crt_init(&p->crt);
	ret |= gnutls_x509_crt_set_version(p->crt, 3);
	serial++;
	ret |= gnutls_x509_crt_set_serial(p->crt, &serial, 1);
	ret |= gnutls_x509_crt_set_activation_time(p->crt, time(NULL) - 60);
	ret |= gnutls_x509_crt_set_expiration_time(p->crt, time(NULL) + 86400);
	ret |= gnutls_x509_crt_set_dn_by_oid(p->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
					     (unsigned int)strlen(cn));
	ret |= gnutls_x509_crt_set_key(p->crt, p->key);
	ret |= gnutls_x509_crt_set_basic_constraints(p->crt, ca, -1);
	ret |= gnutls_x509_crt_set_key_usage(p->crt, ca ? GNUTLS_KEY_KEY_CERT_SIGN :
					     GNUTLS_KEY_DIGITAL_SIGNATURE);
	ret |= gnutls_x509_crt_sign2(p->crt, by ? by->crt : p->crt, by ? by->key : p->key,
				     GNUTLS_DIG_SHA256, 0);
	if (ret)
		return -1;
	if (gnutls_x509_crt_export2(p->crt, GNUTLS_X509_FMT_PEM, &d))
		return -1;
	ret = save(p->crt_path, &d, 0644);
	gnutls_free(d.data);
	if (ret || gnutls_x509_privkey_export2(p->key, GNUTLS_X509_FMT_PEM, &d))
		return -1;
	ret = save(p->key_path, &d, 0600);
	gnutls_free(d.data);
	p->der_len = sizeof(p->der);
	p->spki_len = sizeof(p->spki);
	if (ret || gnutls_x509_crt_export(p->crt, GNUTLS_X509_FMT_DER, p->der, &p->der_len) ||
	    gnutls_x509_crt_get_pk_algorithm(p->crt, NULL) < 0)
		return -1;
	{
		gnutls_pubkey_t pub;

		if (gnutls_pubkey_init(&pub) || gnutls_pubkey_import_x509(pub, p->crt, 0) ||
		    gnutls_pubkey_export(pub, GNUTLS_X509_FMT_DER, p->spki, &p->spki_len))
			return -1;
		gnutls_pubkey_deinit(pub);
	}
	return 0;
}

static void pki_free(struct pki *p)
{
	gnutls_x509_crt_deinit(p->crt);
	gnutls_x509_privkey_deinit(p->key);
}

static void sha256_id(const uint8_t *d, size_t len, char *out)
{
	uint8_t md[32];
	int i;

	gnutls_hash_fast(GNUTLS_DIG_SHA256, d, len, md);
	strcpy(out, "sha256:");
	for (i = 0; i < 32; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

#define CERT_PRIO "NONE:+VERS-DTLS1.2:+AES-128-CCM-8:+AEAD:+ECDHE-ECDSA:+COMP-NULL:" \
	"+SIGN-ALL:+GROUP-ALL"

static void test_certs(void)
{
	struct pki ca, rogue, srv, dev, bad;
	struct kcoapd_config c;
	struct dtls_creds *cr;
	char want[80];
	int ret, e0, f0;

	if (mk_pki(&ca, "ca", "test CA", NULL, true) || mk_pki(&rogue, "rogue", "rogue CA", NULL, true) ||
	    mk_pki(&srv, "srv", "gateway", &ca, false) || mk_pki(&dev, "dev", "sensor7", &ca, false) ||
	    mk_pki(&bad, "bad", "sensor7", &rogue, false)) {
		ok(false, "test certificates made");
		return;
	}
	kcoapd_config_defaults(&c);
	c.dtls_cert_file = srv.crt_path;
	c.dtls_key_file = srv.key_path;
	c.dtls_ca_file = ca.crt_path;
	ret = dtls_creds_load(&c, &cr);
	ok(ret == 0 && cr, "certificate, key and CA load: %s", dtls_creds_describe(cr));
	dtls_use(cr);

	e0 = n_established;
	f0 = n_failed;
	gnutls_certificate_allocate_credentials(&cert_cred);
	gnutls_certificate_set_x509_key_file(cert_cred, dev.crt_path, dev.key_path,
					     GNUTLS_X509_FMT_PEM);
	ret = handshake_with(CERT_PRIO, 0);
	sha256_id(dev.der, dev.der_len, want);
	ok(ret == 0 && n_established == e0 + 1 && keys.suite == DTLS_AES_128_CCM_8,
	   "ECDHE-ECDSA-AES-128-CCM-8 with a client certificate of the CA (%s)",
	   ret ? gnutls_strerror(ret) : "ok");
	ok(!strcmp(keys.identity, want), "the identity is the certificate's sha256: %s",
	   keys.identity);
	client_end();

	gnutls_certificate_allocate_credentials(&cert_cred);
	gnutls_certificate_set_x509_key_file(cert_cred, bad.crt_path, bad.key_path,
					     GNUTLS_X509_FMT_PEM);
	ret = handshake_with(CERT_PRIO, 0);
	ok(ret < 0 && n_established == e0 + 1 && n_failed == f0 + 1,
	   "a certificate of another CA: refused (client: %s)", gnutls_strerror(ret));
	client_end();

	gnutls_certificate_allocate_credentials(&cert_cred);
	ret = handshake_with(CERT_PRIO, 0);
	ok(ret < 0 && n_established == e0 + 1, "no client certificate: refused (client: %s)",
	   gnutls_strerror(ret));
	client_end();

	/* Raw public keys (RFC 7250), no CA: the key is the identity. */
	c.dtls_ca_file = NULL;
	c.dtls_rpk = true;
	ret = dtls_creds_load(&c, &cr);
	ok(ret == 0 && cr && strstr(dtls_creds_describe(cr), "raw public keys"),
	   "dtls-rpk on loads: %s", dtls_creds_describe(cr));
	dtls_use(cr);
	gnutls_certificate_allocate_credentials(&cert_cred);
	{
		gnutls_datum_t k, pub;
		gnutls_pubkey_t pk;

		gnutls_load_file(bad.key_path, &k);
		gnutls_pubkey_init(&pk);
		gnutls_pubkey_import_x509(pk, bad.crt, 0);
		gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_PEM, &pub);
		ret = gnutls_certificate_set_rawpk_key_mem(cert_cred, &pub, &k, GNUTLS_X509_FMT_PEM,
							   NULL, 0, NULL, 0, 0);
		if (ret < 0)
			diag("client rawpk: %s", gnutls_strerror(ret));
		gnutls_pubkey_deinit(pk);
		gnutls_free(pub.data);
		gnutls_free(k.data);
	}
	ret = handshake_with(CERT_PRIO ":+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK", GNUTLS_ENABLE_RAWPK);
	sha256_id(bad.spki, bad.spki_len, want);
	ok(ret == 0 && n_established == e0 + 2 && !strcmp(keys.identity, want),
	   "a raw public key: a session, the key's sha256 its identity (%s, %s)",
	   ret ? gnutls_strerror(ret) : "ok", keys.identity);
	client_end();

	c.dtls_cert_file = NULL;
	ret = dtls_creds_load(&c, &cr);
	ok(ret == 0 && cr && !strstr(dtls_creds_describe(cr), "certificate"),
	   "dtls-rpk on needs the key alone, and presents no certificate: %s",
	   dtls_creds_describe(cr));
	dtls_creds_put(cr);
	c.dtls_rpk = false;
	{
		char err[512];

		err_begin();
		ret = dtls_creds_load(&c, &cr);
		err_end(err, sizeof(err));
		ok(ret && strstr(err, "go together"), "a key without its certificate: %s", err);
	}
	pki_free(&ca);
	pki_free(&rogue);
	pki_free(&srv);
	pki_free(&dev);
	pki_free(&bad);
}

static int lookups;
static int lookup(uint32_t id, char *buf, size_t cap)
{
	lookups++;
	if (id != 42)
		return -ENOENT;
	snprintf(buf, cap, "from-kernel");
	return 0;
}

static void test_identities(void)
{
	const char *a;

	dtls_identity_set(5, "dev5");
	a = dtls_identity(5, lookup);
	ok(a && !strcmp(a, "dev5") && !lookups, "a session's identity is remembered");
	a = dtls_identity(42, lookup);
	ok(a && !strcmp(a, "from-kernel") && lookups == 1 && dtls_identity(42, lookup) &&
	   lookups == 1, "one not known is asked of the kernel once");
	ok(!dtls_identity(43, lookup) && !dtls_identity(0, lookup),
	   "none for a session the kernel does not have, or session 0");
	dtls_identity_forget(5);
	ok(!dtls_identity(5, NULL), "a deleted session's is forgotten");
}

int main(int argc, char **argv)
{
	struct dtls_creds *cr;

	t_count = argc > 1 ? atoi(argv[1]) : 0;
	t_prefix = "dtls: ";
	if (!mkdtemp(dir))
		return 2;
	kcoapd_log_init(false, false);
	kcoapd_log_level(getenv("DTLS_TEST_DEBUG") ? 7 : 3);
	test_psk_files();

	dtls_init(&io, 4, 1200);
	cr = creds_of(file("psk", "client_identity:secretPSK\n", 0600));
	if (!ok(cr != NULL, "the server's credentials"))
		return 1;
	dtls_use(cr);
	test_psk("AES-128-CCM-8", DTLS_AES_128_CCM_8);
	test_psk("AES-128-GCM", DTLS_AES_128_GCM);
	test_psk("AES-128-CCM", DTLS_AES_128_CCM);
	test_psk("AES-256-GCM", DTLS_AES_256_GCM);
	test_lost_finished(false);
	test_lost_finished(true);
	{
		static const uint8_t four[] = { 0xde, 0xad, 0xbe, 0xef };
		uint8_t big[255];
		int i;

		for (i = 0; i < 255; i++)
			big[i] = (uint8_t)i;
		test_cid("AES-128-CCM-8", NULL, 0, false);
		test_cid("AES-128-CCM-8", NULL, 0, true);
		test_cid("AES-128-CCM-8", four, sizeof(four), false);
		test_cid("AES-128-CCM-8", four, sizeof(four), true);
		test_cid("AES-128-GCM", four, sizeof(four), true);
		test_cid("AES-256-GCM", big, 255, true);
		test_cid_lost_finished();
		test_cid_in_use();
		test_cid_none();
	}
	test_failures();
	test_certs();
	dtls_end();

	dtls_init(&io, 1, 1200);
	dtls_use(creds_of(file("psk", "client_identity:secretPSK\n", 0600)));
	test_limits();
	dtls_end();
	test_identities();

	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			diag("could not remove %s", dir);
	}
	printf("1..%d\n", t_count);
	return t_failed ? 1 : 0;
}
