// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The server's side of the bill: its CPU's idle time from /proc/stat (exact
 * on NO_HZ kernels, unlike the tick-sampled user, system and softirq
 * fields beside it), and the run time of its processes' threads from
 * /proc/PID/task/TID/schedstat (nanoseconds, including the softirqs that
 * ran while they were current). Under TCG only ratios between servers
 * mean something, so these are what the table compares.
 */
#include <dirent.h>
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
	s->idle = (double)(v[3] + v[4]) / hz;
	return true;
}

static double read_proc(int pid)
{
	unsigned long long ns, sum = 0;
	char path[64], file[400];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", path, d->d_name);
		f = fopen(file, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return (double)sum / 1e9;
}

void cpu_sample(const struct bench_opts *o, struct cpu_sample *s)
{
	double hz = (double)sysconf(_SC_CLK_TCK);
	int i;

	memset(s, 0, sizeof(*s));
	s->wall = (double)now_ns() / 1e9;
	if (o->server_cpu >= 0)
		s->valid = read_cpu(o->server_cpu, s, hz);
	for (i = 0; i < o->npids; i++)
		s->proc += read_proc(o->pids[i]);
}
