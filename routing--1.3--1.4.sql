-- routing 1.3 -> 1.4: least-busy routing reads only the rule's pool.  Each
-- agent's load row carries their primary team (at most one per agent, and
-- the only team through which a rule routes to them), and the least-busy
-- index leads with it, so a decision reads each targeted team's members in
-- load order, whatever else the account holds.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.4'" to load this file. \quit

alter table routing.agent_loads add column primary_team_id bigint;
alter table routing.agent_loads disable trigger books_guard;
update routing.agent_loads l set primary_team_id = m.team_id
from routing.team_members m
where m.account_id = l.account_id and m.agent_id = l.agent_id and m.role = 'primary';
alter table routing.agent_loads enable trigger books_guard;

-- The same number of indexes on the hot row as before: the account-wide
-- load order is replaced by the per-team one.
create index agent_loads_team_least_busy on routing.agent_loads
    (account_id, primary_team_id, open_chats, last_chat_at nulls first, agent_id);
drop index routing.agent_loads_least_busy;

-- A membership change also moves the agent's primary team on the load row.
drop trigger eligibility_changed on routing.team_members;
create trigger eligibility_changed after insert or update or delete on routing.team_members
    for each row execute function routing.eligibility_changed('member');
drop trigger eligibility_truncated on routing.team_members;
create trigger eligibility_truncated after truncate on routing.team_members
    for each statement execute function routing.eligibility_changed('member');

comment on column routing.agent_loads.primary_team_id is 'Internal: the agent''s primary team (team_members), kept by the triggers; leads the least-busy index';
