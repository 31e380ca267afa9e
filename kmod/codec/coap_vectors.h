/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Test vectors shared by the host tests (tests/unit/codec_test.c) and the
 * KUnit suite (coap_kunit.c), so both sides check the same cases.
 *
 * Bytes are written in a small notation decoded by coap_vec_decode():
 * pairs of hex digits, with whitespace ignored, and 'quoted text' standing
 * for its ASCII bytes. Message bytes were derived by hand from the figures
 * of RFC 7252 Appendix A / B and RFC 7959 §3; the expected fields come from
 * the figures, not from the codec.
 */
#ifndef _KCOAP_COAP_VECTORS_H
#define _KCOAP_COAP_VECTORS_H

#include "coap.h"

/* Big enough for every vector here. */
#define COAP_VEC_BUF		512
#define COAP_VEC_MAX_OPTS	8

/* Decode the notation into @out; returns the length or -1 if malformed. */
static inline int coap_vec_decode(const char *s, u8 *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; s && *s; s++) {
		int d;

		if (*s == ' ' || *s == '\n' || *s == '\t')
			continue;
		if (*s == '\'') {
			if (hi >= 0)
				return -1;
			for (s++; *s && *s != '\''; s++) {
				if (n == cap)
					return -1;
				out[n++] = (u8)*s;
			}
			if (!*s)
				return -1;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (u8)(hi << 4 | d);
		hi = -1;
	}
	return hi >= 0 ? -1 : (int)n;
}

/* Payload fillers for the block examples ("[128 bytes]" in RFC 7959). */
#define COAP_VEC_P64 \
	"'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'"
#define COAP_VEC_P128 \
	"'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'" \
	"'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'"
#define COAP_VEC_P32	"'0123456789abcdef0123456789abcdef'"
#define COAP_VEC_P53 \
	"'0123456789abcdef0123456789abcdef0123456789abcdef01234'"
#define COAP_VEC_P17	"'0123456789abcdef0'"
#define COAP_VEC_UTF8	"e38193 e38293 e381ab e381a1 e381af"

struct coap_vec_opt {
	u16 num;
	const char *val;	/* notation; NULL ends the list */
};

struct coap_parse_vec {
	const char *name;
	const char *bytes;
	int err;		/* expected coap_parse() result */
	u16 err_opt;		/* expected err_opt for option errors */
	u8 type;
	u8 code;
	u16 mid;		/* checked unless the error class is DROP */
	const char *token;
	u8 nignored;
	u8 nopts;		/* expected count when opts[] is not listed */
	struct coap_vec_opt opts[COAP_VEC_MAX_OPTS];
	const char *payload;	/* NULL: none */
};

#define COAP_VEC_TEMP	"bb 'temperature'"
#define COAP_VEC_223	"ff '22.3 C'"

/* 32 Uri-Path "a" options, then the 33rd. */
#define COAP_VEC_32A \
	"b1 61 01 61 01 61 01 61 01 61 01 61 01 61 01 61" \
	"01 61 01 61 01 61 01 61 01 61 01 61 01 61 01 61" \
	"01 61 01 61 01 61 01 61 01 61 01 61 01 61 01 61" \
	"01 61 01 61 01 61 01 61 01 61 01 61 01 61 01 61"
#define COAP_VEC_33A	COAP_VEC_32A "01 61"

static const struct coap_parse_vec coap_parse_vecs[] = {
	/* RFC 7252 Appendix A, Figure 16: 16 and 11 bytes. */
	{ .name = "rfc7252 fig16 CON GET",
	  .bytes = "40 01 7d 34" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d34,
	  .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig16 ACK 2.05",
	  .bytes = "60 45 7d 34" COAP_VEC_223,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x7d34,
	  .payload = "'22.3 C'" },
	/* Figure 17: token 0x20, 17 and 12 bytes. */
	{ .name = "rfc7252 fig17 CON GET token",
	  .bytes = "41 01 7d 35 20" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d35,
	  .token = "20", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig17 ACK 2.05 token",
	  .bytes = "61 45 7d 35 20" COAP_VEC_223,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x7d35,
	  .token = "20", .payload = "'22.3 C'" },
	/* Figure 18: retransmitted request. */
	{ .name = "rfc7252 fig18 CON GET",
	  .bytes = "41 01 7d 36 31" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d36,
	  .token = "31", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig18 ACK 2.05",
	  .bytes = "61 45 7d 36 31" COAP_VEC_223,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x7d36,
	  .token = "31", .payload = "'22.3 C'" },
	/* Figure 19: retransmitted response. */
	{ .name = "rfc7252 fig19 CON GET",
	  .bytes = "41 01 7d 37 42" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d37,
	  .token = "42", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig19 ACK 2.05",
	  .bytes = "61 45 7d 37 42" COAP_VEC_223,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x7d37,
	  .token = "42", .payload = "'22.3 C'" },
	/* Figure 20: separate response. */
	{ .name = "rfc7252 fig20 CON GET",
	  .bytes = "41 01 7d 38 53" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d38,
	  .token = "53", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig20 empty ACK",
	  .bytes = "60 00 7d 38",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_EMPTY, .mid = 0x7d38 },
	{ .name = "rfc7252 fig20 CON 2.05",
	  .bytes = "41 45 ad 7b 53" COAP_VEC_223,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_CONTENT, .mid = 0xad7b,
	  .token = "53", .payload = "'22.3 C'" },
	{ .name = "rfc7252 fig20 empty ACK of response",
	  .bytes = "60 00 ad 7b",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_EMPTY, .mid = 0xad7b },
	/* Figure 21: unexpected separate response, rejected with RST. */
	{ .name = "rfc7252 fig21 CON GET",
	  .bytes = "41 01 7d 39 64" COAP_VEC_TEMP,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x7d39,
	  .token = "64", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig21 empty ACK",
	  .bytes = "60 00 7d 39",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_EMPTY, .mid = 0x7d39 },
	{ .name = "rfc7252 fig21 CON 2.05",
	  .bytes = "41 45 ad 7c 64" COAP_VEC_223,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_CONTENT, .mid = 0xad7c,
	  .token = "64", .payload = "'22.3 C'" },
	{ .name = "rfc7252 fig21 RST",
	  .bytes = "70 00 ad 7c",
	  .type = COAP_TYPE_RST, .code = COAP_CODE_EMPTY, .mid = 0xad7c },
	/* Figure 22: NON request, NON response. */
	{ .name = "rfc7252 fig22 NON GET",
	  .bytes = "51 01 7d 40 75" COAP_VEC_TEMP,
	  .type = COAP_TYPE_NON, .code = COAP_CODE_GET, .mid = 0x7d40,
	  .token = "75", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig22 NON 2.05",
	  .bytes = "51 45 ad 7d 75" COAP_VEC_223,
	  .type = COAP_TYPE_NON, .code = COAP_CODE_CONTENT, .mid = 0xad7d,
	  .token = "75", .payload = "'22.3 C'" },
	/* Figure 23: multicast NON request, three NON responses. */
	{ .name = "rfc7252 fig23 NON GET multicast",
	  .bytes = "51 01 7d 41 86" COAP_VEC_TEMP,
	  .type = COAP_TYPE_NON, .code = COAP_CODE_GET, .mid = 0x7d41,
	  .token = "86", .opts = { { 11, "'temperature'" } } },
	{ .name = "rfc7252 fig23 NON 2.05 from A",
	  .bytes = "51 45 60 b1 86" COAP_VEC_223,
	  .type = COAP_TYPE_NON, .code = COAP_CODE_CONTENT, .mid = 0x60b1,
	  .token = "86", .payload = "'22.3 C'" },
	{ .name = "rfc7252 fig23 NON 2.05 from B",
	  .bytes = "51 45 01 a0 86 ff '20.9 C'",
	  .type = COAP_TYPE_NON, .code = COAP_CODE_CONTENT, .mid = 0x01a0,
	  .token = "86", .payload = "'20.9 C'" },
	{ .name = "rfc7252 fig23 NON 4.04 from C",
	  .bytes = "51 84 95 2a 86",
	  .type = COAP_TYPE_NON, .code = COAP_CODE_NOT_FOUND, .mid = 0x952a,
	  .token = "86" },

	/* RFC 7252 Appendix B option sets, as GET requests. */
	{ .name = "rfc7252 appB well-known core",
	  .bytes = "40 01 00 01 3b 'example.net' 8b '.well-known' 04 'core'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x0001,
	  .opts = { { 3, "'example.net'" }, { 11, "'.well-known'" },
		    { 11, "'core'" } } },
	{ .name = "rfc7252 appB IDN host and UTF-8 path",
	  .bytes = "40 01 00 02 3d 04 'xn--18j4d.example' 8d 02" COAP_VEC_UTF8,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x0002,
	  .opts = { { 3, "'xn--18j4d.example'" },
		    { 11, COAP_VEC_UTF8 } } },
	{ .name = "rfc7252 appB empty segments and queries",
	  .bytes = "40 01 00 03 b0 01 '/' 00 00 42 '//' 02 '?&'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x0003,
	  .opts = { { 11, "" }, { 11, "'/'" }, { 11, "" }, { 11, "" },
		    { 15, "'//'" }, { 15, "'?&'" } } },

	/* RFC 7959 §3.1, Figure 2: simple block-wise GET (MID 1234 = 04d2). */
	{ .name = "rfc7959 fig2 GET /status",
	  .bytes = "40 01 04 d2 b6 'status'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 1234,
	  .opts = { { 11, "'status'" } } },
	{ .name = "rfc7959 fig2 ACK 2:0/1/128",
	  .bytes = "60 45 04 d2 d1 0a 0b ff" COAP_VEC_P128,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 1234,
	  .opts = { { 23, "0b" } }, .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig2 GET 2:1/0/128",
	  .bytes = "40 01 04 d3 b6 'status' c1 13",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 1235,
	  .opts = { { 11, "'status'" }, { 23, "13" } } },
	{ .name = "rfc7959 fig2 ACK 2:1/1/128",
	  .bytes = "60 45 04 d3 d1 0a 1b ff" COAP_VEC_P128,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 1235,
	  .opts = { { 23, "1b" } }, .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig2 ACK 2:2/0/128 last",
	  .bytes = "60 45 04 d4 d1 0a 23 ff" COAP_VEC_P17,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 1236,
	  .opts = { { 23, "23" } }, .payload = COAP_VEC_P17 },
	/* Figure 3: early negotiation of 64-byte blocks. */
	{ .name = "rfc7959 fig3 GET 2:0/0/64",
	  .bytes = "40 01 04 d2 b6 'status' c1 02",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 1234,
	  .opts = { { 11, "'status'" }, { 23, "02" } } },
	{ .name = "rfc7959 fig3 ACK 2:0/1/64",
	  .bytes = "60 45 04 d2 d1 0a 0a ff" COAP_VEC_P64,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 1234,
	  .opts = { { 23, "0a" } }, .payload = COAP_VEC_P64 },
	{ .name = "rfc7959 fig3 ACK 2:5/0/64 last",
	  .bytes = "60 45 04 d7 d1 0a 52 ff" COAP_VEC_P17,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 1239,
	  .opts = { { 23, "52" } }, .payload = COAP_VEC_P17 },
	/* Figure 4: late negotiation, 2:2/0/64 after a 128-byte block. */
	{ .name = "rfc7959 fig4 GET 2:2/0/64",
	  .bytes = "40 01 04 d3 b6 'status' c1 22",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 1235,
	  .opts = { { 11, "'status'" }, { 23, "22" } } },
	/* §3.2, Figure 7: atomic block-wise PUT. */
	{ .name = "rfc7959 fig7 PUT 1:0/1/128",
	  .bytes = "40 03 04 d2 b7 'options' d1 03 0b ff" COAP_VEC_P128,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_PUT, .mid = 1234,
	  .opts = { { 11, "'options'" }, { 27, "0b" } },
	  .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig7 ACK 2.31 1:0/1/128",
	  .bytes = "60 5f 04 d2 d1 0e 0b",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTINUE, .mid = 1234,
	  .opts = { { 27, "0b" } } },
	{ .name = "rfc7959 fig7 PUT 1:2/0/128 last",
	  .bytes = "40 03 04 d4 b7 'options' d1 03 23 ff" COAP_VEC_P17,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_PUT, .mid = 1236,
	  .opts = { { 11, "'options'" }, { 27, "23" } },
	  .payload = COAP_VEC_P17 },
	{ .name = "rfc7959 fig7 ACK 2.04 1:2/0/128",
	  .bytes = "60 44 04 d4 d1 0e 23",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CHANGED, .mid = 1236,
	  .opts = { { 27, "23" } } },
	/* Figure 9: the server asks for 32-byte blocks. */
	{ .name = "rfc7959 fig9 ACK 2.31 1:0/1/32",
	  .bytes = "60 5f 04 d2 d1 0e 09",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTINUE, .mid = 1234,
	  .opts = { { 27, "09" } } },
	{ .name = "rfc7959 fig9 PUT 1:4/1/32",
	  .bytes = "40 03 04 d3 b7 'options' d1 03 49 ff" COAP_VEC_P32,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_PUT, .mid = 1235,
	  .opts = { { 11, "'options'" }, { 27, "49" } },
	  .payload = COAP_VEC_P32 },
	/* §3.3, Figure 11: Block1 and Block2 in one exchange. */
	{ .name = "rfc7959 fig11 POST 1:2/0/128 2:0/0/64",
	  .bytes = "40 02 04 d4 b4 'soap' c1 02 41 23 ff" COAP_VEC_P17,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_POST, .mid = 1236,
	  .opts = { { 11, "'soap'" }, { 23, "02" }, { 27, "23" } },
	  .payload = COAP_VEC_P17 },
	{ .name = "rfc7959 fig11 ACK 2.04 1:2/0/128 2:0/1/64",
	  .bytes = "60 44 04 d4 d1 0a 0a 41 23 ff" COAP_VEC_P64,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CHANGED, .mid = 1236,
	  .opts = { { 23, "0a" }, { 27, "23" } }, .payload = COAP_VEC_P64 },
	/* §3.4, Figure 12: Observe with Block2; headers given in hex. */
	{ .name = "rfc7959 fig12 GET observe",
	  .bytes = "41 01 16 36 fb 60 5b 'status-icon'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1636,
	  .token = "fb", .opts = { { 6, "" }, { 11, "'status-icon'" } } },
	{ .name = "rfc7959 fig12 ACK 2.05 observe 62350",
	  .bytes = "61 45 16 36 fb 44 6f 00 f3 8e 22 f3 8e d1 04 0b ff"
		   COAP_VEC_P128,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1636,
	  .token = "fb",
	  .opts = { { 4, "6f00f38e" }, { 6, "f38e" }, { 23, "0b" } },
	  .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig12 CON 2.05 notification 62354",
	  .bytes = "41 45 af 9c fb 44 6f 00 f3 92 22 f3 92 d1 04 0b ff"
		   COAP_VEC_P128,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_CONTENT, .mid = 0xaf9c,
	  .token = "fb",
	  .opts = { { 4, "6f00f392" }, { 6, "f392" }, { 23, "0b" } },
	  .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig12 empty ACK 0x6000af9c",
	  .bytes = "60 00 af 9c",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_EMPTY, .mid = 0xaf9c },
	{ .name = "rfc7959 fig12 GET 2:1/0/128",
	  .bytes = "41 01 16 37 fc bb 'status-icon' c1 13",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1637,
	  .token = "fc", .opts = { { 11, "'status-icon'" }, { 23, "13" } } },
	{ .name = "rfc7959 fig12 ACK 2.05 2:1/1/128",
	  .bytes = "61 45 16 37 fc 44 6f 00 f3 92 d1 06 1b ff" COAP_VEC_P128,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1637,
	  .token = "fc", .opts = { { 4, "6f00f392" }, { 23, "1b" } },
	  .payload = COAP_VEC_P128 },
	{ .name = "rfc7959 fig12 ACK 2.05 2:2/0/128 53 bytes",
	  .bytes = "61 45 16 38 fc 44 6f 00 f3 92 d1 06 23 ff" COAP_VEC_P53,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1638,
	  .token = "fc", .opts = { { 4, "6f00f392" }, { 23, "23" } },
	  .payload = COAP_VEC_P53 },
	/* Figure 13: early negotiation, Max-Age 60. */
	{ .name = "rfc7959 fig13 GET observe 2:0/0/64",
	  .bytes = "41 01 16 36 fb 60 5b 'status-icon' c1 02",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1636,
	  .token = "fb",
	  .opts = { { 6, "" }, { 11, "'status-icon'" }, { 23, "02" } } },
	{ .name = "rfc7959 fig13 ACK 2.05 max-age 60 2:0/1/64",
	  .bytes = "61 45 16 36 fb 44 6f 00 f3 8e 22 f3 8e 81 3c 91 0a ff"
		   COAP_VEC_P64,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1636,
	  .token = "fb",
	  .opts = { { 4, "6f00f38e" }, { 6, "f38e" }, { 14, "3c" },
		    { 23, "0a" } },
	  .payload = COAP_VEC_P64 },
	{ .name = "rfc7959 fig13 ACK 2.05 2:4/0/64 53 bytes",
	  .bytes = "61 45 16 38 fc 44 6f 00 f3 92 d1 06 42 ff" COAP_VEC_P53,
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1638,
	  .token = "fc", .opts = { { 4, "6f00f392" }, { 23, "42" } },
	  .payload = COAP_VEC_P53 },

	/* Edge cases that parse. */
	{ .name = "8-byte token",
	  .bytes = "48 01 00 01 01 02 03 04 05 06 07 08",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 1,
	  .token = "0102030405060708" },
	{ .name = "CON empty (ping)",
	  .bytes = "40 00 ab cd",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_EMPTY, .mid = 0xabcd },
	{ .name = "0xff inside option value is not a marker",
	  .bytes = "40 02 12 34 b2 ff ff ff 'x'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_POST, .mid = 0x1234,
	  .opts = { { 11, "ffff" } }, .payload = "'x'" },
	{ .name = "extended length 13",
	  .bytes = "40 01 12 34 bd 00 'abcdefghijklm'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .opts = { { 11, "'abcdefghijklm'" } } },
	{ .name = "extended deltas: Echo, No-Response, Request-Tag x2",
	  .bytes = "40 01 12 34 d3 ef 01 02 03 61 02 d1 15 'x' 01 'y'",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .opts = { { 252, "010203" }, { 258, "02" }, { 292, "'x'" },
		    { 292, "'y'" } } },
	{ .name = "2-byte delta to unknown elective 270",
	  .bytes = "40 01 12 34 e0 00 01",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .opts = { { 270, "" } } },
	{ .name = "reserved 132 without Location-* is an unknown elective",
	  .bytes = "60 41 12 34 d0 77",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CREATED, .mid = 0x1234,
	  .opts = { { 132, "" } } },
	{ .name = "unknown elective option kept",
	  .bytes = "40 01 12 34 a1 78",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .opts = { { 10, "78" } } },
	{ .name = "Hop-Limit and uint with leading zero",
	  .bytes = "40 01 12 34 c1 00 41 10",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .opts = { { 12, "00" }, { 16, "10" } } },
	{ .name = "ETag too long (elective) is dropped",
	  .bytes = "40 01 12 34 49 01 02 03 04 05 06 07 08 09",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .nignored = 1 },
	{ .name = "Max-Age 5 bytes (elective) is dropped",
	  .bytes = "60 45 12 34 d5 01 00 00 00 00 3c ff 'x'",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1234,
	  .nignored = 1, .payload = "'x'" },
	{ .name = "empty Hop-Limit (elective) is dropped",
	  .bytes = "40 01 12 34 b1 'a' 50",
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .nignored = 1, .opts = { { 11, "'a'" } } },
	{ .name = "repeated Content-Format (elective) is dropped",
	  .bytes = "60 45 12 34 c1 00 01 32",
	  .type = COAP_TYPE_ACK, .code = COAP_CODE_CONTENT, .mid = 0x1234,
	  .nignored = 1, .opts = { { 12, "00" } } },
	{ .name = "exactly COAP_MAX_OPTS options",
	  .bytes = "40 01 12 34" COAP_VEC_32A,
	  .type = COAP_TYPE_CON, .code = COAP_CODE_GET, .mid = 0x1234,
	  .nopts = COAP_MAX_OPTS },

	/* Silently ignored (§3). */
	{ .name = "empty datagram", .bytes = "", .err = -COAP_ERR_SHORT },
	{ .name = "3-byte datagram", .bytes = "40 01 7d",
	  .err = -COAP_ERR_SHORT },
	{ .name = "version 0", .bytes = "00 01 7d 34",
	  .err = -COAP_ERR_VERSION },
	{ .name = "version 2", .bytes = "80 01 7d 34" COAP_VEC_TEMP,
	  .err = -COAP_ERR_VERSION },
	{ .name = "version 3", .bytes = "c0 00 7d 34",
	  .err = -COAP_ERR_VERSION },

	/* Message format errors (§3, §4.1, §4.2, §4.3). */
	{ .name = "TKL 9", .bytes = "49 01 00 01 01 02 03 04 05 06 07 08 09",
	  .err = -COAP_ERR_TKL, .type = COAP_TYPE_CON, .code = COAP_CODE_GET,
	  .mid = 1 },
	{ .name = "TKL 15", .bytes = "5f 01 00 02",
	  .err = -COAP_ERR_TKL, .type = COAP_TYPE_NON, .code = COAP_CODE_GET,
	  .mid = 2 },
	{ .name = "token past end", .bytes = "48 01 00 03 01 02 03",
	  .err = -COAP_ERR_TRUNCATED, .code = COAP_CODE_GET, .mid = 3 },
	{ .name = "marker without payload", .bytes = "40 01 00 04 ff",
	  .err = -COAP_ERR_NO_PAYLOAD, .code = COAP_CODE_GET, .mid = 4 },
	{ .name = "marker without payload after option",
	  .bytes = "60 45 00 05 c1 00 ff",
	  .err = -COAP_ERR_NO_PAYLOAD, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_CONTENT, .mid = 5 },
	{ .name = "option value past end", .bytes = "40 01 00 06 b5 'ab'",
	  .err = -COAP_ERR_TRUNCATED, .code = COAP_CODE_GET, .mid = 6 },
	{ .name = "1-byte delta extension missing", .bytes = "40 01 00 07 d0",
	  .err = -COAP_ERR_TRUNCATED, .code = COAP_CODE_GET, .mid = 7 },
	{ .name = "2-byte length extension cut short",
	  .bytes = "40 01 00 08 1e 00",
	  .err = -COAP_ERR_TRUNCATED, .code = COAP_CODE_GET, .mid = 8 },
	{ .name = "delta nibble 15", .bytes = "40 01 00 09 f0",
	  .err = -COAP_ERR_OPT_RESERVED, .code = COAP_CODE_GET, .mid = 9 },
	{ .name = "length nibble 15", .bytes = "40 01 00 0a bf 'a'",
	  .err = -COAP_ERR_OPT_RESERVED, .code = COAP_CODE_GET, .mid = 10 },
	{ .name = "option number past 65535",
	  .bytes = "40 01 00 0b e0 ff ff",
	  .err = -COAP_ERR_OPT_NUM, .code = COAP_CODE_GET, .mid = 11 },
	{ .name = "empty message with token", .bytes = "41 00 00 0c aa",
	  .err = -COAP_ERR_EMPTY_MSG, .mid = 12, .token = "aa" },
	{ .name = "empty ACK with trailing byte", .bytes = "60 00 00 0d ff",
	  .err = -COAP_ERR_EMPTY_MSG, .type = COAP_TYPE_ACK, .mid = 13 },
	{ .name = "empty NON", .bytes = "50 00 00 0e",
	  .err = -COAP_ERR_TYPE_CODE, .type = COAP_TYPE_NON, .mid = 14 },
	{ .name = "RST carrying a response", .bytes = "70 45 00 0f",
	  .err = -COAP_ERR_TYPE_CODE, .type = COAP_TYPE_RST,
	  .code = COAP_CODE_CONTENT, .mid = 15 },
	{ .name = "ACK carrying a request", .bytes = "60 01 00 10",
	  .err = -COAP_ERR_TYPE_CODE, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_GET, .mid = 16 },
	{ .name = "reserved class 1.00", .bytes = "40 20 00 11",
	  .err = -COAP_ERR_CODE_CLASS, .code = COAP_CODE(1, 0), .mid = 17 },
	{ .name = "reserved class 6.00", .bytes = "50 c0 00 12",
	  .err = -COAP_ERR_CODE_CLASS, .type = COAP_TYPE_NON,
	  .code = COAP_CODE(6, 0), .mid = 18 },
	{ .name = "reserved class 7.31", .bytes = "60 ff 00 13",
	  .err = -COAP_ERR_CODE_CLASS, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE(7, 31), .mid = 19 },
	/* The token is checked first: tkl then reads 0, never out of bounds. */
	{ .name = "reserved class, token past end", .bytes = "48 20 00 14",
	  .err = -COAP_ERR_TRUNCATED, .code = COAP_CODE(1, 0), .mid = 20 },
	{ .name = "ACK carrying a request, token past end",
	  .bytes = "62 01 00 15 aa",
	  .err = -COAP_ERR_TRUNCATED, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_GET, .mid = 21 },
	{ .name = "empty CON with TKL 1 and no token", .bytes = "41 00 00 16",
	  .err = -COAP_ERR_TRUNCATED, .mid = 22 },
	{ .name = "RST with TKL 9", .bytes = "79 00 00 17",
	  .err = -COAP_ERR_TKL, .type = COAP_TYPE_RST, .mid = 23 },

	/* Bad critical options (§5.4.1, §5.4.3, §5.4.5): answer 4.02. */
	{ .name = "unknown critical option 9",
	  .bytes = "41 01 00 20 aa 91 00",
	  .err = -COAP_ERR_OPT_UNKNOWN, .err_opt = 9, .code = COAP_CODE_GET,
	  .mid = 0x20, .token = "aa" },
	{ .name = "unknown critical option 2049",
	  .bytes = "40 01 00 21 b1 'a' e0 06 e9",
	  .err = -COAP_ERR_OPT_UNKNOWN, .err_opt = 2049,
	  .code = COAP_CODE_GET, .mid = 0x21 },
	{ .name = "empty Uri-Host", .bytes = "40 01 00 22 30",
	  .err = -COAP_ERR_OPT_LEN, .err_opt = 3, .code = COAP_CODE_GET,
	  .mid = 0x22 },
	{ .name = "4-byte Block2", .bytes = "40 01 00 23 d4 0a 00 00 00 01",
	  .err = -COAP_ERR_OPT_LEN, .err_opt = 23, .code = COAP_CODE_GET,
	  .mid = 0x23 },
	{ .name = "If-None-Match with a value", .bytes = "40 03 00 24 51 00",
	  .err = -COAP_ERR_OPT_LEN, .err_opt = 5, .code = COAP_CODE_PUT,
	  .mid = 0x24 },
	{ .name = "empty Proxy-Uri", .bytes = "40 01 00 25 d0 16",
	  .err = -COAP_ERR_OPT_LEN, .err_opt = 35, .code = COAP_CODE_GET,
	  .mid = 0x25 },
	{ .name = "Uri-Host repeated", .bytes = "40 01 00 26 31 'a' 01 'b'",
	  .err = -COAP_ERR_OPT_REPEAT, .err_opt = 3, .code = COAP_CODE_GET,
	  .mid = 0x26 },
	{ .name = "Block2 repeated in a response",
	  .bytes = "60 45 00 27 d1 0a 0b 01 1b ff 'x'",
	  .err = -COAP_ERR_OPT_REPEAT, .err_opt = 23, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_CONTENT, .mid = 0x27 },
	{ .name = "first bad option is reported",
	  .bytes = "40 01 00 28 30 61 00",
	  .err = -COAP_ERR_OPT_LEN, .err_opt = 3, .code = COAP_CODE_GET,
	  .mid = 0x28 },
	/* Reserved Location-* numbers next to Location-* (§5.10.7). */
	{ .name = "Location-Path with reserved option 128",
	  .bytes = "60 41 00 2a 82 'ab' d0 6b",
	  .err = -COAP_ERR_OPT_UNKNOWN, .err_opt = 128, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_CREATED, .mid = 0x2a },
	{ .name = "Location-Query with reserved option 140",
	  .bytes = "60 41 00 2b d3 07 'k=v' d0 6b",
	  .err = -COAP_ERR_OPT_UNKNOWN, .err_opt = 140, .type = COAP_TYPE_ACK,
	  .code = COAP_CODE_CREATED, .mid = 0x2b },
	{ .name = "format error beats option error",
	  .bytes = "40 01 00 29 91 00 ff",
	  .err = -COAP_ERR_NO_PAYLOAD, .code = COAP_CODE_GET, .mid = 0x29 },

	/* Local limit on stored options. */
	{ .name = "COAP_MAX_OPTS + 1 options",
	  .bytes = "40 01 00 30" COAP_VEC_33A,
	  .err = -COAP_ERR_TOO_MANY_OPTS, .code = COAP_CODE_GET, .mid = 0x30 },
	{ .name = "too many options, then a format error",
	  .bytes = "40 01 00 31" COAP_VEC_33A "ff",
	  .err = -COAP_ERR_NO_PAYLOAD, .code = COAP_CODE_GET, .mid = 0x31 },
	{ .name = "too many options, then a bad critical option",
	  .bytes = "40 01 00 32" COAP_VEC_33A "d0 01",
	  .err = -COAP_ERR_OPT_UNKNOWN, .err_opt = 25, .code = COAP_CODE_GET,
	  .mid = 0x32 },
};

/*
 * Responses built with coap_build_reply() to the request in .req, then
 * the options in order and the payload; .expect is the whole datagram.
 */
struct coap_vec_bopt {
	u16 num;		/* 0 ends the list */
	const char *val;	/* opaque value in notation, or NULL ... */
	u32 uval;		/* ... for a uint written with minimal length */
};

struct coap_build_vec {
	const char *name;
	const char *req;
	u8 code;
	u16 mid;		/* for NON responses */
	struct coap_vec_bopt opts[COAP_VEC_MAX_OPTS];
	const char *payload;
	const char *expect;
};

static const struct coap_build_vec coap_build_vecs[] = {
	{ .name = "rfc7252 fig16 piggybacked 2.05",
	  .req = "40 01 7d 34" COAP_VEC_TEMP, .code = COAP_CODE_CONTENT,
	  .payload = "'22.3 C'", .expect = "60 45 7d 34" COAP_VEC_223 },
	{ .name = "rfc7252 fig17 piggybacked 2.05 with token",
	  .req = "41 01 7d 35 20" COAP_VEC_TEMP, .code = COAP_CODE_CONTENT,
	  .payload = "'22.3 C'", .expect = "61 45 7d 35 20" COAP_VEC_223 },
	{ .name = "rfc7252 fig22 NON 2.05 to NON",
	  .req = "51 01 7d 40 75" COAP_VEC_TEMP, .code = COAP_CODE_CONTENT,
	  .mid = 0xad7d, .payload = "'22.3 C'",
	  .expect = "51 45 ad 7d 75" COAP_VEC_223 },
	{ .name = "rfc7252 fig23 NON 4.04",
	  .req = "51 01 7d 41 86" COAP_VEC_TEMP, .code = COAP_CODE_NOT_FOUND,
	  .mid = 0x952a, .expect = "51 84 95 2a 86" },
	{ .name = "rfc7959 fig7 2.31 Continue",
	  .req = "40 03 04 d2 b7 'options' d1 03 0b ff" COAP_VEC_P128,
	  .code = COAP_CODE_CONTINUE,
	  .opts = { { COAP_OPT_BLOCK1, NULL, 0x0b } },
	  .expect = "60 5f 04 d2 d1 0e 0b" },
	{ .name = "rfc7959 fig11 2.04 with Block2 and Block1",
	  .req = "40 02 04 d4 b4 'soap' c1 02 41 23 ff" COAP_VEC_P17,
	  .code = COAP_CODE_CHANGED,
	  .opts = { { COAP_OPT_BLOCK2, NULL, 0x0a },
		    { COAP_OPT_BLOCK1, NULL, 0x23 } },
	  .payload = COAP_VEC_P64,
	  .expect = "60 44 04 d4 d1 0a 0a 41 23 ff" COAP_VEC_P64 },
	{ .name = "rfc7959 fig13 2.05 ETag Observe Max-Age Block2",
	  .req = "41 01 16 36 fb 60 5b 'status-icon' c1 02",
	  .code = COAP_CODE_CONTENT,
	  .opts = { { COAP_OPT_ETAG, "6f00f38e", 0 },
		    { COAP_OPT_OBSERVE, NULL, 62350 },
		    { COAP_OPT_MAX_AGE, NULL, 60 },
		    { COAP_OPT_BLOCK2, NULL, 0x0a } },
	  .payload = COAP_VEC_P64,
	  .expect = "61 45 16 36 fb 44 6f 00 f3 8e 22 f3 8e 81 3c 91 0a ff"
		    COAP_VEC_P64 },
	{ .name = "minimal uint lengths",
	  .req = "40 01 00 01", .code = COAP_CODE_CONTENT,
	  .opts = { { COAP_OPT_CONTENT_FORMAT, NULL, 0 },
		    { COAP_OPT_MAX_AGE, NULL, 0x100 },
		    { COAP_OPT_SIZE2, NULL, 0x10000 },
		    { COAP_OPT_SIZE1, NULL, 0xffffffff } },
	  .expect = "60 45 00 01 c0 22 01 00 d3 01 01 00 00 d4 13 ff ff ff ff" },
	{ .name = "4.02 with diagnostic payload",
	  .req = "41 01 00 20 aa 91 00", .code = COAP_CODE_BAD_OPTION,
	  .payload = "'option 9'",
	  .expect = "61 82 00 20 aa ff 'option 9'" },
	{ .name = "repeated Location-Path and extended length",
	  .req = "40 02 00 02 b1 'p'", .code = COAP_CODE_CREATED,
	  .opts = { { COAP_OPT_LOCATION_PATH, "'ab'", 0 },
		    { COAP_OPT_LOCATION_PATH, "'abcdefghijklm'", 0 },
		    { COAP_OPT_LOCATION_QUERY, "'k=v'", 0 } },
	  .expect = "60 41 00 02 82 'ab' 0d 00 'abcdefghijklm' c3 'k=v'" },
};

/* Block option values (RFC 7959 §2.2, examples from §3). */
struct coap_block_vec {
	const char *name;
	const char *val;
	int err;
	u32 num;
	bool more;
	u8 szx;
};

static const struct coap_block_vec coap_block_vecs[] = {
	{ "empty value is 0/0/16", "", 0, 0, false, 0 },
	{ "value 33 is 2:2/0/32 (§3)", "21", 0, 2, false, 1 },
	{ "value 59 is 1:3/1/128 (§3)", "3b", 0, 3, true, 3 },
	{ "0/1/128", "0b", 0, 0, true, 3 },
	{ "5/0/64", "52", 0, 5, false, 2 },
	{ "2-byte NUM 300/1/1024", "12 ce", 0, 300, true, 6 },
	{ "largest 2-byte NUM", "ff f6", 0, 0xfff, false, 6 },
	{ "largest NUM", "ff ff f6", 0, COAP_BLOCK_MAX_NUM, false, 6 },
	{ "SZX 7 reserved", "0f", -COAP_ERR_BLOCK_SZX, 0, true, 7 },
	{ "SZX 7 reserved, 3 bytes", "ff ff ff", -COAP_ERR_BLOCK_SZX,
	  COAP_BLOCK_MAX_NUM, true, 7 },
	{ "4-byte value", "00 00 00 01", -COAP_ERR_OPT_LEN, 0, false, 0 },
};

/* coap_block_window(): request, server maximum, body size -> block. */
struct coap_window_vec {
	const char *name;
	u32 num;
	u8 szx;
	u8 max_szx;
	u32 total;
	int err;
	u32 out_num;
	u8 out_szx;
	u32 off;
	u32 len;
	bool more;
};

static const struct coap_window_vec coap_window_vecs[] = {
	{ "whole body in block 0", 0, 6, 6, 300, 0, 0, 6, 0, 300, false },
	{ "first of 5 64-byte blocks", 0, 2, 6, 300, 0, 0, 2, 0, 64, true },
	{ "last partial block", 4, 2, 6, 300, 0, 4, 2, 256, 44, false },
	{ "block past the end", 5, 2, 6, 300, -COAP_ERR_BLOCK_RANGE, 0, 0, 0, 0,
	  false },
	{ "server shrinks 1024 to 256", 1, 6, 4, 3000, 0, 4, 4, 1024, 256,
	  true },
	{ "exact fit, no more", 0, 3, 6, 128, 0, 0, 3, 0, 128, false },
	{ "one past exact fit", 1, 3, 6, 128, -COAP_ERR_BLOCK_RANGE, 0, 0, 0, 0,
	  false },
	{ "empty body, block 0", 0, 2, 6, 0, 0, 0, 2, 0, 0, false },
	{ "empty body, block 1", 1, 2, 6, 0, -COAP_ERR_BLOCK_RANGE, 0, 0, 0, 0,
	  false },
	{ "SZX 7 request", 0, 7, 6, 100, -COAP_ERR_BLOCK_SZX, 0, 0, 0, 0,
	  false },
	/* RFC 7959 §3.1: Figure 3 (last block), Figure 4 (late negotiation). */
	{ "rfc7959 fig3 2:5/0/64 of 337", 5, 2, 6, 337, 0, 5, 2, 320, 17,
	  false },
	{ "rfc7959 fig4 2:2/0/64 after 128", 2, 2, 3, 300, 0, 2, 2, 128, 64,
	  true },
	{ "client asks 1024, server gives 64", 0, 6, 2, 300, 0, 0, 2, 0, 64,
	  true },
	{ "largest NUM", COAP_BLOCK_MAX_NUM, 0, 6, 0xffffffff, 0,
	  COAP_BLOCK_MAX_NUM, 0, 0xfffff0, 16, true },
	{ "NUM over 20 bits", COAP_BLOCK_MAX_NUM + 1, 0, 6, 0xffffffff,
	  -COAP_ERR_BLOCK_RANGE, 0, 0, 0, 0, false },
	{ "scaled NUM over 20 bits", COAP_BLOCK_MAX_NUM, 6, 0, 0xffffffff,
	  -COAP_ERR_BLOCK_RANGE, 0, 0, 0, 0, false },
};

/* Content-Format table: both directions unless .name_only. */
struct coap_cf_vec {
	const char *name;
	int cf;			/* -COAP_ERR_NOENT: unknown name */
	bool name_only;		/* an alias: number -> name gives another */
};

static const struct coap_cf_vec coap_cf_vecs[] = {
	{ "text/plain;charset=utf-8", 0, false },
	{ "text/plain", 0, true },
	{ "Text/Plain; Charset=UTF-8", 0, true },
	{ " application/json ", 50, true },
	{ "application/link-format", 40, false },
	{ "application/xml", 41, false },
	{ "application/octet-stream", 42, false },
	{ "application/exi", 47, false },
	{ "application/json", 50, false },
	{ "application/json-patch+json", 51, false },
	{ "application/merge-patch+json", 52, false },
	{ "application/cbor", 60, false },
	{ "application/cwt", 61, false },
	{ "application/cbor-seq", 63, false },
	{ "application/cose;cose-type=\"cose-sign1\"", 18, false },
	{ "application/senml+json", 110, false },
	{ "application/sensml+json", 111, false },
	{ "application/senml+cbor", 112, false },
	{ "application/sensml+cbor", 113, false },
	{ "application/senml-exi", 114, false },
	{ "application/senml+xml", 310, false },
	{ "application/sensml+xml", 311, false },
	/* Numbers checked against the IANA registry. */
	{ "application/cose;cose-type=\"cose-encrypt0\"", 16, false },
	{ "application/cose; cose-type=\"cose-encrypt0\"", 16, true },
	{ "application/ace+cbor", 19, false },
	{ "image/gif", 21, false },
	{ "image/jpeg", 22, false },
	{ "image/png", 23, false },
	{ "application/multipart-core", 62, false },
	{ "application/cose;cose-type=\"cose-sign\"", 98, false },
	{ "application/cose-key-set", 102, false },
	{ "application/senml-etch+json", 320, false },
	{ "application/senml-etch+cbor", 322, false },
	{ "text/html", -COAP_ERR_NOENT, true },
	{ "application/json;x", -COAP_ERR_NOENT, true },
	{ "application/jso", -COAP_ERR_NOENT, true },
	{ "", -COAP_ERR_NOENT, true },
};

/* A resource table for the link-format writer and the filter. */
static const struct coap_link coap_vec_links[] = {
	{ .href = "/sensors/temp", .rt = "temperature-c", .ifd = "sensor",
	  .ct = 0, .obs = true },
	{ .href = "/sensors/light", .rt = "light-lux core.s", .ifd = "sensor",
	  .ct = 50, .sz = 1024 },
	{ .href = "/ps", .rt = "core.ps", .ct = 40,
	  .title = "Pub\"Sub\\broker" },
	{ .href = "/.well-known/core", .ct = -1 },
};

/* Each link as written; the document joins them with ',' (RFC 6690 §2). */
static const char *const coap_vec_link_strs[] = {
	"</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";ct=0;obs",
	"</sensors/light>;rt=\"light-lux core.s\";if=\"sensor\";ct=50;sz=1024",
	"</ps>;rt=\"core.ps\";ct=40;title=\"Pub\\\"Sub\\\\broker\"",
	"</.well-known/core>",
};

/* Uri-Query sets for /.well-known/core and the links they select. */
struct coap_filter_vec {
	const char *name;
	const char *q[3];	/* Uri-Query values; NULL ends */
	unsigned int mask;	/* bit i: coap_vec_links[i] matches */
};

static const struct coap_filter_vec coap_filter_vecs[] = {
	{ "no query", { NULL }, 0xf },
	{ "rt exact", { "rt=temperature-c" }, 0x1 },
	{ "rt is not a substring match", { "rt=temp" }, 0x0 },
	{ "rt prefix", { "rt=temp*" }, 0x1 },
	{ "rt list member", { "rt=core.s" }, 0x2 },
	{ "rt list member prefix", { "rt=core*" }, 0x6 },
	{ "rt any", { "rt=*" }, 0x7 },
	{ "if", { "if=sensor" }, 0x3 },
	{ "href exact", { "href=/ps" }, 0x4 },
	{ "href prefix", { "href=/sensors*" }, 0x3 },
	{ "ct", { "ct=40" }, 0x4 },
	{ "ct 0", { "ct=0" }, 0x1 },
	{ "ct prefix", { "ct=5*" }, 0x2 },
	{ "sz", { "sz=1024" }, 0x2 },
	{ "obs flag", { "obs" }, 0x1 },
	{ "title with quote", { "title=Pub\"Sub\\broker" }, 0x4 },
	{ "title prefix", { "title=Pub*" }, 0x4 },
	{ "attribute present", { "title" }, 0x4 },
	{ "unknown attribute", { "foo=bar" }, 0x0 },
	{ "two filters AND", { "if=sensor", "ct=0" }, 0x1 },
	{ "two filters, none", { "rt=core.ps", "if=sensor" }, 0x0 },
	{ "three filters AND", { "rt=core*", "ct=50", "sz=1024" }, 0x2 },
	{ "rt first list member", { "rt=light-lux" }, 0x2 },
	{ "href any", { "href=*" }, 0xf },
	{ "ct any: links without ct excluded", { "ct=*" }, 0x7 },
	{ "ct is compared as text", { "ct=040" }, 0x0 },
	{ "obs= (grammar form)", { "obs=" }, 0x1 },
	{ "obs=*", { "obs=*" }, 0x1 },
	{ "obs with a value", { "obs=1" }, 0x0 },
	{ "matching is case-sensitive", { "title=pub*" }, 0x0 },
	{ "if present", { "if" }, 0x3 },
	{ "unknown bare name", { "foo" }, 0x0 },
};

/* Uri-Path / Uri-Query matching on parsed requests. */
struct coap_uri_vec {
	const char *name;
	const char *req;
	const char *path;
	bool match;		/* coap_uri_path_match() */
	bool prefix;		/* coap_uri_path_prefix() */
};

#define COAP_VEC_WKC	"40 01 00 01 3b 'example.net' 8b '.well-known' 04 'core'"
#define COAP_VEC_SEGS	"40 01 00 03 b0 01 '/' 00 00 42 '//' 02 '?&'"

static const struct coap_uri_vec coap_uri_vecs[] = {
	{ "wkc full", COAP_VEC_WKC, "/.well-known/core", true, true },
	{ "wkc no leading slash", COAP_VEC_WKC, ".well-known/core", true, true },
	{ "wkc prefix", COAP_VEC_WKC, "/.well-known", false, true },
	{ "wkc trailing slash", COAP_VEC_WKC, "/.well-known/core/", false,
	  false },
	{ "wkc wrong segment", COAP_VEC_WKC, "/.well-known/cor", false, false },
	{ "wkc root", COAP_VEC_WKC, "/", false, true },
	{ "temperature", "40 01 7d 34" COAP_VEC_TEMP, "/temperature", true,
	  true },
	{ "temperature vs temp", "40 01 7d 34" COAP_VEC_TEMP, "/temp", false,
	  false },
	{ "root request /", "40 01 00 01", "/", true, true },
	{ "root request empty", "40 01 00 01", "", true, true },
	{ "root request /a", "40 01 00 01", "/a", false, false },
	{ "empty segments", COAP_VEC_SEGS, "/", false, true },
	{ "two empty segments", COAP_VEC_SEGS, "//", false, false },
	{ "'/' inside a segment", COAP_VEC_SEGS, "////", false, false },
	{ "a//b", "40 01 00 04 b1 'a' 00 01 'b'", "/a//b", true, true },
	{ "a/ has empty last", "40 01 00 05 b1 'a' 00", "a/", true, true },
};

struct coap_query_vec {
	const char *name;
	const char *key;
	bool found;
	const char *val;
};

#define COAP_VEC_QREQ \
	"40 01 00 07 b1 'x' 43 'a=1' 01 'b' 05 'c=xyz' 04 'ab=2'"

static const struct coap_query_vec coap_query_vecs[] = {
	{ "key=value", "a", true, "1" },
	{ "bare key", "b", true, "" },
	{ "longer value", "c", true, "xyz" },
	{ "key sharing a prefix", "ab", true, "2" },
	{ "absent key", "d", false, NULL },
	{ "no partial key", "x", false, NULL },
};

#endif /* _KCOAP_COAP_VECTORS_H */
