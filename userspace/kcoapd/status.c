// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * What kcoapd is doing, for the operator: STATUS-DIR/kcoapd.PID.status
 * (status-dir, default /run/kcoap), "KEY VALUE..." lines rewritten every
 * second (to a temporary file renamed over it), which kcoapctl daemon
 * finds by the pid the kernel reports and shows (kcoapctl(8)); removed at
 * exit (after a SIGKILL, by the next kcoapd). With the bridge, every
 * stats-interval seconds a compact JSON object on {prefix}stats (QoS 0,
 * not retained).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dtls.h"
#include "kcoapd.h"

#define STATUS_EVERY_MS 1000

static char path[4000], tmp[4096];
static bool on, with_bridge;
static uint32_t stats_every;		/* s */
static uint64_t last_status, last_stats;

void status_word(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == 0x7f || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* Files of kcoapds that died without removing theirs (SIGKILL). */
static void sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char file[4200];
	int pid, end;

	if (!d)
		return;
	while ((e = readdir(d))) {
		/* Its .tmp too: a SIGKILL may fall between write and rename. */
		end = 0;
		if (sscanf(e->d_name, "kcoapd.%d.status%n", &pid, &end) != 1 || !end ||
		    (e->d_name[end] && strcmp(e->d_name + end, ".tmp")) ||
		    pid <= 0 || !kill(pid, 0) || errno != ESRCH)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		unlink(file);
	}
	closedir(d);
}

void status_init(const struct kcoapd_config *c, bool bridge)
{
	with_bridge = bridge;
	stats_every = c->stats_interval;
	if (!c->status_dir || !*c->status_dir)
		return;
	if (mkdir(c->status_dir, 0755) && errno != EEXIST) {
		kcoapd_log(LOG_WARNING, "status-dir %s: %s: kcoapctl daemon will not show kcoapd's state",
			   c->status_dir, strerror(errno));
		return;
	}
	sweep(c->status_dir);
	snprintf(path, sizeof(path), "%s/kcoapd.%d.status", c->status_dir, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	on = true;
}

void status_settings(const struct kcoapd_config *c)
{
	stats_every = c->stats_interval;
}

static void write_status(void)
{
	FILE *f = fopen(tmp, "w");

	/* Readable by every user, whatever the umask (nothing secret). */
	if (f)
		fchmod(fileno(f), 0644);
	if (!f) {
		kcoapd_log(LOG_WARNING, "%s: %s: status not written", tmp, strerror(errno));
		on = false;
		return;
	}
	fprintf(f, "updated %llu\n", (unsigned long long)time(NULL));
	store_status(f);
	dtls_status(f);
	if (with_bridge) {
		mqtt_status(f);
		pubsub_status(f);
		rd_status(f);
		command_status(f);
	} else {
		fputs("broker off\n", f);
	}
	http_status(f);
	if (fclose(f) || rename(tmp, path)) {
		kcoapd_log(LOG_WARNING, "%s: %s: status not written", path, strerror(errno));
		unlink(tmp);
	}
}

/*
 * The kernel's counters the gateway page plots (as rates): requests in,
 * datagrams dropped (rx-dropped, ratelimited, amp-limited), notifications
 * sent; from /proc/net/kcoap of kcoapd's namespace.
 */
static void kernel_counters(unsigned long long *rx, unsigned long long *drop,
			    unsigned long long *notify)
{
	char name[64];
	unsigned long long v;
	FILE *f = fopen("/proc/net/kcoap", "r");

	*rx = *drop = *notify = 0;
	if (!f)
		return;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!strcmp(name, "rx-requests"))
			*rx = v;
		else if (!strcmp(name, "rx-dropped") || !strcmp(name, "ratelimited") ||
			 !strcmp(name, "amp-limited"))
			*drop += v;
		else if (!strcmp(name, "tx-notify"))
			*notify = v;
	}
	fclose(f);
}

static void publish_stats(void)
{
	char topic[512], msg[512];
	unsigned long long rx, drop, notify;
	int n;

	kernel_counters(&rx, &drop, &notify);
	n = snprintf(msg, sizeof(msg),
		     "{\"connected\":%s,\"subscriptions\":%zu,\"devices\":%zu,\"commands\":%d,\"pending\":%u,\"store\":%zu,\"time\":%llu,\"rx-requests\":%llu,\"dropped\":%llu,\"tx-notify\":%llu}",
		     mqtt_connected() ? "true" : "false", pubsub_count(), rd_count(),
		     command_count(), pubsub_pending(), store_count(),
		     (unsigned long long)time(NULL), rx, drop, notify);
	mqtt_publish(mqtt_topic("stats", topic, sizeof(topic)), msg, (size_t)n, 0, false,
		     NULL, NULL, false);
}

void status_tick(uint64_t now)
{
	if (on && now >= last_status + STATUS_EVERY_MS) {
		last_status = now;
		write_status();
	}
	if (with_bridge && stats_every && mqtt_connected() &&
	    now >= last_stats + stats_every * 1000ULL) {
		last_stats = now;
		publish_stats();
	}
}

void status_end(void)
{
	if (on)
		unlink(path);
}
