-- doc/behaviour.md section 8: every decision is explainable.
-- routing.explain_route(id) gives the rule, each candidate with each
-- eligibility check, their load, the pick and the reason, as the decision
-- would be made now.  Only selected fields are printed (no timestamps).
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Channel 1 (chat, restricted inbox 200) names team 10 and, directly, Cy,
-- Dee, Fay and Gus.  Team 10: Ann (1) and Bob (2) primary, Eve (5)
-- additional.  Each of the others fails exactly one check: Cy (3) is away,
-- Dee (4) has no seat, Fay (6) is inactive, Gus (7) has no access to the
-- inbox, Eve (5) is no target (additional member).  Hal (8) is named nowhere.
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', true), (3, 'Cy', true), (4, 'Dee', true),
    (5, 'Eve', true), (6, 'Fay', false), (7, 'Gus', true), (8, 'Hal', true);
insert into routing.seats (agent_id, hub)
select agent_id, 'service' from routing.agents where agent_id <> 4;
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id <> 3;
select routing.set_availability(3, 'away');
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.team_members (team_id, agent_id, role) values
    (10, 1, 'primary'), (10, 2, 'primary'), (10, 5, 'additional');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, team_id) values (200, 10);
insert into routing.inbox_access (inbox_id, agent_id) values (200, 3), (200, 4), (200, 6);
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 200, 'chat', 'VIP chat'),
    (2, 100, 'email', 'help@'),
    (3, 100, 'chat', 'Account chat'),
    (4, 100, 'chat', 'Unrouted chat');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true);
insert into routing.rule_targets (channel_id, team_id) values (1, 10), (2, 10);
insert into routing.rule_targets (channel_id, agent_id) values (1, 3), (1, 4), (1, 6), (1, 7);
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id)
values (3, true, 'contact_owner', 2);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values
    (500, 1, true), (501, 1, false);

-- Ann, then Bob get a chat (one open chat each, Ann less recently assigned).
insert into routing.conversations (channel_id) values (1), (1) returning conversation_id, assignee_agent_id;
-- Conversation 3 arrives while the rule is off, and stays unassigned.
update routing.rules set enabled = false where channel_id = 1;
insert into routing.conversations (channel_id) values (1) returning conversation_id, assignee_agent_id;

-- section 8: with the rule off the explanation says so and lists nobody
create temp table explained (label text primary key, doc jsonb);
insert into explained select 'rule off', routing.explain_route(3);
select doc->>'method' as method, doc->'rule'->'enabled' as enabled,
       jsonb_array_length(doc->'candidates') as candidates, doc->'pick' as pick,
       doc->>'reason' as reason
from explained where label = 'rule off';

-- section 8: the same conversation once the rule is on: the chat pool
update routing.rules set enabled = true where channel_id = 1;
insert into explained select 'chat pool', routing.explain_route(3);
select doc->'conversation_id' as conversation_id, doc->>'status' as status,
       doc->'current_agent_id' as current_agent_id, doc->'channel_id' as channel_id,
       doc->>'channel_kind' as kind, doc->'inbox_id' as inbox_id,
       doc->'inbox_restricted' as restricted
from explained where label = 'chat pool';
select doc->'rule'->>'assign_to' as assign_to, doc->'rule'->'only_available' as only_available,
       doc->'rule'->'default_agent_id' as default_agent_id, doc->>'method' as method
from explained where label = 'chat pool';
-- section 8: every candidate with each check, eligibility and load; Hal, who
-- is named nowhere, is not a candidate
select c->'agent_id' as agent_id, c->>'name' as name, c->>'role' as role,
       c->'checks'->'active' as active, c->'checks'->'paid_seat' as paid_seat,
       c->'checks'->'inbox_access' as inbox_access, c->'checks'->'target' as target,
       c->'checks'->'available' as available, c->'eligible' as eligible,
       c->'open_chats' as open_chats,
       jsonb_typeof(c->'last_assigned_at') <> 'null' as assigned_before
from explained, jsonb_array_elements(doc->'candidates') c
where label = 'chat pool' order by (c->>'agent_id')::bigint;
-- section 8: for each failing candidate, the failing check is false, and it
-- is the only false one
select c->>'name' as name,
       (select string_agg(k.key, ', ' order by k.key) from jsonb_each(c->'checks') k
        where k.value = 'false') as false_checks
from explained, jsonb_path_query(doc, '$.candidates[*] ? (@.eligible == false)') c
where label = 'chat pool' order by (c->>'agent_id')::bigint;
-- section 8: the pick and why: Ann and Bob are tied at one open chat, Ann
-- was assigned a chat less recently
select doc->'eligible_count' as eligible_count, doc->'pick' as pick, doc->>'reason' as reason
from explained where label = 'chat pool';
select jsonb_path_query(doc, '$.candidates[*] ? (@.agent_id == $pick).name',
                        jsonb_build_object('pick', doc->'pick')) as picked
from explained where label = 'chat pool';

-- section 8: explaining changes nothing; routing the conversation now picks
-- whom the explanation named
select conversation_id from routing.unassigned order by conversation_id;
select agent_id, open_chats from routing.agent_load where agent_id in (1, 2) order by agent_id;
select routing.route_conversation(3);

-- section 8: the explanation follows the state: Ann now has two chats, so
-- Bob is the pick (the conversation itself, now Ann's, is not rerouted)
insert into explained select 'after route', routing.explain_route(3);
select doc->'current_agent_id' as current_agent_id, doc->'pick' as pick,
       doc->>'reason' as reason, doc->'eligible_count' as eligible_count
from explained where label = 'after route';
-- section 8: a check that changes shows at once: Cy, available again and
-- without a chat, is eligible and the pick
select routing.set_availability(3, 'available');
insert into explained select 'cy back', routing.explain_route(3);
select doc->'pick' as pick, doc->>'reason' as reason, doc->'eligible_count' as eligible_count,
       jsonb_path_query(doc, '$.candidates[*] ? (@.agent_id == 3).checks.available') as cy_available,
       jsonb_path_query(doc, '$.candidates[*] ? (@.agent_id == 3).eligible') as cy_eligible
from explained where label = 'cy back';

-- section 8: an email channel: a random pick, so no single pick is named
insert into routing.conversations (channel_id) values (2) returning conversation_id;
insert into explained select 'email', routing.explain_route(4);
select doc->>'method' as method, doc->'eligible_count' as eligible_count,
       doc->'pick' as pick, doc->>'reason' as reason,
       array(select (c->>'agent_id')::bigint from jsonb_array_elements(doc->'candidates') c
             order by 1) as candidates,
       array(select (c->>'agent_id')::bigint from jsonb_array_elements(doc->'candidates') c
             where (c->'eligible')::boolean order by 1) as eligible
from explained where label = 'email';

-- section 8: a contact-owner rule: the owner is the one candidate, needs no
-- target listing; away, the owner is not eligible and the reason says so
insert into routing.conversations (channel_id, contact_id) values (3, 500), (3, 501)
returning conversation_id, contact_id, assignee_agent_id;
select routing.set_availability(1, 'away');
insert into explained select 'owner away', routing.explain_route(5);
select doc->>'method' as method, c->'agent_id' as agent_id, c->>'role' as role,
       c->'checks'->'target' as target, c->'checks'->'available' as available,
       c->'eligible' as eligible, doc->'pick' as pick, doc->>'reason' as reason
from explained, jsonb_array_elements(doc->'candidates') c where label = 'owner away';
-- section 8: an untracked contact on a chat channel: the default agent
insert into explained select 'default agent', routing.explain_route(6);
select c->'agent_id' as agent_id, c->>'role' as role, c->'eligible' as eligible,
       doc->'pick' as pick, doc->>'reason' as reason
from explained, jsonb_array_elements(doc->'candidates') c where label = 'default agent';

-- section 8: a channel without any rule
insert into routing.conversations (channel_id) values (4) returning conversation_id;
select routing.explain_route(7)->>'method' as method, routing.explain_route(7)->'rule'->'enabled' as enabled;

-- section 8/9: an unknown conversation is an error
select routing.explain_route(999);
\echo :LAST_ERROR_SQLSTATE
