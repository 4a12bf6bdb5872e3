/*
 * channel.c
 *		Reading a channel, its inbox and its rule by primary key, without a
 *		plan: every routing decision and every owner change starts here.
 */
#include "postgres.h"
#include "fmgr.h"

#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "index_scan.h"
#include "plumbing.h"

enum
{
	CHANNEL_KIND, CHANNEL_INBOX_ID
};
static RoutingTable channels_table = {
	.name = "channels",
	.columns = {"kind", "inbox_id"}
};

enum
{
	INBOX_ACCESS
};
static RoutingTable inboxes_table = {
	.name = "inboxes",
	.columns = {"access"}
};

enum
{
	RULE_ENABLED, RULE_ASSIGN_TO, RULE_ONLY_AVAILABLE, RULE_DEFAULT_AGENT_ID,
	RULE_DISTRIBUTION, RULE_WHEN_NOBODY, RULE_ACCEPT_WITHIN, RULE_MAX_OFFERS,
	RULE_AWAY_AFTER_LAPSES
};
static RoutingTable rules_table = {
	.name = "rules",
	.columns = {"enabled", "assign_to", "only_available", "default_agent_id",
	"distribution", "when_nobody", "accept_within", "max_offers",
	"away_after_lapses"}
};

/*
 * routing_kind_is_chat tells whether a channel kind counts as chat load
 * (section 4a): chat, bot and Messenger do; email and form do not.
 */
bool
routing_kind_is_chat(const char *kind)
{
	return strcmp(kind, "chat") == 0 || strcmp(kind, "bot") == 0 ||
		strcmp(kind, "messenger") == 0;
}

/*
 * routing_load_channel reads a channel, its inbox and its rule by primary
 * key, under "snapshot" (InvalidSnapshot: a new one).  The foreign key on
 * conversations guarantees the channel exists for any stored row.
 */
void
routing_load_channel(int64 account_id, int64 channel_id, Snapshot snapshot,
					 RoutingChannel *channel)
{
	Snapshot	own_snapshot = NULL;
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, channel_id};

	if (snapshot == InvalidSnapshot)
		snapshot = own_snapshot = routing_take_snapshot();
	memset(channel, 0, sizeof(*channel));
	channel->account_id = account_id;
	channel->channel_id = channel_id;

	routing_index_scan_begin(&scan, &channels_table, 2, keys, snapshot);
	if (!routing_index_scan_next(&scan))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("channel %lld does not exist in account %lld",
						(long long) channel_id, (long long) account_id)));
	strlcpy(channel->kind, routing_index_scan_text(&scan, CHANNEL_KIND),
			sizeof(channel->kind));
	channel->is_chat = routing_kind_is_chat(channel->kind);
	channel->inbox_id = DatumGetInt64(routing_index_scan_value(&scan, CHANNEL_INBOX_ID,
															   NULL));
	routing_index_scan_end(&scan);

	keys[1] = channel->inbox_id;
	routing_index_scan_begin(&scan, &inboxes_table, 2, keys, snapshot);
	if (!routing_index_scan_next(&scan))
		elog(ERROR, "inbox %lld of channel %lld does not exist",
			 (long long) channel->inbox_id, (long long) channel_id);
	channel->restricted = strcmp(routing_index_scan_text(&scan, INBOX_ACCESS),
								 "restricted") == 0;
	routing_index_scan_end(&scan);

	keys[1] = channel_id;
	routing_index_scan_begin(&scan, &rules_table, 2, keys, snapshot);
	if (routing_index_scan_next(&scan))
	{
		bool		no_default_agent;
		Datum		default_agent_id = routing_index_scan_value(&scan, RULE_DEFAULT_AGENT_ID,
																&no_default_agent);
		char	   *distribution = routing_index_scan_text(&scan, RULE_DISTRIBUTION);
		bool		no_offers;
		Datum		accept_within;
		bool		no_away_after_lapses;
		Datum		away_after_lapses;

		channel->rule_enabled = DatumGetBool(routing_index_scan_value(&scan, RULE_ENABLED,
																	  NULL));
		channel->contact_owner = strcmp(routing_index_scan_text(&scan, RULE_ASSIGN_TO),
										"contact_owner") == 0;
		channel->only_available = DatumGetBool(routing_index_scan_value(&scan,
																		RULE_ONLY_AVAILABLE,
																		NULL));
		channel->has_default_agent = !no_default_agent;
		if (channel->has_default_agent)
			channel->default_agent_id = DatumGetInt64(default_agent_id);
		channel->distribution =
			strcmp(distribution, "random") == 0 ? DISTRIBUTION_RANDOM :
			strcmp(distribution, "least_busy") == 0 ? DISTRIBUTION_LEAST_BUSY :
			strcmp(distribution, "round_robin") == 0 ? DISTRIBUTION_ROUND_ROBIN :
			channel->is_chat ? DISTRIBUTION_LEAST_BUSY : DISTRIBUTION_RANDOM;
		channel->queue = strcmp(routing_index_scan_text(&scan, RULE_WHEN_NOBODY),
								"queue") == 0;
		accept_within = routing_index_scan_value(&scan, RULE_ACCEPT_WITHIN, &no_offers);
		channel->offers = !no_offers;
		if (channel->offers)
			channel->accept_within = *DatumGetIntervalP(accept_within);
		channel->max_offers = DatumGetInt32(routing_index_scan_value(&scan, RULE_MAX_OFFERS,
																	 NULL));
		away_after_lapses = routing_index_scan_value(&scan, RULE_AWAY_AFTER_LAPSES,
													 &no_away_after_lapses);
		if (!no_away_after_lapses)
			channel->away_after_lapses = DatumGetInt32(away_after_lapses);
	}
	routing_index_scan_end(&scan);
	if (own_snapshot != NULL)
		UnregisterSnapshot(own_snapshot);
}
