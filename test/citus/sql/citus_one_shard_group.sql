-- section 15 (issue 20, deliverable 4): one account's work is one shard
-- group's transaction, on the worker that holds the account: a routed
-- insert or a function call of one account, in autocommit or inside BEGIN,
-- commits in one phase (no new pg_dist_transaction row, nothing left in
-- pg_prepared_xacts on any worker).  Accounts 15 and 16 are on different
-- workers.  Across two accounts, a transaction commits in two phases, which
-- works because NOTIFY is off on the cluster.
\set VERBOSITY terse
set client_min_messages = warning;
select public.citus_account(15);
select public.citus_account(16);
create temp table gids_before as select gid from pg_dist_transaction;
\set two_phase 'select count(*) as new_two_phase_commits from pg_dist_transaction where gid not in (select gid from gids_before)'
\set prepared 'select sum(result::int) as prepared_on_workers from run_command_on_workers(''select count(*) from pg_prepared_xacts'')'

-- a routed insert
insert into routing.conversations (account_id, conversation_id, channel_id)
values (15, 4001, 1) returning assignee_agent_id;
:two_phase;
-- a delegated function call in autocommit
select routing.assign(4001, 2, account_id => 15);
:two_phase;
-- an insert and function calls of one account inside BEGIN
begin;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (16, 4001, 1) returning assignee_agent_id;
select routing.assign(4001, 3, account_id => 16);
select routing.set_availability(1, 'away', account_id => 16);
select routing.route_conversation(4001, account_id => 16) as owner;
commit;
:two_phase;
:prepared;
select account_id, conversation_id, assignee_agent_id from routing.conversations
where account_id in (15, 16) order by 1, 2;

-- two accounts on two workers in one transaction: two-phase, and it commits
begin;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (15, 4002, 1) returning assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (16, 4002, 1) returning assignee_agent_id;
commit;
:two_phase;
:prepared;
select account_id, conversation_id, assignee_agent_id from routing.conversations
where account_id in (15, 16) and conversation_id = 4002 order by 1;

-- section 15: a routing function runs on the node of its account only when
-- Citus delegates it, called on its own in a statement; called from a query
-- over a table, it runs on the coordinator, which refuses it clearly
select routing.set_availability(agent_id, 'away', account_id => 16)
from generate_series(2, 3) agent_id;
select :'LAST_ERROR_SQLSTATE' as sqlstate;
