-- Section 16: working hours (time zones, spans over midnight, adjacent
-- spans, daylight saving, time off, a manual override until the next
-- boundary) and idle agents (heartbeat, idle_after).  Time moves only by
-- the "at" passed to tick(); times print in UTC.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
reset client_min_messages;
\set VERBOSITY terse
set timezone = 'UTC';

insert into routing.agents (agent_id, name, time_zone) values
    (1, 'Ann', 'Europe/Copenhagen'), (2, 'Bob', 'Europe/Copenhagen'), (3, 'Cy', 'UTC');
insert into routing.seats (agent_id, hub) select g, 'service' from generate_series(1, 3) g;
select routing.set_availability(1, 'away');
insert into routing.inboxes (inbox_id, name) values (1, 'support');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled, when_nobody) values (1, true, 'queue');
insert into routing.rule_targets (channel_id, agent_id) values (1, 1);

-- Ann's availability, when the tick changed it (not a manual change, dated
-- by the clock), and her next boundary.
create function pg_temp.ann() returns table (status text, changed_by_tick_at timestamptz,
    hours_due timestamptz)
    language sql as $$
    select v.status, case when v.changed_at >= '2027-01-01' then v.changed_at end,
           (select t.due_at from routing.agent_timers t
            where t.agent_id = 1 and t.kind = 'hours')
    from routing.availability v where v.agent_id = 1 $$;

-- Ann works Monday 09-17, Tuesday 22 to Wednesday 06 (a span whose end is
-- before its start ends the next day), Wednesday 09-12 and 12-17
-- (adjacent: no boundary at 12), Copenhagen time.
insert into routing.working_hours (agent_id, weekday, starts, ends) values
    (1, 1, '09:00', '17:00'), (1, 2, '22:00', '06:00'),
    (1, 3, '09:00', '12:00'), (1, 3, '12:00', '17:00');
-- section 16: the schedule starts an hours timer
select kind, agent_id from routing.timers;

-- section 16: a late tick applies the state at "at" once, with one event:
-- Monday 2027-01-04 10:00 in Copenhagen is inside a span
select routing.tick('2027-01-04 09:00+00');
select * from pg_temp.ann();
select kind, agent_id, at, reason from routing.events order by event_id;
-- a waiting conversation is assigned as Ann becomes available (section 13)
insert into routing.conversations (conversation_id, channel_id) values (1, 1)
returning assignee_agent_id;

-- section 16: away at the end of the span (17:00 Copenhagen, 16:00 UTC)
select routing.tick('2027-01-04 15:59:59+00');
select routing.tick('2027-01-04 16:00+00');
select * from pg_temp.ann();
-- the next boundary is Tuesday 22:00 Copenhagen; "at" need not increase:
-- a tick in the past does nothing
select routing.tick('2027-01-01 00:00+00');

-- section 16: a manual set_availability holds until the next boundary
select routing.set_availability(1, 'available');
select routing.tick('2027-01-05 12:00+00');
select status from pg_temp.ann();
-- at the span's start she is available already: no event; the span over
-- midnight ends Wednesday 06:00 Copenhagen
select routing.tick('2027-01-05 21:00+00');
select * from pg_temp.ann();
select routing.set_availability(1, 'away');
select routing.tick('2027-01-06 05:00+00');
select * from pg_temp.ann();
select count(*) as events from routing.events;
-- section 16: adjacent spans make no boundary: from 09:00 Copenhagen the
-- next boundary is 17:00, not 12:00
select routing.set_availability(1, 'available');
select routing.tick('2027-01-06 08:00+00');
select * from pg_temp.ann();

-- section 16: time off that begins inside a span ends it (hours_end), and
-- its end starts it again; new or changed rows take effect at the next
-- boundary (the timer moves to the next boundary of the new schedule)
insert into routing.time_off (agent_id, starts_at, ends_at) values
    (1, '2027-01-06 13:00+01', '2027-01-06 14:00+01');
select routing.tick('2027-01-06 12:00+00');
select * from pg_temp.ann();
select routing.tick('2027-01-06 13:00+00');
select * from pg_temp.ann();
select kind, agent_id, at, reason from routing.events order by event_id;

-- section 16: daylight saving follows the time zone as AT TIME ZONE does:
-- on Sunday 2027-03-28 Copenhagen skips 02:00-03:00, and Bob's span
-- 02:30-04:00 starts after the gap, at 03:30 summer time (01:30 UTC)
insert into routing.working_hours (agent_id, weekday, starts, ends) values (2, 0, '02:30', '04:00');
-- (the tick also ends Ann's Wednesday, late)
select routing.tick('2027-03-28 01:00+00');
select t.due_at from routing.agent_timers t where t.agent_id = 2 and t.kind = 'hours';
select routing.tick('2027-03-28 01:30+00');
select v.status, t.due_at from routing.availability v
join routing.agent_timers t using (account_id, agent_id) where v.agent_id = 2 and t.kind = 'hours';
select routing.tick('2027-03-28 02:00+00');
select status from routing.availability where agent_id = 2;
-- (an agent with no availability row is away; the span's start made one)
select kind, agent_id, at from routing.events where agent_id = 2 order by event_id;

-- section 16: working hours that are removed leave no timer
delete from routing.working_hours where agent_id = 2;
select count(*) as hours_timers from routing.agent_timers where agent_id = 2;
-- bad input: starts = ends is refused (23514), nothing changes
insert into routing.working_hours (agent_id, weekday, starts, ends) values (2, 0, '08:00', '08:00');

-- section 16: idle agents.  Cy becomes idle idle_after after his latest
-- presence: becoming available counts, a heartbeat moves it
update routing.agents set idle_after = '5 minutes' where agent_id = 3;
select count(*) as idle_timers from routing.agent_timers where kind = 'idle';
select routing.set_availability(3, 'available');
select changed_at as available_at from routing.availability where agent_id = 3 \gset
select due_at = :'available_at'::timestamptz + interval '5 minutes' as idle_from_available
from routing.agent_timers where agent_id = 3 and kind = 'idle';
select routing.heartbeat(3);
select started_at > :'available_at'::timestamptz as moved,
       due_at = started_at + interval '5 minutes' as due
from routing.agent_timers where agent_id = 3 and kind = 'idle';
select started_at as beat_at from routing.agent_timers where agent_id = 3 and kind = 'idle' \gset
select routing.tick(:'beat_at'::timestamptz + interval '4 minutes');
select status from routing.availability where agent_id = 3;
select routing.tick(:'beat_at'::timestamptz + interval '5 minutes');
select status, changed_at = :'beat_at'::timestamptz + interval '5 minutes' as at_tick
from routing.availability where agent_id = 3;
select kind, agent_id, reason like 'no heartbeat since %' as reason
from routing.events where kind = 'idle';
-- a heartbeat alone does not make him available again
select routing.heartbeat(3);
select status from routing.availability where agent_id = 3;
select count(*) as idle_timers from routing.agent_timers where kind = 'idle';
-- idle_after null: never idle
select routing.set_availability(3, 'available');
update routing.agents set idle_after = null where agent_id = 3;
select count(*) as idle_timers from routing.agent_timers where kind = 'idle';
-- section 9: unknown agents and NULLs are refused
select routing.heartbeat(99);
select routing.heartbeat(null);
select routing.heartbeat(3, account_id => null);

-- section 16: explain_route shows each candidate's hours and idle state
-- where they matter (whether Ann works now depends on the day the test
-- runs: only its presence is shown)
insert into routing.rule_targets (channel_id, agent_id) values (1, 3);
update routing.agents set idle_after = '5 minutes' where agent_id = 3;
select c->>'agent_id' as agent_id,
       jsonb_typeof(c->'working_hours'->'working') as working,
       jsonb_typeof(c->'working_hours'->'next_boundary') as next_boundary,
       (c->>'idle_at')::timestamptz = (select due_at from routing.agent_timers
                                       where agent_id = 3 and kind = 'idle') as idle_at
from jsonb_array_elements(routing.explain_route(1)->'candidates') c order by 1;
