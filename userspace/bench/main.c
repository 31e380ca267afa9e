// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoap-bench: command line, then the load or the observe loop, then the
 * report. See usage() and docs/benchmarks.md.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coap.h"
#include "bench.h"
#include "dtls.h"

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: kcoap-bench [OPTIONS] coap[s]://HOST[:PORT]/PATH\n"
		"  -e, --endpoints N      simulated endpoints, one source port each (1000)\n"
		"  -w, --window N         requests in flight per endpoint (1)\n"
		"      --con | --non      message type (CON)\n"
		"  -m, --method M         get, post, put or delete (get)\n"
		"  -s, --payload BYTES    request payload size (0)\n"
		"  -r, --rate N           open loop: N requests/s in all (default: closed loop)\n"
		"  -d, --duration S       measured seconds (5)\n"
		"  -W, --warmup S         seconds before measuring (1)\n"
		"      --drain S          longest wait for answers still due (3)\n"
		"  -n, --requests N       send N requests, report the time they took\n"
		"      --ack-timeout MS   RFC 7252 ACK_TIMEOUT (2000; NON: give-up time)\n"
		"      --max-retransmit N RFC 7252 MAX_RETRANSMIT (4)\n"
		"      --server-cpu N     sample CPU N's time in /proc/stat\n"
		"      --server-pid PID   sample the process's CPU time (up to %d)\n"
		"      --observe          register every endpoint as an observer and time\n"
		"                         the notifications after each --trigger\n"
		"      --trigger CMD      shell command that updates the resource\n"
		"                         ($BENCH_UPDATE is the update number)\n"
		"      --updates N        updates to time (1, at most 64)\n"
		"coaps:// (DTLS 1.2, PSK; every session is set up before the load starts):\n"
		"      --psk ID:KEY       PSK identity and key (the key's bytes as written)\n"
		"      --priority STR     GnuTLS priority string (default: PSK with\n"
		"                         AES-128-CCM-8 only: %s)\n"
		"      --handshake-window N  handshakes in flight while connecting (50)\n"
		"      --handshake-timeout S  give a handshake up after S seconds (30)\n"
		"      --handshakes       measure full handshakes per second instead: each\n"
		"                         endpoint handshakes, sends close_notify and starts\n"
		"                         over from a new source port\n"
		"      --label STR        name for the report\n"
		"      --json             one JSON object instead of the table\n"
		"  -p, --progress         a progress line every second on stderr\n",
		BENCH_MAX_PIDS, BENCH_DTLS_PRIORITY);
	exit(status);
}

static double num(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < min || v > max) {
		fprintf(stderr, "kcoap-bench: %s: '%s' is not a number from %g to %g\n",
			opt, s, min, max);
		exit(2);
	}
	return v;
}

/* coap[s]://HOST[:PORT]/PATH, HOST an IPv4 address, [IPv6] or a name. */
static void parse_uri(struct bench_opts *o, const char *uri)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	char host[128], port[8] = "5683";
	const char *p = uri, *end;
	size_t n;

	if (!strncmp(p, "coaps://", 8)) {
		o->dtls = true;
		strcpy(port, "5684");	/* RFC 7252 §6.2 */
		p++;
	} else if (strncmp(p, "coap://", 7)) {
		goto bad;
	}
	p += 7;
	if (*p == '[') {
		end = strchr(++p, ']');
		if (!end)
			goto bad;
		n = (size_t)(end - p);
		end++;
	} else {
		n = strcspn(p, ":/");
		end = p + n;
	}
	if (!n || n >= sizeof(host))
		goto bad;
	memcpy(host, p, n);
	host[n] = 0;
	if (*end == ':') {
		size_t pn = strcspn(end + 1, "/");

		if (!pn || pn >= sizeof(port))
			goto bad;
		memcpy(port, end + 1, pn);
		port[pn] = 0;
		end += 1 + pn;
	}
	o->path = *end ? end : "/";
	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "kcoap-bench: cannot resolve '%s'\n", host);
		exit(2);
	}
	memcpy(&o->target, ai->ai_addr, ai->ai_addrlen);
	o->target_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(o->target_str, sizeof(o->target_str), "%s", uri);
	return;
bad:
	fprintf(stderr, "kcoap-bench: '%s' is not coap[s]://HOST[:PORT]/PATH\n", uri);
	exit(2);
}

static uint8_t method(const char *s)
{
	static const char *const names[] = { "get", "post", "put", "delete" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i]))
			return (uint8_t)(COAP_CODE_GET + i);
	fprintf(stderr, "kcoap-bench: --method: '%s' is not get, post, put or delete\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	enum { O_CON = 256, O_NON, O_DRAIN, O_ACKTO, O_MAXRT, O_CPU, O_PID, O_OBS,
	       O_TRIG, O_UPD, O_LABEL, O_JSON, O_PSK, O_PRIO, O_HSWIN, O_HSTO, O_HS };
	static const struct option opts[] = {
		{ "endpoints", required_argument, NULL, 'e' },
		{ "window", required_argument, NULL, 'w' },
		{ "con", no_argument, NULL, O_CON },
		{ "non", no_argument, NULL, O_NON },
		{ "method", required_argument, NULL, 'm' },
		{ "payload", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "drain", required_argument, NULL, O_DRAIN },
		{ "requests", required_argument, NULL, 'n' },
		{ "ack-timeout", required_argument, NULL, O_ACKTO },
		{ "max-retransmit", required_argument, NULL, O_MAXRT },
		{ "server-cpu", required_argument, NULL, O_CPU },
		{ "server-pid", required_argument, NULL, O_PID },
		{ "observe", no_argument, NULL, O_OBS },
		{ "trigger", required_argument, NULL, O_TRIG },
		{ "updates", required_argument, NULL, O_UPD },
		{ "label", required_argument, NULL, O_LABEL },
		{ "json", no_argument, NULL, O_JSON },
		{ "psk", required_argument, NULL, O_PSK },
		{ "priority", required_argument, NULL, O_PRIO },
		{ "handshake-window", required_argument, NULL, O_HSWIN },
		{ "handshake-timeout", required_argument, NULL, O_HSTO },
		{ "handshakes", no_argument, NULL, O_HS },
		{ "progress", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = {
		.endpoints = 1000, .window = 1, .con = true, .method = COAP_CODE_GET,
		.duration = 5, .warmup = 1, .drain = 3, .ack_timeout_ms = 2000,
		.max_retransmit = 4, .server_cpu = -1, .updates = 1, .observe_timeout = 10,
		.hs_window = 50, .hs_timeout = 30,
	};
	char *psk = NULL;
	static struct bench_result r;
	int c, ret;

	while ((c = getopt_long(argc, argv, "e:w:m:s:r:d:W:n:ph", opts, NULL)) != -1) {
		switch (c) {
		case 'e': o.endpoints = (unsigned int)num("--endpoints", optarg, 1, 60000); break;
		case 'w': o.window = (unsigned int)num("--window", optarg, 1, 1024); break;
		case O_CON: o.con = true; break;
		case O_NON: o.con = false; break;
		case 'm': o.method = method(optarg); break;
		case 's': o.payload = (unsigned int)num("--payload", optarg, 0, 1024); break;
		case 'r': o.rate = num("--rate", optarg, 0, 1e8); break;
		case 'd': o.duration = num("--duration", optarg, 0.01, 1e6); break;
		case 'W': o.warmup = num("--warmup", optarg, 0, 1e6); break;
		case O_DRAIN: o.drain = num("--drain", optarg, 0, 1e6); break;
		case 'n': o.requests = (unsigned long)num("--requests", optarg, 1, 1e12); break;
		case O_ACKTO: o.ack_timeout_ms = (unsigned int)num("--ack-timeout", optarg, 1, 1e6); break;
		case O_MAXRT: o.max_retransmit = (unsigned int)num("--max-retransmit", optarg, 0, 20); break;
		case O_CPU: o.server_cpu = (int)num("--server-cpu", optarg, 0, 4095); break;
		case O_PID:
			if (o.npids == BENCH_MAX_PIDS)
				usage(2);
			o.pids[o.npids++] = (int)num("--server-pid", optarg, 1, 1e9);
			break;
		case O_OBS: o.mode = BENCH_OBSERVE; break;
		case O_TRIG: o.trigger = optarg; break;
		case O_UPD: o.updates = (unsigned int)num("--updates", optarg, 1, 64); break;
		case O_LABEL: o.label = optarg; break;
		case O_JSON: o.json = true; break;
		case O_PSK: psk = optarg; break;
		case O_PRIO: o.priority = optarg; break;
		case O_HSWIN: o.hs_window = (unsigned int)num("--handshake-window", optarg, 1, 60000); break;
		case O_HSTO: o.hs_timeout = num("--handshake-timeout", optarg, 1, 3600); break;
		case O_HS: o.mode = BENCH_HANDSHAKE; break;
		case 'p': o.progress = true; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	parse_uri(&o, argv[optind]);
	if (o.dtls) {
		char *colon = psk ? strchr(psk, ':') : NULL;

		if (!colon || colon == psk || !colon[1]) {
			fprintf(stderr, "kcoap-bench: coaps:// needs --psk IDENTITY:KEY%s%s%s\n",
				psk ? " (not '" : "", psk ? psk : "", psk ? "')" : "");
			return 2;
		}
		*colon = 0;
		o.psk_identity = psk;
		o.psk_key = colon + 1;
		if (o.mode == BENCH_OBSERVE) {
			fprintf(stderr, "kcoap-bench: --observe is for coap:// only\n");
			return 2;
		}
		if (bench_dtls_init(&o))
			return 1;
	} else if (o.mode == BENCH_HANDSHAKE || psk || o.priority) {
		fprintf(stderr, "kcoap-bench: --handshakes, --psk and --priority are for coaps://\n");
		return 2;
	}
	if (o.mode == BENCH_HANDSHAKE) {
		ret = bench_handshakes(&o, &r);
	} else if (o.mode == BENCH_OBSERVE) {
		if (!o.trigger) {
			fprintf(stderr, "kcoap-bench: --observe needs --trigger\n");
			return 2;
		}
		o.con = true;
		o.method = COAP_CODE_GET;
		o.window = 1;
		ret = bench_observe(&o, &r);
	} else {
		if (o.requests)
			o.warmup = 0;
		ret = bench_run(&o, &r);
	}
	if (o.dtls)
		bench_dtls_end();
	if (ret)
		return 1;
	if (o.json)
		report_json(&o, &r);
	else
		report_table(&o, &r);
	return 0;
}
