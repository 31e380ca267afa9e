/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * A small streaming JSON writer (RFC 8259). It places the commas and
 * colons itself, so callers only say what comes next. Strings are escaped;
 * bytes that are not valid UTF-8 become U+FFFD, so the output is always
 * valid JSON. Output is compact, on one line.
 */
#ifndef KCOAPCTL_JSON_H
#define KCOAPCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	unsigned int depth;
	bool need_comma[JSON_MAX_DEPTH + 1];
	bool after_key;
};

void json_init(struct json *j, FILE *f);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* The key of the next member of the current object. */
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, unsigned long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Bytes as a string of lowercase hex digits. */
void json_hex(struct json *j, const uint8_t *p, size_t len);

/* Members: key and value in one call. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_uint(struct json *j, const char *key, unsigned long long v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* End a document: a newline. */
void json_end(struct json *j);

/* Write @s (@len bytes) as a JSON string literal, quotes included. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif /* KCOAPCTL_JSON_H */
