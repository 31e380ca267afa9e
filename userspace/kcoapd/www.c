// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * The gateway page's files (userspace/www/), built into kcoapd with the
 * assembler's .incbin: the page always matches the daemon that serves it,
 * and nothing is read from disk or the network at run time. mqtt.min.js
 * is the browser build of the npm package mqtt, committed and checked
 * against its lock file (userspace/www/build-bundle).
 */
#include <string.h>

#include "http_int.h"

#ifndef WWW_DIR
#define WWW_DIR "www"
#endif

#define WWW_FILE(sym, file)						\
	__asm__(".section .rodata\n"					\
		".global " #sym "\n" #sym ":\n"				\
		".incbin \"" WWW_DIR "/" file "\"\n"			\
		".global " #sym "_end\n" #sym "_end:\n"			\
		".byte 0\n"						\
		".previous\n");						\
	extern const char sym[], sym##_end[]

WWW_FILE(www_index, "index.html");
WWW_FILE(www_js, "gateway.js");
WWW_FILE(www_css, "gateway.css");
WWW_FILE(www_mqtt, "mqtt.min.js");

static const struct {
	const char *url;
	const char *start, *end;
	const char *type;
} files[] = {
	{ "/", www_index, www_index_end, "text/html; charset=utf-8" },
	{ "/index.html", www_index, www_index_end, "text/html; charset=utf-8" },
	{ "/gateway.js", www_js, www_js_end, "text/javascript; charset=utf-8" },
	{ "/gateway.css", www_css, www_css_end, "text/css; charset=utf-8" },
	{ "/mqtt.min.js", www_mqtt, www_mqtt_end, "text/javascript; charset=utf-8" },
};

bool www_file(const char *url, const void **data, size_t *len, const char **type)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(url, files[i].url)) {
			*data = files[i].start;
			*len = (size_t)(files[i].end - files[i].start);
			*type = files[i].type;
			return true;
		}
	return false;
}
