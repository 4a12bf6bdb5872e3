/*
 * explain.c
 *		routing.explain_route(): the decision for a conversation as it would
 *		be made now, as JSON, so that a DBA can answer "why did Ann get this
 *		chat and not Bob?" (BEHAVIOUR.md section 8).
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "routing.h"

/* One candidate of the explanation. */
typedef struct Candidate
{
	RoutingChecks checks;
	int64		open_chats;
	char	   *name;
	char	   *last_assigned_at;	/* NULL when never */
	const char *role;
} Candidate;

#define EXPLAIN_COLUMNS \
	"select l.agent_id, a.name, " SQL_CHECK_COLUMNS ", l.open_chats," \
	" l.last_chat_at from routing.agent_loads l" \
	" join routing.agents a on a.account_id" EQ "l.account_id" \
	"  and a.agent_id" EQ "l.agent_id"

/* Every agent the rule names, directly or through a team (any role). */
static RoutingPlan targets_plan = {
	.sql =
	EXPLAIN_COLUMNS
	" where l.account_id" EQ "$1"
	" and (l.agent_id" EQ "any (select t.agent_id from routing.rule_targets t"
	"   where t.account_id" EQ "$1 and t.channel_id" EQ "$2)"
	"  or l.agent_id" EQ "any (select m.agent_id from routing.team_members m"
	"   join routing.rule_targets t on t.account_id" EQ "m.account_id"
	"    and t.team_id" EQ "m.team_id"
	"   where m.account_id" EQ "$1 and t.channel_id" EQ "$2))"
	SQL_LOAD_ORDER,
	.nargs = 6,
	.argtypes = {ELIGIBILITY_ARGTYPES}
};

static RoutingPlan one_agent_plan = {
	.sql =
	EXPLAIN_COLUMNS " where l.account_id" EQ "$1 and l.agent_id" EQ "$6",
	.nargs = 6,
	.argtypes = {ELIGIBILITY_ARGTYPES}
};

static RoutingPlan conversation_plan = {
	.sql =
	"select c.channel_id, c.status, c.assignee_agent_id, c.assignee_team_id,"
	" c.contact_id, k.owner_agent_id, k.tracked"
	" from routing.conversations c"
	" left join routing.contacts k on k.account_id" EQ "c.account_id"
	"  and k.contact_id" EQ "c.contact_id"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * read_candidates turns the rows of the last query into candidates, their
 * checks judged as the channel's rule judges them.
 */
static int
read_candidates(const RoutingChannel *channel, bool need_target,
				const char *role, Candidate *out, int max)
{
	int			n = Min((int) SPI_processed, max);

	for (int i = 0; i < n; i++)
	{
		Candidate  *c = &out[i];
		RoutingChecks *k = &c->checks;
		bool		isnull;

		k->agent_id = routing_get_int64(i, 1, NULL);
		c->name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		routing_read_checks(channel, need_target, i, 3, k);
		c->open_chats = routing_get_int64(i, 3 + SQL_CHECK_COLUMN_COUNT, NULL);
		SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
					  4 + SQL_CHECK_COLUMN_COUNT, &isnull);
		c->last_assigned_at = isnull ? NULL :
			SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
						 4 + SQL_CHECK_COLUMN_COUNT);
		c->role = role;
	}
	return n;
}

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
 * append_bool and append_candidate write JSON members.
 */
static void
append_bool(StringInfo buf, const char *key, bool value)
{
	appendStringInfo(buf, "\"%s\": %s", key, value ? "true" : "false");
}

static void
append_candidate(StringInfo buf, const Candidate *c)
{
	appendStringInfo(buf, "{\"agent_id\": %lld, \"name\": ",
					 (long long) c->checks.agent_id);
	escape_json(buf, c->name);
	appendStringInfo(buf, ", \"role\": \"%s\", \"checks\": {", c->role);
	append_bool(buf, "active", c->checks.active);
	appendStringInfoString(buf, ", ");
	append_bool(buf, "paid_seat", c->checks.seat);
	appendStringInfoString(buf, ", ");
	append_bool(buf, "inbox_access", c->checks.access);
	appendStringInfoString(buf, ", ");
	append_bool(buf, "target", c->checks.target);
	appendStringInfoString(buf, ", ");
	append_bool(buf, "available", c->checks.available);
	appendStringInfoString(buf, "}, ");
	append_bool(buf, "eligible", c->checks.eligible);
	appendStringInfo(buf, ", \"open_chats\": %lld, \"last_assigned_at\": ",
					 (long long) c->open_chats);
	if (c->last_assigned_at)
		escape_json(buf, c->last_assigned_at);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/* The most candidates an explanation lists. */
#define EXPLAIN_MAX_CANDIDATES 1000

/* An explanation asked for, and the JSON text written for it. */
typedef struct ExplainRequest
{
	int64		conversation_id;
	int64		account_id;
	StringInfo	buf;			/* in the caller's memory: outlives SPI */
} ExplainRequest;

/*
 * write_explanation is routing_explain_route's work as the extension owner:
 * it appends the explanation's JSON to request->buf.
 */
static void
write_explanation(void *arg)
{
	ExplainRequest *request = arg;
	int64		conversation_id = request->conversation_id;
	int64		account_id = request->account_id;
	StringInfo	buf = request->buf;
	Datum		values[6];
	RoutingChannel channel;
	Candidate  *candidates;
	int			ncandidates = 0;
	int			neligible = 0;
	int			pick = -1;
	const char *method;
	StringInfoData reason;
	bool		has_owner;
	int64		owner_id;

	candidates = palloc0(sizeof(Candidate) * EXPLAIN_MAX_CANDIDATES);
	initStringInfo(&reason);
	values[0] = Int64GetDatum(account_id);
	values[1] = Int64GetDatum(conversation_id);
	if (routing_exec(&conversation_plan, values, NULL, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("conversation %lld does not exist in account %lld",
						(long long) conversation_id, (long long) account_id)));
	appendStringInfo(buf,
					 "{\"account_id\": %lld, \"conversation_id\": %lld, \"status\": \"%s\","
					 " \"current_agent_id\": %s, \"current_team_id\": %s,",
					 (long long) account_id, (long long) conversation_id,
					 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
					 value_or_null(3), value_or_null(4));
	owner_id = routing_get_int64(0, 6, &has_owner);
	has_owner = has_owner && routing_get_bool(0, 7);
	routing_load_channel(account_id, routing_get_int64(0, 1, NULL),
						 InvalidSnapshot, &channel);
	appendStringInfo(buf,
					 " \"channel_id\": %lld, \"channel_kind\": \"%s\", \"inbox_id\": %lld,"
					 " \"inbox_restricted\": %s, \"rule\": {\"enabled\": %s,"
					 " \"assign_to\": \"%s\", \"only_available\": %s, \"default_agent_id\": ",
					 (long long) channel.channel_id, channel.kind,
					 (long long) channel.inbox_id, channel.restricted ? "true" : "false",
					 channel.rule_enabled ? "true" : "false",
					 channel.contact_owner ? "contact_owner" : "users_and_teams",
					 channel.only_available ? "true" : "false");
	if (channel.has_default_agent)
		appendStringInfo(buf, "%lld}", (long long) channel.default_agent_id);
	else
		appendStringInfoString(buf, "null}");

	if (!channel.rule_enabled)
	{
		method = "none";
		appendStringInfoString(&reason, "the channel has no enabled rule: the conversation stays unassigned");
	}
	else if (channel.contact_owner)
	{
		bool		use_default = !has_owner && strcmp(channel.kind, "chat") == 0 &&
			channel.has_default_agent;

		method = "contact_owner";
		if (has_owner || use_default)
		{
			routing_eligibility_args(&channel, has_owner ? owner_id : channel.default_agent_id,
									 values);
			routing_exec(&one_agent_plan, values, NULL, 1);
			ncandidates = read_candidates(&channel, false,
										  has_owner ? "contact_owner" : "default_agent",
										  candidates, 1);
		}
		if (ncandidates == 1 && candidates[0].checks.eligible)
		{
			pick = 0;
			appendStringInfo(&reason, "the %s is eligible",
							 has_owner ? "contact owner" : "default agent");
		}
		else if (ncandidates == 1)
			appendStringInfo(&reason, "the %s is not eligible%s: the conversation stays unassigned",
							 has_owner ? "contact owner" : "default agent",
							 candidates[0].checks.eligible_but_away && has_owner ?
							 " (away: an owner_offline event is recorded)" : "");
		else
			appendStringInfoString(&reason, "the contact has no tracked owner and the channel"
								   " no default agent: the conversation stays unassigned");
	}
	else
	{
		routing_eligibility_args(&channel, 0, values);
		routing_exec(&targets_plan, values, NULL, 0);
		ncandidates = read_candidates(&channel, true, "target", candidates,
									  EXPLAIN_MAX_CANDIDATES);
		for (int i = 0; i < ncandidates; i++)
		{
			if (!candidates[i].checks.eligible)
				continue;
			if (neligible++ == 0)
				pick = i;
		}
		method = channel.is_chat ? "least_busy" : "random";
		if (neligible == 0)
			appendStringInfoString(&reason, "no eligible agent: the conversation stays unassigned");
		else if (!channel.is_chat)
		{
			appendStringInfo(&reason, "a uniformly random pick among the %d eligible agents",
							 neligible);
			pick = -1;
		}
		else
		{
			appendStringInfo(&reason, "fewest open chats (%lld)",
							 (long long) candidates[pick].open_chats);
			for (int i = pick + 1; i < ncandidates; i++)
			{
				if (!candidates[i].checks.eligible)
					continue;
				if (candidates[i].open_chats == candidates[pick].open_chats)
					appendStringInfo(&reason,
									 "; tied with agent %lld, who was assigned a chat more recently or has a larger id",
									 (long long) candidates[i].checks.agent_id);
				break;
			}
		}
	}
	if (channel.contact_owner)
		neligible = pick >= 0 ? 1 : 0;

	/* The names and times point into SPI memory: write them before leaving. */
	appendStringInfo(buf, ", \"method\": \"%s\", \"candidates\": [", method);
	for (int i = 0; i < ncandidates; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		append_candidate(buf, &candidates[i]);
	}
	appendStringInfoString(buf, "], \"eligible_count\": ");
	appendStringInfo(buf, "%d, \"pick\": ", neligible);
	if (pick >= 0)
		appendStringInfo(buf, "%lld", (long long) candidates[pick].checks.agent_id);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ", \"reason\": ");
	escape_json(buf, reason.data);
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
	routing_as_owner(write_explanation, &request);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
