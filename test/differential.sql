-- test/differential.sql: the C routing trigger against the PL/pgSQL reference
-- (bench/reference.sql) on random accounts (sections 3, 4a, 4b, 4c, 6).
-- Run by pg_prove (make test).  Each of 200 random conversations is first
-- decided by bench.reference_decision() (no side effects, loads counted from
-- the rows themselves), then inserted into routing.conversations; the
-- deterministic decisions (least busy, contact owner, default agent, nobody)
-- must be the same agent, a random pick must be one of the reference's
-- eligible agents, and an owner_offline event must be recorded exactly when
-- the reference says the owner is away.  setseed makes the accounts and the
-- sequence of conversations the same on every run.
-- Then explain_route against the decision it explains (section 8): for 100
-- more random conversations, explain's pick must be whom
-- route_conversation() then routes to (least busy, contact owner, default
-- agent, nobody), and a random pick one of the candidates explain called
-- eligible.
begin;
set client_min_messages = warning;
create extension if not exists pgtap;
create extension routing;
\ir ../bench/reference.sql

select plan(200 + 100 + 2 + 7 + 1);

-- Five random accounts (ids 101-105), each with:
--   4-13 agents: 90% active; 85% with a seat (sales, service or both);
--     availability 70% available, 18% away, 12% no row (away);
--   1-3 teams: 70% of agents a primary member of one, 30% an additional
--     member of one;
--   inbox 1 open to everyone; inboxes 2 and 3 restricted, opened to a random
--     team and/or a random agent by name;
--   channels 1-6 of random kinds (chat twice as likely) in random inboxes,
--     each with a rule (90%): enabled 85%, contact_owner 30%, only_available
--     70%, a seated default agent on 80% of the contact-owner rules;
--     users_and_teams rules target 1-3 random agents or teams;
--   channel 99 (chat, inbox 1, no rule), used to give agents existing loads;
--   8 contacts: owner 70%, tracked 60%;
--   0-3 existing open chats per active agent with distinct assignment times,
--     some of them closed again; then 10% of agents deactivated.
create function bench.diff_make_account(p_account_id bigint) returns void
    language plpgsql
as $$
declare
    v_agents integer := 4 + floor(random() * 10)::integer;
    v_teams integer := 1 + floor(random() * 3)::integer;
    v_kinds text[] := array['chat', 'bot', 'messenger', 'email', 'form', 'chat'];
    v_team integer;
    v_seated bigint[];
    v_clock timestamptz := timestamptz '2024-01-01 00:00:00+00';
    v_id bigint;
    r record;
begin
    insert into routing.agents (account_id, agent_id, name, active)
        select p_account_id, g, 'agent ' || g, true from generate_series(1, v_agents) g;
    for i in 1 .. v_agents loop
        if random() < 0.85 then
            insert into routing.seats (account_id, agent_id, hub)
                values (p_account_id, i, (array['sales', 'service'])[1 + floor(random() * 2)::integer]);
            if random() < 0.2 then
                insert into routing.seats (account_id, agent_id, hub)
                    values (p_account_id, i, 'sales'), (p_account_id, i, 'service')
                    on conflict do nothing;
            end if;
        end if;
        case
        when random() < 0.7 then
            insert into routing.availability (account_id, agent_id, status)
                values (p_account_id, i, 'available');
        when random() < 0.6 then
            insert into routing.availability (account_id, agent_id, status)
                values (p_account_id, i, 'away');
        else
            null;
        end case;
    end loop;
    v_seated := array(select agent_id from routing.seats where account_id = p_account_id
                      group by agent_id order by agent_id);

    insert into routing.teams (account_id, team_id, name)
        select p_account_id, g, 'team ' || g from generate_series(1, v_teams) g;
    for i in 1 .. v_agents loop
        v_team := 0;
        if random() < 0.7 then
            v_team := 1 + floor(random() * v_teams)::integer;
            insert into routing.team_members (account_id, team_id, agent_id, role)
                values (p_account_id, v_team, i, 'primary');
        end if;
        if random() < 0.3 then
            insert into routing.team_members (account_id, team_id, agent_id, role)
                values (p_account_id, 1 + floor(random() * v_teams)::integer, i, 'additional')
                on conflict do nothing;
        end if;
    end loop;

    insert into routing.inboxes (account_id, inbox_id, name, access) values
        (p_account_id, 1, 'open', 'everyone'),
        (p_account_id, 2, 'restricted team', 'restricted'),
        (p_account_id, 3, 'restricted agent', 'restricted');
    insert into routing.inbox_access (account_id, inbox_id, team_id)
        values (p_account_id, 2, 1 + floor(random() * v_teams)::integer);
    if random() < 0.5 then
        insert into routing.inbox_access (account_id, inbox_id, agent_id)
            values (p_account_id, 2, 1 + floor(random() * v_agents)::integer);
    end if;
    insert into routing.inbox_access (account_id, inbox_id, agent_id)
        values (p_account_id, 3, 1 + floor(random() * v_agents)::integer);
    if random() < 0.5 then
        insert into routing.inbox_access (account_id, inbox_id, team_id)
            values (p_account_id, 3, 1 + floor(random() * v_teams)::integer);
    end if;

    for c in 1 .. 6 loop
        insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
            values (p_account_id, c, 1 + floor(random() * 3)::integer,
                    v_kinds[1 + floor(random() * 6)::integer], 'channel ' || c);
        if random() < 0.9 then
            insert into routing.rules (account_id, channel_id, enabled, assign_to,
                                       only_available, default_agent_id)
                select p_account_id, c, e < 0.85, case when a < 0.3 then 'contact_owner'
                                                      else 'users_and_teams' end,
                       o < 0.7,
                       case when a < 0.3 and d < 0.8 and cardinality(v_seated) > 0
                            then v_seated[1 + floor(random() * cardinality(v_seated))::integer] end
                from (select random() as e, random() as a, random() as o, random() as d) x;
            for t in 1 .. 1 + floor(random() * 3)::integer loop
                if random() < 0.5 then
                    insert into routing.rule_targets (account_id, channel_id, agent_id)
                        values (p_account_id, c, 1 + floor(random() * v_agents)::integer)
                        on conflict do nothing;
                else
                    insert into routing.rule_targets (account_id, channel_id, team_id)
                        values (p_account_id, c, 1 + floor(random() * v_teams)::integer)
                        on conflict do nothing;
                end if;
            end loop;
        end if;
    end loop;
    insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
        values (p_account_id, 99, 1, 'chat', 'seed');

    insert into routing.contacts (account_id, contact_id, owner_agent_id, tracked)
        select p_account_id, g,
               case when random() < 0.7 then 1 + floor(random() * v_agents)::bigint end,
               random() < 0.6
        from generate_series(1, 8) g;

    -- existing loads, given by hand at distinct times, in a random agent order
    for r in select g as agent_id, floor(random() * 4)::integer as chats, random() as o
             from generate_series(1, v_agents) g order by 3 loop
        for k in 1 .. r.chats loop
            v_clock := v_clock + make_interval(secs => 1 + floor(random() * 600));
            insert into routing.conversations (account_id, channel_id, assignee_agent_id, assigned_at)
                values (p_account_id, 99, r.agent_id, v_clock)
                returning conversation_id into v_id;
            if random() < 0.2 then
                perform routing.close_conversation(v_id, account_id => p_account_id);
            end if;
        end loop;
    end loop;
    update routing.agents set active = false
        where account_id = p_account_id and agent_id in
              (select g from generate_series(1, v_agents) g where random() < 0.1);
end;
$$;

-- The differential run: n random conversations, one TAP result each, with
-- a diagnosis of every mismatch.  Between conversations, now and then an
-- agent changes availability or an open chat is closed.
create function bench.diff_run(p_conversations integer) returns setof text
    language plpgsql
as $$
declare
    v_account bigint;
    v_channel bigint;
    v_contact bigint;
    v_kind text;
    v_ref record;
    v_id bigint;
    v_agent bigint;
    v_events bigint;
    v_pass boolean;
    v_what text;
    v_target bigint;
    v_count bigint;
    v_true_loads text;
    v_counters text;
begin
    create temporary table diff_cases (method text, outcome text) on commit drop;
    for i in 1 .. p_conversations loop
        v_account := 101 + floor(random() * 5)::bigint;
        if random() < 0.1 then
            v_target := 1 + floor(random() * (select count(*) from routing.agents
                                               where account_id = v_account))::bigint;
            perform routing.set_availability(v_target,
                                             (array['available', 'away'])[1 + floor(random() * 2)::integer],
                                             account_id => v_account);
        end if;
        if random() < 0.1 then
            select count(*) into v_count
            from routing.conversations c
            join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
            where c.account_id = v_account and c.status = 'open'
              and c.assignee_agent_id is not null and ch.kind in ('chat', 'bot', 'messenger');
            select c.conversation_id into v_target
            from routing.conversations c
            join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
            where c.account_id = v_account and c.status = 'open'
              and c.assignee_agent_id is not null and ch.kind in ('chat', 'bot', 'messenger')
            order by c.conversation_id
            offset floor(random() * v_count) limit 1;
            if v_target is not null then
                perform routing.close_conversation(v_target, account_id => v_account);
            end if;
        end if;

        v_channel := 1 + floor(random() * 6)::bigint;
        v_contact := case when random() < 0.7 then 1 + floor(random() * 8)::bigint end;
        select kind into v_kind from routing.channels
        where account_id = v_account and channel_id = v_channel;

        v_ref := bench.reference_decision(v_account, v_channel, v_contact);
        -- what the decision saw, for the diagnosis of a mismatch
        select string_agg(format('%s: %s open, last %s', agent_id, open_chats,
                                 coalesce(last_chat_at::text, 'never')), '; ' order by agent_id)
          into v_true_loads
        from bench.reference_true_load(v_account);
        select string_agg(format('%s: %s open, last %s', agent_id, open_chats,
                                 coalesce(last_assigned_at::text, 'never')), '; ' order by agent_id)
          into v_counters
        from routing.agent_load where account_id = v_account;
        select count(*) into v_events from routing.events where account_id = v_account;
        insert into routing.conversations (account_id, channel_id, contact_id)
            values (v_account, v_channel, v_contact)
            returning conversation_id, assignee_agent_id into v_id, v_agent;

        if v_ref.method = 'random' then
            -- section 4a: a random pick is one of the eligible agents
            v_pass := (v_agent is null and cardinality(v_ref.eligible) = 0)
                      or v_agent = any (v_ref.eligible);
            v_what := 'section 4a: a random pick is one of the eligible';
        elsif v_ref.method = 'least_busy' then
            -- section 4a: the least busy, least recently assigned, smallest id
            v_pass := v_agent is not distinct from v_ref.eligible[1];
            v_what := 'section 4a: the least busy eligible agent';
        elsif v_ref.method = 'contact_owner' then
            -- section 4b: the owner or the default agent or nobody, and an
            -- owner_offline event exactly when the owner is away
            v_pass := v_agent is not distinct from v_ref.eligible[1]
                      and (select count(*) from routing.events e
                           where e.account_id = v_account and e.conversation_id = v_id
                             and e.kind = 'owner_offline'
                             and e.agent_id = v_ref.owner_offline_agent_id)
                          = case when v_ref.owner_offline_agent_id is null then 0 else 1 end
                      and (select count(*) from routing.events where account_id = v_account)
                          = v_events + case when v_ref.owner_offline_agent_id is null then 0 else 1 end;
            v_what := 'section 4b: contact owner rule';
        else
            -- section 1: no enabled rule, unassigned
            v_pass := v_agent is null;
            v_what := 'section 1: no enabled rule';
        end if;
        if cardinality(v_ref.eligible) = 0 then
            v_what := v_what || ' (nobody eligible: unassigned)';
        end if;

        insert into diff_cases values (v_ref.method,
            case when v_ref.owner_offline_agent_id is not null then 'owner_offline'
                 when cardinality(v_ref.eligible) = 0 then 'nobody'
                 when v_ref.method = 'contact_owner' then v_ref.reason
                 when v_ref.method = 'least_busy' and cardinality(v_ref.eligible) > 1 then 'several'
                 else 'one' end);

        return next ok(v_pass, format('%s: conversation %s, account %s, channel %s (%s), contact %s: routed to %s, reference %s',
                                      v_what, v_id, v_account, v_channel, v_kind,
                                      coalesce(v_contact::text, 'none'), coalesce(v_agent::text, 'nobody'),
                                      case when v_ref.method = 'random' then 'any of ' || v_ref.eligible::text
                                           else coalesce(v_ref.eligible[1]::text, 'nobody') end));
        if not v_pass then
            return next diag(format('reference: method %s, eligible in order %s, owner offline %s, reason %s',
                                    v_ref.method, v_ref.eligible, v_ref.owner_offline_agent_id, v_ref.reason));
            return next diag(format('true loads before the insert: %s', v_true_loads));
            return next diag(format('routing.agent_load before the insert: %s', v_counters));
            return next diag(format('explain_route after the insert: %s',
                                    routing.explain_route(v_id, account_id => v_account)));
        end if;
    end loop;
end;
$$;

-- The explain run: each conversation is inserted closed (so not routed),
-- explained, reopened by a plain UPDATE (which does not route) and routed
-- by route_conversation(); explain and the routing read the same state.
create function bench.explain_run(p_conversations integer) returns setof text
    language plpgsql
as $$
declare
    v_account bigint;
    v_channel bigint;
    v_contact bigint;
    v_id bigint;
    v_explained jsonb;
    v_agent bigint;
    v_pass boolean;
begin
    create temporary table explain_cases (method text, pick bigint) on commit drop;
    for i in 1 .. p_conversations loop
        v_account := 101 + floor(random() * 5)::bigint;
        v_channel := 1 + floor(random() * 6)::bigint;
        v_contact := case when random() < 0.7 then 1 + floor(random() * 8)::bigint end;
        insert into routing.conversations (account_id, channel_id, contact_id, status)
            values (v_account, v_channel, v_contact, 'closed')
            returning conversation_id into v_id;
        v_explained := routing.explain_route(v_id, account_id => v_account);
        update routing.conversations set status = 'open'
            where account_id = v_account and conversation_id = v_id;
        v_agent := routing.route_conversation(v_id, account_id => v_account);
        if v_explained->>'method' = 'random' then
            v_pass := (v_agent is null and (v_explained->>'eligible_count')::int = 0)
                      or exists (select 1 from jsonb_array_elements(v_explained->'candidates') c
                                 where (c->>'agent_id')::bigint = v_agent
                                   and (c->>'eligible')::boolean);
        else
            v_pass := v_agent is not distinct from (v_explained->>'pick')::bigint;
        end if;
        insert into explain_cases values (v_explained->>'method', (v_explained->>'pick')::bigint);
        return next ok(v_pass, format('section 8: explain_route''s pick is the routed owner: conversation %s, account %s, channel %s (%s): routed to %s, explained %s',
                                      v_id, v_account, v_channel, v_explained->>'method',
                                      coalesce(v_agent::text, 'nobody'),
                                      coalesce(v_explained->>'pick', 'nobody')));
        if not v_pass then
            return next diag(v_explained::text);
        end if;
    end loop;
end;
$$;

do $$
begin
    perform setseed(0.3);
    perform bench.diff_make_account(a) from generate_series(101, 105) a;
end;
$$;

select * from bench.diff_run(200);
select * from bench.explain_run(100);

-- section 6: after all that, every counter is exact
select is_empty($$
    select a.account_id, t.agent_id, l.open_chats, t.open_chats as true_open_chats
    from generate_series(101, 105) a(account_id)
    cross join lateral bench.reference_true_load(a.account_id) t
    join routing.agent_load l on l.account_id = a.account_id and l.agent_id = t.agent_id
    where l.open_chats <> t.open_chats
$$, 'section 6: every open chat counter equals the true count of open assigned chats');
select is_empty($$
    select a.account_id, t.agent_id, l.last_assigned_at, t.last_chat_at as logged
    from generate_series(101, 105) a(account_id)
    cross join lateral bench.reference_true_load(a.account_id) t
    join routing.agent_load l on l.account_id = a.account_id and l.agent_id = t.agent_id
    where l.last_assigned_at is distinct from t.last_chat_at
$$, 'section 6: every last chat assignment time is the last logged chat assignment');

-- The run covered every kind of decision (true for this seed; if the seed
-- changes, check these still hold).
select cmp_ok((select count(*) from diff_cases where method = 'least_busy' and outcome = 'several'),
              '>=', 20::bigint, 'coverage: least busy picks among several eligible agents');
select cmp_ok((select count(*) from diff_cases where method = 'random' and outcome <> 'nobody'),
              '>=', 10::bigint, 'coverage: random picks');
select cmp_ok((select count(*) from diff_cases where outcome = 'nobody'),
              '>=', 10::bigint, 'coverage: nobody eligible');
select cmp_ok((select count(*) from diff_cases where outcome = 'contact owner'),
              '>=', 3::bigint, 'coverage: routed to the contact owner');
select cmp_ok((select count(*) from diff_cases where outcome = 'default agent'),
              '>=', 1::bigint, 'coverage: routed to the default agent');
select cmp_ok((select count(*) from diff_cases where outcome = 'owner_offline'),
              '>=', 1::bigint, 'coverage: owner away, owner_offline event');
select cmp_ok((select count(*) from diff_cases where method = 'none'),
              '>=', 5::bigint, 'coverage: no enabled rule');

select cmp_ok((select count(*) from explain_cases where method = 'least_busy' and pick is not null),
              '>=', 10::bigint, 'coverage: explain picks the least busy');

select * from finish();
rollback;
