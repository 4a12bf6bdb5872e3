# routing: PGXS build, plus the two commands of the README (make demo,
# make test) and the benchmark (make bench).

EXTENSION = routing
MODULE_big = routing
OBJS = src/shards.o src/plumbing.o src/announce.o src/set_cache.o src/index_scan.o src/channel.o src/eligibility.o \
       src/pools.o src/loads.o src/trace.o src/candidates.o src/decision.o src/queue.o src/books.o src/triggers.o \
       src/functions.o src/explain.o src/distribute.o src/offers.o src/hours.o \
       src/away.o src/clock.o src/worker.o
DATA = routing--1.0.sql routing--1.0--1.1.sql routing--1.1--1.2.sql \
       routing--1.2--1.3.sql routing--1.3--1.4.sql \
       routing--1.4--1.5.sql routing--1.5--1.6.sql routing--1.6--1.7.sql \
       routing--1.7--1.8.sql routing--1.8--1.9.sql \
       routing--1.9--1.10.sql
REGRESS = schema unassigned manual_triage bad_input accounts privileges \
          eligibility users_and_teams least_busy random_pick contact_owner \
          availability_switch load_bookkeeping route_conversation explain \
          observability upgrade error_safety capacity queue distribution \
          upgrade_data distribute_refused scans_by_key pool_cache agent_facts \
          reads_by_key_after_analyze restore_steps offers owners_away working_hours
ISOLATION = insert_insert_same_pool insert_vs_away insert_vs_seat_removal \
            insert_vs_team_change insert_vs_close assign_vs_insert \
            two_channels_one_agent multi_insert_transactions \
            checks_seen_across_sessions insert_vs_inbox_change \
            repeatable_read_insert caught_error_keeps_role \
            capacity_last_unit close_drain_vs_insert two_closes_one_queue \
            available_drain_vs_assign round_robin_concurrent \
            capacity_change_vs_insert insert_vs_primary_team_move \
            email_vs_team_join concurrent_seat_changes accept_vs_lapse \
            two_ticks lapse_vs_close lapse_vs_insert_last_room owner_away_vs_back \
            hours_vs_set_availability
ISOLATION_OPTS = --inputdir=.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter  # PostgreSQL's headers have unused parameters

PG_CONFIG ?= pg_config
# Without pg_config (a fresh machine) only the *deps targets, demo, test and
# bench work: they install the packages, then run the build in a new make.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
endif

# A struct change in any header must rebuild every object.
$(OBJS): $(wildcard src/*.h)

# Debian packages each command needs: the demo builds and runs in a
# throwaway cluster (pg_virtualenv, from postgresql-common); the tests add
# pgTAP (pg_prove); the benchmark adds gnuplot for its plots.
PACKAGES = postgresql-15 postgresql-server-dev-15 postgresql-common
TEST_PACKAGES = $(PACKAGES) postgresql-15-pgtap pgtap
BENCH_PACKAGES = $(PACKAGES) gnuplot-nox

.PHONY: deps test-deps bench-deps demo test bench print-regress test-citus bench-citus bench-citus-scale

deps:
	@./scripts/ensure-packages $(PACKAGES)

test-deps:
	@./scripts/ensure-packages $(TEST_PACKAGES)

bench-deps:
	@./scripts/ensure-packages $(BENCH_PACKAGES)

demo: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t psql -X -q -v ON_ERROR_STOP=1 -f demo/demo.sql

test: test-deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t ./scripts/run-tests

bench: bench-deps
	$(MAKE) all
	$(MAKE) install
	./bench/run

print-regress:
	@echo $(REGRESS)

# Sections 1-15 through the coordinator of a throwaway Citus cluster (a
# coordinator and two workers on loopback, test/citus/run), and the routed
# insert against an unrouted one on it (bench/citus).  Citus 13.2.2 is built
# from CITUS_SRC, its source tarball, when it is not installed.
test-citus: deps
	$(MAKE) all
	$(MAKE) install
	PG_CONFIG=$(PG_CONFIG) ./test/citus/run

bench-citus: deps
	$(MAKE) all
	$(MAKE) install
	PG_CONFIG=$(PG_CONFIG) ./bench/citus

# The same on one server without Citus, on 1 worker and on 2, in
# interleaved rounds, as one table (bench/citus-scale; about 12 minutes).
bench-citus-scale: deps
	$(MAKE) all
	$(MAKE) install
	PG_CONFIG=$(PG_CONFIG) ./bench/citus-scale

# The Debian package postgresql-15-routing (debian/, pg_buildext), built in a
# copy of the tree into debs/ (not build-*/: "debian/rules clean" deletes
# those); test-package installs it into the system and routes a conversation
# with it.
PACKAGE_DEPS = build-essential debhelper dpkg-dev fakeroot git \
               postgresql-15 postgresql-server-dev-15 postgresql-server-dev-all

.PHONY: package test-package

package:
	@./scripts/ensure-packages $(PACKAGE_DEPS)
	./scripts/build-package debs

test-package: package
	./test/package/run

# The same suites (scripts/run-tests) against PostgreSQL built from Debian's
# source packages by scripts/build-postgres, once, into a cache outside the
# tree (ROUTING_PG_CACHE, default /var/cache/routing-pg): test-assert on 15
# with --enable-cassert --enable-debug, test-pg18 on 18.  The extension is
# built in a copy of the tree, .build/NAME/, where the diffs stay.
.PHONY: test-assert test-pg18

test-assert: test-deps
	./scripts/test-built-postgres 15 assert

test-pg18: test-deps
	./scripts/test-built-postgres 18
