-- sections 2, 6, 7, 8, 9 and 11 through the coordinator of a Citus cluster
-- (section 15): manual triage, route_conversation, explain_route,
-- availability, plain UPDATE and DELETE, bad input, the guards and error
-- safety, in accounts 13 and 14, whose shards are on different workers.
\set VERBOSITY terse
set client_min_messages = warning;
select public.citus_account(13);
select public.citus_account(14);
insert into routing.conversations (account_id, conversation_id, channel_id)
values (13, 3001, 8), (14, 3001, 8);

-- section 2: take, reassign to a team, unassign, reply
select routing.assign(3001, 4, account_id => 13);
select assignee_agent_id, assignee_team_id, assigned_by from routing.conversations
where account_id = 13 and conversation_id = 3001;
select routing.assign_team(3001, 10, account_id => 13);
select assignee_agent_id, assignee_team_id, assigned_by from routing.conversations
where account_id = 13 and conversation_id = 3001;
select routing.unassign(3001, account_id => 13);
select routing.reply(3001, 2, account_id => 13) as owner;
select routing.reply(3001, 3, account_id => 13) as owner;
select account_id, from_agent_id, to_agent_id, to_team_id, assigned_by
from routing.assignment_log where account_id in (13, 14) order by account_id, log_id;
-- the same conversation id in account 14 was never touched
select assignee_agent_id from routing.conversations where account_id = 14 and conversation_id = 3001;

-- section 2: a restricted inbox (VIP: team Support and Dee): Cy, an
-- additional member, may have it; Eve may not, nor another team
insert into routing.conversations (account_id, conversation_id, channel_id)
values (13, 3002, 9);
select routing.assign(3002, 3, account_id => 13);
select routing.assign(3002, 5, account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
insert into routing.teams (account_id, team_id, name) values (13, 11, 'Sales');
select routing.assign_team(3002, 11, account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select assignee_agent_id, assignee_team_id from routing.conversations
where account_id = 13 and conversation_id = 3002;

-- section 7: route_conversation routes an unassigned conversation once
-- agents are available, and on an owned one returns the owner
select routing.set_availability(1, 'away', account_id => 14);
select routing.set_availability(2, 'away', account_id => 14);
select routing.set_availability(3, 'away', account_id => 14);
insert into routing.conversations (account_id, conversation_id, channel_id)
values (14, 3003, 1) returning assignee_agent_id;
select routing.route_conversation(3003, account_id => 14) as owner;
select routing.set_availability(2, 'available', account_id => 14);
select routing.route_conversation(3003, account_id => 14) as owner;
select routing.route_conversation(3003, account_id => 14) as owner;

-- section 8: explain_route gives the rule, every candidate's checks and
-- the pick (called on its own, so that Citus delegates it; read here)
select routing.explain_route(3003, account_id => 14) as explained \gset
select e->>'method' as method, e->>'pick' as pick,
       (select string_agg(format('%s %s', c->>'agent_id', c->>'eligible'), ', '
                          order by (c->>'agent_id')::int)
        from jsonb_array_elements(e->'candidates') c) as eligible
from (select :'explained'::jsonb as e) x;

-- section 6: availability changes leave owned conversations with their
-- owner; plain UPDATE and DELETE keep the counters exact
select routing.set_availability(2, 'away', account_id => 14);
select assignee_agent_id from routing.conversations where account_id = 14 and conversation_id = 3003;
insert into routing.conversations (account_id, conversation_id, channel_id, assignee_agent_id)
values (14, 3004, 1, 1), (14, 3005, 1, 1), (14, 3006, 2, 1);
update routing.conversations set status = 'closed' where account_id = 14 and conversation_id = 3004;
update routing.conversations set assignee_agent_id = 3 where account_id = 14 and conversation_id = 3005;
delete from routing.conversations where account_id = 14 and conversation_id = 3006;
update routing.conversations set status = 'open' where account_id = 14 and conversation_id = 3004;
select agent_id, open_chats, open_emails from routing.agent_load
where account_id = 14 order by agent_id;

-- section 9: bad input: an error with its SQLSTATE, nothing changed
select routing.assign(9999, 1, account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select routing.assign(3001, 99, account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select routing.set_availability(1, 'busy', account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select routing.assign(null, 1, account_id => 13);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
insert into routing.conversations (account_id, channel_id) values (13, 99);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select routing.route_conversation(9999, account_id => 14);
select :'LAST_ERROR_SQLSTATE' as sqlstate;
select assignee_agent_id, assigned_by from routing.conversations
where account_id = 13 and conversation_id = 3001;

-- the guards: the books are the extension's to write
update routing.agent_loads set open_chats = 7 where account_id = 13 and agent_id = 1;
select :'LAST_ERROR_SQLSTATE' as sqlstate;
update routing.teams set members_version = 42 where account_id = 13 and team_id = 10;
select :'LAST_ERROR_SQLSTATE' as sqlstate;

-- section 9: an error caught by a savepoint leaves the session as it was,
-- usable and committable, as the same user
begin;
select routing.assign(3001, 1, account_id => 13);
savepoint before_bad;
select routing.assign(3001, 99, account_id => 13);
rollback to savepoint before_bad;
select current_user;
select routing.assign(3001, 3, account_id => 13);
insert into routing.conversations (account_id, conversation_id, channel_id)
values (13, 3007, 1) returning assignee_agent_id;
commit;
select conversation_id, assignee_agent_id, assigned_by from routing.conversations
where account_id = 13 and conversation_id in (3001, 3007) order by 1;

-- section 6: the counters of both accounts are exact
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id,
           count(*) filter (where ch.kind in ('chat', 'bot', 'messenger')) as chats,
           count(*) filter (where ch.kind in ('email', 'form')) as emails
    from routing.conversations c
    join routing.channels ch using (account_id, channel_id)
    where c.status = 'open' and c.assignee_agent_id is not null
    group by 1, 2)
select count(*) as wrong_counters
from routing.agent_load l
left join truth t using (account_id, agent_id)
where l.account_id in (13, 14)
  and (l.open_chats <> coalesce(t.chats, 0) or l.open_emails <> coalesce(t.emails, 0));
