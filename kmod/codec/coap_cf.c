// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Content-Format numbers and media types (RFC 7252 §12.3 and the IANA
 * "CoAP Content-Formats" registry: RFC 6690, 6902, 7396, 8392, 8428, 8710,
 * 8742, 8790, 8949, 9052, 9200, and 21-23 for GIF, JPEG and PNG). Every
 * entry below was checked against the registry; the registry writes
 * "; " before parameters, which coap_cf_from_name() accepts.
 */
#include "coap.h"

struct coap_cf_name {
	u16 cf;
	const char *name;
};

/* Ascending by number; the first entry for a number is its canonical name. */
static const struct coap_cf_name coap_cf_names[] = {
	{ 0, "text/plain;charset=utf-8" },
	{ 16, "application/cose;cose-type=\"cose-encrypt0\"" },
	{ 17, "application/cose;cose-type=\"cose-mac0\"" },
	{ 18, "application/cose;cose-type=\"cose-sign1\"" },
	{ 19, "application/ace+cbor" },
	{ 21, "image/gif" },
	{ 22, "image/jpeg" },
	{ 23, "image/png" },
	{ 40, "application/link-format" },
	{ 41, "application/xml" },
	{ 42, "application/octet-stream" },
	{ 47, "application/exi" },
	{ 50, "application/json" },
	{ 51, "application/json-patch+json" },
	{ 52, "application/merge-patch+json" },
	{ 60, "application/cbor" },
	{ 61, "application/cwt" },
	{ 62, "application/multipart-core" },
	{ 63, "application/cbor-seq" },
	{ 96, "application/cose;cose-type=\"cose-encrypt\"" },
	{ 97, "application/cose;cose-type=\"cose-mac\"" },
	{ 98, "application/cose;cose-type=\"cose-sign\"" },
	{ 101, "application/cose-key" },
	{ 102, "application/cose-key-set" },
	{ 110, "application/senml+json" },
	{ 111, "application/sensml+json" },
	{ 112, "application/senml+cbor" },
	{ 113, "application/sensml+cbor" },
	{ 114, "application/senml-exi" },
	{ 115, "application/sensml-exi" },
	{ 310, "application/senml+xml" },
	{ 311, "application/sensml+xml" },
	{ 320, "application/senml-etch+json" },
	{ 322, "application/senml-etch+cbor" },
};

/* Names accepted on input only. UTF-8 is the only charset for 0 (§12.3). */
static const struct coap_cf_name coap_cf_aliases[] = {
	{ 0, "text/plain" },
};

const char *coap_cf_name(u16 cf)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(coap_cf_names); i++) {
		if (coap_cf_names[i].cf == cf)
			return coap_cf_names[i].name;
		if (coap_cf_names[i].cf > cf)
			break;
	}
	return NULL;
}

static char coap_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool coap_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Media types compare case-insensitively, and whitespace around the ';'
 * before a parameter is insignificant (RFC 6838 §4.2, RFC 9110 §8.3.1).
 */
static bool coap_cf_name_eq(const char *canon, const char *s, size_t len)
{
	size_t i = 0, j = 0;

	while (i < len) {
		if (coap_is_space(s[i]) &&
		    (canon[j] == ';' || (j && canon[j - 1] == ';'))) {
			i++;
			continue;
		}
		if (!canon[j] || coap_lower(s[i]) != canon[j])
			return false;
		i++;
		j++;
	}
	return !canon[j];
}

int coap_cf_from_name(const char *name, size_t len)
{
	unsigned int i;

	while (len && coap_is_space(name[len - 1]))
		len--;
	while (len && coap_is_space(*name)) {
		name++;
		len--;
	}
	for (i = 0; i < ARRAY_SIZE(coap_cf_names); i++)
		if (coap_cf_name_eq(coap_cf_names[i].name, name, len))
			return coap_cf_names[i].cf;
	for (i = 0; i < ARRAY_SIZE(coap_cf_aliases); i++)
		if (coap_cf_name_eq(coap_cf_aliases[i].name, name, len))
			return coap_cf_aliases[i].cf;
	return -COAP_ERR_NOENT;
}
