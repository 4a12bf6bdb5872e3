-- sections 5, 13: an agent goes away and comes back in one transaction of
-- delegated calls (one shard group).
\set account random(21, 40)
\set agent random(1, 3)
begin;
select routing.set_availability(:agent, 'away', account_id => :account);
insert into routing.conversations (account_id, channel_id) values (:account, 1)
returning assignee_agent_id;
select routing.set_availability(:agent, 'available', account_id => :account);
commit;
