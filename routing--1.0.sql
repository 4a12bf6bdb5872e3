-- routing 1.0: conversation routing inside the database.
-- The schema lives here; every trigger and function is implemented in C.

\echo Use "CREATE EXTENSION routing" to load this file. \quit

-- Accounts (tenants) lead every key so that the tables can be distributed
-- by account_id and every routing decision stays on one shard.

create table routing.agents (
    account_id bigint not null default 1,
    agent_id bigint not null,
    name text not null,
    email text,
    active boolean not null default true,
    primary key (account_id, agent_id)
);

create table routing.seats (
    account_id bigint not null default 1,
    agent_id bigint not null,
    hub text not null check (hub in ('sales', 'service')),
    primary key (account_id, agent_id, hub),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

create table routing.availability (
    account_id bigint not null default 1,
    agent_id bigint not null,
    status text not null check (status in ('available', 'away')),
    changed_at timestamptz not null default now(),
    primary key (account_id, agent_id),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);

create table routing.teams (
    account_id bigint not null default 1,
    team_id bigint not null,
    name text not null,
    primary key (account_id, team_id)
);

create table routing.team_members (
    account_id bigint not null default 1,
    team_id bigint not null,
    agent_id bigint not null,
    role text not null check (role in ('primary', 'additional')),
    primary key (account_id, team_id, agent_id),
    foreign key (account_id, team_id) references routing.teams on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade
);
-- At most one primary team per agent.
create unique index team_members_one_primary
    on routing.team_members (account_id, agent_id) where role = 'primary';
create index team_members_by_agent on routing.team_members (account_id, agent_id);

create table routing.inboxes (
    account_id bigint not null default 1,
    inbox_id bigint not null,
    name text not null,
    access text not null default 'everyone' check (access in ('everyone', 'restricted')),
    primary key (account_id, inbox_id)
);

create table routing.inbox_access (
    account_id bigint not null default 1,
    inbox_id bigint not null,
    agent_id bigint,
    team_id bigint,
    check ((agent_id is null) <> (team_id is null)),
    foreign key (account_id, inbox_id) references routing.inboxes on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade,
    foreign key (account_id, team_id) references routing.teams on delete cascade
);
create unique index inbox_access_agent
    on routing.inbox_access (account_id, inbox_id, agent_id) where agent_id is not null;
create unique index inbox_access_team
    on routing.inbox_access (account_id, inbox_id, team_id) where team_id is not null;

create table routing.channels (
    account_id bigint not null default 1,
    channel_id bigint not null,
    inbox_id bigint not null,
    kind text not null check (kind in ('email', 'form', 'chat', 'bot', 'messenger')),
    name text,
    primary key (account_id, channel_id),
    foreign key (account_id, inbox_id) references routing.inboxes
);

create table routing.rules (
    account_id bigint not null default 1,
    channel_id bigint not null,
    enabled boolean not null default false,
    assign_to text not null default 'users_and_teams'
        check (assign_to in ('users_and_teams', 'contact_owner')),
    only_available boolean not null default true,
    default_agent_id bigint,
    primary key (account_id, channel_id),
    foreign key (account_id, channel_id) references routing.channels on delete cascade,
    foreign key (account_id, default_agent_id) references routing.agents
);

create table routing.rule_targets (
    account_id bigint not null default 1,
    channel_id bigint not null,
    agent_id bigint,
    team_id bigint,
    check ((agent_id is null) <> (team_id is null)),
    foreign key (account_id, channel_id) references routing.rules on delete cascade,
    foreign key (account_id, agent_id) references routing.agents on delete cascade,
    foreign key (account_id, team_id) references routing.teams on delete cascade
);
create unique index rule_targets_agent
    on routing.rule_targets (account_id, channel_id, agent_id) where agent_id is not null;
create unique index rule_targets_team
    on routing.rule_targets (account_id, channel_id, team_id) where team_id is not null;

create table routing.contacts (
    account_id bigint not null default 1,
    contact_id bigint not null,
    owner_agent_id bigint,
    tracked boolean not null default false,
    primary key (account_id, contact_id),
    foreign key (account_id, owner_agent_id) references routing.agents
);

create table routing.conversations (
    account_id bigint not null default 1,
    conversation_id bigint generated by default as identity,
    channel_id bigint not null,
    contact_id bigint,
    status text not null default 'open' check (status in ('open', 'closed')),
    assignee_agent_id bigint,
    assignee_team_id bigint,
    assigned_by text check (assigned_by in ('rule', 'manual', 'reply')),
    assigned_at timestamptz,
    created_at timestamptz not null default now(),
    assigned_reason text,
    load_agent_id bigint,
    primary key (account_id, conversation_id),
    check (assignee_agent_id is null or assignee_team_id is null),
    foreign key (account_id, channel_id) references routing.channels,
    foreign key (account_id, contact_id) references routing.contacts,
    foreign key (account_id, assignee_agent_id) references routing.agents,
    foreign key (account_id, assignee_team_id) references routing.teams
);
create index conversations_unassigned on routing.conversations (account_id, created_at)
    where status = 'open' and assignee_agent_id is null and assignee_team_id is null;
create index conversations_by_agent on routing.conversations (account_id, assignee_agent_id)
    where assignee_agent_id is not null;

create table routing.assignment_log (
    account_id bigint not null default 1,
    log_id bigint generated always as identity,
    conversation_id bigint not null,
    from_agent_id bigint,
    from_team_id bigint,
    to_agent_id bigint,
    to_team_id bigint,
    assigned_by text check (assigned_by in ('rule', 'manual', 'reply')),
    reason text,
    at timestamptz not null default now(),
    primary key (account_id, log_id),
    foreign key (account_id, conversation_id) references routing.conversations on delete cascade
);
create index assignment_log_by_conversation on routing.assignment_log (account_id, conversation_id);

create table routing.events (
    account_id bigint not null default 1,
    event_id bigint generated always as identity,
    kind text not null check (kind in ('owner_offline')),
    conversation_id bigint not null,
    agent_id bigint,
    at timestamptz not null default now(),
    primary key (account_id, event_id),
    -- Deferred: the routing trigger records the event before its row exists.
    foreign key (account_id, conversation_id) references routing.conversations
        on delete cascade deferrable initially deferred
);

-- One row per agent, kept by the triggers: the load that least-busy routing
-- reads and the row every routing decision for that agent locks.  "version"
-- moves with every change to the row and with every change elsewhere that
-- can make the agent ineligible, so a routing decision can tell whether what
-- it read is still true once it holds the lock.
-- Every chat assignment leaves a dead entry in agent_loads_least_busy at the
-- low end, where the next decision starts reading: vacuum the table after a
-- few hundred changes (with autovacuum_naptime low; see the README), and
-- analyze it rarely, since its plans do not depend on its statistics.
create table routing.agent_loads (
    account_id bigint not null default 1,
    agent_id bigint not null,
    open_chats integer not null default 0 check (open_chats >= 0),
    last_chat_at timestamptz,
    version bigint not null default 0,
    primary key (account_id, agent_id),
    foreign key (account_id, agent_id) references routing.agents on delete cascade
) with (fillfactor = 50,
       autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 200,
       autovacuum_vacuum_cost_delay = 0,
       autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 100000);
create index agent_loads_least_busy
    on routing.agent_loads (account_id, open_chats, last_chat_at nulls first, agent_id);

create view routing.unassigned as
    select account_id, conversation_id, channel_id, contact_id, created_at
    from routing.conversations
    where status = 'open' and assignee_agent_id is null and assignee_team_id is null;

create view routing.agent_load as
    select account_id, agent_id, open_chats, last_chat_at as last_assigned_at
    from routing.agent_loads;

-- Functions (C).

create function routing.route_conversation(conversation_id bigint, account_id bigint default 1)
    returns bigint language c as 'MODULE_PATHNAME', 'routing_route_conversation';
create function routing.assign(conversation_id bigint, agent_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_assign';
create function routing.assign_team(conversation_id bigint, team_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_assign_team';
create function routing.unassign(conversation_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_unassign';
create function routing.reply(conversation_id bigint, agent_id bigint, account_id bigint default 1)
    returns bigint language c as 'MODULE_PATHNAME', 'routing_reply';
create function routing.set_availability(agent_id bigint, status text, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_set_availability';
create function routing.close_conversation(conversation_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_close_conversation';
create function routing.reopen_conversation(conversation_id bigint, account_id bigint default 1)
    returns void language c as 'MODULE_PATHNAME', 'routing_reopen_conversation';
create function routing.explain_route(conversation_id bigint, account_id bigint default 1)
    returns jsonb language c as 'MODULE_PATHNAME', 'routing_explain_route';

-- Triggers (C).

create function routing.conversation_before() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_conversation_before';
create function routing.conversation_after() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_conversation_after';
create function routing.agent_created() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_agent_created';
create function routing.conversations_truncated() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_conversations_truncated';
create function routing.eligibility_changed() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_eligibility_changed';
create function routing.rule_check() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_rule_check';
create function routing.channel_check() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_channel_check';

create trigger conversation_before before insert or update on routing.conversations
    for each row execute function routing.conversation_before();
create trigger conversation_after after insert or update or delete on routing.conversations
    for each row execute function routing.conversation_after();
create trigger agent_created after insert on routing.agents
    for each row execute function routing.agent_created();
create trigger conversations_truncated after truncate on routing.conversations
    for each statement execute function routing.conversations_truncated();
create trigger rule_check before insert or update on routing.rules
    for each row execute function routing.rule_check();
create trigger channel_check before update on routing.channels
    for each row execute function routing.channel_check();

-- Any change that can make an agent ineligible takes that agent's load row
-- lock (see the README's locking design).  The argument names what the row
-- identifies: one agent, a team's members, or every agent of the account.
create trigger eligibility_changed after update or delete on routing.agents
    for each row execute function routing.eligibility_changed('agent');
create trigger eligibility_changed after update or delete on routing.seats
    for each row execute function routing.eligibility_changed('agent');
create trigger eligibility_changed after update or delete on routing.availability
    for each row execute function routing.eligibility_changed('agent');
create trigger eligibility_changed after update or delete on routing.team_members
    for each row execute function routing.eligibility_changed('agent');
create trigger eligibility_changed after update or delete on routing.inbox_access
    for each row execute function routing.eligibility_changed('agent_or_team');
create trigger eligibility_changed after update or delete on routing.rule_targets
    for each row execute function routing.eligibility_changed('agent_or_team');
create trigger eligibility_changed after update or delete on routing.rules
    for each row execute function routing.eligibility_changed('account');
create trigger eligibility_changed after update on routing.channels
    for each row execute function routing.eligibility_changed('account');
create trigger eligibility_changed after update on routing.inboxes
    for each row execute function routing.eligibility_changed('account');

select pg_catalog.pg_extension_config_dump('routing.agents', '');
select pg_catalog.pg_extension_config_dump('routing.seats', '');
select pg_catalog.pg_extension_config_dump('routing.availability', '');
select pg_catalog.pg_extension_config_dump('routing.teams', '');
select pg_catalog.pg_extension_config_dump('routing.team_members', '');
select pg_catalog.pg_extension_config_dump('routing.inboxes', '');
select pg_catalog.pg_extension_config_dump('routing.inbox_access', '');
select pg_catalog.pg_extension_config_dump('routing.channels', '');
select pg_catalog.pg_extension_config_dump('routing.rules', '');
select pg_catalog.pg_extension_config_dump('routing.rule_targets', '');
select pg_catalog.pg_extension_config_dump('routing.contacts', '');
select pg_catalog.pg_extension_config_dump('routing.conversations', '');
select pg_catalog.pg_extension_config_dump('routing.assignment_log', '');
select pg_catalog.pg_extension_config_dump('routing.events', '');
select pg_catalog.pg_extension_config_dump('routing.agent_loads', '');
select pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('routing.conversations', 'conversation_id'), '');
select pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('routing.assignment_log', 'log_id'), '');
select pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('routing.events', 'event_id'), '');

-- The functions act with the extension owner's rights (section 11), so only
-- roles the DBA chooses may call them.  Routing on INSERT needs none of them.
revoke execute on all functions in schema routing from public;

comment on schema routing is 'Conversation routing: who owns each customer conversation';
comment on table routing.agents is 'The account''s users; only active agents are routed to';
comment on table routing.seats is 'Paid seats (sales or service hub); automatic routing needs one';
comment on table routing.availability is 'Agent availability; an agent with no row is away';
comment on table routing.teams is 'Teams of agents';
comment on table routing.team_members is 'Team membership: primary (routed to through the team, at most one per agent) or additional';
comment on table routing.inboxes is 'Inboxes; restricted ones are open only to the agents and teams in inbox_access';
comment on table routing.inbox_access is 'Who may use a restricted inbox: one agent or one team per row';
comment on table routing.channels is 'Channels of an inbox; the kind chooses random (email, form) or least busy (chat, bot, messenger) routing';
comment on table routing.rules is 'At most one routing rule per channel, off until enabled';
comment on table routing.rule_targets is 'The agents and teams of a "specific users and teams" rule: one agent or one team per row';
comment on table routing.contacts is 'Contacts, their owner and whether they are tracked';
comment on table routing.conversations is 'Conversations; an INSERT routes the row by its channel''s rule before it returns';
comment on table routing.assignment_log is 'One row per change of a conversation''s owner';
comment on table routing.events is 'Things the application should act on, such as owner_offline';
comment on table routing.agent_loads is 'Per-agent open chat count and last chat assignment, kept exact by the triggers; the row routing locks';
comment on column routing.conversations.load_agent_id is 'Internal: the agent whose open_chats counts this conversation; kept by the triggers, never set it by hand';
comment on column routing.conversations.assigned_reason is 'Why the rule chose this owner (routed conversations only)';
comment on view routing.unassigned is 'Open conversations with neither an agent nor a team owner';
comment on view routing.agent_load is 'Open chats (chat, bot, messenger) and last chat assignment per agent, exact at every commit';
comment on function routing.route_conversation(bigint, bigint) is 'Routes an open, unassigned conversation by its channel''s rule; returns the owner or NULL';
comment on function routing.assign(bigint, bigint, bigint) is 'Manually (re)assigns a conversation to an agent';
comment on function routing.assign_team(bigint, bigint, bigint) is 'Manually (re)assigns a conversation to a team';
comment on function routing.unassign(bigint, bigint) is 'Puts a conversation back in the Unassigned view';
comment on function routing.reply(bigint, bigint, bigint) is 'Records a reply: an unassigned conversation goes to the agent who replied; returns the owner';
comment on function routing.set_availability(bigint, text, bigint) is 'Sets an agent available or away';
comment on function routing.close_conversation(bigint, bigint) is 'Closes a conversation';
comment on function routing.reopen_conversation(bigint, bigint) is 'Reopens a conversation, keeping its owner';
comment on function routing.explain_route(bigint, bigint) is 'The routing decision for a conversation as it would be made now, as JSON';
comment on function routing.conversation_before() is 'Trigger: routes inserted conversations and checks owner changes';
comment on function routing.conversation_after() is 'Trigger: keeps agent_loads, assignment_log and NOTIFY in step with owner and status changes';
comment on function routing.agent_created() is 'Trigger: creates the agent''s agent_loads row';
comment on function routing.conversations_truncated() is 'Trigger: after TRUNCATE of conversations no agent has open chats';
comment on function routing.eligibility_changed() is 'Trigger: serialises eligibility changes with routing decisions on the agents'' load rows';
comment on function routing.rule_check() is 'Trigger: a rule''s default agent must hold a paid seat';
comment on function routing.channel_check() is 'Trigger: a channel''s kind cannot move between chat and non-chat kinds';
