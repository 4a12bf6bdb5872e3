-- sections 12 and 13 through the coordinator of a Citus cluster (section
-- 15): capacity and the queue with its drain, in accounts 3 and 4, whose
-- shards are on different workers.  Channel 10 queues its chats for Cy,
-- whose chat capacity is 1 in both accounts.
\set VERBOSITY terse
set client_min_messages = warning;
select public.citus_account(3);
select public.citus_account(4);
insert into routing.capacities (account_id, agent_id, work, max_open)
values (3, 3, 'chat', 1), (4, 3, 'chat', 1);

-- section 12: Cy has room for one chat in each account
insert into routing.conversations (account_id, conversation_id, channel_id)
values (3, 2001, 10) returning account_id, conversation_id, assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (4, 2001, 10) returning account_id, conversation_id, assignee_agent_id;

-- section 13: then the chats wait, higher priority first, then the oldest
insert into routing.conversations (account_id, conversation_id, channel_id, priority, created_at)
values (3, 2002, 10, 0, '2026-01-01 10:00+00') returning assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id, priority, created_at)
values (3, 2003, 10, 5, '2026-01-01 10:01+00') returning assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id, priority, created_at)
values (3, 2004, 10, 0, '2026-01-01 10:02+00') returning assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id, priority, created_at)
values (4, 2002, 10, 0, '2026-01-01 10:00+00') returning assignee_agent_id;
select account_id, conversation_id, position from routing.queue
where account_id in (3, 4) order by 1, 3;

-- section 13: closing Cy's chat frees room: in the same transaction the
-- head of the queue (2003, priority 5) is his; account 4 is untouched
select routing.close_conversation(2001, account_id => 3);
select account_id, conversation_id, assignee_agent_id, assigned_by from routing.conversations
where account_id in (3, 4) and channel_id = 10 order by 1, 2;

-- section 12: a manual assignment may go past capacity, and counts
select routing.assign(2002, 3, account_id => 4);
select account_id, open_chats from routing.agent_load
where account_id in (3, 4) and agent_id = 3 order by 1;

-- section 13: raising the capacity drains the queue in order
update routing.capacities set max_open = 3 where account_id = 3 and agent_id = 3;
select account_id, conversation_id, assignee_agent_id from routing.conversations
where account_id = 3 and channel_id = 10 order by 2;
select count(*) as waiting from routing.queue where account_id = 3;

-- section 13: an agent who becomes available takes what waits
select routing.set_availability(3, 'away', account_id => 3);
select routing.close_conversation(2003, account_id => 3);
insert into routing.conversations (account_id, conversation_id, channel_id)
values (3, 2005, 10) returning assignee_agent_id;
select account_id, conversation_id, position from routing.queue
where account_id = 3 order by 3;
select routing.set_availability(3, 'available', account_id => 3);
select conversation_id, assignee_agent_id from routing.conversations
where account_id = 3 and conversation_id = 2005;

-- section 12, 13: lowering the capacity unassigns nothing; unassigning puts
-- a conversation back in the queue, where it waits for room; drain()
-- assigns what it can now (nothing) and says how many
update routing.capacities set max_open = 2 where account_id = 3 and agent_id = 3;
select routing.unassign(2004, account_id => 3);
select account_id, conversation_id, position from routing.queue
where account_id = 3 order by 3;
select routing.drain(account_id => 3) as drained;
select routing.drain(account_id => 4) as drained;

-- section 12, 13: the counters are exact
select account_id, agent_id, open_chats from routing.agent_load
where account_id in (3, 4) order by 1, 2;
