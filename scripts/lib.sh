# Shared by ./run and ./test: install what is missing, start a project-local PostgreSQL and Redis.
# Quiet on success; on failure it says what failed and where the log is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
PG_PORT="${MANEIRO_PG_PORT:-55432}"
REDIS_PORT="${MANEIRO_REDIS_PORT:-56379}"
mkdir -p "$LOCAL/logs"
STARTED_PG=""
STARTED_REDIS=""

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Runs a command with its output in a log; shows the log's tail only when it fails.
quiet() {
  local log="$1"; shift
  if ! "$@" >"$log" 2>&1; then
    say "error: '$*' failed (full log: $log):"
    if grep -qE ': error ' "$log"; then grep -E ': error ' "$log" | sort -u | head -n 30 >&2; else tail -n 40 "$log" >&2; fi
    return 1
  fi
}

ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
  say "Installing ${missing[*]} (apt)…"
  quiet "$LOCAL/logs/apt-update.log" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive quiet "$LOCAL/logs/apt-install.log" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is not installed (dotnet not on PATH). See https://learn.microsoft.com/dotnet/core/install/linux-debian"
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  printf '%s' "$dir"
}

# As root, PostgreSQL runs as 'postgres', which must be able to reach its data folder; a clone inside a private
# folder (mode 700) is out of its reach, so the data then lives under /var/tmp, named after the project path.
pg_data_dir() {
  local dir="$LOCAL/pg"
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$LOCAL"
    if ! runuser -u postgres -- test -x "$LOCAL" 2>/dev/null; then
      dir="/var/tmp/maneiro-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/pg"
    fi
  fi
  printf '%s' "$dir"
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  local bin data
  bin=$(pg_bin); data=$(pg_data_dir)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$(dirname "$data")"
    quiet "$LOCAL/logs/initdb.log" as_pg "$bin/initdb" -D "$data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    local log="$data/server.log"
    if ! as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${MANEIRO_PG_FSYNC:-on}" start >/dev/null; then
      say "error: PostgreSQL did not start; last lines of $log:"; tail -n 20 "$log" >&2 || true
      die "is port $PG_PORT taken? Set MANEIRO_PG_PORT to another port."
    fi
    STARTED_PG="$data"
  fi
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/${MANEIRO_DB_NAME:-maneiro}"
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  mkdir -p "$LOCAL/redis"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$LOCAL/redis" \
      --appendonly yes --pidfile "$LOCAL/redis/redis.pid" --logfile "$LOCAL/logs/redis.log" >/dev/null \
      || die "Redis did not start; see $LOCAL/logs/redis.log (is port $REDIS_PORT taken? set MANEIRO_REDIS_PORT)"
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    STARTED_REDIS=1
  fi
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# How the server processes run, as the image's ENV has it: tiered compilation is off in their projects
# (Directory.Build.props), so the framework's precompiled ReadyToRun code would never be replaced by optimized code;
# with DOTNET_ReadyToRun=0 the JIT compiles the framework's methods too, once, fully optimized (bench row 1: about a
# quarter less CPU per analysis, for a few seconds more at start). ./test leaves it out: its hosts start many times.
server_runtime_env() {
  export DOTNET_ReadyToRun="${DOTNET_ReadyToRun:-0}"
}

# Stops only what this script started, so a developer's already-running servers are left alone.
stop_services() {
  if [ -n "$STARTED_PG" ]; then as_pg "$(pg_bin)/pg_ctl" -D "$STARTED_PG" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -n "$STARTED_REDIS" ]; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
}

# native/pdftext-server.cc against this machine's poppler (packages g++ and libpoppler-private-dev), into .local/bin;
# rebuilt when its source is newer. The apps parse PDFs through it (Pdf:TextServerPath).
PDFTEXT_SERVER="$LOCAL/bin/pdftext-server"
build_native() {
  local source="$ROOT/native/pdftext-server.cc"
  mkdir -p "$LOCAL/bin"
  if [ ! -x "$PDFTEXT_SERVER" ] || [ "$source" -nt "$PDFTEXT_SERVER" ]; then
    quiet "$LOCAL/logs/native-build.log" g++ -O2 -std=c++17 -Wall -Wextra -Werror -isystem /usr/include/poppler \
      "$source" -lpoppler -o "$PDFTEXT_SERVER"
  fi
}
