-- bench/report/table.sql, run by bench/parts/report.sh: the markdown table
-- of the results, and the files of bench/out (csv, and the data of the
-- plots).

select '| clients | fsync | pool | variant | tps | µs/tx | CPU µs/tx | x bare | x floor | x floor (CPU) | x reference | x pool 10 | target (issue 4; sections 12, 13; issue 10) |';
select '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|';
select format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
              clients, fsync, pool,
              variant || case when failed <> 0 then format(' (%s failed)', failed) else '' end,
              round(tps::numeric), us_per_insert, cpu_us,
              coalesce(to_char(x_bare, 'FM990.00'), ''), coalesce(to_char(x_floor, 'FM990.00'), ''),
              coalesce(to_char(x_floor_cpu, 'FM990.00'), ''),
              coalesce(to_char(x_reference, 'FM99990.0'), ''),
              case when pool <> 10 then coalesce(to_char(x_pool10, 'FM990.00'), '') else '' end,
              coalesce(target, ''))
from targets
order by array_position(array['issue4', 'sections', 'accounts', 'tenants', 'teams', 'overlap',
                               'steady', 'long'], bench.shape(variant)),
         clients, pool, substring(variant from '_account_([0-9]+)$')::integer,
         array_position(array['bare', 'floor', 'routed_chat', 'routed_email', 'reference_chat',
                               'reference_email', 'routed_chat_notify_off',
                               'routed_chat_no_capacities', 'routed_chat_capacities',
                               'close_empty_queue', 'close_drains_one',
                               'available_queue_100', 'available_queue_10000',
                               'routed_chat_one_tenant', 'routed_email_one_tenant',
                               'routed_chat_team_alone', 'routed_email_team_alone',
                               'steady_floor_close', 'steady_routed_chat',
                               'long_floor', 'long_routed_chat'], variant),
         variant;

\copy (select clients, fsync, pool, variant, round(tps::numeric, 1) as tps, rounds, transactions, failed, us_per_insert, cpu_us as cpu_us_per_insert, round(x_bare::numeric, 3) as x_bare, round(x_floor::numeric, 3) as x_floor, round(x_floor_cpu::numeric, 3) as x_floor_cpu, round(x_reference::numeric, 2) as x_reference, round(x_reference_cpu::numeric, 2) as x_reference_cpu, round(x_pool10::numeric, 3) as x_pool10, round(x_pool10_cpu::numeric, 3) as x_pool10_cpu, invariants_ok, round(x_baseline::numeric, 3) as x_baseline, round(x_baseline_cpu::numeric, 3) as x_baseline_cpu, statement_us, round(x_baseline_statement::numeric, 3) as x_baseline_statement, minute_tps, minute_cpu_us, target from targets order by clients, pool, variant) to 'bench/out/results.csv' csv header
\copy (select pool, max(us_per_insert) filter (where variant = 'bare'), max(us_per_insert) filter (where variant = 'floor'), max(us_per_insert) filter (where variant = 'routed_chat'), max(us_per_insert) filter (where variant = 'routed_email'), max(us_per_insert) filter (where variant = 'reference_chat'), max(us_per_insert) filter (where variant = 'reference_email'), max(cpu_us) filter (where variant = 'routed_chat'), max(cpu_us) filter (where variant = 'routed_email'), max(cpu_us) filter (where variant = 'floor') from ratios where clients = 1 and variant in ('bare', 'floor', 'routed_chat', 'routed_email', 'reference_chat', 'reference_email') group by pool order by pool) to 'bench/out/routed_cost.dat' with (format text, null '?')
\copy (select clients, fsync, pool, variant, round, tps, transactions, failed, cpu_ticks, invariants_ok, statement_ms, minute_tps, minute_cpu_us from bench.samples order by clients, pool, variant, round) to 'bench/out/samples.csv' csv header
\copy (select substring(variant from '_account_([0-9]+)$')::integer as account, max(us_per_insert) filter (where pool = 10 and variant like 'routed\_chat%'), max(us_per_insert) filter (where pool = 10 and variant like 'routed\_email%'), max(us_per_insert) filter (where pool = 1000 and variant like 'routed\_chat%'), max(us_per_insert) filter (where pool = 1000 and variant like 'routed\_email%'), max(cpu_us) filter (where pool = 10 and variant like 'routed\_chat%'), max(cpu_us) filter (where pool = 10 and variant like 'routed\_email%'), max(cpu_us) filter (where pool = 1000 and variant like 'routed\_chat%'), max(cpu_us) filter (where pool = 1000 and variant like 'routed\_email%') from ratios where clients = 1 and variant ~ '^routed_(chat|email)_account_[0-9]+$' group by 1 order by 1) to 'bench/out/account_cost.dat' with (format text, null '?')
