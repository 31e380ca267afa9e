// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Human-readable output helpers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void table_init(struct table *t, unsigned int ncols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->head = head;
}

/*
 * @s with control bytes, DEL and backslashes as \xNN: names and paths come
 * from the network and must not drive the operator's terminal.
 */
static size_t escape_into(const char *s, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\') {
			if (out) {
				out[n] = '\\';
				out[n + 1] = 'x';
				out[n + 2] = hexd[c >> 4];
				out[n + 3] = hexd[c & 15];
			}
			n += 4;
		} else {
			if (out)
				out[n] = (char)c;
			n++;
		}
	}
	if (out)
		out[n] = 0;
	return n;
}

char *text_escape(const char *s)
{
	char *out = malloc(escape_into(s, NULL) + 1);

	if (out)
		escape_into(s, out);
	return out;
}

const char *esc(const char *s, char *buf, size_t size)
{
	size_t n;

	if (!s)
		return "?";
	n = escape_into(s, NULL);
	if (n < size) {
		escape_into(s, buf);
		return buf;
	}
	return "(too long to show)";
}

int table_row(struct table *t, ...)
{
	unsigned int c;
	va_list ap;

	if (t->rows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, t);
	for (c = 0; c < t->ncols; c++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->rows * t->ncols + c] = text_escape(s ? s : "-");
	}
	va_end(ap);
	for (c = 0; c < t->ncols; c++)
		if (!t->cells[t->rows * t->ncols + c])
			break;
	t->rows++;
	return c == t->ncols ? 0 : -ENOMEM;
}

/* Display width of a cell: UTF-8 sequences count as one column each. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_cell(FILE *f, const char *s, size_t w, bool last)
{
	fputs(s, f);
	if (last)
		return;
	for (w -= width(s); w; w--)
		fputc(' ', f);
	fputs("  ", f);
}

void table_print(const struct table *t, FILE *f)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	unsigned int c;
	size_t r;

	if (!w)
		return;
	for (c = 0; c < t->ncols; c++) {
		w[c] = width(t->head[c]);
		for (r = 0; r < t->rows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t cw = s ? width(s) : 0;

			if (cw > w[c])
				w[c] = cw;
		}
	}
	for (c = 0; c < t->ncols; c++)
		print_cell(f, t->head[c], w[c], c + 1 == t->ncols);
	fputc('\n', f);
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			print_cell(f, s ? s : "?", w[c], c + 1 == t->ncols);
		}
		fputc('\n', f);
	}
	free(w);
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

size_t utf8_seq_len(const uint8_t *p, size_t len)
{
	uint32_t cp, min;
	size_t n, i;

	if (!len)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2, cp = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are invalid. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool text_printable(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);

		if (!n)
			return false;
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f) &&
		    p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
		i += n;
	}
	return true;
}

void hex_format(char *out, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

const char *addr_format(const uint8_t *addr, size_t len, char *buf,
			size_t size)
{
	if ((len == 4 && inet_ntop(AF_INET, addr, buf, size)) ||
	    (len == 16 && inet_ntop(AF_INET6, addr, buf, size)))
		return buf;
	if (size >= 2 * len + 1)
		hex_format(buf, addr, len);
	else
		snprintf(buf, size, "?");
	return buf;
}
