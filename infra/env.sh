# Sourced by infra/bin/platform: where everything runs on a native machine. Every value can be
# overridden from the environment; docker-compose.yml uses the same names (see docs/architecture.md).
repo="${repo:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PLATFORM_HOME="${PLATFORM_HOME:-$repo/.platform}"
export PLATFORM_CACHE="${PLATFORM_CACHE:-$HOME/.cache/saas-platform}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-localhost:$KAFKA_PORT}"
export SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://localhost:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7}"
export POSTGRES_ADMIN_URL="${POSTGRES_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export POSTGRES_HOST_URL="${POSTGRES_HOST_URL:-postgresql://127.0.0.1:5432}"

# Each service's HTTP port (the same in docker-compose.yml) and where clients reach it.
service_port() {
  case "$1" in
    identity) echo 3001 ;; tenancy) echo 3002 ;; billing) echo 3003 ;;
    usage) echo 3004 ;; webhooks) echo 3005 ;; analytics) echo 3006 ;;
    *) echo "no port assigned to service $1 (infra/env.sh)" >&2; return 1 ;;
  esac
}
# Its own database, as its own login role (infra/postgres/postgres.sh creates both).
service_database_url() { echo "${POSTGRES_HOST_URL/:\/\//://$1:$1@}/${2:-$1}"; }
export IDENTITY_URL="${IDENTITY_URL:-http://localhost:$(service_port identity)}"
export TENANCY_URL="${TENANCY_URL:-http://localhost:$(service_port tenancy)}"
export BILLING_URL="${BILLING_URL:-http://localhost:$(service_port billing)}"
export USAGE_URL="${USAGE_URL:-http://localhost:$(service_port usage)}"
