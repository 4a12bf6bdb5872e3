-- doc/behaviour.md section 13: the queue.  A rule whose when_nobody is 'queue'
-- keeps the conversations nobody eligible has room for waiting in
-- routing.queue, and the extension assigns them by the rule, in the same
-- transaction as the change that frees room (a close, a delete, a
-- reassignment away, an agent becoming available, a capacity raised or
-- removed, a seat, inbox access, rule target or primary team gained).
-- Order: higher priority first, then created_at, then conversation_id; a new
-- conversation never jumps the queue.  Each case that frees room looks at
-- the head of the queue inside the transaction, before COMMIT.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Ann (1) is the target of the queue channel 1 (chat), with a chat
-- capacity of one.  Bob (2) is a target of nothing and takes conversations
-- by hand.  Each of the queue channels 3 to 8 waits for one thing: Cy (3) to
-- become available (channel 3), Dee (4) to get a seat (4), Eve (5) to get
-- access to the restricted inbox 200 (5), Fay (6) to become a target (6),
-- team 70 (Gus, 7, primary) to become a target (7), somebody to become a
-- primary member of team 80 (8; Hal, 8, and Ivy, 9, each with a chat
-- capacity of one).  Channel 9 (chat) keeps the default, leave_unassigned,
-- and routes to Lee (12), away.  Channel 11 (chat) queues for the contact
-- owner Kim (11), away.  Channel 12 (chat) queues for Mia (13), chat
-- capacity one.  Channels 13 and 14 (chat) queue for Ned (14), chat capacity
-- zero.  Channel 15 (chat) queues for Pat (16), away, chat capacity two
-- (Quinn, 17, chat capacity two, joins its targets later).  Channel 20
-- (chat) has no rule.
insert into routing.agents (agent_id, name) values
    (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee'), (5, 'Eve'), (6, 'Fay'),
    (7, 'Gus'), (8, 'Hal'), (9, 'Ivy'), (11, 'Kim'), (12, 'Lee'), (13, 'Mia'),
    (14, 'Ned'), (16, 'Pat'), (17, 'Quinn');
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents where agent_id <> 4;
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id not in (3, 11, 12, 16);
select count(routing.set_availability(agent_id, 'away')) as away
from routing.agents where agent_id in (3, 11, 12, 16);
insert into routing.teams (team_id, name) values (10, 'Support'), (70, 'Sales'), (80, 'Nights');
insert into routing.team_members (team_id, agent_id, role) values (70, 7, 'primary');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (3, 100, 'chat', 'Cy chat'), (4, 100, 'chat', 'Dee chat'),
    (5, 200, 'chat', 'VIP chat'), (6, 100, 'chat', 'Fay chat'),
    (7, 100, 'chat', 'Sales chat'), (8, 100, 'chat', 'Night chat'),
    (9, 100, 'chat', 'Lee chat'), (11, 100, 'chat', 'Account chat'),
    (12, 100, 'chat', 'Mia chat'), (13, 100, 'chat', 'Ned chat'),
    (14, 100, 'chat', 'Ned shop chat'), (15, 100, 'chat', 'Pat chat'),
    (20, 100, 'chat', 'Manual chat');
insert into routing.rules (channel_id, enabled, when_nobody)
select channel_id, true, 'queue' from routing.channels where channel_id not in (9, 11, 20);
insert into routing.rules (channel_id, enabled) values (9, true);
insert into routing.rules (channel_id, enabled, assign_to, when_nobody)
values (11, true, 'contact_owner', 'queue');
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 1), (3, 3), (4, 4), (5, 5), (9, 12), (12, 13), (13, 14), (14, 14), (15, 16);
insert into routing.rule_targets (channel_id, team_id) values (8, 80);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values (900, 11, true);
insert into routing.capacities (agent_id, work, max_open) values
    (1, 'chat', 1), (8, 'chat', 1), (9, 'chat', 1), (13, 'chat', 1), (14, 'chat', 0),
    (16, 'chat', 2), (17, 'chat', 2);

-- waiting(channel): the queue of one channel, in order, as
-- "conversation@position" (and ":priority" when not 0).
create function pg_temp.waiting(channel bigint) returns text language sql as $$
    select coalesce(string_agg(conversation_id || '@' || position
                               || case when priority <> 0 then ':p' || priority else '' end,
                               ' ' order by position), '(empty)')
    from routing.queue where channel_id = channel
$$;
-- owners(ids): who owns each of these conversations, and how.
create function pg_temp.owners(ids bigint[]) returns table
    (conversation_id bigint, status text, assignee_agent_id bigint,
     assignee_team_id bigint, assigned_by text)
language sql as $$
    select conversation_id, status, assignee_agent_id, assignee_team_id, assigned_by
    from routing.conversations where conversation_id = any (ids) order by conversation_id
$$;

-- section 13: a rule leaves nobody's conversations unassigned unless it says
-- queue (default leave_unassigned), and a conversation's priority is 0
-- unless given
select channel_id, when_nobody from routing.rules where channel_id in (1, 9) order by channel_id;
select column_default from information_schema.columns
where table_schema = 'routing' and table_name = 'conversations' and column_name = 'priority';

-- section 13: when_nobody is leave_unassigned or queue; anything else is
-- refused (CHECK) and nothing changes
update routing.rules set when_nobody = 'wait' where channel_id = 9;
\echo :LAST_ERROR_SQLSTATE
insert into routing.rules (channel_id, enabled, when_nobody) values (20, true, 'later');
\echo :LAST_ERROR_SQLSTATE
select channel_id, when_nobody from routing.rules where channel_id in (9, 20) order by channel_id;
-- section 13: the priority is not null
insert into routing.conversations (conversation_id, channel_id, created_at, priority)
values (999, 20, '2026-01-05 08:00+00', null);
\echo :LAST_ERROR_SQLSTATE

-- section 13: leave_unassigned: with nobody eligible the chat (901) stays in
-- Unassigned, not in the queue, and Lee becoming available does not route
-- it (it waits for a person); the next chat (902) goes to Lee
insert into routing.conversations (conversation_id, channel_id, created_at)
values (901, 9, '2026-01-05 08:00+00') returning conversation_id, assignee_agent_id;
select count(*) as queued from routing.queue where conversation_id = 901;
select routing.set_availability(12, 'available');
select * from pg_temp.owners('{901}');
insert into routing.conversations (conversation_id, channel_id, created_at)
values (902, 9, '2026-01-05 08:01+00') returning conversation_id, assignee_agent_id, assigned_by;

-- section 13: queue: Ann takes 101; 102 and 103 wait for her in the queue
-- (and in Unassigned), in order of arrival
insert into routing.conversations (conversation_id, channel_id, created_at) values
    (101, 1, '2026-01-05 09:01+00'), (102, 1, '2026-01-05 09:02+00'), (103, 1, '2026-01-05 09:03+00')
returning conversation_id, assignee_agent_id, assigned_by;
select * from routing.queue order by channel_id, position;
select conversation_id from routing.unassigned where channel_id = 1 order by conversation_id;

-- section 13: a close (by function) frees Ann's room: the head (102) is hers,
-- by the rule, in the same transaction
begin;
select routing.close_conversation(101);
select * from pg_temp.owners('{101,102,103}');
select pg_temp.waiting(1);
commit;
select * from pg_temp.owners('{102}');

-- section 13: a close by plain UPDATE does the same: 103 is Ann's
begin;
update routing.conversations set status = 'closed' where conversation_id = 102;
select * from pg_temp.owners('{102,103}');
select pg_temp.waiting(1);
commit;

-- three more wait: 104, 105, 106
insert into routing.conversations (conversation_id, channel_id, created_at) values
    (104, 1, '2026-01-05 09:04+00'), (105, 1, '2026-01-05 09:05+00'), (106, 1, '2026-01-05 09:06+00')
returning conversation_id, assignee_agent_id;
select pg_temp.waiting(1);

-- section 13: a delete frees room: 104 is Ann's
begin;
delete from routing.conversations where conversation_id = 103;
select * from pg_temp.owners('{104}');
select pg_temp.waiting(1);
commit;

-- section 13: a reassignment to another agent frees room: Bob takes 104 by
-- hand, and 105 is Ann's by the rule
begin;
select routing.assign(104, 2);
select * from pg_temp.owners('{104,105}');
select pg_temp.waiting(1);
commit;

-- section 13: a reassignment to a team frees room: 106 is Ann's
begin;
select routing.assign_team(105, 10);
select * from pg_temp.owners('{105,106}');
select pg_temp.waiting(1);
commit;

-- two more wait: 107, 108
insert into routing.conversations (conversation_id, channel_id, created_at) values
    (107, 1, '2026-01-05 09:07+00'), (108, 1, '2026-01-05 09:08+00')
returning conversation_id, assignee_agent_id;

-- section 13: unassigning 106 frees Ann's room and puts 106 back in its
-- original place, first (it is older than 107): it is drained like any
-- other, and Ann has it again, by the rule; 107 and 108 still wait
begin;
select routing.unassign(106);
select * from pg_temp.owners('{106,107,108}');
select pg_temp.waiting(1);
commit;
select from_agent_id, to_agent_id, assigned_by from routing.assignment_log
where conversation_id = 106 order by log_id;

-- section 13: unassigning Bob's 104 puts it back in its original place
-- (09:04, before 107 and 108), not at the end; nobody has room for it
select routing.unassign(104);
select pg_temp.waiting(1);

-- section 13: taking (a reply), assigning and closing a queued conversation
-- removes it from the queue
select routing.reply(108, 2) as owner;
select pg_temp.waiting(1);
select routing.assign(107, 2);
select pg_temp.waiting(1);
select routing.close_conversation(104);
select pg_temp.waiting(1);
select * from pg_temp.owners('{104,107,108}');

-- section 13: reopening puts a conversation back in its original place:
-- 104 (09:04) goes before 109 (09:09), which arrived while it was closed
insert into routing.conversations (conversation_id, channel_id, created_at)
values (109, 1, '2026-01-05 09:09+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(1);
select routing.reopen_conversation(104);
select pg_temp.waiting(1);

-- section 13: a capacity raised frees room: Ann (one chat, 106) may have two,
-- and the head, 104, is hers
begin;
update routing.capacities set max_open = 2 where agent_id = 1 and work = 'chat';
select * from pg_temp.owners('{104,109}');
select pg_temp.waiting(1);
commit;

-- section 13: a capacity removed frees room: Ann has no limit, and every
-- waiting conversation (109, 110, 111) is hers, in order, until the queue
-- is empty
insert into routing.conversations (conversation_id, channel_id, created_at) values
    (110, 1, '2026-01-05 09:10+00'), (111, 1, '2026-01-05 09:11+00')
returning conversation_id, assignee_agent_id;
begin;
delete from routing.capacities where agent_id = 1 and work = 'chat';
select * from pg_temp.owners('{109,110,111}');
select pg_temp.waiting(1);
commit;
select string_agg(conversation_id::text, ' ' order by log_id) as assigned_in_order
from routing.assignment_log where conversation_id in (109, 110, 111) and to_agent_id = 1;

-- section 12/13: a capacity added back (one chat, Ann has five) unassigns
-- nothing
insert into routing.capacities (agent_id, work, max_open) values (1, 'chat', 1);
select agent_id, open_chats from routing.agent_load where agent_id = 1;

-- section 13: order: higher priority first (114 and 116 at 5), then the
-- oldest; 113 and 115 arrived at the same time: the smaller id first
insert into routing.conversations (conversation_id, channel_id, created_at, priority) values
    (112, 1, '2026-01-05 09:12+00', 0), (113, 1, '2026-01-05 09:13+00', 0),
    (114, 1, '2026-01-05 09:14+00', 5), (115, 1, '2026-01-05 09:13+00', 0),
    (116, 1, '2026-01-05 09:15+00', 5)
returning conversation_id, assignee_agent_id;
select conversation_id, priority, position from routing.queue where channel_id = 1 order by position;
-- section 13: a new conversation of equal priority waits behind them (117);
-- one of higher priority goes ahead of them (118)
insert into routing.conversations (conversation_id, channel_id, created_at, priority)
values (117, 1, '2026-01-05 09:16+00', 0) returning conversation_id, assignee_agent_id;
insert into routing.conversations (conversation_id, channel_id, created_at, priority)
values (118, 1, '2026-01-05 09:17+00', 9) returning conversation_id, assignee_agent_id;
select pg_temp.waiting(1);

-- section 13: positions are counted within each channel, and the order
-- holds across channels for the agent who gained room: nothing is passed
-- over for a later one the same agent could take.  Ned (capacity zero)
-- is the target of channels 13 and 14: 1301 and 1302 (priority 0) wait on
-- channel 13, 1401 (priority 5) and 1402 (priority 0), later, on channel 14
insert into routing.conversations (conversation_id, channel_id, created_at, priority) values
    (1301, 13, '2026-01-05 09:12+00', 0), (1302, 13, '2026-01-05 09:13+00', 0),
    (1401, 14, '2026-01-05 09:30+00', 5), (1402, 14, '2026-01-05 09:31+00', 0)
returning conversation_id, assignee_agent_id;
select channel_id, conversation_id, priority, position from routing.queue
where channel_id in (13, 14) order by channel_id, position;
-- section 13: Ned's capacity raised to one: the higher priority goes first,
-- from channel 14 (1401)
begin;
update routing.capacities set max_open = 1 where agent_id = 14 and work = 'chat';
select * from pg_temp.owners('{1301,1302,1401,1402}');
select pg_temp.waiting(13) as channel_13, pg_temp.waiting(14) as channel_14;
commit;
-- section 13: raised to two: at equal priority the oldest goes first, from
-- channel 13 (1301, 09:12, before 1402, 09:31)
begin;
update routing.capacities set max_open = 2 where agent_id = 14 and work = 'chat';
select * from pg_temp.owners('{1301,1302,1401,1402}');
select pg_temp.waiting(13) as channel_13, pg_temp.waiting(14) as channel_14;
commit;

-- section 13: an agent becoming available frees room: Cy gets 301
insert into routing.conversations (conversation_id, channel_id, created_at)
values (301, 3, '2026-01-05 10:01+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(3);
begin;
select routing.set_availability(3, 'available');
select * from pg_temp.owners('{301}');
select pg_temp.waiting(3);
commit;

-- section 13: a seat gained frees room: Dee gets 401
insert into routing.conversations (conversation_id, channel_id, created_at)
values (401, 4, '2026-01-05 10:02+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(4);
begin;
insert into routing.seats (agent_id, hub) values (4, 'sales');
select * from pg_temp.owners('{401}');
select pg_temp.waiting(4);
commit;

-- section 13: inbox access gained frees room: Eve gets 501
insert into routing.conversations (conversation_id, channel_id, created_at)
values (501, 5, '2026-01-05 10:03+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(5);
begin;
insert into routing.inbox_access (inbox_id, agent_id) values (200, 5);
select * from pg_temp.owners('{501}');
select pg_temp.waiting(5);
commit;

-- section 13: a rule target gained (an agent) frees room: Fay gets 601
insert into routing.conversations (conversation_id, channel_id, created_at)
values (601, 6, '2026-01-05 10:04+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(6);
begin;
insert into routing.rule_targets (channel_id, agent_id) values (6, 6);
select * from pg_temp.owners('{601}');
select pg_temp.waiting(6);
commit;

-- section 13: a rule target gained (a team) frees room: Gus, team 70's
-- primary member, gets 701
insert into routing.conversations (conversation_id, channel_id, created_at)
values (701, 7, '2026-01-05 10:05+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(7);
begin;
insert into routing.rule_targets (channel_id, team_id) values (7, 70);
select * from pg_temp.owners('{701}');
select pg_temp.waiting(7);
commit;

-- section 13: a primary team gained frees room.  Hal joining team 80 as an
-- additional member does not (never routed to through a team): 801 and 802
-- wait; Hal made primary gets 801 (his capacity is one); Ivy joining as
-- primary gets 802
insert into routing.conversations (conversation_id, channel_id, created_at) values
    (801, 8, '2026-01-05 10:06+00'), (802, 8, '2026-01-05 10:07+00')
returning conversation_id, assignee_agent_id;
insert into routing.team_members (team_id, agent_id, role) values (80, 8, 'additional');
select pg_temp.waiting(8);
begin;
update routing.team_members set role = 'primary' where team_id = 80 and agent_id = 8;
select * from pg_temp.owners('{801,802}');
select pg_temp.waiting(8);
commit;
begin;
insert into routing.team_members (team_id, agent_id, role) values (80, 9, 'primary');
select * from pg_temp.owners('{801,802}');
select pg_temp.waiting(8);
commit;

-- section 13: unassigning a conversation of a channel without a rule frees
-- room too: Mia (capacity one) holds 2001, given by hand; 1201 waits for
-- her; unassigning 2001 (to Unassigned, not to the queue) gives her 1201
insert into routing.conversations (conversation_id, channel_id, created_at, assignee_agent_id)
values (2001, 20, '2026-01-05 11:00+00', 13) returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.conversations (conversation_id, channel_id, created_at)
values (1201, 12, '2026-01-05 11:01+00') returning conversation_id, assignee_agent_id;
begin;
select routing.unassign(2001);
select * from pg_temp.owners('{1201,2001}');
select pg_temp.waiting(12);
select count(*) as queued_2001 from routing.queue where conversation_id = 2001;
commit;

-- section 13: closing a queued conversation (1202) removes it and frees
-- nobody's room; reopened, it goes back before 1203, which arrived since
insert into routing.conversations (conversation_id, channel_id, created_at)
values (1202, 12, '2026-01-05 11:02+00') returning conversation_id, assignee_agent_id;
select routing.close_conversation(1202);
insert into routing.conversations (conversation_id, channel_id, created_at)
values (1203, 12, '2026-01-05 11:03+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(12);
select routing.reopen_conversation(1202);
select pg_temp.waiting(12);
-- section 13: a queued conversation belongs to a channel whose ENABLED rule
-- says queue: with the rule off, 1202 and 1203 leave the queue (still
-- Unassigned); with it on again, they are back in the same order
update routing.rules set enabled = false where channel_id = 12;
select pg_temp.waiting(12);
select conversation_id from routing.unassigned where channel_id = 12 order by conversation_id;
update routing.rules set enabled = true where channel_id = 12;
select pg_temp.waiting(12);
-- section 13/6: Mia closing 1201 gives her the head, 1202; reopening 1201
-- keeps it hers (over her capacity, counted) and changes nothing in the queue
select routing.close_conversation(1201);
select * from pg_temp.owners('{1201,1202,1203}');
select routing.reopen_conversation(1201);
select * from pg_temp.owners('{1201,1202,1203}');
select pg_temp.waiting(12);
select agent_id, open_chats from routing.agent_load where agent_id = 13;

-- section 13/4b: owner_offline is recorded once per conversation, not each
-- time the queue retries it.  Kim (away, chat capacity two) owns contact
-- 900 and holds 2002 by hand.  1101 waits for her: one event.
insert into routing.capacities (agent_id, work, max_open) values (11, 'chat', 2);
insert into routing.conversations (conversation_id, channel_id, created_at, assignee_agent_id)
values (2002, 20, '2026-01-05 12:00+00', 11) returning conversation_id, assignee_agent_id;
insert into routing.conversations (conversation_id, channel_id, contact_id, created_at)
values (1101, 11, 900, '2026-01-05 12:01+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(11);
select kind, conversation_id, agent_id from routing.events order by event_id;
-- Kim gains room while away (closes 2002, capacity raised to three), some
-- unrelated room frees up (Ann's capacity raised to six, she has five: 118,
-- the head of channel 1 at priority 9, is hers), a drain and
-- route_conversation try again: still one event
select routing.close_conversation(2002);
update routing.capacities set max_open = 3 where agent_id = 11 and work = 'chat';
update routing.capacities set max_open = 6 where agent_id = 1 and work = 'chat';
select * from pg_temp.owners('{118}');
select routing.drain();
select routing.route_conversation(1101);
select kind, conversation_id, agent_id from routing.events order by event_id;
-- section 13/4b: a second conversation of the same contact (1102) gets its
-- own event, once
insert into routing.conversations (conversation_id, channel_id, contact_id, created_at)
values (1102, 11, 900, '2026-01-05 12:02+00') returning conversation_id, assignee_agent_id;
select pg_temp.waiting(11);
select kind, conversation_id, agent_id from routing.events order by event_id;
-- section 13: Kim becoming available gets both, in order, by the rule, and
-- no more events are recorded
begin;
select routing.set_availability(11, 'available');
select * from pg_temp.owners('{1101,1102}');
select pg_temp.waiting(11);
commit;
select kind, conversation_id, agent_id from routing.events order by event_id;

-- The last cases change things behind the extension's back, with triggers
-- off, as a DBA's bulk load or bulk change would; routing.drain() then
-- assigns what can be assigned.
-- section 13: conversations 1501 to 1504 of channel 15 are loaded with
-- triggers off, and Pat (capacity two) is made available the same way:
-- nothing is assigned by itself; drain() gives Pat the first two in the
-- queue's order (1503 at priority 5, then 1501), by the rule, and says two;
-- a second drain finds nothing to do
set session_replication_role = replica;
insert into routing.conversations (conversation_id, channel_id, created_at, priority) values
    (1501, 15, '2026-01-05 13:01+00', 0), (1502, 15, '2026-01-05 13:02+00', 0),
    (1503, 15, '2026-01-05 13:03+00', 5), (1504, 15, '2026-01-05 13:04+00', 0);
update routing.availability set status = 'available' where agent_id = 16;
reset session_replication_role;
select pg_temp.waiting(15);
select routing.drain();
select * from pg_temp.owners('{1501,1502,1503,1504}');
select pg_temp.waiting(15);
select routing.drain();
select agent_id, open_chats from routing.agent_load where agent_id = 16;

-- section 13: Quinn (capacity two, available) is made a target of channel
-- 15 with triggers off: room the extension does not know of, while 1502
-- and 1504 (priority 0) wait.  In a new session, as an application's would
-- be: a newcomer of higher priority than every waiting one (1511, at 9) is
-- routed to Quinn at once.  (Whether an insert also drains the others is
-- not fixed by the spec, so only the newcomers are shown.)
set session_replication_role = replica;
insert into routing.rule_targets (channel_id, agent_id) values (15, 17);
reset session_replication_role;
\c
set client_min_messages = warning;
\set VERBOSITY default
\set SHOW_CONTEXT never
insert into routing.conversations (conversation_id, channel_id, created_at, priority)
values (1511, 15, '2026-01-05 13:11+00', 9) returning conversation_id, assignee_agent_id, assigned_by;
-- section 13: a newcomer of priority 0 (1510) never takes the room left
-- (one): 1502, waiting at equal priority, could; it waits, behind 1504
insert into routing.conversations (conversation_id, channel_id, created_at, priority)
values (1510, 15, '2026-01-05 13:10+00', 0) returning conversation_id, assignee_agent_id;
-- section 13: route_conversation respects the queue's order: 1504 is not
-- the next one (1502 is) and does not get the room left
select routing.route_conversation(1504);
select conversation_id, assignee_agent_id from routing.conversations where conversation_id = 1504;
-- after a drain, the room went in the queue's order: 1502 to Quinn; 1504
-- and 1510 wait
select routing.drain() is not null as drained;
select conversation_id, assignee_agent_id, assigned_by from routing.conversations
where conversation_id in (1502, 1504, 1510, 1511) order by conversation_id;
select conversation_id, priority, position from routing.queue where channel_id = 15 order by position;

-- section 13: a capacity raised with triggers off (Pat: two to three) is
-- room that drain() finds: it gives Pat 1504, and says one
set session_replication_role = replica;
update routing.capacities set max_open = 3 where agent_id = 16 and work = 'chat';
reset session_replication_role;
select routing.drain();
select conversation_id, assignee_agent_id, assigned_by from routing.conversations
where conversation_id in (1504, 1510) order by conversation_id;

-- section 13: a rule target added with triggers off is seen by drain() in
-- the same session: 1601 waits on channel 16 (its only target, Sam, has a
-- capacity of zero); Tom, available and seated, made a target with
-- triggers off, gets it from drain()
insert into routing.agents (agent_id, name) values (18, 'Sam'), (19, 'Tom');
insert into routing.seats (agent_id, hub) values (18, 'service'), (19, 'service');
select routing.set_availability(18, 'available'), routing.set_availability(19, 'available');
insert into routing.capacities (agent_id, work, max_open) values (18, 'chat', 0);
insert into routing.channels (channel_id, inbox_id, kind, name) values (16, 100, 'chat', 'Sam chat');
insert into routing.rules (channel_id, enabled, when_nobody) values (16, true, 'queue');
insert into routing.rule_targets (channel_id, agent_id) values (16, 18);
insert into routing.conversations (conversation_id, channel_id, created_at)
values (1601, 16, '2026-01-05 14:01+00') returning conversation_id, assignee_agent_id;
set session_replication_role = replica;
insert into routing.rule_targets (channel_id, agent_id) values (16, 19);
reset session_replication_role;
select routing.drain();
select conversation_id, assignee_agent_id, assigned_by from routing.conversations
where conversation_id = 1601;

-- section 13: what still waits, and the counters are the true counts
select channel_id, conversation_id, priority, position from routing.queue order by channel_id, position;
select count(*) as wrong_counters
from routing.agent_load l
where l.open_chats <> (select count(*) from routing.conversations c
                       join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
                       where c.account_id = l.account_id and c.assignee_agent_id = l.agent_id
                         and c.status = 'open' and ch.kind in ('chat', 'bot', 'messenger'));
