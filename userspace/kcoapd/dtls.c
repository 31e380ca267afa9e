// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The DTLS handshakes (docs/dtls.md), one GnuTLS server session each, non
 * blocking, over the ring: datagrams the kernel hands up are queued for
 * GnuTLS's pull function, what it pushes goes down under the handshake's
 * id. The kernel has done the cookie exchange (RFC 6347 §4.2.1): the first
 * datagram of a handshake is the ClientHello that carried a good cookie,
 * so GnuTLS is told where the exchange left the sequence numbers
 * (gnutls_dtls_prestate_set()) and goes on from the ServerHello.
 *
 * When GnuTLS is done, its record states (gnutls_record_get_state()) are
 * the session's keys: they go down and are wiped here. The GnuTLS session
 * stays a while without them being of use for records: if our last flight
 * was lost, the client sends its own again, and GnuTLS answers that with a
 * retransmission (in epoch 1, with sequence numbers the kernel is told to
 * leave free: DTLS_TX_SEQ_GAP). The first request over the session, or
 * DTLS_LINGER_MS, ends that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include "dtls.h"
#include "dtls_cid.h"
#include "kcoapd.h"

#define DTLS_QUEUE 8			/* datagrams waiting for GnuTLS */
#define DTLS_DGRAM_MAX 2048		/* bytes of one, as a ring slot holds */
#define DTLS_LINGER_MS 30000
#define DTLS_TOTAL_MS 60000		/* as the kernel's dtls-handshake-timeout */
#define DTLS_RETRANS_MS 1000		/* RFC 6347 §4.2.4.1: 1 s first */
#define DTLS_TX_SEQ_GAP 16		/* epoch 1 records GnuTLS may still send */
#define DTLS_PSK_IDS_MAX 100000

struct psk {
	char *identity;
	uint8_t key[DTLS_PSK_MAX];
	size_t key_len;
};

struct dtls_creds {
	int refs;
	gnutls_priority_t prio;
	gnutls_psk_server_credentials_t psk_cred;
	gnutls_certificate_credentials_t cert_cred;
	struct psk *psks;
	size_t n_psks;
	bool ca, rpk, cid;
	char what[160];
};

struct hs {
	uint32_t id;			/* 0: a free slot */
	gnutls_session_t s;
	struct dtls_creds *cr;
	uint8_t *q[DTLS_QUEUE];
	size_t qlen[DTLS_QUEUE];
	unsigned int qhead, qn;
	uint64_t due;			/* ms: call GnuTLS again; 0: no need */
	uint64_t deadline;		/* ms: given up then */
	uint64_t linger_end;		/* established: keep until then */
	bool done;
	struct dtls_cid cid;		/* RFC 9146: GnuTLS's extension data */
};

static const struct dtls_io *io;
static struct hs *hss;
static uint32_t n_hs, hs_max, mtu;
static struct dtls_creds *current;
static struct dtls_stats st;

/* ---- secrets ---- */

int dtls_secret_file_ok(const char *key, const char *path)
{
	struct stat sb;

	if (stat(path, &sb)) {
		int err = errno;

		fprintf(stderr, "kcoapd: %s '%s': %s\n", key, path, strerror(err));
		return -err;
	}
	if (sb.st_mode & 077) {
		fprintf(stderr, "kcoapd: %s '%s' is readable by group or others (mode %03o): it holds a secret; chmod 600 it\n",
			key, path, (unsigned int)(sb.st_mode & 0777));
		return -EACCES;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void psks_free(struct dtls_creds *cr)
{
	size_t i;

	for (i = 0; i < cr->n_psks; i++) {
		free(cr->psks[i].identity);
		gnutls_memset(cr->psks[i].key, 0, sizeof(cr->psks[i].key));
	}
	free(cr->psks);
	cr->psks = NULL;
	cr->n_psks = 0;
}

/*
 * "identity:key" lines; the key as text, or 0x and hex. '#' at the start of
 * a line and empty lines are skipped. An error names the line, never a key.
 */
static int psk_line(struct dtls_creds *cr, char *line, const char *where)
{
	char *colon = strchr(line, ':'), *k;
	struct psk *p;
	size_t n, i;

	if (!colon || colon == line) {
		fprintf(stderr, "kcoapd: %s: want \"IDENTITY:KEY\"\n", where);
		return -EINVAL;
	}
	*colon = 0;
	k = colon + 1;
	if (strlen(line) > DTLS_IDENTITY_MAX) {
		fprintf(stderr, "kcoapd: %s: identity longer than %d bytes\n", where,
			DTLS_IDENTITY_MAX);
		return -EINVAL;
	}
	for (i = 0; i < cr->n_psks; i++)
		if (!strcmp(cr->psks[i].identity, line)) {
			fprintf(stderr, "kcoapd: %s: identity '%s' again\n", where, line);
			return -EINVAL;
		}
	if (cr->n_psks == DTLS_PSK_IDS_MAX) {
		fprintf(stderr, "kcoapd: %s: more than %d identities\n", where, DTLS_PSK_IDS_MAX);
		return -EINVAL;
	}
	p = realloc(cr->psks, (cr->n_psks + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	cr->psks = p;
	p = &p[cr->n_psks];
	memset(p, 0, sizeof(*p));
	if (k[0] == '0' && (k[1] == 'x' || k[1] == 'X')) {
		k += 2;
		n = strlen(k);
		if (!n || n % 2 || n / 2 > DTLS_PSK_MAX) {
			fprintf(stderr, "kcoapd: %s: the key of '%s' is not 1 to %d bytes of hex\n",
				where, line, DTLS_PSK_MAX);
			return -EINVAL;
		}
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(k[2 * i]), lo = hexval(k[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				fprintf(stderr, "kcoapd: %s: the key of '%s' is not hex\n", where, line);
				gnutls_memset(p->key, 0, sizeof(p->key));
				return -EINVAL;
			}
			p->key[i] = (uint8_t)(hi << 4 | lo);
		}
		p->key_len = n / 2;
	} else {
		n = strlen(k);
		if (!n || n > DTLS_PSK_MAX) {
			fprintf(stderr, "kcoapd: %s: the key of '%s' is not 1 to %d bytes\n",
				where, line, DTLS_PSK_MAX);
			return -EINVAL;
		}
		memcpy(p->key, k, n);
		p->key_len = n;
	}
	p->identity = strdup(line);
	if (!p->identity)
		return -ENOMEM;
	cr->n_psks++;
	return 0;
}

static int psk_load(struct dtls_creds *cr, const char *path)
{
	char *line = NULL, where[300];
	size_t cap = 0;
	ssize_t len;
	int n = 0, err = 0;
	FILE *f;

	err = dtls_secret_file_ok("dtls-psk-file", path);
	if (err)
		return err;
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		fprintf(stderr, "kcoapd: dtls-psk-file '%s': %s\n", path, strerror(errno));
		return err;
	}
	while (!err && (len = getline(&line, &cap, f)) >= 0) {
		n++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "dtls-psk-file %s:%d", path, n);
		err = psk_line(cr, line, where);
		gnutls_memset(line, 0, (size_t)len);
	}
	if (line)
		gnutls_memset(line, 0, cap);
	free(line);
	fclose(f);
	if (!err && !cr->n_psks) {
		fprintf(stderr, "kcoapd: dtls-psk-file '%s' has no \"IDENTITY:KEY\" line\n", path);
		err = -EINVAL;
	}
	return err;
}

/* GnuTLS asks for the key of @username; the handshake's creds hold it. */
static int psk_lookup(gnutls_session_t s, const char *username, gnutls_datum_t *key)
{
	struct hs *h = gnutls_session_get_ptr(s);
	size_t i;

	for (i = 0; h && i < h->cr->n_psks; i++) {
		const struct psk *p = &h->cr->psks[i];

		if (strcmp(p->identity, username))
			continue;
		key->data = gnutls_malloc(p->key_len);
		if (!key->data)
			return -1;
		memcpy(key->data, p->key, p->key_len);
		key->size = (unsigned int)p->key_len;
		return 0;
	}
	/* Unknown: GnuTLS answers unknown_psk_identity (RFC 4279 §2). */
	return -1;
}

const char *dtls_creds_describe(const struct dtls_creds *cr)
{
	return cr ? cr->what : "off";
}

void dtls_creds_put(struct dtls_creds *cr)
{
	if (!cr || --cr->refs)
		return;
	if (cr->prio)
		gnutls_priority_deinit(cr->prio);
	if (cr->psk_cred)
		gnutls_psk_free_server_credentials(cr->psk_cred);
	if (cr->cert_cred)
		gnutls_certificate_free_credentials(cr->cert_cred);
	psks_free(cr);
	free(cr);
}

static int gnutls_failed(const char *what, const char *path, int ret)
{
	fprintf(stderr, "kcoapd: %s%s%s%s: %s\n", what, path ? " '" : "", path ? path : "",
		path ? "'" : "", gnutls_strerror(ret));
	return -EINVAL;
}

/* The key of @path also as a raw public key (RFC 7250): its SPKI from it. */
static int rawpk_load(struct dtls_creds *cr, const char *path)
{
	gnutls_datum_t key = { NULL, 0 }, spki = { NULL, 0 };
	gnutls_privkey_t priv = NULL;
	gnutls_pubkey_t pub = NULL;
	int ret;

	ret = gnutls_load_file(path, &key);
	if (!ret)
		ret = gnutls_privkey_init(&priv);
	if (!ret)
		ret = gnutls_privkey_import_x509_raw(priv, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (!ret)
		ret = gnutls_pubkey_init(&pub);
	if (!ret)
		ret = gnutls_pubkey_import_privkey(pub, priv, 0, 0);
	if (!ret)
		ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &spki);
	if (!ret)
		ret = gnutls_certificate_set_rawpk_key_mem(cr->cert_cred, &spki, &key,
							   GNUTLS_X509_FMT_PEM, NULL, 0, NULL, 0, 0);
	if (key.data) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	gnutls_free(spki.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	if (priv)
		gnutls_privkey_deinit(priv);
	return ret;
}

static int cert_load(struct dtls_creds *cr, const struct kcoapd_config *c)
{
	int ret;

	if (c->dtls_rpk && !c->dtls_key_file) {
		fprintf(stderr, "kcoapd: dtls-rpk on wants dtls-key-file\n");
		return -EINVAL;
	}
	if (!c->dtls_rpk && !c->dtls_cert_file != !c->dtls_key_file) {
		fprintf(stderr, "kcoapd: dtls-cert-file and dtls-key-file go together\n");
		return -EINVAL;
	}
	if (!c->dtls_key_file && !c->dtls_ca_file)
		return 0;
	ret = gnutls_certificate_allocate_credentials(&cr->cert_cred);
	if (ret < 0)
		return gnutls_failed("certificate credentials", NULL, ret);
	if (c->dtls_key_file) {
		if (dtls_secret_file_ok("dtls-key-file", c->dtls_key_file))
			return -EINVAL;
		/*
		 * With raw public keys the key alone: GnuTLS lets the client's
		 * order choose our certificate type, and a client that offers
		 * X.509 first (libcoap with -M) would get a certificate it
		 * cannot verify.
		 */
		if (c->dtls_rpk)
			ret = rawpk_load(cr, c->dtls_key_file);
		else
			ret = gnutls_certificate_set_x509_key_file(cr->cert_cred,
								   c->dtls_cert_file,
								   c->dtls_key_file,
								   GNUTLS_X509_FMT_PEM);
		if (ret < 0)
			return gnutls_failed(c->dtls_rpk ? "dtls-rpk with dtls-key-file" :
					     "dtls-cert-file/dtls-key-file",
					     c->dtls_rpk ? c->dtls_key_file : c->dtls_cert_file, ret);
	}
	if (c->dtls_ca_file) {
		ret = gnutls_certificate_set_x509_trust_file(cr->cert_cred, c->dtls_ca_file,
							     GNUTLS_X509_FMT_PEM);
		if (ret <= 0)
			return gnutls_failed("dtls-ca-file", c->dtls_ca_file,
					     ret ? ret : GNUTLS_E_NO_CERTIFICATE_FOUND);
		cr->ca = true;
	}
	cr->rpk = c->dtls_rpk;
	return 0;
}

int dtls_creds_load(const struct kcoapd_config *c, struct dtls_creds **out)
{
	struct dtls_creds *cr;
	const char *errpos = NULL;
	int ret, err;

	*out = NULL;
	if (c->dtls == 0)
		return 0;
	if (!c->dtls_psk_file && !c->dtls_key_file && !c->dtls_cert_file) {
		if (c->dtls == 1) {
			fprintf(stderr, "kcoapd: dtls on, but neither dtls-psk-file nor dtls-cert-file and dtls-key-file are set\n");
			return -EINVAL;
		}
		return 0;	/* auto: no credentials, no DTLS */
	}
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return -ENOMEM;
	cr->refs = 1;
	err = cert_load(cr, c);
	if (!err && c->dtls_psk_file) {
		err = psk_load(cr, c->dtls_psk_file);
		if (!err) {
			ret = gnutls_psk_allocate_server_credentials(&cr->psk_cred);
			if (ret < 0)
				err = gnutls_failed("PSK credentials", NULL, ret);
			else
				gnutls_psk_set_server_credentials_function(cr->psk_cred, psk_lookup);
		}
	}
	if (!err) {
		const char *p = c->dtls_priority ? c->dtls_priority : DTLS_PRIORITY_DEFAULT;

		ret = gnutls_priority_init2(&cr->prio, p, &errpos, 0);
		if (ret < 0) {
			fprintf(stderr, "kcoapd: dtls-priority '%s': %s at '%s'\n", p,
				gnutls_strerror(ret), errpos ? errpos : "");
			err = -EINVAL;
		}
	}
	if (err) {
		dtls_creds_put(cr);
		return err;
	}
	cr->cid = c->dtls_cid;
	snprintf(cr->what, sizeof(cr->what), "%zu PSK identities%s%s%s%s", cr->n_psks,
		 c->dtls_key_file && !c->dtls_rpk ? ", a certificate" : "",
		 cr->ca ? ", client certificates checked against dtls-ca-file" : "",
		 cr->rpk ? ", raw public keys" : "",
		 cr->cid ? ", connection IDs" : "");
	*out = cr;
	return 0;
}

/* ---- the handshakes ---- */

int dtls_init(const struct dtls_io *i, uint32_t max, uint32_t m)
{
	hss = calloc(max ? max : 1, sizeof(*hss));
	if (!hss)
		return -ENOMEM;
	io = i;
	hs_max = max;
	mtu = m;
	return 0;
}

void dtls_use(struct dtls_creds *cr)
{
	dtls_creds_put(current);
	current = cr;
}

const struct dtls_stats *dtls_stats(void)
{
	st.in_flight = n_hs;
	st.max = hs_max;
	st.on = current != NULL;
	return &st;
}

static struct hs *hs_find(uint32_t id)
{
	uint32_t i;

	for (i = 0; id && i < hs_max; i++)
		if (hss[i].id == id)
			return &hss[i];
	return NULL;
}

static void hs_free(struct hs *h)
{
	unsigned int i;

	for (i = 0; i < h->qn; i++)
		free(h->q[(h->qhead + i) % DTLS_QUEUE]);
	if (h->s)
		gnutls_deinit(h->s);
	dtls_creds_put(h->cr);
	memset(h, 0, sizeof(*h));
	n_hs--;
}

static ssize_t hs_push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	uint8_t out[DTLS_DGRAM_MAX];
	struct hs *h = p;
	ssize_t n;
	int err;

	if (h->cid.negotiated && h->cid.tx_len) {
		/* Our Finished (epoch 1) in the client's CID (RFC 9146 §4). */
		n = dtls_cid_out(h->s, &h->cid, buf, len, out, sizeof(out));
		if (n < 0) {
			kcoapd_log(LOG_WARNING, "dtls %u: a %zu-byte flight in CID records: %s",
				   h->id, len, gnutls_strerror((int)n));
			gnutls_transport_set_errno(h->s, EIO);
			return -1;
		}
		err = io->send(h->id, out, (size_t)n);
	} else {
		err = io->send(h->id, buf, len);
	}

	if (err) {
		gnutls_transport_set_errno(h->s, err == -ENOSPC ? EAGAIN : -err);
		return -1;
	}
	return (ssize_t)len;
}

static void hs_dequeue(struct hs *h)
{
	unsigned int k = h->qhead;

	free(h->q[k]);
	h->q[k] = NULL;
	h->qhead = (k + 1) % DTLS_QUEUE;
	h->qn--;
}

/*
 * The client's Finished in our CID (RFC 9146 §4) as GnuTLS reads records:
 * opened and sealed again with its epoch-1 read state. That state exists
 * once GnuTLS has read the ChangeCipherSpec before it in the datagram, so
 * it gets the part before the CID record first, the rest on its next pull.
 */
static ssize_t hs_pull_cid(struct hs *h, uint8_t *buf, size_t len)
{
	unsigned int k;
	size_t used;
	ssize_t n;

	while (h->qn) {
		k = h->qhead;
		n = dtls_cid_in(h->s, &h->cid, h->q[k], h->qlen[k], &used, buf, len);
		if (n < 0) {
			kcoapd_log(LOG_INFO, "dtls %u: a datagram's CID records: %s", h->id,
				   gnutls_strerror((int)n));
			hs_dequeue(h);
			continue;
		}
		if (used < h->qlen[k]) {
			memmove(h->q[k], h->q[k] + used, h->qlen[k] - used);
			h->qlen[k] -= used;
		} else {
			hs_dequeue(h);
		}
		if (n > 0)
			return n;
	}
	gnutls_transport_set_errno(h->s, EAGAIN);
	return -1;
}

/*
 * A finished handshake has no epoch 0 any more: GnuTLS drops the rest of a
 * datagram at a record of it. A client that sends its last flight again in
 * one datagram (ClientKeyExchange, ChangeCipherSpec, Finished) would so
 * never get our Finished again: GnuTLS answers its Finished (epoch 1) alone.
 */
static size_t without_epoch0(uint8_t *b, size_t n)
{
	size_t off = 0, o = 0, rlen;

	while (n - off >= 13) {
		rlen = 13 + (size_t)(b[off + 11] << 8 | b[off + 12]);
		if (rlen > n - off)
			break;
		if (b[off + 3] || b[off + 4]) {
			memmove(b + o, b + off, rlen);
			o += rlen;
		}
		off += rlen;
	}
	return o;
}

static ssize_t hs_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct hs *h = p;
	unsigned int k;
	ssize_t n;

	do {
		if (h->cid.negotiated && h->cid.rx_len) {
			n = hs_pull_cid(h, buf, len);
		} else if (h->qn) {
			k = h->qhead;
			n = (ssize_t)(h->qlen[k] < len ? h->qlen[k] : len);
			memcpy(buf, h->q[k], (size_t)n);
			hs_dequeue(h);
		} else {
			gnutls_transport_set_errno(h->s, EAGAIN);
			return -1;
		}
		if (n > 0 && h->done)
			n = (ssize_t)without_epoch0(buf, (size_t)n);
	} while (n == 0);
	return n;
}

/* Non-blocking: is a datagram there now? GnuTLS keeps its own clock. */
static int hs_pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct hs *h = p;

	(void)ms;
	return h->qn ? 1 : 0;
}

static int suite_of(gnutls_cipher_algorithm_t c)
{
	switch (c) {
	case GNUTLS_CIPHER_AES_128_CCM_8:
		return DTLS_AES_128_CCM_8;
	case GNUTLS_CIPHER_AES_128_CCM:
		return DTLS_AES_128_CCM;
	case GNUTLS_CIPHER_AES_128_GCM:
		return DTLS_AES_128_GCM;
	case GNUTLS_CIPHER_AES_256_GCM:
		return DTLS_AES_256_GCM;
	default:
		return 0;
	}
}

static uint64_t be64(const unsigned char b[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* "sha256:" and the hex of the SHA-256 of @d (a certificate or a key). */
static int fingerprint(const gnutls_datum_t *d, char *out, size_t cap)
{
	uint8_t md[32];
	size_t i;

	if (cap < 7 + 64 + 1 || gnutls_hash_fast(GNUTLS_DIG_SHA256, d->data, d->size, md))
		return -EINVAL;
	strcpy(out, "sha256:");
	for (i = 0; i < sizeof(md); i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
	return 0;
}

static int identity_of(gnutls_session_t s, char *out, size_t cap)
{
	const gnutls_datum_t *peers;
	unsigned int n = 0;
	const char *u;

	if (gnutls_auth_get_type(s) == GNUTLS_CRD_PSK) {
		u = gnutls_psk_server_get_username(s);
		if (!u || strlen(u) >= cap)
			return -EINVAL;
		strcpy(out, u);
		return 0;
	}
	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers || !n) {
		/* No client certificate asked for or given: anonymous. */
		out[0] = 0;
		return 0;
	}
	return fingerprint(&peers[0], out, cap);
}

/* One direction's state into @key, @salt, @seq. */
static int record_state(gnutls_session_t s, unsigned int read, struct dtls_keys *k,
			uint8_t *key, uint8_t *salt, uint64_t *seq, uint16_t *epoch)
{
	gnutls_datum_t mac, iv, ck;
	unsigned char sn[8];
	uint64_t v;
	int ret;

	ret = gnutls_record_get_state(s, read, &mac, &iv, &ck, sn);
	if (ret < 0)
		return ret;
	/* AEAD: no MAC key; a 4-byte implicit nonce (RFC 5288 §3, 6655 §3). */
	if (mac.size || iv.size != 4 || (ck.size != 16 && ck.size != 32) ||
	    (k->key_len && k->key_len != ck.size))
		return GNUTLS_E_INTERNAL_ERROR;
	k->key_len = (uint8_t)ck.size;
	memcpy(key, ck.data, ck.size);
	memcpy(salt, iv.data, 4);
	/* DTLS: the epoch in the top 16 bits, the 48-bit sequence below. */
	v = be64(sn);
	*seq = v & 0xffffffffffffULL;
	*epoch = (uint16_t)(v >> 48);
	return 0;
}

static const char *cid_hex(const uint8_t *cid, size_t len, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < cap; i++)
		sprintf(out + 2 * i, "%02x", cid[i]);
	out[2 * i] = 0;
	return out;
}

/* GnuTLS is done with @h: the keys go down. */
static void hs_established(struct hs *h, uint64_t now)
{
	char hex[2 * KCOAP_DTLS_CID_LEN + 1];
	struct dtls_keys k;
	uint16_t re, we;
	int suite, ret, err;

	memset(&k, 0, sizeof(k));
	suite = suite_of(gnutls_cipher_get(h->s));
	if (!suite) {
		kcoapd_log(LOG_WARNING, "dtls %u: %s is not a suite kcoap runs in the kernel: refused",
			   h->id, gnutls_cipher_get_name(gnutls_cipher_get(h->s)));
		st.not_aead++;
		goto fail;
	}
	k.suite = (uint8_t)suite;
	ret = record_state(h->s, 1, &k, k.rx_key, k.rx_salt, &k.rx_seq, &re);
	if (!ret)
		ret = record_state(h->s, 0, &k, k.tx_key, k.tx_salt, &k.tx_seq, &we);
	if (ret < 0 || re != we || !re) {
		kcoapd_log(LOG_ERR, "dtls %u: the record state: %s", h->id,
			   ret < 0 ? gnutls_strerror(ret) : "epochs differ");
		goto fail;
	}
	k.epoch = re;
	k.tx_seq += DTLS_TX_SEQ_GAP;
	if (h->cid.negotiated) {
		k.cid_len = h->cid.rx_len;
		memcpy(k.cid, h->cid.rx, h->cid.rx_len);
		k.peer_cid_len = h->cid.tx_len;
		memcpy(k.peer_cid, h->cid.tx, h->cid.tx_len);
	}
	if (identity_of(h->s, k.identity, sizeof(k.identity))) {
		kcoapd_log(LOG_WARNING, "dtls %u: no identity to give the session", h->id);
		goto fail;
	}
	err = io->established(h->id, &k);
	gnutls_memset(&k.rx_key, 0, sizeof(k.rx_key));
	gnutls_memset(&k.tx_key, 0, sizeof(k.tx_key));
	if (err == -EEXIST && k.cid_len) {
		/* 64 random bits: a collision is rare, and only this one fails. */
		kcoapd_log(LOG_WARNING, "dtls %u: session-add: cid %s is another session's: handshake failed",
			   h->id, cid_hex(k.cid, k.cid_len, hex, sizeof(hex)));
		goto fail;
	}
	if (err) {
		kcoapd_log(LOG_WARNING, "dtls %u: session-add: %s", h->id, strerror(-err));
		goto fail;
	}
	dtls_identity_set(h->id, k.identity);
	st.established++;
	if (k.cid_len)
		st.cid++;
	kcoapd_log(LOG_INFO, "dtls %u: established, %s, identity '%s'%s%s", h->id,
		   gnutls_cipher_suite_get_name(gnutls_kx_get(h->s), gnutls_cipher_get(h->s),
						gnutls_mac_get(h->s)) ?: "?", k.identity,
		   k.cid_len ? ", cid " : "",
		   k.cid_len ? cid_hex(k.cid, k.cid_len, hex, sizeof(hex)) : "");
	h->done = true;
	h->due = 0;
	h->linger_end = now + DTLS_LINGER_MS;
	return;
fail:
	gnutls_memset(&k, 0, sizeof(k));
	/*
	 * Our Finished is on its way: without an alert the client would take
	 * the session for made and send records the kernel has no keys for.
	 */
	gnutls_alert_send(h->s, GNUTLS_AL_FATAL, GNUTLS_A_INTERNAL_ERROR);
	st.failed++;
	io->failed(h->id);
	hs_free(h);
}

/* Let GnuTLS go on with @h: read what is queued, retransmit if due. */
static void hs_step(struct hs *h, uint64_t now)
{
	uint8_t buf[DTLS_DGRAM_MAX];
	int ret, tries = 0;
	unsigned int ms;

	if (h->done) {
		/* A flight again from the client: GnuTLS sends its last again. */
		do
			ret = (int)gnutls_record_recv(h->s, buf, sizeof(buf));
		while (ret > 0 || (ret < 0 && !gnutls_error_is_fatal(ret) &&
				   ret != GNUTLS_E_AGAIN && ++tries < 16));
		return;
	}
	do
		ret = gnutls_handshake(h->s);
	while (ret < 0 && ret != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(ret) && ++tries < 16);
	if (ret == 0) {
		hs_established(h, now);
		return;
	}
	if (ret == GNUTLS_E_AGAIN) {
		ms = gnutls_dtls_get_timeout(h->s);
		h->due = now + (ms ? ms : 1);
		return;
	}
	kcoapd_log(LOG_INFO, "dtls %u: handshake failed: %s", h->id, gnutls_strerror(ret));
	if (ret != GNUTLS_E_TIMEDOUT)
		gnutls_alert_send_appropriate(h->s, ret);
	st.failed++;
	io->failed(h->id);
	hs_free(h);
}

static void hs_queue(struct hs *h, const uint8_t *buf, size_t len)
{
	unsigned int k;
	uint8_t *c;

	if (h->qn == DTLS_QUEUE || len > DTLS_DGRAM_MAX)
		return;		/* GnuTLS retransmits; so will the client */
	c = malloc(len ? len : 1);
	if (!c)
		return;
	memcpy(c, buf, len);
	k = (h->qhead + h->qn) % DTLS_QUEUE;
	h->q[k] = c;
	h->qlen[k] = len;
	h->qn++;
}

/*
 * The first record of @buf is a ClientHello (RFC 6347 §4.1, §4.2.2): its
 * record sequence number and handshake message_seq.
 */
static bool client_hello(const uint8_t *buf, size_t len, unsigned int *rec_seq,
			 unsigned int *msg_seq)
{
	if (len < 13 + 12 || buf[0] != 22 || buf[3] || buf[4] || buf[13] != 1)
		return false;
	*rec_seq = (unsigned int)((uint32_t)buf[7] << 24 | (uint32_t)buf[8] << 16 |
				  (uint32_t)buf[9] << 8 | buf[10]);
	*msg_seq = (unsigned int)(buf[13 + 4] << 8 | buf[13 + 5]);
	return true;
}

static struct hs *hs_new(uint32_t id, const uint8_t *buf, size_t len, uint64_t now)
{
	gnutls_dtls_prestate_st pre;
	unsigned int rs, ms, flags;
	struct hs *h = NULL;
	uint32_t i;
	int ret;

	if (!client_hello(buf, len, &rs, &ms)) {
		st.ignored++;
		return NULL;
	}
	if (!current) {
		/* DTLS off here: the kernel's entry need not wait its time out. */
		st.ignored++;
		io->failed(id);
		return NULL;
	}
	for (i = 0; i < hs_max && !h; i++)
		if (!hss[i].id)
			h = &hss[i];
	/*
	 * No free slot: a finished handshake that lingers (only to answer a
	 * lost last flight) gives way, the oldest first, so that the cap
	 * bounds handshakes in progress, not the rate of new sessions.
	 */
	for (i = 0; i < hs_max && (!h || h->id); i++)
		if (hss[i].done && (!h || hss[i].linger_end < h->linger_end))
			h = &hss[i];
	if (h && h->id) {
		st.linger_evicted++;
		hs_free(h);
	}
	if (!h) {
		st.refused_full++;
		io->failed(id);
		return NULL;
	}
	flags = GNUTLS_SERVER | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS;
	if (current->rpk)
		flags |= GNUTLS_ENABLE_RAWPK;
	ret = gnutls_init(&h->s, flags);
	if (ret < 0) {
		kcoapd_log(LOG_ERR, "dtls %u: gnutls_init: %s", id, gnutls_strerror(ret));
		h->s = NULL;
		io->failed(id);
		return NULL;
	}
	n_hs++;
	h->id = id;
	h->deadline = now + DTLS_TOTAL_MS;
	h->cr = current;
	current->refs++;
	gnutls_session_set_ptr(h->s, h);
	ret = gnutls_priority_set(h->s, current->prio);
	if (!ret && current->psk_cred)
		ret = gnutls_credentials_set(h->s, GNUTLS_CRD_PSK, current->psk_cred);
	if (!ret && current->cert_cred) {
		ret = gnutls_credentials_set(h->s, GNUTLS_CRD_CERTIFICATE, current->cert_cred);
		if (current->ca) {
			/* Only clients the CA vouches for (RFC 7252 §9.1.3.3). */
			gnutls_certificate_server_set_request(h->s, GNUTLS_CERT_REQUIRE);
			gnutls_session_set_verify_cert(h->s, NULL, 0);
		} else if (current->rpk) {
			/* A raw key is its own identity: the ACL decides. */
			gnutls_certificate_server_set_request(h->s, GNUTLS_CERT_REQUEST);
		}
	}
	if (!ret && current->cid) {
		/*
		 * RFC 9146 §3: we always ask for a CID, 8 random bytes, when
		 * the client offers the extension; its own may be empty.
		 */
		h->cid.rx_len = KCOAP_DTLS_CID_LEN;
		ret = gnutls_rnd(GNUTLS_RND_RANDOM, h->cid.rx, KCOAP_DTLS_CID_LEN);
		if (!ret)
			ret = dtls_cid_register(h->s, &h->cid);
	}
	if (ret < 0) {
		kcoapd_log(LOG_ERR, "dtls %u: %s", id, gnutls_strerror(ret));
		io->failed(id);
		hs_free(h);
		return NULL;
	}
	gnutls_transport_set_ptr(h->s, h);
	gnutls_transport_set_push_function(h->s, hs_push);
	gnutls_transport_set_pull_function(h->s, hs_pull);
	gnutls_transport_set_pull_timeout_function(h->s, hs_pull_timeout);
	gnutls_dtls_set_mtu(h->s, mtu);
	gnutls_dtls_set_timeouts(h->s, DTLS_RETRANS_MS, DTLS_TOTAL_MS);
	/*
	 * The kernel's HelloVerifyRequest was message_seq 0; this ClientHello
	 * is the one that follows it. GnuTLS adds one to hsk_write_seq (as
	 * after its own gnutls_dtls_cookie_send()), so the ServerHello is 1.
	 */
	memset(&pre, 0, sizeof(pre));
	pre.record_seq = rs;
	pre.hsk_read_seq = ms;
	pre.hsk_write_seq = 0;
	gnutls_dtls_prestate_set(h->s, &pre);
	st.started++;
	return h;
}

void dtls_datagram(uint32_t id, const uint8_t *buf, size_t len, uint64_t now)
{
	struct hs *h = hs_find(id);

	if (!h) {
		h = hs_new(id, buf, len, now);
		if (!h)
			return;
	}
	hs_queue(h, buf, len);
	hs_step(h, now);
}

void dtls_session_used(uint32_t id)
{
	struct hs *h = hs_find(id);

	if (h && h->done)
		hs_free(h);
}

uint64_t dtls_tick(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < hs_max; i++) {
		struct hs *h = &hss[i];

		if (!h->id)
			continue;
		if (h->done && h->linger_end <= now) {
			hs_free(h);
			continue;
		}
		if (!h->done && h->deadline <= now) {
			/*
			 * A bad Finished (a wrong PSK) is dropped silently, as
			 * any record that does not authenticate (RFC 6347
			 * §4.1.2.7): such a handshake ends here.
			 */
			kcoapd_log(LOG_INFO, "dtls %u: handshake timed out", h->id);
			st.failed++;
			io->failed(h->id);
			hs_free(h);
			continue;
		}
		if (!h->done && h->due && h->due <= now)
			hs_step(h, now);
		if (!h->id)
			continue;
		if (h->done && h->linger_end < next)
			next = h->linger_end;
		else if (!h->done && h->due && h->due < next)
			next = h->due;
		if (!h->done && h->deadline < next)
			next = h->deadline;
	}
	return next == UINT64_MAX ? next : next > now ? next - now : 0;
}

void dtls_end(void)
{
	uint32_t i;

	for (i = 0; hss && i < hs_max; i++)
		if (hss[i].id)
			hs_free(&hss[i]);
	free(hss);
	hss = NULL;
	hs_max = 0;
	dtls_use(NULL);
}

/* ---- identities of sessions, for the ACL ---- */

#define ID_CACHE 1024			/* a power of two */

static struct {
	uint32_t id;
	char identity[DTLS_IDENTITY_MAX + 1];
} ids[ID_CACHE];

void dtls_identity_set(uint32_t id, const char *identity)
{
	unsigned int k = (id * 2654435761u) & (ID_CACHE - 1);

	ids[k].id = id;
	snprintf(ids[k].identity, sizeof(ids[k].identity), "%s", identity);
}

void dtls_identity_forget(uint32_t id)
{
	unsigned int k = (id * 2654435761u) & (ID_CACHE - 1);

	if (ids[k].id == id)
		ids[k].id = 0;
}

const char *dtls_identity(uint32_t id, int (*lookup)(uint32_t id, char *buf, size_t cap))
{
	unsigned int k = (id * 2654435761u) & (ID_CACHE - 1);
	char buf[DTLS_IDENTITY_MAX + 1];

	if (!id)
		return NULL;
	if (ids[k].id == id)
		return ids[k].identity;
	if (!lookup || lookup(id, buf, sizeof(buf)))
		return NULL;
	dtls_identity_set(id, buf);
	return ids[k].identity;
}
