-- bench/citus: how many agents of accounts 21-40 have an open_chats counter
-- that differs from the true count (section 6); 0 expected.
with truth as (
    select account_id, assignee_agent_id as agent_id, count(*) as chats
    from routing.conversations
    where account_id between 21 and 40 and status = 'open' and assignee_agent_id is not null
    group by 1, 2)
select count(*)
from routing.agent_load l
left join truth t using (account_id, agent_id)
where l.account_id between 21 and 40 and l.open_chats <> coalesce(t.chats, 0);
