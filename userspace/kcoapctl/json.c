// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A small streaming JSON writer.
 */
#include <string.h>

#include "json.h"
#include "output.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Before any value: the comma that separates it from the previous one. */
static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
}

static void nest_open(struct json *j, char c)
{
	before_value(j);
	fputc(c, j->f);
	/* Deeper than we ever nest: keep writing, commas may go wrong. */
	if (j->depth < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void nest_close(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_object_begin(struct json *j)
{
	nest_open(j, '{');
}

void json_object_end(struct json *j)
{
	nest_close(j, '}');
}

void json_array_begin(struct json *j)
{
	nest_open(j, '[');
}

void json_array_end(struct json *j)
{
	nest_close(j, ']');
}

void json_key(struct json *j, const char *key)
{
	before_value(j);
	json_write_string(j->f, key, strlen(key));
	fputc(':', j->f);
	j->after_key = true;
}

void json_write_string(FILE *f, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		uint8_t c = p[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c == '\b') {
			fputs("\\b", f);
		} else if (c == '\f') {
			fputs("\\f", f);
		} else if (c < 0x20) {
			/* Other control characters must be escaped (RFC 8259 §7). */
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else {
			n = utf8_seq_len(p + i, len - i);
			if (n) {
				fwrite(p + i, 1, n, f);
				i += n;
				continue;
			}
			fputs("\\ufffd", f);
		}
		i++;
	}
	fputc('"', f);
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	before_value(j);
	json_write_string(j->f, s, len);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

void json_uint(struct json *j, unsigned long long v)
{
	before_value(j);
	fprintf(j->f, "%llu", v);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void json_hex(struct json *j, const uint8_t *p, size_t len)
{
	size_t i;

	before_value(j);
	fputc('"', j->f);
	for (i = 0; i < len; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_uint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
}
