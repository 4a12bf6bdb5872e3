-- ALTER EXTENSION routing UPDATE from 1.2 to 1.3 (sections 12-14) on an
-- account with data: routed and hand-assigned chats and emails, open and
-- closed.  Every row is kept, agent_load gains open_emails equal to the true
-- count (1.2 counted no emails anywhere: the update must compute it from the
-- conversations), open_chats stays the true count, and routing goes on.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing version '1.2';
select extversion from pg_extension where extname = 'routing';

-- The account as 1.2 left it.  The library installed is 1.3's, which expects
-- the 1.3 schema (as the README says of every update), so the rows are
-- written the way a restore writes them, with triggers off, and agent_loads
-- holds what 1.2's bookkeeping held: each agent's open chats and last chat
-- assignment (Ann's last was a reply, 11), and nothing about emails.
--   Ann (1) and Bob (2) are the targets of channel 1 (chat) and channel 2
--   (email); channel 3 (chat) has no rule; Cy (3) works by hand.
--   Open chats: Ann 1, 4; Bob 3; Cy 8 (by hand).  Closed: 2 (Bob), 11 (Ann, a reply).
--   Open emails: Ann 5, 7; Cy 9 (by hand); 10 unassigned.  Closed: 6 (Bob).
set session_replication_role = replica;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
insert into routing.agent_loads (agent_id, open_chats, last_chat_at) values
    (1, 2, '2026-01-05 09:11+00'), (2, 1, '2026-01-05 09:03+00'), (3, 1, '2026-01-05 09:08+00');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service'), (3, 'sales');
insert into routing.availability (agent_id, status) values (1, 'available'), (2, 'available'), (3, 'away');
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 1, 'chat', 'Website chat'), (2, 1, 'email', 'help@'), (3, 1, 'chat', 'Manual chat');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2), (2, 1), (2, 2);
insert into routing.conversations
    (channel_id, status, assignee_agent_id, assigned_by, assigned_at, created_at, assigned_reason) values
    (1, 'open',   1, 'rule',   '2026-01-05 09:01+00', '2026-01-05 09:01+00', 'least busy: 0 open chats'),
    (1, 'closed', 2, 'rule',   '2026-01-05 09:02+00', '2026-01-05 09:02+00', 'least busy: 0 open chats'),
    (1, 'open',   2, 'rule',   '2026-01-05 09:03+00', '2026-01-05 09:03+00', 'least busy: 0 open chats'),
    (1, 'open',   1, 'rule',   '2026-01-05 09:04+00', '2026-01-05 09:04+00', 'least busy: 1 open chats'),
    (2, 'open',   1, 'rule',   '2026-01-05 09:05+00', '2026-01-05 09:05+00', 'random pick among 2 eligible agents'),
    (2, 'closed', 2, 'rule',   '2026-01-05 09:06+00', '2026-01-05 09:06+00', 'random pick among 2 eligible agents'),
    (2, 'open',   1, 'rule',   '2026-01-05 09:07+00', '2026-01-05 09:07+00', 'random pick among 2 eligible agents'),
    (3, 'open',   3, 'manual', '2026-01-05 09:08+00', '2026-01-05 09:08+00', null),
    (2, 'open',   3, 'manual', '2026-01-05 09:09+00', '2026-01-05 09:09+00', null),
    (2, 'open',   null, null,  null,                  '2026-01-05 09:10+00', null),
    (1, 'closed', 1, 'reply',  '2026-01-05 09:11+00', '2026-01-05 09:00+00', null);
-- load_agent_id (internal) as 1.2's triggers kept it: the agent whose
-- open_chats counts the conversation, on open assigned chats only.
update routing.conversations c set load_agent_id = c.assignee_agent_id
from routing.channels ch
where ch.account_id = c.account_id and ch.channel_id = c.channel_id
  and ch.kind in ('chat', 'bot', 'messenger') and c.status = 'open'
  and c.assignee_agent_id is not null;
insert into routing.assignment_log (conversation_id, from_agent_id, to_agent_id, assigned_by, reason, at)
select conversation_id, null, assignee_agent_id, assigned_by, assigned_reason, assigned_at
from routing.conversations where assignee_agent_id is not null order by conversation_id;
reset session_replication_role;

-- What there is before the update: the row count of every table, each
-- conversation as it is, and the loads.
create temp view row_counts as
select 'agents' as table_name, count(*) as row_count from routing.agents
union all select 'seats', count(*) from routing.seats
union all select 'availability', count(*) from routing.availability
union all select 'inboxes', count(*) from routing.inboxes
union all select 'channels', count(*) from routing.channels
union all select 'rules', count(*) from routing.rules
union all select 'rule_targets', count(*) from routing.rule_targets
union all select 'conversations', count(*) from routing.conversations
union all select 'assignment_log', count(*) from routing.assignment_log
union all select 'agent_loads', count(*) from routing.agent_loads;
create temp table counts_before as select * from row_counts;
create temp table conversations_before as
select conversation_id, channel_id, status, assignee_agent_id, assigned_by, assigned_at, created_at, assigned_reason
from routing.conversations;
create temp table loads_before as select agent_id, open_chats, last_assigned_at from routing.agent_load;
table counts_before;
select * from routing.agent_load order by agent_id;

alter extension routing update;
select extversion from pg_extension where extname = 'routing';

-- every row is kept, each conversation unchanged
select b.table_name, b.row_count as before, a.row_count as after
from counts_before b join row_counts a using (table_name)
order by b.table_name;
select (select count(*) from (
            select conversation_id, channel_id, status, assignee_agent_id, assigned_by, assigned_at, created_at, assigned_reason
            from routing.conversations except table conversations_before) n) as changed_or_new,
       (select count(*) from (
            table conversations_before except
            select conversation_id, channel_id, status, assignee_agent_id, assigned_by, assigned_at, created_at, assigned_reason
            from routing.conversations) g) as changed_or_gone;
select count(*) as loads_changed
from loads_before b join routing.agent_load l using (agent_id)
where (l.open_chats, l.last_assigned_at) is distinct from (b.open_chats, b.last_assigned_at);

-- section 12: agent_load now has open_emails; with open_chats it is the true
-- count of open assigned conversations of each type (Ann 2 chats 2 emails,
-- Bob 1 and 0, Cy 1 and 1)
create temp view true_loads as
select a.agent_id,
       count(c.conversation_id) filter (where ch.kind in ('chat', 'bot', 'messenger')) as true_chats,
       count(c.conversation_id) filter (where ch.kind in ('email', 'form')) as true_emails
from routing.agents a
left join routing.conversations c on c.account_id = a.account_id
    and c.assignee_agent_id = a.agent_id and c.status = 'open'
left join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
group by a.agent_id;
select l.agent_id, l.open_chats, t.true_chats, l.open_emails, t.true_emails
from routing.agent_load l join true_loads t using (agent_id) order by l.agent_id;

-- sections 12-14: the new columns take their defaults on the old rows, and
-- no capacity exists (unlimited) and nothing is queued
select channel_id, distribution, when_nobody from routing.rules order by channel_id;
select priority, count(*) from routing.conversations group by 1 order by 1;
select count(*) as capacities from routing.capacities;
select count(*) as queued from routing.queue;

-- routing goes on: the next chat goes to the least busy, Bob (one open chat
-- against Ann's two); the next email to Ann or Bob; both are counted
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id in (1, 2) as to_ann_or_bob, assigned_by;
select count(*) as wrong_counters
from routing.agent_load l join true_loads t using (agent_id)
where (l.open_chats, l.open_emails) is distinct from (t.true_chats, t.true_emails);
select sum(open_chats) as open_chats, sum(open_emails) as open_emails from routing.agent_load;

-- 1.9: the books the update kept count the conversations as a restore's
-- must: routing.post_restore() checks them and finds nothing to drain
select routing.post_restore() as assigned;
