-- routed INSERT into one of :accounts accounts (:account_base + 1 on) and
-- one of :channels channels of it (:channel_base + 1 on), at random: the
-- issue 10 shapes (3,000 tenants, 100 teams, overlapping pools), and with
-- :accounts and :channels 1 their baselines, so that both run this script
\set account :account_base + random(1, :accounts)
\set channel :channel_base + random(1, :channels)
insert into routing.conversations (account_id, channel_id) values (:account, :channel);
