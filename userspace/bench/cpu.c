// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The server's side of the bill: busy time of its CPU from /proc/stat
 * (user, system, softirq, irq: everything but idle), and the user plus
 * system time of its processes from /proc/PID/stat. Under TCG only ratios
 * between servers mean something, so these are what the table compares.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static bool read_cpu(int cpu, struct cpu_sample *s, double hz)
{
	unsigned long long v[8] = { 0 };
	char want[32], line[512];
	bool found = false;
	FILE *f;

	snprintf(want, sizeof(want), "cpu%d ", cpu);
	f = fopen("/proc/stat", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		/* user nice system idle iowait irq softirq steal */
		found = sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8;
		break;
	}
	fclose(f);
	if (!found)
		return false;
	s->user = (double)(v[0] + v[1]) / hz;
	s->system = (double)v[2] / hz;
	s->irq = (double)v[5] / hz;
	s->softirq = (double)v[6] / hz;
	s->busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
	s->total = s->busy + (double)(v[3] + v[4]) / hz;
	return true;
}

static double read_proc(int pid, double hz)
{
	unsigned long long ut, st;
	char path[64], line[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (!p)
		return 0;
	/* The command name may hold spaces: fields count from its ')'. */
	p = strrchr(line, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / hz;
}

void cpu_sample(const struct bench_opts *o, struct cpu_sample *s)
{
	double hz = (double)sysconf(_SC_CLK_TCK);
	int i;

	memset(s, 0, sizeof(*s));
	if (o->server_cpu >= 0)
		s->valid = read_cpu(o->server_cpu, s, hz);
	for (i = 0; i < o->npids; i++)
		s->proc += read_proc(o->pids[i], hz);
}
