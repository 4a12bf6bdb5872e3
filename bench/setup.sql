-- bench/setup.sql: the benchmark's schema, run by bench/run in a throwaway
-- cluster after CREATE EXTENSION routing.
--   bench.conversations_bare  copy of routing.conversations without the
--                             triggers (same columns, indexes, checks, FKs)
--   bench.floor_loads         copy of routing.agent_loads (fillfactor 50)
--   bench.floor_log           copy of routing.assignment_log
--   bench.make_pool(a, n)     account a: n agents, all seated, available,
--                             primary members of team 1, which alone has
--                             access to the restricted inbox 1 and is the
--                             target of the enabled rules of channel 1
--                             (chat, least busy) and channel 2 (email, random)
--   bench.reset()             empties every conversations table and zeroes
--                             every counter between measurements
\set ON_ERROR_STOP 1
set client_min_messages = warning;

\i bench/reference.sql

create table bench.conversations_bare (like routing.conversations including all);
alter table bench.conversations_bare
    add foreign key (account_id, channel_id) references routing.channels,
    add foreign key (account_id, contact_id) references routing.contacts,
    add foreign key (account_id, assignee_agent_id) references routing.agents,
    add foreign key (account_id, assignee_team_id) references routing.teams;

create table bench.floor_loads (like routing.agent_loads including all)
    with (fillfactor = 50);
alter table bench.floor_loads
    add foreign key (account_id, agent_id) references routing.agents on delete cascade;

create table bench.floor_log (like routing.assignment_log including all);
alter table bench.floor_log
    add foreign key (account_id, conversation_id) references bench.conversations_bare
        on delete cascade;

create function bench.make_pool(p_account_id bigint, p_agents integer) returns void
    language sql
as $$
    insert into routing.agents (account_id, agent_id, name)
        select p_account_id, g, 'agent ' || g from generate_series(1, p_agents) g;
    insert into routing.seats (account_id, agent_id, hub)
        select p_account_id, g, 'service' from generate_series(1, p_agents) g;
    insert into routing.availability (account_id, agent_id, status)
        select p_account_id, g, 'available' from generate_series(1, p_agents) g;
    insert into routing.teams (account_id, team_id, name) values (p_account_id, 1, 'pool');
    insert into routing.team_members (account_id, team_id, agent_id, role)
        select p_account_id, 1, g, 'primary' from generate_series(1, p_agents) g;
    insert into routing.inboxes (account_id, inbox_id, name, access)
        values (p_account_id, 1, 'support', 'restricted');
    insert into routing.inbox_access (account_id, inbox_id, team_id)
        values (p_account_id, 1, 1);
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        values (p_account_id, 1, 1, 'chat', 'chat'), (p_account_id, 2, 1, 'email', 'email');
    insert into routing.rules (account_id, channel_id, enabled)
        values (p_account_id, 1, true), (p_account_id, 2, true);
    insert into routing.rule_targets (account_id, channel_id, team_id)
        values (p_account_id, 1, 1), (p_account_id, 2, 1);
    insert into bench.floor_loads (account_id, agent_id)
        select p_account_id, g from generate_series(1, p_agents) g;
    insert into bench.ref_loads (account_id, agent_id)
        select p_account_id, g from generate_series(1, p_agents) g;
$$;

-- Truncating conversations zeroes routing's counters; the last chat times
-- are cleared too, so that every run starts alike.  Only the extension may
-- write agent_loads, so that update runs with triggers off (a superuser's
-- session_replication_role, which this benchmark has).
create function bench.reset() returns void
    language sql
as $$
    truncate routing.conversations, routing.assignment_log, routing.events,
             bench.conversations_bare, bench.floor_log,
             bench.conversations_ref, bench.ref_log, bench.ref_events;
    set local session_replication_role = replica;
    update routing.agent_loads set open_chats = 0, last_chat_at = null
        where open_chats <> 0 or last_chat_at is not null;
    set local session_replication_role = origin;
    update bench.floor_loads set open_chats = 0, last_chat_at = null
        where open_chats <> 0 or last_chat_at is not null;
    update bench.ref_loads set open_chats = 0, last_chat_at = null
        where open_chats <> 0 or last_chat_at is not null;
$$;

-- Section 5 after a concurrent run into one pool: every counter equals the
-- true count of open assigned chats, and the pool's open chat counts differ
-- by at most one.  One row: counters that differ, the spread, unrouted rows.
create function bench.check_invariants(p_account_id bigint,
                                       out wrong_counters bigint, out spread integer,
                                       out unassigned bigint, out conversations bigint)
    language sql stable
as $$
    select (select count(*) from routing.agent_loads l
            join bench.reference_true_load(p_account_id) t on t.agent_id = l.agent_id
            where l.account_id = p_account_id and l.open_chats <> t.open_chats),
           (select max(open_chats) - min(open_chats) from routing.agent_loads
            where account_id = p_account_id),
           (select count(*) from routing.conversations
            where account_id = p_account_id and assignee_agent_id is null),
           (select count(*) from routing.conversations where account_id = p_account_id)
$$;

-- The same for the reference's counters.
create function bench.check_reference_invariants(p_account_id bigint,
                                                 out wrong_counters bigint, out spread integer,
                                                 out unassigned bigint, out conversations bigint)
    language sql stable
as $$
    select (select count(*) from bench.ref_loads l
            where l.account_id = p_account_id
              and l.open_chats <> (select count(*) from bench.conversations_ref c
                                   join routing.channels ch
                                     on ch.account_id = c.account_id and ch.channel_id = c.channel_id
                                   where c.account_id = p_account_id
                                     and c.assignee_agent_id = l.agent_id
                                     and c.status = 'open'
                                     and ch.kind in ('chat', 'bot', 'messenger'))),
           (select max(open_chats) - min(open_chats) from bench.ref_loads
            where account_id = p_account_id),
           (select count(*) from bench.conversations_ref
            where account_id = p_account_id and assignee_agent_id is null),
           (select count(*) from bench.conversations_ref where account_id = p_account_id)
$$;

-- The memory check's load: "batches" transactions of "batch_rows" routed
-- inserts each, over every pool, chat and email alternately.  One commit per
-- batch: many routed inserts in one transaction pile up versions of the same
-- counter rows that no one can prune before the commit.
create procedure bench.route_batches(p_batches integer, p_batch_rows integer)
    language plpgsql
as $$
declare
    v_accounts bigint[] := array(select distinct account_id from routing.rules order by 1);
begin
    for i in 1 .. p_batches loop
        insert into routing.conversations (account_id, channel_id)
            select v_accounts[1 + (i % cardinality(v_accounts))], 1 + g % 2
            from generate_series(1, p_batch_rows) g;
        commit;
    end loop;
end;
$$;

-- One row per pgbench run (a slice of a measurement); cpu_ticks is the
-- server CPU time (clock ticks) of the backends that ended during the run.
create table bench.samples (
    clients integer not null,
    fsync text not null,
    pool integer not null,
    variant text not null,
    round integer not null,
    tps numeric not null,
    transactions bigint not null,
    failed bigint not null,
    cpu_ticks bigint not null,
    invariants_ok boolean,
    primary key (clients, pool, variant, round)
);

-- One row per measurement: the median tps of its slices.
create view bench.results as
select clients, min(fsync) as fsync, pool, variant,
       percentile_cont(0.5) within group (order by tps) as tps,
       count(*) as rounds,
       sum(transactions) as transactions,
       sum(failed) as failed,
       sum(cpu_ticks) as cpu_ticks,
       bool_and(invariants_ok) as invariants_ok
from bench.samples
group by clients, pool, variant;
