#!/usr/bin/env bash
# The schema registry: Apicurio Registry, run natively with `java`, serving the Confluent-compatible
# API at http://localhost:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7 with its storage in PostgreSQL
# (database and login role `registry`), so schema ids survive restarts.
#   registry.sh install   build the runnable app with Maven into $PLATFORM_CACHE/apicurio-<version> (once)
#   registry.sh start     ensure the database, start, wait until the API answers (idempotent)
#   registry.sh stop      SIGTERM, wait, then SIGKILL; fine if it is not running
#   registry.sh status    running or not (exit 1 if not)
# Environment: PLATFORM_HOME (default <repo>/.platform), PLATFORM_CACHE, SCHEMA_REGISTRY_PORT (8081),
# POSTGRES_ADMIN_URL (a superuser URL, to create the role and database), REGISTRY_DATASOURCE_URL,
# REGISTRY_HEAP_OPTS, REGISTRY_JAVA_OPTS (extra -D options), REGISTRY_START_TIMEOUT (seconds, 120).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

PLATFORM_HOME="${PLATFORM_HOME:-$repo/.platform}"
PLATFORM_CACHE="${PLATFORM_CACHE:-$HOME/.cache/saas-platform}"
SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
POSTGRES_ADMIN_URL="${POSTGRES_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
# REGISTRY_DB_NAME: the database holding the schemas; REGISTRY_FRESH_DB=1 empties it first (test runs,
# whose isolated subjects would otherwise pile up run after run).
REGISTRY_DB_NAME="${REGISTRY_DB_NAME:-registry}"
REGISTRY_DATASOURCE_URL="${REGISTRY_DATASOURCE_URL:-jdbc:postgresql://127.0.0.1:5432/$REGISTRY_DB_NAME}"
REGISTRY_FRESH_DB="${REGISTRY_FRESH_DB:-0}"
REGISTRY_DB_USER="registry"
REGISTRY_DB_PASSWORD="registry"
REGISTRY_HEAP_OPTS="${REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m}"
REGISTRY_JAVA_OPTS="${REGISTRY_JAVA_OPTS:-}"
REGISTRY_START_TIMEOUT="${REGISTRY_START_TIMEOUT:-120}"
APICURIO_VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$here/pom.xml" | head -1)"

home="$PLATFORM_CACHE/apicurio-$APICURIO_VERSION"
app="$home/quarkus-app"
marker="$home/.complete"
run_dir="$PLATFORM_HOME/run"
logfile="$PLATFORM_HOME/logs/registry.log"
pidfile="$run_dir/registry.pid"
tmp_dir="$run_dir/registry-tmp"
api="http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7"

component=registry
source "$repo/infra/lib/daemon.sh"

# The pom's checksum goes into the marker, so an edited pom (another version) builds again.
pom_sum() { sha256sum "$here/pom.xml" | cut -d' ' -f1; }

installed() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$(pom_sum)" ] && [ -f "$app/quarkus-run.jar" ]; }

install() {
  if installed; then
    say "Apicurio Registry $APICURIO_VERSION already installed in $app"
    return 0
  fi
  command -v mvn >/dev/null || die "Apache Maven is required to build the registry (Debian: apt-get install maven)"
  command -v java >/dev/null || die "a Java 17+ runtime is required (Debian: apt-get install openjdk-17-jdk-headless)"
  mkdir -p "$home"
  local tmp="$home/build.tmp.$$" mvn_log="$home/install.log"
  rm -rf "$tmp"
  say "building Apicurio Registry $APICURIO_VERSION from Maven Central into $app (about a minute on a fresh ~/.m2)"
  # -DskipDefault: no jitpack/Confluent repositories (see pom.xml). Maven's output goes to a file.
  if ! mvn -q -B -DskipDefault -f "$here/pom.xml" package -Dregistry.build.dir="$tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp"
    die "maven could not build Apicurio Registry $APICURIO_VERSION (log: $mvn_log)"
  fi
  [ -f "$tmp/quarkus-app/quarkus-run.jar" ] || { rm -rf "$tmp"; die "maven built no quarkus-app/quarkus-run.jar in $tmp"; }
  rm -rf "$app"
  mv "$tmp/quarkus-app" "$app"
  rm -rf "$tmp"
  pom_sum >"$marker"
  say "installed Apicurio Registry $APICURIO_VERSION ($(find "$app/lib" -name '*.jar' | wc -l) jars, $(du -sh "$app" | cut -f1))"
}

# Does the registry's Confluent-compatible API answer?
answers() {
  # /config, not /subjects: the subject list grows with every registered schema and gets slow.
  [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$api/config" 2>/dev/null || true)" = "200" ]
}
# Does anything accept connections on the port?
port_taken() { timeout 2 bash -c "</dev/tcp/127.0.0.1/$SCHEMA_REGISTRY_PORT" >/dev/null 2>&1; }

running_pid() {
  local pid=""
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile" 2>/dev/null || true)"
  fi
  if [ -n "$pid" ] && alive "$pid"; then
    echo "$pid"
    return 0
  fi
  # The pid file may be gone while the registry still runs: the JVM carries this pid file's path
  # (unique to this PLATFORM_HOME) as a system property.
  pid="$(pgrep -f -- "-Dplatform.registry.pidfile=$pidfile " | head -1 || true)"
  [ -n "$pid" ] && { echo "$pid"; return 0; }
  return 1
}

# The login role and database `registry` (not a superuser), created when missing.
ensure_database() {
  if [ "$REGISTRY_FRESH_DB" = 1 ]; then
    bash "$repo/infra/postgres/postgres.sh" fresh-database "$REGISTRY_DB_USER" "$REGISTRY_DB_NAME" >/dev/null 2>&1
  elif [ "$REGISTRY_DB_NAME" = "$REGISTRY_DB_USER" ]; then
    bash "$repo/infra/postgres/postgres.sh" ensure-database "$REGISTRY_DB_NAME" >/dev/null
  else
    bash "$repo/infra/postgres/postgres.sh" ensure-database "$REGISTRY_DB_USER" >/dev/null
    psql "$POSTGRES_ADMIN_URL" -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$REGISTRY_DB_NAME'" | grep -q 1 ||
      psql "$POSTGRES_ADMIN_URL" -q -c "CREATE DATABASE \"$REGISTRY_DB_NAME\" OWNER \"$REGISTRY_DB_USER\""
  fi
}

# Runtime configuration. System properties outrank the app's application.properties (and its
# %prod profile); the JVM also starts with an empty environment (see start), because the app reads
# generic variable names (LOG_LEVEL, AUTH_ENABLED, KAFKA_BOOTSTRAP_SERVERS, ...) as configuration.
# Schema ids are content ids (legacy-id-mode off), as in Confluent. use-canonical-hash stays off: in
# this version it sorts an Avro record's fields by name when on, which breaks decoding (README.md).
java_opts() {
  printf '%s\n' \
    "-Dplatform.registry.pidfile=$pidfile" \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxMetaspaceSize=192m \
    -Djava.awt.headless=true "-Djava.io.tmpdir=$tmp_dir" -Dfile.encoding=UTF-8 \
    -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$SCHEMA_REGISTRY_PORT" \
    "-Dquarkus.datasource.jdbc.url=$REGISTRY_DATASOURCE_URL" \
    "-Dquarkus.datasource.username=$REGISTRY_DB_USER" "-Dquarkus.datasource.password=$REGISTRY_DB_PASSWORD" \
    -Dquarkus.datasource.jdbc.initial-size=2 -Dquarkus.datasource.jdbc.min-size=2 -Dquarkus.datasource.jdbc.max-size=10 \
    -Dregistry.sql.init=true \
    -Dregistry.auth.enabled=false -Dquarkus.oidc.tenant-enabled=false \
    -Dregistry.auth.role-based-authorization=false -Dregistry.auth.owner-only-authorization=false \
    -Dregistry.enable.sentry=false -Dsentry.dsn=noop://localhost -Dsentry.stacktrace.app.packages=io.apicurio \
    -Dregistry.enable.multitenancy=false \
    -Dregistry.ccompat.legacy-id-mode.enabled=false -Dregistry.ccompat.use-canonical-hash=false \
    -Dquarkus.log.level=INFO -Dquarkus.log.console.color=false
}

fail_start() {
  echo "----- last 50 lines of $logfile -----" >&2
  tail -n 50 "$logfile" >&2 || true
  echo "-------------------------------------" >&2
  die "$*"
}

start() {
  if answers; then
    say "already answers on $api"
    return 0
  fi
  local pid
  if pid="$(running_pid)"; then
    # Started but not (yet) answering, e.g. a second `start` during the first one's wait.
    say "registry process $pid exists but does not answer yet; waiting"
    wait_ready "$pid"
    say "ready on http://localhost:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7"
    return 0
  fi
  if port_taken; then
    die "something that is not the registry listens on 127.0.0.1:$SCHEMA_REGISTRY_PORT (set SCHEMA_REGISTRY_PORT to use another port)"
  fi
  installed || install
  ensure_database
  mkdir -p "$run_dir" "$tmp_dir" "$(dirname "$logfile")"
  # Keep the log from growing forever: one previous generation is kept.
  if [ -f "$logfile" ] && [ "$(stat -c %s "$logfile")" -gt $((64 * 1024 * 1024)) ]; then
    mv -f "$logfile" "$logfile.1"
  fi
  echo "===== $(date -u +%FT%TZ) registry.sh start: Apicurio Registry $APICURIO_VERSION on 127.0.0.1:$SCHEMA_REGISTRY_PORT =====" >>"$logfile"
  local opts heap extra
  mapfile -t opts < <(java_opts)
  read -r -a heap <<<"$REGISTRY_HEAP_OPTS"
  read -r -a extra <<<"$REGISTRY_JAVA_OPTS"
  rm -f "$pidfile"
  # The inner shell writes its own pid, then becomes the JVM (exec), so the pid file holds the
  # JVM's pid. setsid keeps it out of the caller's process group and terminal; env -i gives it a
  # clean environment (see java_opts); the working directory is $run_dir, where the transaction
  # manager would put its ObjectStore folder.
  local launcher=(nohup)
  command -v setsid >/dev/null && launcher=(setsid nohup)
  local java_bin
  java_bin="$(command -v java)" || die "a Java 17+ runtime is required"
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner shell
  (cd "$run_dir" && exec env -i PATH="$PATH" HOME="$HOME" LANG="${LANG:-C.UTF-8}" TZ="${TZ:-UTC}" \
    "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
    "$java_bin" "${heap[@]}" "${opts[@]}" ${extra[@]+"${extra[@]}"} -jar "$app/quarkus-run.jar" \
    >>"$logfile" 2>&1 </dev/null) &
  local started=$SECONDS
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || fail_start "the registry process did not start"
  pid="$(cat "$pidfile")"
  say "started Apicurio Registry $APICURIO_VERSION (pid $pid, log $logfile); waiting until it answers"
  wait_ready "$pid"
  say "ready on http://localhost:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7 after $((SECONDS - started))s"
}

# Ready = GET /apis/ccompat/v7/config answers 200.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + REGISTRY_START_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! alive "$pid"; then
      rm -f "$pidfile"
      fail_start "the registry (pid $pid) exited during startup"
    fi
    answers && return 0
    sleep 0.5
  done
  fail_start "the registry (pid $pid) did not answer on $api/config within ${REGISTRY_START_TIMEOUT}s; it is left running, stop it with: $0 stop"
}

stop() { stop_daemon "$api"; }

status() {
  local pid
  if pid="$(running_pid)"; then
    if answers; then
      say "running (pid $pid) on http://localhost:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7, Apicurio Registry $APICURIO_VERSION"
    else
      say "process $pid exists but $api does not answer (starting or stuck?)"
    fi
    return 0
  fi
  if answers; then
    say "a registry answers on $api (not started by this script)"
    return 0
  fi
  say "not running"
  return 1
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
