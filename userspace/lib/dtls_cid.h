/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * DTLS 1.2 Connection IDs (RFC 9146) for a GnuTLS session, which knows
 * neither the extension nor the record format: the connection_id
 * extension (54) in both hellos, and a translation between GnuTLS's
 * RFC 6347 records and tls12_cid (25) records for the datagrams its push
 * and pull functions see. Only AEAD suites with a 4-byte implicit nonce
 * (AES-CCM, AES-GCM) are translated, with GnuTLS's own record states
 * (gnutls_record_get_state()). Records are opened and sealed again in
 * memory: the same nonce with two AADs never leaves the process.
 *
 * kcoapd uses it for the Finished messages of its handshakes; a client
 * (userspace/tools) for all its records. A tls12_cid record is 1 + cid
 * bytes longer than the record GnuTLS writes: lower its MTU by that.
 */
#ifndef KCOAP_DTLS_CID_H
#define KCOAP_DTLS_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#define DTLS_CID_EXT 54			/* RFC 9146 §3, ExtensionType */
#define DTLS_CID_CONTENT_TYPE 25	/* RFC 9146 §4, tls12_cid */

struct dtls_cid {
	uint8_t rx[255]; uint8_t rx_len;   /* what we want in records to us (we choose) */
	uint8_t tx[255]; uint8_t tx_len;   /* what the peer wants (from its hello) */
	bool offered;                      /* the peer's hello carried the extension */
	bool negotiated;                   /* both hellos did: the formats below apply */
};

/* Register connection_id (54) on @s, client or server: our hello carries c->rx
 * (rx_len may be 0); the peer's fills c->tx, c->offered, c->negotiated. @c outlives @s. */
int dtls_cid_register(gnutls_session_t s, struct dtls_cid *c);

/* A datagram GnuTLS pushes: each record of epoch >= 1 becomes a tls12_cid record
 * with c->tx (when negotiated and tx_len > 0), sealed again with GnuTLS's current
 * write state; other records copied. New length, or a negative GnuTLS error. */
ssize_t dtls_cid_out(gnutls_session_t s, const struct dtls_cid *c,
		     const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* A received datagram: tls12_cid records carrying c->rx are opened with GnuTLS's
 * current read state and sealed again as RFC 6347 records of their real type;
 * other records copied; CID records that do not open are dropped. *used: input
 * bytes consumed: it stops before a CID record while GnuTLS has no read keys yet
 * (the caller gives GnuTLS what came before, and the rest on the next pull).
 * New length, or a negative GnuTLS error.
 *
 * It never stops at a record with nothing to give before it: a CID record
 * GnuTLS cannot read yet is then dropped, as GnuTLS drops a record of an
 * epoch it does not have. So *used is > 0 whenever @len is; the new length
 * may be 0 (nothing left for GnuTLS: wait for the next datagram). A record
 * cut short ends the datagram (the rest is consumed and dropped).
 */
ssize_t dtls_cid_in(gnutls_session_t s, const struct dtls_cid *c,
		    const uint8_t *in, size_t len, size_t *used,
		    uint8_t *out, size_t cap);

#endif /* KCOAP_DTLS_CID_H */
