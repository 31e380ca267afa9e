/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The codec is built both into kcoap.ko and into userspace tools. This is
 * the only codec header that knows which side it is on: it supplies the
 * fixed-width types, bool, size_t and the mem*() and strlen() routines.
 */
#ifndef _KCOAP_COAP_COMPAT_H
#define _KCOAP_COAP_COMPAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The kernel's own definitions (asm-generic/int-ll64.h). */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#endif
#endif

/*
 * CoAP puts every multi-byte field in network byte order (RFC 7252 §3).
 * Assembling bytes by shifting is independent of host endianness and of
 * alignment, so neither side needs its own byte-swapping helpers.
 */
static inline u16 coap_get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline void coap_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

#endif /* _KCOAP_COAP_COMPAT_H */
