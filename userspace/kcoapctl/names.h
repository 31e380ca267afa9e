/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Names of the values kcoapctl reads and prints: Content-Formats (through
 * the codec's table), methods, events and response codes.
 */
#ifndef KCOAPCTL_NAMES_H
#define KCOAPCTL_NAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * A Content-Format given as a media type ("text/plain", "application/cbor",
 * case-insensitive) or as a number 0-65535. 0 or -EINVAL.
 */
int cf_parse(const char *s, uint16_t *cf);

/* The registered media type of @cf, or NULL. */
const char *cf_name(uint16_t cf);

/*
 * A short label for tables: "text/plain" for 0, the media type otherwise,
 * or the number if it is not registered. @buf holds at least 6 bytes.
 */
const char *cf_label(uint16_t cf, char *buf, size_t size);

/*
 * A comma-separated list of methods ("get,put", case-insensitive, or
 * "none") as KCOAP_METHOD_* bits. 0, or -EINVAL with *bad pointing at the
 * unknown name (in a buffer of @bad_size).
 */
int methods_parse(const char *s, uint32_t *methods, char *bad, size_t bad_size);

/* "get,put", "none"; the name of method bit @bit or NULL. */
void methods_format(uint32_t methods, char *buf, size_t size);
const char *method_name(unsigned int bit);

/* "added", "changed", ... or NULL for an unknown event. */
const char *event_name(uint32_t event);

/* A response code as "2.05". @buf holds at least 8 bytes. */
const char *code_format(uint8_t code, char *buf, size_t size);

#endif /* KCOAPCTL_NAMES_H */
