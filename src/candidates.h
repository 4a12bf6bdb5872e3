/*
 * candidates.h
 *		Reading a routing decision's candidates (candidates.c): each
 *		method's pool in its order under the decision's snapshot, with the
 *		load row and eligibility of each member; or, traced, the rule's
 *		targets listed into the trace.
 */
#ifndef ROUTING_CANDIDATES_H
#define ROUTING_CANDIDATES_H

#include "postgres.h"

#include "utils/snapshot.h"

#include "channel.h"
#include "eligibility.h"
#include "index_scan.h"
#include "loads.h"
#include "trace.h"

/* A candidate as a method read it. */
typedef struct RoutingCandidate
{
	int64		agent_id;
	int64		load;			/* open conversations of the channel's work */
	int64		tie;			/* equal values may be taken in any order */
	int64		version;
	bool		held;			/* by another transaction, when read */
} RoutingCandidate;

/*
 * A pool member's load row as read: what the least-busy order compares,
 * and what judging the member's eligibility takes from the row.
 */
typedef struct RoutingPoolRow
{
	RoutingCandidate candidate;
	bool		has_last_chat_at;
	TimestampTz last_chat_at;
	RoutingAgentFacts facts;
	bool		room;
} RoutingPoolRow;

/* A targeted team's primary members, in load order. */
typedef struct RoutingTeamStream
{
	RoutingIndexScan rows;
	bool		has_row;
	RoutingPoolRow row;
} RoutingTeamStream;

/*
 * Where an ordered method reads its candidates from: for least busy by chat
 * load, a merge of the targeted teams' streams and the named agents' rows
 * (sorted); otherwise a list of the pool in the method's order; or, traced,
 * the rule's targets listed into the trace.  "next" is the next list entry.
 */
typedef struct RoutingCandidates
{
	RoutingTrace *trace;
	bool		by_merge;
	RoutingTeamStream *teams;
	int			nteams;
	RoutingPoolRow *named;
	int			nnamed;
	int64	   *named_ids;		/* sorted, to skip a named agent met again */
	bool		is_chat;		/* the merge's load and room: chat, else email */
	RoutingPoolRow *list;
	int			nlist;
	int			next;
} RoutingCandidates;

extern void routing_exclude_lapsed(const RoutingChannel *channel, RoutingChecks *checks);
extern bool routing_read_pool_member(const RoutingChannel *channel, int64 agent_id,
									 Snapshot snapshot, RoutingPoolRow *row);
extern bool routing_pool_row_eligible(const RoutingChannel *channel,
									  const RoutingPoolRow *row, Snapshot snapshot);
extern void routing_merge_begin(const RoutingChannel *channel, Snapshot snapshot,
								const RoutingRuleTargets *targets,
								RoutingCandidates *source);
extern bool routing_merge_next(RoutingCandidates *source, RoutingPoolRow *out);
extern void routing_candidates_begin(const RoutingChannel *channel, Snapshot snapshot,
									 RoutingTrace *trace, RoutingCandidates *source);
extern bool routing_candidates_next(const RoutingChannel *channel, Snapshot snapshot,
									RoutingCandidates *source, RoutingCandidate *out);
extern void routing_candidates_end(RoutingCandidates *source);
extern void routing_candidates_rewind(const RoutingChannel *channel, Snapshot snapshot,
									  RoutingCandidates *source);

#endif							/* ROUTING_CANDIDATES_H */
