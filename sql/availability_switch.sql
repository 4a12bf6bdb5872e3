-- doc/behaviour.md section 4c: "only assign to available users" is on by
-- default; off, availability is ignored for that rule and every other
-- eligibility condition (section 3) still holds.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Nobody is available: Bob (2) has no availability row, everybody else is
-- away.  Apart from availability, Ann (1), Bob (2) and Hal (8, a primary
-- member of team 10) are eligible on channel 1; each other agent fails one
-- check: Cy (3) inactive, Dee (4) no seat, Fay (6) not a target, Gus (7) only
-- an additional member of team 10, Eve (5) no access to inbox 200.
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', true), (3, 'Cy', false), (4, 'Dee', true),
    (5, 'Eve', true), (6, 'Fay', true), (7, 'Gus', true), (8, 'Hal', true);
insert into routing.seats (agent_id, hub)
select agent_id, 'service' from routing.agents where agent_id <> 4;
select count(routing.set_availability(agent_id, 'away')) as away
from routing.agents where agent_id <> 2;
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.team_members (team_id, agent_id, role) values
    (10, 7, 'additional'), (10, 8, 'primary');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, agent_id)
select 200, agent_id from routing.agents where agent_id <> 5;
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 100, 'chat', 'Second chat'),
    (3, 200, 'email', 'vip@');
insert into routing.rules (channel_id, enabled, only_available) values (1, true, false), (3, true, false);
-- Channel 2 has the same targets under a rule that leaves the switch alone.
insert into routing.rules (channel_id, enabled) values (2, true);
insert into routing.rule_targets (channel_id, agent_id)
select channel_id, agent_id from (values (1), (2)) ch(channel_id),
    (values (1), (2), (3), (4)) a(agent_id);
insert into routing.rule_targets (channel_id, team_id) values (1, 10), (2, 10);
insert into routing.rule_targets (channel_id, agent_id) values (3, 1), (3, 5);

-- section 4c: the switch is on by default: nobody available, nobody routed to
select channel_id, only_available from routing.rules order by channel_id;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id, assigned_by;

-- section 4c: switched off, away agents (and Bob, with no availability row)
-- are routed to, least busy first; the inactive, seatless, non-target and
-- additional-member agents still never are
insert into routing.conversations (channel_id) select 1 from generate_series(1, 6)
returning conversation_id, assignee_agent_id, assigned_by, assigned_reason;

-- section 4c: switched off on an email channel of a restricted inbox: every
-- one of 30 emails goes to the away Ann, none to Eve, who has no access
insert into routing.conversations (channel_id) select 3 from generate_series(1, 30);
select assignee_agent_id, count(*) from routing.conversations
where channel_id = 3 group by 1 order by 1;

-- section 4c: the switch belongs to each rule: channel 2 still routes nobody
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;

-- section 4c: switched on again, channel 1 routes nobody until someone is
-- available, then only the available agent
update routing.rules set only_available = true where channel_id = 1;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;
select routing.set_availability(8, 'available');
insert into routing.conversations (channel_id) values (1), (1)
returning conversation_id, assignee_agent_id;

select a.agent_id, a.name, count(c.conversation_id) as conversations
from routing.agents a
left join routing.conversations c on c.account_id = a.account_id
    and c.assignee_agent_id = a.agent_id
group by a.agent_id, a.name order by a.agent_id;
select conversation_id, channel_id from routing.unassigned order by conversation_id;
