# bench/parts/shapes.sh, sourced by bench/run: the parts tenants, teams and
# overlap.
#
# The other issue 10 shapes, 1 client, fsync off:
#   routed_chat_one_tenant     tenants: routed chat into one account of 10
#                              (one team, like bench.make_pool), among 3,000
#                              such accounts (bench.make_tenants)
#   routed_email_one_tenant    the same, email
#   routed_chat_tenants_3000   routed chat, each insert into one of the 3,000
#                              accounts at random ("x one account")
#   routed_email_tenants_3000  the same, email
#   bare_one_tenant, bare_tenants_3000
#                              the same for the bare INSERT
#                              (bench/bare_spread.sql): what the table's own
#                              INSERT loses when spread, no target
#   routed_chat_team_alone     teams: routed chat, an account of one team of
#                              100 (bench.make_pool)
#   routed_email_team_alone    the same, email
#   routed_chat_teams_100      routed chat into one account of 100 teams of
#                              100, team t the target of chat channel t,
#                              each insert into one of the 100 channels at
#                              random (bench.make_teams; "x pool of 100 alone")
#   routed_email_teams_100     the same, email channels 101-200
#   routed_overlap             overlap: teams 1-3 of 100; a chat channel to
#                              teams 1, 2, a bot channel to 2, 3, a messenger
#                              channel to 1-3, each insert into one of them
#                              at random (bench.make_overlap), against
#                              routed_chat_team_alone (no target)
# The tenants, teams and overlap variants share bench/routed_spread.sql (a
# random account and channel; one and one for the baselines).

if part tenants; then
	echo "== tenants: routed chat and email, 1 client, $tenants accounts of $tenant_agents, fsync off"
	started=$(date +%s)
	measure 1 "$tenant_agents" routed_chat_one_tenant routed_email_one_tenant \
		"routed_chat_tenants_$tenants" "routed_email_tenants_$tenants" \
		bare_one_tenant "bare_tenants_$tenants"
	echo "   tenants took $(took "$started")"
fi

# The overlap row is read against the teams part's pool of 100 alone: one
# measurement, so that they interleave.
if part teams || part overlap; then
	variants=(routed_chat_team_alone)
	heading=""
	if part teams; then
		variants+=(routed_email_team_alone "routed_chat_teams_$teams" "routed_email_teams_$teams")
		heading="$teams teams of $team_agents agents"
	fi
	if part overlap; then
		variants+=(routed_overlap)
		heading="${heading:+$heading; }overlapping pools of teams of $team_agents"
	fi
	echo "== teams/overlap: routed, 1 client, $heading, against one pool of $team_agents alone, fsync off"
	started=$(date +%s)
	measure 1 "$team_agents" "${variants[@]}"
	echo "   teams/overlap took $(took "$started")"
fi
