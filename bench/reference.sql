-- bench/reference.sql: the routing rules of doc/behaviour.md sections 3, 4a, 4b
-- and 4c written the straightforward way, in PL/pgSQL: what a user would write
-- instead of the extension.  Two uses:
--   * the benchmark routes inserts into bench.conversations_ref (a copy of
--     routing.conversations) with the trigger bench.reference_route();
--   * test/differential.sql compares the C trigger's decisions with
--     bench.reference_decision() / bench.reference_pick(), which have no side
--     effects and read the loads from the conversations themselves.
-- Needs the routing extension; runs inside a transaction (no transaction
-- control here), so the test can \i it and roll everything back.
--
-- The reference only routes inserts (open, unassigned rows): it does not keep
-- its counters on close, reassign or delete, and does not check manual owners.

create schema if not exists bench;

-- section 3: the agents of an account eligible for automatic routing on a
-- channel.  p_agent limits the answer to one agent; p_need_target false drops
-- check 3.4 (a contact owner or default agent needs no listing as a target);
-- p_ignore_availability true drops check 3.5 (to tell "away" from the rest).
-- Check 3.5 applies only when the channel's rule says only_available (4c).
create function bench.reference_eligible(p_account_id bigint, p_channel_id bigint,
                                         p_agent_id bigint default null,
                                         p_need_target boolean default true,
                                         p_ignore_availability boolean default false)
    returns setof bigint
    language sql stable
as $$
    select a.agent_id
    from routing.channels ch
    join routing.inboxes i on i.account_id = ch.account_id and i.inbox_id = ch.inbox_id
    join routing.rules r on r.account_id = ch.account_id and r.channel_id = ch.channel_id
    join routing.agents a on a.account_id = ch.account_id
    where ch.account_id = p_account_id
      and ch.channel_id = p_channel_id
      and (p_agent_id is null or a.agent_id = p_agent_id)
      -- 3.1 active
      and a.active
      -- 3.2 a paid seat in Sales Hub or Service Hub
      and exists (select 1 from routing.seats s
                  where s.account_id = a.account_id and s.agent_id = a.agent_id
                    and s.hub in ('sales', 'service'))
      -- 3.3 access to the channel's inbox: open to everyone, or granted by
      -- name, or a (primary or additional) member of a team granted access
      and (i.access = 'everyone'
           or exists (select 1 from routing.inbox_access x
                      where x.account_id = a.account_id and x.inbox_id = i.inbox_id
                        and x.agent_id = a.agent_id)
           or exists (select 1 from routing.inbox_access x
                      join routing.team_members m
                        on m.account_id = x.account_id and m.team_id = x.team_id
                      where x.account_id = a.account_id and x.inbox_id = i.inbox_id
                        and m.agent_id = a.agent_id))
      -- 3.4 a target of the rule: named, or a PRIMARY member of a named team
      and (not p_need_target
           or exists (select 1 from routing.rule_targets t
                      where t.account_id = a.account_id and t.channel_id = ch.channel_id
                        and t.agent_id = a.agent_id)
           or exists (select 1 from routing.rule_targets t
                      join routing.team_members m
                        on m.account_id = t.account_id and m.team_id = t.team_id
                      where t.account_id = a.account_id and t.channel_id = ch.channel_id
                        and m.agent_id = a.agent_id and m.role = 'primary'))
      -- 3.5 available, when the rule assigns only to available users (4c)
      and (p_ignore_availability or not r.only_available
           or exists (select 1 from routing.availability v
                      where v.account_id = a.account_id and v.agent_id = a.agent_id
                        and v.status = 'available'))
$$;

-- section 4b: whom a contact-owner rule gives the conversation to.
-- agent_id is NULL when nobody; role is 'contact_owner' or 'default_agent'
-- (or NULL); offline_agent_id is the owner when only availability kept them
-- out (the owner_offline event); reason says why.
create function bench.reference_contact_choice(p_account_id bigint, p_channel_id bigint,
                                               p_contact_id bigint,
                                               out agent_id bigint, out role text,
                                               out offline_agent_id bigint, out reason text)
    language plpgsql stable
as $$
declare
    v_kind text;
    v_only_available boolean;
    v_default bigint;
    v_owner bigint;
    v_tracked boolean;
begin
    select ch.kind, r.only_available, r.default_agent_id
      into v_kind, v_only_available, v_default
    from routing.channels ch
    join routing.rules r on r.account_id = ch.account_id and r.channel_id = ch.channel_id
    where ch.account_id = p_account_id and ch.channel_id = p_channel_id;

    if p_contact_id is not null then
        select c.owner_agent_id, c.tracked into v_owner, v_tracked
        from routing.contacts c
        where c.account_id = p_account_id and c.contact_id = p_contact_id;
    end if;

    if v_owner is not null and v_tracked then
        -- the owner, when eligible under 3.1-3.3 and 3.5
        if exists (select 1 from bench.reference_eligible(p_account_id, p_channel_id,
                                                          v_owner, false)) then
            agent_id := v_owner;
            role := 'contact_owner';
            reason := 'contact owner';
        elsif v_only_available
              and exists (select 1 from bench.reference_eligible(p_account_id, p_channel_id,
                                                                 v_owner, false, true)) then
            offline_agent_id := v_owner;
            reason := format('contact owner %s is away', v_owner);
        else
            reason := format('contact owner %s is not eligible', v_owner);
        end if;
    elsif v_kind = 'chat' and v_default is not null then
        -- no tracked owner, live chat: the default agent, if eligible (3.1-3.3, 3.5)
        if exists (select 1 from bench.reference_eligible(p_account_id, p_channel_id,
                                                          v_default, false)) then
            agent_id := v_default;
            role := 'default_agent';
            reason := 'default agent';
        else
            reason := format('default agent %s is not eligible', v_default);
        end if;
    else
        reason := 'contact has no tracked owner and the channel no default agent';
    end if;
end;
$$;

-- The true load of every agent of an account (section 4a): open chat, bot and
-- Messenger conversations assigned to them, and their last chat assignment
-- (from the assignment log).  Computed from the rows, not from any counter.
create function bench.reference_true_load(p_account_id bigint)
    returns table (agent_id bigint, open_chats bigint, last_chat_at timestamptz)
    language sql stable
as $$
    select a.agent_id,
           (select count(*)
            from routing.conversations c
            join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
            where c.account_id = a.account_id and c.assignee_agent_id = a.agent_id
              and c.status = 'open' and ch.kind in ('chat', 'bot', 'messenger')),
           (select max(l.at)
            from routing.assignment_log l
            join routing.conversations c
              on c.account_id = l.account_id and c.conversation_id = l.conversation_id
            join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
            where l.account_id = a.account_id and l.to_agent_id = a.agent_id
              and ch.kind in ('chat', 'bot', 'messenger'))
    from routing.agents a
    where a.account_id = p_account_id
$$;

-- The decision for a new conversation of (account, channel, contact), without
-- side effects.  method: 'none' (no enabled rule), 'least_busy', 'random',
-- 'contact_owner'.  eligible: for least_busy every eligible agent in
-- least-busy order (the first is the pick); for random every eligible agent
-- by id (any may be picked); for contact_owner the one agent or nobody.
-- Empty when nobody gets it.
create function bench.reference_decision(p_account_id bigint, p_channel_id bigint,
                                         p_contact_id bigint,
                                         out method text, out eligible bigint[],
                                         out owner_offline_agent_id bigint, out reason text)
    language plpgsql stable
as $$
declare
    v_kind text;
    v_enabled boolean;
    v_assign_to text;
    v_choice record;
begin
    select ch.kind, r.enabled, r.assign_to into v_kind, v_enabled, v_assign_to
    from routing.channels ch
    left join routing.rules r on r.account_id = ch.account_id and r.channel_id = ch.channel_id
    where ch.account_id = p_account_id and ch.channel_id = p_channel_id;

    if not found or not coalesce(v_enabled, false) then
        method := 'none';
        eligible := '{}';
        reason := 'no enabled rule';
    elsif v_assign_to = 'contact_owner' then
        method := 'contact_owner';
        v_choice := bench.reference_contact_choice(p_account_id, p_channel_id, p_contact_id);
        eligible := case when v_choice.agent_id is null then '{}'::bigint[]
                         else array[v_choice.agent_id] end;
        owner_offline_agent_id := v_choice.offline_agent_id;
        reason := v_choice.reason;
    elsif v_kind in ('chat', 'bot', 'messenger') then
        -- 4a: fewest open chats, then least recently assigned (never first),
        -- then smallest id
        method := 'least_busy';
        select coalesce(array_agg(e.agent_id order by l.open_chats, l.last_chat_at nulls first,
                                  e.agent_id), '{}')
          into eligible
        from bench.reference_eligible(p_account_id, p_channel_id) e(agent_id)
        join bench.reference_true_load(p_account_id) l on l.agent_id = e.agent_id;
        reason := 'least busy';
    else
        -- 4a: email and form, uniformly random among the eligible
        method := 'random';
        select coalesce(array_agg(e.agent_id order by e.agent_id), '{}') into eligible
        from bench.reference_eligible(p_account_id, p_channel_id) e(agent_id);
        reason := 'random among eligible agents';
    end if;
end;
$$;

-- The eligible agents of reference_decision, for the differential test.
create function bench.reference_pick(p_account_id bigint, p_channel_id bigint,
                                     p_contact_id bigint)
    returns bigint[]
    language sql stable
as $$
    select (bench.reference_decision(p_account_id, p_channel_id, p_contact_id)).eligible
$$;

-- The benchmark's copy of conversations, routed by the reference trigger.
create table bench.conversations_ref (like routing.conversations including all);
alter table bench.conversations_ref
    add foreign key (account_id, channel_id) references routing.channels,
    add foreign key (account_id, contact_id) references routing.contacts,
    add foreign key (account_id, assignee_agent_id) references routing.agents,
    add foreign key (account_id, assignee_team_id) references routing.teams;

-- The reference's own counters, like routing.agent_loads.
create table bench.ref_loads (
    account_id bigint not null,
    agent_id bigint not null,
    open_chats integer not null default 0,
    last_chat_at timestamptz,
    primary key (account_id, agent_id),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

-- The reference's assignment log and events, like routing's.  The log's
-- foreign key is deferred: the BEFORE trigger logs before its row exists.
create table bench.ref_log (like routing.assignment_log including all);
alter table bench.ref_log
    add foreign key (account_id, conversation_id) references bench.conversations_ref
        on delete cascade deferrable initially deferred;
create table bench.ref_events (like routing.events including all);
alter table bench.ref_events
    add foreign key (account_id, conversation_id) references bench.conversations_ref
        on delete cascade deferrable initially deferred;

-- The reference trigger: routes an open, unassigned new conversation by its
-- channel's rule.  It locks every candidate's routing.agent_loads row in
-- agent_id order (so that concurrent reference inserts into one pool, and the
-- extension's eligibility changes, serialise with it), then reads its own
-- counters and takes the least busy one (chat kinds) or a random one (email,
-- form), counts a chat in bench.ref_loads and writes a log row.
create function bench.reference_route() returns trigger
    language plpgsql
as $$
declare
    v_kind text;
    v_enabled boolean;
    v_assign_to text;
    v_is_chat boolean;
    v_candidates bigint[];
    v_pick bigint;
    v_reason text;
    v_choice record;
    v_now timestamptz := clock_timestamp();
begin
    if NEW.status <> 'open' or NEW.assignee_agent_id is not null
       or NEW.assignee_team_id is not null then
        return NEW;
    end if;

    select ch.kind, r.enabled, r.assign_to into v_kind, v_enabled, v_assign_to
    from routing.channels ch
    left join routing.rules r on r.account_id = ch.account_id and r.channel_id = ch.channel_id
    where ch.account_id = NEW.account_id and ch.channel_id = NEW.channel_id;
    if not coalesce(v_enabled, false) then
        return NEW;             -- section 1: unassigned
    end if;
    v_is_chat := v_kind in ('chat', 'bot', 'messenger');

    if v_assign_to = 'contact_owner' then
        v_choice := bench.reference_contact_choice(NEW.account_id, NEW.channel_id,
                                                   NEW.contact_id);
        v_pick := v_choice.agent_id;
        v_reason := v_choice.reason;
        if v_pick is not null then
            perform 1 from routing.agent_loads l
            where l.account_id = NEW.account_id and l.agent_id = v_pick
            for update;
        elsif v_choice.offline_agent_id is not null then
            insert into bench.ref_events (account_id, kind, conversation_id, agent_id)
            values (NEW.account_id, 'owner_offline', NEW.conversation_id,
                    v_choice.offline_agent_id);
        end if;
    else
        v_candidates := array(select e.agent_id
                              from bench.reference_eligible(NEW.account_id, NEW.channel_id) e(agent_id)
                              order by e.agent_id);
        -- lock every candidate, in agent_id order
        perform 1 from routing.agent_loads l
        where l.account_id = NEW.account_id and l.agent_id = any (v_candidates)
        order by l.agent_id
        for update;
        if v_is_chat then
            select c.agent_id, format('least busy: %s open chats', coalesce(r.open_chats, 0))
              into v_pick, v_reason
            from unnest(v_candidates) c(agent_id)
            left join bench.ref_loads r on r.account_id = NEW.account_id and r.agent_id = c.agent_id
            order by coalesce(r.open_chats, 0), r.last_chat_at nulls first, c.agent_id
            limit 1;
        elsif cardinality(v_candidates) > 0 then
            v_pick := v_candidates[1 + floor(random() * cardinality(v_candidates))::int];
            v_reason := 'random among eligible agents';
        end if;
    end if;

    if v_pick is null then
        return NEW;             -- 4a, 4b: nobody eligible, unassigned
    end if;
    if v_is_chat then
        insert into bench.ref_loads as r (account_id, agent_id, open_chats, last_chat_at)
        values (NEW.account_id, v_pick, 1, v_now)
        on conflict (account_id, agent_id)
        do update set open_chats = r.open_chats + 1, last_chat_at = excluded.last_chat_at;
    end if;
    NEW.assignee_agent_id := v_pick;
    NEW.assigned_by := 'rule';
    NEW.assigned_at := v_now;
    NEW.assigned_reason := v_reason;
    insert into bench.ref_log (account_id, conversation_id, to_agent_id, assigned_by, reason, at)
    values (NEW.account_id, NEW.conversation_id, v_pick, 'rule', v_reason, v_now);
    return NEW;
end;
$$;

create trigger reference_route before insert on bench.conversations_ref
    for each row execute function bench.reference_route();
