-- section 15: ALTER EXTENSION routing UPDATE on a distributed cluster.
-- test/citus/run made this cluster at routing 1.9 on every node and ran
-- routing.distribute() (and citus_fixture); accounts 17 and 20 are on
-- different workers.  On the coordinator, the one command a DBA runs
-- updates every node and every shard, in one transaction; routing goes on.
\set VERBOSITY terse
set client_min_messages = warning;
select count(distinct p.groupid) as workers, min(p.groupid) > 0 as on_workers
from pg_dist_placement p
where p.shardid in (get_shard_id_for_distribution_column('routing.conversations', 17),
                    get_shard_id_for_distribution_column('routing.conversations', 20));
select public.citus_account(17);
select public.citus_account(20);

-- before: every node at 1.9; two chats routed in each account
select extversion from pg_extension where extname = 'routing';
select result from run_command_on_workers($$
    select extversion from pg_extension where extname = 'routing'
$$);
with i as (insert into routing.conversations (account_id, channel_id)
           values (17, 1), (17, 1), (20, 1), (20, 1)
           returning account_id, conversation_id, assignee_agent_id)
select account_id, conversation_id, assignee_agent_id from i order by account_id, conversation_id;

-- the update, on the coordinator only (Citus runs it on every worker in the
-- same transaction), then distribute() for whatever the version adds
reset client_min_messages;
alter extension routing update;
select routing.distribute();
set client_min_messages = warning;

-- after: every node at 1.10, the database's own announcer on each, and
-- every shard of assignment_log with the new column and index
select extversion from pg_extension where extname = 'routing';
select result from run_command_on_workers($$
    select extversion || ', announcer rows: ' || (select count(*) from routing.announcer)
    from pg_extension where extname = 'routing'
$$);
select count(*) as announcer_rows from routing.announcer;
select result as "xact_id columns, indexes", count(*) as shards
from run_command_on_shards('routing.assignment_log', $$
    select (select count(*) from pg_attribute a
            where a.attrelid = s.shard and a.attname = 'xact_id' and not a.attisdropped)
           || ', ' ||
           (select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid
            where i.indrelid = s.shard and c.relname ^@ 'assignment_log_to_announce')
    from (select '%s'::regclass as shard) s
$$) group by 1;
select count(*) as shards from pg_dist_shard
where logicalrelid = 'routing.assignment_log'::regclass;
-- the new column reads through the coordinator
select count(*) as log_rows, count(xact_id) as with_xact_id
from routing.assignment_log where account_id in (17, 20);

-- routing goes on through the coordinator: two more chats in each account,
-- least busy first (Cy had none)
with i as (insert into routing.conversations (account_id, channel_id)
           values (17, 1), (17, 1), (20, 1), (20, 1)
           returning account_id, conversation_id, assignee_agent_id)
select account_id, assignee_agent_id from i order by account_id, conversation_id;
-- and a close, delegated to account 17's worker, takes its chat off Ann
select routing.close_conversation(1, account_id => 17);

-- every counter exact per account: each agent's open chats are the open
-- chats they own
select l.account_id, l.agent_id, l.open_chats,
       count(c.conversation_id) as owned_open_chats
from routing.agent_load l
left join routing.conversations c
  on c.account_id = l.account_id and c.assignee_agent_id = l.agent_id
 and c.status = 'open' and c.channel_id in (1, 3, 5, 6, 8, 9, 10)
where l.account_id in (17, 20)
group by 1, 2, 3 order by 1, 2;
