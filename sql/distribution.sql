-- doc/behaviour.md section 14: a rule's distribution picks the owner among the
-- eligible agents: 'default' (random on email and form channels, least busy
-- on chat, bot and Messenger channels, as in section 4a), 'random',
-- 'least_busy' (on email and form channels by the email load) or
-- 'round_robin' (the eligible agent least recently given a conversation by
-- this channel's rule; never given one first, then the smallest agent id).
-- Random picks are checked by set membership, never by who was drawn.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Each case has its own agents and channels, so that no case's loads or
-- turns reach another.  Everybody is active, seated and available but Kit.
--   default, chat (1) and Messenger (2): Ann (11), Bob (12), Cy (13)
--   default, email (3) and form (4):     Dee (21), Eve (22)
--   random, chat (5):                    Fay (31), Gus (32), Kit (33, away)
--   least_busy, chat (6), email (7), form (8): Hal (41), Ivy (42), Jo (43)
--   round_robin, chat (9 and 10):        Lee (51), Mia (52), Ned (53), Oz (54, later)
--   round_robin, email (11):             Pam (61), Raj (62)
-- Channels 20 (chat) and 21 (email) have no rule: the loads given by hand.
insert into routing.agents (agent_id, name) values
    (11, 'Ann'), (12, 'Bob'), (13, 'Cy'), (21, 'Dee'), (22, 'Eve'),
    (31, 'Fay'), (32, 'Gus'), (33, 'Kit'), (41, 'Hal'), (42, 'Ivy'), (43, 'Jo'),
    (51, 'Lee'), (52, 'Mia'), (53, 'Ned'), (54, 'Oz'), (61, 'Pam'), (62, 'Raj');
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available
from routing.agents where agent_id <> 33;
select routing.set_availability(33, 'away');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'), (2, 100, 'messenger', 'Messenger'),
    (3, 100, 'email', 'help@'), (4, 100, 'form', 'Contact form'),
    (5, 100, 'chat', 'Random chat'), (6, 100, 'chat', 'Busy chat'),
    (7, 100, 'email', 'busy@'), (8, 100, 'form', 'Busy form'),
    (9, 100, 'chat', 'Turns chat'), (10, 100, 'chat', 'Other turns chat'),
    (11, 100, 'email', 'turns@'),
    (20, 100, 'chat', 'Manual chat'), (21, 100, 'email', 'manual@');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true), (3, true), (4, true);
insert into routing.rules (channel_id, enabled, distribution) values
    (5, true, 'random'), (6, true, 'least_busy'), (7, true, 'least_busy'),
    (8, true, 'least_busy'), (9, true, 'round_robin'), (10, true, 'round_robin'),
    (11, true, 'round_robin');
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 11), (1, 12), (1, 13), (2, 11), (2, 12), (2, 13),
    (3, 21), (3, 22), (4, 21), (4, 22),
    (5, 31), (5, 32), (5, 33),
    (6, 41), (6, 42), (6, 43), (7, 41), (7, 42), (7, 43), (8, 41), (8, 42), (8, 43),
    (9, 51), (9, 52), (9, 53), (10, 51), (10, 52), (10, 53), (10, 54),
    (11, 61), (11, 62);

-- section 14: a rule's distribution is 'default' unless given
select channel_id, distribution from routing.rules order by channel_id;

-- section 14: anything but default, random, least_busy and round_robin is
-- refused (CHECK) and nothing changes
update routing.rules set distribution = 'fastest' where channel_id = 1;
\echo :LAST_ERROR_SQLSTATE
insert into routing.rules (channel_id, enabled, distribution) values (20, true, 'weighted');
\echo :LAST_ERROR_SQLSTATE
select channel_id, distribution from routing.rules where channel_id in (1, 20) order by channel_id;

-- The loads given by hand: Ann 3 chats, Dee 50 emails, Fay 50 chats, Hal 2
-- chats, Jo 2 emails, Lee 5 chats.
insert into routing.conversations (channel_id, assignee_agent_id)
select 20, a from (values (11), (11), (11), (41), (41), (51), (51), (51), (51), (51)) v(a);
insert into routing.conversations (channel_id, assignee_agent_id)
select 20, 31 from generate_series(1, 50);
insert into routing.conversations (channel_id, assignee_agent_id)
select 21, 21 from generate_series(1, 50);
insert into routing.conversations (channel_id, assignee_agent_id) values (21, 43), (21, 43);
select agent_id, open_chats, open_emails from routing.agent_load
where open_chats > 0 or open_emails > 0 order by agent_id;

-- section 14: default on a chat channel is least busy: Bob and Cy (no
-- chat, never assigned one) take turns until they have three like Ann;
-- then Ann, whose last chat (by hand) is the least recent
insert into routing.conversations (channel_id) select 1 from generate_series(1, 7)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 14: on a Messenger channel too: Bob and Cy at three, Bob less
-- recently assigned
insert into routing.conversations (channel_id) values (2) returning conversation_id, assignee_agent_id;

-- section 14: default on email and form channels is random: Dee, with 50
-- open emails against Eve's none, still gets some of 40 emails and of 40
-- form conversations (least busy would give her none; none by chance has
-- p = 2^-40), and Eve gets some
insert into routing.conversations (channel_id) select 3 from generate_series(1, 40);
insert into routing.conversations (channel_id) select 4 from generate_series(1, 40);
select channel_id,
       count(*) filter (where assignee_agent_id = 21) > 0 as dee_got_some,
       count(*) filter (where assignee_agent_id = 22) > 0 as eve_got_some,
       count(*) filter (where assignee_agent_id is null or assignee_agent_id not in (21, 22)) as elsewhere
from routing.conversations where channel_id in (3, 4) group by 1 order by 1;

-- section 14: random on a chat channel: Fay, with 50 open chats against
-- Gus's none, still gets some of 40 chats, Gus gets some, Kit (away) none
insert into routing.conversations (channel_id) select 5 from generate_series(1, 40);
select count(*) filter (where assignee_agent_id = 31) > 0 as fay_got_some,
       count(*) filter (where assignee_agent_id = 32) > 0 as gus_got_some,
       count(*) filter (where assignee_agent_id is null or assignee_agent_id not in (31, 32)) as elsewhere
from routing.conversations where channel_id = 5;

-- section 14: least_busy on a chat channel: by open chats (Hal has two):
-- Ivy, Jo, Ivy
insert into routing.conversations (channel_id) select 6 from generate_series(1, 3)
returning conversation_id, assignee_agent_id;
select agent_id, open_chats, open_emails from routing.agent_load where agent_id in (41, 42, 43) order by agent_id;

-- section 14: least_busy on an email channel uses the email load, not the
-- chat load (Jo has the fewest chats but two emails).  Ties go to the least
-- recent email assignment (never first), then the smallest agent id: this
-- is the project's decision, the counterpart of the chat rule of section 4a.
-- Hal and Ivy (no email, never given one) take turns until they have two
-- like Jo; then Jo (her last email, by hand, is the least recent), Hal, Ivy
insert into routing.conversations (channel_id) select 7 from generate_series(1, 7)
returning conversation_id, assignee_agent_id;
-- section 14: a form channel counts the same email load: all three at
-- three, the least recent email assignment first: Jo, Hal, Ivy
insert into routing.conversations (channel_id) select 8 from generate_series(1, 3)
returning conversation_id, assignee_agent_id;
-- emails are not chats: the chat loads have not moved
select agent_id, open_chats, open_emails from routing.agent_load where agent_id in (41, 42, 43) order by agent_id;

-- section 14: round_robin: Lee, Mia, Ned in turn, whatever their load (Lee
-- has five chats by hand): 3 agents, 7 conversations
insert into routing.conversations (channel_id) select 9 from generate_series(1, 7)
returning conversation_id, assignee_agent_id;
-- section 14: an agent away is skipped and the turns go on: with Mia away,
-- Ned then Lee; Mia back is the least recently given and goes next, then
-- Ned, Lee
select routing.set_availability(52, 'away');
insert into routing.conversations (channel_id) select 9 from generate_series(1, 2)
returning conversation_id, assignee_agent_id;
select routing.set_availability(52, 'available');
insert into routing.conversations (channel_id) select 9 from generate_series(1, 3)
returning conversation_id, assignee_agent_id;
-- section 14: an agent never given one by the rule goes first, whatever the
-- id: Oz joins the targets and is next, then Mia, Ned, Lee
insert into routing.rule_targets (channel_id, agent_id) values (9, 54);
insert into routing.conversations (channel_id) select 9 from generate_series(1, 4)
returning conversation_id, assignee_agent_id;
-- section 14: the turns are this channel's rule's own: channel 10 starts
-- with Lee (never given one by channel 10's rule, smallest id), although
-- channel 9's rule gave her one last
insert into routing.conversations (channel_id) select 10 from generate_series(1, 4)
returning conversation_id, assignee_agent_id;
-- section 14: a conversation of channel 9 given to Oz by hand is not given
-- by the rule: the rule's next turn is still Oz's, then Mia's
insert into routing.conversations (channel_id, assignee_agent_id) values (9, 54)
returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.conversations (channel_id) select 9 from generate_series(1, 2)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 14: by the rule of channel 9, each agent's count (Oz joined later)
select assignee_agent_id, count(*) from routing.conversations
where channel_id = 9 and assigned_by = 'rule' group by 1 order by 1;

-- section 14: round_robin on an email channel: Pam, Raj, Pam, Raj
insert into routing.conversations (channel_id) select 11 from generate_series(1, 4)
returning conversation_id, assignee_agent_id;

-- section 14/8: explain_route names the method each rule uses
select channel_id, routing.explain_route(min(conversation_id))->>'method' as method
from routing.conversations where channel_id between 1 and 11 group by channel_id order by channel_id;
