// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * CoAP message serialization (RFC 7252 §3, §3.1, §4, §5.2).
 */
#include "coap.h"

/*
 * Append @n bytes, or only count them once the output no longer fits:
 * nothing is ever written past cap, and the final length still tells the
 * caller how much room the message needs.
 */
static void coap_put(struct coap_builder *b, const void *p, size_t n)
{
	if (!n)
		return;
	if (b->buf && n <= b->cap && b->len <= b->cap - n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static int coap_fail(struct coap_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

void coap_build_init(struct coap_builder *b, u8 *buf, size_t cap, u8 type,
		     u8 code, u16 mid, const u8 *token, u8 tkl)
{
	u8 hdr[COAP_HDR_LEN];

	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->len = 0;
	b->last_opt = 0;
	b->empty = code == COAP_CODE_EMPTY;
	b->has_payload = false;
	b->err = 0;

	/* An Empty message is the bare 4-byte header (§4.1). */
	if (type > COAP_TYPE_RST || tkl > COAP_MAX_TOKEN ||
	    (b->empty && tkl)) {
		coap_fail(b, -COAP_ERR_INVAL);
		return;
	}
	hdr[0] = (COAP_VERSION << 6) | (type << 4) | tkl;
	hdr[1] = code;
	coap_put_be16(hdr + 2, mid);
	coap_put(b, hdr, sizeof(hdr));
	coap_put(b, token, tkl);
}

void coap_build_reply(struct coap_builder *b, u8 *buf, size_t cap,
		      const struct coap_msg *req, u8 code, u16 mid)
{
	u8 type = COAP_TYPE_NON;

	if (req->type == COAP_TYPE_CON) {
		type = COAP_TYPE_ACK;
		mid = req->mid;
	}
	coap_build_init(b, buf, cap, type, code, mid, coap_token(req),
			req->tkl);
}

/* Nibble and extension bytes for a delta or a length (§3.1). */
static unsigned int coap_ext_encode(u32 v, u8 *nib, u8 *ext)
{
	if (v < 13) {
		*nib = (u8)v;
		return 0;
	}
	if (v < 269) {
		*nib = 13;
		ext[0] = (u8)(v - 13);
		return 1;
	}
	*nib = 14;
	coap_put_be16(ext, (u16)(v - 269));
	return 2;
}

int coap_build_opt(struct coap_builder *b, u16 num, const void *val,
		   size_t len)
{
	u8 hdr[5], dn, ln;
	unsigned int n = 1;

	if (b->err)
		return b->err;
	if (b->empty || len > 0xffff)
		return coap_fail(b, -COAP_ERR_INVAL);
	/* Delta encoding only goes upwards (§3.1). */
	if (b->has_payload || num < b->last_opt)
		return coap_fail(b, -COAP_ERR_ORDER);

	n += coap_ext_encode(num - b->last_opt, &dn, hdr + n);
	n += coap_ext_encode((u32)len, &ln, hdr + n);
	hdr[0] = (dn << 4) | ln;
	coap_put(b, hdr, n);
	coap_put(b, val, len);
	b->last_opt = num;
	return 0;
}

int coap_build_opt_str(struct coap_builder *b, u16 num, const char *s)
{
	return coap_build_opt(b, num, s, strlen(s));
}

int coap_build_opt_uint(struct coap_builder *b, u16 num, u32 val)
{
	u8 v[4];
	unsigned int n = 0;

	/* Fewest bytes, no leading zeros; 0 is the empty value (§3.2). */
	if (val >> 24)
		v[n++] = (u8)(val >> 24);
	if (val >> 16)
		v[n++] = (u8)(val >> 16);
	if (val >> 8)
		v[n++] = (u8)(val >> 8);
	if (val)
		v[n++] = (u8)val;
	return coap_build_opt(b, num, v, n);
}

static int coap_payload_start(struct coap_builder *b)
{
	static const u8 marker = COAP_PAYLOAD_MARKER;

	if (b->err)
		return b->err;
	if (b->empty)
		return coap_fail(b, -COAP_ERR_INVAL);
	if (b->has_payload)
		return coap_fail(b, -COAP_ERR_ORDER);
	b->has_payload = true;
	coap_put(b, &marker, 1);
	return 0;
}

int coap_build_payload(struct coap_builder *b, const void *data, size_t len)
{
	int err;

	/* A marker before an empty payload is a format error (§3). */
	if (!len)
		return b->err;
	err = coap_payload_start(b);
	if (err)
		return err;
	coap_put(b, data, len);
	return 0;
}

u8 *coap_build_payload_reserve(struct coap_builder *b, size_t len)
{
	size_t at;

	if (!len) {
		coap_fail(b, -COAP_ERR_INVAL);
		return NULL;
	}
	if (coap_payload_start(b))
		return NULL;
	at = b->len;
	b->len += len;
	if (!b->buf || b->len > b->cap)
		return NULL;
	return b->buf + at;
}

int coap_build_end(const struct coap_builder *b)
{
	if (b->err)
		return b->err;
	if (b->buf && b->len > b->cap)
		return -COAP_ERR_NOSPACE;
	if (b->len > COAP_MAX_MSG_LEN)
		return -COAP_ERR_INVAL;
	return (int)b->len;
}

int coap_build_empty(u8 *buf, size_t cap, u8 type, u16 mid)
{
	struct coap_builder b;

	coap_build_init(&b, buf, cap, type, COAP_CODE_EMPTY, mid, NULL, 0);
	return coap_build_end(&b);
}

int coap_build_msg(u8 *buf, size_t cap, const struct coap_msg *m)
{
	struct coap_builder b;
	unsigned int i;

	coap_build_init(&b, buf, cap, m->type, m->code, m->mid, coap_token(m),
			m->tkl);
	for (i = 0; i < m->nopts; i++)
		coap_build_opt(&b, m->opts[i].num, coap_opt_value(m, &m->opts[i]),
			       m->opts[i].len);
	if (m->payload_len)
		coap_build_payload(&b, m->payload, m->payload_len);
	return coap_build_end(&b);
}
