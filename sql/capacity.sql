-- doc/behaviour.md section 12: capacity.  Work has two types, chat (chat, bot
-- and Messenger channels) and email (email and form channels); an agent's
-- load of a type is the number of open conversations of that type assigned
-- to them, however assigned.  A capacity (routing.capacities) is the most
-- open conversations of a type that automatic routing may give an agent; no
-- row is unlimited.  It is a sixth eligibility check for rules and
-- route_conversation: least busy, random and round robin choose only among
-- agents with room.  Manual assignment, taking and replying may go past it
-- and still count; lowering or adding a capacity never unassigns.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Everybody is active, seated and available.  Channel 1 (chat, least busy)
-- routes to Ann (1), Bob (2) and Cy (3); channel 2 (email) to Bob; channels
-- 3 (bot), 4 (form) and 5 (email) to Ann; channel 8 (chat) to Dee (4);
-- channel 9 (email, random) to Ann, Bob, Cy and Eve (5); channel 10 (chat,
-- round robin) to Gus (7), Hal (8) and Ivy (9); channel 11 (chat) to the
-- contact owner (Fay, 6).  Channels 6 (chat) and 7 (email) have no rule:
-- their conversations are assigned by hand.
insert into routing.agents (agent_id, name) values
    (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee'), (5, 'Eve'), (6, 'Fay'),
    (7, 'Gus'), (8, 'Hal'), (9, 'Ivy');
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'), (2, 100, 'email', 'billing@'),
    (3, 100, 'bot', 'Help bot'), (4, 100, 'form', 'Contact form'),
    (5, 100, 'email', 'help@'), (6, 100, 'chat', 'Manual chat'),
    (7, 100, 'email', 'manual@'), (8, 100, 'chat', 'Dee chat'),
    (9, 100, 'email', 'sales@'), (10, 100, 'chat', 'Turns chat'),
    (11, 100, 'chat', 'Account chat');
insert into routing.rules (channel_id, enabled)
select channel_id, true from routing.channels where channel_id in (1, 2, 3, 4, 5, 8, 9);
insert into routing.rules (channel_id, enabled, distribution) values (10, true, 'round_robin');
insert into routing.rules (channel_id, enabled, assign_to) values (11, true, 'contact_owner');
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 1), (1, 2), (1, 3), (2, 2), (3, 1), (4, 1), (5, 1), (8, 4),
    (9, 1), (9, 2), (9, 3), (9, 5), (10, 7), (10, 8), (10, 9);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values (900, 6, true);

-- The true load of every agent (open conversations assigned to them, by
-- type of channel) set against routing.agent_load: any row is a wrong counter.
create temp view load_mismatch as
select a.agent_id, l.open_chats, l.open_emails,
       coalesce(t.chats, 0) as true_chats, coalesce(t.emails, 0) as true_emails
from routing.agents a
left join routing.agent_load l on l.account_id = a.account_id and l.agent_id = a.agent_id
left join (select c.account_id, c.assignee_agent_id as agent_id,
                  count(*) filter (where ch.kind in ('chat', 'bot', 'messenger')) as chats,
                  count(*) filter (where ch.kind in ('email', 'form')) as emails
           from routing.conversations c
           join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
           where c.status = 'open' and c.assignee_agent_id is not null
           group by 1, 2) t on t.account_id = a.account_id and t.agent_id = a.agent_id
where l.open_chats is distinct from coalesce(t.chats, 0)
   or l.open_emails is distinct from coalesce(t.emails, 0);
-- Ann's, Bob's, Cy's and Dee's loads (chats/emails) and the number of wrong counters.
create temp view books as
select string_agg(format('%s:%s/%s', agent_id, open_chats, open_emails), ' ' order by agent_id)
           as "agent:chats/emails",
       (select count(*) from load_mismatch) as wrong_counters
from routing.agent_load where agent_id <= 4;

-- section 12: capacities per agent and type of work: Ann two chats and one
-- email, Bob one chat, Dee no chat at all; Cy has none (unlimited)
insert into routing.capacities (agent_id, work, max_open) values
    (1, 'chat', 2), (1, 'email', 1), (2, 'chat', 1), (4, 'chat', 0);
select account_id, agent_id, work, max_open from routing.capacities order by agent_id, work;
-- section 12: agent_load shows the load of both types
select agent_id, open_chats, open_emails from routing.agent_load where agent_id <= 4 order by agent_id;

-- section 12: least busy chooses only agents with room: Ann, Bob, Cy in turn
-- (all at 0, then all at 1, with Bob full at 1: Ann, less recently assigned
-- than Cy), then Cy alone (Ann full at 2, Bob at 1), who has no limit
insert into routing.conversations (channel_id) select 1 from generate_series(1, 6)
returning conversation_id, assignee_agent_id, assigned_by;
table books;

-- section 12: a bot conversation is chat work: Ann, at her chat capacity,
-- does not get it, and it stays unassigned
insert into routing.conversations (channel_id) values (3)
returning conversation_id, assignee_agent_id;

-- section 12: capacity is per type: Bob's chat capacity does not limit his
-- email; Ann gets an email (one email of capacity one), then a form
-- conversation is email work too and stays unassigned
insert into routing.conversations (channel_id) values (2) returning conversation_id, assignee_agent_id;
insert into routing.conversations (channel_id) values (5) returning conversation_id, assignee_agent_id;
insert into routing.conversations (channel_id) values (4) returning conversation_id, assignee_agent_id;
table books;

-- section 12: manual assignment, taking and replying may go past capacity,
-- and the load counts it: Ann replies to the form conversation (10, two
-- emails against a capacity of one) and is given the bot conversation (7,
-- three chats against two) by hand; a chat inserted with Bob as its owner
-- (11) takes him to two chats against one, an email inserted with Cy as its
-- owner (12) is counted in his email load
select routing.reply(10, 1) as owner;
select routing.assign(7, 1);
insert into routing.conversations (channel_id, assignee_agent_id) values (6, 2), (7, 3)
returning conversation_id, assignee_agent_id, assigned_by;
select conversation_id, channel_id, assignee_agent_id, assigned_by
from routing.conversations where conversation_id in (7, 10, 11, 12) order by conversation_id;
table books;

-- section 12: over capacity, Ann and Bob get nothing more by rule: the next
-- chat goes to Cy (13), Ann's next email stays unassigned (14)
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;
insert into routing.conversations (channel_id) values (5) returning conversation_id, assignee_agent_id;

-- section 12/6: the email load stays exact through close, reopen, a plain
-- UPDATE of the status, reassignment by function and by plain UPDATE,
-- unassign and delete
select routing.close_conversation(9);
table books;
select routing.reopen_conversation(9);
table books;
update routing.conversations set status = 'closed' where conversation_id = 10;
table books;
select routing.assign(12, 2);
table books;
select routing.unassign(8);
table books;
update routing.conversations set assignee_agent_id = 3 where conversation_id = 8;
table books;
delete from routing.conversations where conversation_id = 12;
table books;

-- section 12: adding a capacity below the load (Cy: one chat, four open) and
-- lowering one (Ann: chats 2 -> 0, three open) never unassigns anything
create temp table owners_before as
select conversation_id, status, assignee_agent_id from routing.conversations;
insert into routing.capacities (agent_id, work, max_open) values (3, 'chat', 1);
update routing.capacities set max_open = 0 where agent_id = 1 and work = 'chat';
select count(*) as changed
from routing.conversations c join owners_before b using (conversation_id)
where (c.status, c.assignee_agent_id) is distinct from (b.status, b.assignee_agent_id);
table books;
-- section 12: it only limits what routing gives next: nobody on channel 1
-- has room, a new chat (15) stays unassigned
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;

-- section 12: a capacity of 0 means never routed to: Dee, with no chat at
-- all, does not get channel 8's chat (16), nor by route_conversation
insert into routing.conversations (channel_id) values (8) returning conversation_id, assignee_agent_id;
select routing.route_conversation(16);

-- section 12: explain_route shows a check named capacity for each candidate:
-- Dee passes every check but capacity and is not eligible
create temp table explained (label text primary key, doc jsonb);
insert into explained select 'dee full', routing.explain_route(16);
select c->'agent_id' as agent_id,
       (select string_agg(k, ', ' order by k) from jsonb_object_keys(c->'checks') k) as checks,
       c->'checks'->'capacity' as capacity, c->'eligible' as eligible
from explained, jsonb_array_elements(doc->'candidates') c
where label = 'dee full' order by (c->>'agent_id')::bigint;
select doc->'eligible_count' as eligible_count, doc->'pick' as pick from explained where label = 'dee full';

-- section 12/13: raising Dee's capacity to one does not route the waiting
-- conversation by itself (channel 8's rule leaves it unassigned for a
-- person); route_conversation then gives it to her, and the next chat of
-- channel 8 (17) finds her full
update routing.capacities set max_open = 1 where agent_id = 4 and work = 'chat';
select conversation_id, assignee_agent_id from routing.conversations where conversation_id = 16;
select routing.route_conversation(16);
select conversation_id, assignee_agent_id, assigned_by from routing.conversations where conversation_id = 16;
insert into routing.conversations (channel_id) values (8) returning conversation_id, assignee_agent_id;

-- section 12: on channel 1 nobody has room: every candidate fails capacity
-- only; without a capacity Cy (removing his row) has room again and is the pick
insert into explained select 'all full', routing.explain_route(15);
select c->'agent_id' as agent_id, c->'checks'->'capacity' as capacity, c->'eligible' as eligible,
       (select count(*) from jsonb_each(c->'checks') k where k.value = 'false') as failed_checks
from explained, jsonb_array_elements(doc->'candidates') c
where label = 'all full' order by (c->>'agent_id')::bigint;
delete from routing.capacities where agent_id = 3 and work = 'chat';
insert into explained select 'cy unlimited', routing.explain_route(15);
select c->'agent_id' as agent_id, c->'checks'->'capacity' as capacity, c->'eligible' as eligible
from explained, jsonb_array_elements(doc->'candidates') c
where label = 'cy unlimited' order by (c->>'agent_id')::bigint;
select doc->'eligible_count' as eligible_count, doc->'pick' as pick from explained where label = 'cy unlimited';
select routing.route_conversation(15);

-- section 12: random chooses only agents with room: of channel 9's targets
-- Ann (one email, capacity one) and Bob (capacity zero) have none, Eve has
-- room for five emails, Cy has no limit.  Of 40 emails Eve gets exactly five
-- (fewer has p < 1e-7), Cy the rest.
insert into routing.capacities (agent_id, work, max_open) values (2, 'email', 0), (5, 'email', 5);
insert into routing.conversations (channel_id) select 9 from generate_series(1, 40);
select assignee_agent_id, count(*) from routing.conversations where channel_id = 9
group by 1 order by 1;
select agent_id, open_emails from routing.agent_load where agent_id = 5;

-- section 12/14: round robin chooses only agents with room: Gus, Hal, Ivy
-- take turns, Hal (capacity one) is skipped once full and the turns go on
insert into routing.capacities (agent_id, work, max_open) values (8, 'chat', 1);
insert into routing.conversations (channel_id) select 10 from generate_series(1, 6)
returning conversation_id, assignee_agent_id;

-- section 12/4b: a contact owner is routed to only with room: Fay (capacity
-- one) gets the first chat of her contact, not the second, which stays
-- unassigned; she is available, so no owner_offline event is recorded
insert into routing.capacities (agent_id, work, max_open) values (6, 'chat', 1);
insert into routing.conversations (channel_id, contact_id) values (11, 900), (11, 900)
returning conversation_id, assignee_agent_id, assigned_by;
select count(*) as events from routing.events;

-- section 12: every counter is the true count after all of the above
select count(*) as wrong_counters from load_mismatch;
select agent_id, open_chats, open_emails from routing.agent_load order by agent_id;

-- section 12/9: bad capacities are refused (CHECK: a negative max_open, an
-- unknown type of work; NOT NULL; an unknown agent) and nothing changes
create temp table capacities_before as select * from routing.capacities;
insert into routing.capacities (agent_id, work, max_open) values (9, 'chat', -1);
\echo :LAST_ERROR_SQLSTATE
insert into routing.capacities (agent_id, work, max_open) values (9, 'sms', 3);
\echo :LAST_ERROR_SQLSTATE
update routing.capacities set max_open = -1 where agent_id = 1 and work = 'email';
\echo :LAST_ERROR_SQLSTATE
update routing.capacities set work = 'phone' where agent_id = 1 and work = 'email';
\echo :LAST_ERROR_SQLSTATE
insert into routing.capacities (agent_id, work, max_open) values (9, 'chat', null);
\echo :LAST_ERROR_SQLSTATE
insert into routing.capacities (agent_id, work, max_open) values (99, 'chat', 1);
\echo :LAST_ERROR_SQLSTATE
select (select count(*) from (table routing.capacities except table capacities_before) n) as new_rows,
       (select count(*) from (table capacities_before except table routing.capacities) g) as gone_rows;
