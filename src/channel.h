/*
 * channel.h
 *		A conversation's channel, its inbox and its rule, as every decision
 *		reads them (channel.c).
 */
#ifndef ROUTING_CHANNEL_H
#define ROUTING_CHANNEL_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/snapshot.h"

/* How a rule picks among eligible agents (section 14), "default" resolved. */
typedef enum RoutingDistribution
{
	DISTRIBUTION_RANDOM,
	DISTRIBUTION_LEAST_BUSY,
	DISTRIBUTION_ROUND_ROBIN
} RoutingDistribution;

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
	RoutingDistribution distribution;
	bool		queue;			/* when_nobody = 'queue' */
	bool		offers;			/* accept_within is set (section 16) */
	Interval	accept_within;
	int32		max_offers;
	int32		away_after_lapses;	/* 0: off */
	/* The agents a decision's conversation excludes (lapsed offers). */
	const int64 *excluded;
	int			nexcluded;
} RoutingChannel;

extern bool routing_kind_is_chat(const char *kind);
extern void routing_load_channel(int64 account_id, int64 channel_id,
								 Snapshot snapshot, RoutingChannel *channel);

#endif							/* ROUTING_CHANNEL_H */
