-- Section 2: manual triage: taking, replying, reassigning to an agent or a
-- team, restricted inboxes, and no seat or availability needed.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

insert into routing.agents (agent_id, name) values
    (1, 'Ann'),   -- seated, available
    (2, 'Bob'),   -- no seat, no availability row (away)
    (3, 'Cid'),   -- seated, away
    (4, 'Dee'),   -- additional member of Support
    (5, 'Eve'),   -- primary member of Support
    (6, 'Fay'),   -- primary member of Sales only: no access to the restricted inbox
    (7, 'Gus');   -- granted the restricted inbox by name
insert into routing.seats (agent_id, hub) values (1, 'service'), (3, 'sales');
select routing.set_availability(1, 'available');
select routing.set_availability(3, 'away');
insert into routing.teams (team_id, name) values (20, 'Support'), (21, 'Sales');
insert into routing.team_members (team_id, agent_id, role)
values (20, 4, 'additional'), (20, 5, 'primary'), (21, 6, 'primary');
insert into routing.inboxes (inbox_id, name, access)
values (1, 'Help', 'everyone'), (2, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, agent_id) values (2, 7);
insert into routing.inbox_access (inbox_id, team_id) values (2, 20);
-- No rules: every conversation starts unassigned.
insert into routing.channels (channel_id, inbox_id, kind)
values (10, 1, 'chat'), (11, 1, 'email'), (12, 2, 'chat');
insert into routing.conversations (conversation_id, channel_id)
values (100, 10), (101, 10), (102, 11), (103, 10), (200, 12), (201, 12), (202, 12);
select conversation_id from routing.unassigned order by conversation_id;

-- section 2: an agent takes an unassigned conversation
select routing.assign(100, 1);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by,
       assigned_at is not null as has_assigned_at
from routing.conversations where conversation_id = 100;

-- section 2: a reply to an unassigned conversation assigns it to the replier
select routing.reply(101, 1) as owner;
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 101;

-- section 2: a reply to an owned conversation changes nothing, returns the owner
select routing.reply(100, 3) as owner;
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 100;

-- section 2: an owned conversation is reassigned to another agent
select routing.assign(100, 3);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 100;

-- section 2: reassigned to a team: the agent is cleared
select routing.assign_team(100, 21);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 100;

-- section 2: a reply to a team-owned conversation changes nothing (no agent owns it)
select routing.reply(100, 1) as owner;
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 100;

-- section 2: reassigned from the team to an agent: the team is cleared
select routing.assign(100, 1);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 100;

-- section 2: reassigning to the current owner is not a change
select routing.assign(100, 1);

-- section 2: manual assignment needs no seat and ignores availability
-- (Bob has no seat and is away; Cid is away)
select routing.assign(102, 2);
select routing.reply(103, 3) as owner;
select routing.assign(101, 2);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id in (101, 102, 103) order by conversation_id;

-- section 2: restricted inbox: an agent granted access by name
select routing.assign(200, 7);
select conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where conversation_id = 200;
-- section 2: restricted inbox: a primary member of one of its teams
select routing.assign(200, 5);
select conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where conversation_id = 200;
-- section 2: restricted inbox: an additional member of one of its teams
select routing.assign(200, 4);
select conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where conversation_id = 200;
-- section 2: restricted inbox: one of its teams
select routing.assign_team(201, 20);
select conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where conversation_id = 201;
-- section 2: restricted inbox: a reply by an agent with access takes it
select routing.reply(202, 5) as owner;

-- section 2: restricted inbox: an agent without access is refused, nothing changes
select routing.assign(200, 6);
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 200;
-- neither a seat, availability nor membership of another team gives access
select routing.assign(200, 1);
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 200;

-- section 2: restricted inbox: a team without access is refused, nothing changes
select routing.assign_team(200, 21);
\echo :LAST_ERROR_SQLSTATE
select routing.assign_team(201, 21);
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id in (200, 201) order by conversation_id;

-- section 2: restricted inbox: a reply does not let an agent without access take it
select routing.unassign(202);
select routing.reply(202, 6);
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 202;
select conversation_id from routing.unassigned order by conversation_id;

-- section 2: a plain UPDATE is held to the same rule
update routing.conversations set assignee_agent_id = 6 where conversation_id = 200;
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 200;

-- section 2: ... also when the statement claims the rule assigned it
update routing.conversations set assignee_agent_id = 6, assigned_by = 'rule'
where conversation_id = 200;
\echo :LAST_ERROR_SQLSTATE
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations where conversation_id = 200;

-- section 2: ... also when a plain UPDATE moves an owned conversation into
-- the restricted inbox (conversation 100's owner has no access to it)
update routing.conversations set channel_id = 12 where conversation_id = 100;
\echo :LAST_ERROR_SQLSTATE
select conversation_id, channel_id, assignee_agent_id
from routing.conversations where conversation_id = 100;

-- section 2 (and 8): one log row per change of owner, none for the refused
-- ones, the no-op replies or the reassignment to the current owner
select conversation_id, from_agent_id, from_team_id, to_agent_id, to_team_id,
       assigned_by, reason
from routing.assignment_log order by log_id;
