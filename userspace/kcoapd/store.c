// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The dynamic resource store: PUT creates or replaces (2.01, 2.04), POST
 * on a path creates a numbered child (2.01 with Location-Path), GET reads
 * (2.05 with Content-Format and ETag), DELETE removes (2.02); unknown
 * paths get 4.04. Bounded by store-max resources of value-max bytes
 * (4.13 beyond, 5.03 when full). Bodies may come in Block1 blocks
 * (upload.c); values larger than a block go out in Block2 blocks (RFC
 * 7959 §2.4). /echo answers with its payload, after ?delay=MS: a handler
 * that is slow on purpose, for tests. Every value set is pushed into the
 * kernel's table as well (kernel.c), which serves GETs from then on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kcoapd.h"

struct item {
	char *path;
	uint16_t ct;
	uint32_t etag;
	uint8_t *value;
	size_t len;
	unsigned long children;		/* for POST */
};

static struct item *items;
static size_t n_items, store_max, value_max;
static uint32_t next_etag = 0x4b430000;
static bool echo_on;

void store_init(const struct kcoapd_config *c)
{
	echo_on = c->echo;
	store_max = c->store_max;
	value_max = c->value_max;
	items = calloc(store_max ? store_max : 1, sizeof(*items));
	if (!items) {
		kcoapd_log(LOG_ERR, "out of memory for %zu resources", store_max);
		exit(1);
	}
}

/*
 * On disk: a line "kcoapd-store 1", then per resource a line "PATHLEN CT
 * CHILDREN VALUELEN" followed by the path's and the value's bytes and a
 * newline (paths and values may hold any byte).
 */
void store_save(FILE *f)
{
	size_t i;

	fprintf(f, "kcoapd-store 1\n");
	for (i = 0; i < n_items; i++) {
		const struct item *it = &items[i];

		fprintf(f, "%zu %u %lu %zu\n", strlen(it->path), it->ct, it->children, it->len);
		fwrite(it->path, 1, strlen(it->path), f);
		if (it->len)
			fwrite(it->value, 1, it->len, f);
		fputc('\n', f);
	}
}

void store_load(FILE *f)
{
	size_t plen, vlen, n = 0;
	unsigned int ct;
	unsigned long children;
	struct item *it;
	char head[32];

	if (!fgets(head, sizeof(head), f) || strcmp(head, "kcoapd-store 1\n")) {
		kcoapd_log(LOG_ERR, "state: store: not a store file: ignored");
		return;
	}
	while (fscanf(f, "%zu %u %lu %zu", &plen, &ct, &children, &vlen) == 4) {
		if (fgetc(f) != '\n' || !plen || plen > 4096 || ct > 0xffff ||
		    vlen > value_max || n_items == store_max)
			break;
		it = &items[n_items];
		memset(it, 0, sizeof(*it));
		it->path = calloc(1, plen + 1);
		it->value = vlen ? malloc(vlen) : NULL;
		if (!it->path || (vlen && !it->value) || fread(it->path, 1, plen, f) != plen ||
		    (vlen && fread(it->value, 1, vlen, f) != vlen) || fgetc(f) != '\n' ||
		    strlen(it->path) != plen) {
			free(it->path);
			free(it->value);
			break;
		}
		it->ct = (uint16_t)ct;
		it->children = children;
		it->len = vlen;
		it->etag = next_etag++;
		n_items++;
		n++;
	}
	if (!feof(f) && fgetc(f) != EOF)
		kcoapd_log(LOG_ERR, "state: store: damaged after %zu resources: the rest ignored", n);
	kcoapd_log(LOG_INFO, "state: %zu resources of the store read back", n);
}

bool store_has(const char *path)
{
	size_t i;

	for (i = 0; i < n_items; i++)
		if (!strcmp(items[i].path, path))
			return true;
	return false;
}

void store_push_all(void)
{
	size_t i;

	for (i = 0; i < n_items; i++)
		kernel_push(items[i].path, items[i].ct, items[i].value, items[i].len);
}

void answer_begin(struct answer *a, struct coap_builder *b, uint8_t code)
{
	a->code = code;
	/* Header and token are the kernel's: build after a dummy header. */
	coap_build_init(b, a->buf, sizeof(a->buf), COAP_TYPE_ACK, code, 0, NULL, 0);
}

void answer_end(struct answer *a, struct coap_builder *b)
{
	int n = coap_build_end(b);

	if (n < COAP_HDR_LEN) {
		a->code = COAP_CODE_INTERNAL_ERROR;
		a->len = 0;
		return;
	}
	a->len = (size_t)n - COAP_HDR_LEN;
	memmove(a->buf, a->buf + COAP_HDR_LEN, a->len);
}

void answer_code(struct answer *a, uint8_t code)
{
	struct coap_builder b;

	answer_begin(a, &b, code);
	answer_end(a, &b);
}

void answer_unavailable(struct answer *a, uint32_t secs)
{
	struct coap_builder b;

	answer_begin(a, &b, COAP_CODE_SERVICE_UNAVAILABLE);
	coap_build_opt_uint(&b, COAP_OPT_MAX_AGE, secs);
	answer_end(a, &b);
}

bool req_path(const struct coap_msg *m, char *out, size_t cap)
{
	const struct coap_opt *o;
	size_t n = 0;

	out[0] = 0;
	for (o = coap_opt_find(m, COAP_OPT_URI_PATH); o; o = coap_opt_next(m, o)) {
		if (n + 1 + o->len + 1 > cap || memchr(coap_opt_value(m, o), '/', o->len))
			return false;
		out[n++] = '/';
		memcpy(out + n, coap_opt_value(m, o), o->len);
		n += o->len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = 0;
	return true;
}

static struct item *find(const char *path)
{
	size_t i;

	for (i = 0; i < n_items; i++)
		if (!strcmp(items[i].path, path))
			return &items[i];
	return NULL;
}

/* The body of the request: its payload, or a reassembled Block1 upload. */
struct body {
	const uint8_t *data;
	size_t len;
};

static int set_value(struct item *it, const struct coap_msg *req,
		     const struct body *body)
{
	uint32_t ct = COAP_CF_TEXT_PLAIN;
	uint8_t *v = NULL;

	coap_opt_uint(req, COAP_OPT_CONTENT_FORMAT, &ct);
	if (body->len) {
		v = malloc(body->len);
		if (!v)
			return -1;
		memcpy(v, body->data, body->len);
	}
	free(it->value);
	it->value = v;
	it->len = body->len;
	it->ct = (uint16_t)ct;
	it->etag = next_etag++;
	state_dirty(STATE_STORE);
	/* GETs and observers are the kernel's from now on. */
	kernel_push(it->path, it->ct, it->value, it->len);
	return 0;
}

static struct item *create(const char *path)
{
	struct item *it;

	if (n_items == store_max)
		return NULL;
	it = &items[n_items];
	memset(it, 0, sizeof(*it));
	it->path = strdup(path);
	if (!it->path)
		return NULL;
	n_items++;
	return it;
}

/* GET: the value, or the block of it asked for (Block2, §2.4). */
static void get(const struct item *it, const struct coap_msg *req, struct answer *a)
{
	struct coap_block blk = { .num = 0, .szx = 6 };
	struct coap_builder b;
	bool asked;
	uint32_t off, n;
	int err;

	err = coap_block_get(req, COAP_OPT_BLOCK2, &blk);
	asked = !err;
	if (err && err != -COAP_ERR_NOENT) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return;
	}
	if (coap_block_window(&blk, 6, (uint32_t)it->len, &off, &n)) {
		answer_code(a, COAP_CODE_BAD_OPTION);
		return;
	}
	answer_begin(a, &b, COAP_CODE_CONTENT);
	coap_build_opt(&b, COAP_OPT_ETAG, &it->etag, sizeof(it->etag));
	coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, it->ct);
	if (asked || blk.more || blk.num)
		coap_build_block(&b, COAP_OPT_BLOCK2, &blk);
	if (coap_opt_find(req, COAP_OPT_SIZE2))
		coap_build_opt_uint(&b, COAP_OPT_SIZE2, (uint32_t)it->len);
	coap_build_payload(&b, it->value ? it->value + off : NULL, n);
	answer_end(a, &b);
}

/* A short answer with Block1 echoed when the body came in blocks. */
static void answer_block1(struct answer *a, uint8_t code, const struct coap_block *blk)
{
	struct coap_builder b;

	answer_begin(a, &b, code);
	if (blk)
		coap_build_block(&b, COAP_OPT_BLOCK1, blk);
	answer_end(a, &b);
}

static void post(struct item *parent, const char *path, const struct coap_msg *req,
		 const struct body *body, const struct coap_block *blk1,
		 struct answer *a)
{
	char child[340], num[24];
	struct coap_builder b;
	struct item *it;
	const char *seg;

	snprintf(num, sizeof(num), "%lu", ++parent->children);
	snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", num);
	it = create(child);
	if (!it || set_value(it, req, body)) {
		answer_code(a, COAP_CODE_SERVICE_UNAVAILABLE);
		return;
	}
	answer_begin(a, &b, COAP_CODE_CREATED);
	if (blk1)
		coap_build_block(&b, COAP_OPT_BLOCK1, blk1);
	/* Location-Path, one option per segment (§5.10.7). */
	for (seg = child + 1; *seg;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		coap_build_opt(&b, COAP_OPT_LOCATION_PATH, seg, n);
		seg += n + (end ? 1 : 0);
	}
	answer_end(a, &b);
}

static void echo(const struct coap_msg *req, struct answer *a)
{
	struct coap_builder b;
	const uint8_t *v;
	uint16_t n;
	char num[12];

	if (coap_uri_query_find(req, "delay", &v, &n) && n < sizeof(num)) {
		memcpy(num, v, n);
		num[n] = 0;
		a->delay_ms = (uint32_t)strtoul(num, NULL, 10);
		if (a->delay_ms > 600000)
			a->delay_ms = 600000;
	}
	answer_begin(a, &b, COAP_CODE_CONTENT);
	coap_build_opt_uint(&b, COAP_OPT_CONTENT_FORMAT, COAP_CF_TEXT_PLAIN);
	coap_build_payload(&b, req->payload_len ? req->payload : (const uint8_t *)"echo",
			   req->payload_len ? req->payload_len : 4);
	answer_end(a, &b);
}

void store_handle(const struct kcoap_req_desc *d, const struct coap_msg *req,
		  struct answer *a)
{
	struct upload_body up = { 0 };
	struct coap_block blk1, *b1 = NULL;
	struct body body = { req->payload, req->payload_len };
	char path[300];
	struct item *it;
	int err;

	a->delay_ms = 0;
	if (!req_path(req, path, sizeof(path))) {
		answer_code(a, COAP_CODE_BAD_REQUEST);
		return;
	}
	if (echo_on && !strcmp(path, "/echo")) {
		echo(req, a);
		return;
	}
	if (req->code == COAP_CODE_PUT || req->code == COAP_CODE_POST) {
		err = coap_block_get(req, COAP_OPT_BLOCK1, &blk1);
		if (err && err != -COAP_ERR_NOENT) {
			answer_code(a, COAP_CODE_BAD_REQUEST);
			return;
		}
		if (!err) {
			/* A block of a larger body: 2.31 until the last one. */
			if (upload_block(d, path, req, &blk1, value_max, a, &up))
				return;
			body.data = up.data;
			body.len = up.len;
			b1 = &blk1;
		} else if (req->payload_len > value_max) {
			answer_code(a, COAP_CODE_REQUEST_TOO_LARGE);
			return;
		}
	}
	it = find(path);
	switch (req->code) {
	case COAP_CODE_GET:
		if (it)
			get(it, req, a);
		else
			answer_code(a, COAP_CODE_NOT_FOUND);
		break;
	case COAP_CODE_PUT:
		if (it) {
			answer_block1(a, set_value(it, req, &body) ? COAP_CODE_INTERNAL_ERROR :
				      COAP_CODE_CHANGED, b1);
			break;
		}
		it = create(path);
		if (!it)
			answer_code(a, COAP_CODE_SERVICE_UNAVAILABLE);
		else
			answer_block1(a, set_value(it, req, &body) ? COAP_CODE_INTERNAL_ERROR :
				      COAP_CODE_CREATED, b1);
		break;
	case COAP_CODE_POST:
		if (!it)
			it = create(path);
		if (!it)
			answer_code(a, COAP_CODE_SERVICE_UNAVAILABLE);
		else
			post(it, path, req, &body, b1, a);
		break;
	case COAP_CODE_DELETE:
		if (!it) {
			answer_code(a, COAP_CODE_NOT_FOUND);
			break;
		}
		kernel_drop(it->path);
		state_dirty(STATE_STORE);
		free(it->path);
		free(it->value);
		*it = items[--n_items];
		answer_code(a, COAP_CODE_DELETED);
		break;
	default:
		answer_code(a, COAP_CODE_METHOD_NOT_ALLOWED);
	}
	upload_done(&up);
}

void store_status(FILE *f)
{
	fprintf(f, "store %zu %zu\n", n_items, store_max);
}

size_t store_count(void)
{
	return n_items;
}
