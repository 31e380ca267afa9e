// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Results, as a table for people or as one JSON object for scripts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "dtls.h"

struct derived {
	double rps, busy, softirq, system, user, proc, util, cpu_us;
	double p50, p90, p99, p999, max, mean;	/* microseconds */
};

static void derive(const struct bench_result *r, struct derived *d)
{
	const struct cpu_sample *a = &r->cpu0, *b = &r->cpu1;
	double wall = b->wall - a->wall;

	d->rps = r->window_s > 0 ? (double)r->replies / r->window_s : 0;
	d->busy = wall - (b->idle - a->idle);
	if (d->busy < 0)
		d->busy = 0;
	d->softirq = b->softirq - a->softirq;
	d->system = b->system - a->system;
	d->user = b->user - a->user;
	d->proc = b->proc - a->proc;
	d->util = wall > 0 ? d->busy / wall : 0;
	d->cpu_us = r->replies ? d->busy * 1e6 / (double)r->replies : 0;
	d->p50 = (double)hist_pct(&r->lat, 50) / 1e3;
	d->p90 = (double)hist_pct(&r->lat, 90) / 1e3;
	d->p99 = (double)hist_pct(&r->lat, 99) / 1e3;
	d->p999 = (double)hist_pct(&r->lat, 99.9) / 1e3;
	d->max = (double)r->lat.max / 1e3;
	d->mean = r->lat.n ? (double)r->lat.sum / (double)r->lat.n / 1e3 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned int n)
{
	double s[64];
	unsigned int i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		s[i] = v[i];
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *method_name(uint8_t m)
{
	static const char *const names[] = { "EMPTY", "GET", "POST", "PUT", "DELETE" };

	return m < 5 ? names[m] : "?";
}

void report_table(const struct bench_opts *o, const struct bench_result *r)
{
	struct derived d;

	derive(r, &d);
	printf("%-24s %s\n", "target", o->target_str);
	if (o->label)
		printf("%-24s %s\n", "label", o->label);
	if (o->dtls)
		printf("%-24s %s\n", "DTLS session", bench_dtls_suite());
	if (o->mode == BENCH_OBSERVE) {
		printf("%-24s %u of %u\n", "observers registered", r->registered, o->endpoints);
		printf("%-24s %u (fewest over %u updates)\n", "notified", r->notified_min,
		       r->nupdates);
		printf("%-24s %.2f ms (median)\n", "trigger to first",
		       median(r->trig_first_ms, r->nupdates));
		printf("%-24s %.2f ms (median)\n", "trigger to last",
		       median(r->trig_last_ms, r->nupdates));
		printf("%-24s %.2f ms (median)\n", "first to last",
		       median(r->spread_ms, r->nupdates));
	} else if (o->mode == BENCH_HANDSHAKE) {
		printf("%-24s full DTLS handshakes, %u endpoints, closed loop\n", "workload",
		       o->endpoints);
		printf("%-24s %.2f s\n", "measured", r->window_s);
		printf("%-24s %.0f\n", "handshakes/s", d.rps);
		printf("%-24s %lu\n", "handshakes started", (unsigned long)r->sent);
		printf("%-24s %lu\n", "handshakes done", (unsigned long)r->replies);
		printf("%-24s %lu\n", "failed or timed out", (unsigned long)r->lost);
		printf("%-24s p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f\n",
		       "handshake time (us)", d.p50, d.p90, d.p99, d.p999, d.max);
	} else {
		printf("%-24s %s %s, %u endpoints, window %u, payload %u B, %s\n", "workload",
		       o->con ? "CON" : "NON", method_name(o->method), o->endpoints, o->window,
		       o->payload, o->rate ? "open loop" : "closed loop");
		printf("%-24s %.2f s\n", o->requests ? "elapsed" : "measured", r->window_s);
		printf("%-24s %.0f\n", "requests/s", d.rps);
		printf("%-24s %lu\n", "requests sent", (unsigned long)r->sent);
		printf("%-24s %lu\n", "answers", (unsigned long)r->replies);
		printf("%-24s %lu\n", "lost", (unsigned long)r->lost);
		printf("%-24s %lu\n", "retransmissions", (unsigned long)r->retransmissions);
		if (o->rate)
			printf("%-24s %lu\n", "skipped (window full)", (unsigned long)r->skipped);
		printf("%-24s %lu\n", "error answers", (unsigned long)r->errors);
		if (r->rst || r->stray)
			printf("%-24s %lu RST, %lu stray\n", "other",
			       (unsigned long)r->rst, (unsigned long)r->stray);
		printf("%-24s p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f\n",
		       "latency (us)", d.p50, d.p90, d.p99, d.p999, d.max);
		if (r->mid_wraps)
			printf("%-24s %lu endpoints reused Message IDs: add endpoints\n", "warning",
			       (unsigned long)r->mid_wraps);
	}
	if (r->cpu0.valid) {
		printf("%-24s cpu%d busy %.1f %% (%.3f s; ticks: softirq %.2f, system %.2f, user %.2f)\n",
		       "server CPU", o->server_cpu, d.util * 100, d.busy, d.softirq, d.system, d.user);
		if (o->mode != BENCH_OBSERVE)
			printf("%-24s %.2f us\n", o->mode == BENCH_HANDSHAKE ?
			       "server CPU per handshake" : "server CPU per request", d.cpu_us);
	}
	if (o->npids)
		printf("%-24s %.3f s\n", "server processes' CPU", d.proc);
}

void report_json(const struct bench_opts *o, const struct bench_result *r)
{
	struct derived d;

	derive(r, &d);
	printf("{\"target\":\"%s\",\"label\":\"%s\"", o->target_str, o->label ? o->label : "");
	if (o->mode == BENCH_OBSERVE) {
		printf(",\"mode\":\"observe\",\"observers\":%u,\"registered\":%u,\"notified\":%u",
		       o->endpoints, r->registered, r->notified_min);
		printf(",\"updates\":%u,\"trigger_to_first_ms\":%.3f,\"trigger_to_last_ms\":%.3f",
		       r->nupdates, median(r->trig_first_ms, r->nupdates),
		       median(r->trig_last_ms, r->nupdates));
		printf(",\"first_to_last_ms\":%.3f,\"errors\":%lu,\"stray\":%lu",
		       median(r->spread_ms, r->nupdates), (unsigned long)r->errors,
		       (unsigned long)r->stray);
	} else {
		/* handshake: "answers" are handshakes done, "sent" started. */
		printf(",\"mode\":\"%s\",\"dtls\":%s,\"type\":\"%s\",\"method\":\"%s\"",
		       o->mode == BENCH_HANDSHAKE ? "handshake" : "load", o->dtls ? "true" : "false",
		       o->con ? "CON" : "NON", method_name(o->method));
		printf(",\"endpoints\":%u", o->endpoints);
		if (o->dtls)
			printf(",\"suite\":\"%s\"", bench_dtls_suite());
		printf(",\"window\":%u,\"payload\":%u,\"rate\":%.0f,\"warmup_s\":%.2f",
		       o->window, o->payload, o->rate, o->warmup);
		printf(",\"measured_s\":%.4f,\"requests_per_s\":%.1f", r->window_s, d.rps);
		printf(",\"sent\":%lu,\"answers\":%lu,\"lost\":%lu,\"retransmissions\":%lu",
		       (unsigned long)r->sent, (unsigned long)r->replies, (unsigned long)r->lost,
		       (unsigned long)r->retransmissions);
		printf(",\"skipped\":%lu,\"errors\":%lu,\"rst\":%lu,\"stray\":%lu,\"mid_reuse\":%lu",
		       (unsigned long)r->skipped, (unsigned long)r->errors, (unsigned long)r->rst,
		       (unsigned long)r->stray, (unsigned long)r->mid_wraps);
		printf(",\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p99.9\":%.1f",
		       d.p50, d.p90, d.p99, d.p999);
		printf(",\"max\":%.1f,\"mean\":%.1f}", d.max, d.mean);
	}
	if (r->cpu0.valid || o->npids) {
		printf(",\"server\":{\"cpu\":%d,\"busy_s\":%.4f,\"process_s\":%.4f", o->server_cpu,
		       d.busy, d.proc);
		printf(",\"util\":%.4f,\"tick_softirq_s\":%.2f,\"tick_system_s\":%.2f", d.util,
		       d.softirq, d.system);
		printf(",\"tick_user_s\":%.2f", d.user);
		printf(",\"cpu_us_per_request\":%.3f}", d.cpu_us);
	}
	printf("}\n");
}
