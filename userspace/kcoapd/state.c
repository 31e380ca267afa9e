// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * State that survives a restart, under state-dir (default /var/lib/kcoap):
 * "store" (the store's values) and "devices" (the registrations). A file
 * is written whole when what it holds changed, once per turn of the event
 * loop and before that turn's answers are kicked to the kernel, so a 2.01
 * or 2.04 is only seen for what is on disk: to NAME.tmp, fsync, rename over
 * NAME, fsync of the directory. A crash leaves the old file or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "kcoapd.h"

static const char *dir;
static unsigned int dirty;

int state_init(const struct kcoapd_config *c)
{
	dir = c->state_dir;
	if (!dir || !*dir) {
		dir = NULL;
		return 0;
	}
	/* Without it kcoapd still serves, and says so loudly. */
	if ((mkdir(dir, 0700) && errno != EEXIST) || access(dir, W_OK | X_OK)) {
		kcoapd_log(LOG_ERR, "state-dir %s: %s: nothing will survive a restart",
			   dir, strerror(errno));
		dir = NULL;
		return -errno;
	}
	return 0;
}

FILE *state_open(const char *name)
{
	char path[4096];
	FILE *f;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f && errno != ENOENT)
		kcoapd_log(LOG_ERR, "%s: %s: starting without it", path, strerror(errno));
	return f;
}

void state_dirty(unsigned int what)
{
	if (dir)
		dirty |= what;
}

static void write_one(const char *name, void (*save)(FILE *f))
{
	char path[4096], tmp[4096];
	int fd, dfd, err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		kcoapd_log(LOG_ERR, "%s: %s: not saved", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	save(f);
	if (fflush(f) || ferror(f) || fsync(fd))
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		kcoapd_log(LOG_ERR, "%s: %s: not saved", path, strerror(err));
		unlink(tmp);
		return;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

void state_flush(void)
{
	unsigned int what = dirty;

	dirty = 0;
	if (what & STATE_STORE)
		write_one("store", store_save);
	if (what & STATE_DEVICES)
		write_one("devices", rd_save);
}
