-- section 6 through the coordinator of a Citus cluster (section 15):
-- TRUNCATE of the conversations (with cascade, for the log, the events and
-- the offers that reference them) empties every account's books; routing
-- goes on after it.
-- Runs last: it empties the conversations of every account.
\set VERBOSITY terse
set client_min_messages = warning;
select count(*) > 0 as had_conversations from routing.conversations;
select count(*) > 0 as had_loads from routing.agent_load where open_chats > 0 or open_emails > 0;
truncate routing.conversations cascade;
select count(*) as conversations from routing.conversations;
select count(*) filter (where open_chats <> 0 or open_emails <> 0) as agents_with_load
from routing.agent_load;
select count(*) as waiting from routing.queue;
-- routing goes on: in accounts 1 and 2 the available targets have no
-- chats, and the least recently assigned, Cy, is next (Ann is inactive in 1)
insert into routing.conversations (account_id, channel_id) values (1, 1)
returning account_id, assignee_agent_id;
insert into routing.conversations (account_id, channel_id) values (2, 1)
returning account_id, assignee_agent_id;
select account_id, agent_id, open_chats from routing.agent_load
where account_id in (1, 2) and open_chats > 0 order by 1, 2;
