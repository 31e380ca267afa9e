// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * coapraw: send CoAP datagrams written out by hand and print what comes
 * back, one line per reply. For tests and for poking at a CoAP endpoint.
 *
 *   coapraw [--decode] [--wait S] [--repeat N] [--sport P] [--netns NAME]
 *           HOST PORT MSG...
 *
 * A MSG is hex bytes, or a message written out:
 *   "TYPE CODE MID TOKEN [/path/segs] [?query]... [oNUM=HEX|oNUM=#UINT]...
 *    [payload=HEX]"
 * e.g. "CON GET 4660 aabb /sensors/temp o17=#60". TYPE is CON, NON, ACK or
 * RST; CODE GET, POST, PUT, DELETE, FETCH or c.dd; TOKEN hex or "-".
 * Options may come in any order. Replies print as hex, or with --decode as
 * "TYPE C.DD mid=N token=HEX oNUM=HEX ... payload=HEX"; "-" when nothing
 * came within --wait seconds (default 1). --netns sends from the network
 * namespace NAME (as "ip netns exec NAME" would, one exec cheaper).
 */
#define _GNU_SOURCE	/* setns() */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "coap.h"
#include "netns.h"

#define MAX_MSG 65536
#define MAX_OPTS 256

struct opt {
	unsigned int num;
	unsigned int seq;		/* keeps repeated options in order */
	size_t len;
	unsigned char val[1024];
};

static void usage(void)
{
	fprintf(stderr,
		"usage: coapraw [--decode] [--wait S] [--repeat N] [--sport P] [--netns NAME]\n"
		"               HOST PORT MSG...\n"
		"  MSG: hex bytes, or \"TYPE CODE MID TOKEN [/path] [?query]... [oNUM=HEX|oNUM=#UINT]...\n"
		"       [payload=HEX]\", e.g. \"CON GET 1 ab /sensors/temp o17=#60\"\n");
	exit(2);
}

static void die(const char *what, const char *value)
{
	fprintf(stderr, "coapraw: %s: '%s'\n", what, value);
	exit(2);
}

static size_t unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned int b;

	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (n == cap || sscanf(s, "%2x", &b) != 1 || !isxdigit((unsigned char)s[1]))
			die("not hex", s);
		out[n++] = b;
		s += 2;
	}
	return n;
}

static int opt_cmp(const void *a, const void *b)
{
	const struct opt *x = a, *y = b;

	if (x->num != y->num)
		return (x->num > y->num) - (x->num < y->num);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *const types[] = { "CON", "NON", "ACK", "RST" };

static int parse_code(const char *s)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "FETCH" };
	unsigned int c, dd;
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(s, methods[i]))
			return COAP_CODE(0, i + 1);
	if (sscanf(s, "%u.%u", &c, &dd) != 2 || c > 7 || dd > 31)
		die("bad code", s);
	return COAP_CODE(c, dd);
}

/* A written-out message (see above) into @out; returns its length. */
static size_t encode(char *spec, unsigned char *out)
{
	static struct opt opts[MAX_OPTS];
	unsigned char token[8], payload[4096];
	size_t nopts = 0, tkl = 0, plen = 0, i;
	char *w[4], *item, *save;
	struct coap_builder b;
	int type, code, n;

	for (i = 0; i < 4; i++) {
		w[i] = strtok_r(i ? NULL : spec, " ", &save);
		if (!w[i])
			die("not a message (TYPE CODE MID TOKEN ...)", spec);
	}
	for (type = 0; type < 4 && strcmp(w[0], types[type]); type++)
		;
	if (type == 4)
		die("bad type", w[0]);
	code = parse_code(w[1]);
	if (strcmp(w[3], "-"))
		tkl = unhex(w[3], token, sizeof(token));
	while ((item = strtok_r(NULL, " ", &save))) {
		struct opt *o = &opts[nopts];
		char *seg, *eq;

		if (nopts + 32 > MAX_OPTS)	/* room for a deep path */
			die("too many options", item);
		if (item[0] == '/') {
			for (seg = item + 1; seg; seg = eq ? eq + 1 : NULL) {
				eq = strchr(seg, '/');
				o = &opts[nopts++];
				o->num = COAP_OPT_URI_PATH;
				o->len = eq ? (size_t)(eq - seg) : strlen(seg);
				memcpy(o->val, seg, o->len);
			}
		} else if (item[0] == '?') {
			o->num = COAP_OPT_URI_QUERY;
			o->len = strlen(item + 1);
			memcpy(o->val, item + 1, o->len);
			nopts++;
		} else if (!strncmp(item, "payload=", 8)) {
			plen = unhex(item + 8, payload, sizeof(payload));
		} else if (item[0] == 'o' && (eq = strchr(item, '='))) {
			o->num = strtoul(item + 1, NULL, 10);
			if (eq[1] == '#') {
				unsigned long v = strtoul(eq + 2, NULL, 10);

				for (o->len = 0; v >> (8 * o->len); o->len++)
					;
				for (i = 0; i < o->len; i++)
					o->val[i] = v >> (8 * (o->len - 1 - i));
			} else {
				o->len = unhex(eq + 1, o->val, sizeof(o->val));
			}
			nopts++;
		} else {
			die("bad item", item);
		}
	}
	for (i = 0; i < nopts; i++)
		opts[i].seq = i;
	qsort(opts, nopts, sizeof(opts[0]), opt_cmp);
	coap_build_init(&b, out, MAX_MSG, type, code, strtoul(w[2], NULL, 10), token, tkl);
	for (i = 0; i < nopts; i++)
		coap_build_opt(&b, opts[i].num, opts[i].val, opts[i].len);
	coap_build_payload(&b, payload, plen);
	n = coap_build_end(&b);
	if (n < 0)
		die("cannot build", w[0]);
	return n;
}

static void print_hex(const char *prefix, const unsigned char *p, size_t n)
{
	size_t i;

	fputs(prefix, stdout);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* Lenient on purpose: it shows what arrived, well-formed or not. */
static void decode(const unsigned char *d, size_t n)
{
	size_t i, tkl;
	unsigned int num = 0, v[2], j;

	if (n < 4) {
		print_hex("short=", d, n);
		return;
	}
	tkl = d[0] & 15;
	printf("%s %u.%02u mid=%u", types[(d[0] >> 4) & 3], d[1] >> 5, d[1] & 31,
	       (unsigned int)d[2] << 8 | d[3]);
	print_hex(" token=", d + 4, tkl < n - 4 ? tkl : n - 4);
	for (i = 4 + tkl; i < n;) {
		if (d[i] == 0xff) {
			print_hex(" payload=", d + i + 1, n - i - 1);
			return;
		}
		v[0] = d[i] >> 4;
		v[1] = d[i] & 15;
		i++;
		for (j = 0; j < 2; j++) {
			if (v[j] == 13 && i < n) {
				v[j] = d[i++] + 13;
			} else if (v[j] == 14 && i + 1 < n) {
				v[j] = ((unsigned int)d[i] << 8 | d[i + 1]) + 269;
				i += 2;
			}
		}
		num += v[0];
		printf(" o%u=", num);
		print_hex("", d + i, i + v[1] <= n ? v[1] : n - i);
		i += v[1];
	}
}

int main(int argc, char **argv)
{
	static unsigned char msg[MAX_MSG], reply[MAX_MSG];
	int decode_out = 0, repeat = 1, sport = 0, fd, i, r, timeout;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	double wait = 1.0;
	struct pollfd pfd;
	ssize_t got;
	size_t len;

	while (argc > 1 && !strncmp(argv[1], "--", 2)) {
		if (!strcmp(argv[1], "--decode")) {
			decode_out = 1;
			argv++, argc--;
			continue;
		}
		if (argc < 3)
			usage();
		if (!strcmp(argv[1], "--wait"))
			wait = atof(argv[2]);
		else if (!strcmp(argv[1], "--repeat"))
			repeat = atoi(argv[2]);
		else if (!strcmp(argv[1], "--sport"))
			sport = atoi(argv[2]);
		else if (!strcmp(argv[1], "--netns"))
			tool_enter_netns("coapraw", argv[2]);
		else
			usage();
		argv += 2;
		argc -= 2;
	}
	if (argc < 4)
		usage();
	r = getaddrinfo(argv[1], argv[2], &hints, &ai);
	if (r)
		die(gai_strerror(r), argv[1]);
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("coapraw: socket");
		return 1;
	}
	if (sport) {
		struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(sport) };
		struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(sport) };
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 ? bind(fd, (void *)&a6, sizeof(a6)) :
						bind(fd, (void *)&a4, sizeof(a4))) {
			perror("coapraw: bind");
			return 1;
		}
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 3; i < argc; i++) {
		char spec[8192];

		snprintf(spec, sizeof(spec), "%s", argv[i]);
		len = strchr(spec, ' ') ? encode(spec, msg) : unhex(spec, msg, sizeof(msg));
		for (r = 0; r < repeat; r++) {
			int n = 0;

			if (sendto(fd, msg, len, 0, ai->ai_addr, ai->ai_addrlen) < 0)
				perror("coapraw: sendto");
			/* Every reply within the wait; then 0.2 s more for others (multicast). */
			timeout = (int)(wait * 1000);
			while (poll(&pfd, 1, timeout) > 0) {
				got = recv(fd, reply, sizeof(reply), 0);
				if (got < 0)
					break;
				if (decode_out)
					decode(reply, got);
				else
					print_hex("", reply, got);
				putchar('\n');
				n++;
				timeout = 200;
			}
			if (!n)
				puts("-");
			fflush(stdout);
		}
	}
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
