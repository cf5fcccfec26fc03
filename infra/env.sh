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
