// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The broker's URL: mqtt[s]://[user[:password]@]host[:port][/]
 *
 * The authority ends at the first '/' (RFC 3986 §3.2); the user
 * information is what comes before its last '@', so a password may hold an
 * '@' as it is. '%XX' escapes in the user and the password are decoded
 * (§2.1): "%2F" is how a password holds a '/', "%25" a '%' ("%00" is
 * refused). An IPv6 host is written in brackets (§3.2.2). Nothing is
 * truncated: what does not fit is refused, with a message that names the
 * URL (its password masked) and what is wrong with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kcoapd.h"

/*
 * Messages name the URL, but never its password (they end up in the
 * journal): what lies between the user's ':' and the last '@' is shown as
 * "***". The last '@' of the whole URL, as a '/' in the password may have
 * cut the authority short.
 */
static void shown(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://"), *at = strrchr(url, '@'), *colon;

	colon = p ? memchr(p + 3, ':', at && at > p ? (size_t)(at - p - 3) : 0) : NULL;
	if (!colon) {
		snprintf(out, cap, "%s", url);
		return;
	}
	snprintf(out, cap, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

static int bad(const char *url, const char *fmt, ...)
{
	char safe[1024];
	va_list ap;

	shown(url, safe, sizeof(safe));
	fprintf(stderr, "kcoapd: mqtt-url '%s': ", safe);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode [s, s + n) into @out (@cap bytes); -1 on a bad escape or overflow. */
static int unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			c = hexval(s[i + 1]) << 4 | hexval(s[i + 2]);
			i += 2;
		}
		if (!c || o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int mqtt_url_parse(const char *url, struct mqtt_url *u)
{
	const char *p, *end, *at, *colon, *host_end;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!strncmp(url, "mqtt://", 7)) {
		p = url + 7;
		u->port = 1883;
	} else if (!strncmp(url, "mqtts://", 8)) {
		p = url + 8;
		u->port = 8883;
		u->tls = true;
	} else {
		return bad(url, "want mqtt://[user[:password]@]host[:port] or mqtts://...");
	}
	end = p + strcspn(p, "/");
	if (*end && strcmp(end, "/")) {
		if (strchr(end, '@'))
			return bad(url, "a '/' in the user or the password is written %%2F");
		return bad(url, "a path ('%s') is not allowed: topics come from topic-prefix", end);
	}

	/* The user information: up to the last '@'. */
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	if (at > p) {
		at--;
		colon = memchr(p, ':', (size_t)(at - p));
		if (unescape(p, (size_t)((colon ? colon : at) - p), u->user, sizeof(u->user)))
			return bad(url, "the user is longer than %zu bytes or has a bad %%-escape",
				   sizeof(u->user) - 1);
		if (colon && unescape(colon + 1, (size_t)(at - colon - 1), u->password,
				      sizeof(u->password)))
			return bad(url, "the password is longer than %zu bytes or has a bad %%-escape",
				   sizeof(u->password) - 1);
		u->has_user = true;
		u->has_password = colon;
		p = at + 1;
	}

	/* The host, an IPv6 one in brackets. */
	if (*p == '[') {
		host_end = memchr(p, ']', (size_t)(end - p));
		if (!host_end)
			return bad(url, "an IPv6 host wants its closing ']'");
		p++;
		colon = host_end + 1;
	} else {
		host_end = memchr(p, ':', (size_t)(end - p));
		if (!host_end)
			host_end = end;
		colon = host_end;
	}
	n = (size_t)(host_end - p);
	if (!n)
		return bad(url, "no host");
	if (n >= sizeof(u->host))
		return bad(url, "the host is longer than %zu bytes", sizeof(u->host) - 1);
	memcpy(u->host, p, n);
	u->host[n] = '\0';

	/* The port, 1 to 65535. */
	if (colon < end) {
		char *e;
		long v;

		if (*colon != ':')
			return bad(url, "after the ']' of a host comes ':port' or nothing");
		errno = 0;
		v = strtol(colon + 1, &e, 10);
		if (colon[1] < '0' || colon[1] > '9' || e != end || errno || v < 1 || v > 65535)
			return bad(url, "port '%.*s': want 1 to 65535", (int)(end - colon - 1),
				   colon + 1);
		u->port = (int)v;
	}
	return 0;
}

int mqtt_urls_parse(const char *const *urls, size_t n, struct mqtt_url *u)
{
	char a[600], b[600];
	size_t i;

	for (i = 0; i < n; i++) {
		if (mqtt_url_parse(urls[i], &u[i]))
			return -EINVAL;
		if (i && u[i].tls != u[0].tls) {
			/* One mosquitto_tls_set() serves every node. */
			shown(urls[i], a, sizeof(a));
			shown(urls[0], b, sizeof(b));
			fprintf(stderr, "kcoapd: mqtt-url '%s' is %s but '%s' is %s: the broker's nodes take one scheme, mqtt:// or mqtts://\n",
				a, u[i].tls ? "TLS" : "not TLS", b, u[0].tls ? "TLS" : "not TLS");
			return -EINVAL;
		}
	}
	return 0;
}
