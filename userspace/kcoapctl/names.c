// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Names of Content-Formats, methods, events and response codes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <linux/kcoap.h>

#include "coap.h"
#include "args.h"
#include "names.h"

int cf_parse(const char *s, uint16_t *cf)
{
	uint32_t n;
	int v;

	if (isdigit((unsigned char)s[0])) {
		if (parse_u32(s, 0, 65535, &n))
			return -EINVAL;
		*cf = (uint16_t)n;
		return 0;
	}
	v = coap_cf_from_name(s, strlen(s));
	if (v < 0)
		return -EINVAL;
	*cf = (uint16_t)v;
	return 0;
}

const char *cf_name(uint16_t cf)
{
	return coap_cf_name(cf);
}

const char *cf_label(uint16_t cf, char *buf, size_t size)
{
	const char *name = coap_cf_name(cf);

	/* UTF-8 is the only charset of text/plain in CoAP (RFC 7252 §12.3). */
	if (cf == COAP_CF_TEXT_PLAIN)
		return "text/plain";
	if (name)
		return name;
	snprintf(buf, size, "%u", cf);
	return buf;
}

/* Method names by bit (KCOAP_METHOD_GET is bit 1: method code 0.01). */
static const char *const method_names[] = {
	[1] = "get", [2] = "post", [3] = "put", [4] = "delete",
	[5] = "fetch", [6] = "patch", [7] = "ipatch",
};

const char *method_name(unsigned int bit)
{
	if (bit >= sizeof(method_names) / sizeof(method_names[0]))
		return NULL;
	return method_names[bit];
}

static int method_bit(const char *s, size_t len)
{
	unsigned int bit;

	for (bit = 0; bit < sizeof(method_names) / sizeof(method_names[0]); bit++)
		if (method_names[bit] && strlen(method_names[bit]) == len &&
		    !strncasecmp(method_names[bit], s, len))
			return (int)bit;
	return -1;
}

int methods_parse(const char *s, uint32_t *methods, char *bad, size_t bad_size)
{
	uint32_t m = 0;

	if (!strcasecmp(s, "none")) {
		*methods = 0;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(s, ",");
		int bit = method_bit(s, len);

		if (bit < 0) {
			snprintf(bad, bad_size, "%.*s", (int)len, s);
			return -EINVAL;
		}
		m |= 1u << bit;
		if (!s[len])
			break;
		s += len + 1;
	}
	*methods = m;
	return 0;
}

void methods_format(uint32_t methods, char *buf, size_t size)
{
	size_t used = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		char unknown[16];
		const char *name;
		int n;

		if (!(methods & (1u << bit)))
			continue;
		name = method_name(bit);
		if (!name) {
			snprintf(unknown, sizeof(unknown), "bit%u", bit);
			name = unknown;
		}
		n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", name);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += n;
	}
	if (!used)
		snprintf(buf, size, "none");
}

const char *event_name(uint32_t event)
{
	static const char *const names[] = {
		[KCOAP_EVENT_ADDED] = "added",
		[KCOAP_EVENT_CHANGED] = "changed",
		[KCOAP_EVENT_DELETED] = "deleted",
		[KCOAP_EVENT_ATTACHED] = "attached",
		[KCOAP_EVENT_DETACHED] = "detached",
	};

	return event < sizeof(names) / sizeof(names[0]) ? names[event] : NULL;
}

const char *code_format(uint8_t code, char *buf, size_t size)
{
	/* Class in the top 3 bits, detail in the low 5 (RFC 7252 §3). */
	snprintf(buf, size, "%u.%02u", code >> 5, code & 0x1f);
	return buf;
}
