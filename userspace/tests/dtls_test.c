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

#include <gnutls/crypto.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include "dtls.h"
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
	const uint8_t *d = buf;

	(void)p;
	if (capture) {
		memcpy(captured, d, len);
		captured_len = len;
		capture = false;
		return (ssize_t)len;
	}
	if (len > 13 && d[0] == 22 && d[13] == 1 && !has_cookie(d, len)) {
		hvr_sent = true;
		send_hvr(d);
		return (ssize_t)len;
	}
	if (len > 13 && d[0] == 22 && d[13] == 1) {
		memcpy(last_ch, d, len);
		last_ch_len = len;
	}
	dtls_datagram(ID, d, len, now);
	return (ssize_t)len;
}

static ssize_t cli_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct box *b = &to_client;
	size_t n;

	(void)p;
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

static int io_send(uint32_t id, const uint8_t *buf, size_t len)
{
	if (id == ID)
		box_put(&to_client, buf, len);
	return 0;
}

static int io_established(uint32_t id, const struct dtls_keys *k)
{
	(void)id;
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

/* A client with @prio and PSK @identity/@key; the handshake driven to the end. */
static int handshake(const char *prio, const char *identity, const char *key)
{
	gnutls_datum_t k = { (unsigned char *)(uintptr_t)key, (unsigned int)strlen(key) };
	int ret = GNUTLS_E_AGAIN, i;

	memset(&to_client, 0, sizeof(to_client));
	hvr_sent = false;
	gnutls_psk_allocate_client_credentials(&psk_cred);
	gnutls_psk_set_client_credentials(psk_cred, identity, &k, GNUTLS_PSK_KEY_RAW);
	gnutls_init(&cli, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK);
	gnutls_priority_set_direct(cli, prio, NULL);
	gnutls_credentials_set(cli, GNUTLS_CRD_PSK, psk_cred);
	gnutls_transport_set_push_function(cli, cli_push);
	gnutls_transport_set_pull_function(cli, cli_pull);
	gnutls_transport_set_pull_timeout_function(cli, cli_pull_timeout);
	gnutls_dtls_set_mtu(cli, 1200);
	for (i = 0; i < 50 && ret < 0; i++) {
		ret = gnutls_handshake(cli);
		if (ret < 0 && gnutls_error_is_fatal(ret))
			break;
	}
	return ret;
}

static void client_end(void)
{
	gnutls_deinit(cli);
	gnutls_psk_free_client_credentials(psk_cred);
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
	uint64_t full = s->refused_full, ign = s->ignored;
	int f0 = n_failed;
	uint8_t ch[64];

	/* The ClientHello of the last handshake, from two more peers. */
	dtls_datagram(100, good_ch, good_ch_len, now);
	dtls_datagram(101, good_ch, good_ch_len, now);
	ok(good_ch_len && dtls_stats()->in_flight == 1 && s->refused_full == full + 1 &&
	   n_failed == f0 + 1,
	   "beyond dtls-handshakes-max (1 here) a handshake is refused and the kernel told");
	dtls_tick(now + 120000);
	ok(dtls_stats()->in_flight == 0 && n_failed == f0 + 2,
	   "a handshake that hears nothing more times out (%u left)", dtls_stats()->in_flight);
	memcpy(ch, good_ch, sizeof(ch));
	ch[13] = 2;
	dtls_datagram(102, ch, sizeof(ch), now);
	ok(s->ignored == ign + 1 && !dtls_stats()->in_flight,
	   "a datagram of no handshake that is no ClientHello is ignored");
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
	kcoapd_log_level(3);
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
	test_failures();
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
