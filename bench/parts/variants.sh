# bench/parts/variants.sh, sourced by bench/run: which script, account and pgbench
# options each variant runs with.

# slice_variant: for slice (bash's dynamic scope: it sets slice's locals),
# the script, account, spread, run length and options of $variant.
slice_variant() {
	# spread: bench/routed_spread.sql's (and bare_spread.sql's) account_base,
	# accounts, channel_base and channels, made -D options below; the email
	# channel of make_pool and make_tenants is 2, those of make_teams
	# teams+1..2*teams.  The bare rows insert into the email channel.
	kind=chat
	case $variant in routed_email_* | bare_*) kind=email ;; esac
	case $variant in
	routed_*_one_tenant | bare_one_tenant)
		script=${variant%%_*}_spread account=$tenant_first
		spread=("$((tenant_first - 1))" 1 "$([ $kind = chat ] && echo 0 || echo 1)" 1) ;;
	routed_*_tenants_* | bare_tenants_*)
		script=${variant%%_*}_spread account=$tenant_first
		spread=("$((tenant_first - 1))" "$tenants" "$([ $kind = chat ] && echo 0 || echo 1)" 1) ;;
	routed_*_team_alone)
		script=routed_spread account=$team_alone_account
		spread=("$((team_alone_account - 1))" 1 "$([ $kind = chat ] && echo 0 || echo 1)" 1) ;;
	routed_*_teams_*)
		script=routed_spread account=$teams_account
		spread=("$((teams_account - 1))" 1 "$([ $kind = chat ] && echo 0 || echo "$teams")" "$teams") ;;
	routed_overlap)
		script=routed_spread account=$overlap_account
		spread=("$((overlap_account - 1))" 1 0 3) ;;
	steady_*) account=$steady_account ;;
	long_floor | long_routed_chat)
		script=${variant#long_} account=$long_account length=(-T "$long_seconds") progress=(-P 60) ;;
	routed_chat_notify_off) script=routed_chat options="-c routing.notify=off" ;;
	routed_chat_no_capacities) script=routed_chat ;;
	routed_chat_capacities) script=routed_chat account=$capacity_account ;;
	close_empty_queue | close_drains_one)
		script=close_queued account=$close_account length=(-t "$closes") ;;
	available_queue_*) script=available_drain account=$drain_account timed=(-r) ;;
	routed_chat_account_* | routed_email_account_*)
		script=${variant%_account_*}
		account=$(account_pool_id "$pool" "${variant##*_account_}") ;;
	esac
}
