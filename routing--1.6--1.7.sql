-- routing 1.6 -> 1.7: the queue channels of an account are found through
-- an index of their own.  Every change that frees room (a close, a delete,
-- a reassignment) looks for the queue channels the agent's room can serve;
-- without it that read every rule of the account, so a close cost more
-- with every channel the account had (5,000 closes: 103 µs each with one
-- channel, 128 µs with 101, 286 µs with 1,001), whether any channel queued
-- or not.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.7'" to load this file. \quit

create index rules_queue_channels on routing.rules (account_id, channel_id)
    where enabled and when_nobody = 'queue';
