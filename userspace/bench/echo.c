// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * bench-echo: the userspace ceiling. One UDP socket; every datagram that
 * arrives goes back to its sender unchanged, read and written in batches
 * with recvmmsg() and sendmmsg().
 *
 *   bench-echo [-b ADDRESS] [-p PORT]     (default: any address, port 7)
 *
 * Once bound it prints "ready PORT" on stdout (-p 0 picks a free port),
 * and it stops on SIGINT or SIGTERM.
 */
#define _GNU_SOURCE	/* recvmmsg(), sendmmsg() */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH	64
#define MAXLEN	2048

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[BATCH][MAXLEN];
	struct sockaddr_storage peer[BATCH], ss = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	const char *addr = NULL;
	int port = 7, bufsize = 4 << 20, c, fd, i, n;
	socklen_t sslen;

	while ((c = getopt(argc, argv, "b:p:")) != -1) {
		if (c == 'b') {
			addr = optarg;
		} else if (c == 'p') {
			port = atoi(optarg);
		} else {
			fprintf(stderr, "usage: bench-echo [-b ADDRESS] [-p PORT]\n");
			return 2;
		}
	}
	if (addr && strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			goto bad;
		sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			goto bad;
		sslen = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sslen)) {
		perror("bench-echo: bind");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	/* No SA_RESTART: a signal ends the blocking recvmmsg(). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sslen = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sslen);
	printf("ready %u\n", ntohs(ss.ss_family == AF_INET6 ?
				   ((struct sockaddr_in6 *)&ss)->sin6_port :
				   ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);

	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = MAXLEN;
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_name = &peer[i];
			mm[i].msg_hdr.msg_namelen = sizeof(peer[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		/* Block for the first datagram, then take what is queued. */
		n = recvmmsg(fd, mm, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("bench-echo: recvmmsg");
			return 1;
		}
		for (i = 0; i < n; i++)
			iov[i].iov_len = mm[i].msg_len;
		for (i = 0; i < n;) {
			int s = sendmmsg(fd, mm + i, (unsigned int)(n - i), 0);

			if (s <= 0) {
				if (s < 0 && errno == EINTR)
					continue;
				i++;	/* drop the one that failed */
				continue;
			}
			i += s;
		}
	}
	close(fd);
	return 0;
bad:
	fprintf(stderr, "bench-echo: '%s' is not an address\n", addr);
	return 2;
}
