-- The checks test/citus/moves makes after the moves and the rebalance
-- (section 15), for accounts 21-40; every violated one prints a line
-- starting with FAIL.  psql variables: changed, the accounts whose shard
-- group changed node ('{21,34}'); new_port, the port of the added node.
\pset footer off
create temporary table moves_failures (line text);

-- section 15: a routed insert into every account that changed node goes to
-- the least busy of Ann, Bob and Cy (all available, no capacity set): the
-- trigger's cached shard mapping and plans follow the move.
select set_config('moves.changed', :'changed', false) \gset
do $$
declare
    account bigint;
    loads int[];
    owner int;
begin
    foreach account in array current_setting('moves.changed')::bigint[] loop
        select array_agg(open_chats order by agent_id) into loads
        from routing.agent_load where account_id = account and agent_id between 1 and 3;
        insert into routing.conversations (account_id, channel_id) values (account, 1)
        returning assignee_agent_id into owner;
        if owner is null or owner not between 1 and 3
           or loads[owner] > (select min(l) from unnest(loads) l) then
            insert into moves_failures values (format(
                'FAIL routing: account %s routed a chat to agent %s, open chats of Ann, Bob and Cy %s',
                account, owner, loads));
        end if;
    end loop;
end
$$;
select line from moves_failures;

-- section 15: ids unique per account
select format('FAIL ids: conversation %s of account %s %s times', conversation_id, account_id, count(*))
from routing.conversations where account_id between 21 and 40
group by account_id, conversation_id having count(*) > 1;
select format('FAIL ids: log_id %s of account %s %s times', log_id, account_id, count(*))
from routing.assignment_log where account_id between 21 and 40
group by account_id, log_id having count(*) > 1;
select format('FAIL ids: event_id %s of account %s %s times', event_id, account_id, count(*))
from routing.events where account_id between 21 and 40
group by account_id, event_id having count(*) > 1;

-- section 15: the added node makes ids in its own range (routing.distribute()
-- after citus_add_node): the newest assignment of each of its accounts (the
-- routed insert above at least) has a log_id in ((groupid << 48), (groupid + 1) << 48]
select groupid as new_group from pg_dist_node where nodeport = :new_port \gset
select format('FAIL ids: account %s on the new node (group %s) made log_id %s, outside its range',
              l.account_id, :new_group, max(l.log_id))
from routing.assignment_log l
where l.account_id in (select a from generate_series(21, 40) a
                       join pg_dist_placement p on p.shardid =
                            get_shard_id_for_distribution_column('routing.conversations', a)
                       where p.groupid = :new_group)
group by l.account_id
having max(l.log_id) not between (:new_group::bigint << 48) + 1 and (:new_group::bigint + 1) << 48;
select format('FAIL ids: no account of 21-40 on the new node (group %s)', :new_group)
where not exists (select from generate_series(21, 40) a
                  join pg_dist_placement p on p.shardid =
                       get_shard_id_for_distribution_column('routing.conversations', a)
                  where p.groupid = :new_group);
