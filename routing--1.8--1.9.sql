-- routing 1.8 -> 1.9
\echo Use "ALTER EXTENSION routing UPDATE TO '1.9'" to load this file. \quit

-- issue 21: restores as DBAs run them.  The database owner runs
-- routing.pre_restore() before restoring a dump into empty routing tables
-- (pg_dump | psql, pg_restore, pg_restore -j) and routing.post_restore()
-- after it, without superuser and without session_replication_role: in
-- between every trigger of the routing tables is off, foreign keys
-- included; after, the foreign keys and the books are checked and every
-- account drained.  Each checks that its caller owns the database, so
-- EXECUTE stays with PUBLIC.
create function routing.pre_restore() returns void
    language c as 'MODULE_PATHNAME', 'routing_pre_restore';
create function routing.post_restore() returns bigint
    language c as 'MODULE_PATHNAME', 'routing_post_restore';
comment on function routing.pre_restore() is 'For the database owner, before restoring a dump into empty routing tables: turns their triggers off until routing.post_restore()';
comment on function routing.post_restore() is 'For the database owner, after restoring a dump: turns the triggers on, checks the foreign keys and the books, drains every account; returns how many conversations it assigned';

-- issue 23: time (section 16)
-- Offers that lapse, owners who leave, working hours and idle agents.  Every
-- piece of timed work is a row written in the transaction that starts it,
-- indexed by when it is due, so routing.tick() finds due work with an index
-- probe however many conversations are open.

alter table routing.rules
    add column accept_within interval check (accept_within > interval '0'),
    add column max_offers integer not null default 3 check (max_offers >= 1),
    add column away_after_lapses integer check (away_after_lapses >= 1),
    add column when_owner_away text not null default 'keep'
        check (when_owner_away in ('keep', 'reroute')),
    add column away_grace interval not null default interval '1 minute'
        check (away_grace >= interval '0');

-- timezone() raises 22023 for a name it does not know.
alter table routing.agents
    add column time_zone text not null default 'UTC'
        check (pg_catalog.timezone(time_zone, timestamptz '2000-01-01 00:00+00') is not null),
    add column idle_after interval check (idle_after > interval '0');

create table routing.working_hours (
    account_id bigint not null default 1,
    agent_id bigint not null,
    weekday integer not null check (weekday between 0 and 6),
    starts time not null,
    ends time not null,
    check (starts <> ends),
    primary key (account_id, agent_id, weekday, starts),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

create table routing.time_off (
    account_id bigint not null default 1,
    agent_id bigint not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    check (ends_at > starts_at),
    primary key (account_id, agent_id, starts_at),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

-- The clock's events about an agent (set_away, hours_start, hours_end,
-- idle) name no conversation.
alter table routing.events drop constraint events_kind_check;
alter table routing.events alter column conversation_id drop not null;
alter table routing.events
    add constraint events_kind_check check (kind in ('owner_offline', 'offer_lapsed',
        'set_away', 'hours_start', 'hours_end', 'idle')),
    add column reason text;

-- An offer: a conversation a rule gave agent_id, which lapses at due_at
-- unless accepted; "lapses" counts the offers of it that lapsed before.
-- With agent_id null the conversation waits in its channel's queue after
-- lapses, and the agents who let it lapse may take it again from due_at.
-- Written under the conversation's row lock only.
create table routing.offers (
    account_id bigint not null default 1,
    conversation_id bigint not null,
    agent_id bigint,
    due_at timestamptz not null,
    lapses integer not null default 0 check (lapses >= 0),
    primary key (account_id, conversation_id),
    -- Deferred: the routing trigger offers a conversation before its row
    -- exists.  No key to agents: agent_id is the conversation's owner,
    -- whom the conversation's own key keeps, and an offer ends with the
    -- ownership; one check fewer on every routed insert.
    foreign key (account_id, conversation_id) references routing.conversations
        on delete cascade deferrable initially deferred
);
-- What routing.tick() reads first: the earliest due offers of every account.
create index offers_due on routing.offers (due_at, account_id, conversation_id);

-- The agents excluded from a conversation by their lapsed offers, as long
-- as its offers row lasts.
create table routing.offer_exclusions (
    account_id bigint not null default 1,
    conversation_id bigint not null,
    agent_id bigint not null,
    lapsed_at timestamptz not null,
    primary key (account_id, conversation_id, agent_id),
    foreign key (account_id, conversation_id) references routing.offers on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

-- An agent's pending timed work, one row per kind: owner_away (the agent
-- became away at started_at; their conversations of rules that reroute
-- move once each rule's grace has passed), hours (the next boundary of
-- their working hours) and idle (when they become idle).  The tick does
-- them under the agent's availability row lock.
create table routing.agent_timers (
    account_id bigint not null default 1,
    agent_id bigint not null,
    kind text not null check (kind in ('owner_away', 'hours', 'idle')),
    started_at timestamptz not null,
    due_at timestamptz not null,
    primary key (account_id, agent_id, kind),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);
create index agent_timers_due on routing.agent_timers (due_at, account_id, agent_id, kind);

-- How many offers of a channel an agent let lapse in a row (for
-- rules.away_after_lapses); accepting one of the channel resets it.
create table routing.lapse_streaks (
    account_id bigint not null default 1,
    channel_id bigint not null,
    agent_id bigint not null,
    lapses integer not null check (lapses >= 0),
    primary key (account_id, channel_id, agent_id),
    foreign key (account_id, channel_id) references routing.rules on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

create view routing.timers as
    select o.account_id, 'offer'::text as kind, o.conversation_id, o.agent_id, o.due_at
    from routing.offers o
    union all
    select t.account_id, t.kind, null::bigint, t.agent_id, t.due_at
    from routing.agent_timers t;

create function routing.availability_changed() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_availability_changed';
revoke execute on function routing.availability_changed() from public;
-- An agent who becomes away starts the grace of rules that reroute.
create trigger availability_changed after insert or update on routing.availability
    for each row execute function routing.availability_changed();

create function routing.schedule_changed() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_schedule_changed';
revoke execute on function routing.schedule_changed() from public;
-- A change of an agent's schedule moves their hours timer to its next
-- boundary, where it takes effect; of idle_after, their idle timer.
create trigger schedule_changed after insert or update or delete on routing.working_hours
    for each row execute function routing.schedule_changed();
create trigger schedule_changed after insert or update or delete on routing.time_off
    for each row execute function routing.schedule_changed();
create trigger schedule_changed after update of time_zone, idle_after on routing.agents
    for each row execute function routing.schedule_changed();

create function routing.heartbeat(agent_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_heartbeat';
create function routing.accept(conversation_id bigint, agent_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_accept';
create function routing.tick(at timestamptz default pg_catalog.now())
    returns bigint language c as 'MODULE_PATHNAME', 'routing_tick';
revoke execute on function routing.accept(bigint, bigint, bigint),
    routing.heartbeat(bigint, bigint), routing.tick(timestamptz) from public;

select pg_catalog.pg_extension_config_dump('routing.working_hours', '');
select pg_catalog.pg_extension_config_dump('routing.time_off', '');
select pg_catalog.pg_extension_config_dump('routing.offers', '');
select pg_catalog.pg_extension_config_dump('routing.offer_exclusions', '');
select pg_catalog.pg_extension_config_dump('routing.agent_timers', '');
select pg_catalog.pg_extension_config_dump('routing.lapse_streaks', '');

comment on column routing.rules.accept_within is 'Section 16: a conversation the rule assigns is an offer, which lapses unless accepted within this; null: no offers';
comment on column routing.rules.max_offers is 'Section 16: after this many lapsed offers a conversation goes where when_nobody says';
comment on column routing.rules.away_after_lapses is 'Section 16: an agent who lets this many offers of the channel lapse in a row is set away; null: never';
comment on column routing.rules.when_owner_away is 'Section 16: keep (HubSpot) or reroute the open conversations of an owner who stays away for away_grace';
comment on column routing.rules.away_grace is 'Section 16: how long an owner must stay away before when_owner_away = reroute moves their conversations';
comment on column routing.agents.time_zone is 'Section 16: the time zone of the agent''s working_hours, a name of pg_timezone_names';
comment on column routing.agents.idle_after is 'Section 16: an available agent with no heartbeat for this long is set away; null: never idle';
comment on column routing.events.reason is 'Why the event happened, in words';
comment on table routing.working_hours is 'Section 16: spans (weekday 0 = Sunday, starts, ends in the agent''s time_zone; ends before starts: the next day) when the agent is set available';
comment on table routing.time_off is 'Section 16: times when an agent with working hours stays away';
comment on table routing.offers is 'Internal (section 16): the pending offers, and the conversations waiting in a queue after lapsed offers; one per conversation';
comment on table routing.offer_exclusions is 'Internal (section 16): the agents a conversation''s lapsed offers exclude from it';
comment on table routing.agent_timers is 'Internal (section 16): each agent''s pending timed work: owner_away, hours, idle';
comment on table routing.lapse_streaks is 'Internal (section 16): offers of a channel each agent let lapse in a row';
comment on function routing.availability_changed() is 'Trigger: an agent who becomes away starts the grace of rules whose when_owner_away is reroute';
comment on view routing.timers is 'Section 16: every pending piece of timed work and when it is due';
comment on function routing.schedule_changed() is 'Trigger: a changed schedule moves the agent''s hours timer to its next boundary, and idle_after their idle timer';
comment on function routing.heartbeat(bigint, bigint) is 'The agent is present: an available agent with idle_after is set away idle_after after their last heartbeat';
comment on function routing.accept(bigint, bigint, bigint) is 'The agent accepts the conversation offered to them (55000 once the offer has lapsed)';
comment on function routing.tick(timestamptz) is 'Does the timed work due at "at" in this database, every account; returns how many pieces';

-- issue 24: Citus moves shards by logical replication by default, which
-- needs each table to have a primary key or a replica identity; these two
-- have only partial unique indexes (one agent or one team per row).  So
-- does a logical replication of the tables from a single server.
alter table routing.inbox_access replica identity full;
alter table routing.rule_targets replica identity full;

-- issue 22: "books" names the conversation books alone; agent_loads' guards
-- are named for the table they guard.
alter function routing.books_guard() rename to loads_guard;
alter function routing.books_truncated() rename to loads_truncated;
create or replace function routing.loads_guard() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_loads_guard';
create or replace function routing.loads_truncated() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_loads_truncated';
alter trigger books_guard on routing.agent_loads rename to loads_guard;
alter trigger books_truncated on routing.agent_loads rename to loads_truncated;
