/*
 * announce.h
 *		Announcing changes of owner (announce.c): the NOTIFY of section 8,
 *		sent by the transaction itself or, when routing is preloaded, in
 *		batches by the database's clock worker.
 */
#ifndef ROUTING_ANNOUNCE_H
#define ROUTING_ANNOUNCE_H

#include "postgres.h"

#include "nodes/pg_list.h"

/* Who announces the current transaction's changes of owner. */
typedef enum RoutingAnnouncer
{
	ROUTING_ANNOUNCER_NONE,		/* nobody: routing.notify is off, or a shard */
	ROUTING_ANNOUNCER_SELF,		/* the transaction, by NOTIFY */
	ROUTING_ANNOUNCER_WORKER	/* the clock worker, from assignment_log */
} RoutingAnnouncer;

/* One change of owner, as announced: an assignment_log row. */
typedef struct RoutingAnnouncement
{
	int64		account_id;
	int64		conversation_id;
	int64		log_id;
	bool		has_agent;
	int64		agent_id;
	bool		has_team;
	int64		team_id;
	const char *assigned_by;	/* NULL when none */
} RoutingAnnouncement;

extern void routing_announce_preload(List *databases);
extern RoutingAnnouncer routing_announcer(void);
extern void routing_announce(RoutingAnnouncer announcer,
							 const RoutingAnnouncement *announcement);
extern void routing_announce_attach(int slot);
extern void routing_announce_committed(void);

#endif							/* ROUTING_ANNOUNCE_H */
