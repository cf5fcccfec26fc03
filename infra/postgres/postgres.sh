#!/usr/bin/env bash
# PostgreSQL is the server already on the machine (Debian's cluster). `start` makes sure it answers
# and that every service has its own login role and database: roles are not superusers and have no
# BYPASSRLS, so row-level security applies to the services as it will in production.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
admin_url="${POSTGRES_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

psql_admin() { psql "$admin_url" -v ON_ERROR_STOP=1 -qAt "$@"; }

answers() { pg_isready -d "$admin_url" -t 2 >/dev/null 2>&1; }

start_server() {
  if answers; then return 0; fi
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "postgres: starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  fi
  for _ in $(seq 1 30); do answers && return 0; sleep 1; done
  echo "postgres: no server answers at $admin_url. Install and start PostgreSQL 15+ (Debian: apt-get install postgresql), or set POSTGRES_ADMIN_URL to a superuser URL." >&2
  exit 1
}

ensure_role_and_database() {
  local name="$1"
  psql_admin <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$name') THEN
    CREATE ROLE "$name" LOGIN PASSWORD '$name' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END \$\$;
ALTER ROLE "$name" NOSUPERUSER NOBYPASSRLS;
SQL
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE \"$name\" OWNER \"$name\""
  fi
}

case "${1:-}" in
  start)
    start_server
    while read -r service; do
      [[ -z "$service" || "$service" == \#* ]] && continue
      ensure_role_and_database "$service"
    done <"$repo/infra/services.txt"
    echo "postgres: ready at $admin_url (one role and database per service)"
    ;;
  ensure-database)
    # One login role and database of the same name (password = name, for local development).
    [ -n "${2:-}" ] || { echo "usage: $0 ensure-database NAME" >&2; exit 2; }
    start_server
    ensure_role_and_database "$2"
    ;;
  fresh-database)
    # An empty database NAME owned by ROLE, for a test run that must not inherit an earlier run's state.
    [ -n "${2:-}" ] && [ -n "${3:-}" ] || { echo "usage: $0 fresh-database ROLE NAME" >&2; exit 2; }
    start_server
    ensure_role_and_database "$2"
    psql_admin -c "DROP DATABASE IF EXISTS \"$3\" WITH (FORCE)"
    psql_admin -c "CREATE DATABASE \"$3\" OWNER \"$2\""
    ;;
  status) answers && echo "postgres: running" || { echo "postgres: not answering"; exit 1; } ;;
  *) echo "usage: $0 start|ensure-database NAME|fresh-database ROLE NAME|status" >&2; exit 2 ;;
esac
