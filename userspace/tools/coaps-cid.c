// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * coaps-cid: a coaps:// client (DTLS 1.2, PSK, GnuTLS) that negotiates a
 * Connection ID (RFC 9146) and can move to another source port in the
 * middle of an observation, as a device behind a NAT whose mapping
 * changes would. GnuTLS 3.7.9 knows neither the connection_id extension
 * nor the tls12_cid record format: lib/dtls_cid.h adds both, in the push
 * and pull functions below. For tests/e2e/dtls_cid.sh and for trying
 * kcoap's CID support by hand; see usage() for what it does.
 */
#define _GNU_SOURCE	/* setns() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/dtls.h>
#include <gnutls/crypto.h>

#include "coap.h"
#include "netns.h"
#include "dtls_cid.h"

#define MAX_DGRAM 65536
#define CT_TLS12_CID 25		/* RFC 9146 §4 */
#define PRIORITY "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AES-128-CCM:+AES-128-GCM:" \
		 "+AES-256-GCM:+AEAD:+COMP-NULL:+SIGN-ALL:+GROUP-ALL"

static void usage(FILE *f)
{
	fputs(
"NAME\n"
"    coaps-cid - a coaps:// client with DTLS Connection IDs (RFC 9146)\n"
"\n"
"SYNOPSIS\n"
"    coaps-cid -u IDENTITY -k KEY [-m get|put] [-e PAYLOAD] [-s SECONDS]\n"
"              [--cid HEX | --cid-empty | --no-cid] [--rebind-after N]\n"
"              [--rebind-with ping|get|none] [-B SECONDS] [--priority STRING]\n"
"              [--netns NAME] [-v] coaps://HOST[:PORT]/PATH[?QUERY]\n"
"\n"
"DESCRIPTION\n"
"    Handshakes with a pre-shared key (GnuTLS), offering the connection_id\n"
"    extension (RFC 9146 §3), sends one confirmable request and prints the\n"
"    response; with -s it observes the resource (RFC 7641) and prints each\n"
"    notification until SECONDS have passed. Records to a peer that asked\n"
"    for a CID carry it (tls12_cid, §4); records from the peer without the\n"
"    CID we asked for are dropped (§3).\n"
"\n"
"OPTIONS\n"
"    -u IDENTITY, -k KEY   the PSK identity and key (the key's bytes as given)\n"
"    -m get|put            the method (get)\n"
"    -e PAYLOAD            the request's payload (text)\n"
"    -s SECONDS            observe for SECONDS\n"
"    -B SECONDS            give up on the handshake and the response after\n"
"                          SECONDS (20)\n"
"    --cid HEX             the CID we ask the server to put in records to us\n"
"                          (0 to 255 bytes; default: 4 random bytes)\n"
"    --cid-empty           offer the extension with an empty CID (the server\n"
"                          may still ask for one in our records)\n"
"    --no-cid              do not offer the extension\n"
"    --rebind-after N      after the Nth response or notification, move to a\n"
"                          new socket on another local port and go on there\n"
"    --rebind-with WHAT    what to send from the new port so the server sees\n"
"                          it: ping (an empty CON, RFC 7252 §4.3; default), get\n"
"                          (a CON GET of the URI without Observe) or none\n"
"    --priority STRING     a GnuTLS priority string (DTLS 1.2, PSK, AEAD)\n"
"    --netns NAME          run in the network namespace NAME\n"
"    -v, --verbose         on stderr, each datagram's records as they go out\n"
"                          and come in (type/epoch/sequence number/length)\n"
"                          and what the CID translation made of them\n"
"\n"
"OUTPUT\n"
"    One line on stdout per response or notification, as it arrives:\n"
"        LPORT TYPE CODE OBSERVE PAYLOAD\n"
"    LPORT is the local port it arrived on, TYPE CON, NON, ACK or RST, CODE\n"
"    c.dd, OBSERVE the Observe option's value or -, PAYLOAD the payload as\n"
"    text. The answer to a ping is \"LPORT RST 0.00 - \". Lines starting\n"
"    with \"coaps-cid:\" on stderr tell the negotiated CIDs (\"cid: ours HEX,\n"
"    peer's HEX\", \"none\" when empty, \"not negotiated\"), each move, and at\n"
"    the end how many records came with our CID and how many without it\n"
"    were dropped.\n"
"\n"
"EXIT STATUS\n"
"    0: a response came (with -s: at least one); 1: none, or the handshake\n"
"    failed; 2: bad arguments.\n", f);
}

static void die(const char *what, const char *value)
{
	fprintf(stderr, "coaps-cid: %s: '%s'\n", what, value);
	exit(2);
}

static struct {
	int fd;
	uint16_t lport;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	gnutls_session_t s;
	bool use_cid;			/* the extension offered */
	struct dtls_cid cid;
	uint8_t raw[MAX_DGRAM];		/* the datagram being handed to GnuTLS */
	size_t raw_len, raw_off;
	unsigned long rx_cid, rx_plain_dropped;
} c = { .fd = -1 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	if (!n) {
		strcpy(out, "none");
		return;
	}
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* ---- transport: a connected UDP socket, CID translation on the way ---- */

static bool verbose;

/* -v: a datagram's records as type/epoch/seq/length, e.g. "22/0/3/56 25/1/0/40". */
static void trace(const char *what, const uint8_t *d, size_t len, size_t cid_len)
{
	size_t off = 0, hdr, rlen;

	if (!verbose)
		return;
	fprintf(stderr, "coaps-cid: %s %zu bytes on port %u:", what, len, c.lport);
	while (off + 13 <= len) {
		hdr = d[off] == CT_TLS12_CID ? 11 + cid_len + 2 : 13;
		if (off + hdr > len)
			break;
		rlen = hdr + ((size_t)d[off + hdr - 2] << 8 | d[off + hdr - 1]);
		fprintf(stderr, " %u/%u/%u/%zu", d[off], (unsigned int)d[off + 3] << 8 | d[off + 4],
			(unsigned int)d[off + 9] << 8 | d[off + 10], rlen);
		off += rlen;
	}
	if (off != len)
		fprintf(stderr, " +%zu", len - off);
	fputc('\n', stderr);
}

static ssize_t push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	static uint8_t out[MAX_DGRAM];
	const void *d = buf;
	ssize_t n = (ssize_t)len;

	(void)p;
	if (c.use_cid) {
		n = dtls_cid_out(c.s, &c.cid, buf, len, out, sizeof(out));
		if (n < 0) {
			fprintf(stderr, "coaps-cid: dtls_cid_out: %s\n", gnutls_strerror((int)n));
			gnutls_transport_set_errno(c.s, EIO);
			return -1;
		}
		d = out;
	}
	trace("out", d, (size_t)n, c.cid.negotiated ? c.cid.tx_len : 0);
	if (send(c.fd, d, (size_t)n, 0) < 0 && errno != ECONNREFUSED) {
		if (errno == EINTR || errno == EAGAIN) {
			gnutls_transport_set_errno(c.s, errno);
			return -1;
		}
	}
	return (ssize_t)len;	/* lost on the way, as a datagram may be */
}

/*
 * RFC 9146 §3: once we asked for a non-empty CID, a record of epoch 1 or
 * later without it is not for us. Drops those from the datagram in c.raw
 * and counts the CID records.
 */
static void drop_plain(void)
{
	size_t in = 0, out = 0, hdr, rlen;

	while (in + 13 <= c.raw_len) {
		uint8_t type = c.raw[in];
		unsigned int epoch = (unsigned int)c.raw[in + 3] << 8 | c.raw[in + 4];

		hdr = type == CT_TLS12_CID ? 11 + (size_t)c.cid.rx_len + 2 : 13;
		if (in + hdr > c.raw_len)
			break;
		rlen = hdr + ((size_t)c.raw[in + hdr - 2] << 8 | c.raw[in + hdr - 1]);
		if (in + rlen > c.raw_len)
			break;
		if (type != CT_TLS12_CID && epoch >= 1) {
			c.rx_plain_dropped++;
		} else {
			c.rx_cid += type == CT_TLS12_CID;
			memmove(c.raw + out, c.raw + in, rlen);
			out += rlen;
		}
		in += rlen;
	}
	memmove(c.raw + out, c.raw + in, c.raw_len - in);	/* a bad tail: GnuTLS drops it */
	c.raw_len = out + c.raw_len - in;
}

static ssize_t pull(gnutls_transport_ptr_t p, void *buf, size_t size)
{
	size_t used = 0;
	ssize_t n;

	(void)p;
	for (;;) {
		if (c.raw_off >= c.raw_len) {
			n = recv(c.fd, c.raw, sizeof(c.raw), MSG_DONTWAIT);
			if (n < 0) {
				gnutls_transport_set_errno(c.s, errno == ECONNREFUSED ? EAGAIN : errno);
				return -1;
			}
			c.raw_len = (size_t)n;
			c.raw_off = 0;
			trace("in", c.raw, c.raw_len, c.cid.negotiated ? c.cid.rx_len : 0);
			if (c.use_cid && c.cid.negotiated && c.cid.rx_len)
				drop_plain();
		}
		if (!c.use_cid) {
			n = (ssize_t)(c.raw_len < size ? c.raw_len : size);
			memcpy(buf, c.raw, (size_t)n);
			c.raw_off = c.raw_len;
			return n;
		}
		n = dtls_cid_in(c.s, &c.cid, c.raw + c.raw_off, c.raw_len - c.raw_off, &used,
				buf, size);
		if (verbose)
			fprintf(stderr, "coaps-cid: dtls_cid_in: %zd, %zu of %zu bytes used\n", n,
				used, c.raw_len - c.raw_off);
		/*
		 * Nothing used: a CID record GnuTLS has no keys for yet leads
		 * the datagram; no later record can help it, drop it all.
		 */
		c.raw_off = n < 0 || !used ? c.raw_len : c.raw_off + used;
		if (n > 0)
			return n;
		if (c.raw_off >= c.raw_len) {
			gnutls_transport_set_errno(c.s, EAGAIN);
			return -1;
		}
	}
}

static int pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

	(void)p;
	if (c.raw_off < c.raw_len)
		return 1;
	return poll(&pfd, 1, (int)ms);
}

/* A new socket on another port, connected to the server (and the old closed). */
static int open_socket(void)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a);
	int fd = socket(c.peer.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&c.peer, c.peerlen) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		perror("coaps-cid: socket");
		exit(1);
	}
	/* The old one stays open until now: the new port cannot be the same. */
	if (c.fd >= 0)
		close(c.fd);
	c.fd = fd;
	c.raw_len = c.raw_off = 0;
	c.lport = ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port :
			((struct sockaddr_in *)&a)->sin_port);
	return 0;
}

/* ---- the URI ---- */

static struct {
	char host[256], port[8];
	char *segs[32], *query[16];
	unsigned int nsegs, nquery;
} uri;

static void parse_uri(char *s)
{
	char *p, *q, *end;

	if (strncmp(s, "coaps://", 8))
		die("not a coaps:// URI", s);
	p = s + 8;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			die("no ']' in the URI", s);
		*end = '\0';
		snprintf(uri.host, sizeof(uri.host), "%s", p + 1);
		p = end + 1;
	} else {
		end = p + strcspn(p, ":/?");
		snprintf(uri.host, sizeof(uri.host), "%.*s", (int)(end - p), p);
		p = end;
	}
	strcpy(uri.port, "5684");
	if (*p == ':') {
		end = p + 1 + strcspn(p + 1, "/?");
		if (end - p - 1 < 1 || end - p - 1 > 5)
			die("bad port in the URI", s);
		snprintf(uri.port, sizeof(uri.port), "%.*s", (int)(end - p - 1), p + 1);
		p = end;
	}
	q = strchr(p, '?');
	if (q) {
		*q++ = '\0';
		for (char *t = strtok(q, "&"); t && uri.nquery < 16; t = strtok(NULL, "&"))
			uri.query[uri.nquery++] = t;
	}
	for (char *t = strtok(p, "/"); t; t = strtok(NULL, "/")) {
		if (uri.nsegs == 32)
			die("too many path segments", t);
		uri.segs[uri.nsegs++] = t;
	}
}

/* ---- CoAP ---- */

static struct {
	int method;
	const char *payload;
	bool observe;
	uint16_t mid;			/* the last one used */
	uint8_t token[4];		/* the request's (and the notifications') */
	uint8_t get_token[4];		/* the GET after a move (--rebind-with get) */
} req;

static void send_coap(const uint8_t *m, int len)
{
	int ret;

	do
		ret = (int)gnutls_record_send(c.s, m, (size_t)len);
	while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
	if (ret < 0)
		fprintf(stderr, "coaps-cid: send: %s\n", gnutls_strerror(ret));
}

enum what { REQUEST, GET_AFTER_MOVE, PING };

/* A CON of ours: the request, the GET after a move, or a ping. */
static void send_con(enum what w, uint16_t mid)
{
	const uint8_t *token = w == REQUEST ? req.token : req.get_token;
	int code = w == REQUEST ? req.method : COAP_CODE_GET;
	uint8_t m[2048];
	struct coap_builder b;
	unsigned int i;
	int len;

	if (w == PING) {
		len = coap_build_empty(m, sizeof(m), COAP_TYPE_CON, mid);
		send_coap(m, len);
		return;
	}
	coap_build_init(&b, m, sizeof(m), COAP_TYPE_CON, (uint8_t)code, mid, token, 4);
	if (w == REQUEST && req.observe)
		coap_build_opt_uint(&b, COAP_OPT_OBSERVE, 0);
	for (i = 0; i < uri.nsegs; i++)
		coap_build_opt_str(&b, COAP_OPT_URI_PATH, uri.segs[i]);
	for (i = 0; i < uri.nquery; i++)
		coap_build_opt_str(&b, COAP_OPT_URI_QUERY, uri.query[i]);
	if (req.payload && code != COAP_CODE_GET)
		coap_build_payload(&b, req.payload, strlen(req.payload));
	len = coap_build_end(&b);
	if (len < 0 || (size_t)len > sizeof(m))
		die("request too large", uri.nsegs ? uri.segs[0] : "/");
	send_coap(m, len);
}

/* A CON waiting for its ACK or RST (RFC 7252 §4.2). */
struct pending {
	bool on;
	enum what what;
	uint16_t mid;
	unsigned int tries;
	uint64_t next, wait;
};

static void pending_start(struct pending *p, enum what w)
{
	/* ACK_TIMEOUT 2 s, doubling (no random factor: a test client). */
	*p = (struct pending){ .on = true, .what = w, .mid = ++req.mid, .wait = 2000 };
	p->next = now_ms() + p->wait;
	send_con(w, p->mid);
}

/* Again with the same MID (the server's dedupe answers it once), up to MAX_RETRANSMIT. */
static void pending_resend(struct pending *p, uint64_t now)
{
	if (!p->on || now < p->next)
		return;
	if (p->tries == 4) {
		p->on = false;
		return;
	}
	p->tries++;
	p->wait *= 2;
	p->next = now + p->wait;
	send_con(p->what, p->mid);
}

static bool pending_done(struct pending *p, const struct coap_msg *m)
{
	if (!p->on || m->mid != p->mid)
		return false;
	p->on = false;
	return true;
}

/* A CON or NON from the server seen before (a retransmission): by its MID. */
static bool seen_before(uint16_t mid)
{
	static uint16_t mids[64];
	static unsigned int n;
	unsigned int i;

	for (i = 0; i < n && i < 64; i++)
		if (mids[i] == mid)
			return true;
	mids[n++ % 64] = mid;
	return false;
}

static const char *const types[] = { "CON", "NON", "ACK", "RST" };

static void print_msg(const struct coap_msg *m)
{
	uint32_t obs;

	printf("%u %s %u.%02u ", c.lport, types[m->type], COAP_CODE_CLASS(m->code),
	       COAP_CODE_DETAIL(m->code));
	if (!coap_opt_uint(m, COAP_OPT_OBSERVE, &obs))
		printf("%u ", obs);
	else
		fputs("- ", stdout);
	if (m->payload)
		fwrite(m->payload, 1, m->payload_len, stdout);
	putchar('\n');
	fflush(stdout);
}

static bool token_is(const struct coap_msg *m, const uint8_t *t)
{
	return m->tkl == 4 && !memcmp(coap_token(m), t, 4);
}

/* ---- the session ---- */

static int handshake(uint64_t deadline)
{
	int ret;

	for (;;) {
		ret = gnutls_handshake(c.s);
		if (!ret)
			return 0;
		if (gnutls_error_is_fatal(ret)) {
			fprintf(stderr, "coaps-cid: handshake: %s\n", gnutls_strerror(ret));
			return -1;
		}
		if (now_ms() >= deadline) {
			fprintf(stderr, "coaps-cid: handshake: no answer\n");
			return -1;
		}
		pull_timeout(NULL, gnutls_dtls_get_timeout(c.s));
	}
}

static void report_cid(void)
{
	char ours[512], theirs[512];
	char *desc = gnutls_session_get_desc(c.s);

	fprintf(stderr, "coaps-cid: session up on port %u, %s\n", c.lport, desc ? desc : "?");
	gnutls_free(desc);
	if (!c.use_cid) {
		fprintf(stderr, "coaps-cid: cid: not offered\n");
	} else if (!c.cid.negotiated) {
		fprintf(stderr, "coaps-cid: cid: not negotiated\n");
	} else {
		hex(ours, c.cid.rx, c.cid.rx_len);
		hex(theirs, c.cid.tx, c.cid.tx_len);
		fprintf(stderr, "coaps-cid: cid: ours %s, peer's %s\n", ours, theirs);
	}
}

static struct pending rq, after_move;

/* One message from the server; true when it is an answer to count. */
static bool handle(const struct coap_msg *m)
{
	bool ours = token_is(m, req.token) || token_is(m, req.get_token);
	uint8_t a[4];

	if (m->type == COAP_TYPE_ACK || m->type == COAP_TYPE_RST) {
		bool for_rq = pending_done(&rq, m), for_move = pending_done(&after_move, m);

		if (for_move && after_move.what == PING) {
			print_msg(m);	/* the ping's RST */
			return false;
		}
		if (!for_rq && !for_move)
			return false;	/* for no CON of ours in flight: a duplicate */
		if (m->code == COAP_CODE_EMPTY || !ours)
			return false;	/* an empty ACK: a separate response follows */
	} else {
		/* RFC 7252 §4.2, §4.3: acknowledge a CON, reject what is not ours. */
		if (m->type == COAP_TYPE_CON || !ours) {
			coap_build_empty(a, sizeof(a), ours ? COAP_TYPE_ACK : COAP_TYPE_RST, m->mid);
			send_coap(a, 4);
		}
		if (!ours || seen_before(m->mid))
			return false;
	}
	print_msg(m);
	return token_is(m, req.token);
}

static void move(const char *with)
{
	uint16_t old = c.lport;

	open_socket();
	fprintf(stderr, "coaps-cid: moved from port %u to port %u\n", old, c.lport);
	if (!strcmp(with, "ping"))
		pending_start(&after_move, PING);
	else if (!strcmp(with, "get"))
		pending_start(&after_move, GET_AFTER_MOVE);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cid", required_argument, NULL, 'C' },
		{ "cid-empty", no_argument, NULL, 'E' },
		{ "no-cid", no_argument, NULL, 'N' },
		{ "rebind-after", required_argument, NULL, 'R' },
		{ "rebind-with", required_argument, NULL, 'W' },
		{ "priority", required_argument, NULL, 'P' },
		{ "netns", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static uint8_t buf[MAX_DGRAM];
	const char *identity = NULL, *key = NULL, *prio = PRIORITY, *with = "ping", *err;
	const char *cid_hex = NULL;
	double observe_s = 0, wait_s = 20;
	long rebind_after = 0;
	bool cid_empty = false;
	gnutls_psk_client_credentials_t cred;
	gnutls_priority_t pr;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	unsigned long answers = 0;
	uint64_t deadline, end = 0;
	int opt, ret;

	req.method = COAP_CODE_GET;
	c.use_cid = true;
	while ((opt = getopt_long(argc, argv, "u:k:m:e:s:B:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			identity = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'e':
			req.payload = optarg;
			break;
		case 'P':
			prio = optarg;
			break;
		case 'n':
			tool_enter_netns("coaps-cid", optarg);
			break;
		case 'C':
			cid_hex = optarg;
			break;
		case 'E':
			cid_empty = true;
			break;
		case 'N':
			c.use_cid = false;
			break;
		case 'W':
			if (strcmp(optarg, "ping") && strcmp(optarg, "get") && strcmp(optarg, "none"))
				die("--rebind-with: not ping, get or none", optarg);
			with = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "get"))
				req.method = COAP_CODE_GET;
			else if (!strcmp(optarg, "put"))
				req.method = COAP_CODE_PUT;
			else
				die("-m: not get or put", optarg);
			break;
		case 's':
		case 'B': {
			char *e;
			double v = strtod(optarg, &e);

			if (*e || v <= 0 || v > 86400)
				die(opt == 's' ? "-s: not a number of seconds" :
				    "-B: not a number of seconds", optarg);
			*(opt == 's' ? &observe_s : &wait_s) = v;
			req.observe = observe_s > 0;
			break;
		}
		case 'R': {
			char *e;

			rebind_after = strtol(optarg, &e, 10);
			if (*e || rebind_after < 1 || rebind_after > 1000000)
				die("--rebind-after: not a count from 1", optarg);
			break;
		}
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !identity || !key) {
		usage(stderr);
		return 2;
	}
	parse_uri(argv[optind]);
	ret = getaddrinfo(uri.host, uri.port, &hints, &ai);
	if (ret)
		die(gai_strerror(ret), uri.host);
	memcpy(&c.peer, ai->ai_addr, ai->ai_addrlen);
	c.peerlen = ai->ai_addrlen;
	freeaddrinfo(ai);

	ret = gnutls_global_init();
	if (ret >= 0)
		ret = gnutls_psk_allocate_client_credentials(&cred);
	if (ret >= 0)
		ret = gnutls_psk_set_client_credentials(cred, identity,
			&(gnutls_datum_t){ .data = (unsigned char *)(uintptr_t)key,
					   .size = (unsigned int)strlen(key) },
			GNUTLS_PSK_KEY_RAW);
	if (ret < 0) {
		fprintf(stderr, "coaps-cid: GnuTLS PSK credentials: %s\n", gnutls_strerror(ret));
		return 1;
	}
	ret = gnutls_priority_init(&pr, prio, &err);
	if (ret < 0)
		die("--priority: GnuTLS does not take it", err ? err : prio);
	ret = gnutls_init(&c.s, GNUTLS_CLIENT | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK |
			  GNUTLS_NO_TICKETS);
	if (ret >= 0)
		ret = gnutls_priority_set(c.s, pr);
	if (ret >= 0)
		ret = gnutls_credentials_set(c.s, GNUTLS_CRD_PSK, cred);
	if (c.use_cid && ret >= 0) {
		if (cid_hex) {
			size_t n = strlen(cid_hex), i;
			unsigned int b;

			if (n % 2 || n > 2 * sizeof(c.cid.rx))
				die("--cid: not 0 to 255 bytes of hex", cid_hex);
			for (i = 0; i < n / 2; i++) {
				if (sscanf(cid_hex + 2 * i, "%2x", &b) != 1 ||
				    !strchr("0123456789abcdefABCDEF", cid_hex[2 * i + 1]))
					die("--cid: not hex", cid_hex);
				c.cid.rx[i] = (uint8_t)b;
			}
			c.cid.rx_len = (uint8_t)(n / 2);
		} else if (!cid_empty) {
			c.cid.rx_len = 4;
			gnutls_rnd(GNUTLS_RND_NONCE, c.cid.rx, 4);
		}
		ret = dtls_cid_register(c.s, &c.cid);
	}
	if (ret < 0) {
		fprintf(stderr, "coaps-cid: GnuTLS session: %s\n", gnutls_strerror(ret));
		return 1;
	}
	gnutls_transport_set_push_function(c.s, push);
	gnutls_transport_set_pull_function(c.s, pull);
	gnutls_transport_set_pull_timeout_function(c.s, pull_timeout);
	gnutls_dtls_set_mtu(c.s, 1200);
	gnutls_dtls_set_timeouts(c.s, 1000, (unsigned int)(wait_s * 1000));
	open_socket();

	deadline = now_ms() + (uint64_t)(wait_s * 1000);
	if (handshake(deadline))
		return 1;
	report_cid();

	gnutls_rnd(GNUTLS_RND_NONCE, req.token, sizeof(req.token));
	gnutls_rnd(GNUTLS_RND_NONCE, req.get_token, sizeof(req.get_token));
	gnutls_rnd(GNUTLS_RND_NONCE, &req.mid, sizeof(req.mid));
	pending_start(&rq, REQUEST);
	if (req.observe)
		end = now_ms() + (uint64_t)(observe_s * 1000);
	for (;;) {
		uint64_t now = now_ms(), until = req.observe ? end : deadline;
		struct coap_msg m;
		ssize_t n;

		if (now >= until || (!req.observe && answers))
			break;
		pending_resend(&rq, now);
		pending_resend(&after_move, now);
		if (c.raw_off >= c.raw_len) {
			uint64_t t = until;

			if (rq.on && rq.next < t)
				t = rq.next;
			if (after_move.on && after_move.next < t)
				t = after_move.next;
			if (pull_timeout(NULL, (unsigned int)(t - now)) <= 0)
				continue;
		}
		n = gnutls_record_recv(c.s, buf, sizeof(buf));
		if (n == 0) {
			fprintf(stderr, "coaps-cid: the server ended the session (close_notify)\n");
			break;
		}
		if (n < 0) {
			if (gnutls_error_is_fatal((int)n)) {
				fprintf(stderr, "coaps-cid: %s\n", gnutls_strerror((int)n));
				break;
			}
			continue;
		}
		ret = coap_parse(&m, buf, (size_t)n);
		if (ret && coap_err_class(ret) == COAP_ERRC_DROP)
			continue;
		if (handle(&m) && ++answers == (unsigned long)rebind_after)
			move(with);
	}
	if (c.use_cid && c.cid.negotiated && c.cid.rx_len)
		fprintf(stderr, "coaps-cid: records in: %lu with our cid, %lu without it dropped\n",
			c.rx_cid, c.rx_plain_dropped);
	gnutls_bye(c.s, GNUTLS_SHUT_WR);
	gnutls_deinit(c.s);
	gnutls_priority_deinit(pr);
	gnutls_psk_free_client_credentials(cred);
	gnutls_global_deinit();
	return answers ? 0 : 1;
}
