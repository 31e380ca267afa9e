/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Human-readable output: tables, text and hex, addresses.
 */
#ifndef KCOAPCTL_OUTPUT_H
#define KCOAPCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Rows of cells printed with each column as wide as its widest cell. */
struct table {
	unsigned int ncols;
	const char *const *head;
	char **cells;		/* rows * ncols, owned */
	size_t rows, cap;
};

void table_init(struct table *t, unsigned int ncols, const char *const *head);
/* Add a row of t->ncols strings (copied). 0 or -ENOMEM. */
int table_row(struct table *t, ...);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Length of the valid UTF-8 sequence at @p (at most @len bytes), or 0. */
size_t utf8_seq_len(const uint8_t *p, size_t len);

/*
 * Network-supplied text for a terminal: control bytes, DEL and '\\' as
 * \xNN. text_escape() allocates (NULL: no memory); esc() writes into @buf,
 * or returns a placeholder if it does not fit. Table cells are escaped.
 */
char *text_escape(const char *s);
const char *esc(const char *s, char *buf, size_t size);

/* Valid UTF-8 without control characters other than tab and newlines. */
bool text_printable(const uint8_t *p, size_t len);

/* Lowercase hex of @len bytes into @out (2 * @len + 1 bytes). */
void hex_format(char *out, const uint8_t *p, size_t len);

/* An IPv4 or IPv6 address of 4 or 16 bytes, else hex. */
const char *addr_format(const uint8_t *addr, size_t len, char *buf,
			size_t size);

#endif /* KCOAPCTL_OUTPUT_H */
