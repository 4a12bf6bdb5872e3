/*
 * shards.h
 *		Where routing's tables are on a Citus node (shards.c): the shard group
 *		a piece of work runs in, found from a trigger's shard or from an
 *		account, and the names of the group's shard relations.  On a single
 *		server there is no group and every name is the table's own.
 */
#ifndef ROUTING_SHARDS_H
#define ROUTING_SHARDS_H

#include "postgres.h"

#include "utils/relcache.h"

/* One account's co-located shards of every routing table, on this node. */
typedef struct RoutingShardGroup RoutingShardGroup;

extern void routing_shards_init(void);
extern struct HTAB *routing_shards_cache(const char *name, Size keysize, Size entrysize);
extern const RoutingShardGroup *routing_shards_current(void);
extern void routing_shards_set_current(const RoutingShardGroup *group);
extern bool routing_shards_distributed(uint64 schema_generation);
extern const RoutingShardGroup *routing_shards_of_relation(Relation rel);
extern const RoutingShardGroup *routing_shards_of_account(int64 account_id,
														  uint64 schema_generation);
extern int	routing_shards_local(const RoutingShardGroup ***groups);
extern int64 routing_shards_next_conversation_id(Relation rel);
extern uint64 routing_shards_key(const RoutingShardGroup *group);
extern uint64 routing_shards_generation(void);
extern uint64 routing_shard_id(const char *table);
extern void routing_shard_name(const char *name, uint64 shard_id, char *out);
extern char *routing_shards_sql(const char *sql);

#endif							/* ROUTING_SHARDS_H */
