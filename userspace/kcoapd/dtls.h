/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapd's half of DTLS 1.2 (docs/dtls.md): the handshakes, with GnuTLS.
 * kcoap.ko answers a ClientHello without a cookie itself (a
 * HelloVerifyRequest) and hands up every datagram of a handshake it let
 * through, under the handshake's id; the flights GnuTLS writes go down
 * under the same id. Once the handshake is done the keys and sequence
 * numbers go down (session-add) and the kernel opens and seals the records.
 *
 * This part knows neither the ring nor netlink: struct dtls_io does, so the
 * host tests run it against a GnuTLS client in memory.
 */
#ifndef KCOAPD_DTLS_H
#define KCOAPD_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/kcoap.h>

struct kcoapd_config;

/* The record protections kcoap.ko has (uapi enum dtls-suite). */
enum dtls_suite {
	DTLS_AES_128_CCM_8 = 1,
	DTLS_AES_128_CCM = 2,
	DTLS_AES_128_GCM = 3,
	DTLS_AES_256_GCM = 4,
};

#define DTLS_IDENTITY_MAX 128		/* bytes, as the kernel keeps it */
#define DTLS_PSK_MAX 64			/* bytes of one pre-shared key */

/*
 * The GnuTLS priority kcoapd uses unless dtls-priority says otherwise:
 * DTLS 1.2 only, the AEAD suites kcoap.ko can run, PSK first with
 * AES-128-CCM-8 (RFC 7252 §9.1.3.1), then ECDHE-ECDSA (§9.1.3.2, .3).
 */
#define DTLS_PRIORITY_DEFAULT \
	"NONE:+VERS-DTLS1.2:+AES-128-CCM-8:+AES-128-CCM:+AES-128-GCM:+AES-256-GCM:" \
	"+AEAD:+PSK:+ECDHE-ECDSA:+ECDHE-RSA:+SIGN-ALL:+COMP-NULL:+GROUP-ALL:" \
	"+CTYPE-ALL:%SERVER_PRECEDENCE"

/* What session-add needs: one session's keys, wiped after use. */
struct dtls_keys {
	uint8_t suite;			/* enum dtls_suite */
	uint16_t epoch;
	uint8_t key_len;		/* 16 or 32 */
	uint8_t rx_key[32], tx_key[32];
	uint8_t rx_salt[4], tx_salt[4];
	uint64_t rx_seq;		/* the next the peer will use */
	uint64_t tx_seq;		/* the next we use */
	char identity[DTLS_IDENTITY_MAX + 1];
	/* Connection IDs (RFC 9146), 0 bytes if none: ours, in records to us. */
	uint8_t cid_len;		/* 0 or KCOAP_DTLS_CID_LEN */
	uint8_t cid[KCOAP_DTLS_CID_LEN];
	uint8_t peer_cid_len;		/* the client's, in records we send it */
	uint8_t peer_cid[KCOAP_DTLS_CID_MAX];
};

struct dtls_io {
	/* One datagram (whole records) to the peer of handshake @id. */
	int (*send)(uint32_t id, const uint8_t *buf, size_t len);
	/* Handshake @id is done: install the session; 0 or a negative errno. */
	int (*established)(uint32_t id, const struct dtls_keys *k);
	/* Handshake @id failed or is given up: the kernel's entry can go. */
	void (*failed)(uint32_t id);
};

/* The credentials of the settings, refcounted (handshakes hold them). */
struct dtls_creds;

/*
 * Load the dtls-* settings of @c: 0 with *@out NULL when DTLS is off, else
 * the credentials; -EINVAL having said on stderr what is wrong (a secret
 * file that others can read is wrong, named with its mode).
 */
int dtls_creds_load(const struct kcoapd_config *c, struct dtls_creds **out);
void dtls_creds_put(struct dtls_creds *cr);
/* "psk 3 identities, certificate, ca, rpk" for the log: never a secret. */
const char *dtls_creds_describe(const struct dtls_creds *cr);

/*
 * A secret file @path of setting @key: 0 if only its owner may read it,
 * else -EACCES having said so on stderr with the mode, or -errno.
 */
int dtls_secret_file_ok(const char *key, const char *path);

/* At most @max handshakes at once, flights of at most @mtu bytes. */
int dtls_init(const struct dtls_io *io, uint32_t max, uint32_t mtu);
/* New handshakes use @cr (taken; NULL: refused); those in flight keep theirs. */
void dtls_use(struct dtls_creds *cr);
void dtls_end(void);

/* A datagram the kernel handed up for handshake (or session) @id. */
void dtls_datagram(uint32_t id, const uint8_t *buf, size_t len, uint64_t now);
/* Retransmissions and time-outs; the ms until it wants to run again. */
uint64_t dtls_tick(uint64_t now);
/* A request came over session @id: the client has our last flight. */
void dtls_session_used(uint32_t id);

struct dtls_stats {
	uint64_t started, established, failed, refused_full, ignored, not_aead;
	uint64_t linger_evicted;	/* finished, freed for a new handshake */
	uint64_t cid;			/* established with a connection ID */
	uint32_t in_flight, max;
	bool on;			/* credentials in use */
};
const struct dtls_stats *dtls_stats(void);

/*
 * Session identities for the ACL (a bounded cache; lookup() is asked on a
 * miss, e.g. after a restart): the identity of session @id, or NULL.
 */
void dtls_identity_set(uint32_t id, const char *identity);
void dtls_identity_forget(uint32_t id);
const char *dtls_identity(uint32_t id,
			  int (*lookup)(uint32_t id, char *buf, size_t cap));

/* dtls_kernel.c: the ring and netlink for dtls.c; status lines. */
struct kcoap_nl;
struct kcoap_ring_user;
int dtls_kernel_init(struct kcoap_nl *nl, struct kcoap_ring_user *ring,
		     const struct kcoapd_config *c);
void dtls_status(FILE *f);

#endif /* KCOAPD_DTLS_H */
