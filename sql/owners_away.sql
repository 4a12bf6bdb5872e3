-- Section 16: owners who leave (when_owner_away, away_grace) and agents set
-- away after offers lapsed in a row (away_after_lapses).  Time moves only
-- by the "at" passed to tick().
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
reset client_min_messages;
\set VERBOSITY terse

insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Di');
insert into routing.seats (agent_id, hub) select g, 'service' from generate_series(1, 4) g;
select count(routing.set_availability(g, 'available')) from generate_series(1, 3) g;
insert into routing.inboxes (inbox_id, name) values (1, 'support');
-- 1: reroute after 1 minute; 2: keep (the default); 3: reroute after 5
-- minutes; 4: reroute, queue when nobody; 5: offers, away after 2 lapses
insert into routing.channels (channel_id, inbox_id, kind)
    select g, 1, 'chat' from generate_series(1, 5) g;
insert into routing.rules (channel_id, enabled, when_owner_away) values (1, true, 'reroute');
insert into routing.rules (channel_id, enabled) values (2, true);
insert into routing.rules (channel_id, enabled, when_owner_away, away_grace)
    values (3, true, 'reroute', '5 minutes');
insert into routing.rules (channel_id, enabled, when_owner_away, when_nobody)
    values (4, true, 'reroute', 'queue');
insert into routing.rules (channel_id, enabled, accept_within, away_after_lapses, max_offers)
    values (5, true, '30 seconds', 2, 1);
insert into routing.rule_targets (channel_id, agent_id)
    select c, g from generate_series(1, 5) c, generate_series(1, 3) g;

create function pg_temp.owners() returns table (conversation_id bigint, channel_id bigint,
    assignee_agent_id bigint, assigned_reason text)
    language sql as $$
    select conversation_id, channel_id, assignee_agent_id, assigned_reason
    from routing.conversations order by 1 $$;
create function pg_temp.books() returns table (agent_id bigint, open_chats int, true_chats bigint)
    language sql as $$
    select l.agent_id, l.open_chats,
           (select count(*) from routing.conversations c
            where c.assignee_agent_id = l.agent_id and c.status = 'open')
    from routing.agent_loads l order by 1 $$;

-- Ann owns one conversation of each of channels 1 to 4 (given by hand).
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id)
    select g, g, 1 from generate_series(1, 4) g;

-- section 16: becoming away starts the grace of the rules that reroute:
-- one owner_away timer, due when the shortest grace has passed
select routing.set_availability(1, 'away');
select changed_at as away_at from routing.availability where agent_id = 1 \gset
select kind, conversation_id, agent_id, due_at = :'away_at'::timestamptz + interval '1 minute' as due
from routing.timers;
-- a second away does not restart the grace
select routing.set_availability(1, 'away');
select due_at = :'away_at'::timestamptz + interval '1 minute' as due_unchanged
from routing.timers where kind = 'owner_away';
-- before the grace has passed, nothing moves
select routing.tick(:'away_at'::timestamptz + interval '59 seconds');
select * from pg_temp.owners();

-- section 16: back to available within the grace: nothing moves, no timer
select routing.set_availability(1, 'available');
select count(*) as timers from routing.timers;
select routing.tick(:'away_at'::timestamptz + interval '1 hour');
select * from pg_temp.owners();

-- section 16: still away when the grace has passed: each open conversation
-- of a channel whose rule reroutes is routed again, never back to the
-- owner, logged with reason "owner away"; "keep" leaves it with them; each
-- rule's grace applies to its own channels
select routing.set_availability(1, 'away');
select changed_at as away_at from routing.availability where agent_id = 1 \gset
select routing.tick(:'away_at'::timestamptz + interval '1 minute');
select * from pg_temp.owners();
select conversation_id, from_agent_id, to_agent_id, assigned_by, reason
from routing.assignment_log where reason = 'owner away' order by conversation_id;
select kind, agent_id, due_at = :'away_at'::timestamptz + interval '5 minutes' as due_at_next_grace
from routing.timers;
select routing.tick(:'away_at'::timestamptz + interval '4 minutes');
select routing.tick(:'away_at'::timestamptz + interval '5 minutes');
select * from pg_temp.owners();
select count(*) as timers from routing.timers;
select * from pg_temp.books();

-- section 16 with section 13: where nobody else is eligible, the
-- conversation goes where when_nobody says (channel 4 queues)
select routing.set_availability(1, 'available');
select routing.assign(4, 1);
select routing.set_availability(2, 'away'), routing.set_availability(3, 'away');
select routing.set_availability(1, 'away');
select changed_at as away_at from routing.availability where agent_id = 1 \gset
-- (Bob's and Cy's graces pass too: Bob's conversations of channels 1 and
-- 3 find nobody and go to Unassigned)
select routing.tick(:'away_at'::timestamptz + interval '10 minutes');
select * from pg_temp.owners();
select conversation_id, position from routing.queue;
-- Bob back: the queue gives it to him
select routing.set_availability(2, 'available');
select conversation_id, assignee_agent_id from routing.conversations where conversation_id = 4;
select routing.set_availability(3, 'available');

-- section 16: an agent with no availability row was never available, so
-- never becomes away
insert into routing.availability (agent_id, status) values (4, 'away');
select count(*) as timers from routing.timers where agent_id = 4;

-- section 16: away_after_lapses: Bob lets two offers of channel 5 lapse in
-- a row and is set away by the tick (an events row set_away with the
-- reason), dated "at", which starts his grace
select routing.set_availability(3, 'away');
insert into routing.conversations (conversation_id, channel_id) values (10, 5)
returning assignee_agent_id;
select now() + interval '1 minute' as t1 \gset
select routing.tick(:'t1');
select status from routing.availability where agent_id = 2;
select agent_id, channel_id, lapses from routing.lapse_streaks;
-- an accept of an offer of the channel resets the count
insert into routing.conversations (conversation_id, channel_id) values (11, 5)
returning assignee_agent_id;
select routing.accept(11, 2);
select count(*) as streaks from routing.lapse_streaks;
insert into routing.conversations (conversation_id, channel_id) values (12, 5);
select routing.tick(:'t1'::timestamptz + interval '1 minute');
insert into routing.conversations (conversation_id, channel_id) values (13, 5);
select now() + interval '1 hour' as t2 \gset
select routing.tick(:'t2');
select status, changed_at = :'t2' as changed_at_tick from routing.availability where agent_id = 2;
select kind, conversation_id, agent_id, at = :'t2' as at_tick, reason
from routing.events where kind = 'set_away';
select count(*) as streaks from routing.lapse_streaks;
select kind, agent_id from routing.timers where kind = 'owner_away';
select * from pg_temp.books();
