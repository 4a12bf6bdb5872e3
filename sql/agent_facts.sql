-- doc/behaviour.md sections 3.1, 3.2 and 3.5 as the load row keeps them (1.6):
-- routing reads an agent's active flag, paid seat and availability from
-- their agent_loads row, which the triggers keep equal to agents, seats and
-- availability through every kind of change: a second seat, a seat moved
-- between agents, an UPDATE or DELETE of availability, a TRUNCATE, a bulk
-- load with triggers off followed by routing.drain().  Each step shows the
-- checks explain_route reads and where a chat then goes.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Channel 1 (chat) names Ann (1), Bob (2) and Cy (3); Di (4) is created
-- inactive.  Ann holds two seats.
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', true), (3, 'Cy', true), (4, 'Di', false);
insert into routing.seats (agent_id, hub) values
    (1, 'service'), (1, 'sales'), (2, 'service');
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents;
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values (1, 1, 'chat', 'Chat');
insert into routing.rules (channel_id, enabled) values (1, false);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2), (1, 3), (1, 4);
-- conversation 1 stays unassigned (rule off): explain_route reads the checks
insert into routing.conversations (channel_id) values (1);
update routing.rules set enabled = true where channel_id = 1;

create temp view checks as
select (c->>'agent_id')::bigint as agent_id, c->'checks'->'active' as active,
       c->'checks'->'paid_seat' as paid_seat, c->'checks'->'available' as available,
       c->'eligible' as eligible
from jsonb_array_elements(routing.explain_route(1)->'candidates') c
order by 1;

-- sections 3.1, 3.2: an agent created inactive is inactive; Cy has no seat
select * from checks;

-- section 3.2: Ann keeps a seat while one of her two is left
delete from routing.seats where agent_id = 1 and hub = 'sales';
select agent_id, paid_seat, eligible from checks where agent_id = 1;
delete from routing.seats where agent_id = 1;
select agent_id, paid_seat, eligible from checks where agent_id = 1;

-- section 3.2: Bob's seat moved to Cy by an UPDATE: Bob loses it, Cy has it
update routing.seats set agent_id = 3 where agent_id = 2;
select agent_id, paid_seat, eligible from checks where agent_id in (2, 3);
insert into routing.conversations (channel_id) values (1) returning assignee_agent_id;

-- section 3.5: availability changed by UPDATE and by DELETE (no row: away)
update routing.availability set status = 'away' where agent_id = 3;
select agent_id, available, eligible from checks where agent_id = 3;
insert into routing.conversations (channel_id) values (1) returning assignee_agent_id;
update routing.availability set status = 'available' where agent_id = 3;
delete from routing.availability where agent_id = 3;
select agent_id, available, eligible from checks where agent_id = 3;
select routing.set_availability(3, 'available');

-- section 3.1: Di made active
update routing.agents set active = true where agent_id = 4;
select agent_id, active, paid_seat from checks where agent_id = 4;

-- a TRUNCATE of seats or availability empties what every load row keeps
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service'), (4, 'sales');
select agent_id, paid_seat, available, eligible from checks;
truncate routing.seats;
select agent_id, paid_seat, eligible from checks;
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
truncate routing.availability;
select agent_id, paid_seat, available, eligible from checks;
insert into routing.conversations (channel_id) values (1) returning assignee_agent_id;

-- a bulk load with triggers off is seen after routing.drain(1)
set session_replication_role = replica;
insert into routing.availability (agent_id, status) values (1, 'available'), (2, 'away');
update routing.agents set active = false where agent_id = 2;
reset session_replication_role;
select agent_id, active, available from checks where agent_id in (1, 2);
select routing.drain(1);
select agent_id, active, available, eligible from checks where agent_id in (1, 2);
insert into routing.conversations (channel_id) values (1) returning assignee_agent_id;

-- an agent inserted after their seat and availability, in one statement
-- (the foreign keys are checked at its end), has both on the load row
with seat as (insert into routing.seats (agent_id, hub) values (5, 'service') returning agent_id),
     here as (insert into routing.availability (agent_id, status) values (5, 'available') returning agent_id)
insert into routing.agents (agent_id, name) select agent_id, 'Eve' from seat;
insert into routing.rule_targets (channel_id, agent_id) values (1, 5);
select agent_id, active, paid_seat, available, eligible from checks where agent_id = 5;

-- the load rows say the same as the tables they copy
select l.agent_id,
       l.active = a.active as active_same,
       l.has_seat = exists (select from routing.seats s where s.agent_id = l.agent_id) as seat_same,
       l.available = exists (select from routing.availability v
                             where v.agent_id = l.agent_id and v.status = 'available') as available_same
from routing.agent_loads l join routing.agents a using (account_id, agent_id)
order by 1;

-- sections 3.1, 3.2, 3.5 and 14: every method judges a candidate by the
-- facts read with its load row, however it reads the pool: least busy chat
-- (the team's rows in load order, channel 12), least busy email and round
-- robin (one query of the pool, channels 13 and 14), random (named agents'
-- rows, channel 15).  Of team 1's primary members Gil (11) is inactive, Hu
-- (12) has no seat and Io (13) is away; only Jay (14) passes all three.
insert into routing.agents (agent_id, name, active) values
    (11, 'Gil', false), (12, 'Hu', true), (13, 'Io', true), (14, 'Jay', true);
insert into routing.seats (agent_id, hub) values (11, 'service'), (13, 'service'), (14, 'service');
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id in (11, 12, 14);
select routing.set_availability(13, 'away');
insert into routing.teams (team_id, name) values (1, 'Desk');
insert into routing.team_members (team_id, agent_id, role)
select 1, agent_id, 'primary' from routing.agents where agent_id between 11 and 14;
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (12, 1, 'chat', 'Busy chat'), (13, 1, 'email', 'busy@'),
    (14, 1, 'chat', 'Turns chat'), (15, 1, 'email', 'random@');
insert into routing.rules (channel_id, enabled, distribution) values
    (12, true, 'least_busy'), (13, true, 'least_busy'), (14, true, 'round_robin'),
    (15, true, 'random');
insert into routing.rule_targets (channel_id, team_id) values (12, 1), (13, 1), (14, 1);
insert into routing.rule_targets (channel_id, agent_id)
select 15, agent_id from routing.agents where agent_id between 11 and 14;
insert into routing.conversations (channel_id)
select channel_id from generate_series(12, 15) channel_id, generate_series(1, 4);
select channel_id, count(*) as conversations,
       array_agg(distinct assignee_agent_id) as assignees
from routing.conversations where channel_id between 12 and 15
group by channel_id order by channel_id;
