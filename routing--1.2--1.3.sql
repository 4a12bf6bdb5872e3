-- routing 1.2 -> 1.3: capacity per agent and work type (section 12), the
-- queue (section 13) and distribution methods (section 14).
\echo Use "ALTER EXTENSION routing UPDATE TO '1.3'" to load this file. \quit

-- Section 12: the most open conversations of a type automatic routing may
-- give an agent; no row: unlimited.
create table routing.capacities (
    account_id bigint not null default 1,
    agent_id bigint not null,
    work text not null check (work in ('chat', 'email')),
    max_open integer not null check (max_open >= 0),
    primary key (account_id, agent_id, work),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

-- Section 14: how a rule picks among eligible agents.  Section 13: what
-- happens when nobody eligible has room.
alter table routing.rules
    add column distribution text not null default 'default'
        check (distribution in ('default', 'random', 'least_busy', 'round_robin')),
    add column when_nobody text not null default 'leave_unassigned'
        check (when_nobody in ('leave_unassigned', 'queue'));

alter table routing.conversations
    add column priority integer not null default 0;
-- The queue's order within a channel: the head of each channel's queue is
-- one index probe away, however long the queue.
create index conversations_waiting on routing.conversations
    (account_id, channel_id, priority desc, created_at, conversation_id)
    where status = 'open' and assignee_agent_id is null and assignee_team_id is null;
create index events_by_conversation on routing.events (account_id, conversation_id);

-- The email load next to the chat load, and each agent's capacities, on the
-- row every routing decision locks: a claim checks room under that lock.
-- load_agent_id now counts every open assigned conversation, email and form
-- too, in the load of its channel's work type.
alter table routing.agent_loads
    add column open_emails integer not null default 0 check (open_emails >= 0),
    add column last_email_at timestamptz,
    add column chat_capacity integer check (chat_capacity >= 0),
    add column email_capacity integer check (email_capacity >= 0);

-- Round robin's turns: how many conversations a channel's rule gave each
-- agent, and when it last did.
create table routing.rule_turns (
    account_id bigint not null default 1,
    channel_id bigint not null,
    agent_id bigint not null,
    given bigint not null default 0,
    last_given_at timestamptz,
    primary key (account_id, channel_id, agent_id),
    foreign key (account_id, channel_id) references routing.rules on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

-- Count the open assigned email and form conversations that 1.2 did not
-- count.  The books are written by hand here, once, with their triggers off.
alter table routing.conversations disable trigger user;
alter table routing.agent_loads disable trigger books_guard;
update routing.conversations c set load_agent_id = c.assignee_agent_id
from routing.channels ch
where ch.account_id = c.account_id and ch.channel_id = c.channel_id
  and ch.kind in ('email', 'form') and c.status = 'open'
  and c.assignee_agent_id is not null;
update routing.agent_loads l set open_emails = e.open_emails,
    version = l.version + 1
from (select c.account_id, c.load_agent_id as agent_id, count(*)::integer as open_emails
      from routing.conversations c
      join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
      where ch.kind in ('email', 'form') and c.load_agent_id is not null
      group by 1, 2) e
where l.account_id = e.account_id and l.agent_id = e.agent_id;
alter table routing.agent_loads enable trigger books_guard;
alter table routing.conversations enable trigger user;

create or replace view routing.agent_load as
    select account_id, agent_id, open_chats, last_chat_at as last_assigned_at,
           open_emails
    from routing.agent_loads;

create view routing.queue as
    select c.account_id, c.conversation_id, c.channel_id, c.priority, c.created_at,
           pg_catalog.row_number() over (partition by c.account_id, c.channel_id
                                         order by c.priority desc, c.created_at,
                                                  c.conversation_id) as position
    from routing.conversations c
    join routing.rules r on r.account_id = c.account_id and r.channel_id = c.channel_id
    where c.status = 'open' and c.assignee_agent_id is null
      and c.assignee_team_id is null and r.enabled and r.when_nobody = 'queue';

create function routing.drain(account_id bigint default 1)
    returns bigint language c as 'MODULE_PATHNAME', 'routing_drain';
create function routing.distribute()
    returns void language c as 'MODULE_PATHNAME', 'routing_distribute';
create function routing.queues_locked() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_queues_locked';
create function routing.capacity_changed() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_capacity_changed';
revoke execute on function routing.drain(bigint), routing.distribute(),
    routing.capacity_changed(), routing.queues_locked() from public;

-- A capacity lives on the agent's load row too, where a claim reads it.
create trigger capacity_changed after insert or update or delete on routing.capacities
    for each row execute function routing.capacity_changed();
create trigger capacity_truncated after truncate on routing.capacities
    for each statement execute function routing.capacity_changed();

-- A rules row is a queue lock: a statement changing rules takes them all,
-- in order, before it locks any.
create trigger queues_locked before update or delete on routing.rules
    for each statement execute function routing.queues_locked();
-- A contact's owner or tracking can give a waiting conversation an owner.
create trigger queue_contact_changed after insert or update on routing.contacts
    for each row execute function routing.eligibility_changed('contact');

select pg_catalog.pg_extension_config_dump('routing.capacities', '');
select pg_catalog.pg_extension_config_dump('routing.rule_turns', '');

comment on table routing.capacities is 'The most open conversations of a work type (chat or email) that automatic routing gives an agent; no row: unlimited';
comment on table routing.rule_turns is 'Internal: how many conversations each channel''s round-robin rule gave each agent, and when last';
comment on column routing.rules.distribution is 'default (random for email and form, least busy for chat, bot and messenger), random, least_busy or round_robin';
comment on column routing.rules.when_nobody is 'leave_unassigned (HubSpot) or queue: wait, and be assigned as soon as an eligible agent has room';
comment on column routing.conversations.priority is 'Higher first in the queue';
comment on column routing.agent_loads.open_emails is 'Open email and form conversations assigned to the agent, kept by the triggers';
comment on column routing.agent_loads.chat_capacity is 'Internal: the agent''s chat capacity (routing.capacities), on the row a claim locks';
comment on column routing.agent_loads.email_capacity is 'Internal: the agent''s email capacity (routing.capacities), on the row a claim locks';
comment on view routing.agent_load is 'Open chats, last chat assignment and open emails per agent, exact at every commit';
comment on view routing.queue is 'Waiting conversations of channels whose enabled rule queues them; position 1 is the next to be assigned in its channel';
comment on function routing.drain(bigint) is 'Assigns the waiting conversations of the account that can be assigned now; returns how many';
comment on function routing.distribute() is 'On a Citus coordinator: distributes the routing tables by account_id (section 15; not built yet: refuses)';
comment on function routing.queues_locked() is 'Trigger: a statement on rules takes every queue lock in order first';
comment on function routing.capacity_changed() is 'Trigger: copies a capacity to the agent''s load row and assigns waiting conversations when room grows';
