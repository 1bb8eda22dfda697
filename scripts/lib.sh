# shellcheck shell=bash
# Shared helpers for Farm's scripts (run.sh, test.sh). Source it from bash:
#
#   source "$(dirname "$0")/scripts/lib.sh"
#
# Everything here is safe under `set -euo pipefail`. Functions are prefixed `farm_`; internal ones
# `farm__`. Messages go to stderr as "[farm] ..." so that a script's stdout stays its own.

# Repository root (the folder above scripts/).
FARM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

FARM_IMAGE="${FARM_IMAGE:-farm/busybox:latest}"

farm_log() { printf '[farm] %s\n' "$*" >&2; }
farm_die() {
  printf '[farm] error: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------

FARM__APT_UPDATED=""

# farm_require_packages [browser]: installs docker.io, busybox-static, git and docker-registry when
# missing (as root, with apt-get), or says what to install and exits 1. With "browser" also Debian's
# chromium, which the dashboard's browser tests drive (test.sh asks for it; run.sh does not need
# it). Requires a .NET 10 SDK on PATH.
farm_require_packages() {
  local missing=()
  if [[ ${1:-} == browser && ! -x /usr/bin/chromium ]]; then
    missing+=(chromium)
  fi
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    missing+=(docker.io)
  fi
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  command -v git >/dev/null 2>&1 || missing+=(git)
  # The image registry (Distribution v2) that image-build actions push to and deploys pull from.
  [[ -x /usr/bin/docker-registry ]] || missing+=(docker-registry)

  if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
      farm_die "missing packages: ${missing[*]} (install them as root: apt-get install -y ${missing[*]})"
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
      farm_die "missing packages: ${missing[*]}, and there is no apt-get to install them with"
    fi
    farm_log "installing ${missing[*]}"
    if [[ -z $FARM__APT_UPDATED ]]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || farm_die "apt-get update failed"
      FARM__APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
      farm_die "apt-get install ${missing[*]} failed"
  fi

  if ! command -v dotnet >/dev/null 2>&1; then
    farm_die "dotnet not found: install the .NET 10 SDK (https://dot.net) and put 'dotnet' on PATH"
  fi
  if ! dotnet --list-sdks 2>/dev/null | grep -qE '^(1[0-9]|[2-9][0-9])\.'; then
    farm_die "no .NET 10 SDK found by 'dotnet --list-sdks': install the .NET 10 SDK"
  fi
}

# ---------------------------------------------------------------------------------------------
# Processes and cleanup
# ---------------------------------------------------------------------------------------------

# True when PID names a live process (a zombie counts as gone).
farm__alive() {
  local pid=$1 stat
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r /proc/$pid/stat ]]; then
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]] || return 1
  fi
  return 0
}

# farm_stop_pid PIDFILE_OR_PID [NAME] [SIGNAL]: SIGNAL (default TERM), wait up to 10 s, then
# SIGKILL. Silent when the process (or the pidfile) is already gone. Returns 0.
farm_stop_pid() {
  local target=${1:-} name=${2:-process} signal=${3:-TERM} pid i
  if [[ $target =~ ^[0-9]+$ ]]; then
    pid=$target
  elif [[ -n $target && -f $target ]]; then
    pid=$(tr -dc '0-9' <"$target" 2>/dev/null || true)
  else
    return 0
  fi
  [[ -n $pid && $pid != 0 ]] || return 0
  if farm__alive "$pid"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      farm__alive "$pid" || break
      sleep 0.1
    done
    if farm__alive "$pid"; then
      farm_log "$name (pid $pid) did not stop within 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        farm__alive "$pid" || break
        sleep 0.1
      done
    fi
  fi
  # Reap it if it was our child (no-op otherwise).
  wait "$pid" 2>/dev/null || true
  return 0
}

# Cleanup registry: entries "pid|name|signal", stopped in reverse order on exit.
FARM__STOP_PIDS=()
FARM__TRAP_SET=""
FARM__CLEANING=""

# farm_on_exit_stop PID NAME [SIGNAL]: stop PID with SIGNAL (default TERM) when the script exits
# (normally, on error, Ctrl-C or TERM).
farm_on_exit_stop() {
  FARM__STOP_PIDS+=("$1|${2:-process}|${3:-TERM}")
  farm__install_trap
}

farm__install_trap() {
  [[ -z $FARM__TRAP_SET ]] || return 0
  trap 'farm_cleanup' EXIT
  trap 'farm__on_signal 130' INT
  trap 'farm__on_signal 143' TERM
  trap 'farm__on_signal 129' HUP
  FARM__TRAP_SET=1
}

farm__on_signal() {
  trap '' INT TERM HUP
  printf '\n' >&2
  farm_log "interrupted; stopping what was started"
  exit "$1" # runs the EXIT trap
}

# farm_cleanup: stop every registered process, newest first. Idempotent; may be called directly
# (test.sh does, so that its summary line stays the last line of output).
farm_cleanup() {
  local rc=$? i entry pid name signal
  [[ -z $FARM__CLEANING ]] || return "$rc"
  FARM__CLEANING=1
  for ((i = ${#FARM__STOP_PIDS[@]} - 1; i >= 0; i--)); do
    entry=${FARM__STOP_PIDS[i]}
    pid=${entry%%|*}
    name=${entry#*|}
    signal=${name##*|}
    name=${name%|*}
    if [[ $name == dockerd ]]; then
      farm_stop_dockerd
    else
      farm_stop_pid "$pid" "$name" "$signal"
    fi
  done
  FARM__STOP_PIDS=()
  FARM__CLEANING=""
  return "$rc"
}

# farm_port_open HOST PORT: true when something accepts TCP connections there.
farm_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# farm_url_host_port URL: prints "HOST PORT" of an http(s) URL such as http://127.0.0.1:7070/.
farm_url_host_port() {
  local rest=${1#*://} host port
  rest=${rest%%/*}
  rest=${rest%%;*}
  if [[ $rest == \[*\]* ]]; then
    host=${rest%%]*}
    host=${host#[}
    port=${rest##*]}
    port=${port#:}
  elif [[ $rest == *:* ]]; then
    host=${rest%:*}
    port=${rest##*:}
  else
    host=$rest
    port=""
  fi
  [[ -n $port ]] || { [[ $1 == https://* ]] && port=443 || port=80; }
  [[ $host != 0.0.0.0 && $host != '*' && $host != '+' && -n $host ]] || host=127.0.0.1
  [[ $host != localhost ]] || host=127.0.0.1
  printf '%s %s\n' "$host" "$port"
}

# farm_spawn NAME LOGFILE COMMAND...: starts COMMAND in the background in its own session (so a
# Ctrl-C reaches only the script), stdout+stderr to LOGFILE, registers it for stopping on exit.
# Sets FARM_SPAWNED_PID.
farm_spawn() {
  local name=$1 log=$2
  shift 2
  mkdir -p "$(dirname "$log")"
  setsid "$@" </dev/null >"$log" 2>&1 &
  FARM_SPAWNED_PID=$!
  farm_on_exit_stop "$FARM_SPAWNED_PID" "$name"
}

# farm_wait_port HOST PORT SECONDS PID NAME LOG: waits until HOST:PORT accepts connections; fails
# early (with the log's tail) if PID exits first, or after SECONDS.
farm_wait_port() {
  local host=$1 port=$2 secs=$3 pid=$4 name=$5 log=$6 i
  for ((i = 0; i < secs * 5; i++)); do
    if farm_port_open "$host" "$port"; then
      return 0
    fi
    if ! farm__alive "$pid"; then
      farm_log "$name exited before it listened on $host:$port; last lines of $log:"
      tail -n 40 "$log" >&2 || true
      farm_die "$name did not start"
    fi
    sleep 0.2
  done
  farm_log "$name did not listen on $host:$port within ${secs} s; last lines of $log:"
  tail -n 40 "$log" >&2 || true
  farm_die "$name did not start"
}

# ---------------------------------------------------------------------------------------------
# Docker engine
# ---------------------------------------------------------------------------------------------

FARM_DOCKERD_PID=""
FARM_DOCKERD_PIDFILE=""
FARM_DOCKERD_EXEC_ROOT=""

# farm__proc_is PID NAME: true when PID is alive and its command name is NAME.
farm__proc_is() {
  farm__alive "$1" && [[ $(cat "/proc/$1/comm" 2>/dev/null || true) == "$2" ]]
}

# farm_runtime_dir WORKDIR: prints a short folder for the unix sockets of the services started for
# WORKDIR (others may pass through it, to reach PostgreSQL's socket, but not list it). A unix socket path may hold at most 107 bytes, and a
# checkout can sit at any depth, so no socket lives under the checkout: they live in
# ${XDG_RUNTIME_DIR:-/tmp}/farm-<10 hex of WORKDIR's sha256> (/tmp when XDG_RUNTIME_DIR is long),
# at most 31 bytes before the socket's own name, whatever the clone's path.
farm_runtime_dir() {
  local w=${1:?farm_runtime_dir WORKDIR} base=${XDG_RUNTIME_DIR:-/tmp} hash dir
  w=$(cd "$w" && pwd)
  ((${#base} <= 20)) || base=/tmp
  hash=$(printf '%s' "$w" | sha256sum | cut -c1-10)
  dir=$base/farm-$hash
  mkdir -p "$dir"
  chmod 0711 "$dir"
  printf '%s\n' "$dir"
}

# farm_start_dockerd WORKDIR: makes sure a Docker engine answers and exports DOCKER_HOST.
# Uses $DOCKER_HOST when it already answers; otherwise starts a private dockerd with its data, log and
# pidfile in WORKDIR/docker, and its sockets (docker.sock, containerd's under the exec-root) in
# farm_runtime_dir, and registers it for stopping on exit. With FARM_DOCKER_LONG_SOCKET=1 the engine
# also listens on a socket whose path is 100 to 107 bytes long (the kernel's limit), exported as
# FARM_DOCKER_LONG_HOST, for the test that an agent reaches an engine there.
farm_start_dockerd() {
  local w=${1:?farm_start_dockerd WORKDIR}
  if [[ -n ${DOCKER_HOST:-} ]] && docker info >/dev/null 2>&1 && [[ -z ${FARM_DOCKER_LONG_SOCKET:-} ]]; then
    farm_log "using the Docker engine already answering at DOCKER_HOST=$DOCKER_HOST"
    return 0
  fi
  mkdir -p "$w/docker"
  w=$(cd "$w" && pwd)
  local d=$w/docker run
  run=$(farm_runtime_dir "$w")
  local sock=$run/docker.sock pidfile=$d/docker.pid log=$d/dockerd.log exec_root=$run/exec

  # A dockerd left over from an earlier run of the same folder: stop it first.
  farm__stop_leftover_dockerd "$pidfile" "$exec_root"

  local args=(
    --bridge=none --iptables=false
    --data-root "$d/data" --exec-root "$exec_root"
    -H "unix://$sock" --pidfile "$pidfile"
  )
  local long=""
  if [[ -n ${FARM_DOCKER_LONG_SOCKET:-} ]]; then
    # A folder name that brings the whole path to 104 bytes: "$run/" + name + "/docker.sock".
    local pad=$((104 - ${#run} - 1 - 12))
    long=$run/$(printf 'l%.0s' $(seq 1 "$pad"))/docker.sock
    mkdir -p "$(dirname "$long")"
    rm -f "$long"
    args+=(-H "unix://$long")
  fi
  if dockerd --help 2>&1 | grep -q -- '--ip6tables'; then
    args+=(--ip6tables=false)
  fi
  mkdir -p "$d/data" "$exec_root"
  rm -f "$sock"
  farm_log "starting dockerd (log: $log)"
  # setsid: its own session, so a Ctrl-C reaches only the script, which then stops it in order.
  setsid dockerd "${args[@]}" </dev/null >"$log" 2>&1 &
  local pid=$!
  FARM_DOCKERD_PID=$pid
  FARM_DOCKERD_PIDFILE=$pidfile
  FARM_DOCKERD_EXEC_ROOT=$exec_root
  farm_on_exit_stop "$pid" dockerd
  export DOCKER_HOST="unix://$sock"

  local i
  for ((i = 0; i < 300; i++)); do
    if docker info >/dev/null 2>&1; then
      farm_log "dockerd is up (pid $pid, DOCKER_HOST=$DOCKER_HOST)"
      if [[ -n $long ]]; then
        export FARM_DOCKER_LONG_HOST="unix://$long"
        farm_log "dockerd also listens on a ${#long}-byte socket path (FARM_DOCKER_LONG_HOST)"
      fi
      return 0
    fi
    if ! farm__alive "$pid"; then
      break
    fi
    sleep 0.1
  done
  farm_log "dockerd did not answer within 30 s; last lines of $log:"
  tail -n 30 "$log" >&2 || true
  farm_die "could not start dockerd"
}

# Stops a dockerd recorded in PIDFILE by an earlier run (only if that pid really is a dockerd),
# and a containerd it may have left behind under EXEC_ROOT.
farm__stop_leftover_dockerd() {
  local pidfile=$1 exec_root=$2 pid
  if [[ -f $pidfile ]]; then
    pid=$(tr -dc '0-9' <"$pidfile" 2>/dev/null || true)
    if [[ -n $pid ]] && farm__proc_is "$pid" dockerd; then
      farm_log "stopping dockerd left over from an earlier run (pid $pid)"
      farm_stop_pid "$pid" "leftover dockerd"
    fi
    rm -f "$pidfile"
  fi
  farm__stop_containerd "$exec_root"
}

# Stops the containerd (and its shims) that a dockerd with EXEC_ROOT started, if one outlived it
# (dockerd stops them itself on a clean shutdown; this is for a dockerd that had to be killed).
farm__stop_containerd() {
  local exec_root=$1 pid p cmd
  local cpidfile=$exec_root/containerd/containerd.pid
  if [[ -f $cpidfile ]]; then
    pid=$(tr -dc '0-9' <"$cpidfile" 2>/dev/null || true)
    if [[ -n $pid ]] && farm__proc_is "$pid" containerd; then
      farm_stop_pid "$pid" containerd
    fi
  fi
  # Shims name our containerd's socket (a path unique to this work folder) on their command line.
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $(cat "$p/comm" 2>/dev/null || true) == containerd-shim* ]] || continue
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true)
    if [[ $cmd == *"$exec_root/containerd/"* ]]; then
      farm_stop_pid "$pid" containerd-shim
    fi
  done
}

# farm_stop_dockerd: stops the dockerd that farm_start_dockerd started (no-op if it used an
# existing engine).
farm_stop_dockerd() {
  [[ -n $FARM_DOCKERD_PID ]] || return 0
  local pid=$FARM_DOCKERD_PID
  if farm__alive "$pid"; then
    farm_log "stopping dockerd (pid $pid)"
  fi
  farm_stop_pid "$pid" dockerd
  # dockerd removes its pidfile on a clean exit; clean up after an unclean one.
  farm__stop_containerd "$FARM_DOCKERD_EXEC_ROOT"
  # dockerd bind-mounts its network namespaces under the exec-root and leaves them mounted when it
  # stops; unmounted here, so that the work folder (a fresh clone's, say) can be deleted afterwards.
  local ns
  for ns in "$FARM_DOCKERD_EXEC_ROOT"/netns/*; do
    if [[ -e $ns ]]; then umount "$ns" 2>/dev/null || true; fi
  done
  rm -f "$FARM_DOCKERD_PIDFILE"
  FARM_DOCKERD_PID=""
}

# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------

# farm_make_images: builds the local image farm/busybox:latest (busybox-static with one symlink
# per applet in /bin, empty /tmp and /workspace) unless the engine already has it. No registry.
farm_make_images() {
  if docker image inspect "$FARM_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  [[ -x /bin/busybox ]] || farm_die "/bin/busybox missing (apt-get install busybox-static)"
  farm_log "making image $FARM_IMAGE from /bin/busybox"
  local dir applet rc=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/farm-image.XXXXXX")
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/workspace" "$dir/usr/bin"
  chmod 1777 "$dir/tmp"
  chmod 0777 "$dir/workspace"
  cp /bin/busybox "$dir/bin/busybox"
  chmod 0755 "$dir/bin/busybox"
  while IFS= read -r applet; do
    [[ -n $applet && $applet != busybox && $applet != */* ]] || continue
    ln -sf busybox "$dir/bin/$applet"
  done < <(/bin/busybox --list)
  # For scripts with a `#!/usr/bin/env sh` line.
  ln -sf ../../bin/busybox "$dir/usr/bin/env"
  tar -C "$dir" --numeric-owner --owner=0 --group=0 -c . |
    docker import --change 'CMD ["/bin/sh"]' - "$FARM_IMAGE" >/dev/null || rc=$?
  rm -rf "$dir"
  ((rc == 0)) || farm_die "docker import of $FARM_IMAGE failed"
}

# ---------------------------------------------------------------------------------------------
# Solution
# ---------------------------------------------------------------------------------------------

# farm_start_registry DIR [PORT] [HTPASSWD_LINE]: starts Debian's docker-registry on 127.0.0.1 (a
# free port unless given) with its storage under DIR/registry, stopped by the exit trap. With an
# htpasswd line (user:bcrypt-hash) it demands that login. Sets and exports FARM_REGISTRY
# (host:port). Docker pushes to a 127.0.0.0/8 registry over plain HTTP by itself.
farm_start_registry() {
  local dir=$1/registry port=${2:-} htpasswd=${3:-} auth=""
  [[ -n $port ]] || port=$(farm_free_port)
  mkdir -p "$dir/data"
  if [[ -n $htpasswd ]]; then
    printf '%s\n' "$htpasswd" >"$dir/htpasswd"
    auth=$(printf 'auth:\n  htpasswd:\n    realm: farm\n    path: %s\n' "$dir/htpasswd")
  fi
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
YAML
  farm_log "starting docker-registry on 127.0.0.1:$port${htpasswd:+ (login required)} (log: $dir/registry.log)"
  farm_spawn docker-registry "$dir/registry.log" /usr/bin/docker-registry serve "$dir/config.yml"
  farm_wait_port 127.0.0.1 "$port" 30 "$FARM_SPAWNED_PID" docker-registry "$dir/registry.log"
  FARM_REGISTRY=127.0.0.1:$port
  export FARM_REGISTRY
}

# farm_solution: prints the solution file at the repository root (Farm.sln, else Farm.slnx).
farm_solution() {
  local f
  for f in Farm.sln Farm.slnx; do
    if [[ -f $FARM_ROOT/$f ]]; then
      printf '%s\n' "$FARM_ROOT/$f"
      return 0
    fi
  done
  farm_die "no Farm.sln (or Farm.slnx) in $FARM_ROOT"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL and Redis (the cluster tests' store and membership)
# ---------------------------------------------------------------------------------------------

# farm_require_cluster_packages: installs postgresql and redis-server when missing (as root, with
# apt-get), or says what to install and exits 1.
farm_require_cluster_packages() {
  local missing=()
  farm__pg_bindir >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ((${#missing[@]} > 0)) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    farm_die "missing packages: ${missing[*]} (install them as root: apt-get install -y ${missing[*]})"
  fi
  command -v apt-get >/dev/null 2>&1 || farm_die "missing packages: ${missing[*]}, and there is no apt-get to install them with"
  farm_log "installing ${missing[*]}"
  if [[ -z $FARM__APT_UPDATED ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || farm_die "apt-get update failed"
    FARM__APT_UPDATED=1
  fi
  # -o DPkg::Lock::Timeout: wait for another apt run rather than fail at once.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2 ||
    farm_die "apt-get install ${missing[*]} failed"
  farm__pg_bindir >/dev/null || farm_die "postgresql is installed but no initdb/pg_ctl was found"
}

# Prints the folder with PostgreSQL's server programs (initdb, postgres): the one on PATH, else
# Debian's newest /usr/lib/postgresql/N/bin. Fails when there is none.
farm__pg_bindir() {
  local d
  if command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v postgres)")"
    return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $d/initdb && -x $d/postgres ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

# farm_free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
farm_free_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 40000))
    if ! farm_port_open 127.0.0.1 "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  farm_die "no free port found on 127.0.0.1"
}

# Runs a command as the postgres user when this script is root (PostgreSQL refuses to run as
# root); as is otherwise. setpriv executes the program itself, so a pid taken of it is the program's.
farm__as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  else
    "$@"
  fi
}

# farm_start_postgres WORKDIR: a private PostgreSQL with its data in WORKDIR/postgres/data (made
# once with initdb, C locale, trust on local connections only), listening on 127.0.0.1 at a free
# port, its unix socket in farm_runtime_dir WORKDIR. Registered for a fast shutdown (SIGINT) on exit.
# Sets FARM_POSTGRES_PORT and FARM_POSTGRES (an Npgsql connection string to database postgres).
farm_start_postgres() {
  local w=${1:?farm_start_postgres WORKDIR} bin port pid
  bin=$(farm__pg_bindir) || farm_die "PostgreSQL is not installed (apt-get install -y postgresql)"
  mkdir -p "$w/postgres"
  local d
  d=$(cd "$w/postgres" && pwd)
  local data=$d/data log=$d/postgres.log sock
  # Its unix socket (.s.PGSQL.PORT) in the short runtime folder, not under the checkout.
  sock=$(farm_runtime_dir "$w")/postgres
  mkdir -p "$sock"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$d" "$sock"
  fi
  # A server left over from an earlier run of the same folder: stop it first.
  if [[ -f $data/postmaster.pid ]]; then
    pid=$(head -n 1 "$data/postmaster.pid" | tr -dc '0-9')
    if [[ -n $pid ]] && farm__proc_is "$pid" postgres; then
      farm_log "stopping PostgreSQL left over from an earlier run (pid $pid)"
      farm_stop_pid "$pid" "leftover postgres" INT
    fi
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    farm_log "initdb $data"
    farm__as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --locale=C --encoding=UTF8 >"$d/initdb.log" 2>&1 ||
      { tail -n 20 "$d/initdb.log" >&2; farm_die "initdb failed (log: $d/initdb.log)"; }
  fi
  port=$(farm_free_port)
  farm_log "starting PostgreSQL on 127.0.0.1:$port (log: $log)"
  # fsync off: a test database that a crash may lose is fine, and it spares the 2-core machine.
  local as_postgres=()
  [[ $(id -u) -ne 0 ]] || as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)
  setsid "${as_postgres[@]}" "$bin/postgres" -D "$data" -p "$port" -k "$sock" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
    </dev/null >"$log" 2>&1 &
  pid=$!
  farm_on_exit_stop "$pid" postgres INT
  farm_wait_port 127.0.0.1 "$port" 30 "$pid" postgres "$log"
  FARM_POSTGRES_PORT=$port
  FARM_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  farm_log "PostgreSQL is up (pid $pid)"
}

# farm_start_redis WORKDIR: a private Redis on 127.0.0.1 at a free port, its folder
# WORKDIR/redis, nothing persisted. Registered for stopping on exit. Sets FARM_REDIS (host:port).
farm_start_redis() {
  local w=${1:?farm_start_redis WORKDIR} port
  command -v redis-server >/dev/null 2>&1 || farm_die "redis-server is not installed (apt-get install -y redis-server)"
  mkdir -p "$w/redis"
  local d
  d=$(cd "$w/redis" && pwd)
  port=$(farm_free_port)
  farm_log "starting Redis on 127.0.0.1:$port (log: $d/redis.log)"
  farm_spawn redis "$d/redis.log" redis-server --port "$port" --bind 127.0.0.1 --dir "$d" \
    --daemonize no --save '' --appendonly no --protected-mode yes
  farm_wait_port 127.0.0.1 "$port" 30 "$FARM_SPAWNED_PID" redis "$d/redis.log"
  FARM_REDIS=127.0.0.1:$port
  farm_log "Redis is up (pid $FARM_SPAWNED_PID)"
}
