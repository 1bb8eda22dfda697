#!/usr/bin/env bash
# Runs Farm locally: a Docker engine (unless DOCKER_HOST already answers), an image registry, a git
# daemon serving the sample web app, the controller, the dashboard and one agent; applies
# examples/hello.yaml and runs it once, applies examples/ship.yaml and starts it (it waits for your
# approval before production), then stays up until Ctrl-C, which stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ROOT=$FARM_ROOT
RUN_DIR=$ROOT/.work/run
CONTROLLER_DLL=$ROOT/src/Controller/bin/Release/net10.0/farm-controller.dll
AGENT_DLL=$ROOT/src/Agent/bin/Release/net10.0/farm-agent.dll
DASHBOARD_DLL=$ROOT/src/Dashboard/bin/Release/net10.0/farm-dashboard.dll

export Farm__Controller__DataDir="${Farm__Controller__DataDir:-$ROOT/.farm}"
export Farm__Controller__Listen="${Farm__Controller__Listen:-http://127.0.0.1:7070}"
CONTROLLER_URL=${Farm__Controller__Listen%%;*}
read -r CTL_HOST CTL_PORT < <(farm_url_host_port "$CONTROLLER_URL")
export Farm__Dashboard__Listen="${Farm__Dashboard__Listen:-http://127.0.0.1:7080}"
export Farm__Dashboard__DataDir="${Farm__Dashboard__DataDir:-$Farm__Controller__DataDir/dashboard}"
DASHBOARD_URL=${Farm__Dashboard__Listen%%;*}
read -r DASH_HOST DASH_PORT < <(farm_url_host_port "$DASHBOARD_URL")

check_no_controller() {
  if farm_port_open "$CTL_HOST" "$CTL_PORT"; then
    farm_die "something (another Farm controller?) already answers on $CTL_HOST:$CTL_PORT; stop it first, or set Farm__Controller__Listen to another address"
  fi
}

check_no_dashboard() {
  if farm_port_open "$DASH_HOST" "$DASH_PORT"; then
    farm_die "something (another Farm dashboard?) already answers on $DASH_HOST:$DASH_PORT; stop it first, or set Farm__Dashboard__Listen to another address"
  fi
}

# The sample delivery pipeline's fixed addresses (examples/ship.yaml has them as variable defaults).
REGISTRY_PORT=${FARM_RUN_REGISTRY_PORT:-5000}
STAGING_PORT=${FARM_RUN_STAGING_PORT:-8081}
PRODUCTION_PORT=${FARM_RUN_PRODUCTION_PORT:-8082}
GIT_PORT=9418

check_no_controller
check_no_dashboard
for port in "$REGISTRY_PORT" "$GIT_PORT"; do
  if farm_port_open 127.0.0.1 "$port"; then
    farm_die "port $port on 127.0.0.1 is taken (the sample's registry uses ${REGISTRY_PORT}, its git daemon $GIT_PORT); stop what listens there, or set FARM_RUN_REGISTRY_PORT"
  fi
done
farm_require_packages

farm_log "building $(basename "$(farm_solution)") (Release)"
dotnet build "$(farm_solution)" -c Release -nologo -v q
[[ -f $CONTROLLER_DLL ]] || farm_die "build produced no $CONTROLLER_DLL"
[[ -f $AGENT_DLL ]] || farm_die "build produced no $AGENT_DLL"
[[ -f $DASHBOARD_DLL ]] || farm_die "build produced no $DASHBOARD_DLL"

mkdir -p "$RUN_DIR" "$Farm__Controller__DataDir"
farm_start_dockerd "$RUN_DIR"
farm_make_images
farm_start_registry "$RUN_DIR" "$REGISTRY_PORT"

# The sample web app as a git repository, committed once from examples/webapp; commit your own
# changes there and start ship again. git daemon serves it as git://127.0.0.1/webapp.
WEBAPP_REPO=$RUN_DIR/git/webapp
if [[ ! -d $WEBAPP_REPO/.git ]]; then
  farm_log "making the sample web app's repository $WEBAPP_REPO from examples/webapp"
  mkdir -p "$WEBAPP_REPO"
  cp -R examples/webapp/. "$WEBAPP_REPO/"
  git -C "$WEBAPP_REPO" init -q -b main
  git -C "$WEBAPP_REPO" add .
  git -C "$WEBAPP_REPO" -c user.name=Farm -c user.email=farm@localhost commit -q -m "The sample web app"
fi
farm_log "serving $RUN_DIR/git at git://127.0.0.1/ (git daemon; log: $RUN_DIR/git-daemon.log)"
farm_spawn git-daemon "$RUN_DIR/git-daemon.log" git daemon --reuseaddr --export-all --base-path="$RUN_DIR/git" \
  --listen=127.0.0.1 --port="$GIT_PORT" "$RUN_DIR/git"
farm_wait_port 127.0.0.1 "$GIT_PORT" 30 "$FARM_SPAWNED_PID" git-daemon "$RUN_DIR/git-daemon.log"

check_no_controller # again: the build took a while
CONTROLLER_LOG=$RUN_DIR/controller.log
farm_log "starting the controller at $CONTROLLER_URL (log: $CONTROLLER_LOG)"
farm_spawn controller "$CONTROLLER_LOG" dotnet "$CONTROLLER_DLL"
CONTROLLER_PID=$FARM_SPAWNED_PID
farm_wait_port "$CTL_HOST" "$CTL_PORT" 60 "$CONTROLLER_PID" controller "$CONTROLLER_LOG"
farm_log "controller is up (pid $CONTROLLER_PID)"

# The controller wrote its first admin token there; ./farm below and the enrollment use it.
ADMIN_TOKEN_FILE=$Farm__Controller__DataDir/admin.token
if [[ -r $ADMIN_TOKEN_FILE ]]; then
  FARM_TOKEN=$(tr -d '[:space:]' <"$ADMIN_TOKEN_FILE")
  export FARM_TOKEN
fi
export FARM_CONTROLLER=$CONTROLLER_URL

check_no_dashboard # again: the build took a while
DASHBOARD_LOG=$RUN_DIR/dashboard.log
farm_log "starting the dashboard at $DASHBOARD_URL (log: $DASHBOARD_LOG)"
# Its working directory is its build output, where its static files' manifest is found.
farm_spawn dashboard "$DASHBOARD_LOG" env -C "$(dirname "$DASHBOARD_DLL")" \
  Farm__Dashboard__Controller="$CONTROLLER_URL" \
  dotnet "$DASHBOARD_DLL"
DASHBOARD_PID=$FARM_SPAWNED_PID
farm_wait_port "$DASH_HOST" "$DASH_PORT" 60 "$DASHBOARD_PID" dashboard "$DASHBOARD_LOG"
farm_log "dashboard is up (pid $DASHBOARD_PID)"

AGENT_LOG=$RUN_DIR/agent.log
AGENT_WORK=$RUN_DIR/agent
mkdir -p "$AGENT_WORK"
# The agent keeps its credential between runs. A controller that does not know agent 'local' (a new
# data folder) gets it enrolled afresh with a one-use token; one that knows it while the credential is
# gone lets it enroll again only with a token made for it (--replace): an enrolled id is never taken over.
ENROLL_ARGS=(--expires 10m --uses 1)
if ! ./farm agents --json | grep -q '"agentId": "local"'; then
  rm -f "$AGENT_WORK/credential"
elif [[ ! -s $AGENT_WORK/credential ]]; then
  ENROLL_ARGS+=(--replace local)
fi
ENROLL_TOKEN=""
if [[ ! -s $AGENT_WORK/credential ]]; then
  ENROLL_TOKEN=$(./farm enroll-token create "${ENROLL_ARGS[@]}") || farm_die "could not make an enrollment token for the agent (controller log: $CONTROLLER_LOG)"
fi
# One agent with both environment labels: the sample deploys staging and production on this machine.
# It is your machine's agent, so it allows what the sample uses and a shared agent would not by
# default: shell actions, and deploys on the host network (docs/security.md).
farm_log "starting agent 'local' (labels: linux, env=staging, env=production; 2 slots; log: $AGENT_LOG)"
farm_spawn agent "$AGENT_LOG" env \
  Farm__Agent__Controller="$CONTROLLER_URL" \
  Farm__Agent__AgentId=local \
  Farm__Agent__Labels__0=linux \
  Farm__Agent__Labels__1=env=staging \
  Farm__Agent__Labels__2=env=production \
  Farm__Agent__Slots=2 \
  Farm__Agent__WorkDir="$AGENT_WORK" \
  Farm__Agent__DefaultNetwork=none \
  Farm__Agent__AllowShell=true \
  Farm__Agent__AllowHostNetwork=true \
  Farm__Agent__EnrollToken="$ENROLL_TOKEN" \
  DOCKER_HOST="$DOCKER_HOST" \
  dotnet "$AGENT_DLL"
AGENT_PID=$FARM_SPAWNED_PID
sleep 1
if ! farm__alive "$AGENT_PID"; then
  farm_log "the agent exited at once; last lines of $AGENT_LOG:"
  tail -n 40 "$AGENT_LOG" >&2 || true
  farm_die "agent did not start"
fi

if [[ -f examples/hello.yaml ]]; then
  farm_log "./farm apply -f examples/hello.yaml"
  if ./farm apply -f examples/hello.yaml; then
    farm_log "./farm start hello --wait"
    ./farm start hello --wait || farm_log "warning: the hello pipeline did not succeed (see above; agent log: $AGENT_LOG)"
  else
    farm_log "warning: ./farm apply failed (controller log: $CONTROLLER_LOG)"
  fi
else
  farm_log "no examples/hello.yaml; skipping the example run"
fi

SHIP_ID=""
farm_log "./farm apply -f examples/ship.yaml"
if ./farm apply -f examples/ship.yaml; then
  SHIP_ID=$(./farm start ship --var "registry=127.0.0.1:$REGISTRY_PORT" --var "stagingPort=$STAGING_PORT" \
    --var "productionPort=$PRODUCTION_PORT") || farm_log "warning: could not start the ship pipeline"
  [[ -z $SHIP_ID ]] || farm_log "started $SHIP_ID: test, image build and push, staging; then it waits for your approval"
else
  farm_log "warning: ./farm apply -f examples/ship.yaml failed (controller log: $CONTROLLER_LOG)"
fi

cat <<EOF

Farm is running. Press Ctrl-C to stop it.
  dashboard    $DASHBOARD_URL (pid $DASHBOARD_PID)
               sign in with the admin token: paste what 'cat $ADMIN_TOKEN_FILE' prints
               (make tokens for others with ./farm token create NAME --role viewer|operator|approver|admin)
  controller   $CONTROLLER_URL (pid $CONTROLLER_PID)
  data dir     $Farm__Controller__DataDir
  agent        local, labels linux env=staging env=production, 2 slots (pid $AGENT_PID), work dir $AGENT_WORK
  registry     $FARM_REGISTRY (docker-registry)
  web app      git://127.0.0.1/webapp = $WEBAPP_REPO (edit, commit, ./farm start ship)
  staging      http://127.0.0.1:$STAGING_PORT/ once deployed
  production   http://127.0.0.1:$PRODUCTION_PORT/ once approved and deployed
  docker       DOCKER_HOST=$DOCKER_HOST
  logs         $CONTROLLER_LOG
               $DASHBOARD_LOG
               $AGENT_LOG
EOF
if [[ -n $FARM_DOCKERD_PID ]]; then
  echo "               $RUN_DIR/docker/dockerd.log"
fi
cat <<EOF
  admin token  $ADMIN_TOKEN_FILE (./farm finds it by itself)
  try          ./farm pipelines
               ./farm start hello --wait
               ./farm watch ${SHIP_ID:-ship-1}
               ./farm approve ${SHIP_ID:-ship-1} Approve/release
               ./farm environments
               ./farm deployments production
               ./farm logs <id>

EOF

# Stay in the foreground. If the controller, the dashboard, the agent or dockerd exits by itself, say so and stop
# the rest; Ctrl-C (or TERM) runs the trap, which stops everything started above.
watch=("$CONTROLLER_PID" "$DASHBOARD_PID" "$AGENT_PID")
[[ -z $FARM_DOCKERD_PID ]] || watch+=("$FARM_DOCKERD_PID")
set +e
wait -n "${watch[@]}"
rc=$?
set -e
for pid in "${watch[@]}"; do
  if ! farm__alive "$pid"; then
    case $pid in
      "$CONTROLLER_PID") farm_log "the controller exited (code $rc); see $CONTROLLER_LOG" ;;
      "$AGENT_PID") farm_log "the agent exited (code $rc); see $AGENT_LOG" ;;
      "$DASHBOARD_PID") farm_log "the dashboard exited (code $rc); see $DASHBOARD_LOG" ;;
      *) farm_log "dockerd exited (code $rc); see $RUN_DIR/docker/dockerd.log" ;;
    esac
  fi
done
exit 1
