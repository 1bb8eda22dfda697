#!/usr/bin/env bash
# Runs Farm's benchmark (see docs/benchmarks.md): a private Docker engine under .work/bench (unless
# DOCKER_HOST already answers), the image farm/busybox:latest, a Release build of the harness, the
# controller and the agent, then the harness, which starts the controller and agent itself, prints
# the results and rewrites the generated part of docs/benchmarks.md; its logs and every sample go to
# .work/bench/logs. Arguments go to the harness (--help lists them). Everything started here is
# stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source scripts/lib.sh

farm_require_packages
mkdir -p .work/bench
farm_start_dockerd .work/bench
farm_make_images
export DOCKER_HOST

# The cluster suite needs a store and a membership every controller shares.
if [[ " $* " == *" cluster "* ]]; then
  farm_require_cluster_packages
  farm_start_postgres .work/bench
  farm_start_redis .work/bench
  export FARM_BENCH_POSTGRES=$FARM_POSTGRES FARM_BENCH_REDIS=$FARM_REDIS
fi

# Not the whole solution: these three are all the harness needs (it starts the controller and agent
# from their own Release output folders).
for project in src/Controller/Farm.Controller.csproj src/Agent/Farm.Agent.csproj bench/Farm.Bench/Farm.Bench.csproj; do
  farm_log "building $project (Release)"
  dotnet build "$project" -c Release -nologo -v q
done

# The harness prints this as the command that produced its figures.
export FARM_BENCH_COMMAND="bench/run.sh${*:+ $*}"
# The controller's and agent's output is kept for a look at where the time went (a later --logs wins).
dotnet run --no-build -c Release --project bench/Farm.Bench -- --logs .work/bench/logs "$@"
