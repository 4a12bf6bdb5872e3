select agent_id, open_chats, last_assigned_at from routing.agent_load order by agent_id;
select log_id, conversation_id, to_agent_id, assigned_by, reason, at from routing.assignment_log order by log_id;
select conversation_id, status, assignee_agent_id, assigned_by, assigned_reason, assigned_at
from routing.conversations order by conversation_id;
select kind, conversation_id, agent_id, due_at from routing.timers order by conversation_id;
select conversation_id, agent_id, due_at, lapses from routing.offers order by conversation_id;
select conversation_id, agent_id, lapsed_at from routing.offer_exclusions order by conversation_id, agent_id;
select agent_id, time_zone, idle_after from routing.agents order by agent_id;
select * from routing.working_hours order by agent_id, weekday, starts;
select * from routing.time_off order by agent_id, starts_at;
