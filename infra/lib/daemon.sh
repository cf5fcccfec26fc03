# Shared by the native infrastructure scripts (infra/kafka/kafka.sh, infra/registry/registry.sh).
# The sourcing script sets `component` and `pidfile` and defines `running_pid` (prints the pid of
# the process it started, or fails) and `answers` (the service answers on its port).

say() { echo "$component: $*"; }
die() { echo "$component: $*" >&2; exit 1; }

# Alive and not a zombie (a killed JVM lingers as one until its parent reaps it).
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != "Z" ]; }

# SIGTERM, up to 30 s for a clean shutdown, then SIGKILL. Something answering that this script did
# not start is left alone. $1 says where it answers, for that message.
stop_daemon() {
  local where="$1" pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    if answers; then
      say "not started by this script, but something answers on $where; leaving it alone"
    else
      say "not running"
    fi
    return 0
  fi
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    alive "$pid" || break
    sleep 0.5
  done
  if alive "$pid"; then
    say "still running after 30s; killing"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  say "stopped"
}
