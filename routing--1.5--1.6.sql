-- routing 1.5 -> 1.6: the load row keeps what the checks of the agent alone
-- read (3.1 active, 3.2 a paid seat, 3.5 available), beside the primary
-- team it already kept.  The eligibility triggers copy them from agents,
-- seats and availability in the same transaction as the change, under the
-- load row lock they take, so a backend's first look at an agent reads one
-- row where it probed three more tables.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.6'" to load this file. \quit

alter table routing.agent_loads
    add column active boolean not null default false,
    add column has_seat boolean not null default false,
    add column available boolean not null default false;
alter table routing.agent_loads disable trigger books_guard;
update routing.agent_loads l
set active = a.active,
    has_seat = exists (select from routing.seats s
                       where s.account_id = l.account_id and s.agent_id = l.agent_id),
    available = exists (select from routing.availability v
                        where v.account_id = l.account_id and v.agent_id = l.agent_id
                          and v.status = 'available')
from routing.agents a
where a.account_id = l.account_id and a.agent_id = l.agent_id;
alter table routing.agent_loads enable trigger books_guard;

-- The counts and capacities stay non-negative through the books_guard
-- trigger, which checks them in C: a CHECK constraint is parsed and planned
-- again by every statement that writes the table, each claim included.
alter table routing.agent_loads
    drop constraint agent_loads_open_chats_check,
    drop constraint agent_loads_open_emails_check,
    drop constraint agent_loads_chat_capacity_check,
    drop constraint agent_loads_email_capacity_check;

comment on column routing.agent_loads.active is 'Internal: agents.active, kept by the triggers';
comment on column routing.agent_loads.has_seat is 'Internal: whether the agent holds a paid seat (seats), kept by the triggers';
comment on column routing.agent_loads.available is 'Internal: whether the agent is available (availability), kept by the triggers';
