#!/usr/bin/env bash
# Builds Farm once and runs every test project of the solution against a private Docker engine,
# then the benchmark smoke tests (tests/Bench.Tests) on their own.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Dispatch).
# The last line of output is the summary "N passed, N failed[, N skipped]", summed over the .trx
# files. Exit code: dotnet test's (non-zero on a failure), or 1 when no test ran.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ROOT=$FARM_ROOT
TEST_DIR=$ROOT/.work/test
RESULTS_DIR=$TEST_DIR/results

farm_require_packages browser
SLN=$(farm_solution)
mkdir -p "$TEST_DIR"
# One build, no lingering MSBuild worker nodes afterwards.
export MSBUILDDISABLENODEREUSE=1

farm_require_cluster_packages
# The engine also listens on a socket path of 104 bytes: the test that an agent reaches it there.
FARM_DOCKER_LONG_SOCKET=1 farm_start_dockerd "$TEST_DIR"
export FARM_TEST_DOCKER_LONG_HOST=$FARM_DOCKER_LONG_HOST
# The store tests run against PostgreSQL too, and the cluster tests form their membership in Redis.
farm_start_postgres "$TEST_DIR"
farm_start_redis "$TEST_DIR"
export FARM_TEST_POSTGRES=$FARM_POSTGRES
export FARM_TEST_REDIS=$FARM_REDIS
if [[ -n ${FARM_TEST_SQLSERVER:-} ]]; then
  farm_log "FARM_TEST_SQLSERVER is set: the store tests run against SQL Server too"
else
  farm_log "FARM_TEST_SQLSERVER is not set: no SQL Server here, its store tests are skipped (see README)"
fi
farm_make_images
# A registry that demands a login (user farm, the password below; the line holds its bcrypt hash),
# for registry credentials; then the open one most tests use.
farm_start_registry "$TEST_DIR/auth" "" 'farm:$2b$12$GL3/RTy7KghIHUnTOBs/l.5APu5Z88mrjhtE/cb5wfCFudgWacr0u'
export FARM_TEST_AUTH_REGISTRY=$FARM_REGISTRY FARM_TEST_AUTH_REGISTRY_USER=farm FARM_TEST_AUTH_REGISTRY_PASSWORD=farm-test-password
farm_start_registry "$TEST_DIR"
export DOCKER_HOST
export FARM_TEST_IMAGE=$FARM_IMAGE
export FARM_TEST_REGISTRY=$FARM_REGISTRY

# The benchmark smoke tests are not in the solution: they run after the rest, alone (below).
BENCH_TESTS=tests/Bench.Tests/Farm.Bench.Tests.csproj
farm_log "building $(basename "$SLN") and $BENCH_TESTS (Release)"
dotnet build "$SLN" -c Release -nologo
dotnet build "$BENCH_TESTS" -c Release -nologo

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"
# LogFilePrefix (not LogFileName): with several test projects a fixed LogFileName is overwritten
# by each project in turn; a prefix gives one results_<tfm>_<timestamp>.trx per project.
# --blame-hang-timeout: a hung test is killed rather than eating CI's time limit.
farm_log "running tests (results: $RESULTS_DIR)"
set +e
run_tests() { # run_tests PROJECT_OR_SOLUTION [ARGS...]
  dotnet test "$1" -c Release --no-build \
    --logger "trx;LogFilePrefix=results" \
    --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout "${FARM_TEST_HANG_TIMEOUT:-10m}" --blame-hang-dump-type none \
    "${@:2}"
}
run_tests "$SLN" "$@"
rc=$?
# Every benchmark suite once, with tiny counts, after the rest and alone: the suites start many
# processes (ten agents, three controllers), and beside the end-to-end tests they would load the
# machine under those tests' timing (a 1 s heartbeat, so 3 s for an agent to come back after a
# controller restart).
farm_log "running the benchmark smoke tests"
run_tests "$BENCH_TESTS" "$@"
bench_rc=$?
((rc != 0)) || rc=$bench_rc
set -e

# Stop dockerd (and anything else) now, so that nothing prints after the summary line.
farm_cleanup
if [[ -n ${CI:-} ]]; then
  dotnet build-server shutdown >/dev/null 2>&1 || true
fi

# Sum the <Counters .../> of every .trx. Skipped tests are counted in total but not in executed.
attr() { # attr NAME LINE
  local v
  v=$(sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$2")
  printf '%s' "${v:-0}"
}
total=0 executed=0 passed=0 failed=0 files=0
while IFS= read -r -d '' trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  [[ -n $counters ]] || continue
  files=$((files + 1))
  total=$((total + $(attr total "$counters")))
  executed=$((executed + $(attr executed "$counters")))
  passed=$((passed + $(attr passed "$counters")))
  failed=$((failed + $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters")))
done < <(find "$RESULTS_DIR" -name '*.trx' -print0 2>/dev/null)
skipped=$((total - executed))
((skipped >= 0)) || skipped=0

if ((files == 0 || total == 0)); then
  farm_log "error: no test ran (no .trx results with tests in $RESULTS_DIR; dotnet test exit code $rc)"
  ((rc != 0)) || rc=1
elif ((rc == 0 && failed > 0)); then
  rc=1
fi
if ((rc != 0)); then
  farm_log "tests FAILED (exit code $rc); .trx files in $RESULTS_DIR"
fi

summary="$passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
exit "$rc"
