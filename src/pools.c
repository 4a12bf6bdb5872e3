/*
 * pools.c
 *		The pool cache: the member ids of each users-and-teams rule's pool
 *		that a random decision last read whole, so that the next one draws
 *		among the pool's members, not among the account's agents, without
 *		reading the pool again.
 *
 *		A pool is the agents the rule names and the primary members of the
 *		teams it names.  The rule's targets are read by every decision (two
 *		index scans); a team's primary members are summed up by its
 *		members_version, which every change of them moves to a value never
 *		used before, in the same transaction (routing--1.4--1.5.sql).  So a
 *		cached pool whose targets and team versions equal those read under
 *		the decision's snapshot is the pool under that snapshot.  Only who is
 *		in it is cached: each drawn member's load row and eligibility are
 *		read under the snapshot as before, and the claim still decides.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "index_scan.h"
#include "pools.h"
#include "set_cache.h"

/* The most ids the cache holds in all; a pool larger than that is not kept. */
#define POOL_CACHE_IDS 131072

/* A pool in a slot of the cache: its key's agent is 0. */
typedef struct CachedPool
{
	RoutingCacheKey key;
	int			nteams;
	int64	   *team_ids;
	int64	   *team_versions;
	int			nagents;
	int64	   *agent_ids;
	int			nmembers;
	int64	   *member_ids;
	int			eligible;
} CachedPool;

static void forget_slot(void *slot);
static void forget_ids(void);

/* A set cache (set_cache.c) of a pool per channel. */
static RoutingSetCache pool_cache = {
	.name = "routing pool cache",
	.nslots = 8192,
	.slot_size = sizeof(CachedPool),
	.forget = forget_slot,
	.emptied = forget_ids
};

/* Where the slots' ids are allocated, and how many they hold. */
static MemoryContext pool_ids_context = NULL;
static int64 pool_cache_ids = 0;

static RoutingTable teams_table = {
	.name = "teams",
	.columns = {"members_version"}
};

/*
 * routing_pool_key reads, under "snapshot", what the channel's pool is made
 * of: the rule's targets and the members_version of each targeted team.
 */
void
routing_pool_key(const RoutingChannel *channel, Snapshot snapshot, RoutingPoolKey *key)
{
	key->account_id = channel->account_id;
	key->channel_id = channel->channel_id;
	routing_rule_targets(channel, snapshot, &key->targets);
	key->team_versions = palloc(sizeof(int64) * Max(key->targets.nteams, 1));
	for (int i = 0; i < key->targets.nteams; i++)
	{
		RoutingIndexScan scan;
		int64		keys[2] = {channel->account_id, key->targets.team_ids[i]};

		routing_index_scan_begin(&scan, &teams_table, 2, keys, snapshot);
		key->team_versions[i] = routing_index_scan_next(&scan) ?
			DatumGetInt64(routing_index_scan_value(&scan, 0, NULL)) : -1;
		routing_index_scan_end(&scan);
	}
}

/*
 * forget_ids frees every slot's ids, once the cache was emptied.
 */
static void
forget_ids(void)
{
	if (pool_ids_context != NULL)
		MemoryContextReset(pool_ids_context);
	pool_cache_ids = 0;
}

/*
 * pool_key is the cache's key of the channel of "key".
 */
static RoutingCacheKey
pool_key(const RoutingPoolKey *key)
{
	RoutingCacheKey cache_key = {.account_id = key->account_id,
	.channel_id = key->channel_id, .filled = true};

	return cache_key;
}

/*
 * same_ids tells whether two id arrays are equal.
 */
static bool
same_ids(const int64 *a, const int64 *b, int n)
{
	return n == 0 || memcmp(a, b, sizeof(int64) * n) == 0;
}

/*
 * routing_pool_lookup finds the pool that "key" describes in the cache;
 * false when it holds none.
 */
bool
routing_pool_lookup(const RoutingPoolKey *key, RoutingPoolMembers *members)
{
	RoutingCacheKey cache_key = pool_key(key);
	CachedPool *slot = routing_set_cache_find(&pool_cache, &cache_key);

	if (slot == NULL ||
		slot->nteams != key->targets.nteams || slot->nagents != key->targets.nagents ||
		!same_ids(slot->team_ids, key->targets.team_ids, slot->nteams) ||
		!same_ids(slot->team_versions, key->team_versions, slot->nteams) ||
		!same_ids(slot->agent_ids, key->targets.agent_ids, slot->nagents))
		return false;
	members->ids = slot->member_ids;
	members->n = slot->nmembers;
	members->eligible = slot->eligible;
	return true;
}

/*
 * copy_ids copies n ids into the cache's memory.
 */
static int64 *
copy_ids(const int64 *ids, int n)
{
	int64	   *copy = MemoryContextAlloc(pool_ids_context, sizeof(int64) * Max(n, 1));

	memcpy(copy, ids, sizeof(int64) * n);
	return copy;
}

/*
 * forget_slot frees what a slot holds.
 */
static void
forget_slot(void *slot)
{
	CachedPool *pool = slot;

	pool_cache_ids -= (int64) pool->nmembers + 2 * pool->nteams + pool->nagents;
	pfree(pool->team_ids);
	pfree(pool->team_versions);
	pfree(pool->agent_ids);
	pfree(pool->member_ids);
}

/*
 * routing_pool_remember keeps the n member ids of the pool that "key"
 * describes, of which "eligible" were eligible, in the first slot of the
 * channel's set, in place of what the channel's slot held, or else of the
 * set's least recently used.  When the cache would outgrow POOL_CACHE_IDS
 * it is emptied first; an empty pool, or one larger than that, is not kept.
 */
void
routing_pool_remember(const RoutingPoolKey *key, const int64 *ids, int n, int eligible)
{
	RoutingCacheKey cache_key = pool_key(key);
	CachedPool *slot = routing_set_cache_take(&pool_cache, &cache_key);
	int64		size = (int64) n + 2 * key->targets.nteams + key->targets.nagents;

	if (pool_ids_context == NULL)
		pool_ids_context = AllocSetContextCreate(TopMemoryContext, "routing pool members",
												 ALLOCSET_DEFAULT_SIZES);
	if (n == 0 || size > POOL_CACHE_IDS)
		return;
	if (pool_cache_ids + size > POOL_CACHE_IDS)
		routing_set_cache_empty(&pool_cache);
	slot->key = cache_key;
	slot->nteams = key->targets.nteams;
	slot->team_ids = copy_ids(key->targets.team_ids, key->targets.nteams);
	slot->team_versions = copy_ids(key->team_versions, key->targets.nteams);
	slot->nagents = key->targets.nagents;
	slot->agent_ids = copy_ids(key->targets.agent_ids, key->targets.nagents);
	slot->member_ids = copy_ids(ids, n);
	slot->nmembers = n;
	slot->eligible = eligible;
	pool_cache_ids += size;
}
