/*
 * set_cache.c
 *		The two-way set associative cache both per-backend caches of
 *		routing decisions are: a fixed number of slots, two to a set, each
 *		set holding the two keys that hashed to it most recently used (the
 *		first slot the most recent), so that the memory is fixed and two keys
 *		that share a set do not evict each other.  A key's set is the hash of
 *		its account and channel plus its agent id, so that the agents of one
 *		channel with nearby ids (a pool, usually) take distinct sets.  The
 *		cache is emptied when the versions generation moves
 *		(routing_versions_generation: agent_checks_seq dropped, reset or
 *		replaced, agent_loads or teams rewritten), so that a version that
 *		came back never finds what it meant before.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "plumbing.h"
#include "set_cache.h"

/*
 * slot_at is the cache's i-th slot.
 */
static RoutingCacheKey *
slot_at(RoutingSetCache *cache, int i)
{
	return (RoutingCacheKey *) (cache->slots + cache->slot_size * i);
}

/*
 * second is the second slot of the set whose first is "set".
 */
static RoutingCacheKey *
second(RoutingSetCache *cache, RoutingCacheKey *set)
{
	return (RoutingCacheKey *) ((char *) set + cache->slot_size);
}

/*
 * holds tells whether a slot holds "key".
 */
static bool
holds(const RoutingCacheKey *slot, const RoutingCacheKey *key)
{
	return slot->filled && slot->agent_id == key->agent_id &&
		slot->account_id == key->account_id && slot->channel_id == key->channel_id;
}

/*
 * routing_set_cache_empty forgets every slot.
 */
void
routing_set_cache_empty(RoutingSetCache *cache)
{
	if (cache->slots == NULL)
		return;
	memset(cache->slots, 0, cache->slot_size * cache->nslots);
	if (cache->emptied != NULL)
		cache->emptied();
}

/*
 * swap_slots exchanges two slots of "size" bytes.
 */
static void
swap_slots(char *a, char *b, Size size)
{
	char		buffer[64];

	for (Size done = 0; done < size; done += sizeof(buffer))
	{
		Size		n = Min(sizeof(buffer), size - done);

		memcpy(buffer, a + done, n);
		memcpy(a + done, b + done, n);
		memcpy(b + done, buffer, n);
	}
}

/*
 * key_set is the first of the two slots of key's set, with key's slot, if it
 * has one, moved first; the cache is allocated on first use, and emptied
 * first if the versions generation moved since it was filled.
 */
static RoutingCacheKey *
key_set(RoutingSetCache *cache, const RoutingCacheKey *key)
{
	int64		channel_key[2] = {key->account_id, key->channel_id};
	uint64		generation = routing_versions_generation();
	RoutingCacheKey *set;

	/* (the name is a string constant of the cache's definition) */
	if (cache->slots == NULL)
		cache->slots = MemoryContextAllocZero(
			AllocSetContextCreateInternal(TopMemoryContext, cache->name,
										  ALLOCSET_SMALL_SIZES),
			cache->slot_size * cache->nslots);
	else if (cache->generation != generation)
		routing_set_cache_empty(cache);
	cache->generation = generation;
	set = slot_at(cache, ((hash_bytes((const unsigned char *) channel_key,
									  sizeof(channel_key)) + (uint64) key->agent_id) %
						  (cache->nslots / 2)) * 2);
	if (!holds(set, key) && holds(second(cache, set), key))
		swap_slots((char *) set, (char *) second(cache, set), cache->slot_size);
	return set;
}

/*
 * routing_set_cache_find is the slot that holds "key", moved first in its
 * set; NULL when the cache holds none.
 */
void *
routing_set_cache_find(RoutingSetCache *cache, const RoutingCacheKey *key)
{
	RoutingCacheKey *set = key_set(cache, key);

	return holds(set, key) ? set : NULL;
}

/*
 * routing_set_cache_take is the slot to fill with what "key" holds, empty
 * and first in its set: the slot that held the key, forgotten, or else the
 * set's first, whose key (if any) moves to the second slot in place of the
 * set's least recently used.  The caller fills it and its key.
 */
void *
routing_set_cache_take(RoutingSetCache *cache, const RoutingCacheKey *key)
{
	RoutingCacheKey *set = key_set(cache, key);
	RoutingCacheKey *other = second(cache, set);

	if (set->filled && !holds(set, key))
	{
		if (other->filled && cache->forget != NULL)
			cache->forget(other);
		memcpy(other, set, cache->slot_size);
	}
	else if (set->filled && cache->forget != NULL)
		cache->forget(set);
	memset(set, 0, cache->slot_size);
	return set;
}
