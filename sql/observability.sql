-- doc/behaviour.md section 8: every assignment change is logged in
-- routing.assignment_log (who, from whom, how, and why for routed ones) and
-- announced by NOTIFY on channel routing_assignment after commit only;
-- setting routing.notify = off silences the announcements.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Channel 1 (chat) routes to Ann (1) only; channel 2 (chat) has no rule.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'), (2, 100, 'chat', 'Unrouted chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1);

-- section 8: one log row per change of owner, and none for anything else
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;  -- rule: to Ann
select routing.assign(1, 2);            -- manual: Ann -> Bob
select routing.assign(1, 2);            -- same owner: no change, no row
select routing.assign_team(1, 10);      -- manual: Bob -> team 10
select routing.reply(1, 3);             -- owned by a team: no change, no row
select routing.unassign(1);             -- team 10 -> nobody
select routing.reply(1, 3);             -- reply: nobody -> Cy
select routing.close_conversation(1);   -- status only: no row
select routing.reopen_conversation(1);  -- status only: no row
update routing.conversations set assignee_agent_id = 1 where conversation_id = 1;  -- manual: Cy -> Ann
update routing.conversations set status = 'closed' where conversation_id = 1;      -- status only: no row
insert into routing.conversations (channel_id, assignee_agent_id) values (2, 2)
returning conversation_id, assigned_by;  -- manual: given on insert
insert into routing.conversations (channel_id) values (2) returning conversation_id, assignee_agent_id;  -- no owner: no row
select conversation_id, from_agent_id, from_team_id, to_agent_id, to_team_id, assigned_by, reason
from routing.assignment_log order by log_id;
-- section 8: routed rows say why; the others carry no reason
select assigned_by, count(*) as log_rows, count(reason) as with_reason
from routing.assignment_log group by assigned_by order by assigned_by;
-- section 8: the log's last row for each conversation is its current owner
select c.conversation_id, c.assignee_agent_id, c.assignee_team_id, c.assigned_by,
       l.to_agent_id, l.to_team_id, l.assigned_by as logged_by
from routing.conversations c
left join lateral (select * from routing.assignment_log l
                   where l.account_id = c.account_id and l.conversation_id = c.conversation_id
                   order by l.log_id desc limit 1) l on true
order by c.conversation_id;

-- section 8: NOTIFY.  psql prints the notifications this session receives
-- after the statement that completes; they go to a file, shown with the
-- server's PID masked, since it differs from run to run.
select '/tmp/routing_observability_' || pg_backend_pid() || '.out' as notify_file \gset
\setenv NOTIFY_FILE :notify_file
listen routing_assignment;

-- section 8: a committed routed insert is announced
\o :notify_file
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"

-- section 8: nothing is announced before commit; a rolled back insert is never
-- announced (and leaves no log row)
\o :notify_file
begin;
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;
select count(*) as log_rows from routing.assignment_log where conversation_id = 5;
rollback;
select count(*) as log_rows from routing.assignment_log where conversation_id = 5;
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"

-- section 8: inside a transaction, a routed insert and a manual change are
-- announced together at commit, not before
\o :notify_file
begin;
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;
select routing.assign_team(6, 10);
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"
\o :notify_file
commit;
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"

-- section 8: unassigning and a reply are announced too
\o :notify_file
select routing.unassign(6);
select routing.reply(6, 3);
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"

-- section 8: with routing.notify off nothing is announced, but the change is
-- still logged; back on, announcements resume
set routing.notify = off;
\o :notify_file
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;
select routing.assign(7, 2);
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"
select conversation_id, from_agent_id, to_agent_id, assigned_by
from routing.assignment_log where conversation_id = 7 order by log_id;
reset routing.notify;
show routing.notify;
\o :notify_file
select routing.assign(7, 3);
\o
\! sed -E 's/PID [0-9]+/PID N/' "$NOTIFY_FILE"

unlisten routing_assignment;
\! rm -f "$NOTIFY_FILE"
