// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Block1 / Block2 option values (RFC 7959 §2.2) and block slicing.
 */
#include "coap.h"

int coap_block_decode(const u8 *val, u16 len, struct coap_block *blk)
{
	u32 v;

	/* The value is a 0-3 byte uint (§2.1). */
	if (len > 3)
		return -COAP_ERR_OPT_LEN;
	coap_uint_decode(val, len, &v);
	blk->num = v >> 4;
	blk->more = v & 8;
	blk->szx = v & 7;
	/* SZX 7 is reserved; a request carrying it gets 4.00 (§2.2). */
	if (blk->szx == 7)
		return -COAP_ERR_BLOCK_SZX;
	return 0;
}

int coap_block_get(const struct coap_msg *m, u16 num, struct coap_block *blk)
{
	const struct coap_opt *o = coap_opt_find(m, num);

	if (!o)
		return -COAP_ERR_NOENT;
	return coap_block_decode(coap_opt_value(m, o), o->len, blk);
}

int coap_block_encode(const struct coap_block *blk, u32 *val)
{
	if (blk->num > COAP_BLOCK_MAX_NUM || blk->szx > COAP_BLOCK_MAX_SZX)
		return -COAP_ERR_INVAL;
	*val = (blk->num << 4) | (blk->more ? 8 : 0) | blk->szx;
	return 0;
}

int coap_build_block(struct coap_builder *b, u16 num,
		     const struct coap_block *blk)
{
	u32 v;

	if (b->err)
		return b->err;
	if (coap_block_encode(blk, &v)) {
		b->err = -COAP_ERR_INVAL;
		return b->err;
	}
	return coap_build_opt_uint(b, num, v);
}

int coap_block_window(struct coap_block *blk, u8 max_szx, u32 total,
		      u32 *off, u32 *len)
{
	u64 start, size;

	if (blk->szx == 7)
		return -COAP_ERR_BLOCK_SZX;
	if (blk->szx > COAP_BLOCK_MAX_SZX || max_szx > COAP_BLOCK_MAX_SZX)
		return -COAP_ERR_INVAL;
	/* NUM is 20 bits on the wire; also keeps the shift below in range. */
	if (blk->num > COAP_BLOCK_MAX_NUM)
		return -COAP_ERR_BLOCK_RANGE;
	/*
	 * "A server MUST use the block size indicated or a smaller size"
	 * (§2.4). The block asked for is the one starting at byte
	 * NUM << (SZX + 4) (§2.2), so when the size shrinks, NUM is scaled up
	 * to keep that offset. Late negotiation (§2.4, Figure 4) needs nothing
	 * special: a smaller SZX than before is simply honoured.
	 */
	if (blk->szx > max_szx) {
		blk->num <<= blk->szx - max_szx;
		blk->szx = max_szx;
	}
	size = coap_block_size(blk->szx);
	start = (u64)blk->num << (blk->szx + 4);
	if (start > total || (start == total && total) ||
	    blk->num > COAP_BLOCK_MAX_NUM)
		return -COAP_ERR_BLOCK_RANGE;
	*off = (u32)start;
	*len = (u32)(total - start < size ? total - start : size);
	blk->more = start + size < total;
	return 0;
}
