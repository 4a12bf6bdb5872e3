select agent_id, open_chats, last_chat_at, open_emails, last_email_at, chat_capacity, email_capacity,
       primary_team_id, active, has_seat, available
from routing.agent_loads order by agent_id;
select log_id, conversation_id, to_agent_id, to_team_id, assigned_by, reason, at from routing.assignment_log order by log_id;
select conversation_id, status, assignee_agent_id, assigned_by, assigned_reason, assigned_at, load_agent_id
from routing.conversations order by conversation_id;
select event_id, kind, conversation_id, agent_id, at from routing.events order by event_id;
select conversation_id, channel_id, position from routing.queue order by conversation_id;
select channel_id, agent_id, team_id from routing.rule_targets order by 1, 2, 3;
select team_id, agent_id, role from routing.team_members order by 1, 2;
select agent_id, work, max_open from routing.capacities order by 1, 2;
select channel_id, agent_id, given, last_given_at from routing.rule_turns order by 1, 2;
select kind, conversation_id, agent_id, due_at from routing.timers order by conversation_id;
select conversation_id, agent_id, due_at, lapses from routing.offers order by conversation_id;
select conversation_id, agent_id, lapsed_at from routing.offer_exclusions order by conversation_id, agent_id;
select agent_id, time_zone, idle_after from routing.agents order by agent_id;
select * from routing.working_hours order by agent_id, weekday, starts;
select * from routing.time_off order by agent_id, starts_at;
