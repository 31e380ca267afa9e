/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Retransmission of confirmable messages (RFC 7252 §4.2, §4.8): the first
 * timeout is random between ACK_TIMEOUT and ACK_TIMEOUT * ACK_RANDOM_FACTOR
 * (1.5), it doubles on each retransmission, and after MAX_RETRANSMIT of
 * them the message has failed. Pure arithmetic, so KUnit can drive it with
 * its own clock and dice.
 */
#ifndef _KCOAP_RETRANSMIT_H
#define _KCOAP_RETRANSMIT_H

#include <linux/types.h>

struct kcoap_retx {
	u32 timeout;		/* current interval, in the caller's ticks */
	u8 count;		/* retransmissions so far */
};

/*
 * Start: @ack_timeout ticks scaled by a random factor in [1, 1.5) taken
 * from @rnd (any 32-bit random value).
 */
static inline void kcoap_retx_start(struct kcoap_retx *r, u32 ack_timeout,
				    u32 rnd)
{
	r->timeout = ack_timeout + (u32)(((u64)ack_timeout / 2 * rnd) >> 32);
	r->count = 0;
}

/*
 * The timer fired with no ACK: true to retransmit and wait twice as long,
 * false when @max_retransmit retransmissions have already gone out.
 */
static inline bool kcoap_retx_next(struct kcoap_retx *r, u8 max_retransmit)
{
	if (r->count >= max_retransmit)
		return false;
	r->count++;
	r->timeout *= 2;
	return true;
}

#endif /* _KCOAP_RETRANSMIT_H */
