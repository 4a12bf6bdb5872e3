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
--   bench.make_capacity_pool(a, n, max_open)
--                             make_pool(a, n), every agent with that chat
--                             capacity
--   bench.make_close_pool(a, n, max_open)
--                             make_pool(a, n), channel 1's rule queues
--                             (when_nobody = queue), every agent with that
--                             chat capacity
--   bench.make_drain_pool(a, n)
--                             n agents, seated, away; n queue chat channels,
--                             channel c routing to agent c alone, but agent 1
--                             (chat capacity 1) is a target of channels 1-3
--   bench.prepare(variant, a, closes)
--                             after bench.reset(): the conversations a queue
--                             (or steady) measurement starts from
--   bench.analyze_filled()    after bench.prepare(): analyzes the
--                             conversations tables it filled (over 1,000
--                             rows), not the empty ones
--   bench.make_account_pool(a, pool, agents)
--                             issue 10: make_pool(a, pool), and agents
--                             pool+1..agents seated, available, primary
--                             members of team 2 (no inbox access, not a
--                             rule's target)
--   bench.make_tenants(first, accounts, agents)
--                             issue 10: accounts first..first+accounts-1,
--                             each shaped like make_pool(a, agents) (no
--                             floor or reference counters), built set-based
--   bench.make_teams(a, teams, agents)
--                             issue 10: one account of teams x agents
--                             agents, team t the target of chat channel t
--                             and email channel teams+t
--   bench.make_overlap(a, agents)
--                             issue 10: teams 1-3 of agents each (like
--                             make_teams' agents: bench.make_team_agents); chat
--                             channel 1 -> teams 1, 2; bot channel 2 ->
--                             teams 2, 3; messenger channel 3 -> teams 1-3
--   bench.check_steady(a, routed)
--                             after a steady run: whether every close hit
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
    truncate routing.conversations, routing.assignment_log, routing.events, routing.offers, routing.offer_exclusions,
             bench.conversations_bare, bench.floor_log,
             bench.conversations_ref, bench.ref_log, bench.ref_events;
    set local session_replication_role = replica;
    update routing.agent_loads set open_chats = 0, last_chat_at = null,
                                   open_emails = 0, last_email_at = null
        where open_chats <> 0 or last_chat_at is not null
           or open_emails <> 0 or last_email_at is not null;
    set local session_replication_role = origin;
    update bench.floor_loads set open_chats = 0, last_chat_at = null
        where open_chats <> 0 or last_chat_at is not null;
    update bench.ref_loads set open_chats = 0, last_chat_at = null
        where open_chats <> 0 or last_chat_at is not null;
$$;

-- Analyzes the conversations tables that bench.prepare filled with more
-- than 1,000 rows, and only those.  TRUNCATE leaves a table "never counted"
-- (reltuples -1), which the planner takes for at least 10 pages; analyzed
-- empty (or nearly), it says "no rows", and the plans a run caches on its
-- first rows (the foreign key checks of the log inserts on the conversation,
-- the steady closes) scan the table sequentially as it grows, until
-- autovacuum analyzes it again: at the default naptime of a minute, 2-3
-- times slower by the end of a 4 s run, floor and routed alike.
create procedure bench.analyze_filled()
    language plpgsql
as $$
begin
    if (select count(*) from (select from routing.conversations limit 1001) c) > 1000 then
        analyze routing.conversations;
    end if;
    if (select count(*) from (select from bench.conversations_bare limit 1001) c) > 1000 then
        analyze bench.conversations_bare;
    end if;
    if (select count(*) from (select from bench.conversations_ref limit 1001) c) > 1000 then
        analyze bench.conversations_ref;
    end if;
end;
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
-- counter rows that no one can prune before the commit.  The pools of
-- bench.make_pool only: not those with capacities (or queues), nor the
-- accounts of bench.make_account_pool (a second team), nor the accounts of
-- the other issue 10 shapes (numbered from 1,000,000 up in bench/run): the
-- check is of one backend routing over a few pools, and 3,000 tenants would
-- make it one of how much a backend keeps per account.
create procedure bench.route_batches(p_batches integer, p_batch_rows integer)
    language plpgsql
as $$
declare
    v_accounts bigint[] := array(select distinct r.account_id from routing.rules r
                                 where not exists (select from routing.capacities c
                                                   where c.account_id = r.account_id)
                                   and not exists (select from routing.teams t
                                                   where t.account_id = r.account_id
                                                     and t.team_id = 2)
                                   and r.account_id < 1000000
                                 order by 1);
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
    -- the queue measurements that time one statement of their script:
    -- its mean latency (pgbench -r), milliseconds
    statement_ms numeric,
    -- the long runs (issue 10): the tps of each minute (pgbench -P 60) and
    -- the server CPU microseconds per transaction of each minute
    minute_tps numeric[],
    minute_cpu_us numeric[],
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
       bool_and(invariants_ok) as invariants_ok,
       percentile_cont(0.5) within group (order by statement_ms) as statement_ms,
       -- one round per long run: its per-minute rates
       min(minute_tps) as minute_tps,
       min(minute_cpu_us) as minute_cpu_us
from bench.samples
group by clients, pool, variant;

-- Sections 12 and 13: the pools of the capacity and queue measurements.

-- A pool like make_pool's, every agent with a chat capacity.
create function bench.make_capacity_pool(p_account_id bigint, p_agents integer,
                                         p_max_open integer) returns void
    language sql
as $$
    select bench.make_pool(p_account_id, p_agents);
    insert into routing.capacities (account_id, agent_id, work, max_open)
        select p_account_id, g, 'chat', p_max_open from generate_series(1, p_agents) g;
$$;

-- The same, and channel 1 (chat, least busy) queues what nobody has room for.
create function bench.make_close_pool(p_account_id bigint, p_agents integer,
                                      p_max_open integer) returns void
    language sql
as $$
    select bench.make_capacity_pool(p_account_id, p_agents, p_max_open);
    update routing.rules set when_nobody = 'queue'
        where account_id = p_account_id and channel_id = 1;
$$;

-- Agents 1..n, seated, away; chat channels 1..n of an inbox open to everyone,
-- each with an enabled rule that queues and routes to agent c alone; agent 1
-- is also a target of channels 2 and 3 and has a chat capacity of 1: when he
-- becomes available, he has room for exactly one waiting conversation, of
-- three channels out of n.
create function bench.make_drain_pool(p_account_id bigint, p_agents integer) returns void
    language sql
as $$
    insert into routing.agents (account_id, agent_id, name)
        select p_account_id, g, 'agent ' || g from generate_series(1, p_agents) g;
    insert into routing.seats (account_id, agent_id, hub)
        select p_account_id, g, 'service' from generate_series(1, p_agents) g;
    insert into routing.availability (account_id, agent_id, status)
        select p_account_id, g, 'away' from generate_series(1, p_agents) g;
    insert into routing.inboxes (account_id, inbox_id, name, access)
        values (p_account_id, 1, 'support', 'everyone');
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        select p_account_id, g, 1, 'chat', 'chat ' || g from generate_series(1, p_agents) g;
    insert into routing.rules (account_id, channel_id, enabled, when_nobody)
        select p_account_id, g, true, 'queue' from generate_series(1, p_agents) g;
    insert into routing.rule_targets (account_id, channel_id, agent_id)
        select p_account_id, g, g from generate_series(1, p_agents) g
        union all values (p_account_id, 2, 1), (p_account_id, 3, 1);
    insert into routing.capacities (account_id, agent_id, work, max_open)
        values (p_account_id, 1, 'chat', 1);
    insert into bench.floor_loads (account_id, agent_id)
        select p_account_id, g from generate_series(1, p_agents) g;
    insert into bench.ref_loads (account_id, agent_id)
        select p_account_id, g from generate_series(1, p_agents) g;
$$;

-- The open assigned chats that bench/close_queued.sql closes, in order, one
-- per transaction (n = nextval of bench.close_seq).
create table bench.to_close (
    n bigint primary key,
    account_id bigint not null,
    conversation_id bigint not null
);
create sequence bench.close_seq;

-- The conversations a queue measurement starts from, after bench.reset():
--   close_empty_queue  "closes" open chats routed to a close pool (every
--                      agent then at capacity), listed in bench.to_close;
--                      nothing waits
--   close_drains_one   the same, and as many chats waiting in channel 1's
--                      queue: each close frees room for one, which the close
--                      assigns
--   available_queue_N  N chats waiting over the drain pool's channels, one
--                      channel after the other (N / n per channel)
--   steady_routed_chat 100 open chats routed on channel 1, which the first
--                      100 transactions of bench/steady_routed_chat.sql close
--   steady_floor_close the same for bench/steady_floor_close.sql: 100 open
--                      bare chats, each given a random agent of the pool,
--                      counted in bench.floor_loads
create procedure bench.prepare(p_variant text, p_account_id bigint, p_closes integer)
    language plpgsql
as $$
declare
    v_channels integer;
begin
    truncate bench.to_close;
    perform setval('bench.close_seq', 1, false);
    if p_variant in ('close_empty_queue', 'close_drains_one') then
        -- one commit per 500 routed inserts, as in bench.route_batches
        for i in 0 .. (p_closes - 1) / 500 loop
            insert into routing.conversations (account_id, channel_id)
                select p_account_id, 1 from generate_series(1, least(500, p_closes - i * 500));
            commit;
        end loop;
        insert into bench.to_close (n, account_id, conversation_id)
            select row_number() over (order by conversation_id), account_id, conversation_id
            from routing.conversations
            where account_id = p_account_id and assignee_agent_id is not null;
        if (select count(*) from bench.to_close) <> p_closes then
            raise 'bench.prepare: % chats routed, not %',
                (select count(*) from bench.to_close), p_closes;
        end if;
        commit;
        if p_variant = 'close_drains_one' then
            insert into routing.conversations (account_id, channel_id)
                select p_account_id, 1 from generate_series(1, p_closes);
            if (select count(*) from routing.queue where account_id = p_account_id) <> p_closes then
                raise 'bench.prepare: % chats waiting, not %',
                    (select count(*) from routing.queue where account_id = p_account_id), p_closes;
            end if;
        end if;
    elsif p_variant = 'steady_routed_chat' then
        insert into routing.conversations (account_id, channel_id)
            select p_account_id, 1 from generate_series(1, 100);
    elsif p_variant = 'steady_floor_close' then
        with opened as (
            insert into bench.conversations_bare (account_id, channel_id, assignee_agent_id,
                                                  assigned_by, assigned_at)
            select p_account_id, 1,
                   1 + floor(random() * (select count(*) from bench.floor_loads
                                         where account_id = p_account_id))::bigint,
                   'rule', now()
            from generate_series(1, 100)
            returning assignee_agent_id
        )
        update bench.floor_loads l
        set open_chats = l.open_chats + o.n, last_chat_at = now(), version = l.version + 1
        from (select assignee_agent_id, count(*) as n from opened group by 1) o
        where l.account_id = p_account_id and l.agent_id = o.assignee_agent_id;
    elsif p_variant like 'available_queue_%' then
        v_channels := (select count(*) from routing.channels where account_id = p_account_id);
        insert into routing.conversations (account_id, channel_id)
            select p_account_id, 1 + g % v_channels
            from generate_series(0, substr(p_variant, length('available_queue_') + 1)::integer - 1) g;
    end if;
end;
$$;

-- Issue 10: a pool inside a larger account.  Agents 1..p_pool are
-- make_pool's (team 1: the inbox's access and the rules' target); agents
-- p_pool+1..p_agents are seated, available, primary members of team 2, which
-- neither has access to the inbox nor is a target: never eligible, but in
-- the same account (the same agent_loads range).
create function bench.make_account_pool(p_account_id bigint, p_pool integer,
                                        p_agents integer) returns void
    language sql
as $$
    select bench.make_pool(p_account_id, p_pool);
    insert into routing.agents (account_id, agent_id, name)
        select p_account_id, g, 'agent ' || g from generate_series(p_pool + 1, p_agents) g;
    insert into routing.seats (account_id, agent_id, hub)
        select p_account_id, g, 'service' from generate_series(p_pool + 1, p_agents) g;
    insert into routing.availability (account_id, agent_id, status)
        select p_account_id, g, 'available' from generate_series(p_pool + 1, p_agents) g;
    insert into routing.teams (account_id, team_id, name) values (p_account_id, 2, 'others');
    insert into routing.team_members (account_id, team_id, agent_id, role)
        select p_account_id, 2, g, 'primary' from generate_series(p_pool + 1, p_agents) g;
$$;

-- Issue 10, the shapes beyond one pool in one account.  Each builds with one
-- INSERT per table (over generate_series), not a make_pool call per account:
-- the row triggers fire the same either way, but a statement per account and
-- table is 3,000 x 10 statements for the tenants.

-- p_accounts accounts, p_first..p_first+p_accounts-1, each shaped like
-- bench.make_pool(a, p_agents): agents 1..p_agents seated, available,
-- primary members of team 1, the only team with access to the restricted
-- inbox 1 and the target of channel 1 (chat) and channel 2 (email).  No
-- floor or reference counters: only routed inserts are measured there.
create function bench.make_tenants(p_first bigint, p_accounts integer, p_agents integer)
    returns void
    language sql
as $$
    insert into routing.agents (account_id, agent_id, name)
        select a, g, 'agent ' || g
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, p_agents) g;
    insert into routing.seats (account_id, agent_id, hub)
        select a, g, 'service'
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, p_agents) g;
    insert into routing.availability (account_id, agent_id, status)
        select a, g, 'available'
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, p_agents) g;
    insert into routing.teams (account_id, team_id, name)
        select a, 1, 'pool' from generate_series(p_first, p_first + p_accounts - 1) a;
    insert into routing.team_members (account_id, team_id, agent_id, role)
        select a, 1, g, 'primary'
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, p_agents) g;
    insert into routing.inboxes (account_id, inbox_id, name, access)
        select a, 1, 'support', 'restricted' from generate_series(p_first, p_first + p_accounts - 1) a;
    insert into routing.inbox_access (account_id, inbox_id, team_id)
        select a, 1, 1 from generate_series(p_first, p_first + p_accounts - 1) a;
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        select a, c.id, 1, c.kind, c.kind
        from generate_series(p_first, p_first + p_accounts - 1) a,
             (values (1, 'chat'), (2, 'email')) c(id, kind);
    insert into routing.rules (account_id, channel_id, enabled)
        select a, c, true
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, 2) c;
    insert into routing.rule_targets (account_id, channel_id, team_id)
        select a, c, 1
        from generate_series(p_first, p_first + p_accounts - 1) a, generate_series(1, 2) c;
$$;

-- The agents and teams of make_teams and make_overlap: team t is agents
-- (t-1)*p_agents+1..t*p_agents, primary members, seated, available; the
-- restricted inbox 1 grants access to every team.
create function bench.make_team_agents(p_account_id bigint, p_teams integer, p_agents integer)
    returns void
    language sql
as $$
    insert into routing.agents (account_id, agent_id, name)
        select p_account_id, g, 'agent ' || g from generate_series(1, p_teams * p_agents) g;
    insert into routing.seats (account_id, agent_id, hub)
        select p_account_id, g, 'service' from generate_series(1, p_teams * p_agents) g;
    insert into routing.availability (account_id, agent_id, status)
        select p_account_id, g, 'available' from generate_series(1, p_teams * p_agents) g;
    insert into routing.teams (account_id, team_id, name)
        select p_account_id, t, 'team ' || t from generate_series(1, p_teams) t;
    insert into routing.team_members (account_id, team_id, agent_id, role)
        select p_account_id, 1 + (g - 1) / p_agents, g, 'primary'
        from generate_series(1, p_teams * p_agents) g;
    insert into routing.inboxes (account_id, inbox_id, name, access)
        values (p_account_id, 1, 'support', 'restricted');
    insert into routing.inbox_access (account_id, inbox_id, team_id)
        select p_account_id, 1, t from generate_series(1, p_teams) t;
$$;

-- One account of p_teams teams of p_agents agents (make_team_agents); team
-- t is the one target of chat channel t and of email channel p_teams+t.
create function bench.make_teams(p_account_id bigint, p_teams integer, p_agents integer)
    returns void
    language sql
as $$
    select bench.make_team_agents(p_account_id, p_teams, p_agents);
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        select p_account_id, t, 1, 'chat', 'chat ' || t from generate_series(1, p_teams) t
        union all
        select p_account_id, p_teams + t, 1, 'email', 'email ' || t
        from generate_series(1, p_teams) t;
    insert into routing.rules (account_id, channel_id, enabled)
        select p_account_id, c, true from generate_series(1, 2 * p_teams) c;
    insert into routing.rule_targets (account_id, channel_id, team_id)
        select p_account_id, c, 1 + (c - 1) % p_teams from generate_series(1, 2 * p_teams) c;
$$;

-- Teams 1, 2 and 3 of p_agents agents each (make_team_agents); three
-- least-busy channels whose pools overlap in team 2: chat channel 1 targets
-- teams 1 and 2, bot channel 2 teams 2 and 3, messenger channel 3 teams 1,
-- 2 and 3.
create function bench.make_overlap(p_account_id bigint, p_agents integer) returns void
    language sql
as $$
    select bench.make_team_agents(p_account_id, 3, p_agents);
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        values (p_account_id, 1, 1, 'chat', 'chat'), (p_account_id, 2, 1, 'bot', 'bot'),
               (p_account_id, 3, 1, 'messenger', 'messenger');
    insert into routing.rules (account_id, channel_id, enabled)
        select p_account_id, c, true from generate_series(1, 3) c;
    insert into routing.rule_targets (account_id, channel_id, team_id)
        values (p_account_id, 1, 1), (p_account_id, 1, 2),
               (p_account_id, 2, 2), (p_account_id, 2, 3),
               (p_account_id, 3, 1), (p_account_id, 3, 2), (p_account_id, 3, 3);
$$;

-- After a steady run on account p_account_id (bench/steady_routed_chat.sql
-- when p_routed, else bench/steady_floor_close.sql): every transaction
-- closed the chat opened 100 transactions before it, so exactly 100 are
-- open, and the counters hold exactly those.
create function bench.check_steady(p_account_id bigint, p_routed boolean) returns boolean
    language sql stable
as $$
    select case when p_routed then
               (select count(*) filter (where status = 'open') = 100 and count(*) > 100
                from routing.conversations where account_id = p_account_id)
               and (select sum(open_chats) from routing.agent_loads
                    where account_id = p_account_id) = 100
           else
               (select count(*) filter (where status = 'open') = 100 and count(*) > 100
                from bench.conversations_bare where account_id = p_account_id)
               and (select sum(open_chats) from bench.floor_loads
                    where account_id = p_account_id) = 100
           end
$$;
