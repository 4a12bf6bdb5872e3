-- doc/behaviour.md section 4a: chat, bot and Messenger channels route to the
-- least busy eligible agent: fewest open chats over all inboxes and chat
-- channels (closed conversations and emails do not count), ties to the least
-- recently assigned (never assigned first, then the smallest agent id).
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Ann (1), Bob (2), Cy (3) and Dee (4) are the targets of channel 1; Dee is
-- away and never gets a chat.  Channels 2 (bot) and 3 (messenger) live in
-- another inbox and route to Ann only; channel 4 (email) routes to Cy only.
insert into routing.agents (agent_id, name) values
    (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee'), (5, 'Eve');
insert into routing.seats (agent_id, hub)
select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id <> 4;
select routing.set_availability(4, 'away');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk'), (200, 'Shop');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 200, 'bot', 'Shop bot'),
    (3, 200, 'messenger', 'Shop Messenger'),
    (4, 100, 'email', 'help@');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true), (3, true), (4, true);
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (3, 1), (4, 3);

-- section 4a: nobody was ever assigned and all have 0 chats: smallest id first
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id, assigned_reason;
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id, assigned_reason;
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id, assigned_reason;

-- section 4a: all tied at one chat: the least recently assigned goes first
insert into routing.conversations (channel_id) select 1 from generate_series(1, 3)
returning conversation_id, assignee_agent_id, assigned_reason;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 4a: a closed conversation does not count: Bob (2) closes one and
-- is the least busy with one chat
select routing.close_conversation(2);
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_reason;

-- section 4a: chats are counted over all inboxes and chat kinds: Ann gets a
-- bot chat and a Messenger chat in inbox 200 and now has four
insert into routing.conversations (channel_id) values (2), (3)
returning conversation_id, channel_id, assignee_agent_id;
select agent_id, open_chats from routing.agent_load order by agent_id;
-- section 4a: Cy and Bob (two chats each, Cy less recently assigned) take
-- turns until they have four like Ann; then Ann, the least recent, is next
insert into routing.conversations (channel_id) select 1 from generate_series(1, 5)
returning conversation_id, assignee_agent_id, assigned_reason;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 4a: email conversations do not count, nor do they make Cy's last
-- chat assignment more recent: after five emails Cy, at four chats like Bob
-- but less recently assigned a chat, still takes the next chat, then Bob
insert into routing.conversations (channel_id) select 4 from generate_series(1, 5);
select count(*) as emails_to_cy from routing.conversations where channel_id = 4 and assignee_agent_id = 3;
select agent_id, open_chats from routing.agent_load order by agent_id;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 2)
returning conversation_id, assignee_agent_id, assigned_reason;

-- section 4a: closing Ann's bot and Messenger chats takes her back to three:
-- she gets the next two chats (three, then four, against five for Bob and Cy)
select routing.close_conversation(conversation_id)
from routing.conversations where channel_id in (2, 3) order by conversation_id;
select agent_id, open_chats from routing.agent_load order by agent_id;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 2)
returning conversation_id, assignee_agent_id, assigned_reason;

-- section 4a: never assigned counts as least recent: Ann closes all her chats
-- (0 open, assigned before) and Eve (5) joins the pool (0 open, never
-- assigned): Eve goes first despite her larger id, then Ann, then Eve again
-- (tied at one chat, Eve the less recent)
select count(routing.close_conversation(conversation_id)) as closed
from routing.conversations where assignee_agent_id = 1 and status = 'open';
insert into routing.rule_targets (channel_id, agent_id) values (1, 5);
select agent_id, open_chats, last_assigned_at is null as never_assigned
from routing.agent_load order by agent_id;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 3)
returning conversation_id, assignee_agent_id, assigned_reason;

-- section 4a: the whole sequence of chat owners on channel 1; Dee (away)
-- never got one
select string_agg(assignee_agent_id::text, ' ' order by conversation_id) as owners
from routing.conversations where channel_id = 1;
select count(*) as to_dee from routing.conversations where assignee_agent_id = 4;
-- section 4a: the loads the decisions read are the true counts of open chats
select l.agent_id, l.open_chats,
       (select count(*) from routing.conversations c
        join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
        where c.assignee_agent_id = l.agent_id and c.status = 'open'
          and ch.kind in ('chat', 'bot', 'messenger')) as true_count
from routing.agent_load l order by l.agent_id;
