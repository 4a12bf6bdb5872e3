/*
 * routing.h
 *		What the routing extension's C files share: the SPI helpers that run
 *		as the extension owner, the channel lookup, the routing decision and
 *		the load-row primitives.
 */
#ifndef ROUTING_H
#define ROUTING_H

#include "postgres.h"
#include "fmgr.h"

#include "executor/spi.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"

/*
 * SQL fragments.  Every name is schema-qualified and every operator spelled
 * OPERATOR(pg_catalog.x), so a caller's search_path cannot change what runs.
 */
#define EQ " OPERATOR(pg_catalog.=) "

/*
 * The eligibility checks of BEHAVIOUR.md section 3, for the candidate row
 * aliased "l" (its column agent_id).  Parameters: $1 account_id,
 * $2 channel_id, $3 inbox_id, $4 inbox is restricted, $5 only_available.
 */
#define SQL_ACTIVE \
	"exists (select 1 from routing.agents a where a.account_id" EQ "$1" \
	" and a.agent_id" EQ "l.agent_id and a.active)"
#define SQL_SEAT \
	"exists (select 1 from routing.seats s where s.account_id" EQ "$1" \
	" and s.agent_id" EQ "l.agent_id)"
#define SQL_ACCESS \
	"(not $4" \
	" or exists (select 1 from routing.inbox_access x where x.account_id" EQ "$1" \
	"  and x.inbox_id" EQ "$3 and x.agent_id" EQ "l.agent_id)" \
	" or exists (select 1 from routing.team_members m" \
	"  join routing.inbox_access x on x.account_id" EQ "m.account_id" \
	"   and x.team_id" EQ "m.team_id" \
	"  where m.account_id" EQ "$1 and m.agent_id" EQ "l.agent_id" \
	"   and x.inbox_id" EQ "$3))"
#define SQL_TARGET \
	"(exists (select 1 from routing.rule_targets t where t.account_id" EQ "$1" \
	"  and t.channel_id" EQ "$2 and t.agent_id" EQ "l.agent_id)" \
	" or exists (select 1 from routing.team_members m" \
	"  join routing.rule_targets t on t.account_id" EQ "m.account_id" \
	"   and t.team_id" EQ "m.team_id" \
	"  where m.account_id" EQ "$1 and m.agent_id" EQ "l.agent_id" \
	"   and m.role" EQ "'primary' and t.channel_id" EQ "$2))"
#define SQL_AVAILABLE \
	"exists (select 1 from routing.availability v where v.account_id" EQ "$1" \
	" and v.agent_id" EQ "l.agent_id and v.status" EQ "'available')"
#define SQL_ELIGIBLE \
	SQL_ACTIVE " and " SQL_SEAT " and " SQL_ACCESS " and " SQL_TARGET \
	" and (not $5 or " SQL_AVAILABLE ")"
/*
 * The load row's versions and each check as its own column, read in one
 * snapshot: what routing_read_checks() reads.
 */
#define SQL_CHECK_COLUMNS \
	"l.version, l.checks_version, " SQL_ACTIVE ", " SQL_SEAT ", " \
	SQL_ACCESS ", " SQL_TARGET ", " SQL_AVAILABLE
#define SQL_CHECK_COLUMN_COUNT 7
/* Least busy first: fewest open chats, least recent chat, smallest id. */
#define SQL_LOAD_ORDER " order by l.open_chats, l.last_chat_at nulls first, l.agent_id"
/* The argument types of every query that uses the fragments above. */
#define ELIGIBILITY_ARGTYPES INT8OID, INT8OID, INT8OID, BOOLOID, BOOLOID, INT8OID

/* Number of parameters of the widest kept plan. */
#define ROUTING_MAX_ARGS 10

/* A kept plan: prepared on first use in a backend, then reused. */
typedef struct RoutingPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[ROUTING_MAX_ARGS];
	SPIPlanPtr	plan;
} RoutingPlan;

/* The channel of a conversation, its inbox and its rule. */
typedef struct RoutingChannel
{
	int64		account_id;
	int64		channel_id;
	int64		inbox_id;
	char		kind[16];
	bool		is_chat;		/* chat, bot or messenger: counts as load */
	bool		restricted;		/* inbox open only to inbox_access */
	bool		rule_enabled;
	bool		contact_owner;	/* assign_to = 'contact_owner' */
	bool		only_available;
	bool		has_default_agent;
	int64		default_agent_id;
} RoutingChannel;

/* One agent's eligibility checks on a channel (section 3). */
typedef struct RoutingChecks
{
	int64		agent_id;
	bool		exists;
	int64		version;		/* of the agent's load row */
	int64		checks_version; /* ditto: what the checks were read under */
	bool		active;
	bool		seat;
	bool		access;
	bool		target;
	bool		available;
	bool		eligible;
	bool		eligible_but_away;	/* only availability stands in the way */
} RoutingChecks;

/* Whose load rows an eligibility change locks. */
typedef enum RoutingScope
{
	ROUTING_SCOPE_AGENT,
	ROUTING_SCOPE_TEAM,
	ROUTING_SCOPE_ACCOUNT,
	ROUTING_SCOPE_ALL			/* every account: a TRUNCATE */
} RoutingScope;

/* The outcome of a routing decision. */
typedef struct RoutingDecision
{
	bool		assigned;
	int64		agent_id;
	bool		counted;		/* the claim added the chat to the agent's load */
	TimestampTz decided_at;
	char		reason[128];
} RoutingDecision;

/* A scan of a routing table through one of its indexes (routing.c). */
typedef struct RoutingIndexScan
{
	Relation	table;
	Relation	index;
	struct IndexScanDescData *scan;
	struct TupleTableSlot *slot;
} RoutingIndexScan;

/* Work done as the extension owner (routing_as_owner). */
typedef void (*RoutingOwnerWork) (void *arg);

/* routing.c */
extern void routing_as_owner(RoutingOwnerWork work, void *arg);
extern uint64 routing_schema_generation(void);
extern int	routing_exec(RoutingPlan *plan, Datum *values, const char *nulls,
						 long count);
extern int	routing_exec_snapshot(RoutingPlan *plan, Datum *values,
								  const char *nulls, long count,
								  Snapshot snapshot);
extern Snapshot routing_take_snapshot(void);
extern int64 routing_get_int64(int row, int col, bool *has_value);
extern bool routing_get_bool(int row, int col);
extern void routing_load_channel(int64 account_id, int64 channel_id,
								 Snapshot snapshot, RoutingChannel *channel);
extern void routing_index_scan_begin(RoutingIndexScan *scan, const char *table,
									 const char *index, int nkeys,
									 const int64 *keys, Snapshot snapshot);
extern bool routing_index_scan_next(RoutingIndexScan *scan);
extern AttrNumber routing_index_scan_column(RoutingIndexScan *scan,
											const char *name);
extern Datum routing_index_scan_value(RoutingIndexScan *scan, AttrNumber attnum,
									  bool *isnull);
extern void routing_index_scan_end(RoutingIndexScan *scan);
extern bool routing_notify_enabled;

/* eligibility.c */
extern void routing_eligibility_args(const RoutingChannel *channel, int64 extra,
									 Datum *values);
extern void routing_read_checks(const RoutingChannel *channel, bool need_target,
								int row, int first_col, RoutingChecks *checks);
extern void routing_agent_check(const RoutingChannel *channel, int64 agent_id,
								bool need_target, Snapshot snapshot,
								RoutingChecks *checks);
extern bool routing_candidate_eligible(const RoutingChannel *channel,
									   int64 agent_id, int64 checks_version,
									   Snapshot snapshot);
extern bool routing_team_has_access(const RoutingChannel *channel,
									int64 team_id);
extern bool routing_holds_load_rows(void);
extern bool routing_claim(int64 account_id, int64 agent_id, int64 version,
						  bool count_chat, bool wait, TimestampTz now);
extern void routing_adjust_load(int64 account_id, int64 agent_id, int delta,
								TimestampTz given_at);
extern void routing_bump_versions(RoutingScope scope, int64 account_id,
								  int64 id);
extern void routing_create_load_row(int64 account_id, int64 agent_id);
extern void routing_zero_loads(void);
extern bool routing_books_writing(void);

/* selection.c */
extern void routing_decide(int64 account_id, int64 channel_id,
						   int64 conversation_id, bool has_contact,
						   int64 contact_id, RoutingDecision *decision);

/* triggers.c */
extern void routing_expect_routed_update(int64 account_id,
										 int64 conversation_id);

/* explain.c has only its SQL-callable function. */

/* manual.c */
extern void routing_check_owner_access(const RoutingChannel *channel,
									   int64 conversation_id, bool has_agent,
									   int64 agent_id, bool has_team,
									   int64 team_id);

#endif							/* ROUTING_H */
