// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The gateway page on the HTTP listener: its files (www.c, built into
 * kcoapd) and two JSON documents it reads.
 *
 *   GET /api/config      {"topicPrefix", "mqttWs", "bridge", "hostname"}:
 *                        what the page needs to reach the broker
 *   GET /api/resources   the kernel's table: path, Content-Format, value
 *                        (text up to 512 bytes), size, ETag, observers,
 *                        whether observable, rt; the paths the client's
 *                        address may read (the ACL, as for the proxy)
 *
 * Everything else the page learns over MQTT (devices, statistics,
 * commands and their responses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_int.h"
#include "kcoap_resource.h"

static const struct kcoapd_config *cfg;
static bool with_bridge;

void api_init(const struct kcoapd_config *c, bool bridge)
{
	cfg = c;
	with_bridge = bridge;
}

/* @s as a JSON string. */
static void json_str(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

struct listing {
	FILE *f;
	const uint8_t *addr;
	int n;
};

static bool readable(const uint8_t addr[16], const char *path)
{
	if (!strncmp(path, "/ps/", 4))
		return acl_check(addr, NULL, ACL_TOPIC, ACL_READ, path + 4);
	return acl_check(addr, NULL, ACL_STORE, ACL_READ, path);
}

static bool text_value(const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((v[i] < 0x20 && v[i] != '\n' && v[i] != '\t') || v[i] == 0x7f)
			return false;
	return true;
}

static int list_one(const struct kcoap_resource *res, void *arg)
{
	struct listing *l = arg;
	FILE *f = l->f;
	unsigned int i;

	if (!readable(l->addr, res->path))
		return 0;
	fputs(l->n++ ? ",\n" : "\n", f);
	fputs("{\"path\":", f);
	json_str(f, res->path, strlen(res->path));
	fprintf(f, ",\"observers\":%u,\"obs\":%s", res->observers, res->obs ? "true" : "false");
	if (res->rt) {
		fputs(",\"rt\":", f);
		json_str(f, res->rt, strlen(res->rt));
	}
	if (res->n_reprs) {
		const struct kcoap_repr *r = &res->reprs[0];
		const uint8_t *v = kcoap_repr_value(res, 0);

		fprintf(f, ",\"ct\":%u,\"size\":%u", r->cf, r->size);
		if (r->etag_len) {
			fputs(",\"etag\":\"", f);
			for (i = 0; i < r->etag_len; i++)
				fprintf(f, "%02x", r->etag[i]);
			fputc('"', f);
		}
		if (v && r->size <= 512 && text_value(v, r->size)) {
			fputs(",\"value\":", f);
			json_str(f, (const char *)v, r->size);
		}
	}
	fputc('}', f);
	return 0;
}

static struct MHD_Response *json(char *buf, size_t n)
{
	struct MHD_Response *rsp = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);

	if (rsp) {
		MHD_add_response_header(rsp, "Content-Type", "application/json");
		MHD_add_response_header(rsp, "Cache-Control", "no-store");
	} else {
		free(buf);
	}
	return rsp;
}

static struct MHD_Response *resources(const uint8_t addr[16], unsigned int *status)
{
	struct listing l = { NULL, addr, 0 };
	char *buf = NULL;
	size_t n = 0;
	int err;

	l.f = open_memstream(&buf, &n);
	if (!l.f)
		return NULL;
	fputs("{\"resources\":[", l.f);
	err = kernel_each(list_one, &l);
	fprintf(l.f, "\n]%s}\n", err ? ",\"error\":\"the kernel's table cannot be listed\"" : "");
	fclose(l.f);
	*status = err ? 502 : 200;
	return json(buf, n);
}

static struct MHD_Response *config(unsigned int *status)
{
	char host[256], *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	if (gethostname(host, sizeof(host)))
		strcpy(host, "gateway");
	host[sizeof(host) - 1] = 0;
	fputs("{\"topicPrefix\":", f);
	json_str(f, cfg->topic_prefix, strlen(cfg->topic_prefix));
	fputs(",\"mqttWs\":", f);
	json_str(f, cfg->http_mqtt_ws, strlen(cfg->http_mqtt_ws));
	fprintf(f, ",\"bridge\":%s,\"hostname\":", with_bridge ? "true" : "false");
	json_str(f, host, strlen(host));
	fputs("}\n", f);
	fclose(f);
	*status = 200;
	return json(buf, n);
}

bool http_page(struct MHD_Connection *conn, const char *url, const char *method,
	       const uint8_t addr[16], struct MHD_Response **rsp, unsigned int *status)
{
	const char *type;
	const void *data;
	size_t len;

	(void)conn;
	if (!strcmp(url, "/api/resources") || !strcmp(url, "/api/config")) {
		*rsp = NULL;
	} else if (www_file(url, &data, &len, &type)) {
		*rsp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
		if (*rsp)
			MHD_add_response_header(*rsp, "Content-Type", type);
	} else {
		return false;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		if (*rsp)
			MHD_destroy_response(*rsp);
		*rsp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (*rsp)
			MHD_add_response_header(*rsp, "Allow", "GET, HEAD");
		*status = 405;
		return true;
	}
	if (!strcmp(url, "/api/resources"))
		*rsp = resources(addr, status);
	else if (!strcmp(url, "/api/config"))
		*rsp = config(status);
	else
		*status = 200;
	if (*rsp) {
		MHD_add_response_header(*rsp, "X-Content-Type-Options", "nosniff");
		/* The page's own files; the broker's WebSocket on its port. */
		MHD_add_response_header(*rsp, "Content-Security-Policy",
					"default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'");
	}
	return true;
}
