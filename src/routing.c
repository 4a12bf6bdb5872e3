/*
 * routing.c
 *		Module set-up and the SPI plumbing every other file uses: kept plans,
 *		running as the extension owner, and the channel lookup.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "routing.h"

PG_MODULE_MAGIC;

bool		routing_notify_enabled = true;

void		_PG_init(void);

/*
 * _PG_init defines the routing.notify setting: a sharded deployment cannot
 * NOTIFY from a two-phase commit, so it turns the announcements off and
 * reads assignment_log instead.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("routing.notify",
							 "Sends a NOTIFY on channel routing_assignment for each change of owner.",
							 NULL,
							 &routing_notify_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("routing");
}

/*
 * routing_owner returns the owner of schema routing, which CREATE EXTENSION
 * made: the extension owner.  It is looked up each time through the syscache
 * so that an ALTER ... OWNER is seen at once.
 */
static Oid
routing_owner(void)
{
	Oid			namespace_oid = get_namespace_oid("routing", false);
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(namespace_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for schema %u", namespace_oid);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * routing_enter connects to SPI and switches to the extension owner, as
 * ri_triggers.c does for foreign key checks, so that the routing tables are
 * read with the owner's rights whatever the caller was granted (and row
 * level security, if a DBA enables it, does not hide rows from routing).
 * An error unwinds both at transaction or subtransaction abort.
 */
void
routing_enter(Oid *saved_userid, int *saved_sec_context)
{
	GetUserIdAndSecContext(saved_userid, saved_sec_context);
	SetUserIdAndSecContext(routing_owner(),
						   *saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/*
 * routing_leave closes what routing_enter opened, in reverse order.
 */
void
routing_leave(Oid saved_userid, int saved_sec_context)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	SetUserIdAndSecContext(saved_userid, saved_sec_context);
}

/*
 * kept_plan prepares a plan on its first use in the backend and keeps it.
 * Every statement is schema-qualified and uses OPERATOR(pg_catalog.=), so
 * the caller's search_path is never consulted, not even when the plan is
 * first prepared.  Plans are generic: left to choose, the plan cache kept
 * re-planning the least-busy query for every insert into a small account
 * (half of the backend's time with a pool of 10).
 */
static SPIPlanPtr
kept_plan(RoutingPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare_cursor(plan->sql, plan->nargs,
												  plan->argtypes,
												  CURSOR_OPT_GENERIC_PLAN);

		if (prepared == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 plan->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(prepared) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan->plan = prepared;
	}
	return plan->plan;
}

/*
 * routing_exec_snapshot runs a kept plan, reading under "snapshot" (with
 * InvalidSnapshot, a new one, as for any query), and returns the number of
 * rows it produced or touched.
 */
int
routing_exec_snapshot(RoutingPlan *plan, Datum *values, const char *nulls,
					  long count, Snapshot snapshot)
{
	int			rc = SPI_execute_snapshot(kept_plan(plan), values, nulls,
										  snapshot, InvalidSnapshot, false,
										  true, count);

	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s",
			 plan->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * routing_exec runs a kept plan under a new snapshot.
 */
int
routing_exec(RoutingPlan *plan, Datum *values, const char *nulls, long count)
{
	return routing_exec_snapshot(plan, values, nulls, count, InvalidSnapshot);
}

/*
 * routing_take_snapshot takes and registers a snapshot that also sees the
 * transaction's own earlier changes, as SPI takes one for each query; the
 * caller unregisters it.
 */
Snapshot
routing_take_snapshot(void)
{
	Snapshot	snapshot;

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	snapshot = RegisterSnapshot(GetActiveSnapshot());
	PopActiveSnapshot();
	return snapshot;
}

/*
 * routing_get_int64 reads a bigint column of the last result; has_value, if
 * given, says whether it was not NULL.
 */
int64
routing_get_int64(int row, int col, bool *has_value)
{
	bool		null;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, col, &null);

	if (has_value)
		*has_value = !null;
	return null ? 0 : DatumGetInt64(value);
}

/*
 * routing_get_bool reads a boolean column of the last result; NULL is false.
 */
bool
routing_get_bool(int row, int col)
{
	bool		null;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, col, &null);

	return !null && DatumGetBool(value);
}

static RoutingPlan channel_plan = {
	.sql =
	"select c.kind, c.inbox_id,"
	" i.access OPERATOR(pg_catalog.=) 'restricted',"
	" r.enabled, r.assign_to OPERATOR(pg_catalog.=) 'contact_owner',"
	" r.only_available, r.default_agent_id"
	" from routing.channels c"
	" join routing.inboxes i on i.account_id OPERATOR(pg_catalog.=) c.account_id"
	"  and i.inbox_id OPERATOR(pg_catalog.=) c.inbox_id"
	" left join routing.rules r on r.account_id OPERATOR(pg_catalog.=) c.account_id"
	"  and r.channel_id OPERATOR(pg_catalog.=) c.channel_id"
	" where c.account_id OPERATOR(pg_catalog.=) $1"
	" and c.channel_id OPERATOR(pg_catalog.=) $2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_load_channel reads a channel, its inbox and its rule, under
 * "snapshot" (InvalidSnapshot: a new one).  The foreign
 * key on conversations guarantees the channel exists for any stored row.
 */
void
routing_load_channel(int64 account_id, int64 channel_id, Snapshot snapshot,
					 RoutingChannel *channel)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(channel_id)};
	char	   *kind;
	memset(channel, 0, sizeof(*channel));
	channel->account_id = account_id;
	channel->channel_id = channel_id;
	if (routing_exec_snapshot(&channel_plan, values, NULL, 1, snapshot) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("channel %lld does not exist in account %lld",
						(long long) channel_id, (long long) account_id)));
	kind = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	strlcpy(channel->kind, kind, sizeof(channel->kind));
	channel->is_chat = strcmp(kind, "chat") == 0 || strcmp(kind, "bot") == 0 ||
		strcmp(kind, "messenger") == 0;
	channel->inbox_id = routing_get_int64(0, 2, NULL);
	channel->restricted = routing_get_bool(0, 3);
	channel->rule_enabled = routing_get_bool(0, 4);
	channel->contact_owner = routing_get_bool(0, 5);
	channel->only_available = routing_get_bool(0, 6);
	channel->default_agent_id = routing_get_int64(0, 7, &channel->has_default_agent);
}
