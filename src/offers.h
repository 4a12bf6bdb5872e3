/*
 * offers.h
 *		The offers of section 16 as rows (offers.c): starting one when a
 *		rule assigns a conversation whose rule says accept_within, the
 *		agents a conversation's lapsed offers exclude, and ending one.
 *		Every offers row is written under its conversation's row lock.
 */
#ifndef ROUTING_OFFERS_H
#define ROUTING_OFFERS_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/snapshot.h"

extern TimestampTz routing_offer_deadline(TimestampTz from, const Interval *within);
extern void routing_offer_start(int64 account_id, int64 conversation_id,
								int64 agent_id, TimestampTz due_at, bool offered);
extern bool routing_offer_exists(int64 account_id, int64 conversation_id,
								 Snapshot snapshot);
extern int64 *routing_offer_exclusions(int64 account_id, int64 conversation_id,
									   Snapshot snapshot, int *count);
extern void routing_offer_end(int64 account_id, int64 conversation_id);
extern bool routing_offer_accept(int64 account_id, int64 conversation_id,
								 int64 agent_id);

#endif							/* ROUTING_OFFERS_H */
