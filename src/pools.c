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

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "index_scan.h"
#include "pools.h"

/*
 * A two-way set associative cache of this many pools per backend: a set of
 * two slots holds the two channels that hashed to it most recently used
 * (the first slot the most recent), so that 3,000 accounts' email pools
 * stay remembered even where two of them share a set (direct-mapped, a
 * third of them evicted each other).
 */
#define POOL_CACHE_SLOTS 8192
/* The most ids it holds in all (1 MB); a pool larger than that is not kept. */
#define POOL_CACHE_IDS 131072

typedef struct CachedPool
{
	int64		account_id;
	int64		channel_id;
	int			nteams;
	int64	   *team_ids;
	int64	   *team_versions;
	int			nagents;
	int64	   *agent_ids;
	int			nmembers;			/* 0: an empty slot */
	int64	   *member_ids;
	int			eligible;
} CachedPool;

static CachedPool pool_cache[POOL_CACHE_SLOTS];
static MemoryContext pool_cache_context = NULL;
static int64 pool_cache_ids = 0;

/* The routing_versions_generation() the cache was filled under. */
static uint64 pool_cache_generation = 0;

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
 * empty_cache forgets every pool.
 */
static void
empty_cache(void)
{
	if (pool_cache_context != NULL)
		MemoryContextReset(pool_cache_context);
	memset(pool_cache, 0, sizeof(pool_cache));
	pool_cache_ids = 0;
}

/*
 * cache_set is the channel's set of two slots, its slot (if it has one)
 * moved first, after emptying the cache if the versions generation moved
 * since it was filled (a version it holds could now mean something else).
 */
static CachedPool *
cache_set(int64 account_id, int64 channel_id)
{
	int64		key[2] = {account_id, channel_id};
	uint64		generation = routing_versions_generation();
	CachedPool *set;

	if (pool_cache_generation != generation)
		empty_cache();
	pool_cache_generation = generation;
	set = &pool_cache[(hash_bytes((const unsigned char *) key, sizeof(key)) %
					   (POOL_CACHE_SLOTS / 2)) * 2];
	if (set[1].nmembers > 0 && set[1].account_id == account_id &&
		set[1].channel_id == channel_id)
	{
		CachedPool	used = set[1];

		set[1] = set[0];
		set[0] = used;
	}
	return set;
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
	CachedPool *slot = cache_set(key->account_id, key->channel_id);

	if (slot->nmembers == 0 || slot->account_id != key->account_id ||
		slot->channel_id != key->channel_id ||
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
	int64	   *copy = MemoryContextAlloc(pool_cache_context, sizeof(int64) * Max(n, 1));

	memcpy(copy, ids, sizeof(int64) * n);
	return copy;
}

/*
 * forget_slot empties a slot.
 */
static void
forget_slot(CachedPool *slot)
{
	if (slot->nmembers == 0)
		return;
	pool_cache_ids -= (int64) slot->nmembers + 2 * slot->nteams + slot->nagents;
	pfree(slot->team_ids);
	pfree(slot->team_versions);
	pfree(slot->agent_ids);
	pfree(slot->member_ids);
	slot->nmembers = 0;
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
	CachedPool *set = cache_set(key->account_id, key->channel_id);
	CachedPool *slot = &set[0];
	int64		size = (int64) n + 2 * key->targets.nteams + key->targets.nagents;

	if (pool_cache_context == NULL)
		pool_cache_context = AllocSetContextCreate(TopMemoryContext, "routing pool cache",
												   ALLOCSET_DEFAULT_SIZES);
	if (slot->nmembers > 0 && (slot->account_id != key->account_id ||
							   slot->channel_id != key->channel_id))
	{
		/* Another channel's pool moves to the second slot, evicting its. */
		forget_slot(&set[1]);
		set[1] = set[0];
		slot->nmembers = 0;
	}
	else
		forget_slot(slot);
	if (n == 0 || size > POOL_CACHE_IDS)
		return;
	if (pool_cache_ids + size > POOL_CACHE_IDS)
		empty_cache();
	slot->account_id = key->account_id;
	slot->channel_id = key->channel_id;
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
