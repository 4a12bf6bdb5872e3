-- After a restore: routing goes on from where the source was.
-- A chat (least busy), an email of the round robin rule (its next turn).
insert into routing.conversations (channel_id) values (1), (5)
returning conversation_id, assignee_agent_id, assigned_reason;
-- An email to team 1's rule finds one of its members.
with routed as (
    insert into routing.conversations (channel_id) values (3) returning assignee_agent_id
)
select assignee_agent_id in (1, 2) as team_member_routed from routed;
-- Closing Cy's queue chat drains the first waiting one to Cy.
select routing.close_conversation(11);
select conversation_id, assignee_agent_id from routing.conversations
where conversation_id in (12, 13) order by conversation_id;
