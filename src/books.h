/*
 * books.h
 *		The conversation books (books.c): what happens when a conversation
 *		is inserted, changes owner or status, or is deleted: routing, the
 *		owner checks, the loads, the assignment log and NOTIFY, and the
 *		queue drained when room frees up.  The
 *		triggers read rows into ConversationRow scalars and write back the
 *		ConversationChanges; the books run as the extension owner.
 */
#ifndef ROUTING_BOOKS_H
#define ROUTING_BOOKS_H

#include "postgres.h"

#include "utils/timestamp.h"

/* The conversation columns the books read or set. */
typedef enum ConversationColumn
{
	CONVERSATION_ACCOUNT_ID,
	CONVERSATION_ID,
	CONVERSATION_CHANNEL_ID,
	CONVERSATION_CONTACT_ID,
	CONVERSATION_STATUS,
	CONVERSATION_AGENT_ID,
	CONVERSATION_TEAM_ID,
	CONVERSATION_ASSIGNED_BY,
	CONVERSATION_ASSIGNED_AT,
	CONVERSATION_REASON,
	CONVERSATION_LOAD_AGENT_ID,
	CONVERSATION_PRIORITY,
	CONVERSATION_COLUMN_COUNT
} ConversationColumn;

/* A conversation row as scalars. */
typedef struct ConversationRow
{
	int64		account_id;
	int64		conversation_id;
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;
	bool		open;
	bool		has_agent;
	int64		agent_id;
	bool		has_team;
	int64		team_id;
	char		assigned_by[8];	/* "" when NULL */
	bool		has_assigned_at;
	TimestampTz assigned_at;
	bool		has_load_agent;
	int64		load_agent_id;
	int32		priority;
} ConversationRow;

/*
 * Changes the books make to a row before it is written.  They are applied
 * after SPI is finished, so their values live in "memory", the trigger's
 * own context.
 */
typedef struct ConversationChanges
{
	MemoryContext memory;
	int			ncols;
	ConversationColumn cols[6];
	Datum		values[6];
	bool		nulls[6];
} ConversationChanges;

extern bool routing_same_owner(const ConversationRow *a, const ConversationRow *b);
extern void routing_book_insert(const ConversationRow *row,
								ConversationChanges *changes);
extern void routing_book_update(const ConversationRow *old,
								const ConversationRow *new,
								ConversationChanges *changes);
extern void routing_book_delete(const ConversationRow *old);
extern void routing_book_owner_change(const ConversationRow *old,
									  const ConversationRow *new,
									  const char *reason);
extern void routing_book_drain(const ConversationRow *old,
							   const ConversationRow *new);

#endif							/* ROUTING_BOOKS_H */
