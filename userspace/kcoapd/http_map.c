// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The HTTP <-> CoAP mapping of the proxy (http.c), as RFC 8075 has it:
 * the default mapping of a target URI (§5.3: /hc/ followed by the CoAP
 * URI), methods (§6.1), media types and Content-Formats (§6.2), response
 * codes (§7, Table 2) and ETag and Max-Age (§6.5, §7.1). Pure functions,
 * tested on the host (tests/kcoapd_test.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcoapd.h"

int http_method_to_coap(const char *method)
{
	static const struct { const char *name; int code; } m[] = {
		{ "GET", COAP_CODE_GET }, { "POST", COAP_CODE_POST },
		{ "PUT", COAP_CODE_PUT }, { "DELETE", COAP_CODE_DELETE },
		/* RFC 8132 §2: PATCH and FETCH for CoAP; HTTP has PATCH. */
		{ "PATCH", COAP_CODE_PATCH },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(method, m[i].name))
			return m[i].code;
	return -1;
}

unsigned int http_status_of(uint8_t code, bool has_payload, bool conditional)
{
	switch (code) {
	case COAP_CODE_CREATED:
		return 201;
	case COAP_CODE_DELETED:
	case COAP_CODE_CHANGED:
		/* 200 with a representation, 204 without one. */
		return has_payload ? 200 : 204;
	case COAP_CODE_VALID:
		/* 304 answers a conditional GET; else the representation. */
		return conditional ? 304 : 200;
	case COAP_CODE_CONTENT:
		return 200;
	case COAP_CODE_BAD_REQUEST:
	case COAP_CODE_BAD_OPTION:		/* the options came from the client */
	case COAP_CODE_REQUEST_INCOMPLETE:
	/* An HTTP 405 must carry Allow; a CoAP 4.05 does not say what is. */
	case COAP_CODE_METHOD_NOT_ALLOWED:
		return 400;
	/* An HTTP 401 must carry WWW-Authenticate, which CoAP has not. */
	case COAP_CODE_UNAUTHORIZED:
	case COAP_CODE_FORBIDDEN:
		return 403;
	case COAP_CODE_NOT_FOUND:
		return 404;
	case COAP_CODE_NOT_ACCEPTABLE:
		return 406;
	case COAP_CODE_CONFLICT:		/* RFC 8132 */
		return 409;
	case COAP_CODE_PRECONDITION_FAILED:
		return 412;
	case COAP_CODE_REQUEST_TOO_LARGE:
		return 413;
	case COAP_CODE_UNSUPPORTED_FORMAT:
		return 415;
	case COAP_CODE_UNPROCESSABLE:		/* RFC 8132 */
		return 422;
	case COAP_CODE_TOO_MANY_REQUESTS:	/* RFC 8516 */
		return 429;
	case COAP_CODE_INTERNAL_ERROR:
		return 500;
	case COAP_CODE_NOT_IMPLEMENTED:
		return 501;
	case COAP_CODE_BAD_GATEWAY:
	case COAP_CODE_PROXYING_NOT_SUPPORTED:
		return 502;
	case COAP_CODE_SERVICE_UNAVAILABLE:
		return 503;
	case COAP_CODE_GATEWAY_TIMEOUT:
		return 504;
	case COAP_CODE_HOP_LIMIT_REACHED:	/* RFC 8768 §3 */
		return 508;
	}
	/* Codes no table names: by their class. */
	switch (COAP_CODE_CLASS(code)) {
	case 2:
		return 200;
	case 4:
		return 400;
	default:
		return 502;
	}
}

const char *http_content_type_of(uint32_t cf)
{
	const char *name;

	if (cf == UINT32_MAX)
		return NULL;
	name = cf <= 0xffff ? coap_cf_name((uint16_t)cf) : NULL;
	/* A Content-Format the proxy cannot name: opaque bytes (§6.2). */
	return name ? name : "application/octet-stream";
}

long http_cf_of(const char *type)
{
	const char *semi;
	int cf;

	if (!type)
		return -1;
	while (*type == ' ')
		type++;
	cf = coap_cf_from_name(type, strlen(type));
	if (cf >= 0)
		return cf;
	/* "application/json; charset=utf-8": the type alone, but never a
	 * text/plain in a charset CoAP's 0 (UTF-8) is not.
	 */
	semi = strchr(type, ';');
	if (!semi || !strncasecmp(type, "text/", 5))
		return -2;
	while (semi > type && semi[-1] == ' ')
		semi--;
	cf = coap_cf_from_name(type, (size_t)(semi - type));
	return cf >= 0 ? cf : -2;
}

size_t http_etag_format(const uint8_t *etag, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	if (cap < 2 * n + 3)
		return 0;
	out[o++] = '"';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, cap - o, "%02x", etag[i]);
	out[o++] = '"';
	out[o] = 0;
	return o;
}

int http_etag_parse(const char **s, uint8_t *etag)
{
	const char *p = *s;
	int n = 0;

	while (*p == ' ' || *p == ',')
		p++;
	if (!strncmp(p, "W/", 2))
		p += 2;		/* a weak validator compares as its opaque part */
	if (*p != '"')
		return -1;
	for (p++; *p != '"'; p += 2) {
		unsigned int b;

		if (n == COAP_MAX_TOKEN || !isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) || sscanf(p, "%2x", &b) != 1)
			return -1;
		etag[n++] = (uint8_t)b;
	}
	*s = p + 1;
	return n ? n : -1;
}

int http_target_parse(const char *url, struct http_target *t)
{
	const char *p, *host, *end;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!strncmp(url, "/coap/", 6) || !strcmp(url, "/coap")) {
		/* The short form: the gateway's own resources. */
		t->local = true;
		p = url + 5;
	} else if (!strncmp(url, "/hc/coap://", 11)) {
		host = url + 11;
		end = host + strcspn(host, "/");
		if (*host == '[') {
			const char *rb = memchr(host, ']', (size_t)(end - host));

			if (!rb)
				return -1;
			n = (size_t)(rb - host - 1);
			if (n >= sizeof(t->host))
				return -1;
			memcpy(t->host, host + 1, n);
			p = rb + 1;
		} else {
			n = strcspn(host, ":/");
			if (!n || n >= sizeof(t->host))
				return -1;
			memcpy(t->host, host, n);
			p = host + n;
		}
		if (*p == ':') {
			char *e;
			unsigned long port = strtoul(p + 1, &e, 10);

			if (e == p + 1 || e != end || !port || port > 65535)
				return -1;
			t->port = (uint16_t)port;
		} else if (p != end) {
			return -1;
		}
		p = end;
		t->local = !strcasecmp(t->host, "localhost") || !strcmp(t->host, "127.0.0.1") ||
			   !strcmp(t->host, "::1");
	} else {
		return -1;
	}
	if (strlen(p) >= sizeof(t->path))
		return -1;
	strcpy(t->path, *p ? p : "/");
	return 0;
}
