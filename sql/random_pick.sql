-- doc/behaviour.md section 4a: email and form channels route to a random pick
-- among the eligible agents.  Small deterministic checks: a lone eligible
-- agent always gets the conversation and ineligible targets never get one.
-- (The uniformity of the pick is tested by test/random_uniform.sql.)
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Ann (1) is eligible.  Each other target fails one check: Bob (2) is
-- inactive, Cy (3) has no seat, Dee (4) is away, Fay (6) is only an
-- additional member of the named team 10, Gus (7), a target of the form
-- channel only, has no access to its restricted inbox 200.  Eve (5) passes
-- every check but is not a target.  Hal (8) joins the targets later.
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', false), (3, 'Cy', true), (4, 'Dee', true),
    (5, 'Eve', true), (6, 'Fay', true), (7, 'Gus', true), (8, 'Hal', true);
insert into routing.seats (agent_id, hub)
select agent_id, 'sales' from routing.agents where agent_id <> 3;
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id <> 4;
select routing.set_availability(4, 'away');
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.team_members (team_id, agent_id, role) values (10, 6, 'additional');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'Partners', 'restricted');
insert into routing.inbox_access (inbox_id, agent_id)
select 200, agent_id from routing.agents where agent_id <> 7;
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'email', 'help@'),
    (2, 200, 'form', 'Partner form');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true);
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 1), (1, 2), (1, 3), (1, 4),
    (2, 1), (2, 2), (2, 3), (2, 4), (2, 7);
insert into routing.rule_targets (channel_id, team_id) values (1, 10), (2, 10);

-- section 4a: one eligible agent (Ann) gets every one of 200 emails and 200
-- form conversations; no ineligible target and no non-target gets any
insert into routing.conversations (channel_id) select 1 from generate_series(1, 200);
insert into routing.conversations (channel_id) select 2 from generate_series(1, 200);
select c.channel_id, c.assignee_agent_id, c.assigned_by, c.assigned_reason, count(*)
from routing.conversations c
group by 1, 2, 3, 4 order by 1, 2;

-- section 4a: with a second eligible agent (Hal), 200 emails all go to Ann or
-- Hal, each gets some (a false failure has p = 2 * 2^-200), the ineligible none
insert into routing.rule_targets (channel_id, agent_id) values (1, 8);
insert into routing.conversations (channel_id) select 1 from generate_series(1, 200);
select a.agent_id, a.name, count(c.conversation_id) > 0 as got_some
from routing.agents a
left join routing.conversations c on c.account_id = a.account_id
    and c.assignee_agent_id = a.agent_id and c.conversation_id > 400
group by a.agent_id, a.name order by a.agent_id;
select count(*) filter (where assignee_agent_id in (1, 8)) as to_ann_or_hal,
       count(*) filter (where assignee_agent_id is null or assignee_agent_id not in (1, 8)) as elsewhere
from routing.conversations where conversation_id > 400;

-- section 4a: email and form conversations are not chats: no load is counted
select agent_id, open_chats, last_assigned_at is null as no_chat_yet
from routing.agent_load where agent_id in (1, 8) order by agent_id;

-- section 4a: with no eligible agent left, the email and the form conversation
-- stay unassigned
select routing.set_availability(1, 'away'), routing.set_availability(8, 'away');
insert into routing.conversations (channel_id) values (1), (2)
returning conversation_id, assignee_agent_id, assigned_by;
select conversation_id from routing.unassigned order by conversation_id;
