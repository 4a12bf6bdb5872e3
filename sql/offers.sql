-- Section 16: offers that lapse, accept, and the clock (routing.tick(at)).
-- Time moves only by the "at" passed to tick(); nothing sleeps.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
reset client_min_messages;
\set VERBOSITY terse

insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
insert into routing.seats (agent_id, hub) select g, 'service' from generate_series(1, 3) g;
select count(routing.set_availability(g, 'available')) from generate_series(1, 3) g;
insert into routing.inboxes (inbox_id, name) values (1, 'support');
insert into routing.channels (channel_id, inbox_id, kind) values
    (1, 1, 'chat'), (2, 1, 'chat'), (3, 1, 'email');
insert into routing.rules (channel_id, enabled, accept_within, max_offers) values
    (1, true, '30 seconds', 2);
insert into routing.rules (channel_id, enabled, accept_within, when_nobody) values
    (2, true, '30 seconds', 'queue');
insert into routing.rules (channel_id, enabled, distribution) values (3, true, 'least_busy');
insert into routing.rule_targets (channel_id, agent_id)
    select c, g from generate_series(1, 3) c, generate_series(1, 3) g;

-- The conversations' offers and every agent's load.
create function pg_temp.offers() returns table (conversation_id bigint,
    assignee_agent_id bigint, offered_to bigint, lapses int)
    language sql as $$
    select c.conversation_id, c.assignee_agent_id, o.agent_id, o.lapses
    from routing.conversations c
    left join routing.offers o using (account_id, conversation_id)
    order by 1 $$;
create function pg_temp.loads() returns table (agent_id bigint, open_chats int, open_emails int)
    language sql as $$
    select agent_id, open_chats, open_emails from routing.agent_load order by 1 $$;

-- section 16: the rule's CHECKs refuse an accept_within that is not
-- positive, max_offers or away_after_lapses below 1, an unknown
-- when_owner_away and a negative away_grace (23514); nothing changes
update routing.rules set accept_within = '0 seconds' where channel_id = 3;
update routing.rules set accept_within = '-1 minute' where channel_id = 3;
update routing.rules set max_offers = 0 where channel_id = 3;
update routing.rules set away_after_lapses = 0 where channel_id = 3;
update routing.rules set when_owner_away = 'forward' where channel_id = 3;
update routing.rules set away_grace = '-1 second' where channel_id = 3;
select channel_id, accept_within, max_offers, away_after_lapses, when_owner_away, away_grace
from routing.rules order by 1;
-- section 16: an unknown time zone is refused with 22023; idle_after must
-- be positive; working hours need starts <> ends and a weekday 0-6; time
-- off must end after it starts
update routing.agents set time_zone = 'Mars/Olympus_Mons' where agent_id = 1;
update routing.agents set idle_after = '0 seconds' where agent_id = 1;
insert into routing.working_hours (agent_id, weekday, starts, ends) values (1, 1, '09:00', '09:00');
insert into routing.working_hours (agent_id, weekday, starts, ends) values (1, 7, '09:00', '17:00');
insert into routing.time_off (agent_id, starts_at, ends_at) values
    (1, '2026-12-24 00:00+00', '2026-12-24 00:00+00');
update routing.agents set time_zone = 'Europe/Copenhagen' where agent_id = 1;
select agent_id, time_zone, idle_after from routing.agents order by 1;
update routing.agents set time_zone = 'UTC' where agent_id = 1;

-- section 16: a conversation a rule with accept_within assigns is an
-- offer: counted in the agent's load at once, due accept_within later
insert into routing.conversations (conversation_id, channel_id) values (1, 1)
returning assignee_agent_id, assigned_by;
select * from pg_temp.offers();
select * from pg_temp.loads();
select kind, conversation_id, agent_id, due_at = (select assigned_at + interval '30 seconds'
    from routing.conversations where conversation_id = 1) as due_in_30s
from routing.timers;
-- section 16: a rule without accept_within makes no offer; a manual
-- assignment is never an offer
insert into routing.conversations (conversation_id, channel_id) values (2, 3);
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id) values (3, 1, 3);
select count(*) as timers from routing.timers;

-- section 16: a tick with nothing due does nothing; "at" need not increase
select routing.tick(now() - interval '1 day');
select routing.tick(now());
select * from pg_temp.offers();

-- section 16: an offer not accepted within accept_within lapses at the
-- next tick: the load drops, the agent is excluded from the conversation,
-- it is offered again by the rule (due accept_within after "at"), logged
-- with reason "offer lapsed" and an offer_lapsed event naming the agent
select now() + interval '1 minute' as t1 \gset
select routing.tick(:'t1');
select * from pg_temp.loads();
select conversation_id, assignee_agent_id, assigned_by, assigned_reason
from routing.conversations where conversation_id = 1;
select conversation_id, from_agent_id, to_agent_id, assigned_by, reason
from routing.assignment_log where conversation_id = 1 order by log_id;
select kind, conversation_id, agent_id, at = :'t1' as at_tick, reason from routing.events;
select kind, conversation_id, agent_id, due_at = :'t1'::timestamptz + interval '30 seconds' as due
from routing.timers;
select conversation_id, agent_id from routing.offer_exclusions;
-- the same tick again finds nothing due
select routing.tick(:'t1');

-- section 16: explain_route shows the agent whose offer lapsed
select c->>'agent_id' as agent_id, c->'offer_lapsed' as offer_lapsed, c->'eligible' as eligible
from jsonb_array_elements(routing.explain_route(1)->'candidates') c;

-- section 16: accept by someone else, or after the lapse, fails with 55000
-- and changes nothing; by the owner it ends the offer; again, nothing
select routing.accept(1, 1);
select routing.accept(1, 3);
select routing.accept(1, 2);
select count(*) as timers from routing.timers;
select routing.accept(1, 2);
-- the owner of a conversation assigned by hand accepts nothing and is not refused
select routing.accept(3, 3);
-- section 9: unknown ids and NULLs are refused
select routing.accept(99, 2);
select routing.accept(1, 99);
select routing.accept(null, 2);
select routing.accept(1, 2, account_id => null);
select routing.tick(null);
-- an accepted offer no longer lapses
select routing.tick(:'t1'::timestamptz + interval '1 hour');
select * from pg_temp.offers() where conversation_id = 1;

-- section 16: after max_offers lapsed offers (2 here) the conversation goes
-- where the rule puts what nobody can take: Unassigned, with no exclusions
insert into routing.conversations (conversation_id, channel_id) values (4, 1)
returning assignee_agent_id;
select now() + interval '1 minute' as t2 \gset
select routing.tick(:'t2');
select * from pg_temp.offers() where conversation_id = 4;
select routing.tick(:'t2'::timestamptz + interval '31 seconds');
select * from pg_temp.offers() where conversation_id = 4;
select conversation_id, from_agent_id, to_agent_id, assigned_by, reason
from routing.assignment_log where conversation_id = 4 order by log_id;
select count(*) as exclusions from routing.offer_exclusions where conversation_id = 4;
select conversation_id from routing.unassigned;
select * from pg_temp.loads();
-- a later route_conversation may pick anyone: least busy is Ann again
select routing.route_conversation(4);
select * from pg_temp.offers() where conversation_id = 4;

-- section 16: a reply by the owner accepts the offer; a reply by another
-- agent does not
select routing.reply(4, 2);
select offered_to from pg_temp.offers() where conversation_id = 4;
select routing.reply(4, 1);
select offered_to from pg_temp.offers() where conversation_id = 4;

-- section 16: closing, unassigning, reassigning or deleting a conversation
-- ends its offer
insert into routing.conversations (conversation_id, channel_id)
    select g, 1 from generate_series(5, 9) g;
select conversation_id, offered_to is not null as offered from pg_temp.offers()
where conversation_id between 5 and 9;
select routing.close_conversation(5);
select routing.unassign(6);
select routing.assign(7, (select case when assignee_agent_id = 1 then 2 else 1 end
                          from routing.conversations where conversation_id = 7));
update routing.conversations set status = 'closed' where conversation_id = 8;
delete from routing.conversations where conversation_id = 9;
select conversation_id, offered_to from pg_temp.offers() where conversation_id between 5 and 9;
select count(*) as exclusions from routing.offer_exclusions;
select * from pg_temp.loads();

-- section 16: with no other eligible agent left, a queue channel's
-- conversation waits in its queue; the agents who let it lapse take it
-- again only once it has waited accept_within there
select routing.set_availability(2, 'away'), routing.set_availability(3, 'away');
insert into routing.conversations (conversation_id, channel_id) values (10, 2)
returning assignee_agent_id;
select now() + interval '1 minute' as t3 \gset
select routing.tick(:'t3');
select conversation_id, position from routing.queue;
select kind, conversation_id, agent_id, due_at = :'t3'::timestamptz + interval '30 seconds' as due
from routing.timers where conversation_id = 10;
-- Ann has room but let it lapse: a drain does not give it to her
select routing.drain();
select routing.tick(:'t3'::timestamptz + interval '29 seconds');
select conversation_id, position from routing.queue;
-- after accept_within in the queue, the tick ends the wait: offered again
select routing.tick(:'t3'::timestamptz + interval '30 seconds');
select conversation_id, assignee_agent_id, offered_to, lapses from pg_temp.offers()
where conversation_id = 10;
select conversation_id, from_agent_id, to_agent_id, assigned_by, reason
from routing.assignment_log where conversation_id = 10 order by log_id;
-- it lapses again and waits again; section 13: room freed while it waits
-- reaches it, but not through the excluded agent: Bob back gets the offer
select routing.tick(:'t3'::timestamptz + interval '2 minutes');
select conversation_id, position from routing.queue;
select routing.set_availability(2, 'available');
select conversation_id, assignee_agent_id, offered_to from pg_temp.offers()
where conversation_id = 10;
select routing.accept(10, 2);
select routing.set_availability(3, 'available');

-- section 16: one failing piece is skipped with a WARNING and stays due;
-- the rest goes on
insert into routing.conversations (conversation_id, channel_id)
    select g, 1 from generate_series(11, 12) g;
create function pg_temp.refuse_11() returns trigger language plpgsql as $$
begin
    if new.conversation_id = 11 then
        raise exception 'events of conversation 11 are refused' using errcode = 'P0001';
    end if;
    return new;
end $$;
create trigger refuse_11 before insert on routing.events
    for each row execute function pg_temp.refuse_11();
select now() + interval '1 minute' as t4 \gset
select routing.tick(:'t4');
select conversation_id, offered_to is not null as offered, lapses from pg_temp.offers()
where conversation_id in (11, 12);
drop trigger refuse_11 on routing.events;
select routing.tick(:'t4');
select conversation_id, lapses from pg_temp.offers() where conversation_id in (11, 12);

-- sections 5 and 6: every counter equals the true count of open assigned
-- conversations after all of it
select l.agent_id, l.open_chats, l.open_emails,
       (select count(*) from routing.conversations c join routing.channels ch using (account_id, channel_id)
        where c.assignee_agent_id = l.agent_id and c.status = 'open' and ch.kind = 'chat') as true_chats,
       (select count(*) from routing.conversations c join routing.channels ch using (account_id, channel_id)
        where c.assignee_agent_id = l.agent_id and c.status = 'open' and ch.kind = 'email') as true_emails
from routing.agent_loads l order by 1;

-- section 16 with section 13: a waiting conversation whose lapsed offer
-- excludes the only agent with room does not hold up the ones behind it
-- that she can take (channel 4 queues and routes to Ann alone)
insert into routing.channels (channel_id, inbox_id, kind) values (4, 1, 'chat');
insert into routing.rules (channel_id, enabled, accept_within, when_nobody) values
    (4, true, '30 seconds', 'queue');
insert into routing.rule_targets (channel_id, agent_id) values (4, 1);
insert into routing.conversations (conversation_id, channel_id) values (20, 4)
returning assignee_agent_id;
select now() + interval '1 minute' as t5 \gset
select routing.tick(:'t5');
select conversation_id, position from routing.queue where channel_id = 4;
insert into routing.conversations (conversation_id, channel_id) values (21, 4)
returning assignee_agent_id;
select conversation_id, position from routing.queue where channel_id = 4;

-- section 9 with 16: a role with only EXECUTE on accept and tick: an accept
-- refused (55000) and caught leaves the session as it was, and so does a
-- tick that skipped a failing piece; both act as the extension owner
create role routing_test_clock nologin;
grant usage on schema routing to routing_test_clock;
grant execute on function routing.accept(bigint, bigint, bigint),
    routing.tick(timestamptz) to routing_test_clock;
insert into routing.conversations (conversation_id, channel_id) values (30, 1)
returning assignee_agent_id;
create trigger refuse_11 before insert on routing.events
    for each row execute function pg_temp.refuse_11();
begin;
set local role routing_test_clock;
do $$
begin
    perform routing.accept(30, 1);
exception when object_not_in_prerequisite_state then
    raise notice 'refused: %, still %', sqlerrm, current_user;
end $$;
savepoint s;
select routing.tick(now() + interval '1 day') > 0 as ticked;
rollback to savepoint s;
select current_user;
commit;
-- the tick rolled back to the savepoint: the offer of 30 is still there
select agent_id from routing.offers where conversation_id = 30;
drop trigger refuse_11 on routing.events;
drop owned by routing_test_clock;
drop role routing_test_clock;

-- section 16: a rule whose accept_within is turned off makes no more
-- offers; one running lapses at its deadline and the conversation goes
-- where the rule puts what nobody can take (Unassigned), with no
-- exclusions
insert into routing.conversations (conversation_id, channel_id) values (40, 1)
returning assignee_agent_id;
update routing.rules set accept_within = null where channel_id = 1;
select routing.tick(now() + interval '1 minute') > 0 as ticked;
select conversation_id, assignee_agent_id, assigned_reason from routing.conversations
where conversation_id = 40;
select count(*) as offers_of_40 from routing.offers where conversation_id = 40;
