select agent_id, open_chats, last_assigned_at from routing.agent_load order by agent_id;
select log_id, conversation_id, to_agent_id, assigned_by, reason, at from routing.assignment_log order by log_id;
select conversation_id, status, assignee_agent_id, assigned_by, assigned_reason, assigned_at
from routing.conversations order by conversation_id;
