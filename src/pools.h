/*
 * pools.h
 *		Who is in a users-and-teams rule's pool, remembered per backend
 *		(pools.c): the member ids a random decision draws from, kept while
 *		the rule names the same teams and agents and no targeted team's
 *		primary members changed.
 */
#ifndef ROUTING_POOLS_H
#define ROUTING_POOLS_H

#include "postgres.h"

#include "utils/snapshot.h"

#include "channel.h"
#include "eligibility.h"

/* What a pool's membership is made of, read under a decision's snapshot. */
typedef struct RoutingPoolKey
{
	int64		account_id;
	int64		channel_id;
	RoutingRuleTargets targets;
	int64	   *team_versions;	/* members_version of each targeted team */
} RoutingPoolKey;

/* A pool's members as the last read of it found them. */
typedef struct RoutingPoolMembers
{
	const int64 *ids;
	int			n;
	int			eligible;		/* how many were eligible then */
} RoutingPoolMembers;

extern void routing_pool_key(const RoutingChannel *channel, Snapshot snapshot,
							 RoutingPoolKey *key);
extern bool routing_pool_lookup(const RoutingPoolKey *key,
								RoutingPoolMembers *members);
extern void routing_pool_remember(const RoutingPoolKey *key, const int64 *ids,
								  int n, int eligible);

#endif							/* ROUTING_POOLS_H */
