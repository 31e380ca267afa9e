/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * kcoapctl's configuration keys: the user-facing names of the "config"
 * attributes, with the ranges uapi/kcoap.yaml gives, so that bad values
 * are refused before anything is sent.
 */
#ifndef KCOAPCTL_CONFIG_H
#define KCOAPCTL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum config_kind {
	CK_NUMBER,	/* a decimal number in [min, max] */
	CK_ON_OFF,	/* on|off, sent as 1|0 */
	CK_BLOCK_SIZE,	/* 16..1024, a power of two, sent as SZX (16 << szx) */
};

struct config_key {
	const char *key;	/* as typed: "dedupe-lifetime" */
	int attr;		/* KCOAP_A_CONFIG_* */
	enum config_kind kind;
	uint8_t width;		/* of the attribute: 1, 2 or 4 bytes */
	uint32_t min, max;
	const char *unit;	/* for messages, or "" */
};

extern const struct config_key config_keys[];
extern const size_t n_config_keys;

struct config_setting {
	const struct config_key *key;
	uint32_t value;		/* as sent: block-size 1024 is 6 */
};

/*
 * Parse "KEY VALUE". 0, or -EINVAL with a message naming the key or the
 * value in @err.
 */
int config_parse_setting(const char *key, const char *value,
			 struct config_setting *out, char *err, size_t errlen);

/* A value as received, for display: "on", "1024", "247". */
void config_format_value(const struct config_key *k, uint32_t value,
			 char *buf, size_t size);

#endif /* KCOAPCTL_CONFIG_H */
