/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoap-bench: a CoAP load generator. Many simulated endpoints, each a UDP
 * socket on its own source port, send requests to one server with
 * sendmmsg() and read the answers with recvmmsg(), from one epoll loop.
 */
#ifndef KCOAP_BENCH_H
#define KCOAP_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

#define BENCH_TOKEN_LEN	4	/* slot (16 bits), generation (16 bits) */
#define BENCH_BATCH	32	/* datagrams per sendmmsg()/recvmmsg() */
#define BENCH_MAX_MSG	1400
#define BENCH_MAX_PIDS	4

enum bench_mode { BENCH_LOAD, BENCH_OBSERVE, BENCH_HANDSHAKE };

struct bench_opts {
	struct sockaddr_storage target;
	socklen_t target_len;
	char target_str[128];
	const char *path;
	const char *label;
	enum bench_mode mode;
	unsigned int endpoints;
	unsigned int window;		/* outstanding requests per endpoint */
	bool con;
	uint8_t method;			/* CoAP code 0.01 .. 0.04 */
	unsigned int payload;		/* request payload bytes */
	double rate;			/* requests/s in all; 0: closed loop */
	double duration, warmup, drain;	/* seconds */
	unsigned long requests;		/* stop after this many (0: duration) */
	unsigned int ack_timeout_ms;
	unsigned int max_retransmit;
	int server_cpu;			/* /proc/stat line to sample, -1: none */
	int pids[BENCH_MAX_PIDS];	/* server processes to sample */
	int npids;
	bool json;
	bool progress;
	const char *trigger;		/* observe: command that updates */
	unsigned int updates;		/* observe: how many updates */
	double observe_timeout;
	/* coaps:// (dtls.c) */
	bool dtls;
	const char *psk_identity, *psk_key;
	const char *priority;		/* GnuTLS priority string, NULL: default */
	unsigned int hs_window;		/* handshakes in flight while connecting */
	double hs_timeout;		/* seconds one handshake may take */
};

/* Latency histogram: log2 buckets of 32 linear steps, in nanoseconds. */
#define HIST_SUB_BITS	5
#define HIST_BUCKETS	((64 - HIST_SUB_BITS) << HIST_SUB_BITS)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t n, sum, max;
};

void hist_add(struct hist *h, uint64_t ns);
uint64_t hist_pct(const struct hist *h, double pct);

/*
 * CPU time of the server's CPU and processes, in seconds. The per-state
 * fields of /proc/stat are tick samples, which a guest loses when its vCPU
 * waits for the host: busy time is the wall clock less the idle time,
 * which NO_HZ kernels measure exactly.
 */
struct cpu_sample {
	double wall, idle;	/* idle includes iowait */
	double user, system, softirq, irq;	/* tick-sampled */
	double proc;		/* run time of the server processes' threads */
	bool valid;
};

void cpu_sample(const struct bench_opts *o, struct cpu_sample *s);

struct bench_result {
	double window_s;	/* length of the measured window */
	double elapsed_s;	/* --requests: first send to last answer */
	uint64_t sent, retransmissions, replies, lost, skipped;
	uint64_t errors, rst, stray;
	uint64_t mid_wraps;	/* endpoints that reused a Message ID */
	struct hist lat;
	struct cpu_sample cpu0, cpu1;
	/* observe */
	unsigned int registered, notified_min;
	double trig_first_ms[64], trig_last_ms[64], spread_ms[64];
	unsigned int nupdates;
};

uint64_t now_ns(void);
int bench_run(const struct bench_opts *o, struct bench_result *r);
int bench_observe(const struct bench_opts *o, struct bench_result *r);
void report_table(const struct bench_opts *o, const struct bench_result *r);
void report_json(const struct bench_opts *o, const struct bench_result *r);

#endif
