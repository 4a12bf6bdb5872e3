-- doc/behaviour.md section 6: closing, reopening, reassigning, unassigning and
-- deleting, by function or by plain UPDATE/DELETE, keep every agent's open
-- chat count exact; the last chat assignment time moves with every chat given
-- (by rule, by hand, by reply) and not on reopen; away agents keep their
-- conversations; reopening keeps the owner and counts the chat again.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Everybody is active, seated and available.  Channel 1 (chat) routes to Ann
-- (1) only; channels 2 (email), 3 (bot) and 4 (chat) have no rule.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee');
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'), (2, 100, 'email', 'help@'),
    (3, 100, 'bot', 'Help bot'), (4, 100, 'chat', 'Manual chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1);

-- The true count of every agent's open chats (chat, bot and messenger
-- channels), set against routing.agent_load: any row is a wrong counter.
create temp view load_mismatch as
select a.agent_id, l.open_chats, coalesce(t.open_chats, 0) as true_count
from routing.agents a
left join routing.agent_load l on l.account_id = a.account_id and l.agent_id = a.agent_id
left join (select c.account_id, c.assignee_agent_id as agent_id, count(*) as open_chats
           from routing.conversations c
           join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
           where ch.kind in ('chat', 'bot', 'messenger') and c.status = 'open'
             and c.assignee_agent_id is not null
           group by 1, 2) t on t.account_id = a.account_id and t.agent_id = a.agent_id
where l.open_chats is distinct from coalesce(t.open_chats, 0);

-- books() reports after each step: the number of wrong counters (always 0),
-- each agent's open chats, whose last chat assignment time moved forward
-- since the previous step, and how many moved otherwise (backwards or to
-- NULL: always 0).
create temp table last_seen as select agent_id, last_assigned_at from routing.agent_load;
create function pg_temp.books(out mismatches bigint, out loads text,
                              out moved text, out moved_otherwise bigint)
language plpgsql as $$
begin
    select count(*) into mismatches from load_mismatch;
    select string_agg(l.agent_id || ':' || l.open_chats, ' ' order by l.agent_id)
      into loads from routing.agent_load l;
    select string_agg(l.agent_id::text, ' ' order by l.agent_id) into moved
      from routing.agent_load l join last_seen s using (agent_id)
     where l.last_assigned_at > coalesce(s.last_assigned_at, '-infinity');
    select count(*) into moved_otherwise
      from routing.agent_load l join last_seen s using (agent_id)
     where l.last_assigned_at is distinct from s.last_assigned_at
       and not coalesce(l.last_assigned_at > coalesce(s.last_assigned_at, '-infinity'), false);
    truncate last_seen;
    insert into last_seen select l.agent_id, l.last_assigned_at from routing.agent_load l;
end $$;
select * from pg_temp.books();

-- section 6: chats given by rule count, and move Ann's last chat assignment
insert into routing.conversations (channel_id) values (1), (1) returning conversation_id, assignee_agent_id;
select * from pg_temp.books();

-- section 6: closing by function takes the chat out; closing again changes nothing
select routing.close_conversation(1);
select * from pg_temp.books();
select routing.close_conversation(1);
select * from pg_temp.books();

-- section 6: reopening counts it again for the same owner, without moving
-- the last chat assignment
select routing.reopen_conversation(1);
select conversation_id, status, assignee_agent_id from routing.conversations where conversation_id = 1;
select * from pg_temp.books();

-- section 6: reassigning by hand (assign) moves the chat to Bob and moves
-- Bob's last chat assignment
select routing.assign(1, 2);
select * from pg_temp.books();

-- section 6: reassigning by a plain UPDATE moves it to Cy, as a manual assignment
update routing.conversations set assignee_agent_id = 3 where conversation_id = 1;
select conversation_id, assignee_agent_id, assigned_by from routing.conversations where conversation_id = 1;
select * from pg_temp.books();

-- section 6: reassigning to a team takes the chat out of Cy's load
select routing.assign_team(1, 10);
select * from pg_temp.books();
-- section 6: from the team to Dee by hand
select routing.assign(1, 4);
select * from pg_temp.books();

-- section 6: unassigning by function takes it out of Dee's load
select routing.unassign(1);
select * from pg_temp.books();

-- section 6: a reply takes the unassigned chat for Bob and moves his last chat
-- assignment; a reply to an owned chat changes nothing
select routing.reply(1, 2);
select * from pg_temp.books();
select routing.reply(1, 3);
select * from pg_temp.books();

-- section 6: an owner given on INSERT counts like a manual assignment
insert into routing.conversations (channel_id, assignee_agent_id) values (4, 3)
returning conversation_id, assignee_agent_id, assigned_by;
select * from pg_temp.books();

-- section 6: closing and reopening by plain UPDATE of status keep the same books
update routing.conversations set status = 'closed' where conversation_id = 3;
select * from pg_temp.books();
update routing.conversations set status = 'open' where conversation_id = 3;
select * from pg_temp.books();

-- section 6: DELETE takes an open chat out of its owner's load; deleting a
-- closed one changes nothing
delete from routing.conversations where conversation_id = 3;
select * from pg_temp.books();
select routing.close_conversation(2);
select * from pg_temp.books();
delete from routing.conversations where conversation_id = 2;
select * from pg_temp.books();

-- section 6: unassigning by a plain UPDATE takes it out of Bob's load
update routing.conversations set assignee_agent_id = null where conversation_id = 1;
select conversation_id, assignee_agent_id, assigned_by, assigned_at is null as no_assigned_at
from routing.conversations where conversation_id = 1;
select * from pg_temp.books();

-- section 6: emails are no chats: given by hand or by INSERT they neither
-- count nor move the last chat assignment
insert into routing.conversations (channel_id, assignee_agent_id) values (2, 1)
returning conversation_id, assignee_agent_id;
select routing.assign(4, 2);
select * from pg_temp.books();

-- section 6: several chats reassigned by one plain UPDATE
insert into routing.conversations (channel_id, assignee_agent_id) values (3, 2), (4, 2), (4, 2)
returning conversation_id, channel_id, assignee_agent_id;
select * from pg_temp.books();
update routing.conversations set assignee_agent_id = 4
where assignee_agent_id = 2 and channel_id in (3, 4);
select * from pg_temp.books();

-- section 6: an agent set away keeps their open conversations and their load
select routing.set_availability(4, 'away');
select conversation_id, assignee_agent_id, status from routing.conversations
where assignee_agent_id = 4 order by conversation_id;
select * from pg_temp.books();

-- section 6: reopening keeps the owner although away, and counts the chat
-- again, without moving the last chat assignment
select routing.close_conversation(5);
select * from pg_temp.books();
select routing.reopen_conversation(5);
select conversation_id, status, assignee_agent_id from routing.conversations where conversation_id = 5;
select * from pg_temp.books();
-- section 6: the same by plain UPDATE, for an owner who is also inactive now
update routing.agents set active = false where agent_id = 4;
update routing.conversations set status = 'closed' where conversation_id = 6;
update routing.conversations set status = 'open' where conversation_id = 6;
select conversation_id, status, assignee_agent_id from routing.conversations where conversation_id = 6;
select * from pg_temp.books();

-- section 6: one plain UPDATE that closes a chat and gives it to Ann, then
-- reopening it: the chat leaves Dee's load and then counts in Ann's
update routing.conversations set status = 'closed', assignee_agent_id = 1 where conversation_id = 7;
select mismatches, loads from pg_temp.books();
select routing.reopen_conversation(7);
select mismatches, loads from pg_temp.books();

-- section 6 (agent_load is exact at every commit): moving an owned open
-- email to a chat channel by plain UPDATE makes it count, and moving it back
-- makes it stop counting
update routing.conversations set channel_id = 4 where conversation_id = 4;
select mismatches, loads from pg_temp.books();
update routing.conversations set channel_id = 2 where conversation_id = 4;
select mismatches, loads from pg_temp.books();

select * from load_mismatch;

-- section 6: TRUNCATE leaves no conversation, so no agent has an open chat
select count(*) > 0 as some_open_chats from routing.agent_load where open_chats > 0;
truncate routing.conversations cascade;
select mismatches, loads from pg_temp.books();
