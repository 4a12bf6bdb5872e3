/*
 * set_cache.h
 *		A per-backend two-way set associative cache (set_cache.c), keyed by
 *		account, channel and, for a cache of agents, agent: the verdict
 *		cache (eligibility.c) and the pool cache (pools.c).
 */
#ifndef ROUTING_SET_CACHE_H
#define ROUTING_SET_CACHE_H

#include "postgres.h"

/* What a slot holds; every slot begins with one. */
typedef struct RoutingCacheKey
{
	int64		account_id;
	int64		channel_id;
	int64		agent_id;		/* 0 in a cache of channels */
	bool		filled;			/* false: an empty slot */
} RoutingCacheKey;

/*
 * A cache of nslots slots of slot_size bytes, two to a set, allocated on
 * first use in a memory context named "name" (a string constant).
 * "forget" frees what a slot it replaces or evicts holds (NULL: nothing);
 * "emptied" is told when the whole cache was emptied (NULL: nobody).
 */
typedef struct RoutingSetCache
{
	const char *name;
	int			nslots;
	Size		slot_size;
	void		(*forget) (void *slot);
	void		(*emptied) (void);
	char	   *slots;
	uint64		generation;		/* the routing_versions_generation() of the slots */
} RoutingSetCache;

extern void *routing_set_cache_find(RoutingSetCache *cache, const RoutingCacheKey *key);
extern void *routing_set_cache_take(RoutingSetCache *cache, const RoutingCacheKey *key);
extern void routing_set_cache_empty(RoutingSetCache *cache);

#endif							/* ROUTING_SET_CACHE_H */
