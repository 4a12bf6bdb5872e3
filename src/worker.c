/*
 * worker.c
 *		The module's set-up and the clock that needs nobody (section 16).
 *		When routing is in shared_preload_libraries, one background worker
 *		per database named in routing.clock_databases ticks it every
 *		routing.clock_interval: the postmaster starts it, restarts it after
 *		a crash, and stops it on shutdown.  Without preloading, everything
 *		else works, and pg_cron or the application calls routing.tick().
 *		The same worker announces its database's changes of owner
 *		(announce.c), woken by the commits that make them.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "announce.h"
#include "clock.h"
#include "plumbing.h"

void		_PG_init(void);
PGDLLEXPORT void routing_clock_main(Datum main_arg);

/* routing.clock_databases: whom the workers tick (read at server start). */
static char *clock_databases = NULL;
/* routing.clock_interval, in milliseconds: how often. */
static int	clock_interval = 1000;

/*
 * register_clock_workers registers one clock worker per database named in
 * routing.clock_databases, and their announcers' slots.  The list is fixed
 * at server start, as shared_preload_libraries is.
 */
static void
register_clock_workers(void)
{
	char	   *names;
	List	   *databases;
	ListCell   *cell;
	int			slot = 0;

	if (clock_databases == NULL || clock_databases[0] == '\0')
		return;
	names = pstrdup(clock_databases);
	if (!SplitIdentifierString(names, ',', &databases))
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("routing.clock_databases is not a list of database names: \"%s\"",
						clock_databases)));
	foreach(cell, databases)
	{
		BackgroundWorker worker = {0};
		const char *database = lfirst(cell);

		for (ListCell *earlier = list_head(databases); earlier != cell;
			 earlier = lnext(databases, earlier))
			if (strcmp(lfirst(earlier), database) == 0)
				ereport(FATAL,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("database \"%s\" is named twice in routing.clock_databases",
								database),
						 errdetail("One clock worker per database keeps its announcement position.")));

		if (strlen(database) >= BGW_EXTRALEN)
			ereport(FATAL,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("database name \"%s\" in routing.clock_databases is too long",
							database)));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = 5;
		strlcpy(worker.bgw_library_name, "routing", BGW_MAXLEN);
		strlcpy(worker.bgw_function_name, "routing_clock_main", BGW_MAXLEN);
		snprintf(worker.bgw_name, BGW_MAXLEN, "routing clock for database %s", database);
		strlcpy(worker.bgw_type, "routing clock", BGW_MAXLEN);
		strlcpy(worker.bgw_extra, database, BGW_EXTRALEN);
		worker.bgw_main_arg = Int32GetDatum(slot++);
		RegisterBackgroundWorker(&worker);
	}
	routing_announce_preload(databases);
}

/*
 * _PG_init sets the module up: the plumbing's setting and callbacks, the
 * clock's interval, and, when the library is preloaded, the clock's
 * databases and workers (a server-start setting can only be defined then).
 */
void
_PG_init(void)
{
	routing_plumbing_init();
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("routing.clock_databases",
								   "Databases whose timed work (routing.tick) a background worker does.",
								   "Comma-separated; read at server start, when routing is in shared_preload_libraries.",
								   &clock_databases,
								   "",
								   PGC_POSTMASTER,
								   0,
								   NULL, NULL, NULL);
	DefineCustomIntVariable("routing.clock_interval",
							"How often the clock's workers tick.",
							NULL,
							&clock_interval,
							1000, 10, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("routing");
	if (process_shared_preload_libraries_in_progress)
		register_clock_workers();
}

/*
 * How long the worker lets commits gather after a batch of announcements:
 * at most 100 batches a second.  A batch per commit cost the worker more
 * than the commit (one client went at 0.28 x the floor).
 */
#define ANNOUNCE_GATHER_MS 10

/* What a worker last found in its database. */
typedef enum ClockState
{
	CLOCK_STARTING,
	CLOCK_TICKING,
	CLOCK_SKIPPING
} ClockState;

/*
 * tick_database does one batch of the due work of the worker's database in
 * a transaction of its own, dated now, if the database has the extension,
 * and tells whether more may be due; it logs at start and when the
 * extension comes or goes, so that a database without it is skipped with
 * one LOG line.
 */
static bool
tick_database(const char *database, ClockState *state)
{
	bool		has_extension;
	bool		more = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	/* The extension, updated to 1.9 at least (its timers exist). */
	has_extension = OidIsValid(get_extension_oid("routing", true)) &&
		OidIsValid(get_relname_relid("agent_timers", get_namespace_oid("routing", false)));
	if (has_extension && *state != CLOCK_TICKING)
		ereport(LOG,
				(errmsg("routing clock: ticking database \"%s\" every %d ms",
						database, clock_interval)));
	else if (!has_extension && *state != CLOCK_SKIPPING)
		ereport(LOG,
				(errmsg("routing clock: database \"%s\" has no extension routing (1.9 or later); skipping it",
						database)));
	*state = has_extension ? CLOCK_TICKING : CLOCK_SKIPPING;
	if (has_extension)
	{
		pgstat_report_activity(STATE_RUNNING, "routing.tick()");
		routing_tick_at(GetCurrentTimestamp(), true, &more);
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	return more;
}

/*
 * announce_database announces the changes of owner committed since the
 * last batch, in a REPEATABLE READ transaction of its own (the position and
 * the rows read under one snapshot).  An error (a full NOTIFY queue, say)
 * is logged and ends only that transaction, so that the clock keeps
 * ticking; the worker tries again after routing.clock_interval.  Returns
 * whether it succeeded.
 */
static bool
announce_database(void)
{
	MemoryContext worker_context = CurrentMemoryContext;
	volatile bool announced = true;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	XactIsoLevel = XACT_REPEATABLE_READ;
	PG_TRY();
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "routing announcements");
		routing_announce_committed();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(worker_context);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		announced = false;
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	return announced;
}

/*
 * routing_clock_main is a clock worker: it connects to its database, then
 * announces what each commit that sets its latch made, and ticks the
 * database every routing.clock_interval (a batch per transaction, as many
 * as are due) until the postmaster stops it (SIGTERM ends it at its next
 * wait or between two pieces of work).  An error ends the process, and the
 * postmaster starts it again a few seconds later; a crash restarts it with
 * the server.  Announcing also on each tick catches a commit whose wake-up
 * found no worker (it was starting) or came from another session (COMMIT
 * PREPARED).  After an error while announcing, it tries again after
 * routing.clock_interval.
 */
void
routing_clock_main(Datum main_arg)
{
	char		database[BGW_EXTRALEN];
	ClockState	state = CLOCK_STARTING;
	TimestampTz next_tick = 0;
	TimestampTz next_announce = 0;

	strlcpy(database, MyBgworkerEntry->bgw_extra, sizeof(database));
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(database, NULL, 0);
	/*
	 * The worker's plans are kept for its life: made while assignment_log
	 * was small (after a TRUNCATE, say), the announcements' would scan the
	 * whole log on every batch as it grows, as the planner hook keeps the
	 * owner's statements from doing (plumbing.c); and a scan left
	 * sequential, costed at disable_cost, would have each batch JIT-compiled.
	 */
	SetConfigOption("enable_seqscan", "off", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("jit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	routing_announce_attach(DatumGetInt32(main_arg));
	for (;;)
	{
		TimestampTz now = GetCurrentTimestamp();
		bool		announced = false;

		if (now >= next_announce)
		{
			announced = announce_database();
			next_announce = announced ? 0 :
				TimestampTzPlusMilliseconds(now, clock_interval);
		}
		now = GetCurrentTimestamp();
		if (now >= next_tick)
		{
			while (tick_database(database, &state))
				CHECK_FOR_INTERRUPTS();
			now = GetCurrentTimestamp();
			next_tick = TimestampTzPlusMilliseconds(now, clock_interval);
		}
		/* The commits of the next few milliseconds gather into one batch. */
		if (announced)
			(void) WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 ANNOUNCE_GATHER_MS, PG_WAIT_EXTENSION);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(TimestampDifferenceMilliseconds(now, next_tick), 1),
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
}
