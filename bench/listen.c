/*
 * bench/listen.c: a listener for bench/clients.  LISTENs on channel
 * routing_assignment until SIGTERM, then prints one line per notification
 * received, "log_id epoch_microseconds" (the moment libpq handed it over),
 * so that the bench can join them with the log rows' commit timestamps.
 *
 *   listen "connection string" > received
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <libpq-fe.h>

static volatile sig_atomic_t stop = 0;

static void
on_term(int signo)
{
	(void) signo;
	stop = 1;
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	size_t		count = 0,
				room = 1 << 20;
	long long  *ids = malloc(room * sizeof(long long));
	long long  *micros = malloc(room * sizeof(long long));

	if (argc != 2 || ids == NULL || micros == NULL)
	{
		fprintf(stderr, "usage: listen CONNINFO\n");
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "listen: %s", PQerrorMessage(conn));
		return 1;
	}
	res = PQexec(conn, "listen routing_assignment");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "listen: %s", PQerrorMessage(conn));
		return 1;
	}
	PQclear(res);
	signal(SIGTERM, on_term);
	fprintf(stderr, "listening\n");
	while (!stop)
	{
		int			sock = PQsocket(conn);
		fd_set		input;
		struct timeval wait = {0, 100000};
		PGnotify   *notify;

		FD_ZERO(&input);
		FD_SET(sock, &input);
		if (select(sock + 1, &input, NULL, NULL, &wait) < 0)
			continue;
		PQconsumeInput(conn);
		while ((notify = PQnotifies(conn)) != NULL)
		{
			struct timespec now;
			const char *log_id = strstr(notify->extra, "\"log_id\": ");

			clock_gettime(CLOCK_REALTIME, &now);
			if (log_id != NULL)
			{
				if (count == room)
				{
					room *= 2;
					ids = realloc(ids, room * sizeof(long long));
					micros = realloc(micros, room * sizeof(long long));
					if (ids == NULL || micros == NULL)
						return 1;
				}
				ids[count] = atoll(log_id + strlen("\"log_id\": "));
				micros[count] = (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000;
				count++;
			}
			PQfreemem(notify);
		}
	}
	for (size_t i = 0; i < count; i++)
		printf("%lld %lld\n", ids[i], micros[i]);
	PQfinish(conn);
	return 0;
}
