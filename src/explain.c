/*
 * explain.c
 *		routing.explain_route(): the decision for a conversation as it would
 *		be made now, as JSON, so that a DBA can answer "why did Ann get this
 *		chat and not Bob?" (section 8).  The decision is the real one
 *		(decision.c), traced and run without claiming.
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "decision.h"
#include "hours.h"
#include "plumbing.h"

/* The most candidates an explanation lists. */
#define EXPLAIN_MAX_CANDIDATES 1000

static RoutingPlan conversation_plan = {
	.sql =
	"select c.channel_id, c.status, c.assignee_agent_id, c.assignee_team_id,"
	" c.contact_id"
	" from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan agent_name_plan = {
	.sql =
	"select a.name from routing.agents a"
	" where a.account_id" EQ "$1 and a.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * value_or_null is a column of the first row of the last result as JSON
 * text, for number columns.
 */
static const char *
value_or_null(int col)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);

	return value ? value : "null";
}

/*
 * append_bool writes a JSON member with a boolean value.
 */
static void
append_bool(StringInfo buf, const char *key, bool value)
{
	appendStringInfo(buf, "\"%s\": %s", key, value ? "true" : "false");
}

static RoutingPlan idle_plan = {
	.sql =
	"select t.due_at from routing.agent_timers t"
	" where t.account_id" EQ "$1 and t.agent_id" EQ "$2 and t.kind" EQ "'idle'",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * append_time writes a JSON string member with a timestamp.
 */
static void
append_time(StringInfo buf, const char *key, TimestampTz at)
{
	appendStringInfo(buf, "\"%s\": ", key);
	escape_json(buf, DatumGetCString(DirectFunctionCall1(timestamptz_out,
														 TimestampTzGetDatum(at))));
}

/*
 * append_time_state writes a candidate's state by the clock (section 16),
 * where it matters: their working hours now (working or not, and the next
 * boundary), and when they become idle.
 */
static void
append_time_state(StringInfo buf, int64 account_id, int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};
	RoutingHours hours;

	routing_hours_at(account_id, agent_id, GetCurrentTimestamp(), &hours);
	if (hours.has_hours)
	{
		appendStringInfoString(buf, "\"working_hours\": {");
		append_bool(buf, "working", hours.working);
		appendStringInfoString(buf, ", ");
		append_time(buf, "next_boundary", hours.next);
		appendStringInfoString(buf, "}, ");
	}
	if (routing_exec(&idle_plan, values, NULL, 1) == 1)
	{
		append_time(buf, "idle_at", (TimestampTz) routing_get_int64(0, 1, NULL));
		appendStringInfoString(buf, ", ");
	}
}

/*
 * append_candidate writes a traced candidate: its name, role, each check
 * by the name eligibility.h gives it, and its load.
 */
static void
append_candidate(StringInfo buf, int64 account_id, const RoutingTraceCandidate *c)
{
	const RoutingChecks *checks = &c->checks;
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(checks->agent_id)};

	appendStringInfo(buf, "{\"agent_id\": %lld, \"name\": ",
					 (long long) checks->agent_id);
	if (routing_exec(&agent_name_plan, values, NULL, 1) == 1)
		escape_json(buf, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	else
		appendStringInfoString(buf, "null");
	appendStringInfo(buf, ", \"role\": \"%s\", \"checks\": {", c->role);
	for (int check = 0; check < ROUTING_CHECK_COUNT; check++)
	{
		if (check > 0)
			appendStringInfoString(buf, ", ");
		append_bool(buf, routing_check_names[check], checks->passed[check]);
	}
	appendStringInfoString(buf, "}, ");
	if (checks->offer_lapsed)
		appendStringInfoString(buf, "\"offer_lapsed\": true, ");
	append_time_state(buf, account_id, checks->agent_id);
	append_bool(buf, "eligible", checks->eligible);
	appendStringInfo(buf, ", \"open_chats\": %lld, \"open_emails\": %lld,"
					 " \"last_assigned_at\": ",
					 (long long) checks->open_chats, (long long) checks->open_emails);
	if (checks->has_last_chat_at)
		escape_json(buf, DatumGetCString(DirectFunctionCall1(timestamptz_out,
															 TimestampTzGetDatum(checks->last_chat_at))));
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/* An explanation asked for, and the JSON text written for it. */
typedef struct ExplainRequest
{
	int64		conversation_id;
	int64		account_id;
	StringInfo	buf;			/* in the caller's memory: outlives SPI */
} ExplainRequest;

/*
 * write_explanation is routing_explain_route's work as the extension owner:
 * it traces the decision and appends its JSON to request->buf.
 */
static void
write_explanation(void *arg)
{
	ExplainRequest *request = arg;
	StringInfo	buf = request->buf;
	Datum		values[2] = {Int64GetDatum(request->account_id),
	Int64GetDatum(request->conversation_id)};
	RoutingDecision decision;
	RoutingTrace trace = {0};
	const RoutingChannel *channel = &trace.channel;
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;

	if (routing_exec(&conversation_plan, values, NULL, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("conversation %lld does not exist in account %lld",
						(long long) request->conversation_id,
						(long long) request->account_id)));
	appendStringInfo(buf,
					 "{\"account_id\": %lld, \"conversation_id\": %lld, \"status\": \"%s\","
					 " \"current_agent_id\": %s, \"current_team_id\": %s,",
					 (long long) request->account_id,
					 (long long) request->conversation_id,
					 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
					 value_or_null(3), value_or_null(4));
	channel_id = routing_get_int64(0, 1, NULL);
	contact_id = routing_get_int64(0, 5, &has_contact);

	trace.candidates = palloc0(sizeof(RoutingTraceCandidate) * EXPLAIN_MAX_CANDIDATES);
	trace.max_candidates = EXPLAIN_MAX_CANDIDATES;
	routing_decide(request->account_id, channel_id, request->conversation_id,
				   has_contact, contact_id, NULL, &decision, &trace);

	appendStringInfo(buf,
					 " \"channel_id\": %lld, \"channel_kind\": \"%s\", \"inbox_id\": %lld,"
					 " \"inbox_restricted\": %s, \"rule\": {\"enabled\": %s,"
					 " \"assign_to\": \"%s\", \"only_available\": %s, \"default_agent_id\": ",
					 (long long) channel->channel_id, channel->kind,
					 (long long) channel->inbox_id, channel->restricted ? "true" : "false",
					 channel->rule_enabled ? "true" : "false",
					 channel->contact_owner ? "contact_owner" : "users_and_teams",
					 channel->only_available ? "true" : "false");
	if (channel->has_default_agent)
		appendStringInfo(buf, "%lld}", (long long) channel->default_agent_id);
	else
		appendStringInfoString(buf, "null}");
	appendStringInfo(buf, ", \"method\": \"%s\", \"candidates\": [", trace.method);
	for (int i = 0; i < trace.ncandidates; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		append_candidate(buf, request->account_id, &trace.candidates[i]);
	}
	appendStringInfo(buf, "], \"eligible_count\": %d, \"pick\": ", trace.neligible);
	if (trace.pick >= 0)
		appendStringInfo(buf, "%lld", (long long) trace.candidates[trace.pick].checks.agent_id);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ", \"reason\": ");
	escape_json(buf, trace.reason);
	appendStringInfoChar(buf, '}');
}

PG_FUNCTION_INFO_V1(routing_explain_route);

/*
 * routing_explain_route is routing.explain_route(conversation_id): the rule,
 * every candidate with each eligibility check, load and last assignment, the
 * pick and the reason, as the decision would be made now.  It reads only,
 * and locks nothing.
 */
Datum
routing_explain_route(PG_FUNCTION_ARGS)
{
	ExplainRequest request;
	StringInfoData buf;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("conversation_id and account_id must not be null")));
	request.conversation_id = PG_GETARG_INT64(0);
	request.account_id = PG_GETARG_INT64(1);
	initStringInfo(&buf);
	request.buf = &buf;
	routing_as_owner_for(request.account_id, write_explanation, &request);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
