#!/usr/bin/env bash
# docker-compose's Postgres runs this once on an empty volume: the same roles and databases that
# infra/postgres/postgres.sh creates natively (one per service, not superusers, no BYPASSRLS).
set -euo pipefail
while read -r service; do
  [[ -z "$service" || "$service" == \#* ]] && continue
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE "$service" LOGIN PASSWORD '$service' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE "$service" OWNER "$service";
SQL
done </platform/services.txt
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE registry LOGIN PASSWORD 'registry' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE registry OWNER registry;
SQL
